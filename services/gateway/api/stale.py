"""Providers whose capacity count is old, so a coordinator can call them (admins)."""
from __future__ import annotations

from flask_smorest import Blueprint

from ...shared.query_args import StaleQueryArgsSchema
from ...shared.schemas import StaleListSchema
from ..forwarding import query_params, to_directory
from ..identity import authorise
from . import examples as ex
from .docs import PREFIX, READ_ERRORS, operation

blp = Blueprint("Stale capacity", __name__, url_prefix=f"{PREFIX}/stale",
                description="Providers to call because their capacity count is old (admins)")


@blp.route("", methods=["GET"])
@operation(blp, "listStaleProviders", query=StaleQueryArgsSchema, answer_example=ex.STALE_LIST, answer=StaleListSchema, errors=(400, *READ_ERRORS))
@authorise("stale_providers")
def stale_providers():
    """Providers whose capacity is older than `hours` (default 24), oldest first, with their contact"""
    return to_directory("GET", "/stale", params=query_params())
