"""The search-engine store's queries, as plain data: filters, text, circles, sorts. No client calls here."""
from __future__ import annotations

import re
from datetime import datetime

from ...shared.geo import distance_km
from ..domain.queries import AuditFilter, CandidateQuery, ReferralFilter, SearchQuery
from ...shared.placement import (EXCLUDED_AFTER, RESIDENTIAL_NEEDS, WITHOUT_A_VISIT, children_matter,
                                 groups_matter, intake_matters)
from ..domain.rules import iso
from .search_engine_mappings import TEXT_FIELDS, now_ms

RING_M = 1.0  # circle edges are decided in Python within this band, to the metre
MAX_WORDS = 12
_WORD = re.compile(r"\w+", re.UNICODE)
Circle = tuple[str, float, float, float]  # point field, lat, lon, radius in km

# Free capacity after holds, at read time: reported units minus holds that have not expired, in the pool
# a need draws on (services.shared.capacity.pool_of): its own pool where the provider keeps one, else the
# main pool.
FREE_SCRIPT = """
String available = 'available';
String expiry = 'hold_expiry_ms';
if (params.need != null && doc['own_pools'].size() > 0 && doc['own_pools'].contains(params.need)) {
  available = 'pool_available.' + params.need;
  expiry = 'pool_hold_expiry_ms.' + params.need;
}
long held = 0;
def expiries = doc[expiry];
for (int i = 0; i < expiries.size(); ++i) {
  if (expiries.get(i) > params.now) { held++; }
}
return doc[available].size() > 0 && doc[available].value - held > 0;
"""


def free_capacity(now: datetime, need: str | None) -> dict:
    """Providers with a free unit in the pool `need` draws on (None: the main pool)."""
    return {"script": {"script": {"source": FREE_SCRIPT, "lang": "painless",
                                  "params": {"now": now_ms(now), "need": need}}}}


def fresh_capacity(since: datetime, need: str) -> dict:
    """Providers whose pool for `need` was reported since `since`: the own pool's time where there is one."""
    own = {"term": {"own_pools": need}}
    return any_of({"bool": {"filter": [own, {"range": {f"pool_updated.{need}": {"gte": iso(since)}}}]}},
                  {"bool": {"must_not": [own], "filter": [{"range": {"capacity_updated": {"gte": iso(since)}}}]}})


def geo_within(field: str, lat: float, lon: float, metres: float) -> dict:
    return {"geo_distance": {"distance": f"{metres:.3f}m", "distance_type": "arc", field: {"lat": lat, "lon": lon}}}


def by_distance(lat: float, lon: float) -> dict:
    """Nearest first, always from the public point."""
    return {"_geo_distance": {"public_point": {"lat": lat, "lon": lon}, "order": "asc", "unit": "km",
                              "distance_type": "arc"}}


def any_of(*queries: dict) -> dict:
    return {"bool": {"should": list(queries), "minimum_should_match": 1}}


def words_of(text: str) -> list[str]:
    """Words as plain words: query syntax in user text has no effect."""
    return _WORD.findall(text)[:MAX_WORDS]


def text_fields(*, stemmed: bool) -> list[str]:
    suffix = ".stem" if stemmed else ""
    return [f"{name}{suffix}^{boost:g}" for name, boost in TEXT_FIELDS.items()]


def word_query(word: str) -> dict:
    """One word of the text, matched as a prefix of a word in any text field, folded, stemmed or not."""
    return {"multi_match": {"query": word, "type": "bool_prefix", "operator": "and",
                            "fields": text_fields(stemmed=False) + text_fields(stemmed=True)}}


def eligibility_filters(*, gender: str | None, age: int | None) -> list[dict]:
    filters = []
    if gender:
        filters.append({"term": {"genders": gender}})
    if age is not None:
        filters.append({"range": {"min_age": {"lte": age}}})
        filters.append({"range": {"max_age": {"gte": age}}})
    return filters


