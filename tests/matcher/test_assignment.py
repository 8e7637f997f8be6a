"""Group placement as a pure function, checked against every possible assignment."""
from __future__ import annotations

import itertools
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.matcher.domain.assignment import assign


def brute_force(scores, capacities) -> tuple[int, float]:
    """(people placed, total score) of the best assignment, by trying every one."""
    people, options = len(scores), len(capacities)
    best = (0, 0.0)
    for choice in itertools.product([None, *range(options)], repeat=people):
        used = Counter(option for option in choice if option is not None)
        if any(used[option] > capacities[option] for option in used):
            continue
        if any(option is not None and scores[person][option] is None for person, option in enumerate(choice)):
            continue
        placed = sum(1 for option in choice if option is not None)
        total = sum(scores[person][option] for person, option in enumerate(choice) if option is not None)
        if (placed, total) > (best[0], best[1] + 1e-9):
            best = (placed, total)
    return best


@st.composite
def instances(draw):
    people = draw(st.integers(min_value=0, max_value=5))
    options = draw(st.integers(min_value=0, max_value=4))
    capacities = draw(st.lists(st.integers(min_value=0, max_value=3), min_size=options, max_size=options))
    score = st.one_of(st.none(), st.floats(min_value=0, max_value=1, allow_nan=False))
    scores = draw(st.lists(st.lists(score, min_size=options, max_size=options), min_size=people, max_size=people))
    return scores, capacities


@settings(max_examples=150, deadline=None)
@given(instances())
def test_the_total_score_equals_the_brute_force_optimum(instance):
    scores, capacities = instance

    result = assign(scores, capacities)

    placed, total = brute_force(scores, capacities)
    assert len(result.placements) == placed
    assert result.total_score == pytest.approx(total, abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(instances())
def test_capacity_is_never_exceeded_and_no_impossible_pair_is_used(instance):
    scores, capacities = instance

    result = assign(scores, capacities)

    used = Counter(p.option for p in result.placements)
    assert all(used[option] <= capacities[option] for option in used)
    assert all(scores[p.person][p.option] == p.score for p in result.placements)
    people = [p.person for p in result.placements] + list(result.unplaced)
    assert sorted(people) == list(range(len(scores)))


def test_placing_more_people_beats_a_higher_total_for_fewer():
    # One place each: the best-scoring choice for the first person would leave the second without a place.
    scores = [[0.9, 0.1], [0.5, None]]

    result = assign(scores, [1, 1])

    assert {(p.person, p.option) for p in result.placements} == {(0, 1), (1, 0)}


def test_a_provider_with_several_free_places_takes_several_people():
    result = assign([[0.8, 0.2], [0.7, 0.3], [0.6, 0.4]], [2, 5])

    assert Counter(p.option for p in result.placements) == {0: 2, 1: 1}
    assert result.total_score == pytest.approx(0.8 + 0.7 + 0.4)


def test_people_without_any_allowed_place_stay_unplaced():
    result = assign([[None], [0.5], [None]], [3])

    assert [p.person for p in result.placements] == [1]
    assert result.unplaced == (0, 2)


def test_the_same_input_gives_the_same_assignment():
    scores = [[0.5, 0.5, 0.5]] * 4

    assert assign(scores, [1, 2, 1]) == assign(scores, [1, 2, 1])


def test_rows_of_the_wrong_length_are_refused():
    with pytest.raises(ValueError):
        assign([[0.5]], [1, 1])
