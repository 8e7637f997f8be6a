"""The public API under /api/v1: thin views that check the caller and forward to the internal services."""
from __future__ import annotations

from . import audit, matches, open_referral, providers, referrals, stale, stats, waitlist, webhooks
from .docs import PREFIX, create_api

BLUEPRINTS = (providers.blp, matches.blp, referrals.blp, audit.blp, open_referral.blp, stale.blp, stats.blp,
              webhooks.blp, waitlist.blp)

__all__ = ["BLUEPRINTS", "PREFIX", "create_api"]
