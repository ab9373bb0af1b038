"""Routes of the notes area."""
from . import bp  # noqa: F401
