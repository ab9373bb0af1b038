"""Routes of the diversity area."""
from . import bp  # noqa: F401
