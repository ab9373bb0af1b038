"""Routes of the next-steps area on its one blueprint, `bp`: `steps` (capture, the outcome view, a step's
page), `board` (the follow-up board, bulk actions, exports, staff feeds) and `owners` (owners' links and
pages).

`common` creates the blueprint; importing this package adds the modules' routes to it.
"""
from . import board, owners, steps  # each adds its routes to bp
from .common import bp

__all__ = ["board", "bp", "owners", "steps"]
