"""ISO 3166-1 countries: codes, names, and (see data/) their regional classification."""
from __future__ import annotations

import csv
import unicodedata
from functools import lru_cache
from importlib import resources

from babel import Locale
from flask_babel import get_locale


@lru_cache(maxsize=1)
def countries() -> dict[str, dict[str, str]]:
    """alpha-2 code -> row of data/countries.csv."""
    with resources.files(__package__).joinpath("data/countries.csv").open(encoding="utf-8") as handle:
        return {row["alpha2"]: row for row in csv.DictReader(handle)}


def is_country(code: str | None) -> bool:
    return bool(code) and code.upper() in countries()


def country_name(code: str | None) -> str:
    if not code:
        return ""
    row = countries().get(code.upper())
    return row["name"] if row else code


def country_choices(blank: str = "— none —") -> list[tuple[str, str]]:
    pairs = sorted(((code, row["name"]) for code, row in countries().items()), key=lambda p: p[1])
    return [("", blank), *pairs]


def _reader_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "en"


def local_country_name(code: str | None) -> str:
    """The country's name in the reader's language (Babel's territory names); English by default.

    For display only: files and exports keep `country_name` (English, stable)."""
    language = _reader_language()
    if not code or language == "en":
        return country_name(code)
    return Locale.parse(language).territories.get(code.upper()) or country_name(code)


@lru_cache(maxsize=8)
def _local_choices(language: str) -> tuple[tuple[str, str], ...]:
    names = Locale.parse(language).territories
    pairs = ((code, names.get(code) or row["name"]) for code, row in countries().items())
    unaccented = lambda p: unicodedata.normalize("NFKD", p[1]).encode("ascii", "ignore").decode().lower()  # noqa: E731
    return tuple(sorted(pairs, key=unaccented))


def local_country_choices() -> list[tuple[str, str]]:
    """country_choices() named and sorted for the reader (a form's callable choices)."""
    language = _reader_language()
    if language == "en":
        return country_choices()
    return [("", "—"), *_local_choices(language)]


# --- Regional classification (see data/SOURCES.md for the sources and their dates) ---

#: UN M49 regions, in the order the dashboard lists them.
REGIONS = ("Africa", "Americas", "Asia", "Europe", "Oceania")
#: The documented bases for Global North / Global South; CLASSIFICATION_BASIS picks one. Each names
#: its source and date, because the pages state the basis next to every figure.
BASES = {
    "unctad": "UNCTADstat classification of economies by development status (developed / developing), "
              "current version (UNCTAD, as published 2023–2025)",
    "unctad_three_way": "UNCTAD's former three-way grouping (developed / developing / transition economies), "
                        "as in the UNCTAD Handbook of Statistics 2021 — for comparing with older reports",
    "worldbank": "World Bank income groups, fiscal year 2026 (1 July 2025)",
}
DEFAULT_BASIS = "unctad"
#: The countries.csv column each basis reads.
BASIS_COLUMNS = {"unctad": "unctad", "unctad_three_way": "unctad_three_way", "worldbank": "worldbank_fy2026"}
UNCTAD_GROUPS = ("developed", "developing", "not_classified")
UNCTAD_THREE_WAY_GROUPS = ("developed", "developing", "transition", "not_classified")
WORLDBANK_GROUPS = ("high", "upper_middle", "lower_middle", "low", "not_classified")
#: Where the three-way grouping's transition economies go unless CLASSIFICATION_TRANSITION says otherwise.
DEFAULT_TRANSITION = "south"
NORTH_SOUTH = ("north", "south")


def region(code: str | None) -> str:
    """The M49 region of a country, or "" when unknown or (Antarctica) without one."""
    row = countries().get((code or "").upper())
    return row["region"] if row else ""


def group(code: str | None, basis: str) -> str:
    """A country's group under a basis ("developed", "high", ...); "" for an unknown code."""
    row = countries().get((code or "").upper())
    if row is None:
        return ""
    return row[BASIS_COLUMNS.get(basis, BASIS_COLUMNS[DEFAULT_BASIS])]


def north_south_of_group(basis: str, group_value: str, transition: str = DEFAULT_TRANSITION) -> str:
    """Map a basis group to "north", "south" or "not_classified"."""
    if basis in ("unctad", "unctad_three_way"):
        return {"developed": "north", "developing": "south",
                "transition": transition}.get(group_value, "not_classified")
    if group_value == "high":
        return "north"
    return "south" if group_value in ("upper_middle", "lower_middle", "low") else "not_classified"


class Classifier:
    """Global North/South for country codes under one basis, with per-country overrides applied."""

    def __init__(self, basis: str = DEFAULT_BASIS, transition: str = DEFAULT_TRANSITION,
                 overrides: dict[str, str] | None = None):
        self.basis = basis if basis in BASES else DEFAULT_BASIS
        self.transition = transition if transition in NORTH_SOUTH else DEFAULT_TRANSITION
        self.overrides = {code.upper(): value for code, value in (overrides or {}).items()}

    def base(self, code: str | None) -> str:
        """North/South from the basis alone, ignoring overrides ("unknown" for a missing/unknown code)."""
        value = group(code, self.basis)
        return north_south_of_group(self.basis, value, self.transition) if value else "unknown"

    def north_south(self, code: str | None) -> str:
        """"north", "south", "not_classified", or "unknown" (no country, or a code not in ISO 3166-1)."""
        if not is_country(code):
            return "unknown"
        return self.overrides.get(code.upper()) or self.base(code)


def moves(current: Classifier, other: Classifier) -> list[tuple[str, str, str]]:
    """(code, side now, side under `other`) for every country whose North/South differs, by name."""
    changed = [(code, current.north_south(code), other.north_south(code)) for code in countries()]
    return sorted(((c, a, b) for c, a, b in changed if a != b), key=lambda move: country_name(move[0]))
