"""Domain errors: the one base class for every refusal a business rule makes.

Services raise them; nothing below the request edge turns them into responses. The edge
(convene/edge.py) rolls the session back and answers as the view declared.
"""
from __future__ import annotations


class DomainError(ValueError):
    """A business rule refused what was asked; str(error) is the message the user reads.

    A ValueError, as every area error was before this base existed. `status` is what a page
    re-rendered with the message answers (a view may declare another); `field` names the form
    field the message belongs to (None: the form as a whole).
    """

    status = 422
    #: The object as it is now, when someone else's change caused the refusal (a stale edit).
    current = None

    def __init__(self, message: str = "", field: str | None = None):
        super().__init__(message)
        self.field = field


class StaleEdit(DomainError):
    """Someone else saved the object after this form was opened.

    `current` is the object as it is now, so the page can show the other change.
    """

    status = 409

    def __init__(self, current=None):
        super().__init__("This was changed by someone else while you were editing it.")
        self.current = current
