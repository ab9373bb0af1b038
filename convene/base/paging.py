"""One page of a longer list: what the `pager` macro and the API's Link headers read."""
from __future__ import annotations

from dataclasses import dataclass


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
