"""Filters and globals every template may use."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_skeleton
from flask import Flask
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from .base.countries import country_name
from .i18n.locale import DEFAULT as DEFAULT_LANGUAGE, current_language
from .convenings.models import AttributionRule
from .people.models import Gender


def local_time(moment: datetime | None, tz: str = "UTC", fmt: str = "%H:%M") -> str:
    """A UTC moment shown in an IANA timezone."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(tz or "UTC")).strftime(fmt)


def long_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return f"{value:%A} {value.day} {value:%B %Y}"


def short_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
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
    """The human label of an enum value; the raw value if unknown."""
    if value is None:
        return ""
    try:
        return enum_cls(value).label
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
        local_time=local_time, long_date=long_date, short_date=short_date, country_name=country_name,
    )
    app.jinja_env.globals.update(date_range=date_range, label=label, csrf_token=generate_csrf,
                                 main_nav=main_nav, AttributionRule=AttributionRule,
                                 Gender=Gender)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
