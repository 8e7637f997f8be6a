"""What only the search-engine store has: reindexing behind aliases, migration, many processes, a dead engine."""
from __future__ import annotations

import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests

from services.cli import main as haven
from services.directory import create_app as create_directory
from services.directory.domain.queries import AuditFilter, CandidateQuery, ReferralFilter, SearchQuery
from services.directory.domain.referrals import InvalidTransition, NoCapacity, Referral, TooManyPending, hold_until
from services.directory.domain.rules import iso, utc_now
from services.directory.settings import DirectorySettings
from services.directory.store import AuditEntry, StoreUnavailable
from services.directory.store.search_engine import CASE_GRACE, SearchEngineDirectoryStore, case_key
from services.directory.store.sqlite import SqliteDirectoryStore
from services.shared.signing import Claims
from tests.support.engine import URL_ENV, EngineUnavailable, free_port, start_engine
from services.directory.store.search_engine_mappings import CASE_KINDS
from services.shared.engine.indices import drop_indices
from tests.support.engine_store import engine_store, fresh_prefix, require_engine, store_url
from tests.support.factories import provider
from tests.support.processes import start_gunicorn
from tests.support.requirements import require
from tests.support.signed import SignedFlaskClient, signed_request

pytestmark = pytest.mark.engine

SECRET = "engine-test-secret"


def audit(action: str = "test.write", target: str | None = None, now=None) -> AuditEntry:
    return AuditEntry(at=iso(now or utc_now()), actor="admin:1", role="admin", action=action, target=target,
                      request_id=None)


def record(now, **overrides) -> dict:
    made = provider(**overrides)
    made["capacity"]["updated"] = iso(now)
    return made


def refer(store, provider_id: str, now, minutes: int = 240, case_reference: str | None = None,
          max_pending: int | None = None) -> Referral:
    referral = Referral(id=str(uuid.uuid4()), provider_id=provider_id, need="shelter",
                        case_reference=case_reference or f"case-{uuid.uuid4().hex[:8]}", status="pending", created_by="caseworker:1",
                        created_at=iso(now), expires_at=hold_until(now, minutes), updated_at=iso(now))
    return store.create_referral(referral, now, audit("referral.create", referral.id, now), max_pending=max_pending)


def snapshot(store, now) -> dict:
    """Everything a store holds, in comparable form."""
    return {
        "providers": list(store.iter_providers(now)),
        "referrals": [r.to_dict() for r in store.list_referrals(ReferralFilter(size=1000), now).items],
        "audit": [e.__dict__ for e in store.list_audit(AuditFilter(size=1000)).items],
    }


@pytest.fixture
def engine_url():
    return require_engine()


# -- reindex ---------------------------------------------------------------------------------

def test_reindex_moves_every_alias_to_a_new_index_and_keeps_every_document(engine_url):
    now = utc_now()
    with engine_store(fresh_prefix()) as store:
        shelters = [store.put_provider(record(now, name=f"Opvang {n}", description="Coördinatie van zorg"),
                                       audit("provider.create"))
                    for n in range(12)]
        held = refer(store, shelters[3]["id"], now)
        refer(store, shelters[4]["id"], now)
        store.transition_referral(held.id, "accepted", now, audit("referral.accept", held.id, now))
        before = snapshot(store, now)
        kinds = ("providers", "referrals", "audit")
        old = {kind: store.client.alias_targets(store.names.alias(kind)) for kind in kinds}

        url = store_url(engine_url, store.names.prefix)
        assert haven(["reindex", "--store", url, "--quiet"]) == 0

        for kind, [old_index] in old.items():
            assert store.client.alias_targets(store.names.alias(kind)) == [store.names.versioned(kind, 2)]
            assert old_index == store.names.versioned(kind, 1)
            assert not store.client.index_exists(old_index)
        after = snapshot(store, now)
        assert after["providers"] == before["providers"]
        assert after["referrals"] == before["referrals"]
        assert after["audit"][1:] == before["audit"]
        assert after["audit"][0]["action"] == "store.reindex"
        # The analysers and the capacity script came along with the mappings.
        assert store.search(SearchQuery(text="coordinatie", size=50), now).total == 12
        assert store.search(SearchQuery(available_only=True, size=50), now).total == 12
        assert store.get_provider(shelters[4]["id"], now)["capacity"]["held"] == 1

        assert haven(["reindex", "--store", url, "--quiet", "--kind", "providers"]) == 0
        assert store.client.alias_targets(store.names.alias("providers")) == [store.names.versioned("providers", 3)]


