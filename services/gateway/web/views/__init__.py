"""The pages, one module per kind of user; importing them adds their routes to the blueprint."""
from . import admin, capacity_link, caseworker, notifications, provider, session, ui  # noqa: F401
