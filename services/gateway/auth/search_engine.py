"""API tokens in Elasticsearch or OpenSearch, so every gateway replica knows every token.

Chosen when HAVEN_STORE_URL names a search engine (`opensearch+http://…`, `elasticsearch+https://…`);
it uses the directory's client, URL options and versioned-index-behind-alias creation
(`services.shared.engine`). A token document's `_id` is the
token's SHA-256 hash, so checking a presented token is one real-time get, with no refresh to wait for.
"""
from __future__ import annotations

import contextlib
import random
import threading
import time
import uuid
from datetime import datetime, timezone
from typing import Callable, Iterator

from ...shared.engine.client import EngineClient, EngineConfig, VersionConflict, WriteBlocked
from ...shared.engine.indices import IndexNames, ensure_indices
from ...shared.stores import StoreUnavailable
from .store import ApiToken, AuthStore, AuthStoreUnavailable
from .tokens import hash_token, new_token

TOKENS = "tokens"
CONFLICT_RETRIES = 200   # optimistic-concurrency attempts before answering "unavailable"
WALK_CHUNK = 500

TOKEN_MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "id": {"type": "keyword"},
        "token_hash": {"type": "keyword"},
        "role": {"type": "keyword"},
        "provider_ids": {"type": "keyword"},
        "name": {"type": "keyword", "index": False},
        "created_at": {"type": "date"},
        "expires_at": {"type": "date"},
        "revoked_at": {"type": "date"},
    },
}


class GatewayIndices:
    """The engine connection and lazily created indices of one gateway store; errors become `unavailable`."""

    def __init__(self, url: str, mappings: dict[str, dict], unavailable: type[Exception]):
        self.config = EngineConfig.from_url(url)
        self.client = EngineClient(self.config)
        self.names = IndexNames(self.config.prefix)
        self.mappings = mappings
        self.unavailable = unavailable
        self._ready = False
        self._lock = threading.Lock()
        # A server of a major the client does not speak stops start-up here; a down one is asked later.
        self.client.check_version()

    def alias(self, kind: str) -> str:
        return self.names.alias(kind)

    @contextlib.contextmanager
    def errors(self) -> Iterator[None]:
        """The engine's failures as the store's own `unavailable` error; indices are made on first use."""
        try:
            if not self._ready:
                with self._lock:
                    if not self._ready:
                        if not self.client.check_version():
                            raise StoreUnavailable("search engine unreachable")
                        ensure_indices(self.client, self.names, self.config, self.mappings)
                        self._ready = True
            yield
        except (StoreUnavailable, WriteBlocked) as err:
            raise self.unavailable(str(err)) from err

    def ping(self) -> bool:
        try:
            if self.client.health().get("status") not in ("green", "yellow"):
                return False
            # Every time, as the directory does: indices deleted by hand come back before writes need them.
            ensure_indices(self.client, self.names, self.config, self.mappings)
        except Exception:  # noqa: BLE001 - any failure to answer means not ready
            return False
        return True

    def walk(self, kind: str, query: dict, sort: list[dict]) -> Iterator[dict]:
        """Every hit of a query in a unique sort order (`search_after`; no scroll, no point in time)."""
        after = None
        while True:
            body = {"query": query, "sort": sort, "size": WALK_CHUNK, "seq_no_primary_term": True,
                    "track_total_hits": False}
            if after is not None:
                body["search_after"] = after
            hits = self.client.search(self.alias(kind), body)["hits"]["hits"]
            yield from hits
            if len(hits) < WALK_CHUNK:
                return
            after = hits[-1]["sort"]

    def update(self, kind: str, doc_id: str, script: dict, *, retry_on_conflict: int = 5) -> bool:
        """Change one document in place with a script; False when the document does not exist."""
        client = self.client
        params = {"retry_on_conflict": retry_on_conflict, "require_alias": True}
        if client.flavour == "elasticsearch":
            found = client._call(client._client.update, index=self.alias(kind), id=doc_id, script=script,
                                 missing="document", **params)
        else:
            found = client._call(client._client.update, index=self.alias(kind), id=doc_id,
                                 body={"script": script}, missing="document", **params)
        return found is not None

    def delete_all(self, kind: str, ids: list[str]) -> int:
        """Delete documents by id with bulk requests; returns how many existed."""
        deleted = 0
        for start in range(0, len(ids), WALK_CHUNK):
            chunk = ids[start:start + WALK_CHUNK]
            actions = [{"_op_type": "delete", "_index": self.alias(kind), "_id": doc_id} for doc_id in chunk]
            failed = self.client.bulk(actions, refresh=False, require_alias=True)
            missing = sum(1 for item in failed if next(iter(item.values())).get("status") == 404)
            if len(failed) > missing:
                raise self.unavailable("deleting documents failed")
            deleted += len(chunk) - missing
        return deleted

    def optimistic(self, change: Callable[[], object]):
        """Run a read-check-write with `if_seq_no`; on a conflict read again (short random pauses)."""
        for _ in range(CONFLICT_RETRIES):
            try:
                return change()
            except VersionConflict:
                time.sleep(random.uniform(0, 0.01))
        raise self.unavailable("too many concurrent changes to one document")

    def close(self) -> None:
        self.client.close()