def test_writes_during_a_reindex_all_land_in_the_new_index(engine_url):
    now = utc_now()
    with engine_store(fresh_prefix()) as store:
        store.bulk_upsert([record(now, name=f"Bulk {n}") for n in range(3000)], audit("provider.import"))
        counted = store.put_provider(record(now, name="Teller", capacity={"available": 500, "maximum": 500}),
                                     audit("provider.create"))
        written, referred, failures = [], [], []
        done = threading.Event()

        def keep_writing():
            writer = SearchEngineDirectoryStore.from_url(store_url(engine_url, store.names.prefix))
            try:
                while not done.is_set():
                    try:
                        written.append(writer.put_provider(record(now, name="Tijdens"), audit())["id"])
                        referred.append(refer(writer, counted["id"], now).id)
                        loaded = [record(now, name="Geladen") for _ in range(3)]
                        writer.bulk_upsert(loaded, audit("provider.import"))
                        written.extend(r["id"] for r in loaded)
                    except Exception as err:  # noqa: BLE001 - every failure is reported below
                        failures.append(repr(err))
            finally:
                writer.close()

        thread = threading.Thread(target=keep_writing)
        thread.start()
        try:
            assert haven(["reindex", "--store", store_url(engine_url, store.names.prefix), "--quiet"]) == 0
        finally:
            done.set()
            thread.join(60)

        assert failures == []
        assert written and referred
        assert store.count_providers() == 3001 + len(written)
        assert all(store.get_provider(provider_id, now) for provider_id in written)
        assert store.get_provider(counted["id"], now)["capacity"]["held"] == len(referred)
        assert store.list_referrals(ReferralFilter(status="pending"), now).total == len(referred)


# -- migrate ---------------------------------------------------------------------------------

def test_migrate_copies_sqlite_to_the_engine_and_back_without_losing_anything(engine_url, tmp_path):
    now = utc_now()
    source = SqliteDirectoryStore(tmp_path / "source.db")
    shelters = [source.put_provider(record(now - timedelta(hours=n), name=f"Huis {n}",
                                           location={"confidential": n % 2 == 0}), audit("provider.create", None, now))
                for n in range(30)]
    pending = refer(source, shelters[0]["id"], now)
    accepted = refer(source, shelters[1]["id"], now, case_reference="case-2")
    source.transition_referral(accepted.id, "accepted", now, audit("referral.accept", accepted.id, now))
    refer(source, shelters[2]["id"], now - timedelta(hours=5), minutes=60)  # expired by now
    source.append_audit(audit("token.issue", "token:1", now))
    expected = snapshot(source, now)
    source.close()

    prefix = fresh_prefix()
    target_url = store_url(engine_url, prefix)
    with engine_store(prefix) as engine:
        assert haven(["migrate", "--from", f"sqlite:///{tmp_path / 'source.db'}", "--to", target_url, "-q"]) == 0
        copied = snapshot(engine, now)
        assert copied["providers"] == expected["providers"]
        assert copied["referrals"] == expected["referrals"]
        old_entries = [e for e in copied["audit"] if e["action"] not in ("provider.migrate", "store.migrate")]
        assert old_entries == expected["audit"]
        assert engine.get_provider(shelters[0]["id"], now)["capacity"]["held"] == 1
        assert engine.get_referral(pending.id).status == "pending"
        # And it counts for its case: the limit of pending referrals per case holds across the move.
        with pytest.raises(TooManyPending):
            refer(engine, shelters[1]["id"], now, case_reference=pending.case_reference, max_pending=1)
        # The copied hold still counts: the last free unit of the first shelter can go, not one more.
        free = shelters[0]["capacity"]["available"] - 1
        for _ in range(free):
            refer(engine, shelters[0]["id"], now)
        with pytest.raises(NoCapacity):
            refer(engine, shelters[0]["id"], now)

        # A target that already holds data is refused unless forced.
        assert haven(["migrate", "--from", f"sqlite:///{tmp_path / 'source.db'}", "--to", target_url, "-q"]) == 1

        back = tmp_path / "back.db"
        assert haven(["migrate", "--from", target_url, "--to", f"sqlite:///{back}", "-q"]) == 0
        round_trip = SqliteDirectoryStore(back)
        try:
            again = snapshot(round_trip, now)
            assert again["providers"] == snapshot(engine, now)["providers"]
            assert again["referrals"] == snapshot(engine, now)["referrals"]
        finally:
            round_trip.close()


