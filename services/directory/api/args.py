"""Body schemas of the directory's internal endpoints (its public query arguments are in shared/query_args.py)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ...shared import vocabulary as v
from ...shared.schemas import Choices, ProviderOutSchema, StrictSchema, _country
from ...shared.strict_fields import QueryInteger, StrictBoolean, StrictFloat, StrictInteger, Text


class AreaSchema(StrictSchema):
    lat = StrictFloat(required=True, validate=validate.Range(min=-90, max=90), allow_nan=False)
    lon = StrictFloat(required=True, validate=validate.Range(min=-180, max=180), allow_nan=False)
    radius_km = StrictFloat(required=True, validate=validate.Range(min=0, max=v.MAX_RADIUS_KM), allow_nan=False)


class CandidateQuerySchema(StrictSchema):
    """The hard filters of one need, as the matcher sends them (coordinates already resolved)."""

    need = fields.String(required=True, validate=validate.OneOf(v.NEEDS))
    lat = StrictFloat(required=True, validate=validate.Range(min=-90, max=90), allow_nan=False)
    lon = StrictFloat(required=True, validate=validate.Range(min=-180, max=180), allow_nan=False)
    gender = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(v.GENDERS))
    age = StrictInteger(load_default=None, allow_none=True, validate=validate.Range(min=0, max=120))
    accompanying_children = StrictBoolean(load_default=False)
    wheelchair = StrictBoolean(load_default=False)
    residence_status = fields.String(load_default=None, allow_none=True,
                                     validate=validate.OneOf(v.RESIDENCE_STATUSES))
    return_country = fields.String(load_default=None, allow_none=True, validate=_country)
    max_distance_km = StrictFloat(load_default=None, allow_none=True,
                                  validate=validate.Range(min=0, max=v.MAX_RADIUS_KM, min_inclusive=False))
    avoid = fields.List(fields.Nested(AreaSchema), load_default=list, validate=validate.Length(max=v.MAX_AVOID_AREAS))
    include_stale = StrictBoolean(load_default=False)
    limit = StrictInteger(load_default=100, validate=validate.Range(min=1, max=1000))
    support_needs = Choices(v.SUPPORT_NEEDS, load_default=list)
    target_groups = Choices(v.TARGET_GROUPS, load_default=None, allow_none=True)
    intake_slot = StrictInteger(load_default=None, allow_none=True, validate=validate.Range(min=0, max=7 * 96 - 1))
    free_only = StrictBoolean(load_default=True, metadata={
        "description": "false only to learn whether capacity is what left a need without candidates"})


class CandidateBatchSchema(StrictSchema):
    """Several needs' hard filters at once: one request instead of one per need."""

    queries = fields.List(fields.Nested(CandidateQuerySchema), required=True,
                          validate=validate.Length(min=1, max=v.MAX_CANDIDATE_QUERIES))


class AuditEventSchema(StrictSchema):
    action = Text(required=True, validate=validate.Length(min=1, max=100))
    target = Text(load_default=None, allow_none=True, validate=validate.Length(max=200))
    detail = Text(load_default=None, allow_none=True, validate=validate.Length(max=500))


MAX_CHANGES_PAGE = 5000


class ChangesQueryArgsSchema(StrictSchema):
    since = QueryInteger(load_default=0, validate=validate.Range(min=0), metadata={
        "description": "the last change number already read; 0 pages through every provider (a snapshot)"})
    limit = QueryInteger(load_default=1000, validate=validate.Range(min=1, max=MAX_CHANGES_PAGE))


class HoldSchema(Schema):
    need = fields.String(allow_none=True)
    units = fields.Integer()
    expires_at = fields.String(metadata={"description": "ISO 8601 time the hold ends"})


class ChangedProviderSchema(ProviderOutSchema):
    holds = fields.List(fields.Nested(HoldSchema), metadata={
        "description": "every pending referral's hold, to count what is free at any time"})


class ChangePageSchema(Schema):
    """Providers changed after `since` as a caseworker sees them (no confidential point or address), the
    ids deleted, and the last change number in the page."""

    sequence = fields.Integer()
    generation = fields.String(metadata={"description": "the numbering the sequence belongs to; when it changes "
                                                        "(a rebuilt index), read again from 0"})
    more = fields.Boolean(metadata={"description": "true while later changes wait: ask again with this sequence"})
    as_of = fields.String(metadata={"description": "ISO 8601 time the page was read"})
    providers = fields.List(fields.Nested(ChangedProviderSchema))
    deleted = fields.List(fields.String())
