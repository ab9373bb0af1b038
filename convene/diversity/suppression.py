"""Tables of counts with small-cell suppression, so that no one can be singled out from a small count."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .categories import categories

#: Below this many people a count is shown as "fewer than 5" wherever suppression applies.
SMALL_CELL = 5


@dataclass
class Cell:
    category: str
    label: str
    count: int
    share: float | None  # percent of the stage total, None when the total is 0 or the cell is suppressed
    suppressed: bool = False

    @property
    def count_text(self) -> str:
        return "fewer than 5" if self.suppressed else str(self.count)

    @property
    def share_text(self) -> str:
        if self.suppressed:
            return "—"
        return "—" if self.share is None else f"{self.share:.0f}%"


def cells(counter: Counter, total: int, dimension: str, suppress: bool) -> list[Cell]:
    """One cell per category (zeros and unknown included), suppressed where the rule applies."""
    rows = [Cell(value, label, counter.get(value, 0),
                 100.0 * counter.get(value, 0) / total if total else None)
            for value, label in categories(dimension)]
    if suppress:
        _suppress(rows)
    return rows


def _suppress(rows: list[Cell]) -> None:
    """Hide counts of 1–4; if only one cell is hidden, hide the next smallest too, so the total
    minus the shown cells cannot reveal it (secondary suppression)."""
    small = [c for c in rows if 0 < c.count < SMALL_CELL]
    for cell in small:
        cell.suppressed, cell.share = True, None
    if len(small) == 1:
        others = sorted((c for c in rows if c.count >= SMALL_CELL), key=lambda c: c.count)
        if others:
            others[0].suppressed, others[0].share = True, None
