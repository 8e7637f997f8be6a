"""Wire schemas of webhook subscriptions (the gateway documents them, the directory loads them)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from .schemas import StrictSchema
from .strict_fields import Text

WEBHOOK_EVENTS = ("referral.created", "referral.accepted", "referral.declined", "referral.cancelled",
                  "referral.expiring", "referral.expired", "capacity.stale")


class WebhookInSchema(StrictSchema):
    url = Text(required=True, validate=validate.Length(min=8, max=500), metadata={
        "description": "An https:// (or http://) URL on a public address; internal and link-local addresses are refused"})
    events = fields.List(fields.String(validate=validate.OneOf(WEBHOOK_EVENTS)), load_default=list,
                         validate=validate.Length(max=len(WEBHOOK_EVENTS)),
                         metadata={"description": "Event types to receive; empty or absent: all"})
    description = Text(load_default=None, allow_none=True, validate=validate.Length(max=100))


class WebhookSchema(Schema):
    id = fields.String()
    url = fields.String()
    events = fields.List(fields.String())
    description = fields.String(allow_none=True)
    created_at = fields.String()
    secret = fields.String(metadata={"description": "whsec_…: shown in the answer to POST only, never again; "
                                                    "verify each delivery's webhook-signature with it"})


class WebhookListSchema(Schema):
    contents = fields.List(fields.Nested(WebhookSchema))


class MailChannelAnswerSchema(Schema):
    """Whether events about the caller's referrals also go to its account's address."""

    email = fields.Boolean()
    available = fields.Boolean(metadata={"description": "whether this installation sends e-mail at all"})


class DeliveryProblemSchema(Schema):
    event_id = fields.String()
    type = fields.String()
    status = fields.String()
    attempts = fields.Integer()
    next_at = fields.String(allow_none=True)
    last_error = fields.String(allow_none=True)
    subscriber = fields.String()
    channel = fields.String()


class DeliveryReportSchema(Schema):
    """Deliveries by status and the latest that failed or wait for a retry; never a body."""

    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    problems = fields.List(fields.Nested(DeliveryProblemSchema))


class CapacityLinkPoolSchema(Schema):
    """One count a reminder's link asks about: the main pool (need null) or a need counted apart."""

    need = fields.String(allow_none=True)
    available = fields.Integer()
    maximum = fields.Integer()
    unit = fields.String(allow_none=True)
    updated = fields.String()


class CapacityLinkPoolsSchema(Schema):
    """The counts a reminder's one-time link asks about, as they are now."""

    provider_id = fields.String()
    name = fields.String()
    pools = fields.List(fields.Nested(CapacityLinkPoolSchema))


class CapacityLinkAnswerSchema(Schema):
    """The counts a reminder's one-time link confirmed or reported (`available`, `updated`: the main pool's)."""

    provider_id = fields.String()
    available = fields.Integer()
    updated = fields.String()
    pools = fields.List(fields.Nested(CapacityLinkPoolSchema))
