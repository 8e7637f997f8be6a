"""The second factor's rules over a real SQLite account store: codes once, recovery codes once, wrong codes lock."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pyotp
import pytest
from argon2 import PasswordHasher

from services.gateway.accounts import AccountPolicy, Passwords
from services.gateway.accounts import second_factor as sf
from services.gateway.accounts import service as accounts
from services.gateway.accounts.sqlite import SqliteAccountStore

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
POLICY = AccountPolicy(max_failures=3)


@pytest.fixture
def store(tmp_path):
    opened = SqliteAccountStore(tmp_path / "accounts.db")
    yield opened
    opened.close()


def enrolled(store, role="admin"):
    passwords = Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    account, _ = accounts.create_account(store=store, passwords=passwords, policy=POLICY, email=f"{role}@example.org",
                                         role=role, password="a long enough password", now=NOW)
    account = sf.begin_enrolment(store=store, account=account)
    check = sf.check_code(store=store, policy=POLICY, account=account, code=pyotp.TOTP(account.totp_secret).at(NOW),
                          now=NOW)
    assert check.ok and len(check.recovery_codes) == 10
    return check.account, check.recovery_codes


def test_admins_always_need_a_second_factor_and_caseworkers_by_setting(store):
    admin, _ = enrolled(store)
    assert sf.needs_second_factor(admin.with_changes(totp_enabled=False), caseworkers_too=False)
    caseworker = admin.with_changes(role="caseworker", totp_enabled=False)
    assert not sf.needs_second_factor(caseworker, caseworkers_too=False)
    assert sf.needs_second_factor(caseworker, caseworkers_too=True)


def test_a_code_is_accepted_once(store):
    account, _ = enrolled(store)
    later = NOW + timedelta(seconds=60)
    code = pyotp.TOTP(account.totp_secret).at(later)
    assert sf.check_code(store=store, policy=POLICY, account=account, code=code, now=later).ok
    assert sf.check_code(store=store, policy=POLICY, account=account, code=code, now=later).refused == "invalid"


def test_recovery_codes_are_stored_hashed_and_work_once(store):
    account, codes = enrolled(store)
    assert not set(codes) & set(store.get_account(account.id).recovery_hashes)
    first = sf.check_code(store=store, policy=POLICY, account=account, code=codes[0].upper(), now=NOW)
    assert first.ok and first.used_recovery_code and len(first.account.recovery_hashes) == 9
    assert not sf.check_code(store=store, policy=POLICY, account=account, code=codes[0], now=NOW).ok


def test_wrong_codes_lock_the_account_and_then_right_codes_are_refused(store):
    account, _ = enrolled(store)
    results = [sf.check_code(store=store, policy=POLICY, account=account, code="000000" if i % 2 else "not-a-code",
                             now=NOW) for i in range(3)]
    assert results[-1].just_locked
    later = NOW + timedelta(seconds=90)
    right = pyotp.TOTP(account.totp_secret).at(later)
    assert sf.check_code(store=store, policy=POLICY, account=account, code=right, now=later).refused == "locked"


def test_a_right_password_does_not_reset_the_count_of_wrong_codes(store):
    account, _ = enrolled(store)
    sf.check_code(store=store, policy=POLICY, account=account, code="000001", now=NOW)
    passwords = Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    result = accounts.sign_in(store=store, passwords=passwords, policy=POLICY, email=account.email,
                              password="a long enough password", now=NOW,
                              second_factor=lambda a: sf.needs_second_factor(a, caseworkers_too=False))
    assert result.needs_code and result.token is None
    assert store.get_account(account.id).failed_signins == 1
