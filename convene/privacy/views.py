"""Routes of the privacy area."""
from . import bp  # noqa: F401
