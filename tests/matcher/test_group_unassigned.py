"""Why a group placement leaves someone without a place, with an in-memory candidate source."""
from __future__ import annotations

from services.matcher.domain.person import candidate_query
from services.matcher.domain.scoring import ScoringWeights
from services.matcher.service import match_group
from services.shared.placement import relaxed, without_any
from tests.matcher.test_care_plan_service import BatchCounting
from tests.matcher.test_service import NOW, person, shelter


def test_people_nothing_suits_are_explained_in_one_batch_each_distinct_person_once():
    source = BatchCounting([shelter(1, free=5), shelter(2, free=5, genders=("female",))])
    minor, man = person(age=15, gender="male"), person(age=30, gender="male")

    answer = match_group(source=source, people=[minor, man, minor, minor], need="shelter",
                         weights=ScoringWeights(), now=NOW)

    assert [a["person"] for a in answer["assignments"]] == [1]
    assert [u["person"] for u in answer["unassigned"]] == [0, 2, 3]
    assert all(u["blocked_by"] == ["age"] and not u["taken_by_group"] for u in answer["unassigned"])
    # The pool, the minor's own query, then the explanation: the minor's filters left out in turn, and all.
    asked = candidate_query(minor, "shelter")
    assert len(source.batches) == 3
    assert source.batches[2] == [query for _, query in relaxed(asked)] + [without_any(asked)]


def test_nobody_left_without_a_place_asks_nothing_more():
    source = BatchCounting([shelter(1, free=5)])

    answer = match_group(source=source, people=[person(age=30)] * 3, need="shelter", weights=ScoringWeights(),
                         now=NOW)

    assert answer["unassigned"] == []
    assert len(source.batches) == 1


def test_someone_whose_places_the_group_took_is_told_so_without_asking_more():
    source = BatchCounting([shelter(1, free=1), shelter(2, free=1)])

    answer = match_group(source=source, people=[person(age=30)] * 3, need="shelter", weights=ScoringWeights(),
                         now=NOW)

    [left] = answer["unassigned"]
    assert left["blocked_by"] == ["capacity"] and left["taken_by_group"] is True
    assert left["reason"] == {"code": "group.no_place_left", "params": {"count": 2}}
    assert left["other_route"] is None
    # The pool, then each person asked for alone (fewer free places than people): no explanation batch.
    assert len(source.batches) == 2
