"""Referrals that hold one unit of a provider's capacity (forwarded to the directory)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from ...shared.case_reference import personal_data_in
from ...shared.errors import bad_field
from ...shared.query_args import ReferralQueryArgsSchema
from ...shared.schemas import (ReferralCancelSchema, ReferralDeclineSchema, ReferralInSchema, ReferralPageSchema,
                               ReferralSchema)
from ..forwarding import json_body, query_params, to_directory
from ..identity import authorise
from . import examples as ex
from .docs import PREFIX, READ_ERRORS, WRITE_ERRORS, operation

blp = Blueprint("Referrals", __name__, url_prefix=f"{PREFIX}/referrals",
                description="Refer a person to a provider, holding a unit of its capacity until it answers")


@blp.route("")
class Referrals(MethodView):
    @operation(blp, "listReferrals", query=ReferralQueryArgsSchema, answer=ReferralPageSchema,
               answer_example=ex.page(ex.REFERRAL), errors=(400, *READ_ERRORS))
    @authorise("list_referrals")
    def get(self):
        """List referrals: your own (caseworker), your providers' (provider) or all (admin)"""
        return to_directory("GET", "/referrals", params=query_params())

    @operation(blp, "createReferral", body=ReferralInSchema, answer=ReferralSchema, status=201,
               body_example=ex.REFERRAL_IN, answer_example=ex.REFERRAL, errors=(404, 409, *WRITE_ERRORS))
    @authorise("create_referral")
    def post(self):
        """Refer (caseworker): holds one unit; 409 when none is free

        The answer is `pending` with `expires_at`: the hold ends then unless the provider accepts.
        `case_reference` is an opaque reference, never personal data.
        """
        body = json_body()
        reference = body.get("case_reference") if isinstance(body, dict) else None
        # Refused here too, so a body carrying personal data goes no further than the gateway.
        problem = personal_data_in(reference) if isinstance(reference, str) else None
        if problem:
            raise bad_field("case_reference", problem)
        return to_directory("POST", "/referrals", body=body)


@blp.route("/<uuid:referral_id>")
class Referral(MethodView):
    @operation(blp, "getReferral", answer=ReferralSchema, answer_example=ex.REFERRAL, errors=(404, *READ_ERRORS))
    @authorise("get_referral")
    def get(self, referral_id):
        """One referral (the caseworker who made it, its provider, an admin)

        Once accepted, the caseworker who made it sees the provider's address (recorded in the audit log).
        """
        return to_directory("GET", f"/referrals/{referral_id}")


# Decline and cancel carry {reason, note?}; without a body the reason is `other`.
REASON_BODIES = {"decline": (ReferralDeclineSchema, ex.DECLINE_IN), "cancel": (ReferralCancelSchema, ex.CANCEL_IN)}


def _transition(verb: str, operation_name: str, summary: str):
    body_schema, body_example = REASON_BODIES.get(verb, (None, None))

    @operation(blp, f"{verb}Referral", answer=ReferralSchema, answer_example=ex.REFERRAL, body=body_schema,
               body_example=body_example, errors=(400, 404, 409, *READ_ERRORS) if body_schema else (404, 409, *READ_ERRORS))
    @authorise(operation_name)
    def view(referral_id):
        return to_directory("POST", f"/referrals/{referral_id}/{verb}", body=json_body())

    view.__name__ = f"{verb}_referral"
    view.__doc__ = summary
    return view


for _verb, _summary in (("accept", "Accept a pending referral (its provider); the unit stays used"),
                        ("decline", "Decline a pending referral (its provider), saying why; the unit comes back\n\n"
                                    "The note is shown only to the caseworker who referred."),
                        ("cancel", "Cancel a pending referral (the caseworker who made it), saying why; the unit "
                                   "comes back\n\nThe note is shown only to the provider.")):
    blp.route(f"/<uuid:referral_id>/{_verb}", methods=["POST"])(_transition(_verb, f"{_verb}_referral", _summary))
