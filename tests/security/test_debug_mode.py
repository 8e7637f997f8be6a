"""Debug mode cannot be switched on: FLASK_DEBUG is ignored by every service, so no error ever reaches
Werkzeug's debugger page (stack traces, an interactive console) instead of the JSON error shape."""
from __future__ import annotations

import pytest

from services.directory import create_app as create_directory
from services.gateway import create_app as create_gateway
from services.matcher import create_app as create_matcher


@pytest.fixture
def debug_requested(monkeypatch, tmp_path):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("HAVEN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HAVEN_STORE_URL", f"sqlite:///{tmp_path / 'haven.db'}")


@pytest.mark.parametrize("create_app", [create_directory, create_matcher, create_gateway],
                         ids=["directory", "matcher", "gateway"])
def test_flask_debug_is_ignored_by_every_service(debug_requested, create_app):
    app = create_app()
    try:
        assert app.debug is False
        assert app.config["PROPAGATE_EXCEPTIONS"] is False
    finally:
        context = app.extensions.get("haven_gateway")
        if context is not None:
            context.close_clients()


def test_an_unexpected_error_in_debug_mode_still_answers_the_json_shape_without_a_trace(debug_requested):
    app = create_directory()

    @app.get("/explode")
    def explode():
        raise RuntimeError("secret internal detail at /srv/haven/services/directory/app.py")

    app.before_request_funcs[None].clear()  # this probe route is unsigned on purpose
    answer = app.test_client().get("/explode")
    assert answer.status_code == 500
    assert answer.json["error"]["code"] == "internal_error"
    text = answer.get_data(as_text=True)
    assert "Traceback" not in text and "secret internal detail" not in text and "/srv/" not in text
