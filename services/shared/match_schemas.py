"""Wire schemas of the matcher's endpoints; the gateway documents its public API with the same ones.

A person profile carries attributes only: never a name, birth date or identity number.
"""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from . import vocabulary as v
from .errors import ambiguous_place
from .places import AmbiguousPlace, resolve_place
from .schemas import (COUNTRY_CODE, LANGUAGE_CODE, UNIQUE, Choices, ProviderOutSchema, StrictSchema, _country,
                              _language, _unique)
from .strict_fields import StrictBoolean, StrictFloat, StrictInteger, Text


class PointInSchema(StrictSchema):
    """A point given as `lat` and `lon`, or as a Dutch `place` name; loaded as {lat, lon}."""

    lat = StrictFloat(validate=validate.Range(min=-90, max=90), allow_nan=False)
    lon = StrictFloat(validate=validate.Range(min=-180, max=180), allow_nan=False)
    place = Text(validate=validate.Length(min=1, max=120),
                 metadata={"description": "a Dutch municipality, city, town or village, instead of lat and lon. "
                                          "A name places in several municipalities share is answered with 400 "
                                          "`ambiguous_place` and its choices; send a choice's `value` "
                                          "(\"Den Hoorn, Midden-Delfland\"): the name with its municipality or "
                                          "province after a comma or in brackets"})

    @validates_schema
    def _one_form(self, data, **kwargs):
        has_lat, has_lon, has_place = "lat" in data, "lon" in data, "place" in data
        if has_place and (has_lat or has_lon):
            raise ValidationError("give either place or lat and lon, not both", "place")
        if has_place:
            try:
                found = resolve_place(data["place"])
            except AmbiguousPlace as err:
                raise ValidationError(ambiguous_place(err), "place") from None
            if found is None:
                # The typed name is not echoed: a caller's log of this answer stays free of where a person is.
                raise ValidationError("not a Dutch place we know; give lat and lon instead", "place")
            return
        if not has_lat:
            raise ValidationError("give lat and lon, or place", "lat")
        if not has_lon:
            raise ValidationError("give lat and lon, or place", "lon")

    @post_load
    def _as_point(self, data, **kwargs):
        if "place" in data:
            place = resolve_place(data.pop("place"))
            data["lat"], data["lon"] = place.lat, place.lon
        return data


class AvoidAreaInSchema(PointInSchema):
    """An area to stay out of: a point or place and a radius around it."""

    radius_km = StrictFloat(required=True, allow_nan=False,
                            validate=validate.Range(min=0, max=v.MAX_RADIUS_KM, min_inclusive=False))


class PersonSchema(StrictSchema):
    """The attributes of one person that matching uses."""

    languages = fields.List(fields.String(validate=_language, metadata=LANGUAGE_CODE), required=True,
                            validate=[validate.Length(min=1, max=v.MAX_LANGUAGES), _unique],
                            metadata={**UNIQUE, "description": "ISO 639 codes, most preferred first"})
    gender = fields.String(validate=validate.OneOf(v.GENDERS))
    age = StrictInteger(validate=validate.Range(min=0, max=120))
    location = fields.Nested(PointInSchema, required=True, metadata={"description": "{lat, lon} or {place}"})
    accompanying_children = StrictBoolean(load_default=False)
    wheelchair = StrictBoolean(load_default=False)
    exploitation_type = fields.String(validate=validate.OneOf(v.EXPLOITATION_TYPES))
    residence_status = fields.String(validate=validate.OneOf(v.RESIDENCE_STATUSES))
    origin_country = fields.String(validate=_country, metadata={
        **COUNTRY_CODE, "description": "ISO 3166-1 alpha-2; the country to return to when repatriation is needed"})
    avoid = fields.List(fields.Nested(AvoidAreaInSchema), load_default=list,
                        validate=validate.Length(max=v.MAX_AVOID_AREAS),
                        metadata={"description": "areas to avoid: no provider inside them is ever offered"})
    max_distance_km = StrictFloat(allow_nan=False,
                                  validate=validate.Range(min=0, max=v.MAX_RADIUS_KM, min_inclusive=False))
    intake_now = StrictBoolean(load_default=False, metadata={
        "description": "only shelters that take people in at the time of the request (Dutch time), or that do not "
                       "say when they do"})
    support_needs = Choices(v.SUPPORT_NEEDS, load_default=list, metadata={
        "description": "special support the person needs; providers that cannot serve one are left out, "
                       "those specialised in them rank higher. Never stored or logged."})


class MatchRequestSchema(PersonSchema):
    """One person and what they need."""

    needs = Choices(v.NEEDS, min_length=1, max_length=v.MAX_NEEDS, required=True)
    limit = StrictInteger(load_default=5, validate=validate.Range(min=1, max=v.MAX_CANDIDATES_PER_NEED),
                          metadata={"description": "candidates per need"})
    include_stale = StrictBoolean(load_default=False, metadata={
        "description": "also offer providers whose capacity was not confirmed for more than 7 days"})

    @validates_schema
    def _return_destination(self, data, **kwargs):
        if "repatriation" in data.get("needs", ()) and not data.get("origin_country"):
            raise ValidationError("needed when repatriation is among the needs", "origin_country")


class GroupRequestSchema(StrictSchema):
    """People freed together, who all need the same kind of place."""

    people = fields.List(fields.Nested(PersonSchema), required=True,
                         validate=validate.Length(min=1, max=v.MAX_GROUP_SIZE))
    need = fields.String(required=True, validate=validate.OneOf(v.NEEDS))
    include_stale = StrictBoolean(load_default=False)

    @validates_schema
    def _return_destinations(self, data, **kwargs):
        if data.get("need") != "repatriation":
            return
        missing = {index: {"origin_country": ["needed when the need is repatriation"]}
                   for index, person in enumerate(data.get("people") or ()) if not person.get("origin_country")}
        if missing:
            raise ValidationError({"people": missing})