# -- many processes --------------------------------------------------------------------------

FREE_UNITS = 7
ATTEMPTS = 200
THREADS = 50
START_S = 90  # a loaded CI machine can take a while to boot eight workers


@pytest.mark.integration
def test_two_directory_processes_on_one_engine_hold_exactly_the_free_units(engine_url, tmp_path):
    prefix = fresh_prefix()
    env = {"HAVEN_DATA_DIR": str(tmp_path), "HAVEN_INTERNAL_SECRET": SECRET, "HAVEN_LOG_LEVEL": "WARNING",
           "HAVEN_STORE_URL": store_url(engine_url, prefix)}
    with engine_store(prefix) as store, \
            start_gunicorn("services.directory:create_app()", env, workers=4, timeout=START_S) as first, \
            start_gunicorn("services.directory:create_app()", env, workers=4, timeout=START_S) as second:
        admin = Claims(role="admin", subject="admin:seed")
        body = provider(capacity={"available": FREE_UNITS, "maximum": FREE_UNITS})
        seeded = signed_request(first.url, SECRET.encode(), admin, "POST", "/providers", json_body=body)
        assert seeded.status_code == 201, seeded.text
        provider_id = seeded.json()["id"]

        sessions = threading.local()
        start = threading.Barrier(THREADS)

        def refer_over_http(n: int) -> int:
            if not hasattr(sessions, "session"):
                sessions.session = requests.Session()
                start.wait(timeout=30)
            service = (first, second)[n % 2]
            caseworker = Claims(role="caseworker", subject=f"caseworker:{n % 13}")
            return signed_request(service.url, SECRET.encode(), caseworker, "POST", "/referrals",
                                  session=sessions.session,
                                  json_body={"provider_id": provider_id, "need": "shelter",
                                             "case_reference": f"race-{n}"}).status_code

        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            statuses = Counter(pool.map(refer_over_http, range(ATTEMPTS)))

        assert statuses == {201: FREE_UNITS, 409: ATTEMPTS - FREE_UNITS}, (
            f"{statuses}\n{first.stderr_tail()}\n{second.stderr_tail()}")
        now = utc_now()
        assert store.get_provider(provider_id, now)["capacity"]["held"] == FREE_UNITS
        assert store.list_referrals(ReferralFilter(status="pending", size=100), now).total == FREE_UNITS
        assert store.list_referrals(ReferralFilter(size=100), now).total == FREE_UNITS
        for service in (first, second):
            seen = signed_request(service.url, SECRET.encode(), admin, "GET", f"/providers/{provider_id}")
            assert (seen.json()["capacity"]["held"], seen.json()["capacity"]["free"]) == (FREE_UNITS, 0)


# -- refreshes -------------------------------------------------------------------------------

class RefreshLog:
    """Every refresh a store asks the engine for: as a call, or as a write that waits for one."""

    def __init__(self, store):
        self.asked: list[str] = []
        client = store.client
        refresh, index, bulk = client.refresh, client.index, client.bulk

        def logged_refresh(name, **kwargs):
            self.asked.append(f"refresh {name}")
            return refresh(name, **kwargs)

        def logged_index(name, doc_id, document, **kwargs):
            if kwargs.get("refresh") not in (None, False, "false"):
                self.asked.append(f"index {name} refresh={kwargs['refresh']}")
            return index(name, doc_id, document, **kwargs)

        def logged_bulk(actions, **kwargs):
            if kwargs.get("refresh") not in (None, False, "false"):
                self.asked.append(f"bulk refresh={kwargs['refresh']}")
            return bulk(actions, **kwargs)

        client.refresh, client.index, client.bulk = logged_refresh, logged_index, logged_bulk


