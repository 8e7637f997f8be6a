"""The directory and matcher as the pages use them: signed as the signed-in person, errors as exceptions."""
from __future__ import annotations

from dataclasses import dataclass

from ...shared.http import ServiceClient
from ...shared.signing import Claims
from ..forwarding import call


class BackendError(Exception):
    """An internal service refused the request: its status, code, message and field messages."""

    def __init__(self, status: int, code: str, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}


@dataclass
class Backend:
    directory: ServiceClient
    matcher: ServiceClient

    def _json(self, client: ServiceClient, method: str, path: str, claims: Claims, *, params: dict | None = None,
              body=None, headers: dict | None = None):
        answer = self._answer(client, method, path, claims, params=params, body=body, headers=headers)
        if answer.status_code == 204 or not answer.content:
            return None
        return answer.json()

    def _answer(self, client: ServiceClient, method: str, path: str, claims: Claims, *, params: dict | None = None,
                body=None, headers: dict | None = None):
        answer = call(client, method, path, params=params, body=body, claims=claims, headers=headers)
        if answer.status_code >= 400:
            try:
                error = answer.json()["error"]
            except (ValueError, KeyError, TypeError):
                error = {"code": "http_error", "message": f"the {client.service} service answered {answer.status_code}"}
            raise BackendError(answer.status_code, error.get("code", "http_error"), error.get("message", ""),
                               error.get("fields"))
        return answer

    def waitlist(self, claims: Claims) -> list[dict]:
        return self._json(self.directory, "GET", "/waitlist", claims)["contents"]

    def leave_waitlist(self, claims: Claims, entry_id: str) -> None:
        self._json(self.directory, "DELETE", f"/waitlist/{entry_id}", claims)

    def delivery_report(self, claims: Claims) -> dict:
        return self._json(self.directory, "GET", "/webhooks/deliveries", claims)

    def notification_channels(self, claims: Claims) -> dict:
        return {"mail": self._json(self.directory, "GET", "/webhooks/mail", claims),
                "webhooks": self._json(self.directory, "GET", "/webhooks", claims)["contents"]}

    def set_mail(self, claims: Claims, address: str | None) -> None:
        if address is None:
            self._json(self.directory, "DELETE", "/webhooks/mail", claims)
        else:
            self._json(self.directory, "PUT", "/webhooks/mail", claims, body={"address": address})

    def capacity_link_pools(self, claims: Claims, token: str) -> dict:
        """The counts a reminder's one-time link asks about, as they are now."""
        return self._json(self.directory, "GET", f"/capacity-links/{token}", claims)

    def confirm_capacity_link(self, claims: Claims, token: str, body: dict) -> dict:
        """Confirm or update a count through a reminder's one-time link."""
        return self._json(self.directory, "POST", f"/capacity-links/{token}", claims, body=body)

    # -- providers ---------------------------------------------------------------------------
    def recorded_figures(self, claims: Claims) -> dict:
        """The directory's counters of match outcomes and its capacity days (admins), before suppression."""
        return self._json(self.directory, "GET", "/figures", claims)

    def search_providers(self, claims: Claims, params: dict) -> dict:
        return self._json(self.directory, "GET", "/providers", claims, params=params)

    def get_provider(self, claims: Claims, provider_id: str) -> dict:
        return self._json(self.directory, "GET", f"/providers/{provider_id}", claims)

    def create_provider(self, claims: Claims, record: dict) -> dict:
        return self._json(self.directory, "POST", "/providers", claims, body=record)

    def get_provider_version(self, claims: Claims, provider_id: str) -> tuple[dict, str]:
        """A provider and the ETag of the version read, for a form that writes it back."""
        answer = self._answer(self.directory, "GET", f"/providers/{provider_id}", claims)
        return answer.json(), answer.headers.get("ETag", "")

    def replace_provider(self, claims: Claims, provider_id: str, record: dict, *, if_match: str | None = None) -> dict:
        headers = {"If-Match": if_match} if if_match else None
        return self._json(self.directory, "PUT", f"/providers/{provider_id}", claims, body=record, headers=headers)

    def patch_provider(self, claims: Claims, provider_id: str, changes: dict) -> dict:
        return self._json(self.directory, "PATCH", f"/providers/{provider_id}", claims, body=changes)

    def set_capacity(self, claims: Claims, provider_id: str, available: int, maximum: int | None = None, *,
                     need: str | None = None) -> dict:
        """Report one pool: a need's own (service_capacity), or the main capacity without `need`."""
        body = {"available": available} if maximum is None else {"available": available, "maximum": maximum}
        if need is not None:
            body["need"] = need
        return self._json(self.directory, "PUT", f"/providers/{provider_id}/capacity", claims, body=body)

    # -- matching ----------------------------------------------------------------------------
    def match(self, claims: Claims, body: dict) -> dict:
        return self._json(self.matcher, "POST", "/matches", claims, body=body)

    def match_group(self, claims: Claims, body: dict) -> dict:
        return self._json(self.matcher, "POST", "/matches/group", claims, body=body)

    # -- referrals ---------------------------------------------------------------------------
    def create_referral(self, claims: Claims, body: dict) -> dict:
        return self._json(self.directory, "POST", "/referrals", claims, body=body)

    def list_referrals(self, claims: Claims, params: dict) -> dict:
        return self._json(self.directory, "GET", "/referrals", claims, params=params)

    def get_referral(self, claims: Claims, referral_id: str) -> dict:
        return self._json(self.directory, "GET", f"/referrals/{referral_id}", claims)

    def change_referral(self, claims: Claims, referral_id: str, verb: str) -> dict:
        if verb not in ("accept", "decline", "cancel"):
            raise ValueError(verb)
        return self._json(self.directory, "POST", f"/referrals/{referral_id}/{verb}", claims)

    # -- audit -------------------------------------------------------------------------------
    def audit_log(self, claims: Claims, params: dict) -> dict:
        return self._json(self.directory, "GET", "/audit", claims, params=params)

    def record(self, claims: Claims, action: str, target: str | None, detail: str | None = None) -> None:
        self._json(self.directory, "POST", "/audit", claims, body={"action": action, "target": target,
                                                                    "detail": detail})
