"""Filters and globals every template may use."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_skeleton
from flask import Flask
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from .base.countries import local_country_name
from .i18n.locale import DEFAULT as DEFAULT_LANGUAGE, current_language
from .actions.models import ActionStatus
from .convenings.brand import page_brand
from .convenings.models import AttributionRule
from .invitations.models import InvitationStatus, MeetingRole
from .people.models import Gender, Sector


#: strftime codes → Babel (CLDR) pattern letters, for formats written the strftime way.
_CLDR = {"%d": "dd", "%A": "EEEE", "%a": "EEE", "%B": "MMMM", "%b": "MMM", "%Y": "y", "%H": "HH", "%M": "mm"}
#: Whole formats that read better in the language's own shape than letter by letter.
_CLDR_SHAPES = {"%d %B %Y": ("date", "long"), "%a %d %b": ("skeleton", "MMMEd")}


def local_time(moment: datetime | None, tz: str = "UTC", fmt: str = "%H:%M") -> str:
    """A UTC moment shown in an IANA timezone (day and month names in the reader's language)."""
    if moment is None:
        return ""
    moment = moment.astimezone(ZoneInfo(tz or "UTC"))
    language = current_language()
    if language == DEFAULT_LANGUAGE or not any(code in fmt for code in ("%a", "%A", "%b", "%B")):
        return moment.strftime(fmt)
    how, shape = _CLDR_SHAPES.get(fmt, ("pattern", None))
    if how == "date":
        return format_date(moment, format=shape, locale=language)
    if how == "skeleton":
        return format_skeleton(shape, moment, locale=language)
    pattern = fmt
    for code, letters in _CLDR.items():
        pattern = pattern.replace(code, letters)
    return format_datetime(moment, pattern, tzinfo=moment.tzinfo, locale=language)


def long_date(value: date | datetime | None) -> str:
    """Wednesday 20 October 2027; mercredi 20 octobre 2027; miércoles, 20 de octubre de 2027."""
    if value is None:
        return ""
    language = current_language()
    if language != DEFAULT_LANGUAGE:
        return format_date(value, format="full", locale=language)
    return f"{value:%A} {value.day} {value:%B %Y}"


def day_and_month(value: date | datetime) -> str:
    """Wednesday 20 October; mercredi 20 octobre; miércoles, 20 de octubre."""
    language = current_language()
    if language != DEFAULT_LANGUAGE:
        return format_skeleton("MMMMEEEEd", value, locale=language)
    return f"{value:%A} {value.day} {value:%B}"


def short_date(value: date | datetime | None) -> str:
    """20 Oct 2027; 20 oct. 2027; 20 oct 2027."""
    if value is None:
        return ""
    language = current_language()
    if language != DEFAULT_LANGUAGE:
        return format_date(value, format="medium", locale=language)
    return f"{value.day} {value:%b %Y}"


def date_range(start: date, end: date) -> str:
    """17–19 October 2012; 30 September – 2 October 2026 (in French and Spanish: Babel's own forms,
    e.g. « 17–19 octobre 2012 », «17–19 de octubre de 2012»)."""
    language = current_language()
    if language != DEFAULT_LANGUAGE:
        return _localised_range(start, end, language)
    if start == end:
        return f"{start.day} {start:%B %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {start:%B %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%B} – {end.day} {end:%B %Y}"
    return f"{short_date(start)} – {short_date(end)}"


def _localised_range(start: date, end: date, language: str) -> str:
    """The same shapes in another language, with its month names and word order from Babel."""
    last = format_date(end, format="long", locale=language)
    if start == end:
        return last
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{last}"
    if start.year == end.year:
        return f"{format_skeleton('MMMMd', start, locale=language)} – {last}"
    return f"{format_date(start, format='long', locale=language)} – {last}"


def label(enum_cls, value: str | None) -> str:
    """The human label of an enum value, in the reader's language; the raw value if unknown."""
    if value is None:
        return ""
    try:
        return str(enum_cls(value).display)
    except ValueError:
        return value


#: Main navigation: (endpoint, text, who sees it).
MAIN_NAV = (
    ("dashboard.index", "Home", "any"),
    ("convenings.index", "Convenings", "any"),
    ("people.index", "People", "any"),
    ("actions.board", "Next steps", "any"),
    ("briefs.index", "Briefs", "any"),
    ("mail.outbox", "Outbox", "organizer"),
    ("audit.index", "Audit", "admin"),
    ("diversity.classification", "Classification", "admin"),
    ("privacy.retention", "Privacy", "admin"),
    ("auth.users", "Accounts", "admin"),
)


def main_nav() -> list[tuple[str, str]]:
    def allowed(who: str) -> bool:
        return who == "any" or (who == "admin" and current_user.is_admin) or (
            who == "organizer" and current_user.is_organizer)
    return [(e, text) for e, text, who in MAIN_NAV if allowed(who)]


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        local_time=local_time, long_date=long_date, short_date=short_date, day_and_month=day_and_month, country_name=local_country_name,
    )
    app.jinja_env.globals.update(date_range=date_range, label=label, csrf_token=generate_csrf,
                                 main_nav=main_nav, AttributionRule=AttributionRule, page_brand=page_brand,
                                 Gender=Gender, Sector=Sector, InvitationStatus=InvitationStatus,
                                 ActionStatus=ActionStatus, MeetingRole=MeetingRole)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
