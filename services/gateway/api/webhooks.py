"""Webhook subscriptions: signed notifications about one's own referrals (forwarded to the directory)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from ...shared.webhook_schemas import WebhookInSchema, WebhookListSchema, WebhookSchema
from ..forwarding import json_body, to_directory
from ..identity import authorise
from .docs import PREFIX, READ_ERRORS, WRITE_ERRORS, operation

blp = Blueprint("Webhooks", __name__, url_prefix=f"{PREFIX}/webhooks",
                description="Signed webhooks (Standard Webhooks) about your referrals, from a durable outbox")

WEBHOOK_IN = {"url": "https://opvang.example.nl/haven/webhooks", "events": ["referral.created", "referral.cancelled"]}
WEBHOOK = {"id": "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f", "url": WEBHOOK_IN["url"], "events": WEBHOOK_IN["events"],
           "description": None, "created_at": "2026-11-30T10:00:00+00:00"}


@blp.route("")
class Webhooks(MethodView):
    @operation(blp, "listWebhooks", answer=WebhookListSchema, answer_example={"contents": [WEBHOOK]},
               errors=READ_ERRORS)
    @authorise("list_webhooks")
    def get(self):
        """Your webhook subscriptions (never their secrets)"""
        return to_directory("GET", "/webhooks")

    @operation(blp, "createWebhook", body=WebhookInSchema, answer=WebhookSchema, status=201, body_example=WEBHOOK_IN,
               answer_example={**WEBHOOK, "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
               errors=(409, *WRITE_ERRORS))
    @authorise("create_webhook")
    def post(self):
        """Subscribe a URL to events about your referrals; the answer shows its secret, this once

        Providers hear of referrals to their providers, caseworkers of their own referrals, admins of all.
        Each delivery is a POST with `webhook-id`, `webhook-timestamp` and `webhook-signature` (Standard
        Webhooks); its body carries ids, statuses, the case reference and a link, never personal details.
        Deliveries are retried with exponential backoff (10 s, 20 s, 40 s, ... at most 2 h apart, 15 attempts).
        """
        return to_directory("POST", "/webhooks", body=json_body())


@blp.route("/<uuid:webhook_id>")
class Webhook(MethodView):
    @operation(blp, "deleteWebhook", status=204, errors=(404, *READ_ERRORS))
    @authorise("delete_webhook")
    def delete(self, webhook_id):
        """Unsubscribe one of your webhooks"""
        return to_directory("DELETE", f"/webhooks/{webhook_id}")
