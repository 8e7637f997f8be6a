"""E-mail notifications through SMTP: to a provider's intake address, in Dutch and English in one message.

A mail says what happened to which referral and links to it; never an address, a callback, a note or
anything about the person.
"""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

# What a provider is told of by e-mail: a referral to answer, one that ended without its answer, a reminder.
PROVIDER_MAIL_EVENTS = {"referral.created", "referral.cancelled", "referral.expiring", "referral.expired",
                        "capacity.stale"}
SUBJECTS = {
    "referral.created": ("Nieuwe verwijzing", "New referral"),
    "referral.cancelled": ("Verwijzing ingetrokken", "Referral cancelled"),
    "referral.expiring": ("Verwijzing verloopt bijna", "Referral about to expire"),
    "referral.expired": ("Verwijzing verlopen", "Referral expired"),
    "referral.accepted": ("Verwijzing aangenomen", "Referral accepted"),
    "referral.declined": ("Verwijzing afgewezen", "Referral declined"),
}
LINES = {
    "referral.created": ("Er is een plek bij u vastgehouden tot {expires_at}. Neem de verwijzing aan of wijs "
                         "haar af via de link.", "A place is held with you until {expires_at}. Accept or decline "
                         "the referral through the link."),
    "referral.cancelled": ("De casusregisseur heeft de verwijzing ingetrokken; de plek is weer vrij.",
                           "The caseworker cancelled the referral; the place is free again."),
    "referral.expiring": ("De vastgehouden plek vervalt om {expires_at}. Neem nu een besluit via de link.",
                          "The held place ends at {expires_at}. Please decide now through the link."),
    "referral.expired": ("De vastgehouden plek is vervallen zonder besluit; de plek is weer vrij.",
                         "The hold ended without a decision; the place is free again."),
    "referral.accepted": ("De aanbieder heeft de verwijzing aangenomen. Het adres staat bij de verwijzing.",
                          "The provider accepted the referral. The address is shown with the referral."),
    "referral.declined": ("De aanbieder heeft de verwijzing afgewezen (reden: {reason}); de plek is weer vrij.",
                          "The provider declined the referral (reason: {reason}); the place is free again."),
}


def compose(payload: dict) -> tuple[str, str]:
    """Subject and text of the mail for a webhook payload (the same facts, nothing more)."""
    data = payload["data"]
    if payload["type"] == "capacity.stale":
        # A provider counting a need apart is told which counts the link confirms.
        pools = data.get("pools") or []
        named = ", ".join("hoofdtelling / main count" if pool["need"] is None else pool["need"] for pool in pools)
        counts = f"Tellingen / counts: {named}\n\n" if any(pool["need"] is not None for pool in pools) else ""
        text = ("Uw opgave van vrije plekken is bijna een dag oud. Klopt het aantal nog? Bevestig of wijzig het "
                "zonder in te loggen (de link werkt een keer):\n\n"
                "Your count of free places is nearly a day old. Is it still right? Confirm or update it "
                "without signing in (the link works once):\n\n"
                f"{counts}{data['links']['confirm']}\n\n-- \nHaven\n")
        return f"Haven: Klopt uw aantal vrije plekken nog? / Is your free count still right? ({data['reminder']}/3)", text
    nl_subject, en_subject = SUBJECTS[payload["type"]]
    nl_line, en_line = (line.format(expires_at=data["expires_at"], reason=data.get("reason") or "-")
                        for line in LINES[payload["type"]])
    facts = (f"Kenmerk / case reference: {data['case_reference']}\n"
             f"Verwijzing / referral: {data['referral_id']}\n"
             f"Status: {data['status']}\n"
             f"{data['links']['referral']}\n")
    text = f"{nl_line}\n\n{en_line}\n\n{facts}\n-- \nHaven\n"
    return f"Haven: {nl_subject} / {en_subject} ({data['case_reference']})", text


class MailSender:
    """Sends one text mail per call through `smtp://`, `smtp+starttls://` or `smtps://` (user:password@ optional)."""

    def __init__(self, smtp_url: str, sender: str, *, timeout_s: float = 10.0):
        parts = urlsplit(smtp_url)
        if parts.scheme not in ("smtp", "smtp+starttls", "smtps") or not parts.hostname:
            raise ValueError("HAVEN_SMTP_URL: smtp://, smtp+starttls:// or smtps:// with a host")
        self.scheme, self.host = parts.scheme, parts.hostname
        self.port = parts.port or (465 if parts.scheme == "smtps" else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = sender
        self.timeout_s = timeout_s

    def send(self, to: str, subject: str, text: str) -> str | None:
        """None when the server took it, else why not (never the message)."""
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message.set_content(text)
        try:
            if self.scheme == "smtps":
                client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout_s,
                                          context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout_s)
            with client:
                if self.scheme == "smtp+starttls":
                    client.starttls(context=ssl.create_default_context())
                if self.user:
                    client.login(self.user, self.password or "")
                client.send_message(message)
        except (smtplib.SMTPException, OSError) as err:
            return f"mail not sent: {type(err).__name__}"
        return None
