"""Wire schemas that cross service boundaries: providers, capacity, referrals, pages, errors."""
from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from . import vocabulary as v
from .callback import callback_problem
from .case_reference import personal_data_in
from .intake import NotOpeningHours, open_slots
from .languages import is_country_code, is_language_code
from .strict_fields import StrictBoolean, StrictFloat, StrictInteger, Text
from .text import SafeText


def _language(code: str) -> None:
    if not is_language_code(code):
        raise ValidationError(f"not an ISO 639 language code: {code!r}")


def _callback(value: str) -> None:
    problem = callback_problem(value)
    if problem:
        raise ValidationError(problem)


def _country(code: str) -> None:
    if not is_country_code(code):
        raise ValidationError(f"not an ISO 3166-1 alpha-2 country code: {code!r}")


def _not_personal_data(reference: str) -> None:
    problem = personal_data_in(reference)
    if problem:
        raise ValidationError(problem)


def _unique(values) -> None:
    if len(set(values)) != len(values):
        raise ValidationError("values must be unique")


# What the validators above accept, as the OpenAPI document states it (the lists of codes are too long for enums).
LANGUAGE_CODE = {"pattern": "^[a-z]{2,3}$", "description": "ISO 639 code"}
COUNTRY_CODE = {"pattern": "^[A-Z]{2}$", "description": "ISO 3166-1 alpha-2 code"}
UNIQUE = {"uniqueItems": True}


def LanguageList(max_length: int = v.MAX_PROVIDER_LANGUAGES, **kwargs):
    return fields.List(fields.String(validate=_language, metadata=LANGUAGE_CODE),
                       validate=[validate.Length(max=max_length), _unique],
                       metadata={**UNIQUE, **kwargs.pop("metadata", {})}, **kwargs)


def Choices(choices, *, min_length: int = 0, max_length: int | None = None, **kwargs):
    return fields.List(fields.String(validate=validate.OneOf(choices)),
                       validate=[validate.Length(min=min_length, max=max_length or len(choices)), _unique],
                       metadata={**UNIQUE, **kwargs.pop("metadata", {})}, **kwargs)


