"""Ranked matches for one person or a group (forwarded to the matcher)."""
from __future__ import annotations

from flask_smorest import Blueprint

from ...shared.match_schemas import GroupRequestSchema, GroupResponseSchema, MatchRequestSchema, MatchResponseSchema
from ..forwarding import json_body, to_matcher
from ..identity import authorise
from . import examples as ex
from .docs import PREFIX, WRITE_ERRORS, operation

blp = Blueprint("Matches", __name__, url_prefix=f"{PREFIX}/matches",
                description="Ranked, explained matches (caseworkers); match requests are never stored")


@blp.route("", methods=["POST"])
@operation(blp, "rankMatches", body=MatchRequestSchema, answer=MatchResponseSchema,
           body_example=ex.MATCH_REQUEST, answer_example=ex.MATCH_RESPONSE,
           errors=WRITE_ERRORS)
@authorise("match")
def match():
    """Rank providers for one person's needs, with the reasons for each rank

    The body carries attributes only (needs, languages, age, gender, location, areas to avoid), never
    names or identity numbers. Providers inside an area to avoid are left out whatever their score.
    """
    return to_matcher("POST", "/matches", body=json_body())


@blp.route("/group", methods=["POST"])
@operation(blp, "matchGroup", body=GroupRequestSchema, answer=GroupResponseSchema,
           body_example=ex.GROUP_REQUEST, answer_example=ex.GROUP_RESPONSE,
           errors=WRITE_ERRORS)
@authorise("match_group")
def match_group():
    """Assign places to a group freed together, maximising total match quality under capacity"""
    return to_matcher("POST", "/matches/group", body=json_body())
