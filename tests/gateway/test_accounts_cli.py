"""`haven users` and the demo sign-ins of `haven up --demo`, on a real data folder."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from services.cli import main
from services.cli.users import create_demo_accounts
from services.directory.domain.queries import AuditFilter
from services.directory.store.sqlite import SqliteDirectoryStore
from services.gateway.accounts import AccountPolicy, Passwords, open_account_store
from services.gateway.accounts import service as accounts
from services.gateway.web.settings import accounts_db_path

PROVIDER_ID = "3f2b8c1e-5d4a-4b7e-9c2f-1a6d8e0b7c35"


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("HAVEN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("HAVEN_STORE_URL", raising=False)
    monkeypatch.delenv("HAVEN_INTERNAL_SECRET", raising=False)
    cheap_password_hashes(monkeypatch)
    return tmp_path


def cheap_password_hashes(monkeypatch):
    # The tests are about the commands, not the hash's cost (the default costs most of a second here).
    for name, value in (("TIME_COST", "1"), ("MEMORY_KIB", "1024"), ("PARALLELISM", "1")):
        monkeypatch.setenv(f"HAVEN_PASSWORD_{name}", value)


def sign_in(email: str, password: str):
    store = open_account_store(accounts_db_path())
    try:
        return accounts.sign_in(store=store, passwords=Passwords(), policy=AccountPolicy(), email=email,
                                password=password, now=datetime.now(timezone.utc))
    finally:
        store.close()


def audit_actions(folder) -> list[tuple[str, str]]:
    store = SqliteDirectoryStore(folder / "haven.db")
    try:
        return [(e.action, e.target) for e in store.list_audit(AuditFilter(size=100)).items]
    finally:
        store.close()


def password_from(output: str) -> str:
    return next(line.split(": ", 1)[1] for line in output.splitlines() if line.startswith("password: "))


def test_users_create_prints_a_generated_password_that_signs_in(data_dir, capsys):
    assert main(["users", "create", "--role", "caseworker", "--email", "Anna@Example.org"]) == 0
    out = capsys.readouterr().out
    assert "created caseworker account anna@example.org" in out
    assert sign_in("anna@example.org", password_from(out)).ok


def test_users_create_with_a_given_password_does_not_print_it(data_dir, capsys):
    assert main(["users", "create", "--role", "admin", "--email", "admin@example.org",
                 "--password", "given password 123"]) == 0
    assert "given password 123" not in capsys.readouterr().out
    assert sign_in("admin@example.org", "given password 123").ok


def test_users_create_for_a_provider_needs_a_provider_id(data_dir, capsys):
    assert main(["users", "create", "--role", "provider", "--email", "shelter@example.org"]) == 2
    assert "provider" in capsys.readouterr().err
    assert main(["users", "create", "--role", "provider", "--email", "shelter@example.org",
                 "--provider", PROVIDER_ID]) == 0


def test_users_create_refuses_a_second_account_with_the_same_email(data_dir, capsys):
    main(["users", "create", "--role", "caseworker", "--email", "anna@example.org"])
    assert main(["users", "create", "--role", "admin", "--email", "ANNA@example.org"]) == 2
    assert "email" in capsys.readouterr().err


def test_users_disable_stops_sign_in_and_enable_allows_it_again(data_dir, capsys):
    main(["users", "create", "--role", "caseworker", "--email", "anna@example.org", "--password", "a good password"])
    assert main(["users", "disable", "anna@example.org"]) == 0
    assert sign_in("anna@example.org", "a good password").refused == "disabled"
    assert main(["users", "enable", "anna@example.org"]) == 0
    assert sign_in("anna@example.org", "a good password").ok


def test_users_reset_password_replaces_the_old_one(data_dir, capsys):
    main(["users", "create", "--role", "caseworker", "--email", "anna@example.org", "--password", "the old password"])
    capsys.readouterr()
    assert main(["users", "reset-password", "anna@example.org"]) == 0
    new = password_from(capsys.readouterr().out)
    assert not sign_in("anna@example.org", "the old password").ok
    assert sign_in("anna@example.org", new).ok


def test_users_commands_name_a_missing_account(data_dir, capsys):
    assert main(["users", "disable", "nobody@example.org"]) == 2
    assert "nobody@example.org" in capsys.readouterr().err


def test_account_changes_on_the_command_line_are_audited(data_dir, capsys):
    main(["users", "create", "--role", "caseworker", "--email", "anna@example.org"])
    main(["users", "disable", "anna@example.org"])
    main(["users", "reset-password", "anna@example.org"])
    actions = [action for action, _ in audit_actions(data_dir)]
    assert actions == ["account.reset_password", "account.disable", "account.create"]
    assert all(target.startswith("user:") for _, target in audit_actions(data_dir))


def test_users_list_shows_role_and_state(data_dir, capsys):
    main(["users", "create", "--role", "caseworker", "--email", "anna@example.org"])
    main(["users", "disable", "anna@example.org"])
    capsys.readouterr()
    assert main(["users", "list"]) == 0
    line = capsys.readouterr().out.strip()
    assert "caseworker" in line and "disabled" in line and "anna@example.org" in line


def test_demo_accounts_sign_in_for_every_role(data_dir):
    sign_ins = create_demo_accounts(PROVIDER_ID)
    assert set(sign_ins) == {"admin", "caseworker", "provider"}
    for role, credentials in sign_ins.items():
        result = sign_in(credentials["email"], credentials["password"])
        assert result.ok and result.account.role == role
    assert sign_in(sign_ins["provider"]["email"], sign_ins["provider"]["password"]).account.provider_ids == (
        PROVIDER_ID,)


def test_demo_accounts_are_made_once_and_give_the_same_sign_ins_again(data_dir):
    first = create_demo_accounts(PROVIDER_ID)
    second = create_demo_accounts(PROVIDER_ID)
    assert first == second
    store = open_account_store(accounts_db_path())
    try:
        assert len(store.list_accounts()) == 3
    finally:
        store.close()
    assert sign_in(first["caseworker"]["email"], first["caseworker"]["password"]).ok


def test_demo_passwords_differ_between_instances(tmp_path, monkeypatch):
    cheap_password_hashes(monkeypatch)
    passwords = []
    for name in ("a", "b"):
        monkeypatch.setenv("HAVEN_DATA_DIR", str(tmp_path / name))
        passwords.append(create_demo_accounts(PROVIDER_ID)["admin"]["password"])
    assert passwords[0] != passwords[1]
