"""`haven tokens issue | revoke | list`: API tokens of this instance (HAVEN_DATA_DIR / HAVEN_STORE_URL)."""
from __future__ import annotations

import argparse
import sys
import uuid
from datetime import datetime, timedelta

from ..gateway.auth import AuthStore, issue_token as issue, open_auth_store, revoke_token
from ..gateway.auth.tokens import AuditSink
from ..gateway.settings import auth_db_path
from ..shared.config import default_store_url
from ..shared.vocabulary import ROLES
from .common import actor, utc_now


def register(subparsers) -> None:
    tokens = subparsers.add_parser("tokens", help="API tokens: issue, revoke, list")
    actions = tokens.add_subparsers(dest="tokens_command", required=True, metavar="{issue,revoke,list}")

    issue_parser = actions.add_parser("issue", help="issue a token and print it (shown only once)")
    issue_parser.add_argument("--role", required=True, choices=ROLES)
    issue_parser.add_argument("--provider", dest="providers", action="append", default=[], type=_provider_id,
                              metavar="ID", help="a provider this token acts for (provider role; repeatable)")
    issue_parser.add_argument("--name", default="", help="what the token is for, e.g. the system using it")
    issue_parser.add_argument("--expires-days", type=_positive_int, metavar="D", help="valid for D days")
    issue_parser.set_defaults(func=cmd_issue)

    revoke_parser = actions.add_parser("revoke", help="revoke a token by its id; it stops working at once")
    revoke_parser.add_argument("id", type=_token_id)
    revoke_parser.set_defaults(func=cmd_revoke)

    list_parser = actions.add_parser("list", help="list tokens (ids, roles, names, state; never the tokens)")
    list_parser.set_defaults(func=cmd_list)


def issue_token(role: str, provider_ids=(), name: str = "", expires_days: int | None = None) -> str:
    """Issue a token on this instance, record it in the audit log and return the token itself."""
    now = utc_now()
    expires_at = now + timedelta(days=expires_days) if expires_days else None
    store = open_auth_store(auth_db_path())
    try:
        _, plaintext = issue(store, role=role, provider_ids=tuple(provider_ids), name=name, expires_at=expires_at,
                             now=now, audit=audit_sink(now))
    finally:
        store.close()
    return plaintext


def cmd_issue(args) -> int:
    try:
        token = issue_token(args.role, args.providers, args.name, args.expires_days)
    except ValueError as err:
        print(f"haven tokens issue: {err}", file=sys.stderr)
        return 2
    print(token)
    print("Keep this token safe: it is shown only this once and stored only as a hash.", file=sys.stderr)
    return 0


def cmd_revoke(args) -> int:
    now = utc_now()
    store = open_auth_store(auth_db_path())
    try:
        found = revoke_token(store, token_id=args.id, now=now, audit=audit_sink(now))
    finally:
        store.close()
    if not found:
        print(f"haven tokens revoke: no token with id {args.id}", file=sys.stderr)
        return 1
    print(f"Revoked token {args.id}.")
    return 0


def cmd_list(args) -> int:
    store: AuthStore = open_auth_store(auth_db_path())
    try:
        tokens = store.list()
    finally:
        store.close()
    now = utc_now()
    print(f"{'id':<36}  {'role':<10}  {'state':<7}  {'created':<25}  {'expires':<25}  name / providers")
    for token in tokens:
        expires = token.expires_at.isoformat() if token.expires_at else "never"
        providers = f" [{', '.join(token.provider_ids)}]" if token.provider_ids else ""
        print(f"{token.id:<36}  {token.role:<10}  {token.state(now):<7}  {token.created_at.isoformat():<25}  "
              f"{expires:<25}  {token.name}{providers}")
    return 0


def audit_sink(now: datetime) -> AuditSink:
    """Token events go straight into the directory store's audit log: it works with the services stopped."""

    def record(action: str, target: str | None, detail: str | None) -> None:
        from ..directory.domain.rules import iso
        from ..directory.store import AuditEntry, store_from_url

        store = store_from_url(default_store_url())
        try:
            store.append_audit(AuditEntry(at=iso(now), actor=actor(), role="admin", action=action,
                                          target=target, request_id=None, detail=detail))
        finally:
            store.close()

    return record


def _provider_id(text: str) -> str:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a provider id (UUID): {text!r}") from None


_token_id = _provider_id


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of days, at least 1: {text!r}")
    return value
