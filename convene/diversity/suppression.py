"""Tables of counts with small-cell suppression, so that no one can be singled out from a small count.

The rule itself lives in convene.base.suppression (the public brief page uses it too); here it
is applied to a dimension's cells, all stages of a table together.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..base.suppression import HIDDEN_TEXT, hidden_rows
from .categories import STAGES, categories
from .counting import Tally, raw_dimension, sensitive_raws
from .models import Dimension


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


def shown_dimensions(suppress: bool) -> list[Dimension]:
    """The dimensions a viewer is shown: all of them, except that suppressed tables show only one of
    the dimensions computed from one sensitive attribute.

    Region and North/South both come from the country. Suppression keeps each table safe on its
    own and beside tables of other attributes (gender, sector), but two tables of the same people's
    same attribute can be worked against each other: region "Europe 5, the rest not shown" beside a
    North/South table whose pattern of hidden cells changes with where the sixth person is from.
    When the country is the nationality (sensitive), suppressed tables therefore show North/South,
    the balance the foundation plans for, and not region. The affiliation's country (the default)
    is not sensitive data: the directory shows it to the same viewers. Brute force in
    tests/diversity/test_suppression.py.
    """
    linked = {raw_dimension(d.value) for d in Dimension if d.value != raw_dimension(d.value)}
    if not suppress or not (linked & sensitive_raws()):
        return list(Dimension)
    return [d for d in Dimension if d is not Dimension.REGION]
