"""Routes of the invitations area."""
from . import bp  # noqa: F401
