"""The gateway: the public API under /api/v1 with tokens, roles, rate limits, request ids and OpenAPI."""
from __future__ import annotations

from importlib import resources

from flask import Flask, Response, jsonify, request
from werkzeug.middleware.proxy_fix import ProxyFix

from ..shared.config import keep_files_private
from ..shared.errors import ApiError, error_response, register_error_handlers
from ..shared.http import ServiceClient
from ..shared.logs import configure_logging, init_request_logging
from ..shared.metrics import init_metrics
from ..shared.vocabulary import MAX_BODY_BYTES
from . import reasons
from .api import BLUEPRINTS, PREFIX, create_api
from .auth import AuthStoreUnavailable, open_auth_store
from .context import GatewayContext, utc_now
from .identity import init_identity
from .limits import init_limits
from .settings import GatewaySettings
from .web import register_web

SWAGGER_UI_FILES = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css"}
DOCS_CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"


def create_app(config: dict | None = None) -> Flask:
    """Build the gateway; `config` may carry SETTINGS, AUTH_STORE, CLOCK, DIRECTORY_CLIENT, MATCHER_CLIENT,
    and for the web pages WEB (False: API only), WEB_SETTINGS and ACCOUNT_STORE."""
    config = config or {}
    # Gunicorn may start a service without `haven` (containers): its workers create the files.
    keep_files_private()
    settings: GatewaySettings = config.get("SETTINGS") or GatewaySettings.from_env()
    configure_logging("gateway", settings.log_level)
    reasons.load()  # the reason catalogues, compiled now: a broken one stops the gateway here
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY_BYTES, SECRET_KEY=settings.secret_key)
    if settings.proxy_count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_count, x_proto=settings.proxy_count)
    app.extensions["haven_gateway"] = GatewayContext(
        settings=settings,
        auth_store=config.get("AUTH_STORE") or open_auth_store(settings.auth_db_path, settings.store_url),
        directory=config.get("DIRECTORY_CLIENT") or ServiceClient(
            "directory", settings.directory_url, settings.internal_secret, timeout=settings.service_timeout),
        matcher=config.get("MATCHER_CLIENT") or ServiceClient(
            "matcher", settings.matcher_url, settings.internal_secret, timeout=settings.matcher_timeout),
        clock=config.get("CLOCK") or utc_now,
    )
    # Hooks run in this order: request id, body size, who is calling, then the rate limits keyed by it.
    init_request_logging(app, "gateway")
    # Public port: served only to a scraper presenting HAVEN_METRICS_TOKEN.
    init_metrics(app, "gateway", expose=False, scrape_token=settings.metrics_token)
    _refuse_large_bodies(app)
    init_identity(app)
    init_limits(app, settings)
    api = create_api(app)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    register_error_handlers(app)
    _register_gateway_errors(app)
    _register_pages(app)
    if config.get("WEB", True):
        _register_web(app, config)
    return app


def _register_web(app: Flask, config: dict) -> None:
    """The web pages, beside the API."""
    options = {"settings": config.get("WEB_SETTINGS"), "accounts": config.get("ACCOUNT_STORE")}
    register_web(app, **{name: value for name, value in options.items() if value is not None})


def _refuse_large_bodies(app: Flask) -> None:
    @app.before_request
    def _check_size():
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            raise ApiError(413, "body_too_large", f"the request body is larger than {MAX_BODY_BYTES // 1024} KiB")
        return None

    @app.after_request
    def _no_store(response: Response):
        # Answers about shelters and referrals must not linger in shared caches or browser history.
        if request.path.startswith(PREFIX):
            response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response


def _register_gateway_errors(app: Flask) -> None:
    @app.errorhandler(AuthStoreUnavailable)
    def _auth_store_down(err):
        return error_response(503, "auth_unavailable", "signing in is unavailable; try again shortly",
                              headers={"Retry-After": "5"})


def _register_pages(app: Flask) -> None:
    static = resources.files(__package__).joinpath("api/static")

    @app.get("/healthz")
    def healthz():
        return {"status": "ok", "service": "gateway"}

    @app.get("/readyz")
    def readyz():
        ctx = app.extensions["haven_gateway"]
        checks = {"directory": ctx.directory.is_ready(), "matcher": ctx.matcher.is_ready(),
                  "auth_store": ctx.auth_store.ping()}
        ready = all(checks.values())
        body = {"ready": ready, "service": "gateway", **{name: "up" if up else "down" for name, up in checks.items()}}
        return jsonify(body), 200 if ready else 503

    @app.get(f"{PREFIX}/docs")
    def api_docs():
        response = Response(static.joinpath("docs.html").read_text(encoding="utf-8"), mimetype="text/html")
        response.headers["Content-Security-Policy"] = DOCS_CSP
        # The same as the web pages: the page's address (and a token typed into it) never leaves the site.
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    @app.get(f"{PREFIX}/docs.js")
    def api_docs_script():
        return Response(static.joinpath("docs.js").read_text(encoding="utf-8"), mimetype="text/javascript")

    @app.get(f"{PREFIX}/docs.css")
    def api_docs_style():
        return Response(static.joinpath("docs.css").read_text(encoding="utf-8"), mimetype="text/css")

    @app.get(f"{PREFIX}/swagger-ui/<name>")
    def swagger_ui_asset(name: str):
        # Only the two files the page loads, from the Swagger UI the flask-swagger-ui package ships (its blueprint
        # is not used): nothing from a CDN.
        if name not in SWAGGER_UI_FILES:
            raise ApiError(404, "not_found", "no such file")
        return Response(resources.files("flask_swagger_ui").joinpath("dist", name).read_bytes(),
                        mimetype=SWAGGER_UI_FILES[name])
