"""A waiting-list entry: the hard filters of one need and nothing else, for at most 72 hours."""
from __future__ import annotations

from dataclasses import asdict, dataclass

MAX_WAIT_HOURS = 72
OFFER_CANDIDATES = 5  # candidates looked at per entry and round; the nearest free one is held


@dataclass
class WaitlistEntry:
    id: str
    created_by: str
    case_reference: str
    need: str
    query: dict          # CandidateQuery.to_wire(): hard-filter attributes only, no free text, no identity
    created_at: str
    expires_at: str

    def to_dict(self) -> dict:
        return asdict(self)
