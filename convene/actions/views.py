"""Routes of the actions area."""
from . import bp  # noqa: F401