class ReasonSchema(Schema):
    """A reason: a code from the reason vocabulary (docs/reasons.md) with its parameters, and its text."""

    code = fields.String(metadata={"description": "what the reason says, from a fixed vocabulary "
                                                  "(docs/reasons.md), e.g. `language.staff_speaks`"})
    params = fields.Dict(keys=fields.String(), metadata={
        "description": "the code's parameters, as codes and numbers (a language is `ro`, a need `shelter`)"})
    text = fields.String(metadata={
        "description": "the reason in words, in the language the request's `Accept-Language` asks for (English "
                       "or Dutch; English by default), codes written out as names; written by the gateway"})


class CandidateOutSchema(Schema):
    provider = fields.Nested(ProviderOutSchema)
    score = fields.Float(metadata={"description": "0 to 1, higher is better"})
    distance_km = fields.Float(metadata={"description": "from the person, or from the shelter in a care plan"})
    reasons = fields.List(fields.Nested(ReasonSchema),
                          metadata={"description": "why it ranks where it does, factor by factor"})
    factors = fields.Dict(keys=fields.String(), values=fields.Float(),
                          metadata={"description": "each factor's value from 0 to 1"})


class NeedResultSchema(Schema):
    need = fields.String()
    added = fields.Boolean(metadata={"description": "true for an interpreter need the matcher added"})
    candidates = fields.List(fields.Nested(CandidateOutSchema))


class UnmetNeedSchema(Schema):
    need = fields.String()
    reason = fields.Nested(ReasonSchema, metadata={"description": "why nothing is left for this need"})
    blocked_by = fields.List(fields.String(), metadata={
        "description": "the hard filters that emptied the list (avoid, capacity, stale, gender, age, children, "
                       "wheelchair, residence_status, distance, language): each alone, or all together as the "
                       "reason says; empty when nothing of this need is there at all"})
    other_route = fields.Nested(ReasonSchema, allow_none=True, metadata={
        "description": "the usual route outside this directory, where Dutch practice has one"})


class InterpreterNeededSchema(Schema):
    language = fields.String()
    language_name = fields.String(metadata={"description": "the language's name in the language of the request "
                                                            "(written by the gateway)"})
    needs = fields.List(fields.String(), metadata={"description": "needs whose candidates share no staff language"})


class AnchorLocationSchema(Schema):
    lat = fields.Float()
    lon = fields.Float()
    municipality = fields.String()


class CarePlanSchema(Schema):
    anchor_provider_id = fields.String()
    anchor_name = fields.String()
    anchor_location = fields.Nested(AnchorLocationSchema, metadata={
        "description": "coarsened to about 5 km for a confidential shelter"})
    combined_score = fields.Float(metadata={
        "description": "the shelter's score plus, for each other need asked for, the score of its best candidate "
                       "from this shelter (0 for a need left unmet): the plan with the highest one is chosen"})
    shelter_rank = fields.Integer(metadata={
        "description": "where this shelter ranks among the shelters on its own (1: the top one)"})
    shelters_weighed = fields.Integer(metadata={
        "description": "how many of the best-ranked shelters were weighed with the care reachable from them"})
    gains = fields.List(fields.String(), metadata={
        "description": "when it is not the top-ranked shelter: the needs whose best candidate scores higher from "
                       "it than from the top one"})
    reasons = fields.List(fields.Nested(ReasonSchema), metadata={"description": "why this shelter anchors the plan"})


class AsOfSchema(Schema):
    """The view of the directory an answer was worked out from."""

    source = fields.String(metadata={"description": "read_model: the matcher's copy of the directory, kept from "
                                                    "its change feed; directory: the directory itself, live"})
    at = fields.String(allow_none=True, metadata={"description": "ISO 8601 time the directory gave that view"})


class MatchResponseSchema(Schema):
    results = fields.List(fields.Nested(NeedResultSchema))
    unmet = fields.List(fields.Nested(UnmetNeedSchema))
    interpreter_needed = fields.List(fields.Nested(InterpreterNeededSchema))
    care_plan = fields.Nested(CarePlanSchema, allow_none=True, metadata={
        "description": "with shelter among the needs: the shelter whose own score and the care reachable from it "
                       "add up to the most; other care is ranked by distance from it"})
    as_of = fields.Nested(AsOfSchema)


class GroupAssignmentSchema(Schema):
    person = fields.Integer(metadata={"description": "index into people"})
    provider_id = fields.String()
    provider_name = fields.String()
    score = fields.Float()
    distance_km = fields.Float()
    reasons = fields.List(fields.Nested(ReasonSchema))


class GroupUnassignedSchema(Schema):
    person = fields.Integer()
    reason = fields.Nested(ReasonSchema, metadata={"description": "why this person got no place"})
    blocked_by = fields.List(fields.String(), metadata={
        "description": "as for an unmet need of a single match: the hard filters that left no place for this "
                       "person, each alone or all together as the reason says; capacity when the rest of the "
                       "group took the suitable places"})
    taken_by_group = fields.Boolean(metadata={
        "description": "true when places suit this person but the rest of the group took them"})
    other_route = fields.Nested(ReasonSchema, allow_none=True, metadata={
        "description": "the usual route outside this directory, where Dutch practice has one"})


class GroupResponseSchema(Schema):
    assignments = fields.List(fields.Nested(GroupAssignmentSchema))
    unassigned = fields.List(fields.Nested(GroupUnassignedSchema))
    total_score = fields.Float()
    as_of = fields.Nested(AsOfSchema)
