"""A series' own look (issue 17): the rules that check it, the service that saves it, and "the brand
for this convening" that pages, printables and e-mails show.

`brand_for(convening)` is the one lookup: at most one query per series and request (kept in `g`),
None when the convening has no series or its series has no look of its own, so such pages stay
Convene's. `use_brand(convening)` marks the current page as that convening's; base.html then links
the series' stylesheet (`stylesheet_text`, served under /brand/<series>-<revision>.css) and shows
its name, logo, footer and contact address.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from flask import g, has_app_context

from ..audit.services import record
from ..base.text import has_control_characters
from ..errors import DomainError
from ..extensions import db
from ..i18n.locale import use_attendee_language
from ..mail.services import MailError, normalise_address
from . import logos
from .models import Series, SeriesBrand

#: WCAG 2.x level AA for normal text: white text on the accent colour needs at least this ratio.
MIN_CONTRAST = 4.5
ORGANIZATION_MAX = 200
FOOTER_MAX = 500
CONTACT_MAX = 254
_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")


class BrandError(DomainError):
    pass


def _channel(value: int) -> float:
    """An sRGB channel (0–255) as linear light (WCAG 2.x relative luminance)."""
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    r, g_, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g_) + 0.0722 * _channel(b)


def contrast_ratio(colour: str, other: str = "#ffffff") -> float:
    """(L1 + 0.05) / (L2 + 0.05) of two '#rrggbb' colours, the lighter on top: 1 (same) to 21 (black on white)."""
    a, b = relative_luminance(parse_colour(colour)), relative_luminance(parse_colour(other))
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def parse_colour(value: str) -> str:
    """'#RRGGBB' (the # optional) as '#rrggbb'; BrandError otherwise."""
    found = _HEX.match((value or "").strip())
    if not found:
        raise BrandError("Write the accent colour as # and six hexadecimal digits, e.g. #1f4e8c.")
    return "#" + found.group(1).lower()


def check_accent(value: str) -> str:
    """The accent colour, normalised; refused when white text on it falls below WCAG AA (4.5:1)."""
    if not (value or "").strip():
        return ""
    colour = parse_colour(value)
    ratio = contrast_ratio(colour)
    if ratio < MIN_CONTRAST:
        raise BrandError(f"White text on {colour} has a contrast ratio of {ratio:.2f}:1; at least "
                         f"{MIN_CONTRAST}:1 is needed (WCAG AA) so that buttons and links stay readable. "
                         "Choose a darker colour.")
    return colour


def _plain(value: str | None, maximum: int, what: str, *, lines: bool = False) -> str:
    text = (value or "").replace("\r\n", "\n").strip()
    if len(text) > maximum:
        raise BrandError(f"The {what} is {len(text)} characters long; at most {maximum} fit.")
    if has_control_characters(text.replace("\n", " ") if lines else text):
        raise BrandError(f"The {what} holds control characters; type it as plain text.")
    if "<" in text and re.search(r"<[a-zA-Z/!]", text):
        raise BrandError(f"The {what} is plain text: HTML tags are not allowed.")
    return text


def check_contact(value: str | None) -> str:
    address = (value or "").strip()
    if not address:
        return ""
    if len(address) > CONTACT_MAX:
        raise BrandError(f"The contact address is longer than {CONTACT_MAX} characters.")
    try:
        return normalise_address(address)
    except MailError as error:
        raise BrandError(f"Contact address: {error}") from error


def _field(error: BrandError, field: str) -> BrandError:
    error.field = field
    return error


def checked(data: dict[str, Any]) -> dict[str, str]:
    """The text fields of a look, checked and normalised; BrandError (naming its field) for the first problem."""
    out = {}
    for field, check in (("organization", lambda v: _plain(v, ORGANIZATION_MAX, "organization name")),
                         ("accent", check_accent),
                         ("footer", lambda v: _plain(v, FOOTER_MAX, "footer text", lines=True)),
                         ("contact", check_contact)):
        if field in data:
            try:
                out[field] = check(data[field])
            except BrandError as error:
                raise _field(error, field) from None
    return out


class LogoSwap(NamedTuple):
    """The logo files a saved look needs written (new) and removed (replaced) around the commit."""
    new: str | None
    replaced: str | None


def save_brand(series: Series, data: dict[str, Any], *, actor, logo: bytes | None = None,
               remove_logo: bool = False) -> LogoSwap:
    """Check and save a series' look, with a new logo (or without one); flush only, nothing written to disk.

    Every field is checked before anything changes, so a refused look leaves the row as it was."""
    values = checked(data)
    new_logo = logos.check(logo) if logo else None
    brand = db.session.get(SeriesBrand, series.id) or SeriesBrand(series_id=series.id, organization="", accent="",
                                                                  footer="", contact="", revision=0)
    changes = {key: [getattr(brand, key), value] for key, value in values.items() if getattr(brand, key) != value}
    for key, (_, value) in changes.items():
        setattr(brand, key, value)
    swap = LogoSwap(None, None)
    if new_logo is not None or (remove_logo and brand.logo_name):
        swap = LogoSwap(logos.new_storage_name(new_logo.extension) if new_logo else None, brand.logo_name)
        changes["logo"] = [brand.logo_name, swap.new]
        brand.logo_name = swap.new
        brand.logo_width, brand.logo_height = (new_logo.width, new_logo.height) if new_logo else (None, None)
    if changes:
        db.session.add(brand)  # a first look: its row is made only now
        brand.revision = (brand.revision or 0) + 1
        record("series.brand", series, actor=actor, changes=changes)
    _cache().pop(series.id, None)
    return swap


@dataclass(frozen=True)
class Brand:
    """What pages, printables and e-mails show of a series' look (values only, no session needed)."""
    series_id: int
    revision: int
    organization: str
    accent: str
    footer: str
    contact: str
    logo_name: str | None
    logo_width: int | None
    logo_height: int | None

    @property
    def name(self) -> str:
        return self.organization or "Convene"


def _cache() -> dict:
    if not has_app_context():
        return {}
    if "_series_brands" not in g:
        g._series_brands = {}
    return g._series_brands


def brand_of_series(series_id: int | None) -> Brand | None:
    """The look of a series (None without one, or with every field empty); one query per series and request."""
    if series_id is None:
        return None
    cache = _cache()
    if series_id not in cache:
        row = db.session.get(SeriesBrand, series_id)
        cache[series_id] = None if row is None or not (
            row.organization or row.accent or row.footer or row.contact or row.logo_name) else Brand(
            row.series_id, row.revision, row.organization, row.accent, row.footer, row.contact,
            row.logo_name, row.logo_width, row.logo_height)
    return cache[series_id]


def brand_for(convening) -> Brand | None:
    """The look of a convening's series (a dialogue shares its conference's series), or None."""
    return brand_of_series(getattr(convening, "series_id", None)) if convening is not None else None


def use_brand(convening) -> Brand | None:
    """Show the rest of this request's page in the look of the convening's series (base.html reads it)."""
    g.page_brand = brand_for(convening)
    return g.page_brand


def use_attendee_page(person, convening) -> Brand | None:
    """An attendee's page (opened by their personal link): their language and their convening's look."""
    use_attendee_language(person, convening)
    return use_brand(convening)


def page_brand() -> Brand | None:
    """The look the current page was given by use_brand (None: Convene's)."""
    return g.get("page_brand") if has_app_context() else None


def brand_revision(convening) -> tuple:
    """What cached public pages add to their key so that a change of look shows at once."""
    brand = brand_for(convening)
    return (brand.series_id, brand.revision) if brand else ()


#: The lightest backgrounds the accent is written on as text (the page, secondary buttons): links keep AA on them.
TEXT_BACKGROUNDS = ("#f7f8fa", "#e6ebf3")


def text_colour(accent: str) -> str:
    """The accent as a text colour: itself, or darkened (towards black) until it reads at 4.5:1 on the
    light backgrounds links and secondary buttons sit on (white text on it passed already)."""
    r, g_, b = (int(accent[i:i + 2], 16) for i in (1, 3, 5))
    for step in range(21):
        keep = 1 - step / 20
        colour = "#%02x%02x%02x" % (round(r * keep), round(g_ * keep), round(b * keep))
        if all(contrast_ratio(colour, bg) >= MIN_CONTRAST for bg in TEXT_BACKGROUNDS):
            return colour
    return "#000000"


def stylesheet_text(brand: Brand) -> str:
    """The series' stylesheet: custom properties app.css reads (no inline styles: the CSP forbids them).
    Only checked values go in (a colour matched by parse_colour); no name or free text."""
    lines = [f"/* The look of series {brand.series_id}, revision {brand.revision}. */", ":root {"]
    if brand.accent:
        accent = parse_colour(brand.accent)
        lines += [f"  --accent: {accent};", "  --accent-ink: #fff;", f"  --accent-text: {text_colour(accent)};",
                  f"  --masthead: {accent};"]
    lines.append("}")
    return "\n".join(lines) + "\n"
