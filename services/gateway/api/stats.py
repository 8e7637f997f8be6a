"""Aggregate figures for coordinators and policy makers (admins): counts under 5 suppressed."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..context import gateway
from ..figures import gather
from ..forwarding import call
from ..identity import authorise
from . import examples as ex
from .docs import PREFIX, READ_ERRORS, operation

blp = Blueprint("Figures", __name__, url_prefix=f"{PREFIX}/stats",
                description="Placements, declines, time to decision, unmet needs, group placements, occupancy and "
                            "staleness by region and week (admins)")

COUNT = "a count, or \"<5\" when under five"


def _count(**extra):
    return fields.Raw(metadata={"description": COUNT, "oneOf": [{"type": "integer"}, {"type": "string", "enum": ["<5"]}],
                                **extra})


class StatusRowSchema(Schema):
    week = fields.String(metadata={"description": "ISO week (by_week)", "example": "2026-W49"})
    region = fields.String(metadata={"description": "province of the provider (by_region)"})
    need = fields.String(metadata={"description": "need referred for (by_need)"})
    referrals = _count()
    placements = _count(description="accepted referrals; " + COUNT)
    declines = _count()
    cancelled = _count()
    expired = _count()


class DecisionWeekSchema(Schema):
    week = fields.String()
    decided = _count()
    median = fields.Raw(metadata={"description": "median hours from referral to decision; \"<5\" under five"})


class DecisionSchema(Schema):
    decided = _count()
    median = fields.Raw(metadata={"description": "median hours from referral to accept or decline"})
    by_week = fields.List(fields.Nested(DecisionWeekSchema))


class DeclineReasonSchema(Schema):
    reason = fields.String(metadata={"description": "why providers declined (the referral's reason vocabulary)"})
    declines = _count()


class CapacityRowSchema(Schema):
    region = fields.String()
    week = fields.String(metadata={"description": "the ISO week these figures are from (now)"})
    providers = _count(description="active providers; " + COUNT)
    units = _count(description="the maximum of every pool: each provider's main capacity and each need it counts "
                               "apart (service_capacity), of any unit; " + COUNT)
    in_use = _count(description="units in use (maximum less available) over the same pools; " + COUNT)
    occupancy_percent = fields.Raw(metadata={"description": "units in use of all units; \"<5\" on small counts"})
    stale_providers = _count(description="providers with a count (of any pool) over 24 h old, each once; " + COUNT)
    stale_percent = fields.Raw(metadata={"description": "stale providers of all active ones; \"<5\" on small counts"})


class CapacityWeekSchema(CapacityRowSchema):
    week = fields.String(metadata={"description": "ISO week", "example": "2026-W49"})
    first_day = fields.String(metadata={"description": "the week's first recorded day (recorded once a day, UTC)"})
    last_day = fields.String(metadata={"description": "the week's last recorded day"})


class UnmetRowSchema(Schema):
    week = fields.String(metadata={"description": "ISO week (by_week, by_week_need_region)"})
    need = fields.String(metadata={"description": "need asked for (by_need, by_week_need_region)"})
    region = fields.String(metadata={"description": "province of the match's location, \"—\" outside them"})
    matches = _count(description="matches that asked for the need; " + COUNT)
    unmet = _count(description="of them, matches that found nobody; " + COUNT)
    unmet_percent = fields.Raw(metadata={"description": "unmet of matches; \"<5\" on small counts"})


class UnmetNeedsSchema(Schema):
    by_week = fields.List(fields.Nested(UnmetRowSchema))
    by_need = fields.List(fields.Nested(UnmetRowSchema))
    by_region = fields.List(fields.Nested(UnmetRowSchema))
    by_week_need_region = fields.List(fields.Nested(UnmetRowSchema))


class GroupRowSchema(Schema):
    week = fields.String(metadata={"description": "ISO week (by_week)"})
    need = fields.String(metadata={"description": "need of the group match (by_need)"})
    groups = _count(description="group matches; " + COUNT)
    people = _count(description="people in them; " + COUNT)
    unplaced = _count(description="people left without a place; " + COUNT)
    unplaced_percent = fields.Raw(metadata={"description": "unplaced of people; \"<5\" on small counts"})


class GroupPlacementsSchema(Schema):
    by_week = fields.List(fields.Nested(GroupRowSchema))
    by_need = fields.List(fields.Nested(GroupRowSchema))


class StatsSchema(Schema):
    generated_at = fields.String()
    suppression = fields.String()
    totals = fields.Dict(keys=fields.String(), values=fields.Raw())
    by_week = fields.List(fields.Nested(StatusRowSchema))
    by_region = fields.List(fields.Nested(StatusRowSchema))
    by_need = fields.List(fields.Nested(StatusRowSchema))
    time_to_decision_hours = fields.Nested(DecisionSchema)
    declines_by_reason = fields.List(fields.Nested(DeclineReasonSchema))
    capacity_by_region = fields.List(fields.Nested(CapacityRowSchema))
    capacity_by_week = fields.List(fields.Nested(CapacityWeekSchema))
    unmet_needs = fields.Nested(UnmetNeedsSchema)
    group_placements = fields.Nested(GroupPlacementsSchema)
    not_recorded = fields.Dict(keys=fields.String(), values=fields.String(),
                               metadata={"description": "what Haven has not recorded, so cannot count"})


def directory_reader(claims=None):
    """Reads from the directory as the caller (an admin), page by page."""
    client = gateway().directory

    def fetch(path: str, params: dict) -> dict:
        answer = call(client, "GET", path, params=params, claims=claims)
        answer.raise_for_status()
        return answer.json()

    return fetch


@blp.route("", methods=["GET"])
@operation(blp, "readStats", answer=StatsSchema, answer_example=ex.STATS, errors=READ_ERRORS)
@authorise("read_stats")
def read_stats():
    """Aggregate figures; nothing about a person, counts under 5 shown as "<5\""""
    return gather(directory_reader(), gateway().clock())
