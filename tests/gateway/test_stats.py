"""GET /api/v1/stats over real HTTP to a real directory: aggregates only, counts under 5 shown as "<5"."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from services.gateway.figures import SUPPRESSED, compute_figures, csv_rows, week_of
from tests.gateway.conftest import ApiClient
from tests.support.factories import provider

pytestmark = pytest.mark.integration


def test_admins_get_placements_and_declines_with_small_counts_suppressed(stack, make_gateway):
    app = make_gateway()
    admin = ApiClient(app, stack.issue("admin"))
    region = f"Regio {datetime.now(timezone.utc).timestamp():.0f}"
    made = admin.post("/providers", json=provider(name="Telhuis", capacity={"available": 10, "maximum": 10},
                                                  location={"region": region})).json
    caseworker = ApiClient(app, stack.issue("caseworker"))
    own = ApiClient(app, stack.issue("provider", [made["id"]]))
    ids = [caseworker.post("/referrals", json={"provider_id": made["id"], "need": "shelter",
                                               "case_reference": f"K-{n:04d}"}).json["id"] for n in range(7)]
    for referral_id in ids[:6]:
        assert own.post(f"/referrals/{referral_id}/accept").status_code == 200
    assert own.post(f"/referrals/{ids[6]}/decline").status_code == 200

    answer = admin.get("/stats")
    assert answer.status_code == 200
    figures = answer.json
    ours = next(row for row in figures["by_region"] if row["region"] == region)
    assert ours["placements"] == 6 and ours["declines"] == SUPPRESSED and ours["referrals"] == 7
    text = answer.get_data(as_text=True)
    assert "K-0001" not in text and not any(referral_id in text for referral_id in ids)
    assert "unmet_needs" not in figures["not_recorded"] and "capacity_history" not in figures["not_recorded"]
    for role in ("caseworker", "provider"):
        assert ApiClient(app, stack.issue(role, [made["id"]] if role == "provider" else [])).get(
            "/stats").status_code == 403


NOTHING_RECORDED = {"need_counts": [], "capacity_days": [], "capacity_now": []}


def _referral(status, created, decided, provider_id="p1", need="shelter"):
    return {"status": status, "created_at": created, "updated_at": decided, "provider_id": provider_id, "need": need}


def test_every_count_under_five_and_whatever_is_derived_from_it_is_suppressed():
    now = datetime(2026, 12, 7, tzinfo=timezone.utc)
    referrals = [_referral("accepted", "2026-12-01T10:00:00+00:00", "2026-12-01T12:00:00+00:00")] * 4
    providers = [{"id": "p1", "status": "active", "location": {"region": "Utrecht"},
                  "capacity": {"available": 1, "maximum": 4, "updated": "2026-11-01T00:00:00+00:00"}}]
    recorded = dict(NOTHING_RECORDED, capacity_now=[{"day": "2026-12-07", "region": "Utrecht", "providers": 1,
                                                     "units": 4, "in_use": 3, "stale": 1}])
    figures = compute_figures(referrals=referrals, providers=providers, recorded=recorded, now=now)
    assert figures["totals"]["placements"] == SUPPRESSED
    assert figures["time_to_decision_hours"]["median"] == SUPPRESSED
    capacity = figures["capacity_by_region"][0]
    assert capacity["occupancy_percent"] == SUPPRESSED and capacity["stale_providers"] == SUPPRESSED
    for row in csv_rows(figures)[1:]:
        assert not any(cell.isdigit() and 0 < int(cell) < 5 for cell in row)
    five = compute_figures(referrals=referrals * 2, providers=providers, recorded=recorded, now=now)
    assert five["totals"]["placements"] == 8 and five["time_to_decision_hours"]["median"] == 2.0
    assert five["by_week"][0]["week"] == week_of("2026-12-01T10:00:00+00:00") == "2026-W49"


def test_declines_are_counted_by_their_reason_with_small_counts_suppressed():
    now = datetime(2026, 12, 7, tzinfo=timezone.utc)
    declined = _referral("declined", "2026-12-01T10:00:00+00:00", "2026-12-01T11:00:00+00:00")
    referrals = ([dict(declined, reason="no_capacity")] * 6 + [dict(declined, reason="not_eligible")] * 2
                 + [declined] * 5)  # declined before referrals carried a reason: counted as "other"

    figures = compute_figures(referrals=referrals, providers=[], recorded=NOTHING_RECORDED, now=now)

    assert figures["declines_by_reason"] == [{"reason": "no_capacity", "declines": 6},
                                             {"reason": "not_eligible", "declines": SUPPRESSED},
                                             {"reason": "other", "declines": 5}]
    assert "decline_reasons" not in figures["not_recorded"]


def _counts(week, need, region, **counters):
    return {"week": week, "need": need, "region": region, "matches": 0, "unmet": 0, "groups": 0, "group_people": 0,
            "group_unplaced": 0, **counters}


def test_unmet_needs_are_shown_by_week_need_and_province_with_small_counts_and_their_shares_suppressed():
    now = datetime(2026, 12, 7, tzinfo=timezone.utc)
    recorded = dict(NOTHING_RECORDED, need_counts=[
        _counts("2026-W49", "shelter", "Utrecht", matches=8, unmet=6),
        _counts("2026-W49", "shelter", "Zeeland", matches=3, unmet=3),
        _counts("2026-W49", "legal", "Utrecht", matches=12, unmet=2),
        _counts("2026-W50", "shelter", "Utrecht", groups=5, group_people=14, group_unplaced=3),
    ])

    unmet = compute_figures(referrals=[], providers=[], recorded=recorded, now=now)["unmet_needs"]

    assert unmet["by_need"] == [{"need": "legal", "matches": 12, "unmet": SUPPRESSED, "unmet_percent": SUPPRESSED},
                                {"need": "shelter", "matches": 11, "unmet": 9, "unmet_percent": 82}]
    assert unmet["by_region"] == [{"region": "Utrecht", "matches": 20, "unmet": 8, "unmet_percent": 40},
                                  {"region": "Zeeland", "matches": SUPPRESSED, "unmet": SUPPRESSED,
                                   "unmet_percent": SUPPRESSED}]
    assert unmet["by_week"] == [{"week": "2026-W49", "matches": 23, "unmet": 11, "unmet_percent": 48}]
    assert {"week": "2026-W49", "need": "shelter", "region": "Utrecht", "matches": 8, "unmet": 6,
            "unmet_percent": 75} in unmet["by_week_need_region"]


def test_group_placements_show_people_and_those_not_placed_but_never_the_placed_that_would_give_a_small_count_away():
    now = datetime(2026, 12, 7, tzinfo=timezone.utc)
    recorded = dict(NOTHING_RECORDED, need_counts=[
        _counts("2026-W50", "shelter", "Utrecht", groups=3, group_people=9, group_unplaced=2),
        _counts("2026-W50", "shelter", "Limburg", groups=2, group_people=5, group_unplaced=1)])

    groups = compute_figures(referrals=[], providers=[], recorded=recorded, now=now)["group_placements"]

    assert groups["by_week"] == [{"week": "2026-W50", "groups": 5, "people": 14, "unplaced": SUPPRESSED,
                                  "unplaced_percent": SUPPRESSED}]
    assert "placed" not in groups["by_need"][0]


def test_capacity_by_week_is_the_average_recorded_day_per_region_with_small_counts_suppressed():
    now = datetime(2026, 12, 14, tzinfo=timezone.utc)
    day = {"region": "Utrecht", "providers": 10, "units": 40, "in_use": 30, "stale": 5}
    recorded = dict(NOTHING_RECORDED, capacity_days=[
        dict(day, day="2026-11-30"), dict(day, day="2026-12-01", in_use=20, stale=6),  # both in 2026-W49
        dict(day, day="2026-12-07", region="Drenthe", providers=2, units=8, in_use=6, stale=1)])

    figures = compute_figures(referrals=[], providers=[], recorded=recorded, now=now)

    assert figures["capacity_by_week"] == [
        {"week": "2026-W49", "region": "Utrecht", "first_day": "2026-11-30", "last_day": "2026-12-01",
         "providers": 10, "units": 40, "in_use": 25, "occupancy_percent": 62, "stale_providers": 6, "stale_percent": 55},
        {"week": "2026-W50", "region": "Drenthe", "first_day": "2026-12-07", "last_day": "2026-12-07",
         "providers": SUPPRESSED, "units": 8, "in_use": 6,
         "occupancy_percent": 75, "stale_providers": SUPPRESSED, "stale_percent": SUPPRESSED}]
    for row in csv_rows(figures)[1:]:
        assert not any(cell.isdigit() and 0 < int(cell) < 5 for cell in row)
    assert ["capacity_by_week", "2026-W49", "Utrecht", "2026-11-30", "2026-12-01", "10", "40", "25", "62", "6",
            "55"] in csv_rows(figures)
