"""Routes of the agenda area."""
from . import bp  # noqa: F401
