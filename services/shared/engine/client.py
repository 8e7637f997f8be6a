"""One small client over Elasticsearch and OpenSearch: the calls the directory makes, the same for both.

The official clients differ in call signatures (keyword arguments against a `body`) and in their
exception classes; everything else in the search-engine store is written once against this class.
Errors come out as three kinds: `StoreUnavailable` (the engine cannot be reached, timed out or is
overloaded), `VersionConflict` (an optimistic-concurrency check failed) and `WriteBlocked` (the index
is read-only for a moment, as during a reindex); anything else is a programming error and propagates.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Iterator
from urllib.parse import parse_qs, unquote, urlsplit

from ..stores import StoreUnavailable
from .version import installed_client_version, require_compatible

SCHEMES = {"elasticsearch+http": ("elasticsearch", "http"), "elasticsearch+https": ("elasticsearch", "https"),
           "opensearch+http": ("opensearch", "http"), "opensearch+https": ("opensearch", "https")}
OPTIONS = {"prefix", "timeout", "max_retries", "refresh_interval", "shards", "replicas", "verify_certs"}
UNAVAILABLE_STATUSES = {429, 502, 503, 504}
INDICES_MISSING = "the store's indices are missing; /readyz recreates them"
ADMIN_TIMEOUT = 60.0
POOL_SIZE = 16  # connections kept per host (OpenSearch client); the Elasticsearch client keeps 10 by default
_PREFIX = re.compile(r"(?:[a-z0-9][a-z0-9._-]*)?")


def is_engine_url(url: str | None) -> bool:
    """Whether a store URL names a search engine (`elasticsearch+…` or `opensearch+…`)."""
    return bool(url) and url.split("://", 1)[0] in SCHEMES


class VersionConflict(Exception):
    """The document changed since it was read (409)."""


class WriteBlocked(Exception):
    """The index refuses writes for now (a reindex is switching it); try again shortly."""


@dataclass(frozen=True)
class EngineConfig:
    """What a store URL says: which client, where, and the few tunables tests and operators need."""

    flavour: str
    hosts: tuple[str, ...]
    username: str | None = None
    password: str | None = None
    prefix: str = ""
    timeout: float = 5.0
    max_retries: int = 1
    refresh: str = "true"  # how provider edits become searchable: "true" or "wait_for"
    refresh_interval: str = "1s"
    shards: int = 1
    replicas: str = "0-1"
    verify_certs: bool = True

    @classmethod
    def from_url(cls, url: str) -> "EngineConfig":
        """`opensearch+http://user:pass@host:9200,host2:9200/?prefix=test-&timeout=3`."""
        parts = urlsplit(url)
        if parts.scheme not in SCHEMES:
            raise ValueError(f"unsupported search-engine URL scheme: {parts.scheme}")
        flavour, transport = SCHEMES[parts.scheme]
        netloc = parts.netloc
        username = password = None
        if "@" in netloc:
            credentials, netloc = netloc.rsplit("@", 1)
            username, _, password = credentials.partition(":")
            username, password = unquote(username), unquote(password)
        if not netloc:
            raise ValueError("the search-engine URL names no host")
        hosts = tuple(f"{transport}://{host}" for host in netloc.split(","))
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        refresh = query.pop("refresh", "true")
        if refresh not in ("true", "wait_for"):
            raise ValueError("refresh must be true or wait_for")
        unknown = set(query) - OPTIONS
        if unknown:
            raise ValueError(f"unknown search-engine URL options: {', '.join(sorted(unknown))}")
        if not _PREFIX.fullmatch(query.get("prefix", "")):
            raise ValueError("prefix: lower-case letters, digits, '.', '_' and '-', starting with a letter or digit")
        return cls(
            flavour=flavour, hosts=hosts, username=username or None, password=password or None,
            prefix=query.pop("prefix", ""), timeout=float(query.pop("timeout", 5.0)),
            max_retries=int(query.pop("max_retries", 1)), refresh=refresh,
            refresh_interval=query.pop("refresh_interval", "1s"), shards=int(query.pop("shards", 1)),
            replicas=query.pop("replicas", "0-1"),
            verify_certs=query.pop("verify_certs", "true").lower() not in ("0", "false", "no"),
        )


class EngineClient:
    """The directory's calls, for either official client."""

    def __init__(self, config: EngineConfig):
        self.config = config
        self.flavour = config.flavour
        if config.flavour == "elasticsearch":
            import elasticsearch
            from elasticsearch import helpers

            auth = {"basic_auth": (config.username, config.password or "")} if config.username else {}

            def connect(timeout: float):
                return elasticsearch.Elasticsearch(
                    list(config.hosts), request_timeout=timeout, max_retries=config.max_retries,
                    retry_on_timeout=False, verify_certs=config.verify_certs, **auth)

            self._unreachable = (elasticsearch.ConnectionError, elasticsearch.ConnectionTimeout)
            self._api_error = elasticsearch.ApiError
            self._transport_error = elasticsearch.TransportError
        else:
            import opensearchpy
            from opensearchpy import helpers

            auth = {"http_auth": (config.username, config.password or "")} if config.username else {}

            def connect(timeout: float):
                # The client keeps one connection per host unless told otherwise: every request that overlaps
                # another (a worker's threads, its background task) would open a connection and drop it after.
                return opensearchpy.OpenSearch(
                    list(config.hosts), timeout=timeout, max_retries=config.max_retries,
                    retry_on_timeout=False, verify_certs=config.verify_certs, pool_maxsize=POOL_SIZE, **auth)

            self._unreachable = (opensearchpy.ConnectionError,)
            self._api_error = opensearchpy.TransportError
            self._transport_error = opensearchpy.TransportError
        self._helpers = helpers
        # Requests answer within the short timeout or the directory says 503; creating an index, switching
        # aliases and bulk loads may take the cluster longer, so they go through a patient second client.
        self._client = connect(config.timeout)
        self._admin = connect(max(config.timeout, ADMIN_TIMEOUT))
        self._version_checked = False

    def check_version(self) -> bool:
        """Refuse a server the installed client does not speak (EngineVersionMismatch); False when unreachable.

        Asked with plain HTTP: the client itself may be refused by a server of another major before it can
        read the version.
        """
        if self._version_checked:
            return True
        info = server_info(self.config)
        if info is None:
            return False
        require_compatible(self.flavour, info, installed_client_version(self.flavour))
        self._version_checked = True
        return True

    # -- error translation -------------------------------------------------------------------
    def _translate(self, err: Exception) -> Exception:
        if isinstance(err, self._unreachable):
            return StoreUnavailable(f"search engine unreachable: {type(err).__name__}")
        if isinstance(err, self._api_error):
            return _answer_error(_status(err), _error_type(err), str(err)) or err
        if isinstance(err, self._transport_error):
            return StoreUnavailable(f"search engine transport error: {type(err).__name__}")
        return err

    def _call(self, method, *args, missing: str | None = None, **kwargs):
        """Run one client call; a 404 answers `None` when `missing` allows it.

        `missing="document"` allows a missing document only: a missing index is the store being
        unavailable, never "not found". `missing="any"` allows a missing index or alias too.
        """
        try:
            return method(*args, **kwargs)
        except Exception as err:  # noqa: BLE001 - translated below, anything unknown is re-raised
            if missing and isinstance(err, self._api_error) and _status(err) == 404 and (
                    missing == "any" or _error_type(err) != "index_not_found_exception"):
                return None
            translated = self._translate(err)
            if translated is err:
                raise
            raise translated from err

    # -- documents ---------------------------------------------------------------------------
    def get(self, index: str, doc_id: str) -> dict | None:
        """The document with `_seq_no` and `_primary_term`, read in real time; None when absent."""
        found = self._call(self._client.get, index=index, id=doc_id, missing="document")
        if found is None or not found.get("found"):
            return None
        return dict(found)

    def mget(self, index: str, ids: list[str]) -> dict[str, dict]:
        """Found documents by id, each with `_seq_no` and `_primary_term`."""
        if not ids:
            return {}
        if self.flavour == "elasticsearch":
            answer = self._call(self._client.mget, index=index, ids=ids)
        else:
            answer = self._call(self._client.mget, index=index, body={"ids": ids})
        return {doc["_id"]: dict(doc) for doc in answer["docs"] if doc.get("found")}

    def index(self, index: str, doc_id: str, document: dict, *, refresh: str | bool | None = None,
              if_seq_no: int | None = None, if_primary_term: int | None = None,
              op_type: str | None = None, require_alias: bool = False) -> dict:
        """Write one document; with `require_alias` a missing alias fails instead of auto-creating an index."""
        params: dict[str, Any] = {"require_alias": True} if require_alias else {}
        if refresh is not None:
            params["refresh"] = refresh
        if if_seq_no is not None:
            params.update(if_seq_no=if_seq_no, if_primary_term=if_primary_term)
        if op_type is not None:
            params["op_type"] = op_type
        if self.flavour == "elasticsearch":
            return self._call(self._client.index, index=index, id=doc_id, document=document, **params)
        return self._call(self._client.index, index=index, id=doc_id, body=document, **params)

    def delete(self, index: str, doc_id: str, *, refresh: str | bool | None = None,
               if_seq_no: int | None = None, if_primary_term: int | None = None) -> bool:
        params: dict[str, Any] = {}
        if refresh is not None:
            params["refresh"] = refresh
        if if_seq_no is not None:
            params.update(if_seq_no=if_seq_no, if_primary_term=if_primary_term)
        return self._call(self._client.delete, index=index, id=doc_id, missing="document", **params) is not None

    def delete_older(self, index: str, field: str, before: float) -> None:
        """Delete the documents whose numeric `field` is below `before`, without waiting for it."""
        query = {"range": {field: {"lt": before}}}
        if self.flavour == "elasticsearch":
            self._call(self._client.delete_by_query, index=index, query=query, wait_for_completion=False,
                       conflicts="proceed")
        else:
            self._call(self._client.delete_by_query, index=index, body={"query": query},
                       wait_for_completion=False, conflicts="proceed")

    def search(self, index: str, body: dict) -> dict:
        if self.flavour == "elasticsearch":
            return self._call(self._client.search, index=index, **_es_search_args(body))
        return self._call(self._client.search, index=index, body=body)

    def walk(self, index: str, body: dict, *, chunk: int = 1000) -> Iterator[dict]:
        """Every hit of a search in its sort order (which must end on a unique field), `chunk` hits a request,
        with search_after (no scroll, no point in time)."""
        after = None
        while True:
            request = dict(body, size=chunk, track_total_hits=False)
            if after is not None:
                request["search_after"] = after
            hits = self.search(index, request)["hits"]["hits"]
            yield from hits
            if len(hits) < chunk:
                return
            after = hits[-1]["sort"]

    def msearch(self, index: str, bodies: list[dict]) -> list[dict]:
        """Several searches of one index in one request: their answers in the same order.

        A search that failed inside the request fails the call, translated as a failed search would be.
        """
        searches: list[dict] = []
        for body in bodies:
            searches += [{}, body]  # an empty header: the index is the one in the path
        if self.flavour == "elasticsearch":
            answer = self._call(self._client.msearch, index=index, searches=searches)
        else:
            answer = self._call(self._client.msearch, index=index, body=searches)
        responses = list(answer["responses"])
        for response in responses:
            if "error" in response:
                raise _msearch_failure(response)
        return responses

    def count(self, index: str, query: dict | None = None) -> int:
        if self.flavour == "elasticsearch":
            answer = self._call(self._client.count, index=index, query=query or {"match_all": {}})
        else:
            answer = self._call(self._client.count, index=index, body={"query": query or {"match_all": {}}})
        return int(answer["count"])

    def bulk(self, actions: Iterable[dict], *, refresh: str | bool | None = None, chunk_size: int = 500,
             require_alias: bool = False) -> list[dict]:
        """Send actions with the client's bulk helper; returns the failed items (empty when all went in)."""
        params: dict[str, Any] = {} if refresh is None else {"refresh": refresh}
        if require_alias:
            params["require_alias"] = True
        try:
            _, errors = self._helpers.bulk(self._admin, actions, chunk_size=chunk_size, raise_on_error=False,
                                           raise_on_exception=True, max_retries=0, **params)
        except Exception as err:  # noqa: BLE001 - translated below
            translated = self._translate(err)
            if translated is err:
                raise
            raise translated from err
        errors = list(errors)
        if any(_item_error_type(item) == "cluster_block_exception" for item in errors):
            raise WriteBlocked("bulk write refused by an index write block")
        if any(_item_error_type(item) == "index_not_found_exception" for item in errors):
            raise StoreUnavailable(INDICES_MISSING)
        return errors

    # -- indices and the cluster -------------------------------------------------------------
    def health(self) -> dict:
        return dict(self._call(self._client.cluster.health))

    def alias_targets(self, alias: str) -> list[str]:
        """The indices an alias points to; empty when the alias does not exist."""
        answer = self._call(self._client.indices.get_alias, name=alias, missing="any")
        return sorted(answer.keys()) if answer else []

    def create_index(self, name: str, settings: dict, mappings: dict, aliases: dict | None = None) -> bool:
        """Create an index (with aliases, atomically); False when it already exists."""
        body = {"settings": settings, "mappings": mappings}
        if aliases:
            body["aliases"] = aliases
        try:
            if self.flavour == "elasticsearch":
                self._call(self._admin.indices.create, index=name, **body)
            else:
                self._call(self._admin.indices.create, index=name, body=body)
        except Exception as err:
            if _error_type(err) == "resource_already_exists_exception":
                return False
            raise
        return True

    def index_exists(self, name: str) -> bool:
        return bool(self._call(self._client.indices.exists, index=name))

    def update_aliases(self, actions: list[dict]) -> None:
        if self.flavour == "elasticsearch":
            self._call(self._admin.indices.update_aliases, actions=actions)
        else:
            self._call(self._admin.indices.update_aliases, body={"actions": actions})

    def put_settings(self, index: str, settings: dict) -> None:
        if self.flavour == "elasticsearch":
            self._call(self._admin.indices.put_settings, index=index, settings=settings)
        else:
            self._call(self._admin.indices.put_settings, index=index, body=settings)

    def delete_index(self, name: str) -> None:
        self._call(self._admin.indices.delete, index=name, missing="any")

    def refresh(self, index: str, *, patient: bool = True) -> None:
        """Make what was written to `index` searchable; a read that refreshes first is not `patient`: it keeps
        to the request timeout."""
        self._call((self._admin if patient else self._client).indices.refresh, index=index)

    def checkpoint(self, index: str) -> tuple[str, int]:
        """The index behind `index` (an alias) and its first shard's global checkpoint: every operation numbered
        (`_seq_no`) up to it has been carried out on every in-sync copy."""
        answer = self._call(self._client.indices.stats, index=index, level="shards", filter_path=[
            "indices.*.shards.*.routing.primary", "indices.*.shards.*.seq_no.global_checkpoint"])
        (name, stats), = answer["indices"].items()
        primary = next(copy for copy in stats["shards"]["0"] if copy["routing"]["primary"])
        return name, primary["seq_no"]["global_checkpoint"]

    def get_mapping(self, index: str) -> dict:
        return dict(self._call(self._client.indices.get_mapping, index=index))

    def put_mapping(self, index: str, properties: dict) -> None:
        """Add fields to an index's mappings (existing fields cannot change this way)."""
        if self.flavour == "elasticsearch":
            self._call(self._admin.indices.put_mapping, index=index, properties=properties)
        else:
            self._call(self._admin.indices.put_mapping, index=index, body={"properties": properties})

    def close(self) -> None:
        self._client.close()
        self._admin.close()