def iso(moment: datetime | None, timespec: str = "seconds") -> str | None:
    return None if moment is None else moment.astimezone(timezone.utc).isoformat(timespec=timespec)


def parse(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


class SearchEngineAuthStore(AuthStore):
    def __init__(self, url: str):
        self.engine = GatewayIndices(url, {TOKENS: TOKEN_MAPPINGS}, AuthStoreUnavailable)
        self.tokens = self.engine.alias(TOKENS)

    def ping(self) -> bool:
        return self.engine.ping()

    def close(self) -> None:
        self.engine.close()

    def issue(self, role, provider_ids, name, expires_at, now):
        token_id = str(uuid.uuid4())
        plaintext = new_token()
        document = {"id": token_id, "token_hash": hash_token(plaintext), "role": role,
                    "provider_ids": list(provider_ids), "name": name or "", "created_at": iso(now),
                    "expires_at": iso(expires_at), "revoked_at": None}
        with self.engine.errors():
            self.engine.client.index(self.tokens, document["token_hash"], document, op_type="create",
                                     require_alias=True)
        return token_id, plaintext

    def find_by_hash(self, token_hash: str) -> ApiToken | None:
        with self.engine.errors():
            found = self.engine.client.get(self.tokens, token_hash)
        return None if found is None else _token(found["_source"])

    def get(self, token_id: str) -> ApiToken | None:
        hit = self._hit_of(token_id)
        return None if hit is None else _token(hit["_source"])

    def revoke(self, token_id: str, now: datetime) -> bool:
        hit = self._hit_of(token_id)
        if hit is None:
            return False
        token_hash = hit["_id"]

        def revoke_once() -> bool:
            found = self.engine.client.get(self.tokens, token_hash)
            if found is None:
                return False
            source = found["_source"]
            if source.get("revoked_at") is None:  # revoking twice keeps the first time
                self.engine.client.index(self.tokens, token_hash, {**source, "revoked_at": iso(now)},
                                         if_seq_no=found["_seq_no"], if_primary_term=found["_primary_term"],
                                         require_alias=True)
            return True

        with self.engine.errors():
            return self.engine.optimistic(revoke_once)

    def list(self) -> list[ApiToken]:
        with self.engine.errors():
            self.engine.client.refresh(self.tokens)  # tokens issued a moment ago on any replica are listed too
            hits = list(self.engine.walk(TOKENS, {"match_all": {}}, [{"created_at": "desc"}, {"id": "asc"}]))
        return [_token(hit["_source"]) for hit in hits]

    def _hit_of(self, token_id: str) -> dict | None:
        with self.engine.errors():
            self.engine.client.refresh(self.tokens)
            hits = self.engine.client.search(self.tokens, {"query": {"term": {"id": token_id}}, "size": 1})
        found = hits["hits"]["hits"]
        return found[0] if found else None


def _token(source: dict) -> ApiToken:
    return ApiToken(id=source["id"], token_hash=source["token_hash"], role=source["role"],
                    provider_ids=tuple(source["provider_ids"]), name=source["name"],
                    created_at=parse(source["created_at"]), expires_at=parse(source.get("expires_at")),
                    revoked_at=parse(source.get("revoked_at")))
