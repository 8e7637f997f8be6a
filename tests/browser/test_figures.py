"""The figures page in a real browser after real matches: unmet needs and capacity by week, charts and tables,
in Dutch and English, with axe over every state (the tables opened too)."""
from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest
import requests

from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser

PERSON = {"languages": ["nl"], "gender": "female", "age": 30}
UNMET = dict(PERSON, needs=["legal"], location={"place": "Groningen"}, max_distance_km=40,
             avoid=[{"place": "Groningen", "radius_km": 60}])


def _token(haven, role: str) -> str:
    from services.gateway.auth import open_auth_store
    from services.gateway.settings import auth_db_path
    from services.shared.config import default_store_url

    env = {"HAVEN_DATA_DIR": str(haven.data_dir)}
    store = open_auth_store(auth_db_path(env), default_store_url(env))
    try:
        return store.issue(role, (), "browser figures", None, datetime.now(timezone.utc))[1]
    finally:
        store.close()


def _wait_until_counted(haven, admin_token: str, timeout: float = 60.0) -> None:
    """The matcher counts once each answer has gone out: wait until the figures hold at least these six."""
    deadline = time.monotonic() + timeout
    while True:
        stats = requests.get(f"{haven.url}/api/v1/stats", headers={"Authorization": f"Bearer {admin_token}"},
                             timeout=60).json()
        legal = [row for row in stats["unmet_needs"]["by_need"] if row["need"] == "legal"]
        if legal and isinstance(legal[0]["unmet"], int) and legal[0]["unmet"] >= 6:
            return
        assert time.monotonic() < deadline, "the matches were not counted"
        time.sleep(0.3)


def test_the_figures_page_shows_unmet_needs_and_capacity_by_week_in_both_languages(haven, new_page, make_account):
    headers = {"Authorization": f"Bearer {_token(haven, 'caseworker')}"}
    for _ in range(6):
        answer = requests.post(f"{haven.url}/api/v1/matches", json=UNMET, headers=headers, timeout=60)
        assert answer.status_code == 200 and answer.json()["unmet"]
    _wait_until_counted(haven, _token(haven, "admin"))
    email, password = make_account("admin")
    page = new_page()
    sign_in(page, email, password)
    page.goto("/admin/figures")

    page.get_by_role("heading", name="Onvervulde hulpvragen").wait_for()
    unmet = page.locator("figure", has=page.get_by_role("heading", name="Matches die niemand vonden, per hulpvraag"))
    assert unmet.locator("svg.bars").count() == 1 and "Juridische hulp" in unmet.inner_text()
    assert page.locator("figure", has=page.get_by_role(
        "heading", name="Capaciteit in gebruik per regio en week (%)")).locator("svg.bars rect").count() >= 2
    for summary in ("Onvervulde hulpvragen per week, hulpvraag en provincie als tabel",
                    "Capaciteit van elke vastgelegde week als tabel"):
        page.get_by_text(summary).click()
    tables = page.locator("details table")
    assert tables.count() == 2 and "Groningen" in tables.first.inner_text()
    screenshot(page, "admin-figures-history")

    page.get_by_role("button", name="EN", exact=True).click()
    page.get_by_role("heading", name="Unmet needs").wait_for()
    assert page.get_by_role("heading", name="Capacity in use by region and week (%)").count() == 1
    page.get_by_text("Capacity of every recorded week as a table").click()
    screenshot(page, "admin-figures-history-en")
    page.get_by_role("button", name="NL", exact=True).click()
    page.get_by_role("heading", name="Onvervulde hulpvragen").wait_for()
    assert not page.problems.messages, page.problems.messages
