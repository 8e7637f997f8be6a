"""The jointly best care plan as a pure function, checked against every combination of shelter and care."""
from __future__ import annotations

import itertools
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from services.matcher.domain.careplan import (PlanOption, best_plan, care_plan_reasons, combined_score,
                                              gains_over_top)
from services.matcher.domain.scoring import ScoredCandidate, rank
from services.shared.reasons import reason


def candidate(name: str, score: float, distance_km: float = 5.0) -> ScoredCandidate:
    return ScoredCandidate(provider={"id": name, "name": name}, distance_km=distance_km, score=score, factors=(),
                           staff_language=None)


def brute_force(options: list[PlanOption]) -> tuple[int, float]:
    """(the first shelter reaching it, the best total) over every shelter and every choice per need, or none."""
    best = (-1, -math.inf)
    for index, option in enumerate(options):
        needs = list(option.care.values())
        for choice in itertools.product(*[[None, *candidates] for candidates in needs]):
            total = math.fsum([option.shelter.score] + [c.score if c else 0.0 for c in choice])
            if total > best[1]:
                best = (index, total)
    return best


score = st.floats(min_value=0, max_value=1, allow_nan=False)


@st.composite
def plan_options(draw):
    needs = draw(st.lists(st.sampled_from(["medical", "mental_health", "legal", "interpreter"]), unique=True,
                          max_size=3))
    shelters = draw(st.integers(min_value=1, max_value=5))
    options = []
    for index in range(shelters):
        care = {}
        for need in needs:
            scores = draw(st.lists(score, max_size=4))
            care[need] = rank([candidate(f"{need}-{index}-{n}", value, draw(st.floats(0, 80)))
                               for n, value in enumerate(scores)])
        options.append(PlanOption(candidate(f"shelter-{index}", draw(score)), care))
    # The shelters as ranked on their own: best first.
    return sorted(options, key=lambda option: -option.shelter.score)


@settings(max_examples=300, deadline=None)
@given(plan_options())
def test_the_chosen_plan_is_the_best_any_shelter_and_choice_of_care_reaches(options):
    plan = best_plan(options)

    index, total = brute_force(options)
    assert plan.combined_score == total
    assert plan.shelter_rank == index
    assert plan.option is options[index]


@settings(max_examples=200, deadline=None)
@given(plan_options())
def test_only_needs_better_from_the_chosen_shelter_are_named_as_gains(options):
    plan = best_plan(options)

    gains = gains_over_top(plan, options)

    if plan.shelter_rank == 0:
        assert gains == []
    for gain in gains:
        from_top = options[0].care[gain.need]
        assert gain.top_score is None or gain.top_score < gain.score
        assert (gain.top_score is None) == (not from_top)
    # A plan that beats the top one gains on some need.
    assert plan.shelter_rank == 0 or gains


def test_a_slightly_lower_shelter_with_trauma_care_and_a_lawyer_nearby_wins():
    top = PlanOption(candidate("Top House", 0.80), {
        "mental_health": [candidate("Far Clinic", 0.40, 60.0)], "legal": []})
    lower = PlanOption(candidate("Second House", 0.75), {
        "mental_health": [candidate("Trauma Centre", 0.85, 2.0)], "legal": [candidate("Law Office", 0.70, 1.5)]})

    plan = best_plan([top, lower])

    assert plan.option is lower and plan.shelter_rank == 1
    assert plan.combined_score == math.fsum([0.75, 0.85, 0.70])
    assert [gain.need for gain in gains_over_top(plan, [top, lower])] == ["mental_health", "legal"]
    reasons = care_plan_reasons(plan, [top, lower])
    assert reasons == [
        reason("plan.chosen_over", provider_name="Top House", score=2.3, top_score=1.2, shelter_score=0.75,
               top_shelter_score=0.8),
        reason("plan.need_nearer", need="mental_health", distance=2.0, score=0.85, provider_name="Top House",
               top_distance=60.0, top_score=0.4),
        reason("plan.need_only_from_here", need="legal", provider_name="Top House")]


def test_an_equal_plan_keeps_the_top_ranked_shelter():
    top = PlanOption(candidate("Top House", 0.75), {"legal": [candidate("A", 0.5)]})
    lower = PlanOption(candidate("Second House", 0.625), {"legal": [candidate("B", 0.625)]})

    plan = best_plan([top, lower])

    assert combined_score(top) == combined_score(lower)
    assert plan.option is top
    assert care_plan_reasons(plan, [top, lower]) == [reason("plan.top_is_best", shelters=2, score=1.25)]


def test_an_unmet_need_counts_nothing():
    assert combined_score(PlanOption(candidate("House", 0.6), {"legal": [], "medical": [candidate("C", 0.3)]})) \
        == math.fsum([0.6, 0.3])


def test_no_shelter_makes_no_plan():
    assert best_plan([]) is None
