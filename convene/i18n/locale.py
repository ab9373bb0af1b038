"""Choosing the language of a request, and rendering in a given language.

`use_language(code)` is what an attendee page or a message calls once it knows whose it is;
without it, the visitor's choice (cookie) or browser (Accept-Language) decides, except on the
signed-in staff screens, which are English until their catalog exists.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from flask import Flask, g, has_request_context, request
from flask_babel import Babel, force_locale, get_locale
from flask_login import current_user

from .catalogs import compile_catalogs

#: The languages Convene speaks, in the order the switcher lists them, with their own names.
LANGUAGES = {"en": "English", "fr": "Français", "es": "Español"}
DEFAULT = "en"
#: Languages written right to left (none yet: the layout is ready for one; see docs/translations.md).
RIGHT_TO_LEFT = frozenset({"ar", "fa", "he", "ur"})
COOKIE = "lang"
#: The catalogs: <code>/LC_MESSAGES/messages.po, compiled to .mo by `make translations` (and by
#: the install step of `make run` / `make test`).
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"

babel = Babel()


def supported(code: str | None) -> str | None:
    """The code when Convene speaks it (case and region ignored: 'fr-CA' → 'fr'), else None."""
    base = (code or "").replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def use_language(*choices: str | None) -> str:
    """Serve the rest of this request in the first supported language of `choices` (else English)."""
    chosen = next((c for c in map(supported, choices) if c), DEFAULT)
    g.language = chosen
    return chosen


def attendee_language(person, convening=None) -> str:
    """The language an attendee reads: their own choice, else the convening's, else English."""
    choices = (person.preferred_language if person is not None else None,
               convening.language if convening is not None else None)
    return next((c for c in map(supported, choices) if c), DEFAULT)


def use_attendee_language(person, convening=None) -> str:
    """Serve the rest of this request (an attendee's page) in the attendee's language."""
    return use_language(attendee_language(person, convening))


def select_locale() -> str:
    """Babel's locale selector: set by the page (attendee) > staff screens > cookie > browser."""
    if not has_request_context():
        return DEFAULT
    chosen = g.get("language")
    if chosen:
        return chosen
    if current_user.is_authenticated:
        return DEFAULT  # staff and organizer screens are English until their catalog exists
    return supported(request.cookies.get(COOKIE)) or request.accept_languages.best_match(LANGUAGES) or DEFAULT


def current_language() -> str:
    return str(get_locale() or DEFAULT)


def text_direction() -> str:
    return "rtl" if current_language() in RIGHT_TO_LEFT else "ltr"


@contextmanager
def language(code: str | None):
    """Render e-mails and files in `code` (else English), whatever the request's own language."""
    with force_locale(supported(code) or DEFAULT):
        yield


def init_app(app: Flask) -> None:
    compile_catalogs(TRANSLATIONS)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(current_language=current_language, text_direction=text_direction,
                                 language_fixed=lambda: bool(g.get("language")), LANGUAGES=LANGUAGES)
