"""Thin views: a schema loads the profile, one use case does the work, a schema dumps the answer."""
from __future__ import annotations

from flask import after_this_request, current_app, g
from flask.views import MethodView

from ..shared import jsonio
from ..shared.errors import forbidden
from ..shared.jsonbody import Blueprint
from ..shared.match_schemas import GroupRequestSchema, GroupResponseSchema, MatchRequestSchema, MatchResponseSchema
from ..shared.times import iso
from . import figures, service
from .candidates import CandidateSource, DirectoryCandidates
from .readmodel import ReadModelCandidates
from .domain.geo import Area, Point
from .domain.person import Person

matches = Blueprint("matches", __name__, url_prefix="/matches", description="Ranked, explained matches")
MATCHING_ROLES = ("caseworker", "admin")


def person_from(data: dict) -> Person:
    """A loaded profile as the domain's Person."""
    return Person(
        languages=tuple(data["languages"]), location=Point(data["location"]["lat"], data["location"]["lon"]),
        gender=data.get("gender"), age=data.get("age"), accompanying_children=data["accompanying_children"],
        wheelchair=data["wheelchair"], exploitation_type=data.get("exploitation_type"),
        residence_status=data.get("residence_status"), origin_country=data.get("origin_country"),
        avoid=tuple(Area(a["lat"], a["lon"], a["radius_km"]) for a in data["avoid"]),
        max_distance_km=data.get("max_distance_km"), support_needs=tuple(data.get("support_needs", ())),
        intake_now=data.get("intake_now", False))


@matches.before_request
def _only_matching_roles():
    # Before the body is read: a role that may not match learns nothing about what is valid.
    if g.claims.role not in MATCHING_ROLES:
        raise forbidden("only caseworkers and admins can ask for matches")


def _caller():
    # The caller's identity goes on to the directory, which enforces it again; one request id end to end.
    return g.claims.fresh(request_id=g.get("request_id"))


def _count_after_answering(counts: list[dict]) -> None:
    """Leave the match's rows to be counted with the others of the last interval: no wait for the directory."""
    ctx, claims = current_app.extensions["haven"], _caller()

    @after_this_request
    def count(response):
        if response.status_code == 200:
            ctx.tally.add(claims, counts)
        return response


def _context() -> tuple:
    """The candidate source of this request, the time it is answered at, and where its view comes from.

    Caseworkers are answered from the read model while it is fresh: it holds what they may see and nothing
    more. Admins (who see confidential providers where they are) and every match while the read model is
    loading or lagging ask the directory, whose answer is the live one.
    """
    ctx = current_app.extensions["haven"]
    now = ctx.clock()
    follower = ctx.follower
    if follower is not None and g.claims.role == "caseworker" and follower.fresh():
        source: CandidateSource = ReadModelCandidates(follower.model, now)
        return ctx, source, now, source.as_of()
    source = DirectoryCandidates(ctx.directory, _caller())
    return ctx, source, now, {"source": "directory", "at": iso(now)}


@matches.route("")
class Matches(MethodView):
    @matches.arguments(MatchRequestSchema)
    @matches.response(200, MatchResponseSchema)
    def post(self, data):
        """Ranked, explained candidates for each need of one person"""
        ctx, source, now, as_of = _context()
        person = person_from(data)
        answer = service.match_person(source=source, person=person, needs=data["needs"],
                                      weights=ctx.settings.weights, now=now, limit=data["limit"],
                                      include_stale=data["include_stale"], pool=ctx.settings.candidate_pool)
        _count_after_answering(figures.match_counts(person.location, data["needs"], answer))
        answer = dict(answer, as_of=as_of)
        if isinstance(source, ReadModelCandidates):
            # The read model holds views in the answer's own shape, so walking the answer through the schema (about
            # 2 ms, a sixth of a match) changes nothing: tests/matcher/test_read_model_app.py checks it on random
            # directories. An answer from the directory is always dumped through it.
            return current_app.response_class(jsonio.dumps(answer), mimetype="application/json")
        return answer


@matches.route("/group")
class GroupMatches(MethodView):
    @matches.arguments(GroupRequestSchema)
    @matches.response(200, GroupResponseSchema)
    def post(self, data):
        """Places for a group freed together, maximising the total match quality under capacity"""
        ctx, source, now, as_of = _context()
        people = [person_from(p) for p in data["people"]]
        answer = service.match_group(source=source, people=people, need=data["need"], weights=ctx.settings.weights,
                                     now=now, include_stale=data["include_stale"])
        _count_after_answering(figures.group_counts(people[0].location, data["need"], len(people), answer))
        return dict(answer, as_of=as_of)
