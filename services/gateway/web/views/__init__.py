"""The pages, one module per kind of user; importing them adds their routes to the blueprint."""
from . import admin, caseworker, provider, session, ui  # noqa: F401
