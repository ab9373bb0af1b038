"""ISO 3166-1 countries: codes, names, and (see data/) their regional classification."""
from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources


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


# --- Regional classification (see data/SOURCES.md for the sources and their dates) ---

#: UN M49 regions, in the order the dashboard lists them.
REGIONS = ("Africa", "Americas", "Asia", "Europe", "Oceania")
#: The documented bases for Global North / Global South; CLASSIFICATION_BASIS picks one.
BASES = {
    "unctad": "UNCTAD development status (developed / developing / transition economies)",
    "worldbank": "World Bank income groups, fiscal year 2026 (1 July 2025)",
}
UNCTAD_GROUPS = ("developed", "developing", "transition", "not_classified")
WORLDBANK_GROUPS = ("high", "upper_middle", "lower_middle", "low", "not_classified")
#: Where UNCTAD's transition economies go unless CLASSIFICATION_TRANSITION says otherwise.
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
    return row["unctad"] if basis == "unctad" else row["worldbank_fy2026"]


def north_south_of_group(basis: str, group_value: str, transition: str = DEFAULT_TRANSITION) -> str:
    """Map a basis group to "north", "south" or "not_classified"."""
    if basis == "unctad":
        return {"developed": "north", "developing": "south",
                "transition": transition}.get(group_value, "not_classified")
    if group_value == "high":
        return "north"
    return "south" if group_value in ("upper_middle", "lower_middle", "low") else "not_classified"


class Classifier:
    """Global North/South for country codes under one basis, with per-country overrides applied."""

    def __init__(self, basis: str = "unctad", transition: str = DEFAULT_TRANSITION,
                 overrides: dict[str, str] | None = None):
        self.basis = basis if basis in BASES else "unctad"
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
