"""`haven tokens issue | revoke | list` on the instance in HAVEN_DATA_DIR, recorded in the audit log."""
from __future__ import annotations

import argparse
from datetime import datetime, timedelta, timezone

import pytest

from services.cli import tokens
from services.directory.domain.queries import AuditFilter
from services.directory.store.sqlite import SqliteDirectoryStore
from services.gateway.auth import InvalidToken, authenticate
from services.gateway.auth.sqlite import SqliteAuthStore

PROVIDER = "6dde18e0-c115-5726-b7dc-c23d4045b612"


@pytest.fixture
def instance(tmp_path, monkeypatch):
    monkeypatch.setenv("HAVEN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("HAVEN_STORE_URL", raising=False)
    return tmp_path


def haven(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="haven")
    tokens.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def _audit(folder, action: str) -> list:
    store = SqliteDirectoryStore(folder / "haven.db")
    try:
        return store.list_audit(AuditFilter(action=action)).items
    finally:
        store.close()


def _authenticate(folder, token: str, now=None):
    store = SqliteAuthStore(folder / "auth.db")
    try:
        return authenticate(store, token, now or datetime.now(timezone.utc))
    finally:
        store.close()


def test_issue_prints_the_token_once_and_it_works_for_its_role_and_provider(instance, capsys):
    assert haven("tokens", "issue", "--role", "provider", "--provider", PROVIDER.upper(), "--name", "Lindenhof") == 0
    out, err = capsys.readouterr()
    token = out.strip()
    assert token.startswith("hvn_") and "\n" not in token
    assert "shown only this once" in err
    principal = _authenticate(instance, token)
    assert (principal.role, principal.provider_ids) == ("provider", (PROVIDER,))


def test_issue_and_revoke_are_recorded_in_the_audit_log_without_the_token(instance, capsys):
    haven("tokens", "issue", "--role", "admin")
    token = capsys.readouterr().out.strip()
    issued = _audit(instance, "token.issue")
    assert len(issued) == 1 and issued[0].actor.startswith("cli:") and issued[0].detail == "role=admin"
    token_id = issued[0].target.removeprefix("token:")
    assert haven("tokens", "revoke", token_id) == 0
    assert [entry.target for entry in _audit(instance, "token.revoke")] == [f"token:{token_id}"]
    assert token not in repr(issued + _audit(instance, "token.revoke"))
    with pytest.raises(InvalidToken):
        _authenticate(instance, token)


def test_a_token_issued_for_some_days_expires_after_them(instance, capsys):
    haven("tokens", "issue", "--role", "caseworker", "--expires-days", "2")
    token = capsys.readouterr().out.strip()
    assert _authenticate(instance, token).role == "caseworker"
    with pytest.raises(InvalidToken):
        _authenticate(instance, token, datetime.now(timezone.utc) + timedelta(days=2, minutes=1))


def test_list_shows_ids_roles_and_states_but_never_the_tokens(instance, capsys):
    haven("tokens", "issue", "--role", "caseworker", "--name", "case system")
    token = capsys.readouterr().out.strip()
    haven("tokens", "list")
    listing = capsys.readouterr().out
    assert "caseworker" in listing and "active" in listing and "case system" in listing
    assert token not in listing and token[4:20] not in listing


def test_a_provider_token_without_a_provider_is_refused(instance, capsys):
    assert haven("tokens", "issue", "--role", "provider") == 2
    assert "provider id" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["tokens", "issue", "--role", "root"],
                                  ["tokens", "issue", "--role", "provider", "--provider", "not-a-uuid"],
                                  ["tokens", "issue", "--role", "admin", "--expires-days", "0"],
                                  ["tokens", "revoke", "nope"]])
def test_bad_arguments_are_refused_with_a_usage_error(instance, argv, capsys):
    with pytest.raises(SystemExit) as stopped:
        haven(*argv)
    assert stopped.value.code == 2


def test_revoking_an_unknown_token_fails(instance, capsys):
    assert haven("tokens", "revoke", PROVIDER) == 1
    assert "no token" in capsys.readouterr().err


def test_tokens_live_beside_a_sqlite_store_named_by_url(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HAVEN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HAVEN_STORE_URL", f"sqlite:///{tmp_path / 'elsewhere' / 'haven.db'}")
    token = tokens.issue_token("admin", name="demo admin")
    assert (tmp_path / "elsewhere" / "auth.db").exists()
    assert _authenticate(tmp_path / "elsewhere", token).role == "admin"