class NamedDict(fields.Dict):
    """A dict field whose errors name the entry (`service_capacity.medical.available`), not marshmallow's
    `key` and `value` parts of it."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return super()._deserialize(value, attr, data, **kwargs)
        except ValidationError as err:
            if not isinstance(err.messages, dict):
                raise
            named: dict = {}
            for entry, parts in err.messages.items():
                if isinstance(parts, dict) and set(parts) <= {"key", "value"}:
                    named[entry] = parts["key"] if "key" in parts else parts["value"]
                else:
                    named[entry] = parts
            raise ValidationError(named) from None


class StrictSchema(Schema):
    """Unknown fields are an error, never silently dropped."""

    class Meta:
        unknown = RAISE
        ordered = True


class LocationSchema(StrictSchema):
    municipality = Text(required=True, validate=validate.Length(min=1, max=100))
    region = Text(load_default="", validate=validate.Length(max=100))
    lat = StrictFloat(required=True, validate=validate.Range(min=-90, max=90), allow_nan=False)
    lon = StrictFloat(required=True, validate=validate.Range(min=-180, max=180), allow_nan=False)
    address = Text(load_default="", allow_none=True, validate=validate.Length(max=300))
    postal_code = Text(load_default="", allow_none=True, validate=validate.Length(max=12))
    confidential = StrictBoolean(load_default=False)


class EligibilitySchema(StrictSchema):
    genders = Choices(v.GENDERS, load_default=list(v.GENDERS))
    min_age = StrictInteger(load_default=18, validate=validate.Range(min=0, max=120))
    max_age = StrictInteger(load_default=120, validate=validate.Range(min=0, max=120))
    accepts_children = StrictBoolean(load_default=False)
    wheelchair_accessible = StrictBoolean(load_default=False)
    exploitation_types = Choices(v.EXPLOITATION_TYPES, load_default=list)
    residence_statuses = Choices(v.RESIDENCE_STATUSES, load_default=list)
    countries = fields.List(fields.String(validate=_country, metadata=COUNTRY_CODE),
                            validate=[validate.Length(max=250), _unique], load_default=list, metadata=UNIQUE)
    specialises_in = Choices(v.SUPPORT_NEEDS, load_default=list, metadata={
        "description": "support needs the provider specialises in: ranked higher for people who have them"})
    cannot_serve = Choices(v.SUPPORT_NEEDS, load_default=list, metadata={
        "description": "support needs the provider cannot serve: never offered to people who have them"})
    target_groups = Choices(v.TARGET_GROUPS, load_default=list, metadata={
        "description": "for a categorical shelter, the only groups it takes in: reflection_period_non_dutch, "
                       "dutch_eu_adults, complex_needs, minors; empty for anyone"})

    @validates_schema
    def _ages_in_order(self, data, **kwargs):
        if data.get("min_age", 0) > data.get("max_age", 120):
            raise ValidationError("min_age must not be above max_age", "min_age")


class CapacitySchema(StrictSchema):
    available = StrictInteger(required=True, validate=validate.Range(min=0, max=100_000))
    maximum = StrictInteger(required=True, validate=validate.Range(min=0, max=100_000))
    unit = fields.String(load_default="bed", validate=validate.OneOf(v.CAPACITY_UNITS))
    updated = fields.AwareDateTime(load_default=None, allow_none=True)

    @validates_schema
    def _not_above_maximum(self, data, **kwargs):
        if "available" in data and "maximum" in data and data["available"] > data["maximum"]:
            raise ValidationError("available must not be above maximum", "available")


def _opening_hours(text: str) -> None:
    if text.strip():
        try:
            open_slots(text)
        except NotOpeningHours:
            raise ValidationError("not understood: use OpenStreetMap opening_hours such as 'Mo-Fr 09:00-17:00; "
                                  "Sa 10:00-14:00' or '24/7' (Dutch time)") from None


class ContactSchema(StrictSchema):
    phone = Text(load_default="", validate=validate.Length(max=40))
    email = fields.Email(load_default=None, allow_none=True, validate=[validate.Length(max=200), SafeText()])
    intake_hours = Text(load_default="", validate=validate.Length(max=200))
    intake_opening_hours = Text(load_default="", validate=[validate.Length(max=200), _opening_hours], metadata={
        "description": "when intake takes people in, in OpenStreetMap opening_hours syntax (Dutch time): "
                       "'24/7', 'Mo-Su 17:00-23:00', 'Mo-Fr 09:00-17:00; Sa 10:00-12:00'; empty when unknown"})


class ProviderInSchema(StrictSchema):
    """A provider as an admin creates or replaces it."""

    id = fields.UUID(load_default=None)
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    organization = Text(load_default="", validate=validate.Length(max=200))
    type = fields.String(required=True, validate=validate.OneOf(v.PROVIDER_TYPES))
    description = Text(multiline=True, load_default="", validate=validate.Length(max=4000))
    services = Choices(v.NEEDS, min_length=1, required=True)
    languages = LanguageList(load_default=list)
    interpretation_languages = LanguageList(load_default=list)
    location = fields.Nested(LocationSchema, required=True)
    delivery = Choices(v.DELIVERY_MODES, min_length=1, load_default=lambda: ["on_site"], metadata={
        "description": "on_site (at the location), remote (phone or video), outreach (at the person's place); "
                       "wheelchair access is asked only of services delivered on site"})
    eligibility = fields.Nested(EligibilitySchema, load_default=lambda: EligibilitySchema().load({}))
    capacity = fields.Nested(CapacitySchema, required=True, metadata={
        "description": "the pool of every service without its own in service_capacity"})
    service_capacity = NamedDict(keys=fields.String(validate=validate.OneOf(v.NEEDS)),
                                 values=fields.Nested(CapacitySchema), load_default=dict, metadata={
        "description": "HSDS service_capacity: a need's own capacity pool (a shelter's care places apart from its "
                       "beds); each key must be one of the provider's services"})
    contact = fields.Nested(ContactSchema, load_default=lambda: ContactSchema().load({}))
    hold_minutes = StrictInteger(load_default=v.DEFAULT_HOLD_MINUTES,
                                 validate=validate.Range(min=v.MIN_HOLD_MINUTES, max=v.MAX_HOLD_MINUTES))
    status = fields.String(load_default="active", validate=validate.OneOf(v.PROVIDER_STATUSES))

    @validates_schema
    def _pools_of_own_services(self, data, **kwargs):
        services = data.get("services")
        if services is None:
            return
        strangers = sorted(set(data.get("service_capacity") or ()) - set(services))
        if strangers:
            raise ValidationError(f"only services the provider offers can have their own capacity; not {strangers}",
                                  "service_capacity")


class CapacityUpdateSchema(StrictSchema):
    """What a provider reports: free units now, and the maximum when it changed, of one pool."""

    available = StrictInteger(required=True, validate=validate.Range(min=0, max=100_000))
    maximum = StrictInteger(validate=validate.Range(min=0, max=100_000))
    need = fields.String(load_default=None, validate=validate.OneOf(v.NEEDS), metadata={
        "description": "the need whose own pool (service_capacity) this reports; without it, the main capacity"})


class ProviderOutLocationSchema(Schema):
    municipality = fields.String()
    region = fields.String()
    lat = fields.Float()
    lon = fields.Float()
    address = fields.String(allow_none=True)
    postal_code = fields.String(allow_none=True)
    confidential = fields.Boolean()
    precision_km = fields.Float(metadata={"description": "0 for an exact location; about 5 when coarsened"})


class ProviderOutCapacitySchema(Schema):
    available = fields.Integer(metadata={"description": "free units as last reported by the provider"})
    maximum = fields.Integer()
    unit = fields.String()
    updated = fields.String(metadata={"description": "ISO 8601 time of the last report"})
    held = fields.Integer(metadata={"description": "units held by pending referrals"})
    free = fields.Integer(metadata={"description": "available minus pending holds: what can be referred to now"})
    age_hours = fields.Float()
    stale = fields.Boolean(metadata={"description": "older than 24 hours: call to confirm"})


class ProviderOutSchema(Schema):
    """A provider as callers see it; confidential locations are coarsened for all but admins."""

    id = fields.String()
    name = fields.String()
    organization = fields.String()
    type = fields.String()
    description = fields.String()
    services = fields.List(fields.String())
    languages = fields.List(fields.String())
    interpretation_languages = fields.List(fields.String())
    location = fields.Nested(ProviderOutLocationSchema)
    delivery = fields.List(fields.String(), dump_default=["on_site"])
    eligibility = fields.Nested(EligibilitySchema)
    capacity = fields.Nested(ProviderOutCapacitySchema, metadata={
        "description": "the pool of every service without its own in service_capacity"})
    service_capacity = fields.Dict(keys=fields.String(), values=fields.Nested(ProviderOutCapacitySchema),
                                   dump_default=dict, metadata={
        "description": "HSDS service_capacity: needs with their own capacity pool, each counted apart"})
    contact = fields.Nested(ContactSchema)
    hold_minutes = fields.Integer()
    status = fields.String()
    last_modified = fields.String()
    distance_km = fields.Float(allow_none=True)


class PageSchema(Schema):
    """The HSDS page envelope."""

    total_items = fields.Integer()
    total_pages = fields.Integer()
    page_number = fields.Integer()
    size = fields.Integer()
    first_page = fields.Boolean()
    last_page = fields.Boolean()
    empty = fields.Boolean()


class ProviderPageSchema(PageSchema):
    contents = fields.List(fields.Nested(ProviderOutSchema))


class PartySchema(StrictSchema):
    """Who the place is for, as numbers only: a family holds as many beds as it has people."""

    adults = StrictInteger(required=True, validate=validate.Range(min=1, max=v.MAX_PARTY))
    children = StrictInteger(load_default=0, validate=validate.Range(min=0, max=v.MAX_PARTY))


class ReferralInSchema(StrictSchema):
    provider_id = fields.UUID(required=True)
    need = fields.String(required=True, validate=validate.OneOf(v.NEEDS))
    case_reference = Text(
        required=True, validate=[validate.Length(min=1, max=v.MAX_CASE_REFERENCE), _not_personal_data],
        metadata={"description": "An opaque reference from the caseworker's case system: letters A-Z, digits, "
                                 "spaces and - _ . / : #. Never a name, birth date or identity number: one that "
                                 "holds a BSN, a date, an e-mail address or a phone number is refused."})
    hold_minutes = StrictInteger(validate=validate.Range(min=v.MIN_HOLD_MINUTES, max=v.MAX_HOLD_MINUTES))
    party = fields.Nested(PartySchema, metadata={
        "description": "adults and children the place is for; where capacity is counted in beds the referral "
                       "holds one per person (without it: one unit)"})
    # What a provider needs to decide, never who the person is.
    languages = LanguageList(v.MAX_LANGUAGES, load_default=list,
                             metadata={"description": "The person's languages, first language first"})
    interpreter_needed = StrictBoolean(load_default=False)
    urgency = fields.String(load_default="routine", validate=validate.OneOf(v.REFERRAL_URGENCIES))
    callback = Text(load_default=None, allow_none=True, validate=_callback, metadata={
        "description": "The caseworker's office phone number or e-mail address, never the person's"})


class ReferralDeclineSchema(StrictSchema):
    """Why a provider declines; the note is shown only to the caseworker who referred."""

    reason = fields.String(required=True, validate=validate.OneOf(v.DECLINE_REASONS))
    note = Text(load_default=None, allow_none=True, validate=validate.Length(min=1, max=v.MAX_REFERRAL_NOTE))


class ReferralCancelSchema(StrictSchema):
    """Why a caseworker cancels; the note is shown only to the provider."""

    reason = fields.String(required=True, validate=validate.OneOf(v.CANCEL_REASONS))
    note = Text(load_default=None, allow_none=True, validate=validate.Length(min=1, max=v.MAX_REFERRAL_NOTE))


class ReferralPartySchema(Schema):
    adults = fields.Integer()
    children = fields.Integer()


class ReferralSchema(Schema):
    id = fields.String()
    provider_id = fields.String()
    provider_name = fields.String(allow_none=True, metadata={
        "description": "null once the provider has been deleted (its referrals are kept)"})
    need = fields.String()
    case_reference = fields.String()
    status = fields.String()
    created_at = fields.String()
    expires_at = fields.String()
    updated_at = fields.String()
    created_by = fields.String()
    party = fields.Nested(ReferralPartySchema, allow_none=True)
    units = fields.Integer(metadata={"description": "units of the provider's capacity this referral holds or used"})
    address = fields.String(allow_none=True, metadata={
        "description": "The provider's address, given to the referring caseworker once accepted"})
    languages = fields.List(fields.String())
    interpreter_needed = fields.Boolean()
    urgency = fields.String()
    callback = fields.String(allow_none=True)
    reason = fields.String(allow_none=True, metadata={"description": "Why it was declined or cancelled"})
    note = fields.String(allow_none=True, metadata={
        "description": "The decline's or cancel's note, shown only to the other party of the referral"})


class ReferralPageSchema(PageSchema):
    contents = fields.List(fields.Nested(ReferralSchema))


class PlaceChoiceSchema(Schema):
    """One place a shared place name may mean; send its `value` in the field to choose it."""

    name = fields.String()
    municipality = fields.String()
    province = fields.String()
    value = fields.String(metadata={"description": "the name with its municipality or province, "
                                                   "e.g. \"Den Hoorn, Midden-Delfland\""})


class ErrorBodySchema(Schema):
    status = fields.Integer()
    code = fields.String()
    message = fields.String()
    request_id = fields.String(allow_none=True)
    fields_ = fields.Dict(data_key="fields", keys=fields.String(), values=fields.List(fields.String()))
    field = fields.String(metadata={"description": "code `ambiguous_place`: the first field naming a place that "
                                                   "places in several municipalities share"})
    choices = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(PlaceChoiceSchema)), metadata={
        "description": "code `ambiguous_place`: per field, the places the name may mean"})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema)


class ProviderPatchSchema(ProviderInSchema):
    """Some fields of a provider; the merged record is validated whole before it is saved."""


class StalePoolSchema(Schema):
    """One of a provider's counts that is old: its main pool or a need's own pool (`service_capacity`)."""

    need = fields.String(allow_none=True, metadata={"description": "the need counted apart; null for the main pool"})
    available = fields.Integer()
    maximum = fields.Integer()
    unit = fields.String()
    updated = fields.String(metadata={"description": "ISO 8601 time of this pool's last report"})
    age_hours = fields.Float()


class StaleProviderSchema(Schema):
    """A provider with an old capacity count, with the contact to call it on.

    `available`, `maximum`, `unit` and `updated` are its main pool's, whether or not that one is old."""

    id = fields.String()
    name = fields.String()
    type = fields.String()
    status = fields.String()
    municipality = fields.String()
    phone = fields.String()
    email = fields.String()
    intake_hours = fields.String()
    available = fields.Integer()
    maximum = fields.Integer()
    unit = fields.String()
    updated = fields.String()
    age_hours = fields.Float(metadata={"description": "hours since its oldest pool's last report"})
    pools = fields.List(fields.Nested(StalePoolSchema), metadata={
        "description": "the pools whose count is old, oldest first: the main one (need null) and any a need "
                       "counts apart"})


class StaleListSchema(Schema):
    total_items = fields.Integer()
    contents = fields.List(fields.Nested(StaleProviderSchema))


class AuditEntrySchema(Schema):
    at = fields.String(metadata={"description": "ISO 8601 time"})
    actor = fields.String(metadata={"description": "token:<id>, user:<id> or cli:<name>"})
    role = fields.String()
    action = fields.String(metadata={"description": "e.g. provider.update, referral.accept, address.reveal, "
                                                    "admin.request, token.issue"})
    target = fields.String(allow_none=True)
    request_id = fields.String(allow_none=True)
    detail = fields.String(allow_none=True)


class AuditPageSchema(PageSchema):
    contents = fields.List(fields.Nested(AuditEntrySchema))


class CandidateListSchema(Schema):
    """The directory's candidates for one need: provider views with their distance, nearest first."""

    candidates = fields.List(fields.Nested(ProviderOutSchema))


class CandidateBatchAnswerSchema(Schema):
    results = fields.List(fields.Nested(CandidateListSchema))