def test_a_referral_create_and_cancel_refresh_nothing_and_another_directory_still_sees_them_at_once(engine_url):
    prefix = fresh_prefix()
    now = utc_now()
    with engine_store(prefix) as writer, engine_store(prefix) as reader:
        shelter = writer.put_provider(record(now, capacity={"available": 1}), audit("provider.create", now=now))
        for store in (writer, reader):
            assert store.ping()
            for alias in (store.providers, store.referrals):
                store.client.put_settings(alias, {"index": {"refresh_interval": "-1"}})
        refreshes = RefreshLog(writer)

        referral = refer(writer, shelter["id"], now)
        assert refreshes.asked == []
        assert reader.search(SearchQuery(available_only=True), now).total == 0
        assert [r.id for r in reader.list_referrals(ReferralFilter(status="pending"), now).items] == [referral.id]

        writer.transition_referral(referral.id, "cancelled", now, audit("referral.cancel", referral.id, now))
        assert refreshes.asked == []
        assert reader.search(SearchQuery(available_only=True), now).total == 1
        (found, _distance), = reader.candidates(CandidateQuery(need="shelter", near=(52.0907, 5.1214)), now)
        assert found["capacity"]["held"] == 0
        assert [r.status for r in reader.list_referrals(ReferralFilter(), now).items] == ["cancelled"]


def test_the_limit_per_case_and_the_accept_that_ends_a_cases_other_referrals_refresh_nothing(engine_url):
    prefix = fresh_prefix()
    now = utc_now()
    with engine_store(prefix) as writer, engine_store(prefix) as other:
        shelters = [writer.put_provider(record(now, capacity={"available": 2}), audit("provider.create", now=now))
                    for _ in range(3)]
        for store in (writer, other):
            assert store.ping()
            for alias in (store.providers, store.referrals, store.cases):
                store.client.put_settings(alias, {"index": {"refresh_interval": "-1"}})
        refreshes = [RefreshLog(writer), RefreshLog(other)]

        first = refer(writer, shelters[0]["id"], now, case_reference="ZAAK-1", max_pending=2)
        second = refer(other, shelters[1]["id"], now, case_reference="ZAAK-1", max_pending=2)
        with pytest.raises(TooManyPending):
            refer(writer, shelters[2]["id"], now, case_reference="ZAAK-1", max_pending=2)
        with pytest.raises(TooManyPending):
            refer(other, shelters[2]["id"], now, case_reference="ZAAK-1", max_pending=2)
        unrelated = refer(other, shelters[2]["id"], now, case_reference="ZAAK-2", max_pending=2)

        other.transition_referral(first.id, "accepted", now, audit("referral.accept", first.id, now))
        assert writer.get_referral(second.id).status == "cancelled"
        assert writer.get_referral(unrelated.id).status == "pending"
        # Nothing of the case is pending any more (one accepted, which ended the other): room again.
        refer(writer, shelters[2]["id"], now, case_reference="ZAAK-1", max_pending=2)
        assert [log.asked for log in refreshes] == [[], []]


def test_a_referral_entered_in_its_case_but_not_written_counts_only_for_a_short_while(engine_url):
    now = utc_now()
    with engine_store() as store:
        shelter = store.put_provider(record(now, capacity={"available": 3}), audit("provider.create", now=now))
        refer(store, shelter["id"], now, case_reference="ZAAK-3")
        key = case_key("caseworker:1", "ZAAK-3", "shelter")
        written = store.client.get(store.cases, key)["_source"]["referrals"]
        # A hold taken by a directory that died before writing its referral: entered in the case, not written.
        unwritten = {"id": str(uuid.uuid4()), "created_at": iso(now), "expires_at": hold_until(now, 240)}
        store.client.index(store.cases, key, {"id": key, "referrals": written + [unwritten]}, refresh=False)

        with pytest.raises(TooManyPending):
            refer(store, shelter["id"], now, case_reference="ZAAK-3", max_pending=2)
        later = now + CASE_GRACE + timedelta(seconds=1)
        refer(store, shelter["id"], later, case_reference="ZAAK-3", max_pending=2)
        assert [entry["id"] for entry in store.client.get(store.cases, key)["_source"]["referrals"]][0] == written[0]["id"]
        assert unwritten["id"] not in [entry["id"] for entry in store.client.get(store.cases, key)["_source"]["referrals"]]


