"""Small-cell suppression: which counts of a table a viewer without sight of individual data may see.

One rule for every table of aggregate personal data (the balance dashboard, the series trend
and its CSV, the public brief page). The viewer is assumed to know each column's total (a
guest list shows how many people are on it), so hiding the small cells alone is not enough:
"Self-described: fewer than 5 … Total 1" names the one person's gender.

For each column (one dimension at one stage) whose total is not zero:

1. every cell below SMALL_CELL is hidden, zeros included (a shown zero beside a hidden cell
   says the hidden one holds someone);
2. if anything is hidden, at least two cells are, and the hidden cells of the column hold at
   least one person together; otherwise the smallest shown cells are hidden too
   (complementary suppression);
3. the columns of one table (the stages of a dimension) hide the same rows, repeating 2 until
   it holds in every column.

Hidden cells all read the same ("not shown"), never "fewer than 5": a label that told small
cells from complementary ones would give the complementary ones away. Why this is enough:
with two or more hidden rows holding at least one person in a column, any one of those people
could be in any hidden row without changing anything shown (every total, every shown cell,
every other stage and dimension), so no hidden cell's value follows from what is shown.
`tests/diversity/test_suppression.py` checks that by brute force over every small table.
"""
from __future__ import annotations

from collections.abc import Sequence

#: Below this many people a count is not shown to viewers who may not see individual data.
SMALL_CELL = 5
#: What a hidden cell reads, whatever its count.
HIDDEN_TEXT = "not shown"


def hidden_rows(columns: Sequence[Sequence[int]]) -> set[int]:
    """The row indexes to hide in every column of one table (columns: counts per row, same row order)."""
    live = [column for column in columns if sum(column) > 0]
    hidden = {row for column in live for row, count in enumerate(column) if count < SMALL_CELL}
    if not hidden:
        return set()
    rows = len(columns[0]) if columns else 0
    while True:
        short = next((column for column in live
                      if len(hidden) < 2 or sum(column[row] for row in hidden) == 0), None)
        shown = [row for row in range(rows) if row not in hidden]
        if short is None or not shown:
            return hidden
        hidden.add(min(shown, key=lambda row: (short[row], row)))
