"""Accounts and web sessions on a real SQLite file: signing in, locking, idling out, disabling."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from services.gateway.accounts import AccountError, AccountPolicy, Passwords
from services.gateway.accounts import service as accounts
from services.gateway.accounts.model import hash_session_token
from services.gateway.accounts.sqlite import SqliteAccountStore
from tests.support.clock import ManualClock

PASSWORD = "a long enough password"
POLICY = AccountPolicy()


@pytest.fixture
def store(tmp_path):
    store = SqliteAccountStore(tmp_path / "accounts.db")
    yield store
    store.close()


@pytest.fixture(scope="module")
def passwords():
    # Cheap argon2 parameters: the tests are about the rules, not the hash's cost.
    return Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def make_account(store, passwords, clock):
    def make(email="caseworker@example.org", role="caseworker", provider_ids=(), password=PASSWORD):
        account, _ = accounts.create_account(store=store, passwords=passwords, policy=POLICY, email=email, role=role,
                                             provider_ids=provider_ids, password=password, now=clock())
        return account

    return make


def sign_in(store, passwords, clock, email="caseworker@example.org", password=PASSWORD, policy=POLICY):
    return accounts.sign_in(store=store, passwords=passwords, policy=policy, email=email, password=password,
                            now=clock())


def test_signs_in_with_the_right_password_and_starts_a_session(store, passwords, clock, make_account):
    account = make_account()
    result = sign_in(store, passwords, clock)
    assert result.ok and result.account.id == account.id
    resumed = accounts.resume_session(store=store, policy=POLICY, token=result.token, now=clock())
    assert resumed.account.id == account.id
    assert resumed.account.subject == f"user:{account.id}"


def test_email_is_matched_without_regard_to_case_or_spaces(store, passwords, clock, make_account):
    make_account(email="Caseworker@Example.org")
    assert sign_in(store, passwords, clock, email="  CASEWORKER@example.ORG ").ok


def test_a_wrong_password_and_an_unknown_email_get_the_same_refusal(store, passwords, clock, make_account):
    make_account()
    wrong = sign_in(store, passwords, clock, password="not the password at all")
    unknown = sign_in(store, passwords, clock, email="nobody@example.org")
    assert (wrong.ok, wrong.refused) == (unknown.ok, unknown.refused) == (False, "invalid")


def test_locks_the_account_for_an_hour_after_ten_failed_sign_ins(store, passwords, clock, make_account):
    make_account()
    results = [sign_in(store, passwords, clock, password=f"wrong guess {i}") for i in range(10)]
    assert [r.refused for r in results[:9]] == ["invalid"] * 9
    assert results[9].refused == "locked" and results[9].just_locked
    # Locked: even the right password is refused, and says why.
    assert sign_in(store, passwords, clock).refused == "locked"
    clock.advance(minutes=59)
    assert sign_in(store, passwords, clock).refused == "locked"
    clock.advance(minutes=2)
    assert sign_in(store, passwords, clock).ok


def test_a_successful_sign_in_starts_the_failure_count_again(store, passwords, clock, make_account):
    make_account()
    for i in range(9):
        sign_in(store, passwords, clock, password=f"wrong guess {i}")
    assert sign_in(store, passwords, clock).ok
    for i in range(9):
        assert sign_in(store, passwords, clock, password=f"wrong again {i}").refused == "invalid"


def test_failed_sign_ins_from_many_threads_all_count(store, passwords, clock, make_account, tmp_path):
    make_account()

    def guess(i):
        # Each thread its own connection, as gunicorn threads and replicas have.
        own = SqliteAccountStore(tmp_path / "accounts.db")
        try:
            accounts.sign_in(store=own, passwords=passwords, policy=POLICY, email="caseworker@example.org",
                             password=f"wrong {i}", now=clock())
        finally:
            own.close()

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sign_in(store, passwords, clock).refused == "locked"


def test_a_session_ends_after_thirty_minutes_without_activity(store, passwords, clock, make_account):
    make_account()
    token = sign_in(store, passwords, clock).token
    clock.advance(minutes=29)
    assert accounts.resume_session(store=store, policy=POLICY, token=token, now=clock()).account is not None
    clock.advance(minutes=29)  # 29 minutes after the last use: still alive
    assert accounts.resume_session(store=store, policy=POLICY, token=token, now=clock()).account is not None
    clock.advance(minutes=31)
    ended = accounts.resume_session(store=store, policy=POLICY, token=token, now=clock())
    assert ended.account is None and ended.expired
    # Gone for good, not only refused this once.
    assert store.get_session(hash_session_token(token)) is None


def test_polling_does_not_keep_a_session_alive(store, passwords, clock, make_account):
    make_account()
    token = sign_in(store, passwords, clock).token
    polls = []
    for _ in range(4):
        clock.advance(minutes=11)
        polls.append(accounts.resume_session(store=store, policy=POLICY, token=token, now=clock(), touch=False))
    assert [poll.account is not None for poll in polls] == [True, True, False, False]
    assert polls[2].expired


def test_a_session_ends_after_its_maximum_lifetime_however_busy(store, passwords, clock, make_account):
    make_account()
    token = sign_in(store, passwords, clock).token
    for _ in range(12 * 4 + 1):
        clock.advance(minutes=15)
        resumed = accounts.resume_session(store=store, policy=POLICY, token=token, now=clock())
    assert resumed.account is None


def test_the_store_keeps_only_a_hash_of_the_session_token(store, passwords, clock, make_account, tmp_path):
    make_account()
    token = sign_in(store, passwords, clock).token
    assert token.encode() not in (tmp_path / "accounts.db").read_bytes()
    assert store.get_session(hash_session_token(token)) is not None


def test_passwords_are_stored_as_argon2id_hashes(store, passwords, clock, make_account, tmp_path):
    account = make_account()
    assert account.password_hash.startswith("$argon2id$")
    store.close()
    assert PASSWORD.encode() not in (tmp_path / "accounts.db").read_bytes()


def test_each_sign_in_gets_a_new_session_and_csrf_token(store, passwords, clock, make_account):
    make_account()
    first, second = sign_in(store, passwords, clock), sign_in(store, passwords, clock)
    assert first.token != second.token
    assert first.session.csrf_token != second.session.csrf_token


def test_signing_out_ends_the_session(store, passwords, clock, make_account):
    make_account()
    token = sign_in(store, passwords, clock).token
    accounts.sign_out(store=store, token=token)
    assert accounts.resume_session(store=store, policy=POLICY, token=token, now=clock()).account is None


def test_disabling_an_account_ends_its_sessions_and_refuses_sign_in(store, passwords, clock, make_account):
    account = make_account()
    token = sign_in(store, passwords, clock).token
    accounts.disable_account(store=store, account_id=account.id)
    assert accounts.resume_session(store=store, policy=POLICY, token=token, now=clock()).account is None
    assert sign_in(store, passwords, clock).refused == "disabled"
    accounts.enable_account(store=store, account_id=account.id)
    assert sign_in(store, passwords, clock).ok


def test_resetting_a_password_lifts_the_lock_and_ends_every_session(store, passwords, clock, make_account):
    account = make_account()
    token = sign_in(store, passwords, clock).token
    for i in range(10):
        sign_in(store, passwords, clock, password=f"wrong {i}")
    _, new_password = accounts.reset_password(store=store, passwords=passwords, policy=POLICY,
                                              account_id=account.id)
    assert accounts.resume_session(store=store, policy=POLICY, token=token, now=clock()).account is None
    assert sign_in(store, passwords, clock).refused == "invalid"
    assert sign_in(store, passwords, clock, password=new_password).ok


def test_an_email_can_have_only_one_account(make_account):
    make_account(email="same@example.org")
    with pytest.raises(AccountError) as refused:
        make_account(email="SAME@example.org")
    assert refused.value.field == "email"


@pytest.mark.parametrize("role, provider_ids, field", [
    ("provider", (), "provider"),
    ("caseworker", ("5f0c7d2e-8a64-4c4e-9a55-0d1c3c9d6a11",), "provider"),
    ("superuser", (), "role"),
])
def test_provider_ids_come_with_and_only_with_the_provider_role(make_account, role, provider_ids, field):
    with pytest.raises(AccountError) as refused:
        make_account(role=role, provider_ids=provider_ids)
    assert refused.value.field == field


@pytest.mark.parametrize("email", ["", "no-at-sign", "two@@example.org", "a@b", "spaces in@example.org"])
def test_an_address_that_is_not_an_email_is_refused(make_account, email):
    with pytest.raises(AccountError) as refused:
        make_account(email=email)
    assert refused.value.field == "email"


def test_a_short_password_is_refused(make_account):
    with pytest.raises(AccountError) as refused:
        make_account(password="short")
    assert refused.value.field == "password"


def test_a_generated_password_is_long_enough_and_works(store, passwords, clock):
    account, password = accounts.create_account(store=store, passwords=passwords, policy=POLICY,
                                                email="new@example.org", role="admin", now=clock())
    assert len(password) >= POLICY.min_password_length
    assert sign_in(store, passwords, clock, email="new@example.org", password=password).ok


def test_the_locale_is_kept_per_account(store, make_account):
    account = make_account()
    assert account.locale == "nl"
    accounts.set_locale(store=store, account=account, locale="en")
    assert store.get_account(account.id).locale == "en"
    with pytest.raises(AccountError):
        accounts.set_locale(store=store, account=account, locale="de")


def test_a_configured_policy_changes_the_limits(store, passwords, clock, make_account):
    make_account()
    strict = AccountPolicy(idle_timeout=timedelta(seconds=5), max_failures=3, lock_duration=timedelta(minutes=5))
    assert [sign_in(store, passwords, clock, password=f"x{i}", policy=strict).refused for i in range(3)] == [
        "invalid", "invalid", "locked"]
    clock.advance(minutes=6)
    token = sign_in(store, passwords, clock, policy=strict).token
    clock.advance(seconds=6)
    assert accounts.resume_session(store=store, policy=strict, token=token, now=clock()).expired


def test_signing_in_forgets_sessions_that_idled_out(store, passwords, clock, make_account):
    make_account()
    make_account(email="other@example.org")
    abandoned = sign_in(store, passwords, clock).token
    clock.advance(minutes=45)
    sign_in(store, passwords, clock, email="other@example.org")
    assert store.get_session(hash_session_token(abandoned)) is None
