"""The directory service: owns providers, capacity, referrals with their holds, and the audit log."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from flask import Flask, jsonify
from flask_smorest import Api

from ..shared.config import keep_files_private
from ..shared.errors import error_response, register_error_handlers
from ..shared.internal_auth import init_internal_auth, replay_guard
from ..shared.jsonio import FastJSONProvider
from ..shared.logs import configure_logging, init_request_logging
from ..shared.metrics import init_metrics
from ..shared.vocabulary import MAX_BODY_BYTES
from . import service
from .api.views import internal, providers, referrals
from .background import Background, Task
from .figures import service as figures_service
from .figures.store import FiguresStore, figures_store_for
from .figures.views import figures
from .notifications import service as notifications
from .notifications.stale import remind_stale
from .notifications.views import capacity_links, webhooks
from .waitlist import service as waitlist_service
from .waitlist.store import waitlist_store_for
from .waitlist.views import waitlist
from .notifications.wiring import build_notifier
from .domain.rules import utc_now
from .settings import DirectorySettings
from .stale import staleness_by_type
from .store import DirectoryStore, StoreUnavailable, store_from_url


@dataclass
class DirectoryContext:
    store: DirectoryStore
    settings: DirectorySettings
    clock: Callable[[], datetime] = field(default=utc_now)
    background: Background | None = None
    notifier: notifications.Notifier | None = None
    figures: FiguresStore | None = None


def create_app(config: dict | None = None) -> Flask:
    """Build the directory app; `config` may carry SETTINGS, STORE and CLOCK (tests)."""
    config = config or {}
    # Gunicorn may start a service without `haven` (containers): its workers create the files.
    keep_files_private()
    settings: DirectorySettings = config.get("SETTINGS") or DirectorySettings.from_env()
    configure_logging("directory", settings.log_level)
    app = Flask(__name__)
    app.json = FastJSONProvider(app)
    app.config.update(
        API_TITLE="Haven directory (internal)", API_VERSION="v1", OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/", OPENAPI_JSON_PATH="openapi.json", MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
    )
    store = config.get("STORE") or store_from_url(settings.store_url)
    context = DirectoryContext(store=store, settings=settings, clock=config.get("CLOCK") or utc_now)
    app.extensions["haven"] = context
    init_request_logging(app, "directory")
    metrics = init_metrics(app, "directory",
                           staleness=lambda: staleness_by_type(store, app.extensions["haven"].clock()))
    context.notifier = build_notifier(store, settings, metrics)
    context.figures = figures_store_for(store)  # one per process: an engine store checks its indices once
    context.background = _background(context)
    init_internal_auth(app, settings.internal_secret, replay_guard(
        settings.replay_db, redis_url=settings.redis_url, store_url=settings.store_url))
    api = Api(app)
    for blueprint in (providers, referrals, internal, webhooks, capacity_links, waitlist, figures):
        api.register_blueprint(blueprint)
    register_error_handlers(app)

    @app.errorhandler(StoreUnavailable)
    def _store_down(err):
        return error_response(503, "store_unavailable", "the directory store is unavailable; try again shortly",
                              headers={"Retry-After": "5"})

    @app.get("/healthz")
    def healthz():
        return {"status": "ok", "service": "directory"}

    @app.get("/readyz")
    def readyz():
        ready = store.ping()
        return jsonify({"ready": ready, "service": "directory", "store": "up" if ready else "down"}), (200 if ready else 503)

    return app


def _background(context: DirectoryContext) -> Background | None:
    """The sweeps this process runs on its own time, started; None when the settings ask for none."""
    settings = context.settings
    tasks = []
    if settings.sweep_seconds:
        tasks.append(Task("expire_holds", settings.sweep_seconds,
                          lambda: service.expire_holds(store=context.store, now=context.clock())))
        tasks.append(Task("serve_waitlist", settings.sweep_seconds, lambda: waitlist_service.serve(
            waitlist=waitlist_store_for(context.store), store=context.store, now=context.clock(),
            max_pending=settings.max_pending_per_case)))
        tasks.append(Task("remind_expiring", settings.sweep_seconds,
                          lambda: service.remind_expiring(store=context.store, now=context.clock(),
                                                          minutes_before=settings.expiring_minutes)))
    if settings.capacity_history_seconds:
        tasks.append(Task("record_capacity_day", settings.capacity_history_seconds,
                          lambda: figures_service.record_capacity_day(
                              figures=context.figures, store=context.store, now=context.clock())))
    if settings.deliver_seconds:
        tasks.append(Task("deliver", settings.deliver_seconds, lambda: deliver(context)))
    if settings.stale_reminder_seconds:
        tasks.append(Task("remind_stale", settings.stale_reminder_seconds, lambda: remind_stale(
            notifier=context.notifier, store=context.store, secret=settings.internal_secret, now=context.clock(),
            before=timedelta(hours=settings.stale_reminder_before_hours),
            spacing=timedelta(hours=settings.stale_reminder_spacing_hours))))
    if not tasks:
        return None
    return Background(tasks, lock_path=settings.background_lock).start()


def deliver(context: DirectoryContext) -> None:
    """One round of notifications: new outbox events fanned out, then every due delivery attempted."""
    notifications.fan_out(notifier=context.notifier)
    notifications.deliver_due(notifier=context.notifier, now=utc_now())