def server_info(config: EngineConfig) -> dict | None:
    """The answer of the first host to `GET /` (name, version), or None when none answers."""
    import requests

    auth = (config.username, config.password or "") if config.username else None
    for host in config.hosts:
        try:
            answer = requests.get(host + "/", auth=auth, timeout=config.timeout, verify=config.verify_certs)
        except requests.RequestException:
            continue
        if answer.ok:
            try:
                return answer.json()
            except ValueError:
                continue
    return None


def _status(err: Exception) -> int | str | None:
    status = getattr(err, "status_code", None)
    if status is None and getattr(err, "meta", None) is not None:
        status = getattr(err.meta, "status", None)
    return status


def _error_type(err: Exception) -> str | None:
    """The engine's error type (`version_conflict_engine_exception`, ...), from either client."""
    body = getattr(err, "info", None)
    if not isinstance(body, dict):
        body = getattr(err, "body", None)
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            return error.get("type")
        if isinstance(error, str):
            return error
    error = getattr(err, "error", None)
    return error if isinstance(error, str) else None


def _answer_error(status: int | str | None, kind: str | None, text: str) -> Exception | None:
    """The store's error for an engine answer with this status and error type, None for any other."""
    if status == 409:
        return VersionConflict(kind or "version conflict")
    if kind == "index_not_found_exception":
        return StoreUnavailable(INDICES_MISSING)
    if kind == "cluster_block_exception" and "write" in text.lower():
        return WriteBlocked(text[:300])
    if status in UNAVAILABLE_STATUSES or (isinstance(status, int) and status >= 500):
        return StoreUnavailable(f"search engine answered {status}: {kind}")
    return None


def _msearch_failure(response: dict) -> Exception:
    """One failed search of a multi-search as the error a search on its own raises."""
    error = response["error"]
    kind = error.get("type") if isinstance(error, dict) else str(error)
    status = response.get("status")
    return (_answer_error(status, kind, str(error))
            or RuntimeError(f"search failed in a multi-search ({status}): {str(error)[:300]}"))


def _item_error_type(item: dict) -> str | None:
    error = next(iter(item.values()), {}).get("error")
    return error.get("type") if isinstance(error, dict) else None


def _es_search_args(body: dict) -> dict:
    """A search body as the Elasticsearch client's keyword arguments."""
    renamed = {"from": "from_", "_source": "source"}
    return {renamed.get(key, key): value for key, value in body.items()}