def search_body(query: SearchQuery, words: list[str], now: datetime, within: list[dict]) -> dict:
    """The search: every filter, the words (all required), and a stable order ending in the id."""
    filters: list[dict] = [] if query.include_inactive else [{"term": {"status": "active"}}]
    if query.types:
        filters.append({"terms": {"type": list(query.types)}})
    if query.need:
        filters.append({"term": {"services": query.need}})
    if query.language:
        filters.append(any_of({"term": {"languages": query.language}},
                              {"term": {"interpretation_languages": query.language}}))
    filters += eligibility_filters(gender=query.gender, age=query.age)
    if query.available_only:
        filters.append(free_capacity(now, query.need))
    filters += within
    must = [word_query(word) for word in words]
    # Ranking: BM25 over the stemmed fields, a name match counting ten times a description match.
    should = [{"multi_match": {"query": " ".join(words), "type": "most_fields",
                               "fields": text_fields(stemmed=True)}}] if words else []
    sort: list = [{"name_key": "asc"}, {"id": "asc"}]
    if words:
        sort.insert(0, {"_score": "desc"})
    if query.near:
        sort.insert(0, by_distance(*query.near))
    return {"query": {"bool": {"filter": filters, "must": must, "should": should}}, "sort": sort}


def candidate_circles(query: CandidateQuery) -> tuple[list[Circle], list[Circle]]:
    """(circles to stay out of, circles to stay within), all on the public point."""
    avoided = [("public_point", area.lat, area.lon, area.radius_km) for area in query.avoid]
    within = [("public_point", *query.near, query.max_distance_km)] if query.max_distance_km is not None else []
    return avoided, within


def candidates_body(query: CandidateQuery, now: datetime, avoided: list[dict], within: list[dict]) -> dict:
    """Every hard filter of matching, nearest first, then by id."""
    filters: list[dict] = [{"term": {"status": "active"}}, {"term": {"services": query.need}}]
    if query.free_only:
        filters.append(free_capacity(now, query.need))
    filters += eligibility_filters(gender=query.gender, age=query.age)
    if children_matter(query):
        filters.append({"term": {"accepts_children": True}})
    if query.wheelchair and query.need in RESIDENTIAL_NEEDS:
        filters.append({"term": {"wheelchair_accessible": True}})
    elif query.wheelchair:
        # Documents from before `delivery` have none: on site, as the rule reads a record without it.
        filters.append(any_of({"term": {"wheelchair_accessible": True}},
                              {"terms": {"delivery": sorted(WITHOUT_A_VISIT)}}))
    if query.residence_status:
        filters.append(any_of({"term": {"residence_any": True}},
                              {"term": {"residence_statuses": query.residence_status}}))
    if query.support_needs:
        filters.append({"bool": {"must_not": [{"terms": {"cannot_serve": list(query.support_needs)}}]}})
    if groups_matter(query):
        # No target groups (an empty list is no value, as in documents from before the field): anyone.
        filters.append(any_of({"bool": {"must_not": [{"exists": {"field": "target_groups"}}]}},
                              {"terms": {"target_groups": list(query.target_groups)}}))
    if intake_matters(query):
        filters.append(any_of({"bool": {"must_not": [{"exists": {"field": "intake_slots"}}]}},
                              {"term": {"intake_slots": query.intake_slot}}))
    if query.need == "repatriation":
        filters.append({"term": {"countries": query.return_country}})
    if not query.include_stale:
        filters.append(fresh_capacity(now - EXCLUDED_AFTER, query.need))
    filters += within
    # Areas to avoid, by the rule's home (placement.in_area): the public point inside a circle (decided
    # to the metre in `avoided`), or a confidential provider's cell touched by one at its edge.
    edges = [{"terms": {"public_cell": list(cells)}} for cells in (area.edge_cells() for area in query.avoid) if cells]
    return {"query": {"bool": {"filter": filters, "must_not": avoided + edges}},
            "sort": [by_distance(*query.near), {"id": "asc"}], "size": query.limit}


