"""HTTP endpoints of webhook subscriptions: thin, a schema in, one service call."""
from __future__ import annotations

from flask import current_app, g
from flask.views import MethodView
from marshmallow import fields, validate

from ...shared.jsonbody import Blueprint
from ...shared.schemas import StrictSchema
from ...shared.strict_fields import StrictInteger, Text
from ...shared.vocabulary import NEEDS
from ...shared.webhook_schemas import (CapacityLinkAnswerSchema, CapacityLinkPoolsSchema, DeliveryReportSchema,
                                       MailChannelAnswerSchema, WebhookInSchema, WebhookListSchema, WebhookSchema)
from .. import service as directory_service
from ..api.answers import answers
from . import service
from .stale import confirm_by_link, pools_by_link

webhooks = Blueprint("webhooks", __name__, url_prefix="/webhooks", description="Signed webhooks about referrals")
capacity_links = Blueprint("capacity_links", __name__, url_prefix="/capacity-links",
                           description="One-time links in reminders that confirm or update a capacity count")


class MailChannelSchema(StrictSchema):
    address = Text(required=True, validate=validate.Email())


class CapacityLinkSchema(StrictSchema):
    available = StrictInteger(load_default=None, allow_none=True, validate=validate.Range(min=0, max=100_000))
    counts = fields.Dict(keys=fields.String(validate=validate.OneOf(NEEDS)),
                         values=StrictInteger(validate=validate.Range(min=0, max=100_000)), load_default=dict)


def _notifier() -> service.Notifier:
    return current_app.extensions["haven"].notifier


@webhooks.route("")
class Webhooks(MethodView):
    @answers(webhooks, WebhookListSchema)
    def get(self):
        """Your webhook subscriptions"""
        return {"contents": service.list_subscriptions(notifier=_notifier(), viewer=g.claims.caller)}

    @answers(webhooks, WebhookSchema, 201)
    @webhooks.arguments(WebhookInSchema)
    def post(self, data):
        """Subscribe a URL to events about your referrals; the secret is shown this once"""
        return service.subscribe(notifier=_notifier(), viewer=g.claims.caller, data=data,
                                 now=current_app.extensions["haven"].clock()), 201


@webhooks.route("/deliveries", methods=["GET"])
@answers(webhooks, DeliveryReportSchema)
def deliveries():
    """Deliveries by status and the latest problems (admins)"""
    return service.delivery_report(notifier=_notifier(), viewer=g.claims.caller)


@webhooks.route("/mail")
class MailChannel(MethodView):
    @answers(webhooks, MailChannelAnswerSchema)
    def get(self):
        """Whether events about your referrals also go to your account's e-mail address"""
        return service.mail_enabled(notifier=_notifier(), viewer=g.claims.caller)

    @answers(webhooks, MailChannelAnswerSchema)
    @webhooks.arguments(MailChannelSchema)
    def put(self, data):
        """Mail events about your referrals to this address (the gateway gives the account's own)"""
        return service.set_mail(notifier=_notifier(), viewer=g.claims.caller, address=data["address"],
                                now=current_app.extensions["haven"].clock())

    def delete(self):
        """Stop mailing events about your referrals"""
        service.set_mail(notifier=_notifier(), viewer=g.claims.caller, address=None,
                         now=current_app.extensions["haven"].clock())
        return "", 204


@webhooks.route("/<uuid:subscription_id>")
class Webhook(MethodView):
    def delete(self, subscription_id):
        """Unsubscribe"""
        service.unsubscribe(notifier=_notifier(), viewer=g.claims.caller, subscription_id=str(subscription_id))
        return "", 204


@capacity_links.route("/<string:token>", methods=["GET"])
@answers(capacity_links, CapacityLinkPoolsSchema)
def asked(token):
    """The counts a reminder's link asks about, as they are now (409 when the link is spent)"""
    context = current_app.extensions["haven"]
    return pools_by_link(store=context.store, secret=context.settings.internal_secret, viewer=g.claims.caller,
                         token=token, now=context.clock())


@capacity_links.route("/<string:token>", methods=["POST"])
@answers(capacity_links, CapacityLinkAnswerSchema)
@capacity_links.arguments(CapacityLinkSchema)
def confirm(data, token):
    """Confirm the counts a reminder's link was made for, each as it is or with a new one (`available` for the
    main pool, `counts` by need for a need's own), all at once"""
    context = current_app.extensions["haven"]
    return confirm_by_link(store=context.store, secret=context.settings.internal_secret, viewer=g.claims.caller,
                           token=token, available=data["available"], counts=data["counts"], now=context.clock(),
                           request_id=g.get("request_id"), confirm_capacity=directory_service.confirm_capacity)
