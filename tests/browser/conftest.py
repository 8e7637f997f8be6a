"""Haven in a real browser: the three services as gunicorn processes on a temporary data folder with the
demo data and demo accounts, driven by Playwright through Debian's Chromium.

Chromium missing: the tests are skipped with the reason, unless HAVEN_REQUIRE_BROWSER=1 (CI), then they fail.
"""
from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pyotp
import pytest

from tests.browser import accessibility
from tests.support.processes import ServiceProcess, free_port, start_gunicorn
from tests.support.requirements import require

CHROMIUM = os.environ.get("HAVEN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"
# Cheap password hashes in every process: these tests are about the pages, not the hash's cost.
CHEAP_HASHES = {"HAVEN_PASSWORD_TIME_COST": "1", "HAVEN_PASSWORD_MEMORY_KIB": "1024", "HAVEN_PASSWORD_PARALLELISM": "1"}
SHORT_IDLE_SECONDS = 4


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None


@pytest.fixture(scope="session")
def chromium():
    require(chromium_available(), f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)",
            "HAVEN_REQUIRE_BROWSER")
    return CHROMIUM


@dataclass
class Haven:
    """A running instance: the gateway's URL, one with a short idle timeout, and the demo sign-ins."""

    url: str
    short_idle_url: str
    accounts: dict
    provider_id: str
    provider_name: str
    provider_address: str
    data_dir: Path


def _prepare_data(folder: Path, env: dict) -> tuple[dict, dict]:
    """Demo providers and demo accounts, made as `haven up --demo` makes them."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        from services.cli.run import load_demo_data
        from services.cli.users import create_demo_accounts
        from services.directory.demo import demo_providers
        from services.shared.config import default_store_url, internal_secret

        internal_secret()
        load_demo_data(default_store_url())
        shelter = next(p for p in demo_providers(datetime.now(timezone.utc))
                       if p["type"] == "shelter" and p["status"] == "active")
        return create_demo_accounts(shelter["id"]), shelter


@pytest.fixture(scope="session")
def haven(chromium, tmp_path_factory):
    folder = tmp_path_factory.mktemp("haven-browser")
    ports = {name: free_port() for name in ("gateway", "directory", "matcher", "short_idle")}
    env = {"HAVEN_DATA_DIR": str(folder), "HAVEN_RATE_LIMIT": "0", "HAVEN_LOG_LEVEL": "WARNING",
           "HAVEN_WEB_POLL_SECONDS": "5",
           "HAVEN_DIRECTORY_URL": f"http://127.0.0.1:{ports['directory']}",
           "HAVEN_MATCHER_URL": f"http://127.0.0.1:{ports['matcher']}", **CHEAP_HASHES}
    for name in ("HAVEN_STORE_URL", "HAVEN_INTERNAL_SECRET", "HAVEN_SECRET_KEY", "HAVEN_SECURE_COOKIES"):
        env[name] = ""  # this instance's own folder decides, never the developer's environment
    accounts, shelter = _prepare_data(folder, env)
    started: list[ServiceProcess] = []
    try:
        for name, spec in (("directory", "services.directory:create_app()"),
                           ("matcher", "services.matcher:create_app()"),
                           ("gateway", "services.gateway:create_app()")):
            started.append(start_gunicorn(spec, env, port=ports[name], workers=2,
                                          extra_args=("--worker-class", "gthread", "--threads", "4")))
        # A second gateway on the same data, whose sessions idle out after a few seconds.
        started.append(start_gunicorn("services.gateway:create_app()",
                                      {**env, "HAVEN_SESSION_IDLE_MINUTES": str(SHORT_IDLE_SECONDS / 60)},
                                      port=ports["short_idle"], workers=1))
        yield Haven(url=started[2].url, short_idle_url=started[3].url, accounts=accounts, provider_id=shelter["id"],
                    provider_name=shelter["name"], provider_address=shelter["location"]["address"], data_dir=folder)
    finally:
        for service in reversed(started):
            service.stop()


@pytest.fixture(scope="session", autouse=True)
def axe_report():
    """After the session: axe's counts over every audited page state, in tests/screenshots/axe-report.json."""
    yield
    if accessibility.RESULTS:
        report = accessibility.write_report(SCREENSHOTS / "axe-report.json")
        print(f"\naxe: {report['states']} page states, {report['critical']} critical, {report['serious']} serious, "
              f"{report['moderate']} moderate, {report['minor']} minor")


