"""How the directory's operations document their answers."""
from __future__ import annotations


def answers(blp, schema, status: int = 200):
    """Document an operation's answer (the OpenAPI says what the view returns; nothing is serialised twice)."""
    return blp.alt_response(status, schema=schema, success=True)
