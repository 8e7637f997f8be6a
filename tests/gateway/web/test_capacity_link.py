"""The page a capacity reminder links to: confirm or update the count without signing in, once."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from services.directory.notifications.sqlite_store import SqliteNotificationStore
from services.directory.notifications.stale import remind_stale
from services.directory.store import AuditEntry
from tests.gateway.conftest import SECRET
from tests.support.factories import provider


def reminded_token(stack, name: str, **overrides) -> tuple[str, str]:
    now = datetime.now(timezone.utc)
    record = provider(name=name, capacity={"available": 3, "maximum": 5, "unit": "bed",
                                           "updated": (now - timedelta(hours=23)).isoformat()}, **overrides)
    stored = stack.store.put_provider(record, AuditEntry(at=now.isoformat(), actor="test", role="admin",
                                                         action="provider.create", target=record["id"],
                                                         request_id=None))
    notifications = SqliteNotificationStore(stack.store.file)
    remind_stale(notifier=SimpleNamespace(store=notifications), store=stack.store, secret=SECRET, now=now,
                 before=timedelta(hours=2), spacing=timedelta(hours=8))
    event = next(e for e in notifications.events_to_fan_out(1000)
                 if e["type"] == "capacity.stale" and e["provider_id"] == stored["id"])
    return stored["id"], event["token"]


def test_a_provider_updates_its_count_through_the_link_without_signing_in_and_only_once(demo_stack, pages):
    provider_id, token = reminded_token(demo_stack, "Linkhuis")
    page = pages.get(f"/capacity/confirm/{token}")
    assert page.status_code == 200
    assert "Deze link werkt één keer" in page.get_data(as_text=True)

    saved = pages.post(f"/capacity/confirm/{token}", {"available": "1"})

    assert saved.status_code == 200
    assert "Het aantal is opgeslagen" in saved.get_data(as_text=True)
    capacity = demo_stack.store.get_provider(provider_id, datetime.now(timezone.utc))["capacity"]
    assert capacity["available"] == 1
    again = pages.post(f"/capacity/confirm/{token}", {})
    assert again.status_code == 409
    assert "Er is niets opgeslagen" in again.get_data(as_text=True)


def test_a_changed_or_made_up_link_changes_nothing(demo_stack, pages):
    provider_id, token = reminded_token(demo_stack, "Vervalst")
    pages.get(f"/capacity/confirm/{token}")
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert pages.post(f"/capacity/confirm/{forged}", {"available": "0"}).status_code == 400
    assert pages.get("/capacity/confirm/nonsense").status_code == 400
    assert demo_stack.store.get_provider(provider_id, datetime.now(timezone.utc))["capacity"]["available"] == 3


def with_care(now_minus_hours: float) -> dict:
    """A shelter counting its medical appointments apart, that count reported `now_minus_hours` ago."""
    updated = (datetime.now(timezone.utc) - timedelta(hours=now_minus_hours)).isoformat()
    return {"services": ["shelter", "medical"], "service_capacity": {
        "medical": {"available": 1, "maximum": 3, "unit": "appointment", "updated": updated}}}


def test_the_link_asks_about_each_old_count_and_saves_them_together(demo_stack, pages):
    provider_id, token = reminded_token(demo_stack, "Zorglinkhuis", **with_care(23))
    page = pages.get(f"/capacity/confirm/{token}").get_data(as_text=True)
    assert 'for="f-available">Vrije plekken nu' in page
    assert 'for="f-counts-medical">Medische zorg: vrije afspraken nu' in page
    assert "Laatste telling: 1 van 3 afspraken" in page

    saved = pages.post(f"/capacity/confirm/{token}", {"counts-medical": "2"})

    assert saved.status_code == 200, saved.get_data(as_text=True)
    stored = demo_stack.store.get_provider(provider_id, datetime.now(timezone.utc))
    assert (stored["capacity"]["available"], stored["service_capacity"]["medical"]["available"]) == (3, 2)
    assert stored["capacity"]["updated"] == stored["service_capacity"]["medical"]["updated"]


@pytest.mark.parametrize("entered, message", [("twee", "Vul een heel getal in voor het aantal vrije plekken."),
                                              ("7", "must not be above maximum (3)")])
def test_a_wrong_care_count_is_named_next_to_its_field_and_nothing_is_saved(demo_stack, pages, entered, message):
    provider_id, token = reminded_token(demo_stack, f"Foutlinkhuis {entered}", **with_care(23))
    before = demo_stack.store.get_provider(provider_id, datetime.now(timezone.utc))
    pages.get(f"/capacity/confirm/{token}")

    refused = pages.post(f"/capacity/confirm/{token}", {"available": "2", "counts-medical": entered})

    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert 'id="e-counts-medical"' in page and message in page
    assert 'aria-describedby="h-counts-medical e-counts-medical" aria-invalid="true"' in page
    assert 'id="e-available"' not in page
    assert demo_stack.store.get_provider(provider_id, datetime.now(timezone.utc)) == before
