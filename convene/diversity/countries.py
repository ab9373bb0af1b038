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