def test_pending_referrals_made_before_cases_were_kept_are_entered_in_their_cases_on_start(engine_url):
    prefix = fresh_prefix()
    now = utc_now()
    with engine_store(prefix) as before:
        shelters = [before.put_provider(record(now, capacity={"available": 2}), audit("provider.create", now=now))
                    for _ in range(3)]
        kept = refer(before, shelters[0]["id"], now, case_reference="ZAAK-4")
        ended = refer(before, shelters[1]["id"], now, case_reference="ZAAK-4")
        before.transition_referral(ended.id, "cancelled", now, audit("referral.cancel", ended.id, now))
        refer(before, shelters[1]["id"], now, case_reference="ZAAK-5")
        before.complete_unfinished_writes()  # the holds no longer carry their referrals
        drop_indices(before.client, before.names, CASE_KINDS)  # as a store made by an earlier version has none

        with engine_store(prefix) as after:
            assert after.ping()
            with pytest.raises(TooManyPending):
                refer(after, shelters[2]["id"], now, case_reference="ZAAK-4", max_pending=1)
            refer(after, shelters[2]["id"], now, case_reference="ZAAK-6", max_pending=1)
            assert [entry["id"] for entry in after.client.get(
                after.cases, case_key("caseworker:1", "ZAAK-4", "shelter"))["_source"]["referrals"]] == [kept.id]


def test_a_referral_made_from_a_provider_read_just_before_is_decided_on_the_provider_as_it_is_now(engine_url):
    """The read a request made to check the caller opens the hold's conditional write, never decides it alone."""
    prefix = fresh_prefix()
    now = utc_now()
    with engine_store(prefix) as first, engine_store(prefix) as second:
        full = first.put_provider(record(now, capacity={"available": 1}), audit("provider.create", now=now))
        empty = first.put_provider(record(now, capacity={"available": 0}), audit("provider.create", now=now))

        assert first.get_provider(full["id"], now)["capacity"]["available"] == 1
        second.set_capacity(full["id"], 0, None, now, audit("capacity.update", full["id"], now))
        with pytest.raises(NoCapacity):
            refer(first, full["id"], now)

        assert first.get_provider(empty["id"], now)["capacity"]["available"] == 0
        second.set_capacity(empty["id"], 1, None, now, audit("capacity.update", empty["id"], now))
        refer(first, empty["id"], now)
        assert first.get_provider(empty["id"], now)["capacity"]["held"] == 1


def test_a_referral_read_just_before_another_directory_moved_it_cannot_move_again(engine_url):
    prefix = fresh_prefix()
    now = utc_now()
    with engine_store(prefix) as first, engine_store(prefix) as second:
        shelter = first.put_provider(record(now, capacity={"available": 1}), audit("provider.create", now=now))
        referral = refer(first, shelter["id"], now)

        assert first.get_referral(referral.id).status == "pending"
        second.transition_referral(referral.id, "cancelled", now, audit("referral.cancel", referral.id, now))
        with pytest.raises(InvalidTransition):
            first.transition_referral(referral.id, "accepted", now, audit("referral.accept", referral.id, now))
        assert first.get_referral(referral.id).status == "cancelled"
        capacity = first.get_provider(shelter["id"], now)["capacity"]
        assert (capacity["available"], capacity["held"]) == (1, 0)  # the unit given back, never used


def test_a_cancel_writes_its_audit_entry_once_and_leaves_no_entry_on_the_provider_document(engine_url):
    now = utc_now()
    with engine_store() as store:
        shelter = store.put_provider(record(now, capacity={"available": 2}), audit("provider.create", now=now))
        store.set_capacity(shelter["id"], 2, None, now, audit("capacity.update", shelter["id"], now))
        first, second = refer(store, shelter["id"], now), refer(store, shelter["id"], now)

        store.transition_referral(first.id, "cancelled", now, audit("referral.cancel", first.id, now))
        assert store.client.get(store.providers, shelter["id"])["_source"]["unwritten_audit"] == []
        store.delete_provider(shelter["id"], audit("provider.delete", shelter["id"], now))
        store.transition_referral(second.id, "cancelled", now, audit("referral.cancel", second.id, now))

        entries = [(entry.action, entry.target) for entry in store.list_audit(AuditFilter(size=100)).items]
        assert sorted(entries) == sorted([
            ("provider.create", None), ("capacity.update", shelter["id"]),
            ("referral.create", first.id), ("referral.create", second.id), ("referral.cancel", first.id),
            ("provider.delete", shelter["id"]), ("referral.cancel", second.id)])


