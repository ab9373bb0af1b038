"""Tables of counts with small-cell suppression, so that no one can be singled out from a small count.

The rule itself lives in convene.base.suppression (the public brief page uses it too); here it
is applied to a dimension's cells, all stages of a table together.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..base.suppression import HIDDEN_TEXT, hidden_rows
from .categories import STAGES, categories
from .counting import Tally


@dataclass
class Cell:
    category: str
    label: str
    count: int
    share: float | None  # percent of the stage total, None when the total is 0 or the cell is suppressed
    suppressed: bool = False

    @property
    def count_text(self) -> str:
        return HIDDEN_TEXT if self.suppressed else str(self.count)

    @property
    def share_text(self) -> str:
        if self.suppressed:
            return "—"
        return "—" if self.share is None else f"{self.share:.0f}%"


def _column(counter: Counter, total: int, dimension: str, hidden: set[int]) -> list[Cell]:
    return [Cell(value, label, counter.get(value, 0),
                 None if i in hidden or not total else 100.0 * counter.get(value, 0) / total, i in hidden)
            for i, (value, label) in enumerate(categories(dimension))]


def cells(counter: Counter, total: int, dimension: str, suppress: bool) -> list[Cell]:
    """One column: a cell per category (zeros and unknown included), suppressed by base.suppression."""
    column = [counter.get(value, 0) for value, _ in categories(dimension)]
    return _column(counter, total, dimension, hidden_rows([column]) if suppress else set())


def stage_cells(tally: Tally, dimension: str, suppress: bool) -> dict[str, list[Cell]]:
    """One dimension at every stage of the tally, suppressed together as one table: a viewer who sees
    the stages side by side (or one after another) must not work a hidden cell out across them."""
    values = [value for value, _ in categories(dimension)]
    columns = [[tally.counts[stage][dimension].get(value, 0) for value in values] for stage in STAGES]
    hidden = hidden_rows(columns) if suppress else set()
    return {stage: _column(tally.counts[stage][dimension], tally.totals[stage], dimension, hidden)
            for stage in STAGES}
