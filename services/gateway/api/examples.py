"""Examples in the OpenAPI document: each request example is accepted by the API as written (a test sends
them), so the docs page's "Try it out" works from the first click."""
from __future__ import annotations

PROVIDER_ID = "7d0c4a52-3f7e-4d6b-9a1e-2b8c5f4e6a10"
REFERRAL_ID = "b2e4c6a8-1d3f-4e5a-8b7c-9d0e1f2a3b4c"
UPDATED = "2026-11-30T09:00:00+01:00"

PROVIDER_IN = {
    "id": PROVIDER_ID,
    "name": "Voorbeeldhuis Utrecht",
    "organization": "Stichting Voorbeeld",
    "type": "shelter",
    "description": "Safe shelter for women, with children; Romanian and English spoken.",
    "services": ["shelter", "mental_health"],
    "languages": ["nl", "en", "ro"],
    "location": {"municipality": "Utrecht", "region": "Utrecht", "lat": 52.0907, "lon": 5.1214,
                 "address": "Voorbeeldstraat 1", "postal_code": "3511 AA", "confidential": True},
    "eligibility": {"genders": ["female"], "min_age": 18, "max_age": 120, "accepts_children": True,
                    "wheelchair_accessible": False, "exploitation_types": ["sexual", "labour"],
                    "residence_statuses": [], "countries": []},
    "capacity": {"available": 3, "maximum": 8, "unit": "bed", "updated": UPDATED},
    "contact": {"phone": "+31 30 000 0000", "email": "intake@example.org", "intake_hours": "24/7"},
    "status": "active",
}
PROVIDER_PATCH = {"description": "Safe shelter for women, with children; Romanian, Bulgarian and English spoken.",
                  "languages": ["nl", "en", "ro", "bg"]}
CAPACITY_UPDATE = {"available": 2, "maximum": 8}
REFERRAL_IN = {"provider_id": PROVIDER_ID, "need": "shelter", "case_reference": "CASE-2026-0042",
               "languages": ["ro", "en"], "interpreter_needed": True, "urgency": "urgent",
               "callback": "+31 20 123 4567"}
DECLINE_IN = {"reason": "not_eligible", "note": "We take women only; try the men's shelter in Zwolle."}
CANCEL_IN = {"reason": "person_declined"}
MATCH_REQUEST = {"needs": ["shelter", "legal"], "languages": ["ro", "en"], "gender": "female", "age": 24,
                 "location": {"place": "Utrecht"}, "avoid": [{"place": "Rotterdam", "radius_km": 20}]}
GROUP_REQUEST = {"need": "shelter", "people": [
    {"languages": ["ro"], "gender": "female", "age": 24, "location": {"place": "Utrecht"}},
    {"languages": ["ro", "en"], "gender": "female", "age": 31, "location": {"place": "Utrecht"}}]}

PROVIDER_OUT = {**PROVIDER_IN, "interpretation_languages": [], "hold_minutes": 240,
                "location": {**PROVIDER_IN["location"], "lat": 52.09, "lon": 5.13, "address": None,
                             "postal_code": None, "precision_km": 5},
                "capacity": {**PROVIDER_IN["capacity"], "held": 1, "free": 2, "age_hours": 2.5, "stale": False},
                "last_modified": UPDATED}
REFERRAL = {"id": REFERRAL_ID, "provider_id": PROVIDER_ID, "need": "shelter", "case_reference": "CASE-2026-0042",
            "status": "pending", "created_at": "2026-11-30T10:00:00+01:00",
            "expires_at": "2026-11-30T14:00:00+01:00", "languages": ["ro", "en"], "interpreter_needed": True,
            "urgency": "urgent", "callback": "+31 20 123 4567", "reason": None, "note": None}
HSDS_ABOUT = {"version": "3.1", "profile": "https://docs.openreferral.org/en/latest/hsds/schema_reference.html",
              "openapi_url": "/api/v1/openapi.json"}


