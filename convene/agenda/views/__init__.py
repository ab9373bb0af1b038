"""Routes of the agenda area on its one blueprint, `bp`: `editor` (the organizers' draft, publishing,
the printed programme), `loose_ends` (roles held by people no longer coming) and `attendee` (the
public page and the pages behind a personal link).

`common` creates the blueprint; importing this package adds every module's routes to it.
"""
from . import attendee, editor, loose_ends  # each adds its routes to bp
from .common import bp

__all__ = ["attendee", "bp", "editor", "loose_ends"]
