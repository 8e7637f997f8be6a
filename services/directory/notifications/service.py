"""Use cases of notifications: subscribing, fanning events out to subscribers, delivering with retries."""
from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from ...shared.errors import ApiError, bad_field, forbidden, not_found
from ...shared.identity import Caller
from ..domain.rules import iso
from .delivery import WebhookSender
from .mail import PROVIDER_MAIL_EVENTS, MailSender, compose
from .events import RetrySchedule, Subscriber, hears, payload
from .secrets import SecretBox, new_secret
from .store import Delivery, NotificationStore, Subscription, delivery_id, parse
from .urls import RefusedUrl, check_url

log = logging.getLogger("haven.directory.notifications")
MAX_SUBSCRIPTIONS = 10  # per account
FAN_OUT_BATCH = 200
MAIL_TO_PROVIDER = "mail-provider"
MAILTO = "mailto:"
MAILED_TO_ACCOUNTS = {"referral.created", "referral.accepted", "referral.declined", "referral.cancelled",
                      "referral.expiring", "referral.expired", "capacity.stale"}
DELIVERY_BATCH = 500


@dataclass
class Notifier:
    """What delivering needs, built once by the app factory."""

    store: NotificationStore
    box: SecretBox
    sender: WebhookSender
    schedule: RetrySchedule
    public_url: str
    allow_loopback: bool = False
    on_delivery: object = None  # callable(outcome, seconds from change to receipt or None)
    mail: MailSender | None = None
    intake_addresses: object = None  # callable(provider_ids) -> {provider_id: intake address} of those that have one


def subscribe(*, notifier: Notifier, viewer: Caller, data: dict, now: datetime) -> dict:
    """Subscribe a URL to events about one's own referrals; the answer shows the secret, this once only."""
    if viewer.role not in ("provider", "caseworker", "admin"):
        raise forbidden()
    try:
        check_url(data["url"], allow_loopback=notifier.allow_loopback)
    except RefusedUrl as err:
        raise bad_field("url", str(err)) from None
    if len(notifier.store.subscriptions(viewer.subject)) >= MAX_SUBSCRIPTIONS:
        raise ApiError(409, "too_many_subscriptions", f"at most {MAX_SUBSCRIPTIONS} webhooks per account")
    secret = new_secret()
    subscription = Subscription(id=str(uuid.uuid4()), subject=viewer.subject, role=viewer.role,
                                provider_ids=list(viewer.provider_ids), url=data["url"],
                                events=list(data.get("events") or []), sealed_secret=notifier.box.seal(secret),
                                created_at=iso(now), description=data.get("description"))
    notifier.store.add_subscription(subscription)
    return dict(subscription.public(), secret=secret)


def list_subscriptions(*, notifier: Notifier, viewer: Caller) -> list[dict]:
    """The caller's own subscriptions, without their secrets."""
    return [s.public() for s in notifier.store.subscriptions(viewer.subject)]


def unsubscribe(*, notifier: Notifier, viewer: Caller, subscription_id: str) -> None:
    if not notifier.store.delete_subscription(subscription_id, viewer.subject):
        raise not_found("webhook")


def fan_out(*, notifier: Notifier) -> int:
    """Turn outbox events into one delivery per subscriber that hears them; returns how many events."""
    events = notifier.store.events_to_fan_out(FAN_OUT_BATCH)
    if not events:
        return 0
    subscriptions = notifier.store.subscriptions()
    intake = _intake_addresses(notifier, {event["provider_id"] for event in events
                                          if event["type"] in PROVIDER_MAIL_EVENTS})
    fanned = []
    for event in events:
        body = json.dumps(payload(event, notifier.public_url), separators=(",", ":"))
        deliveries = [Delivery(id=delivery_id(event["id"], s.id), seq=event["seq"], event_id=event["id"],
                               subscription_id=s.id, referral_id=event["referral_id"], type=event["type"],
                               event_at=event["at"], body=body, next_at=event["at"])
                      for s in subscriptions
                      if hears(Subscriber(s.subject, s.role, tuple(s.provider_ids)), tuple(s.events), event)]
        if event["type"] in PROVIDER_MAIL_EVENTS and event["provider_id"] in intake:
            deliveries.append(Delivery(id=delivery_id(event["id"], MAIL_TO_PROVIDER), seq=event["seq"],
                                       event_id=event["id"], subscription_id=f"{MAIL_TO_PROVIDER}:{event['provider_id']}",
                                       referral_id=event["referral_id"], type=event["type"], event_at=event["at"],
                                       body=body, next_at=event["at"]))
        fanned.append((event, deliveries))
    notifier.store.fan_out_all(fanned)
    return len(events)


