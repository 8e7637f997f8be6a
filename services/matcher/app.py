"""The matcher service: stateless; asks the directory for candidates, scores, explains, plans, assigns."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from flask import Flask, jsonify
from flask_smorest import Api

from ..shared.config import keep_files_private
from ..shared.errors import register_error_handlers
from ..shared.http import ServiceClient
from ..shared.internal_auth import init_internal_auth, replay_guard
from ..shared.jsonio import FastJSONProvider
from ..shared.logs import configure_logging, init_request_logging
from ..shared.metrics import init_metrics
from ..shared.vocabulary import MAX_BODY_BYTES
from .api import matches
from .figures import Tally
from .readmodel import FeedFollower
from .settings import MatcherSettings


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class MatcherContext:
    directory: ServiceClient
    settings: MatcherSettings
    clock: Callable[[], datetime] = field(default=utc_now)
    # The read model of the directory, kept by a thread of this process (None: every match asks the directory).
    follower: FeedFollower | None = None
    # Matches' outcome rows waiting to be counted at the directory (figures.py).
    tally: Tally | None = None


def create_app(config: dict | None = None) -> Flask:
    """Build the matcher app; `config` may carry SETTINGS, DIRECTORY_CLIENT and CLOCK (tests)."""
    config = config or {}
    # Gunicorn may start a service without `haven` (containers): its workers create the files.
    keep_files_private()
    settings: MatcherSettings = config.get("SETTINGS") or MatcherSettings.from_env()
    configure_logging("matcher", settings.log_level)
    app = Flask(__name__)
    app.json = FastJSONProvider(app)
    app.config.update(
        API_TITLE="Haven matcher (internal)", API_VERSION="v1", OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/", OPENAPI_JSON_PATH="openapi.json", MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
    )
    directory = config.get("DIRECTORY_CLIENT") or ServiceClient("directory", settings.directory_url,
                                                                settings.internal_secret,
                                                                timeout=settings.directory_timeout)
    follower = None
    if settings.read_model:
        follower = FeedFollower(directory, interval=settings.read_model_interval,
                                max_lag=settings.read_model_max_lag).start()
    app.extensions["haven"] = MatcherContext(directory=directory, settings=settings,
                                             clock=config.get("CLOCK") or utc_now, follower=follower,
                                             tally=Tally(directory, settings.figures_seconds))
    # A stopping worker sends the counts waiting, then stops reading the feed.
    app.config["ON_STOP"] = [app.extensions["haven"].tally.send] + ([follower.stop] if follower else [])
    init_request_logging(app, "matcher")
    init_metrics(app, "matcher")
    init_internal_auth(app, settings.internal_secret, replay_guard(
        settings.replay_db, redis_url=settings.redis_url, store_url=settings.store_url))
    api = Api(app)
    api.register_blueprint(matches)
    register_error_handlers(app)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok", "service": "matcher"}

    @app.get("/readyz")
    def readyz():
        ready = directory.is_ready()
        answer = {"ready": ready, "service": "matcher", "directory": "up" if ready else "down"}
        if follower is not None:
            # Informative only: without the read model matches ask the directory, so the matcher is ready.
            # Whether it is loaded and fresh, and how long loading took; not its sequence, which would tell anyone
            # how much is written.
            answer["read_model"] = {"loaded": follower.model.loaded, "fresh": follower.fresh(),
                                    "loaded_after_s": None if follower.loaded_after is None
                                    else round(follower.loaded_after, 3)}
        return jsonify(answer), 200 if ready else 503

    return app
