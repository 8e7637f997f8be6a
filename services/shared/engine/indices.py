"""Indices behind aliases on the search engine, for every service that keeps data there: names, settings,
creating them, and rebuilding them behind their aliases without downtime."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

from .client import EngineClient, EngineConfig

COPY_CHUNK = 500
Progress = Callable[[str, int, int], None]

ANALYSIS = {
    "analyzer": {
        # Accents and case never matter: "coördinatie" and "Coordinatie" are one word.
        "folded": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase", "asciifolding"]},
        # Word endings neither: "trafficked" finds "trafficking", as the embedded store's porter tokenizer does.
        "folded_stemmed": {"type": "custom", "tokenizer": "standard",
                           "filter": ["lowercase", "asciifolding", "porter_stem"]},
    }
}


@dataclass(frozen=True)
class IndexNames:
    """Alias and versioned index names under one configurable prefix."""

    prefix: str = ""

    def alias(self, kind: str) -> str:
        return f"{self.prefix}haven-{kind}"

    def versioned(self, kind: str, version: int) -> str:
        return f"{self.alias(kind)}-v{version}"

    def version_of(self, kind: str, index: str) -> int:
        stem = f"{self.alias(kind)}-v"
        if not index.startswith(stem) or not index[len(stem):].isdigit():
            raise ValueError(f"{index} is not a versioned {kind} index")
        return int(index[len(stem):])


def index_settings(*, shards: int, replicas: str, refresh_interval: str) -> dict:
    return {"index": {"number_of_shards": shards, "auto_expand_replicas": replicas,
                      "refresh_interval": refresh_interval},
            "analysis": ANALYSIS}


def settings_for(config: EngineConfig) -> dict:
    return index_settings(shards=config.shards, replicas=config.replicas, refresh_interval=config.refresh_interval)


def ensure_indices(client: EngineClient, names: IndexNames, config: EngineConfig, mappings: dict[str, dict]) -> None:
    """Create `<alias>-v1` with its alias for every kind (of `mappings`: kind -> mappings) whose alias does not
    exist yet (safe to race)."""
    for kind, kind_mappings in mappings.items():
        alias = names.alias(kind)
        if client.alias_targets(alias):
            continue
        first = names.versioned(kind, 1)
        # The alias is created with the index in one request: no reader ever sees one without the other.
        if not client.create_index(first, settings_for(config), kind_mappings, aliases={alias: {}}):
            if not client.alias_targets(alias):
                client.update_aliases([{"add": {"index": first, "alias": alias}}])


def current_index(client: EngineClient, names: IndexNames, kind: str) -> str:
    targets = client.alias_targets(names.alias(kind))
    if len(targets) != 1:
        raise RuntimeError(f"alias {names.alias(kind)} points to {targets or 'nothing'}, expected one index")
    return targets[0]


def reindex(client: EngineClient, names: IndexNames, config: EngineConfig, mappings: dict[str, dict], *,
            kinds=None, progress: Progress | None = None) -> dict[str, tuple[str, str]]:
    """Rebuild each kind's index with the current mappings and switch its alias; returns kind -> (old, new).

    Reads and writes go on throughout. The documents are copied once while writes continue; then
    the old index refuses writes for the moment it takes to copy what changed meanwhile and switch
    the alias in one atomic step (writers wait that moment out and retry against the new index);
    the old index is deleted last.
    """
    ensure_indices(client, names, config, mappings)
    switched = {}
    for kind in kinds or tuple(mappings):
        old = current_index(client, names, kind)
        new = names.versioned(kind, names.version_of(kind, old) + 1)
        if client.index_exists(new):
            client.delete_index(new)  # left by an interrupted run; never behind the alias
        client.create_index(new, settings_for(config), mappings[kind])
        try:
            client.refresh(old)
            total = client.count(old)
            copied = _copy(client, old, new, {}, lambda done: progress and progress(kind, done, total))
            client.put_settings(old, {"index.blocks.write": True})
            client.refresh(old)
            _copy(client, old, new, copied, None, delete_missing=True)
            client.refresh(new)
            client.update_aliases([{"remove": {"index": old, "alias": names.alias(kind)}},
                                   {"add": {"index": new, "alias": names.alias(kind)}}])
        except BaseException:
            client.put_settings(old, {"index.blocks.write": False})
            client.delete_index(new)
            raise
        client.delete_index(old)
        switched[kind] = (old, new)
    return switched


def _copy(client: EngineClient, source: str, target: str, known: dict[str, int],
          report: Callable[[int], object] | None, *, delete_missing: bool = False) -> dict[str, int]:
    """Copy documents whose sequence number differs from `known`; returns id -> sequence number of all seen."""
    seen: dict[str, int] = {}
    done = 0
    batch: list[dict] = []
    for hit in _walk_by_id(client, source):
        seen[hit["_id"]] = hit["_seq_no"]
        if known.get(hit["_id"]) != hit["_seq_no"]:
            batch.append({"_op_type": "index", "_index": target, "_id": hit["_id"], "_source": hit["_source"]})
        done += 1
        if len(batch) >= COPY_CHUNK:
            _send(client, batch)
            batch = []
        if report and done % COPY_CHUNK == 0:
            report(done)
    if delete_missing:
        batch += [{"_op_type": "delete", "_index": target, "_id": doc_id} for doc_id in known.keys() - seen.keys()]
    _send(client, batch)
    if report:
        report(done)
    return seen


def _send(client: EngineClient, actions: list[dict]) -> None:
    if not actions:
        return
    failed = [item for item in client.bulk(actions, refresh=False)
              if next(iter(item.values())).get("status") != 404]
    if failed:
        raise RuntimeError(f"copying documents failed: {failed[:3]}")


def _walk_by_id(client: EngineClient, index: str) -> Iterator[dict]:
    return client.walk(index, {"query": {"match_all": {}}, "sort": [{"id": "asc"}], "seq_no_primary_term": True},
                       chunk=COPY_CHUNK)


def drop_indices(client: EngineClient, names: IndexNames, kinds) -> None:
    """Delete every index behind this prefix's aliases (tests, and tearing an instance down)."""
    for kind in kinds:
        for index in client.alias_targets(names.alias(kind)):
            client.delete_index(index)


def empty_indices(client: EngineClient, names: IndexNames, kinds) -> None:
    """Delete every document behind this prefix's aliases, keeping the indices (quicker than recreating them).

    Document by document through the bulk API: delete-by-query lives in a module a minimal node may lack.
    Every document needs a keyword `id` field (the walk sorts on it).
    """
    for kind in kinds:
        alias = names.alias(kind)
        client.refresh(alias)
        ids = [hit["_id"] for hit in _walk_by_id(client, alias)]
        _send(client, [{"_op_type": "delete", "_index": alias, "_id": doc_id} for doc_id in ids])
        client.refresh(alias)
