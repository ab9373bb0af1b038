"""Rules about plain text that several areas apply: control characters and LIKE searches."""
from __future__ import annotations

#: The escape character of like_pattern(): pass it on as `column.like(pattern, escape=LIKE_ESCAPE)`.
LIKE_ESCAPE = "\\"


def has_control_characters(text: str) -> bool:
    """True for a line break, tab, NUL or any other C0 control character, or DEL.

    Single-line values (names, subjects, rooms) go into mail headers, CSV files and calendar
    files, where such a character starts a new line or is cut off.
    """
    return any(ord(ch) < 32 or ord(ch) == 127 for ch in text)


def like_pattern(text: str) -> str:
    """A LIKE pattern matching text anywhere; the %, _ and \\ in text stand for themselves."""
    escaped = text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")
    return f"%{escaped}%"
