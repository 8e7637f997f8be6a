"""Why a search came back empty: the hard filters that, left out one at a time, would leave some place.

Asked by a single match for each unmet need and by a group placement for each person nothing suits.
"""
from __future__ import annotations

from datetime import datetime
from typing import Hashable, Mapping, TypeVar

from ..shared.placement import CandidateQuery, failed_filters, relaxed, speaks_any, without_any
from .candidates import CandidateSource
from .domain.person import Person

Key = TypeVar("Key", bound=Hashable)


def blocking_filters(source: CandidateSource, empty: Mapping[Key, tuple[Person, CandidateQuery, int]],
                     now: datetime) -> dict[Key, tuple[tuple[str, ...], bool]]:
    """For each empty search (its person, query and how many the directory found), the hard filters that
    emptied it, and whether only all of them together did.

    Each filter that applies is left out in turn (placement.relaxed), and all of them at once, in one
    batch asked only for the empty searches; what comes back is only counted, never offered. When the
    directory found interpreters that the matcher's own rule refused, the person's languages are what is
    missing.
    """
    answer: dict[Key, tuple[tuple[str, ...], bool]] = {}
    tries: list[tuple[Key, str | None, CandidateQuery]] = []
    for key, (_, query, found) in empty.items():
        if found and query.need == "interpreter":
            answer[key] = (("language",), False)
            continue
        tries += [(key, name, without) for name, without in relaxed(query)]
        tries.append((key, None, without_any(query)))
    if not tries:
        return answer
    results = source.fetch([query for _, _, query in tries])
    helps: dict[Key, list[str]] = {key: [] for key, _, _ in tries}
    anything: dict[Key, bool] = {key: False for key, _, _ in tries}
    for (key, name, query), candidates in zip(tries, results):
        person = empty[key][0]
        fits = any(not failed_filters(query, provider, now)
                   and (query.need != "interpreter" or speaks_any(provider, person.languages))
                   for provider in candidates)
        if fits and name is None:
            anything[key] = True
        elif fits:
            helps[key].append(name)
    for key in helps:
        if helps[key]:
            answer[key] = (tuple(helps[key]), False)
        elif anything[key]:
            answer[key] = (tuple(name for name, _ in relaxed(empty[key][1])), True)
        else:
            answer[key] = ((), False)
    return answer
