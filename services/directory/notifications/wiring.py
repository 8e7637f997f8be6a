"""The notifier of a directory app: its store beside the directory's, its sender, its metrics."""
from __future__ import annotations

from prometheus_client import Counter, Histogram

from .delivery import WebhookSender
from .events import RetrySchedule
from .mail import MailSender
from .secrets import SecretBox
from .service import Notifier

# Change to receipt, from well under a second to the retry schedule's hours.
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 7200)


def notification_store_for(store):
    """The notification store in the same place as the directory's store."""
    from ..store.sqlite import SqliteDirectoryStore

    if isinstance(store, SqliteDirectoryStore):
        from .sqlite_store import SqliteNotificationStore

        return SqliteNotificationStore(store.file)
    from .engine_store import SearchEngineNotificationStore

    return SearchEngineNotificationStore(store)


def build_notifier(store, settings, metrics=None) -> Notifier:
    on_delivery = None
    if metrics is not None:
        outcomes = Counter("haven_webhook_deliveries", "Webhook delivery attempts by outcome", ["outcome"],
                           registry=metrics.registry)
        latency = Histogram("haven_webhook_delivery_latency_seconds", "From a referral's change to its webhook's receipt",
                            buckets=LATENCY_BUCKETS, registry=metrics.registry)

        def on_delivery(outcome: str, seconds: float | None) -> None:
            outcomes.labels(outcome).inc()
            if seconds is not None:
                latency.observe(max(seconds, 0.0))

    return Notifier(store=notification_store_for(store), box=SecretBox(settings.internal_secret),
                    sender=WebhookSender(allow_loopback=settings.webhook_allow_loopback),
                    schedule=RetrySchedule(first_s=settings.webhook_retry_first_seconds),
                    public_url=settings.public_url, allow_loopback=settings.webhook_allow_loopback,
                    on_delivery=on_delivery,
                    mail=MailSender(settings.smtp_url, settings.mail_from) if settings.smtp_url else None,
                    intake_addresses=lambda provider_ids: _intake_addresses(store, provider_ids))


def _intake_addresses(store, provider_ids: list[str]) -> dict[str, str]:
    from ..domain.rules import utc_now

    records = store.get_providers(provider_ids, utc_now())
    addresses = {provider_id: (record.get("contact") or {}).get("email") for provider_id, record in records.items()}
    return {provider_id: address for provider_id, address in addresses.items() if address}
