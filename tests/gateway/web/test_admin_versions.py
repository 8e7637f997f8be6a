"""The admin edit form saves the version it showed: a save over a later change is refused, never lost."""
from __future__ import annotations

import html
import re
from datetime import datetime, timezone

from services.directory.domain.rules import iso
from services.directory.store import AuditEntry

VERSION = re.compile(r'name="version" value="([^"]+)"')
FORM = {"name": "Versiehuis Deventer", "type": "shelter", "status": "active", "services": ["shelter"],
        "languages": "nl, en", "municipality": "Deventer", "region": "Overijssel", "lat": "52.2550",
        "lon": "6.1639", "address": "Teststraat 3", "genders": ["female"], "min_age": "18", "max_age": "120",
        "available": "2", "maximum": "6", "unit": "bed", "hold_minutes": "240"}


def _created(admin, demo_stack) -> dict:
    admin.get("/admin/providers/new")
    assert admin.post("/admin/providers/new", FORM).status_code == 302
    now = datetime.now(timezone.utc)
    return next(p for p in demo_stack.store.iter_providers(now) if p["name"] == FORM["name"])


def _report(demo_stack, provider_id: str, available: int) -> None:
    now = datetime.now(timezone.utc)
    demo_stack.store.set_capacity(provider_id, available, None, now, AuditEntry(
        at=iso(now), actor="provider:test", role="provider", action="capacity.update", target=provider_id,
        request_id=None))


def test_a_save_after_someone_else_changed_the_provider_is_refused_with_a_message_and_keeps_their_change(
        admin, demo_stack):
    record = _created(admin, demo_stack)
    page = admin.get(f"/admin/providers/{record['id']}/edit").get_data(as_text=True)
    shown = html.unescape(VERSION.search(page).group(1))

    # Meanwhile someone else renames it (and the provider reports a place taken).
    now = datetime.now(timezone.utc)
    demo_stack.store.put_provider(dict(record, name="Door een ander hernoemd"), AuditEntry(
        at=iso(now), actor="admin:other", role="admin", action="provider.update", target=record["id"],
        request_id=None))
    _report(demo_stack, record["id"], 1)

    answer = admin.post(f"/admin/providers/{record['id']}/edit",
                        {**FORM, "description": "Mijn wijziging", "version": shown})

    assert answer.status_code == 409
    assert "Iemand anders heeft deze aanbieder gewijzigd" in answer.get_data(as_text=True)
    stored = demo_stack.store.get_provider(record["id"], datetime.now(timezone.utc))
    assert (stored["name"], stored["description"], stored["capacity"]["available"]) == (
        "Door een ander hernoemd", "", 1)


def test_a_save_of_the_version_shown_goes_through_and_keeps_the_reported_count(admin, demo_stack):
    record = _created(admin, demo_stack)
    page = admin.get(f"/admin/providers/{record['id']}/edit").get_data(as_text=True)
    shown = html.unescape(VERSION.search(page).group(1))
    assert 'readonly' in page  # the count is not the form's to change

    answer = admin.post(f"/admin/providers/{record['id']}/edit",
                        {**FORM, "description": "Voor vrouwen.", "available": "0", "version": shown})

    assert answer.status_code == 302
    stored = demo_stack.store.get_provider(record["id"], datetime.now(timezone.utc))
    assert (stored["description"], stored["capacity"]["available"]) == ("Voor vrouwen.", 2)


def test_saving_the_form_keeps_the_services_counted_apart(admin, demo_stack):
    record = _created(admin, demo_stack)
    now = datetime.now(timezone.utc)
    demo_stack.store.put_provider(dict(record, services=["shelter", "medical"], service_capacity={"medical": {
        "available": 2, "maximum": 3, "unit": "appointment", "updated": iso(now)}}), AuditEntry(
        at=iso(now), actor="admin:test", role="admin", action="provider.update", target=record["id"], request_id=None))
    page = admin.get(f"/admin/providers/{record['id']}/edit").get_data(as_text=True)
    shown = html.unescape(VERSION.search(page).group(1))

    answer = admin.post(f"/admin/providers/{record['id']}/edit",
                        {**FORM, "services": ["shelter", "medical"], "description": "Met zorg.", "version": shown})

    assert answer.status_code == 302, answer.get_data(as_text=True)
    stored = demo_stack.store.get_provider(record["id"], datetime.now(timezone.utc))
    assert stored["description"] == "Met zorg."
    assert (stored["service_capacity"]["medical"]["available"], stored["service_capacity"]["medical"]["maximum"]) == (2, 3)
