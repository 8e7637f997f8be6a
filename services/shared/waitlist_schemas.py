"""Wire schemas of the waiting list as the gateway documents them (the directory loads the body strictly)."""
from __future__ import annotations

from marshmallow import Schema, fields


class WaitlistInSchema(Schema):
    query = fields.Dict(required=True, metadata={
        "description": "The hard filters of one need, nothing else: need, lat, lon, gender, age, "
                       "accompanying_children, wheelchair, residence_status, return_country, max_distance_km, "
                       "avoid [{lat, lon, radius_km}], include_stale"})
    case_reference = fields.String(required=True, metadata={"description": "Opaque, never personal data"})
    hours = fields.Integer(metadata={"description": "How long to wait, 1 to 72 (default 72); the entry is deleted then"})


class WaitlistEntrySchema(Schema):
    id = fields.String()
    created_by = fields.String()
    case_reference = fields.String()
    need = fields.String()
    query = fields.Dict()
    created_at = fields.String()
    expires_at = fields.String()


class WaitlistListSchema(Schema):
    contents = fields.List(fields.Nested(WaitlistEntrySchema))
