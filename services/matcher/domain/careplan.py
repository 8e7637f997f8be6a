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
from typing import Mapping, Sequence

from .plan import NEED_WORDS
from .scoring import ScoredCandidate

# How many of the best-ranked shelters are weighed with the care around them: each costs one candidate
# query per other need, all of them in one batch.
SHELTERS_WEIGHED = 5


@dataclass(frozen=True)
class PlanOption:
    """One shelter and, per other need, that need's candidates ranked from it, best first."""

    shelter: ScoredCandidate
    care: Mapping[str, Sequence[ScoredCandidate]]


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


def best_score(candidates: Sequence[ScoredCandidate]) -> float:
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


def care_plan_reasons(plan: CarePlan, options: Sequence[PlanOption]) -> list[str]:
    """Why this shelter anchors the plan, in words a caseworker can act on: the one place these texts are written."""
    shelter = plan.option.shelter
    if plan.shelter_rank == 0:
        if plan.options_weighed == 1:
            return [f"The only shelter found; the plan scores {plan.combined_score:.2f} with the best care from it"]
        return [f"The top-ranked shelter also gives the best plan of the {plan.options_weighed} best shelters "
                f"weighed with the care reachable from each (combined score {plan.combined_score:.2f})"]
    top = options[0]
    reasons = [f"Chosen over {top.shelter.provider['name']}, ranked first as a shelter: with the care reachable "
               f"from each, this plan scores {plan.combined_score:.2f} against {combined_score(top):.2f} "
               f"(shelter {shelter.score:.2f} against {top.shelter.score:.2f})"]
    for gain in gains_over_top(plan, options):
        words = NEED_WORDS.get(gain.need, gain.need)
        words = words[0].upper() + words[1:]
        if gain.top_score is None:
            reasons.append(f"{words} within reach from this shelter, none from {top.shelter.provider['name']}")
        else:
            reasons.append(f"{words} nearer or better from this shelter: the best {_km(gain.distance_km)} away "
                           f"(score {gain.score:.2f}) against {_km(gain.top_distance_km)} from "
                           f"{top.shelter.provider['name']} (score {gain.top_score:.2f})")
    return reasons


def _km(distance: float) -> str:
    return "less than 1 km" if distance < 1 else (f"{distance:.1f} km" if distance < 10 else f"{distance:.0f} km")
