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
    assert "unmet_needs" in figures["not_recorded"]
    for role in ("caseworker", "provider"):
        assert ApiClient(app, stack.issue(role, [made["id"]] if role == "provider" else [])).get(
            "/stats").status_code == 403


def _referral(status, created, decided, provider_id="p1", need="shelter"):
    return {"status": status, "created_at": created, "updated_at": decided, "provider_id": provider_id, "need": need}


def test_every_count_under_five_and_whatever_is_derived_from_it_is_suppressed():
    now = datetime(2026, 12, 7, tzinfo=timezone.utc)
    referrals = [_referral("accepted", "2026-12-01T10:00:00+00:00", "2026-12-01T12:00:00+00:00")] * 4
    providers = [{"id": "p1", "status": "active", "location": {"region": "Utrecht"},
                  "capacity": {"available": 1, "maximum": 4, "updated": "2026-11-01T00:00:00+00:00"}}]
    figures = compute_figures(referrals=referrals, providers=providers, now=now)
    assert figures["totals"]["placements"] == SUPPRESSED
    assert figures["time_to_decision_hours"]["median"] == SUPPRESSED
    capacity = figures["capacity_by_region"][0]
    assert capacity["occupancy_percent"] == SUPPRESSED and capacity["stale_providers"] == SUPPRESSED
    for row in csv_rows(figures)[1:]:
        assert not any(cell.isdigit() and 0 < int(cell) < 5 for cell in row)
    five = compute_figures(referrals=referrals * 2, providers=providers, now=now)
    assert five["totals"]["placements"] == 8 and five["time_to_decision_hours"]["median"] == 2.0
    assert five["by_week"][0]["week"] == week_of("2026-12-01T10:00:00+00:00") == "2026-W49"


def test_declines_are_counted_by_their_reason_with_small_counts_suppressed():
    now = datetime(2026, 12, 7, tzinfo=timezone.utc)
    declined = _referral("declined", "2026-12-01T10:00:00+00:00", "2026-12-01T11:00:00+00:00")
    referrals = ([dict(declined, reason="no_capacity")] * 6 + [dict(declined, reason="not_eligible")] * 2
                 + [declined] * 5)  # declined before referrals carried a reason: counted as "other"

    figures = compute_figures(referrals=referrals, providers=[], now=now)

    assert figures["declines_by_reason"] == [{"reason": "no_capacity", "declines": 6},
                                             {"reason": "not_eligible", "declines": SUPPRESSED},
                                             {"reason": "other", "declines": 5}]
    assert "decline_reasons" not in figures["not_recorded"]
