"""Accounts and web sessions in Elasticsearch or OpenSearch, shared by every gateway replica.

Chosen when HAVEN_STORE_URL names a search engine. Two indices behind aliases:

- `haven-accounts`: an account document per account (`_id` = account id), and beside it one email
  claim per address (`_id` = `email:<lower-cased address>`, written with `op_type=create`, so two
  replicas creating the same address at once cannot both succeed: the second gets 409, DuplicateEmail).
- `haven-sessions`: one document per signed-in browser, `_id` = the SHA-256 of its cookie value.

Everything a request needs is a get by `_id`, which is real time. Failed sign-ins are counted with
`if_seq_no`/`if_primary_term` and retried on 409, so concurrent wrong guesses on several replicas all
count. Sessions are touched with a scripted partial update that only moves `last_seen` forward.
Deleting many sessions searches for them and deletes by id in bulk (no delete-by-query module needed).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ...shared.engine.client import VersionConflict
from ..auth.search_engine import GatewayIndices, iso, parse
from .model import Account, Session
from .store import AccountStore, AccountStoreUnavailable, DuplicateEmail

ACCOUNTS = "accounts"
SESSIONS = "sessions"
EMAIL_CLAIM = "email:"
# A claim without its account for this long was left by a creation that died: it may be taken over.
ABANDONED_CLAIM = timedelta(seconds=60)

ACCOUNT_MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "kind": {"type": "keyword"},          # account | email
        "id": {"type": "keyword"},
        "account_id": {"type": "keyword"},    # email claims: whose address it is
        "email": {"type": "keyword"},         # lower-cased
        "role": {"type": "keyword"},
        "provider_ids": {"type": "keyword"},
        "password_hash": {"type": "keyword", "index": False},
        "created_at": {"type": "date_nanos"},
        "disabled": {"type": "boolean"},
        "failed_signins": {"type": "integer"},
        "locked_until": {"type": "date_nanos"},
        "locale": {"type": "keyword"},
        "last_signin_at": {"type": "date_nanos"},
        "totp_secret": {"type": "keyword", "index": False},
        "totp_enabled": {"type": "boolean"},
        "recovery_hashes": {"type": "keyword", "index": False},
        "totp_last_step": {"type": "long"},
    },
}

SESSION_MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "id": {"type": "keyword"},            # the hash of the cookie value, as `_id`
        "account_id": {"type": "keyword"},
        "csrf_token": {"type": "keyword", "index": False},
        "created_at": {"type": "date_nanos"},
        "last_seen": {"type": "date_nanos"},
    },
}

# Moves last_seen forward only: a slow request finishing late never makes a session look older.
# Times are UTC ISO text with microseconds, so text order is time order.
TOUCH = ("if (ctx._source.last_seen == null || ctx._source.last_seen.compareTo(params.now) < 0) "
         "{ ctx._source.last_seen = params.now } else { ctx.op = 'none' }")


def _iso(moment: datetime | None) -> str | None:
    return iso(moment, "microseconds")


class SearchEngineAccountStore(AccountStore):
    def __init__(self, url: str):
        self.engine = GatewayIndices(url, {ACCOUNTS: ACCOUNT_MAPPINGS, SESSIONS: SESSION_MAPPINGS},
                                     AccountStoreUnavailable)
        self.client = self.engine.client
        self.accounts = self.engine.alias(ACCOUNTS)
        self.sessions = self.engine.alias(SESSIONS)

    def ping(self) -> bool:
        return self.engine.ping()

    def close(self) -> None:
        self.engine.close()

    # -- accounts ----------------------------------------------------------------------------
    def add_account(self, account: Account) -> None:
        with self.engine.errors():
            self._claim(account.email, account.id)
            try:
                self.client.index(self.accounts, account.id, _document(account), op_type="create",
                                  refresh=self.engine.config.refresh, require_alias=True)
            except BaseException:
                self._release(account.email, account.id)
                raise

    def get_account(self, account_id: str) -> Account | None:
        with self.engine.errors():
            found = self.client.get(self.accounts, account_id)
        if found is None or found["_source"].get("kind") != "account":
            return None
        return _account(found["_source"])

    def find_by_email(self, email: str) -> Account | None:
        with self.engine.errors():
            claim = self.client.get(self.accounts, EMAIL_CLAIM + email)
            if claim is None:
                return None
            account = self.get_account(claim["_source"]["account_id"])
        # A claim left by an interrupted write names an account that does not have the address.
        return account if account is not None and account.email == email else None

    def list_accounts(self) -> list[Account]:
        with self.engine.errors():
            self.client.refresh(self.accounts)
            hits = list(self.engine.walk(ACCOUNTS, {"term": {"kind": "account"}}, [{"email": "asc"}, {"id": "asc"}]))
        return [_account(hit["_source"]) for hit in hits]

    def update_account(self, account: Account) -> None:
        with self.engine.errors():
            previous = self.get_account(account.id)
            if previous is None:
                return  # as an UPDATE of no row: nothing to replace
            changed_email = previous.email != account.email
            if changed_email:
                self._claim(account.email, account.id)
            self.client.index(self.accounts, account.id, _document(account), refresh=self.engine.config.refresh,
                              require_alias=True)
            if changed_email:
                self._release(previous.email, account.id)

    def record_failed_signin(self, account_id: str, max_failures: int, lock_until: datetime) -> Account | None:
        def count_once() -> Account | None:
            found = self.client.get(self.accounts, account_id)
            if found is None or found["_source"].get("kind") != "account":
                return None
            source = dict(found["_source"])
            failures = source["failed_signins"] + 1
            if failures >= max_failures:
                source.update(failed_signins=0, locked_until=_iso(lock_until))
            else:
                source["failed_signins"] = failures
            self.client.index(self.accounts, account_id, source, if_seq_no=found["_seq_no"],
                              if_primary_term=found["_primary_term"], require_alias=True)
            return _account(source)

        with self.engine.errors():
            return self.engine.optimistic(count_once)

    def _claim(self, email: str, account_id: str) -> None:
        """Take the address for this account; DuplicateEmail when another account has it."""
        claim_id = EMAIL_CLAIM + email
        document = {"kind": "email", "id": claim_id, "email": email, "account_id": account_id,
                    "created_at": iso(datetime.now(timezone.utc))}
        while True:
            try:
                self.client.index(self.accounts, claim_id, document, op_type="create", require_alias=True)
                return
            except VersionConflict:
                pass
            found = self.client.get(self.accounts, claim_id)
            if found is None:
                continue  # released meanwhile: try again
            holder = self.get_account(found["_source"]["account_id"])
            if holder is not None and holder.email == email:
                raise DuplicateEmail(email)
            if holder is None and not _abandoned(found["_source"]):
                # Claimed a moment ago by a creation still writing its account: that one is first.
                raise DuplicateEmail(email)
            # A claim whose account is gone or has moved on (an interrupted write): take it over.
            try:
                self.client.index(self.accounts, claim_id, document, if_seq_no=found["_seq_no"],
                                  if_primary_term=found["_primary_term"], require_alias=True)
                return
            except VersionConflict:
                continue

    def _release(self, email: str, account_id: str) -> None:
        """Give the address up, if this account still holds it."""
        found = self.client.get(self.accounts, EMAIL_CLAIM + email)
        if found is not None and found["_source"]["account_id"] == account_id:
            try:
                self.client.delete(self.accounts, EMAIL_CLAIM + email, if_seq_no=found["_seq_no"],
                                   if_primary_term=found["_primary_term"])
            except VersionConflict:
                pass  # taken over meanwhile: no longer ours to delete

    # -- sessions ----------------------------------------------------------------------------
    def add_session(self, session: Session) -> None:
        document = {"id": session.id_hash, "account_id": session.account_id, "csrf_token": session.csrf_token,
                    "created_at": _iso(session.created_at), "last_seen": _iso(session.last_seen)}
        with self.engine.errors():
            self.client.index(self.sessions, session.id_hash, document, require_alias=True)

    def get_session(self, id_hash: str) -> Session | None:
        with self.engine.errors():
            found = self.client.get(self.sessions, id_hash)
        if found is None:
            return None
        source = found["_source"]
        return Session(id_hash=found["_id"], account_id=source["account_id"], csrf_token=source["csrf_token"],
                       created_at=parse(source["created_at"]), last_seen=parse(source["last_seen"]))

    def touch_session(self, id_hash: str, now: datetime) -> None:
        with self.engine.errors():
            self.engine.update(SESSIONS, id_hash, {"source": TOUCH, "lang": "painless",
                                                   "params": {"now": _iso(now)}})

    def delete_session(self, id_hash: str) -> None:
        with self.engine.errors():
            self.client.delete(self.sessions, id_hash)

    def delete_sessions_of(self, account_id: str) -> int:
        with self.engine.errors():
            # Refreshed first: a session started a moment ago on any replica ends too.
            self.client.refresh(self.sessions)
            return self._delete_matching({"term": {"account_id": account_id}})

    def delete_sessions_idle_since(self, cutoff: datetime) -> int:
        with self.engine.errors():
            # No refresh: a session written since the last refresh is not idle.
            return self._delete_matching({"range": {"last_seen": {"lt": _iso(cutoff)}}})

    def _delete_matching(self, query: dict) -> int:
        ids = [hit["_id"] for hit in self.engine.walk(SESSIONS, query, [{"id": "asc"}])]
        return self.engine.delete_all(SESSIONS, ids) if ids else 0


def _document(account: Account) -> dict:
    return {"kind": "account", "id": account.id, "email": account.email, "role": account.role,
            "provider_ids": list(account.provider_ids), "password_hash": account.password_hash,
            "created_at": _iso(account.created_at), "disabled": account.disabled,
            "failed_signins": account.failed_signins, "locked_until": _iso(account.locked_until),
            "locale": account.locale, "last_signin_at": _iso(account.last_signin_at),
            "totp_secret": account.totp_secret, "totp_enabled": account.totp_enabled,
            "recovery_hashes": list(account.recovery_hashes), "totp_last_step": account.totp_last_step}


def _account(source: dict) -> Account:
    return Account(id=source["id"], email=source["email"], role=source["role"],
                   provider_ids=tuple(source["provider_ids"]), password_hash=source["password_hash"],
                   created_at=parse(source["created_at"]), disabled=source["disabled"],
                   failed_signins=source["failed_signins"], locked_until=parse(source.get("locked_until")),
                   locale=source["locale"], last_signin_at=parse(source.get("last_signin_at")),
                   totp_secret=source.get("totp_secret"), totp_enabled=bool(source.get("totp_enabled")),
                   recovery_hashes=tuple(source.get("recovery_hashes") or ()),
                   totp_last_step=source.get("totp_last_step") or 0)


def _abandoned(claim: dict) -> bool:
    """Whether an address claim is old enough to have been left by a creation that died before its account."""
    claimed = claim.get("created_at")
    return claimed is None or datetime.now(timezone.utc) - parse(claimed) > ABANDONED_CLAIM
