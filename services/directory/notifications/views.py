"""HTTP endpoints of webhook subscriptions: thin, a schema in, one service call."""
from __future__ import annotations

from flask import current_app, g
from flask.views import MethodView

from ...shared.jsonbody import Blueprint
from ...shared.webhook_schemas import WebhookInSchema
from . import service

webhooks = Blueprint("webhooks", __name__, url_prefix="/webhooks", description="Signed webhooks about referrals")


def _notifier() -> service.Notifier:
    return current_app.extensions["haven"].notifier


@webhooks.route("")
class Webhooks(MethodView):
    def get(self):
        """Your webhook subscriptions"""
        return {"contents": service.list_subscriptions(notifier=_notifier(), viewer=g.claims.caller)}

    @webhooks.arguments(WebhookInSchema)
    def post(self, data):
        """Subscribe a URL to events about your referrals; the secret is shown this once"""
        return service.subscribe(notifier=_notifier(), viewer=g.claims.caller, data=data,
                                 now=current_app.extensions["haven"].clock()), 201


@webhooks.route("/<uuid:subscription_id>")
class Webhook(MethodView):
    def delete(self, subscription_id):
        """Unsubscribe"""
        service.unsubscribe(notifier=_notifier(), viewer=g.claims.caller, subscription_id=str(subscription_id))
        return "", 204
