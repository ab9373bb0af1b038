"""Routes of the briefs area."""
from . import bp  # noqa: F401
