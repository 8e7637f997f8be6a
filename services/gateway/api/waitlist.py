"""The waiting list: wait for a need when nothing is free (forwarded to the directory)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from ...shared.waitlist_schemas import WaitlistEntrySchema, WaitlistInSchema, WaitlistListSchema
from ..forwarding import json_body, to_directory
from ..identity import authorise
from .docs import PREFIX, READ_ERRORS, WRITE_ERRORS, operation

blp = Blueprint("Waiting list", __name__, url_prefix=f"{PREFIX}/waitlist",
                description="Wait for a need when nothing is free; the first unit that fits is held for you")

WAITLIST_IN = {"query": {"need": "shelter", "lat": 52.09, "lon": 5.12, "gender": "female", "age": 24},
               "case_reference": "CASE-2026-0042", "hours": 48}
ENTRY = {"id": "0d9c8b7a-6f5e-4d3c-8b2a-1f0e9d8c7b6a", "created_by": "account:12", "need": "shelter",
         "case_reference": "CASE-2026-0042", "query": WAITLIST_IN["query"], "created_at": "2026-11-30T10:00:00+00:00",
         "expires_at": "2026-12-02T10:00:00+00:00"}


@blp.route("")
class Waitlist(MethodView):
    @operation(blp, "listWaitlist", answer=WaitlistListSchema, answer_example={"contents": [ENTRY]}, errors=READ_ERRORS)
    @authorise("list_waitlist")
    def get(self):
        """Your waiting-list entries, longest waiting first"""
        return to_directory("GET", "/waitlist")

    @operation(blp, "createWaitlistEntry", body=WaitlistInSchema, answer=WaitlistEntrySchema, status=201,
               body_example=WAITLIST_IN, answer_example=ENTRY, errors=(409, *WRITE_ERRORS))
    @authorise("create_waitlist_entry")
    def post(self):
        """Wait for a need (caseworker)

        The entry keeps only the hard filters (no free text, nothing about who the person is) and is deleted
        when it ends: at most 72 hours, or when a unit that fits frees up. Then the longest-waiting entry is
        offered a hold first: a pending referral is made for you and you are notified as for any referral.
        """
        return to_directory("POST", "/waitlist", body=json_body())


@blp.route("/<uuid:entry_id>")
class Entry(MethodView):
    @operation(blp, "deleteWaitlistEntry", status=204, errors=(404, *READ_ERRORS))
    @authorise("delete_waitlist_entry")
    def delete(self, entry_id):
        """Stop waiting"""
        return to_directory("DELETE", f"/waitlist/{entry_id}")
