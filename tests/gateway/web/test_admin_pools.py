"""The admin provider form shows and edits each service counted apart (service_capacity): its maximum and unit,
adding one for a service offered and removing one, with errors next to the field and nothing saved on an error."""
from __future__ import annotations

import html
import re
from datetime import datetime, timezone

import pytest

from tests.gateway.web.test_admin_versions import FORM

VERSION = re.compile(r'name="version" value="([^"]+)"')
WITH_CARE = {**FORM, "name": "Zorgpoolhuis Zwolle", "services": ["shelter", "medical", "legal"],
             "new_pool_need": "medical", "new_pool_available": "2", "new_pool_maximum": "4",
             "new_pool_unit": "appointment"}


def _stored(demo_stack, name: str) -> dict:
    return next(p for p in demo_stack.store.iter_providers(datetime.now(timezone.utc)) if p["name"] == name)


def _create(admin, demo_stack, form: dict) -> dict:
    admin.get("/admin/providers/new")
    answer = admin.post("/admin/providers/new", form)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return _stored(demo_stack, form["name"])


def _edit(admin, provider_id: str, changes: dict):
    page = admin.get(f"/admin/providers/{provider_id}/edit").get_data(as_text=True)
    return page, admin.post(f"/admin/providers/{provider_id}/edit",
                            {**changes, "version": html.unescape(VERSION.search(page).group(1))})


def test_a_new_provider_can_count_a_service_it_offers_apart(admin, demo_stack):
    stored = _create(admin, demo_stack, WITH_CARE)

    care = stored["service_capacity"]["medical"]
    assert (care["available"], care["maximum"], care["unit"]) == (2, 4, "appointment")
    assert stored["capacity"]["maximum"] == 6


def test_the_edit_form_shows_each_pool_and_changes_its_maximum_and_unit_keeping_its_free_count(admin, demo_stack):
    stored = _create(admin, demo_stack, {**WITH_CARE, "name": "Zorgpool Bewerken"})
    page, answer = _edit(admin, stored["id"], {**FORM, "name": "Zorgpool Bewerken",
                                                "services": ["shelter", "medical"], "pool_medical_available": "0",
                                                "pool_medical_maximum": "9", "pool_medical_unit": "hour"})

    assert 'id="f-pool_medical_maximum" name="pool_medical_maximum" value="4"' in page
    assert re.search(r'id="f-pool_medical_available"[^>]*value="2"[^>]*readonly', page)
    assert "Medische zorg" in page
    assert answer.status_code == 302, answer.get_data(as_text=True)
    care = _stored(demo_stack, "Zorgpool Bewerken")["service_capacity"]["medical"]
    assert (care["available"], care["maximum"], care["unit"]) == (2, 9, "hour")


def test_a_pool_is_removed_when_ticked_and_another_added_for_a_service_offered(admin, demo_stack):
    stored = _create(admin, demo_stack, {**WITH_CARE, "name": "Zorgpool Wisselen"})

    _, answer = _edit(admin, stored["id"], {**FORM, "name": "Zorgpool Wisselen", "services": ["shelter", "medical",
                                                                                                "legal"],
                                            "pool_medical_remove": "1", "new_pool_need": "legal",
                                            "new_pool_available": "1", "new_pool_maximum": "1",
                                            "new_pool_unit": "case"})

    assert answer.status_code == 302, answer.get_data(as_text=True)
    pools = _stored(demo_stack, "Zorgpool Wisselen")["service_capacity"]
    assert list(pools) == ["legal"]
    assert (pools["legal"]["available"], pools["legal"]["unit"]) == (1, "case")


@pytest.mark.parametrize("changes, field, message", [
    ({"pool_medical_maximum": "1"}, "pool_medical_maximum", "Mag niet lager zijn dan de 2 die nu vrij zijn"),
    ({"pool_medical_maximum": "veel"}, "pool_medical_maximum", "Vul een getal in"),
    ({"new_pool_need": "legal", "new_pool_available": "1", "new_pool_maximum": "1"}, "new_pool_need",
     "Vink deze dienst eerst aan"),
    ({"new_pool_need": "medical", "new_pool_available": "1", "new_pool_maximum": "1"}, "new_pool_need",
     "Deze dienst wordt al apart geteld"),
    ({"services": ["shelter", "medical", "legal"], "new_pool_need": "legal", "new_pool_available": "3",
      "new_pool_maximum": "2"}, "new_pool_available", "Mag niet boven het maximum liggen"),
    ({"new_pool_maximum": "2"}, "new_pool_need", "Kies de dienst die apart geteld wordt"),
])
def test_a_wrong_pool_value_is_named_next_to_its_field_and_nothing_is_saved(admin, demo_stack, changes, field,
                                                                           message):
    stored = _create(admin, demo_stack, {**WITH_CARE, "name": f"Zorgpool Fout {field} {len(changes)}"})
    form = {**FORM, "name": stored["name"], "services": ["shelter", "medical"], "description": "Gewijzigd",
            **changes}

    _, answer = _edit(admin, stored["id"], form)

    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    error = re.search(rf'<p class="error" id="e-{field}">(.*?)</p>', page, re.S)
    assert error and message in html.unescape(error.group(1)), page[page.find("error-summary"):][:600]
    assert f'href="#f-{field}"' in page
    after = _stored(demo_stack, stored["name"])
    assert (after["description"], after["service_capacity"]) == (stored["description"], stored["service_capacity"])
