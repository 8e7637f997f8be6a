"""Ranked matches for one person or a group (forwarded to the matcher)."""
from __future__ import annotations

import orjson
from flask import Response, request
from flask_smorest import Blueprint

from ...shared.match_schemas import GroupRequestSchema, GroupResponseSchema, MatchRequestSchema, MatchResponseSchema
from .. import reasons
from ..context import gateway
from ..forwarding import call, json_body, passthrough
from ..identity import authorise
from . import examples as ex
from .docs import PREFIX, WRITE_ERRORS, operation

blp = Blueprint("Matches", __name__, url_prefix=f"{PREFIX}/matches",
                description="Ranked, explained matches (caseworkers); match requests are never stored")


@blp.route("", methods=["POST"])
@operation(blp, "rankMatches", body=MatchRequestSchema, answer=MatchResponseSchema,
           body_example=ex.MATCH_REQUEST, answer_example=ex.MATCH_RESPONSE,
           errors=WRITE_ERRORS, worded=True)
@authorise("match")
def match():
    """Rank providers for one person's needs, with the reasons for each rank

    The body carries attributes only (needs, languages, age, gender, location, areas to avoid), never
    names or identity numbers. Providers inside an area to avoid are left out whatever their score.
    Each reason comes as a code with parameters and its text in the language `Accept-Language` asks for
    (English or Dutch; English by default).
    """
    return _in_words("/matches", reasons.match_answer_in)


@blp.route("/group", methods=["POST"])
@operation(blp, "matchGroup", body=GroupRequestSchema, answer=GroupResponseSchema,
           body_example=ex.GROUP_REQUEST, answer_example=ex.GROUP_RESPONSE,
           errors=WRITE_ERRORS, worded=True)
@authorise("match_group")
def match_group():
    """Assign places to a group freed together, maximising total match quality under capacity

    Each reason comes as a code with parameters and its text in the language `Accept-Language` asks for.
    """
    return _in_words("/matches/group", reasons.group_answer_in)


def _in_words(path: str, localise) -> Response:
    """The matcher's answer with its reasons written out in the request's language; errors as they are."""
    client = gateway().matcher
    answer = call(client, "POST", path, body=json_body())
    if answer.status_code != 200 or not answer.headers.get("Content-Type", "").startswith("application/json"):
        return passthrough(answer, client.service)
    locale = reasons.best_locale(request.accept_languages)
    response = Response(orjson.dumps(localise(orjson.loads(answer.content), locale)), status=200,
                        content_type="application/json")
    response.headers["Content-Language"] = locale
    response.vary.add("Accept-Language")
    return response
