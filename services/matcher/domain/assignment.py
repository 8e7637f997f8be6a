"""Group placement: give each person at most one place so that as many people as possible are placed
and, among those placements, the total score is highest, without ever exceeding a provider's capacity.

Exact, by the Hungarian-style solver in scipy on a matrix with one column per free unit.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np


@dataclass(frozen=True)
class Placement:
    person: int
    option: int
    score: float


@dataclass(frozen=True)
class Assignment:
    placements: tuple[Placement, ...]
    unplaced: tuple[int, ...]

    @property
    def total_score(self) -> float:
        return sum(p.score for p in self.placements)


def assign(scores: Sequence[Sequence[float | None]], capacities: Sequence[int]) -> Assignment:
    """Solve one placement problem.

    `scores[i][j]` is how well option j suits person i, or None when it is not allowed for them (a hard
    filter fails); `capacities[j]` is how many people option j can take. The answer is deterministic
    for the same input.
    """
    if any(len(row) != len(capacities) for row in scores):
        raise ValueError("every row of scores needs one entry per option")
    shape = (len(scores), len(capacities))
    allowed = np.array([[value is not None for value in row] for row in scores], dtype=bool).reshape(shape)
    values = np.array([[value if value is not None else 0.0 for value in row] for row in scores],
                      dtype=float).reshape(shape)
    return assign_matrix(values, allowed, capacities)


def assign_matrix(values: np.ndarray, allowed: np.ndarray, capacities: Sequence[int]) -> Assignment:
    """`assign` for scores already in arrays: `values[i, j]` counts only where `allowed[i, j]` is true."""
    people = values.shape[0]
    if values.shape != allowed.shape or values.shape[1] != len(capacities):
        raise ValueError("values and allowed need one row per person and one column per option")
    # A provider with k free units is k identical columns; never more columns than people who may use it.
    takers = allowed.sum(axis=0)
    units = np.minimum(np.maximum(np.asarray(capacities, dtype=np.int64), 0), takers)
    columns = np.repeat(np.arange(len(capacities)), units)
    if not people or not len(columns):
        return Assignment((), tuple(range(people)))
    feasible = allowed[:, columns]
    values = np.where(feasible, values[:, columns], 0.0)
    # An impossible pair costs more than every score of the group together could win back, so the solver
    # first places as many people as it can, then maximises the total; such pairs are dropped afterwards.
    penalty = people * (float(np.abs(values).max()) + 1.0) + 1.0
    matrix = np.where(feasible, values, -penalty)
    # Imported on the first group placement: scipy.optimize is about 45 MB in every process that loads it,
    # and a matcher worker that only matches one person at a time never needs it.
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(matrix, maximize=True)
    placements = []
    for row, col in zip(rows.tolist(), cols.tolist()):
        if feasible[row, col]:
            placements.append(Placement(person=row, option=int(columns[col]), score=float(values[row, col])))
    placed = {p.person for p in placements}
    return Assignment(tuple(placements), tuple(i for i in range(people) if i not in placed))
