"""The append-only audit log (admins; forwarded to the directory)."""
from __future__ import annotations

from flask_smorest import Blueprint

from ...shared.query_args import AuditQueryArgsSchema
from ...shared.schemas import AuditPageSchema
from ..forwarding import query_params, to_directory
from ..identity import authorise
from . import examples as ex
from .docs import PREFIX, READ_ERRORS, operation

blp = Blueprint("Audit", __name__, url_prefix=f"{PREFIX}/audit", description="Who did what, when (admins)")


@blp.route("", methods=["GET"])
@operation(blp, "readAudit", query=AuditQueryArgsSchema, answer_example=ex.page(ex.AUDIT_ENTRY), answer=AuditPageSchema, errors=(400, *READ_ERRORS))
@authorise("read_audit")
def read_audit():
    """The audit log, newest first; filter by actor, action, target, since, until"""
    return to_directory("GET", "/audit", params=query_params())
