"""UN M49 region and sub-region names that briefs are tagged with.

The names follow the UN Statistics Division's M49 standard. Any further names the base
layer's country table uses in its region columns are added, so briefs and the diversity
dashboards speak the same vocabulary.
"""
from __future__ import annotations

from functools import lru_cache

from ..base.countries import countries

#: M49 regions, each followed by its sub-regions (and intermediate regions where M49 has them).
M49_REGIONS: dict[str, tuple[str, ...]] = {
    "Africa": ("Northern Africa", "Sub-Saharan Africa", "Eastern Africa", "Middle Africa",
               "Southern Africa", "Western Africa"),
    "Americas": ("Latin America and the Caribbean", "Caribbean", "Central America", "South America",
                 "Northern America"),
    "Asia": ("Central Asia", "Eastern Asia", "South-eastern Asia", "Southern Asia", "Western Asia"),
    "Europe": ("Eastern Europe", "Northern Europe", "Southern Europe", "Western Europe"),
    "Oceania": ("Australia and New Zealand", "Melanesia", "Micronesia", "Polynesia"),
}

#: The country table's columns that hold M49 names.
_COUNTRY_COLUMNS = ("region", "sub_region", "intermediate_region")


def _names_from_countries() -> set[str]:
    names: set[str] = set()
    for row in countries().values():
        for column in _COUNTRY_COLUMNS:
            value = (row.get(column) or "").strip()
            if value and len(value) <= 100:
                names.add(value)
    return names


@lru_cache(maxsize=1)
def region_names() -> tuple[str, ...]:
    """Every region name a brief may carry, regions before their sub-regions."""
    ordered: list[str] = []
    for region, subregions in M49_REGIONS.items():
        ordered.append(region)
        ordered.extend(subregions)
    extra = sorted(_names_from_countries() - set(ordered))
    return (*ordered, *extra)


def region_choices() -> list[tuple[str, str]]:
    """(value, label) pairs; sub-regions are indented under their region for screen and eye."""
    subregions = {s for subs in M49_REGIONS.values() for s in subs}
    return [(name, f"– {name}" if name in subregions else name) for name in region_names()]


def is_region(name: str) -> bool:
    return name in region_names()