def edge_body(circles: list[Circle]) -> dict:
    """The documents within a metre of any circle's edge, with their stored points."""
    rings = []
    for field, lat, lon, radius_km in circles:
        inner_m, outer_m = radius_km * 1000 - RING_M, radius_km * 1000 + RING_M
        ring: dict = {"bool": {"filter": [geo_within(field, lat, lon, outer_m)]}}
        if inner_m > 0:
            ring["bool"]["must_not"] = [geo_within(field, lat, lon, inner_m)]
        rings.append(ring)
    return {"query": any_of(*rings), "_source": sorted({field for field, *_ in circles}), "sort": [{"id": "asc"}]}


def circle_filters(circles: list[Circle], edge_hits: list[dict]) -> list[dict]:
    """For each circle, the documents whose point lies within it, edge included, to the metre.

    The engine measures on quantised coordinates, a few millimetres off; well inside the edge it
    decides, and the few documents near the edge are judged on their exact stored point, by the
    same formula the embedded store uses.
    """
    filters = []
    for field, lat, lon, radius_km in circles:
        inside = [hit["_id"] for hit in edge_hits
                  if distance_km(hit["_source"][field]["lat"], hit["_source"][field]["lon"], lat, lon) <= radius_km]
        alternatives = []
        if radius_km * 1000 - RING_M > 0:
            alternatives.append(geo_within(field, lat, lon, radius_km * 1000 - RING_M))
        if inside:
            alternatives.append({"ids": {"values": inside}})
        filters.append(any_of(*alternatives) if alternatives else {"match_none": {}})
    return filters


def referrals_body(query: ReferralFilter, now: datetime) -> dict:
    """Referral filters with expiry exact at read time; newest first, then by id."""
    filters: list[dict] = []
    if query.created_by is not None:
        filters.append({"term": {"created_by": query.created_by}})
    if query.provider_ids is not None:
        filters.append({"terms": {"provider_id": list(query.provider_ids)}})
    if query.provider_id:
        filters.append({"term": {"provider_id": query.provider_id}})
    if query.case_reference:
        filters.append({"term": {"case_reference": query.case_reference}})
    at = iso(now)
    if query.status == "expired":
        filters.append(any_of({"term": {"status": "expired"}},
                              {"bool": {"filter": [{"term": {"status": "pending"}},
                                                   {"range": {"expires_at": {"lte": at}}}]}}))
    elif query.status == "pending":
        filters += [{"term": {"status": "pending"}}, {"range": {"expires_at": {"gt": at}}}]
    elif query.status:
        filters.append({"term": {"status": query.status}})
    return {"query": {"bool": {"filter": filters}}, "sort": [{"created_at": "desc"}, {"id": "asc"}]}


def passed_holds_body(now: datetime) -> dict:
    return {"query": {"bool": {"filter": [{"term": {"status": "pending"}},
                                         {"range": {"expires_at": {"lte": iso(now)}}}]}},
            "sort": [{"id": "asc"}], "seq_no_primary_term": True}


def pending_body(now: datetime) -> dict:
    """Every pending, unexpired referral, oldest first."""
    return {"query": {"bool": {"filter": [{"term": {"status": "pending"}},
                                          {"range": {"expires_at": {"gt": iso(now)}}}]}},
            "sort": [{"created_at": "asc"}, {"id": "asc"}]}


def audit_body(query: AuditFilter) -> dict:
    """Audit filters; newest first by insertion order."""
    filters: list[dict] = []
    for name in ("actor", "action", "target"):
        if getattr(query, name):
            filters.append({"term": {name: getattr(query, name)}})
    if query.since:
        filters.append({"range": {"at": {"gte": query.since}}})
    if query.until:
        filters.append({"range": {"at": {"lt": query.until}}})
    return {"query": {"bool": {"filter": filters}}, "sort": [{"seq": "desc"}, {"id": "asc"}]}
