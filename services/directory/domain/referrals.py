"""The referral lifecycle: which transitions are allowed, and who may make them."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

from ...shared.capacity import hold_has_ended, hold_until  # noqa: F401 (hold_until: the directory's name)

# to_status -> who may make it. Only a pending referral can move at all.
TRANSITIONS = {"accepted": "provider", "declined": "provider", "cancelled": "creator"}
RELEASES_HOLD = {"declined", "cancelled", "expired"}


@dataclass
class Referral:
    id: str
    provider_id: str
    need: str
    case_reference: str
    status: str
    created_by: str
    created_at: str
    expires_at: str
    updated_at: str
    # The party the place is for (people, never who they are) and the units it holds (capacity.units_for).
    adults: int | None = None
    children: int | None = None
    units: int = 1
    # What the provider needs to decide, never who the person is; the callback is the caseworker's office.
    languages: list = field(default_factory=list)
    interpreter_needed: bool = False
    urgency: str = "routine"
    callback: str | None = None
    # Why a decline or cancel happened; the note is shown only to the other party of the referral.
    reason: str | None = None
    note: str | None = None

    def effective_status(self, now: datetime) -> str:
        """Expiry is exact at read time, whether or not a sweep has marked it yet."""
        if self.status == "pending" and hold_has_ended(self.expires_at, now):
            return "expired"
        return self.status

    def as_of(self, now: datetime) -> "Referral":
        status = self.effective_status(now)
        if status == self.status:
            return self
        return Referral(**dict(asdict(self), status=status, updated_at=self.expires_at))

    def to_dict(self) -> dict:
        return asdict(self)


def note_visible_to(referral: Referral, subject: str, provider_ids) -> bool:
    """A decline's note is for the caseworker who referred, a cancel's for the provider: the other party only."""
    if referral.status == "declined":
        return referral.created_by == subject
    if referral.status == "cancelled":
        return referral.provider_id in provider_ids
    return False


def cancels_on_accept(accepted: Referral, other: Referral) -> bool:
    """One hold per case: the same caseworker's other pending referral for the same case reference and need."""
    return (other.id != accepted.id and other.status == "pending" and other.created_by == accepted.created_by
            and other.case_reference == accepted.case_reference and other.need == accepted.need)


PLACED_ELSEWHERE = "placed_elsewhere"


class NoCapacity(Exception):
    """Nothing free to hold."""


class InvalidTransition(Exception):
    """The referral is not in a state that allows this change."""

    def __init__(self, current: str, wanted: str):
        super().__init__(f"a {current} referral cannot be {wanted}")
        self.current = current


class TooManyPending(Exception):
    """The caseworker already holds as many pending referrals for this case and need as allowed."""

    def __init__(self, limit: int):
        super().__init__(f"at most {limit} pending referrals per case reference and need")
        self.limit = limit


