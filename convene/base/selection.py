"""What a bulk action applies to: the rows ticked on a page, or every row matching the list's filter.

A list page (the guest list, the follow-up board) posts either ticked ids or `scope=matching` with
its filters. "Matching" is evaluated when the action runs, never frozen into ids on the page: what
the confirmation counted is compared with what the filter matches when it is confirmed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

#: The value of the `scope` field that makes an action apply to every row matching the filter.
MATCHING = "matching"


@dataclass
class Selection:
    """Ticked `ids`, or (with `matching`) every row the filter described by `description` matches."""

    ids: list[int] = field(default_factory=list)
    matching: bool = False
    #: The filter in words ("status: planned, first choice"); "" when the list is not filtered.
    description: str = ""
    #: How many rows the confirmation page counted (None before it).
    expected: int | None = None

    @classmethod
    def from_values(cls, ids, scope: str | None, description: str, expected: str | None = None) -> "Selection":
        """From posted values: ids that are not numbers are dropped, never a 500."""
        numbers = sorted({int(i) for i in ids if str(i).isdigit() and 0 < int(i) <= 2_147_483_647})
        count = int(expected) if expected and str(expected).isdigit() else None
        return cls(ids=numbers, matching=scope == MATCHING, description=description, expected=count)

    @property
    def empty(self) -> bool:
        return not self.matching and not self.ids

    def scope_text(self, count: int) -> str:
        """The selection in words: "all matching ‘status: planned’", "everyone on the list", "the 3 ticked"."""
        if self.matching:
            return f"all matching ‘{self.description}’" if self.description else "everyone on the list"
        return "the one ticked" if count == 1 else f"the {count} ticked"

    def changed_since_confirmation(self, count: int) -> str:
        """A sentence when the filter matched a different number at confirmation, else ""."""
        if not self.matching or self.expected is None or self.expected == count:
            return ""
        return (f"The filter matched {self.expected} when you confirmed and {count} when the action ran; "
                f"it was applied to the {count} matching then.")


def people(count: int) -> str:
    """“1 person”, “30 people”."""
    return "1 person" if count == 1 else f"{count} people"


def plural(count: int, one: str, many: str) -> str:
    """“1 next step”, “12 next steps”."""
    return f"{count} {one if count == 1 else many}"
