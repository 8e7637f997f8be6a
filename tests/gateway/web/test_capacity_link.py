"""The page a capacity reminder links to: confirm or update the count without signing in, once."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from services.directory.notifications.sqlite_store import SqliteNotificationStore
from services.directory.notifications.stale import remind_stale
from services.directory.store import AuditEntry
from tests.gateway.conftest import SECRET
from tests.support.factories import provider


def reminded_token(stack, name: str) -> tuple[str, str]:
    now = datetime.now(timezone.utc)
    record = provider(name=name, capacity={"available": 3, "maximum": 5, "unit": "bed",
                                           "updated": (now - timedelta(hours=23)).isoformat()})
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