def _audit_on_load(page) -> None:
    """Every page the browser loads is audited; a page already navigating on is skipped, not failed."""
    try:
        page.axe_found.extend(accessibility.blocking(accessibility.audit(page)))
    except Exception:  # the page moved on (or closed) while axe ran: that state is checked where it lands
        pass


@pytest.fixture(scope="session")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


class Problems:
    """Console errors and refused requests of a page: a CSP violation or a failing script shows up here."""

    def __init__(self):
        self.messages: list[str] = []

    def watch(self, page) -> None:
        page.on("console", lambda message: self.messages.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: self.messages.append(str(error)))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_test_failed = report.failed
    return report


@pytest.fixture
def new_page(browser, haven, request):
    """Pages in fresh browser contexts (separate cookie jars: one per person), closed after the test.

    When the test fails, each page is saved as failed-<test>-<n>.png beside the other screenshots.
    """
    contexts = []
    pages = []

    def make(*, base_url: str | None = None, phone: bool = False):
        viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
        context = browser.new_context(base_url=base_url or haven.url, viewport=viewport, locale="nl-NL",
                                      timezone_id="Europe/Amsterdam", is_mobile=phone, has_touch=phone)
        # Generous: the machine may be busy with other test runs; a passing step never waits this long.
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        page.problems = Problems()
        page.problems.watch(page)
        page.axe_found = []
        page.on("load", lambda: _audit_on_load(page))
        pages.append(page)
        return page

    yield make
    if getattr(request.node, "browser_test_failed", False):
        for number, page in enumerate(pages, start=1):
            try:
                page.screenshot(path=str(SCREENSHOTS / f"failed-{request.node.name}-{number}.png"), full_page=True)
            except Exception:  # a crashed page has nothing to show
                pass
    found = [violation for page in pages for violation in page.axe_found]
    for context in contexts:
        context.close()
    if found and not getattr(request.node, "browser_test_failed", False):
        pytest.fail("axe found critical or serious violations:\n" + accessibility.describe(found))


# What an authenticator app holds: each account's key as the set-up page showed it, and the last step used.
AUTHENTICATOR: dict[str, dict] = {}


def authenticator_code(email: str) -> str:
    """The code the app shows now, for a time step this account has not used yet (a code works once)."""
    entry = AUTHENTICATOR[email]
    totp = pyotp.TOTP(entry["key"])
    while True:
        step = totp.timecode(datetime.now(timezone.utc))
        if step > entry["step"]:
            entry["step"] = step
            return totp.generate_otp(step)
        time.sleep(1)


def sign_in(page, email: str, password: str) -> None:
    """Email and password; where a second factor is asked for, set up the app or type its code, as a person would."""
    page.goto("/sign-in")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_load_state()
    if "/sign-in/code" not in page.url:
        return
    if page.locator("#totp-secret").count():
        AUTHENTICATOR[email] = {"key": page.locator("#totp-secret").inner_text().replace(" ", ""), "step": 0}
    page.get_by_label("Code", exact=True).fill(authenticator_code(email))
    page.get_by_role("button", name="Bevestigen").click()
    page.wait_for_load_state()
    if page.locator("ul.recovery-codes").count():
        AUTHENTICATOR[email]["recovery"] = page.locator("ul.recovery-codes code").all_inner_texts()
        page.get_by_role("link", name="Ik heb ze bewaard: verder").click()


def screenshot(page, name: str, *, full_page: bool = True) -> None:
    """Save the page as tests/screenshots/<name>.png, after checking it with axe."""
    SCREENSHOTS.mkdir(exist_ok=True)
    accessibility.assert_accessible(page, name)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


@pytest.fixture
def make_account(haven):
    """A fresh account on the running instance (its own, so locking it disturbs no other test)."""
    from argon2 import PasswordHasher

    from services.gateway.accounts import AccountPolicy, Passwords, open_account_store
    from services.gateway.accounts import service as accounts

    store = open_account_store(haven.data_dir / "accounts.db")
    passwords = Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    made = []

    def make(role: str = "caseworker", provider_ids: tuple[str, ...] = ()) -> tuple[str, str]:
        email = f"{role}-{len(made)}-{os.urandom(3).hex()}@example.org"
        password = "browser test password"
        accounts.create_account(store=store, passwords=passwords, policy=AccountPolicy(), email=email, role=role,
                                provider_ids=provider_ids, password=password, now=datetime.now(timezone.utc))
        made.append(email)
        return email, password

    yield make
    store.close()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
