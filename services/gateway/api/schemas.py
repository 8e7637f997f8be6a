"""Schemas the gateway owns: HSDS query arguments and answers, audit pages (for validation and docs)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ...shared import vocabulary as v
from ...shared.schemas import PageSchema, StrictSchema
from ...shared.strict_fields import QueryInteger, Text


class HsdsQueryArgsSchema(StrictSchema):
    """The HSDS 3.1 API's paging and search parameters."""

    search = Text(validate=validate.Length(min=1, max=200), metadata={"description": "free text"})
    page = QueryInteger(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = QueryInteger(load_default=20, validate=validate.Range(min=1, max=v.MAX_PAGE_SIZE))


class HsdsAboutSchema(Schema):
    """What the HSDS API reference's root endpoint answers: the HSDS version, profile and OpenAPI document."""

    version = fields.String(required=True, metadata={"description": "the HSDS version this API follows"})
    profile = fields.String(required=True, metadata={"format": "uri", "description": "the HSDS profile's URI"})
    # A path on this server: an absolute URL would tell callers the host name the gateway sees behind a proxy.
    openapi_url = fields.String(required=True, metadata={"format": "uri-reference",
                                                         "description": "this API's OpenAPI document"})


class HsdsUnitSchema(Schema):
    id = fields.String()
    name = fields.String(metadata={"description": "bed, appointment, case or hour"})


class HsdsCapacitySchema(Schema):
    id = fields.String()
    service_id = fields.String()
    unit = fields.Nested(HsdsUnitSchema)
    available = fields.Integer(metadata={"description": "units free now (reported minus held by pending referrals)"})
    maximum = fields.Integer()
    description = fields.String()
    updated = fields.String()
    attributes = fields.List(fields.Dict(), metadata={
        "description": "the need a pool of its own is for, as a taxonomy term (none for the main pool)"})


class HsdsAddressSchema(Schema):
    id = fields.String()
    location_id = fields.String()
    address_1 = fields.String(metadata={"description": "empty for a confidential location"})
    city = fields.String()
    region = fields.String()
    state_province = fields.String()
    postal_code = fields.String(metadata={"description": "empty for a confidential location"})
    country = fields.String()
    address_type = fields.String()


class HsdsLocationSchema(Schema):
    id = fields.String()
    location_type = fields.String()
    name = fields.String()
    description = fields.String()
    latitude = fields.Float(metadata={"description": "rounded to a ~5 km grid for a confidential location"})
    longitude = fields.Float()
    addresses = fields.List(fields.Nested(HsdsAddressSchema))


class HsdsServiceAtLocationSchema(Schema):
    id = fields.String()
    service_id = fields.String()
    location_id = fields.String()
    location = fields.Nested(HsdsLocationSchema)


class HsdsLanguageSchema(Schema):
    id = fields.String()
    service_id = fields.String()
    name = fields.String()
    code = fields.String()


class HsdsOrganizationSchema(Schema):
    id = fields.String()
    name = fields.String()
    description = fields.String()


class HsdsServiceSchema(Schema):
    """An Open Referral HSDS 3.1 service (the fields Haven fills)."""

    id = fields.String()
    organization_id = fields.String()
    name = fields.String()
    description = fields.String()
    email = fields.String()
    status = fields.String(metadata={"description": "active, inactive or temporarily closed"})
    interpretation_services = fields.String()
    eligibility_description = fields.String()
    minimum_age = fields.Integer()
    maximum_age = fields.Integer()
    last_modified = fields.String()
    organization = fields.Nested(HsdsOrganizationSchema)
    languages = fields.List(fields.Nested(HsdsLanguageSchema))
    capacities = fields.List(fields.Nested(HsdsCapacitySchema))
    service_at_locations = fields.List(fields.Nested(HsdsServiceAtLocationSchema))
    phones = fields.List(fields.Dict())
    attributes = fields.List(fields.Dict(), metadata={"description": "needs served, as taxonomy terms"})


class HsdsServicePageSchema(PageSchema):
    contents = fields.List(fields.Nested(HsdsServiceSchema))
