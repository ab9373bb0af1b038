"""Routes of the ics area."""
from . import bp  # noqa: F401
