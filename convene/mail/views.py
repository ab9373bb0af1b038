"""Routes of the mail area."""
from . import bp  # noqa: F401
