"""Routes of the agenda area on its one blueprint, `bp`: `editor` (the organizers' draft, publishing,
the printed programme) and `attendee` (the public page and the pages behind a personal link).

`common` creates the blueprint; importing this package adds both modules' routes to it.
"""
from . import attendee, editor  # each adds its routes to bp
from .common import bp

__all__ = ["attendee", "bp", "editor"]
