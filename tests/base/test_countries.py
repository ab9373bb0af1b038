"""The shipped classification data: complete, consistent, and as documented."""
import csv
from importlib import resources

import pytest

from convene.base import countries as geo

pytestmark = pytest.mark.sqlite_only


def test_every_iso_code_has_region_and_both_bases():
    rows = geo.countries()
    assert len(rows) == 249
    for code, row in rows.items():
        assert len(row["m49"]) == 3 and row["m49"].isdigit(), code
        assert row["unctad"] in geo.UNCTAD_GROUPS, code
        assert row["unctad_three_way"] in geo.UNCTAD_THREE_WAY_GROUPS, code
        assert row["worldbank_fy2026"] in geo.WORLDBANK_GROUPS, code
        if code == "AQ":
            assert row["region"] == "" and row["unctad"] == row["worldbank_fy2026"] == "not_classified"
        else:
            assert row["region"] in geo.REGIONS, code
            assert row["sub_region"], code


def test_name_columns_kept_for_the_rest_of_the_app():
    assert geo.country_name("ch") == "Switzerland"
    assert geo.is_country("KE") and not geo.is_country("ZZ") and not geo.is_country(None)
    assert ("", "— none —") == geo.country_choices()[0]


def test_intermediate_regions_only_where_m49_has_them():
    inter = {row["intermediate_region"] for row in geo.countries().values()} - {""}
    assert inter == {"Eastern Africa", "Middle Africa", "Southern Africa", "Western Africa", "Caribbean",
                     "Central America", "South America", "Channel Islands"}
    assert geo.countries()["KE"]["sub_region"] == "Sub-Saharan Africa"


EU = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()


@pytest.mark.parametrize("code", EU + ["US", "CA", "JP", "AU", "NZ", "IL", "KR", "GB", "NO", "CH", "IS"])
def test_unctad_developed(code):
    assert geo.group(code, "unctad") == "developed"


@pytest.mark.parametrize("code", "AL BA ME MK RS AM AZ BY GE KZ KG MD RU TJ TM UA UZ".split())
def test_three_way_transition_is_cis_and_south_east_europe(code):
    assert geo.group(code, "unctad_three_way") == "transition"


def test_current_unctad_has_no_transition_group():
    for code in "AL BA ME MK RS BY MD RU UA".split():  # South-East Europe and European CIS
        assert geo.group(code, "unctad") == "developed", code
    for code in "AM AZ GE KZ KG TJ TM UZ".split():  # Caucasus and Central Asia
        assert geo.group(code, "unctad") == "developing", code
    assert geo.DEFAULT_BASIS == "unctad" and "current" in geo.BASES["unctad"]
    assert "2021" in geo.BASES["unctad_three_way"]


def test_unctad_developing_examples():
    for code in ("CN", "IN", "BR", "SG", "SA", "TR", "MX", "ZA", "TW", "KE"):
        assert geo.group(code, "unctad") == geo.group(code, "unctad_three_way") == "developing", code


def test_world_bank_fy2026_examples_and_changes():
    assert geo.group("CR", "worldbank") == "high"  # moved up on 1 July 2025
    assert geo.group("CV", "worldbank") == geo.group("WS", "worldbank") == "upper_middle"
    assert geo.group("NA", "worldbank") == "lower_middle"  # moved down
    assert geo.group("VE", "worldbank") == geo.group("ET", "worldbank") == "not_classified"  # as published
    assert geo.group("RU", "worldbank") == "high" and geo.group("BG", "worldbank") == "high"


def _counts_in_sources() -> dict[tuple[str, str], int]:
    """The 'Counts per group' table of SOURCES.md: (column, group) -> rows."""
    text = resources.files("convene.base").joinpath("data/SOURCES.md").read_text(encoding="utf-8")
    table = text.split("## Counts per group", 1)[1].split("\n## ", 1)[0]
    cited = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0].startswith("`") and cells[2].isdigit():
            cited[cells[0].strip("`"), cells[1]] = int(cells[2])
    return cited


def test_shipped_counts_match_the_counts_cited_in_sources():
    cited = _counts_in_sources()
    assert {column for column, _ in cited} == {"unctad", "unctad_three_way", "worldbank_fy2026"}
    shipped: dict[tuple[str, str], int] = {}
    for row in geo.countries().values():
        for column in ("unctad", "unctad_three_way", "worldbank_fy2026"):
            shipped[column, row[column]] = shipped.get((column, row[column]), 0) + 1
    assert shipped == cited


def test_moving_between_bases_lists_the_countries_that_change_side():
    moved = {code: (now, then) for code, now, then in geo.moves(geo.Classifier("unctad"),
                                                                 geo.Classifier("unctad_three_way"))}
    assert set(moved) == set("AL BA ME MK RS BY MD RU UA".split())
    assert moved["UA"] == ("north", "south")
    assert geo.moves(geo.Classifier("unctad"), geo.Classifier("unctad_three_way", transition="north")) == [
        (code, "south", "north") for code in sorted("AM AZ GE KZ KG TJ TM UZ".split(), key=geo.country_name)]


def test_north_south_by_basis_and_transition_choice():
    unctad = geo.Classifier("unctad")
    assert (unctad.north_south("DE"), unctad.north_south("NG"), unctad.north_south("RU")) == ("north", "south", "north")
    assert geo.Classifier("unctad", transition="north").north_south("KZ") == "south"  # no transition group
    three_way = geo.Classifier("unctad_three_way")
    assert three_way.north_south("RU") == "south"
    assert geo.Classifier("unctad_three_way", transition="north").north_south("RU") == "north"
    wb = geo.Classifier("worldbank")
    assert (wb.north_south("SA"), wb.north_south("CN"), wb.north_south("VE")) == ("north", "south", "not_classified")
    assert wb.north_south("zz") == "unknown" and wb.north_south("") == "unknown"
    assert geo.Classifier("bogus").basis == "unctad"


def test_overrides_apply():
    c = geo.Classifier("unctad", overrides={"tr": "north"})
    assert c.north_south("TR") == "north" and c.base("TR") == "south"


def test_sources_file_names_sources_and_dates():
    text = resources.files("convene.base").joinpath("data/SOURCES.md").read_text(encoding="utf-8")
    for phrase in ("Standard country or area codes for statistical use", "UNCTADstat",
                   "World Bank country classifications by income level", "1 July 2025", "2021",
                   "Handbook of Statistics 2021", "re-check"):
        assert phrase in text


def test_csv_is_well_formed():
    with resources.files("convene.base").joinpath("data/countries.csv").open(encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        assert header[:2] == ["alpha2", "name"]
        assert all(len(row) == len(header) for row in reader)
