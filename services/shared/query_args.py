"""The public query arguments the gateway checks and the directory answers: one definition for both."""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from . import vocabulary as v
from .errors import ambiguous_place
from .places import AmbiguousPlace, resolve_place
from .schemas import LANGUAGE_CODE, StrictSchema, _language, _not_personal_data
from .strict_fields import QueryBoolean, QueryFloat, QueryInteger, Text
from .text import SafeText


def parse_near(text: str) -> tuple[float, float]:
    """`lat,lon` or a Dutch place name; unknown places are an error naming the place, a name several
    municipalities' places share one listing the choices."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) == 2:
        try:
            lat, lon = float(parts[0]), float(parts[1])
        except ValueError:
            lat = lon = None
        if lat is not None:
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValidationError("coordinates out of range")
            return lat, lon
    try:
        place = resolve_place(text)
    except AmbiguousPlace as err:
        raise ValidationError(ambiguous_place(err)) from None
    if place is None:
        raise ValidationError(f"unknown place: {text[:80]!r}")
    return place.lat, place.lon


class NearField(fields.String):
    """A location given as `lat,lon` or a place name, loaded as (lat, lon)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > 120:
            raise ValidationError("too long")
        SafeText()(text)
        return parse_near(text)


class ProviderQueryArgsSchema(StrictSchema):
    q = Text(validate=validate.Length(min=1, max=200), metadata={"description": "free text; accents ignored"})
    type = fields.List(fields.String(validate=validate.OneOf(v.PROVIDER_TYPES)), validate=validate.Length(max=6))
    need = fields.String(validate=validate.OneOf(v.NEEDS))
    language = fields.String(validate=_language,
                             metadata={**LANGUAGE_CODE, "description": "ISO 639 code; staff or interpreter"})
    gender = fields.String(validate=validate.OneOf(v.GENDERS))
    age = QueryInteger(validate=validate.Range(min=0, max=120))
    near = NearField(metadata={"description": "`lat,lon` or a Dutch place name; a name places in several "
                                              "municipalities share answers 400 `ambiguous_place` with the "
                                              "choices (send one's value: \"Den Hoorn, Midden-Delfland\")"})
    radius_km = QueryFloat(validate=validate.Range(min=0, max=v.MAX_RADIUS_KM, min_inclusive=False), allow_nan=False)
    available = QueryBoolean(load_default=False, metadata={"description": "true: only free capacity"})
    include_inactive = QueryBoolean(load_default=False, metadata={"description": "admins only"})
    page = QueryInteger(load_default=1, validate=validate.Range(min=1, max=100_000))
    size = QueryInteger(load_default=20, validate=validate.Range(min=1, max=v.MAX_PAGE_SIZE))

    @validates_schema
    def _radius_needs_near(self, data, **kwargs):
        if "radius_km" in data and "near" not in data:
            raise ValidationError("radius_km needs near", "radius_km")


class ReferralQueryArgsSchema(StrictSchema):
    provider_id = fields.UUID()
    status = fields.String(validate=validate.OneOf(v.REFERRAL_STATUSES))
    case_reference = Text(validate=[validate.Length(min=1, max=v.MAX_CASE_REFERENCE), _not_personal_data])
    page = QueryInteger(load_default=1, validate=validate.Range(min=1, max=100_000))
    size = QueryInteger(load_default=20, validate=validate.Range(min=1, max=v.MAX_PAGE_SIZE))


class AuditQueryArgsSchema(StrictSchema):
    actor = Text(validate=validate.Length(max=200))
    action = Text(validate=validate.Length(max=100))
    target = Text(validate=validate.Length(max=200))
    since = fields.AwareDateTime()
    until = fields.AwareDateTime()
    page = QueryInteger(load_default=1, validate=validate.Range(min=1, max=100_000))
    size = QueryInteger(load_default=50, validate=validate.Range(min=1, max=v.MAX_PAGE_SIZE))


class StaleQueryArgsSchema(StrictSchema):
    hours = QueryFloat(load_default=24, validate=validate.Range(min=1, max=24 * 365), allow_nan=False,
                       metadata={"description": "capacity older than this many hours (default 24)"})
