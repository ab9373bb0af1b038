"""One page of a longer list: what the `pager` macro and the API's Link headers read, and how one is loaded."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..extensions import db


@dataclass
class ResultPage:
    """`items` are the rows of page `page` (from 1) of `total` rows, `per_page` a page."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        """The number of the page's first row (1-based; 0 when the list is empty)."""
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.page * self.per_page, self.total)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def load_page(query: sa.Select, id_column, page: int, per_page: int, *options) -> ResultPage:
    """Page `page` of the query's rows with their relations (`options`), and the total; past the end it is empty.

    The page's ids and the total come from one query that sorts ids only (the total as a window
    count, so the filters — a full-text search among them — run once); then the page's rows are
    loaded by id. Sorting whole rows (a brief's summary included) spilled to disk on PostgreSQL from
    a few thousand rows on. Three queries plus one per relation, whatever the list's length."""
    found = db.session.execute(query.with_only_columns(id_column, sa.func.count().over())
                               .limit(per_page).offset((page - 1) * per_page)).all()
    ids = [row[0] for row in found]
    if found:
        total = found[0][1]
    else:  # nothing matches, or the page is past the end: count on its own
        total = db.session.scalar(sa.select(sa.func.count()).select_from(
            query.with_only_columns(id_column).order_by(None).subquery()))
    rows = {row.id: row for row in db.session.scalars(
        sa.select(id_column.class_).where(id_column.in_(ids)).options(*options))} if ids else {}
    return ResultPage([rows[i] for i in ids if i in rows], page, per_page, total)