# -- a dead engine ---------------------------------------------------------------------------

def directory_on(url: str) -> SignedFlaskClient:
    settings = DirectorySettings(store_url=url, internal_secret=SECRET.encode())
    return SignedFlaskClient(create_directory({"SETTINGS": settings}), SECRET.encode(), "caseworker")


def test_a_directory_whose_engine_does_not_answer_starts_unready_and_answers_503(engine_url):
    closed = f"opensearch+http://127.0.0.1:{free_port()}/?prefix={fresh_prefix()}&timeout=2"
    caseworker = directory_on(closed)

    ready = caseworker.client.get("/readyz")
    assert (ready.status_code, ready.json["ready"]) == (503, False)
    found = caseworker.get("/providers", q="opvang")
    assert found.status_code == 503, found.json
    assert found.json["error"]["code"] == "store_unavailable"
    assert caseworker.get("/providers/00000000-0000-4000-8000-000000000000").status_code == 503


def test_stopping_the_engine_makes_the_directory_unready_and_its_searches_503(tmp_path, monkeypatch):
    # A node of its own: the shared one must survive this test.
    monkeypatch.delenv(URL_ENV, raising=False)
    try:
        node = start_engine(tmp_path)
    except EngineUnavailable as err:
        require(False, f"cannot start a dedicated search engine: {err}", "HAVEN_REQUIRE_ENGINE")
    try:
        caseworker = directory_on(store_url(node.url, fresh_prefix(), options="timeout=3"))
        assert caseworker.client.get("/readyz").json["ready"] is True
        assert caseworker.get("/providers", q="opvang").status_code == 200
    finally:
        node.stop()
    ready = caseworker.client.get("/readyz")
    assert (ready.status_code, ready.json["ready"]) == (503, False)
    found = caseworker.get("/providers", q="opvang")
    assert found.status_code == 503, found.json
    assert found.json["error"]["code"] == "store_unavailable"


def test_indices_deleted_by_hand_make_the_store_unavailable_until_readiness_recreates_them(engine_url):
    now = utc_now()
    with engine_store(fresh_prefix()) as store:
        kept = store.put_provider(record(now), audit())
        pending = refer(store, kept["id"], now, case_reference="ZAAK-D")
        for kind in ("providers", "referrals", "audit", "referral-cases"):
            for index in store.client.alias_targets(store.names.alias(kind)):
                if kind != "referrals":
                    store.client.delete_index(index)

        with pytest.raises(StoreUnavailable):
            store.get_provider(kept["id"], now)
        with pytest.raises(StoreUnavailable):
            store.put_provider(record(now), audit())
        with pytest.raises(StoreUnavailable):  # one multi-search for several queries
            store.candidates_many([CandidateQuery(need=need, near=(52.09, 5.12)) for need in ("shelter", "legal")], now)
        # No index was made up on the fly under the alias's name, with guessed mappings.
        assert not store.client.index_exists(store.names.alias("providers"))

        assert store.ping() is True
        again = store.put_provider(record(now, capacity={"available": 2}), audit())
        assert store.search(SearchQuery(near=(52.09, 5.12), radius_km=10), now).total == 1
        assert store.get_provider(again["id"], now) is not None
        # The referral kept its index; its case came back with the cases index, so the limit still counts it.
        with pytest.raises(TooManyPending):
            refer(store, again["id"], now, case_reference="ZAAK-D", max_pending=1)
        assert [r.id for r in store.list_referrals(ReferralFilter(status="pending"), now).items] == [pending.id]


