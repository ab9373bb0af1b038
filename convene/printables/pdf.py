"""Name tents and badges as PDF, laid out in HTML and CSS and typeset by WeasyPrint.

WeasyPrint shapes text with HarfBuzz through Pango, so Arabic joins and runs right to left,
Devanagari conjuncts form and Vietnamese stacked accents sit where they should; the fonts come
from the system (fonts-noto-core, fonts-wqy-microhei and DejaVu, installed by the Makefile and
.ci/run), named in templates/printables/_print.css in the order they are tried.
"""
from __future__ import annotations

from flask import render_template

from ..convenings import logos
from ..convenings.brand import brand_for
from .services import PrintablesError

#: Page sizes clients ask for.
PAPERS = {"a4": "A4", "letter": "Letter"}
#: Badges on one page, by paper (two columns of four).
BADGES_PER_PAGE = 8


def paper_size(value: str | None) -> str:
    """The CSS page size for ?paper=a4|letter (A4 by default)."""
    value = (value or "a4").lower()
    if value not in PAPERS:
        raise PrintablesError("Paper must be A4 or Letter.")
    return PAPERS[value]


def _write(html: str) -> bytes:
    from weasyprint import HTML  # heavy: loaded only when a PDF is asked for
    from weasyprint.urls import URLFetcher  # (the same)

    # Only data: URLs (the series' logo, inlined): a printable never fetches anything from a network or disk.
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=("data",))).write_pdf()


def _typeset(template: str, convening, **context) -> bytes:
    """A printable in the look of the convening's series (its organization name and logo), else Convene's plain one."""
    brand = brand_for(convening)
    logo = logos.data_url(brand.logo_name) if brand is not None else None
    return _write(render_template(template, convening=convening, brand=brand, logo=logo, name_size=name_size,
                                  **context))


def name_size(name: str) -> str:
    """A size class so that long names still fit on one line of a tent or badge."""
    length = len(name)
    return "xl" if length <= 18 else "l" if length <= 28 else "m" if length <= 40 else "s"


def name_tents(convening, people, paper: str) -> bytes:
    """One folded tent per person: the name large on both faces (the top face printed upside down)."""
    return _typeset("printables/name_tents.html", convening, people=people, page_size=paper)


def badges(convening, people, paper: str) -> bytes:
    """Badges, eight to a page, with name, organization and the convening."""
    pages = [people[i:i + BADGES_PER_PAGE] for i in range(0, len(people), BADGES_PER_PAGE)] or [[]]
    return _typeset("printables/badges.html", convening, pages=pages, page_size=paper)
