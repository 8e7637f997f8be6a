"""The jointly best care plan: the shelter whose own score and the care reachable from it add up to the most.

A plan is a shelter and, for each other need the person asked for, the candidates of that need ranked from
that shelter. Its combined score is

    the shelter's score + the sum, over the other needs, of the best candidate's score (0 when none is left).

Every score is a weighted mean in [0, 1] and comparable between needs (domain/scoring.py), so each need the
person asked for counts once and alike, the shelter being one of them: a shelter a little lower than the top
one wins when the care it brings within reach is better by more than that. An unmet need counts 0, its
whole share lost, so a plan that meets a need beats one that does not unless the shelter itself is worse by
more than that need's best score. Only the best candidate of a need counts: it is the one the caseworker
refers to first, the others are fall-backs. The sum is `math.fsum` in a fixed order (shelter, then needs as
asked), so equal plans add up to equal numbers, and ties go to the better-ranked shelter.

No Flask, no HTTP: plain data in, plain data out.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Protocol, Sequence

from ...shared.reasons import Reason, reason
from .scoring import ScoredCandidate

# How many of the best-ranked shelters are weighed with the care around them: each costs one candidate
# query per other need, all of them in one batch.
SHELTERS_WEIGHED = 5


class Scored(Protocol):
    """A ranked candidate as a plan weighs it: a scored one, or one only compared, whose view is not read."""

    @property
    def score(self) -> float: ...

    @property
    def distance_km(self) -> float: ...


@dataclass(frozen=True)
class PlanOption:
    """One shelter and, per other need, that need's candidates ranked from it, best first."""

    shelter: ScoredCandidate
    care: Mapping[str, Sequence[Scored]]


@dataclass(frozen=True)
class CarePlan:
    """The chosen option, where its shelter ranks among the shelters (0: the top one), and its combined score."""

    option: PlanOption
    shelter_rank: int
    combined_score: float
    options_weighed: int


def combined_score(option: PlanOption) -> float:
    """The shelter's score plus, per other need, its best candidate's score (0 when the need is unmet)."""
    return math.fsum([option.shelter.score] + [best_score(candidates) for candidates in option.care.values()])


def best_score(candidates: Sequence[Scored]) -> float:
    """The score of a need's best candidate as ranked (the first), 0 when none is left."""
    return candidates[0].score if candidates else 0.0


def best_plan(options: Sequence[PlanOption]) -> CarePlan | None:
    """The option with the highest combined score; `options` in shelter rank order, and a tie goes to the earlier."""
    best: CarePlan | None = None
    for rank, option in enumerate(options):
        score = combined_score(option)
        if best is None or score > best.combined_score:
            best = CarePlan(option, rank, score, len(options))
    return best


@dataclass(frozen=True)
class Gain:
    """What one need gains from the chosen shelter over the top-ranked one: its best candidate's score from each
    (None when the need is unmet from there) and distance."""

    need: str
    score: float
    distance_km: float
    top_score: float | None
    top_distance_km: float | None


def gains_over_top(plan: CarePlan, options: Sequence[PlanOption]) -> list[Gain]:
    """The needs whose best candidate scores higher from the chosen shelter than from the top-ranked one."""
    if plan.shelter_rank == 0:
        return []
    top = options[0]
    gains = []
    for need, candidates in plan.option.care.items():
        if not candidates:
            continue
        from_top = top.care.get(need) or ()
        if from_top and from_top[0].score >= candidates[0].score:
            continue
        gains.append(Gain(need, candidates[0].score, candidates[0].distance_km,
                          from_top[0].score if from_top else None,
                          from_top[0].distance_km if from_top else None))
    return gains


def care_plan_reasons(plan: CarePlan, options: Sequence[PlanOption]) -> list[Reason]:
    """Why this shelter anchors the plan, as reasons (services.shared.reasons): the one place they are made."""
    shelter = plan.option.shelter
    if plan.shelter_rank == 0:
        if plan.options_weighed == 1:
            return [reason("plan.only_shelter", score=_score(plan.combined_score))]
        return [reason("plan.top_is_best", shelters=plan.options_weighed, score=_score(plan.combined_score))]
    top = options[0]
    top_name = top.shelter.provider["name"]
    reasons = [reason("plan.chosen_over", provider_name=top_name, score=_score(plan.combined_score),
                      top_score=_score(combined_score(top)), shelter_score=_score(shelter.score),
                      top_shelter_score=_score(top.shelter.score))]
    for gain in gains_over_top(plan, options):
        if gain.top_score is None:
            reasons.append(reason("plan.need_only_from_here", need=gain.need, provider_name=top_name))
        else:
            reasons.append(reason("plan.need_nearer", need=gain.need, distance=round(gain.distance_km, 1),
                                  score=_score(gain.score), provider_name=top_name,
                                  top_distance=round(gain.top_distance_km, 1), top_score=_score(gain.top_score)))
    return reasons


def _score(value: float) -> float:
    return round(value, 3)