def test_documents_written_before_public_cells_are_rewritten_and_the_cell_rule_applies(engine_url):
    from services.directory.store import search_engine_mappings as mappings
    from services.shared.engine.indices import drop_indices, ensure_indices
    from services.shared.geo import Area, cell_of, distance_km

    now = utc_now()
    prefix = fresh_prefix()
    old = SearchEngineDirectoryStore.from_url(store_url(engine_url, prefix))
    # The indices as they were: an exact point beside the public one, and no public cell.
    properties = {k: v for k, v in mappings.PROVIDER_MAPPINGS["properties"].items() if k != "public_cell"}
    old_mappings = dict(mappings.MAPPINGS, providers=dict(mappings.PROVIDER_MAPPINGS,
                                                          properties=dict(properties,
                                                                          exact_point={"type": "geo_point"})))
    ensure_indices(old.client, old.names, old.config, mappings=old_mappings)
    secret = record(now, location={"confidential": True})
    secret["last_modified"] = iso(now)
    document = mappings.provider_document(secret, [])
    document.pop("public_cell")
    document["exact_point"] = {"lat": secret["location"]["lat"], "lon": secret["location"]["lon"]}
    old.client.index(old.providers, secret["id"], document, refresh=True)
    old.close()

    store = SearchEngineDirectoryStore.from_url(store_url(engine_url, prefix))
    try:
        box = cell_of(secret["location"]["lat"], secret["location"]["lon"]).box
        centre = (box.min_lat - 0.01, box.min_lon - 0.015)
        area = Area(*centre, distance_km(*centre, box.min_lat, box.min_lon) + 0.2)
        near = (secret["location"]["lat"], secret["location"]["lon"])
        assert store.candidates(CandidateQuery(need="shelter", near=near), now)
        assert store.candidates(CandidateQuery(need="shelter", near=near, avoid=(area,)), now) == []
        stored = store.client.get(store.providers, secret["id"])["_source"]
        assert "exact_point" not in stored and stored["public_cell"] == cell_of(*near).key
    finally:
        drop_indices(store.client, store.names, mappings.KINDS)
        store.close()


def test_documents_from_before_capacity_per_service_keep_their_holds_in_the_main_pool(engine_url):
    from services.directory.store import search_engine_mappings as mappings
    from services.shared.engine.indices import drop_indices, ensure_indices

    now = utc_now()
    prefix = fresh_prefix()
    old = SearchEngineDirectoryStore.from_url(store_url(engine_url, prefix))
    # The indices as they were: no pool fields, and holds that do not name their need.
    pool_fields = {"own_pools", "pool_available", "pool_updated", "pool_hold_expiry_ms"}
    properties = {k: v for k, v in mappings.PROVIDER_MAPPINGS["properties"].items() if k not in pool_fields}
    ensure_indices(old.client, old.names, old.config,
                   mappings=dict(mappings.MAPPINGS, providers=dict(mappings.PROVIDER_MAPPINGS, properties=properties)))
    shelter = record(now, services=["shelter", "medical"], capacity={"available": 2, "maximum": 4})
    shelter["last_modified"] = iso(now)
    hold = {"referral_id": str(uuid.uuid4()), "expires_at": hold_until(now, 60), "units": 1}
    document = mappings.provider_document(shelter, [hold])
    for name in pool_fields:
        document.pop(name, None)
    old.client.index(old.providers, shelter["id"], document, refresh=True)
    old.close()

    store = SearchEngineDirectoryStore.from_url(store_url(engine_url, prefix))
    try:
        assert store.get_provider(shelter["id"], now)["capacity"]["held"] == 1
        near = (shelter["location"]["lat"], shelter["location"]["lon"])
        assert [r["id"] for r, _ in store.candidates(CandidateQuery(need="medical", near=near), now)] == [shelter["id"]]
        # Care gets a pool of its own: the old hold stays with the beds, the care pool filters medical.
        store.put_provider(dict(record(now, id=shelter["id"], services=["shelter", "medical"],
                                       capacity={"available": 2, "maximum": 4}),
                                service_capacity={"medical": {"available": 0, "maximum": 1, "unit": "appointment",
                                                              "updated": iso(now)}}), audit(now=now))
        stored = store.get_provider(shelter["id"], now)
        assert (stored["capacity"]["held"], stored["service_capacity"]["medical"]["held"]) == (1, 0)
        assert store.candidates(CandidateQuery(need="medical", near=near), now) == []
        assert [r["id"] for r, _ in store.candidates(CandidateQuery(need="shelter", near=near), now)] == [shelter["id"]]
        refer(store, shelter["id"], now)
        with pytest.raises(NoCapacity):
            refer(store, shelter["id"], now)
    finally:
        drop_indices(store.client, store.names, mappings.KINDS)
        store.close()