def page(*items: dict) -> dict:
    """The HSDS page envelope around the given items."""
    return {"total_items": len(items), "total_pages": 1, "page_number": 1, "size": 20, "first_page": True,
            "last_page": True, "empty": not items, "contents": list(items)}


def error(status: int, name: str, message: str) -> dict:
    """An error answer in the one shared shape; a 400 names the field, as every 400 does."""
    code = "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")
    body = {"status": status, "code": code, "message": message, "request_id": "5f0c1e2d3b4a59687786950a1b2c3d4e"}
    if status == 400:
        body["fields"] = {"capacity.available": ["Not a valid integer."]}
    return {"error": body}


AUDIT_ENTRY = {"at": "2026-11-30T10:00:00+01:00", "actor": "token:4c2a", "role": "caseworker",
               "action": "referral.create", "target": REFERRAL_ID, "request_id": "5f0c1e2d3b4a59687786950a1b2c3d4e",
               "detail": None}
STALE_LIST = {"total_items": 1, "contents": [{
    "id": PROVIDER_ID, "name": "Voorbeeldhuis Utrecht", "type": "shelter", "status": "active",
    "municipality": "Utrecht", "phone": "+31 30 000 0000", "email": "intake@example.org", "intake_hours": "24/7",
    "available": 3, "maximum": 8, "unit": "bed", "updated": "2026-11-28T10:00:00+01:00", "age_hours": 73.0,
    "pools": [{"need": "medical", "available": 2, "maximum": 4, "unit": "appointment",
               "updated": "2026-11-27T09:00:00+01:00", "age_hours": 73.0},
              {"need": None, "available": 3, "maximum": 8, "unit": "bed", "updated": "2026-11-28T10:00:00+01:00",
               "age_hours": 48.0}]}]}


def hsds_service() -> dict:
    """The example provider as the HSDS endpoints show it (made by the same mapping, so it cannot drift)."""
    from ..hsds import service_of

    return service_of(PROVIDER_OUT)



def _reason(code: str, text: str, **params) -> dict:
    """A reason as the API gives it (tests/gateway/test_reason_texts.py checks each text is the catalogue's)."""
    return {"code": code, "params": params, "text": text}


# One answer as it might look (in English, as without Accept-Language): the real one depends on the directory.
MATCH_RESPONSE = {
    "results": [
        {"need": "shelter", "added": False, "candidates": [{
            "provider": PROVIDER_OUT, "score": 0.81, "distance_km": 2.1,
            "reasons": [_reason("language.staff_speaks", "Staff speak Romanian", language="ro"),
                        _reason("distance.about_km", "About 2.1 km away", km=2.1),
                        _reason("freshness.confirmed_hours_ago", "Capacity confirmed 2 hours ago", count=2),
                        _reason("headroom.beds", "2 beds free", count=2)],
            "factors": {"language": 1.0, "distance": 0.943, "freshness": 0.983, "headroom": 0.75}}]},
        {"need": "legal", "added": False, "candidates": []}],
    "unmet": [{"need": "legal",
               "reason": _reason("unmet.capacity", "No legal help for this person: every one that fits is full",
                                 need="legal"),
               "blocked_by": ["capacity"], "other_route": None}],
    "interpreter_needed": [],
    "care_plan": {
        "anchor_provider_id": PROVIDER_ID, "anchor_name": "Voorbeeldhuis Utrecht",
        "anchor_location": {"lat": 52.09, "lon": 5.13, "municipality": "Utrecht"},
        "combined_score": 1.61, "shelter_rank": 2, "shelters_weighed": 5, "gains": ["mental_health"],
        "reasons": [
            _reason("plan.chosen_over", "Chosen over Voorbeeldopvang Amersfoort, ranked first as a shelter: with the "
                    "care reachable from each, this plan scores 1.61 against 1.36 (shelter 0.81 against 0.84)",
                    provider_name="Voorbeeldopvang Amersfoort", score=1.61, top_score=1.36, shelter_score=0.81,
                    top_shelter_score=0.84),
            _reason("plan.need_nearer", "Mental-health care nearer or better from this shelter: the best 2.1 km away "
                    "(score 0.80) against 31 km from Voorbeeldopvang Amersfoort (score 0.52)",
                    need="mental_health", distance=2.1, score=0.8, provider_name="Voorbeeldopvang Amersfoort",
                    top_distance=31.0, top_score=0.52)]},
}
GROUP_RESPONSE = {
    "assignments": [{"person": 0, "provider_id": PROVIDER_ID, "provider_name": "Voorbeeldhuis Utrecht",
                     "score": 0.81, "distance_km": 2.1,
                     "reasons": [_reason("language.staff_speaks", "Staff speak Romanian", language="ro"),
                                 _reason("distance.about_km", "About 2.1 km away", km=2.1)]}],
    "unassigned": [
        {"person": 1, "reason": _reason(
            "group.no_place_left", "The 1 suitable provider had no free place left after placing others in this group",
            count=1), "blocked_by": ["capacity"], "taken_by_group": True, "other_route": None},
        {"person": 2, "reason": _reason(
            "unmet.age", "No shelter for this person: none that fits takes in someone aged 15", need="shelter", age=15),
         "blocked_by": ["age"], "taken_by_group": False, "other_route": _reason(
            "route.guardianship", "An unaccompanied minor is placed in protected shelter through the guardianship "
                                  "organisation")}],
    "total_score": 0.81,
}

