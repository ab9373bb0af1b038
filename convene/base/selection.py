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


@dataclass
class Plan:
    """What a bulk action would do to the rows selected: those it applies to (`will`), those it skips
    grouped by the reason, or why it cannot run at all (`blocker`); `notes` add what the page should say."""

    selected: list
    will: list = field(default_factory=list)
    skipped: dict[str, list] = field(default_factory=dict)
    blocker: str = ""
    notes: list[str] = field(default_factory=list)

    def add(self, row, reason: str) -> None:
        """Count a row in: applied to when there is no reason to skip it."""
        if reason:
            self.skipped.setdefault(reason, []).append(row)
        else:
            self.will.append(row)

    @property
    def skipped_count(self) -> int:
        return sum(len(group) for group in self.skipped.values())


def people(count: int) -> str:
    """“1 person”, “30 people”."""
    return "1 person" if count == 1 else f"{count} people"


def plural(count: int, one: str, many: str) -> str:
    """“1 next step”, “12 next steps”."""
    return f"{count} {one if count == 1 else many}"