def deliver_due(*, notifier: Notifier, now: datetime) -> int:
    """Attempt every delivery that is due, in event order per subscription and referral; returns how many made.

    A referral's later event waits for its earlier one to the same subscription: receivers see them in order.
    """
    subscriptions = {s.id: s for s in notifier.store.subscriptions()}
    waiting: set[tuple[str, str]] = set()
    delivered = 0
    for delivery in notifier.store.pending_deliveries(DELIVERY_BATCH):
        key = (delivery.subscription_id, delivery.referral_id)
        if key in waiting:
            continue
        by_mail = delivery.subscription_id.startswith(MAIL_TO_PROVIDER + ":")
        subscription = subscriptions.get(delivery.subscription_id)
        if subscription is None and not by_mail:
            continue  # unsubscribed: its deliveries are being deleted
        if parse(delivery.next_at) > now:
            waiting.add(key)
            continue
        if by_mail:
            problem = _mail(notifier, delivery)
        elif subscription.url.startswith(MAILTO):
            problem = _mail_account(notifier, subscription.url[len(MAILTO):], delivery)
        else:
            problem = notifier.sender.send(subscription.url, notifier.box.open(subscription.sealed_secret),
                                           delivery.event_id, delivery.body, parse(delivery.event_at))
        delivery.attempts += 1
        if problem is None:
            delivery.status, delivery.delivered_at, delivery.last_error = "delivered", iso(now), None
            delivered += 1
            _observe(notifier, "delivered", (now - parse(delivery.event_at)).total_seconds())
        else:
            later = notifier.schedule.next_attempt(delivery.attempts, now)
            delivery.last_error = problem
            if later is None:
                delivery.status = "failed"
                _observe(notifier, "failed", None)
            else:
                delivery.next_at = later.isoformat()
                waiting.add(key)
                _observe(notifier, "retried", None)
            # The subscription's id and the outcome only: never the URL's answer body or the payload.
            log.info("webhook not delivered", extra={"subscription": delivery.subscription_id,
                                                     "attempt": delivery.attempts, "problem": problem})
        notifier.store.record_attempt(delivery)
    return delivered


def delivery_report(*, notifier: Notifier, viewer: Caller) -> dict:
    """Deliveries by status and the latest that failed or wait for a retry (admins): never a body."""
    if not viewer.is_admin:
        raise forbidden()
    subscriptions = {s.id: s for s in notifier.store.subscriptions()}
    problems = []
    for delivery in notifier.store.recent_failures():
        subscription = subscriptions.get(delivery.subscription_id)
        problems.append({"event_id": delivery.event_id, "type": delivery.type, "status": delivery.status,
                         "attempts": delivery.attempts, "next_at": delivery.next_at, "last_error": delivery.last_error,
                         "subscriber": subscription.subject if subscription else delivery.subscription_id.split(":")[0],
                         "channel": ("e-mail" if subscription is None or subscription.url.startswith(MAILTO)
                                     else "webhook")})
    return {"counts": notifier.store.delivery_counts(), "problems": problems}


def set_mail(*, notifier: Notifier, viewer: Caller, address: str | None, now: datetime) -> dict:
    """Mail the caller's own referrals' events to its account address (the gateway gives it), or stop (None)."""
    for existing in notifier.store.subscriptions(viewer.subject):
        if existing.url.startswith(MAILTO):
            notifier.store.delete_subscription(existing.id, viewer.subject)
    if address is None:
        return {"email": False}
    if notifier.mail is None:
        raise ApiError(409, "mail_not_configured", "this installation sends no e-mail")
    notifier.store.add_subscription(Subscription(
        id=str(uuid.uuid4()), subject=viewer.subject, role=viewer.role, provider_ids=list(viewer.provider_ids),
        url=MAILTO + address, events=[], sealed_secret="", created_at=iso(now), description="e-mail"))
    return {"email": True}


def mail_enabled(*, notifier: Notifier, viewer: Caller) -> dict:
    return {"email": any(s.url.startswith(MAILTO) for s in notifier.store.subscriptions(viewer.subject)),
            "available": notifier.mail is not None}


def _mail_account(notifier: Notifier, address: str, delivery: Delivery) -> str | None:
    if notifier.mail is None:
        return "mail is not configured"
    payload_ = json.loads(delivery.body)
    if payload_["type"] not in MAILED_TO_ACCOUNTS:
        return None  # nothing to say by mail about this one: done
    subject, text = compose(payload_)
    return notifier.mail.send(address, subject, text)


def _intake_addresses(notifier: Notifier, provider_ids: set[str]) -> dict[str, str]:
    """The providers' intake addresses, read together, when mail is sent at all."""
    if notifier.mail is None or notifier.intake_addresses is None or not provider_ids:
        return {}
    return notifier.intake_addresses(sorted(provider_ids))


def _mail(notifier: Notifier, delivery: Delivery) -> str | None:
    """Mail a provider's intake address, looked up when sending (never kept with the delivery)."""
    if notifier.mail is None:
        return "mail is not configured"
    provider_id = delivery.subscription_id.split(":", 1)[1]
    address = notifier.intake_addresses([provider_id]).get(provider_id) if notifier.intake_addresses else None
    if not address:
        return "the provider has no intake e-mail address"
    subject, text = compose(json.loads(delivery.body))
    return notifier.mail.send(address, subject, text)


def _observe(notifier: Notifier, outcome: str, seconds: float | None) -> None:
    if notifier.on_delivery is not None:
        notifier.on_delivery(outcome, seconds)
