"""The referral lifecycle: which transitions are allowed, and who may make them."""
from __future__ import annotations

from dataclasses import asdict, dataclass
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


class NoCapacity(Exception):
    """Nothing free to hold."""


class InvalidTransition(Exception):
    """The referral is not in a state that allows this change."""

    def __init__(self, current: str, wanted: str):
        super().__init__(f"a {current} referral cannot be {wanted}")
        self.current = current