STATS = {
    "generated_at": "2026-12-06T08:00:00+00:00",
    "suppression": "counts under 5 are shown as \"<5\", and so is anything worked out from them",
    "totals": {"referrals": 42, "placements": 17, "declines": 9, "cancelled": 8, "expired": "<5"},
    "by_week": [{"week": "2026-W49", "referrals": 12, "placements": 6, "declines": "<5", "cancelled": "<5",
                 "expired": "<5"}],
    "by_region": [{"region": "Utrecht", "referrals": 14, "placements": 7, "declines": "<5", "cancelled": "<5",
                   "expired": "<5"}],
    "by_need": [{"need": "shelter", "referrals": 30, "placements": 12, "declines": 6, "cancelled": 7,
                 "expired": "<5"}],
    "time_to_decision_hours": {"decided": 26, "median": 1.5,
                               "by_week": [{"week": "2026-W49", "decided": 9, "median": 1.2}]},
    "declines_by_reason": [{"reason": "no_capacity", "declines": 6}, {"reason": "not_eligible", "declines": "<5"}],
    "capacity_by_region": [{"region": "Utrecht", "week": "2026-W49", "providers": 11, "units": 64, "in_use": 41,
                            "occupancy_percent": 64, "stale_providers": "<5", "stale_percent": "<5"}],
    "capacity_by_week": [{"week": "2026-W49", "region": "Utrecht", "first_day": "2026-11-30",
                          "last_day": "2026-12-06", "providers": 11, "units": 64,
                          "in_use": 44, "occupancy_percent": 69, "stale_providers": "<5", "stale_percent": "<5"}],
    "unmet_needs": {
        "by_week": [{"week": "2026-W49", "matches": 58, "unmet": 9, "unmet_percent": 16}],
        "by_need": [{"need": "shelter", "matches": 31, "unmet": 7, "unmet_percent": 23}],
        "by_region": [{"region": "Utrecht", "matches": 17, "unmet": "<5", "unmet_percent": "<5"}],
        "by_week_need_region": [{"week": "2026-W49", "need": "shelter", "region": "Utrecht", "matches": 8,
                                 "unmet": "<5", "unmet_percent": "<5"}]},
    "group_placements": {
        "by_week": [{"week": "2026-W49", "groups": "<5", "people": 14, "unplaced": "<5", "unplaced_percent": "<5"}],
        "by_need": [{"need": "shelter", "groups": "<5", "people": 14, "unplaced": "<5", "unplaced_percent": "<5"}]},
    "not_recorded": {"earlier_weeks": "matches and daily capacity are counted from the first day this version of "
                                      "Haven ran; weeks before it are not known"},
}
