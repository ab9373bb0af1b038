"""The categories of each balance dimension, and which invitation statuses count at each stage."""
from __future__ import annotations

from ..base import countries as geo
from ..people.models import Gender, Sector
from .models import Dimension, NorthSouth, Stage

#: Invitation statuses counted at each stage. Withdrawn invitations count nowhere; a no-show had accepted.
STAGE_STATUSES: dict[str, frozenset[str]] = {
    "invited": frozenset({"planned", "invited", "accepted", "tentative", "declined", "attended", "no_show"}),
    "accepted": frozenset({"accepted", "attended", "no_show"}),
    "attended": frozenset({"attended"}),
}
STAGES = tuple(s.value for s in Stage)
#: Statuses of invitees whose answer is still open.
PENDING_STATUSES = frozenset({"invited", "tentative"})
UNKNOWN = "unknown"
NOT_CLASSIFIED = "not_classified"


def categories(dimension: str) -> list[tuple[str, str]]:
    """(value, label) of every category of a dimension, "unknown" last (it is never dropped)."""
    if dimension == Dimension.NORTH_SOUTH.value:
        known = [(m.value, m.label) for m in NorthSouth] + [(NOT_CLASSIFIED, "Not classified")]
    elif dimension == Dimension.REGION.value:
        known = [(r, r) for r in geo.REGIONS] + [(NOT_CLASSIFIED, "No UN region")]
    elif dimension == Dimension.GENDER.value:
        known = [(g.value, g.label) for g in Gender]
    else:
        known = [(s.value, s.label) for s in Sector]
    return [*known, (UNKNOWN, "Unknown")]


def target_categories(dimension: str) -> list[tuple[str, str]]:
    """Categories a target may name: the real ones, not "unknown" or "not classified"."""
    return [(v, label) for v, label in categories(dimension) if v not in (UNKNOWN, NOT_CLASSIFIED)]


def category_label(dimension: str, value: str) -> str:
    """The words for a category value (the value itself if it is not a known category)."""
    return dict(categories(dimension)).get(value, value)
