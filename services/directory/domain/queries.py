"""What the store is asked: searches, candidate lists, referral and audit filters."""
from __future__ import annotations

from dataclasses import dataclass, field

from ...shared.geo import Area  # noqa: F401 (a search area, and an area to avoid)
from ...shared.placement import CandidateQuery  # noqa: F401 (the rules' home owns it)


@dataclass(frozen=True)
class SearchQuery:
    text: str | None = None
    types: tuple[str, ...] = ()
    need: str | None = None
    language: str | None = None
    gender: str | None = None
    age: int | None = None
    near: tuple[float, float] | None = None
    radius_km: float | None = None
    available_only: bool = False
    include_inactive: bool = False
    page: int = 1
    size: int = 20


@dataclass(frozen=True)
class ReferralFilter:
    created_by: str | None = None
    provider_ids: tuple[str, ...] | None = None
    provider_id: str | None = None
    status: str | None = None
    case_reference: str | None = None
    page: int = 1
    size: int = 20


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    target: str | None = None
    since: str | None = None
    until: str | None = None
    page: int = 1
    size: int = 50


@dataclass
class Page:
    items: list = field(default_factory=list)
    total: int = 0
