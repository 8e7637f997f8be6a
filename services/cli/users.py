"""`haven users`: accounts for the web pages (create, disable, enable, reset-password, list) and demo sign-ins."""
from __future__ import annotations

import hashlib
import hmac
import sys

from ..gateway.accounts import AccountError, AccountPolicy, Passwords, open_account_store
from ..gateway.accounts import service as accounts
from ..gateway.web.settings import accounts_db_path
from ..shared.config import default_store_url, internal_secret
from .common import utc_now

DEMO_EMAILS = {"admin": "admin@demo.haven.example", "caseworker": "caseworker@demo.haven.example",
               "provider": "provider@demo.haven.example"}


def register(subparsers) -> None:
    users = subparsers.add_parser("users", help="accounts for the web pages")
    commands = users.add_subparsers(dest="users_command", required=True)

    create = commands.add_parser("create", help="create an account; prints its password once")
    create.add_argument("--role", required=True, choices=("admin", "caseworker", "provider"))
    create.add_argument("--email", required=True)
    create.add_argument("--provider", action="append", default=[], metavar="ID",
                        help="a provider this account manages (provider role; repeat for several)")
    create.add_argument("--password", help="at least 12 characters; generated when left out")
    create.add_argument("--locale", choices=("nl", "en"), default="nl", help="language of the pages")
    create.set_defaults(func=cmd_create)

    disable = commands.add_parser("disable", help="stop an account signing in and end its sessions")
    disable.add_argument("account", metavar="EMAIL_OR_ID")
    disable.set_defaults(func=cmd_disable)

    enable = commands.add_parser("enable", help="let a disabled account sign in again")
    enable.add_argument("account", metavar="EMAIL_OR_ID")
    enable.set_defaults(func=cmd_enable)

    reset = commands.add_parser("reset-password", help="set a new password, lift a lock, end every session")
    reset.add_argument("account", metavar="EMAIL_OR_ID")
    reset.add_argument("--password", help="at least 12 characters; generated when left out")
    reset.set_defaults(func=cmd_reset_password)

    listing = commands.add_parser("list", help="every account with its role and state")
    listing.set_defaults(func=cmd_list)


def _record(action: str, target: str, detail: str | None = None) -> None:
    """Account changes made on the command line join the one audit log in the directory store."""
    from ..directory.domain.rules import iso
    from ..directory.store import AuditEntry, store_from_url

    store = store_from_url(default_store_url())
    try:
        store.append_audit(AuditEntry(at=iso(utc_now()), actor="system:cli", role="admin", action=action,
                                      target=target, request_id=None, detail=detail))
    finally:
        store.close()


def _fail(err: AccountError) -> int:
    print(f"haven users: {err}", file=sys.stderr)
    return 2


def cmd_create(args) -> int:
    store = open_account_store(accounts_db_path())
    try:
        account, password = accounts.create_account(
            store=store, passwords=Passwords(), policy=AccountPolicy(), email=args.email, role=args.role,
            provider_ids=tuple(args.provider), password=args.password, locale=args.locale, now=utc_now())
    except AccountError as err:
        return _fail(err)
    finally:
        store.close()
    _record("account.create", account.subject, f"role={account.role}")
    print(f"created {account.role} account {account.email} (id {account.id})")
    if not args.password:
        print(f"password: {password}")
    return 0


def cmd_disable(args) -> int:
    store = open_account_store(accounts_db_path())
    try:
        account = accounts.find_account(store=store, id_or_email=args.account)
        accounts.disable_account(store=store, account_id=account.id)
    except AccountError as err:
        return _fail(err)
    finally:
        store.close()
    _record("account.disable", account.subject)
    print(f"disabled {account.email}; its sessions have ended")
    return 0


def cmd_enable(args) -> int:
    store = open_account_store(accounts_db_path())
    try:
        account = accounts.find_account(store=store, id_or_email=args.account)
        accounts.enable_account(store=store, account_id=account.id)
    except AccountError as err:
        return _fail(err)
    finally:
        store.close()
    _record("account.enable", account.subject)
    print(f"enabled {account.email}")
    return 0


def cmd_reset_password(args) -> int:
    store = open_account_store(accounts_db_path())
    try:
        account = accounts.find_account(store=store, id_or_email=args.account)
        account, password = accounts.reset_password(store=store, passwords=Passwords(), policy=AccountPolicy(),
                                                    account_id=account.id, password=args.password)
    except AccountError as err:
        return _fail(err)
    finally:
        store.close()
    _record("account.reset_password", account.subject)
    print(f"new password set for {account.email}; its sessions have ended")
    if not args.password:
        print(f"password: {password}")
    return 0


def cmd_list(args) -> int:
    store = open_account_store(accounts_db_path())
    try:
        rows = store.list_accounts()
    finally:
        store.close()
    now = utc_now()
    for account in rows:
        state = "disabled" if account.disabled else "locked" if account.is_locked(now) else "active"
        providers = ",".join(account.provider_ids)
        print(f"{account.id}  {account.role:<10}  {state:<8}  {account.email}  {providers}".rstrip())
    return 0


def demo_password(role: str) -> str:
    """The demo password of a role on this instance: derived from its secret, so it is the same every run."""
    digest = hmac.new(internal_secret(), f"haven demo sign-in {role}".encode(), hashlib.sha256).hexdigest()
    return f"demo-{role}-{digest[:12]}"


def create_demo_accounts(provider_id: str) -> dict[str, dict[str, str]]:
    """One account per role (the provider one manages provider_id); idempotent; returns the sign-ins."""
    store = open_account_store(accounts_db_path())
    passwords = Passwords()
    policy = AccountPolicy()
    sign_ins = {}
    try:
        for role, email in DEMO_EMAILS.items():
            password = demo_password(role)
            provider_ids = (provider_id,) if role == "provider" else ()
            existing = store.find_by_email(email)
            if existing is None:
                account, _ = accounts.create_account(store=store, passwords=passwords, policy=policy, email=email,
                                                     role=role, provider_ids=provider_ids, password=password,
                                                     now=utc_now())
                _record("account.create", account.subject, f"role={role} demo")
            elif existing.role != role or existing.provider_ids != provider_ids or not passwords.verify(
                    existing.password_hash, password):
                store.update_account(existing.with_changes(role=role, provider_ids=provider_ids,
                                                           password_hash=passwords.hash(password)))
            sign_ins[role] = {"email": email, "password": password}
    finally:
        store.close()
    return sign_ins
