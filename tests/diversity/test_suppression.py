"""Issue 13, finding 2: no suppressed cell can be worked out from what a viewer without sight of
individual data is shown: the other cells, zeros, the stage totals (a guest list gives them away
anyway) and the other stages of the same table.

The rule lives in one function, `convene.base.suppression.hidden_rows`, used by the balance
dashboard, the series trend (page and CSV) and the public brief page. The brute-force tests
enumerate every table over small ranges, group the tables by what the viewer sees, and require
every hidden cell to take at least two values within its group.
"""
from __future__ import annotations

import itertools
import re
from collections import defaultdict

from convene.base.suppression import HIDDEN_TEXT, SMALL_CELL, hidden_rows


def _display(columns) -> tuple:
    """Everything the viewer sees of one table: each column's total, and each cell or 'hidden'."""
    hidden = hidden_rows(columns)
    return tuple((sum(column), tuple(HIDDEN_TEXT if row in hidden else count for row, count in enumerate(column)))
                 for column in columns), hidden


def _assert_nothing_derivable(tables, most: int) -> int:
    """Group the tables by display; within a group, every hidden cell must vary. Returns the hidden cells checked.

    Only displays whose column totals are at most `most` are judged: for those every consistent
    table (no cell can exceed its total) is in the enumeration.
    """
    groups: dict[tuple, list] = defaultdict(list)
    for columns in tables:
        display, hidden = _display(columns)
        groups[display].append((columns, hidden))
    checked = 0
    for display, members in groups.items():
        if any(total > most for total, _ in display):
            continue
        hidden = members[0][1]
        for row in hidden:
            for stage in range(len(display)):
                if display[stage][0] == 0:
                    continue  # an empty column has nothing to hide
                values = {columns[stage][row] for columns, _ in members}
                assert len(values) >= 2, f"hidden cell row {row} stage {stage} is always {values} when shown {display}"
                checked += 1
    return checked


def _nested_tables(categories: int, stages: int, most: int):
    """Every table of `categories` rows whose stages are nested (accepted ⊆ invited, attended ⊆ accepted):
    per row a non-increasing run of counts, each at most `most`."""
    runs = [run for run in itertools.product(range(most + 1), repeat=stages)
            if all(run[i] >= run[i + 1] for i in range(stages - 1))]
    for rows in itertools.product(runs, repeat=categories):
        yield [[rows[r][s] for r in range(categories)] for s in range(stages)]


def test_no_hidden_cell_of_one_column_can_be_derived():
    """A single column with a known total (the public brief page, one stage of a trend)."""
    for categories, most in ((2, 14), (3, 11), (4, 8), (5, 5)):
        tables = ([list(column)] for column in itertools.product(range(most + 1), repeat=categories))
        assert _assert_nothing_derivable(tables, most) > 0


def test_no_hidden_cell_can_be_derived_across_nested_stages():
    """The dashboard's three stages side by side, stages nested, every total known."""
    assert _assert_nothing_derivable(_nested_tables(categories=3, stages=3, most=5), 5) > 0
    assert _assert_nothing_derivable(_nested_tables(categories=3, stages=2, most=7), 7) > 0
    assert _assert_nothing_derivable(_nested_tables(categories=2, stages=3, most=10), 10) > 0


def test_the_probes_table_no_longer_names_the_one_persons_gender():
    """'Self-described: fewer than 5 … Total 1': one person on the list."""
    column = [0, 0, 0, 1, 0]  # woman, man, non-binary, self-described, unknown
    hidden = hidden_rows([column])
    assert hidden == {0, 1, 2, 3, 4}  # every row reads the same; the total 1 says nothing more
    assert hidden_rows([[0, 0]]) == set()  # nobody: nothing to hide
    assert hidden_rows([[SMALL_CELL, SMALL_CELL + 1]]) == set()


def _guest(make, convening, gender, status="accepted"):
    return make.invitation(convening, make.person(gender=gender, country="KE"), status=status)


def test_staffs_dashboard_for_one_person_reveals_nothing(client, make, sign_in):
    staff = sign_in(make.user("staff"))
    convening = make.convening()
    _guest(make, convening, "self_described")
    page = client.get(f"/convenings/{convening.id}/balance").get_data(as_text=True)
    gender = page[page.index('id="dim-gender"'):page.index('id="dim-org_type"')]
    table = gender[gender.index("<tbody>"):gender.index("</tbody>")]
    rows = re.findall(r'<tr><th scope="row">([^<]*)</th>(.*?)</tr>', table)
    assert len(rows) >= 6
    for label, cells in rows:
        invited, accepted, attended = [c.strip() for c in re.findall(r'<td class="num">([^<]*)', cells)]
        if label == "Total":
            assert (invited, accepted, attended) == ("1", "1", "0")
        else:  # every row reads the same (the hidden rows hide in every stage, the empty one too)
            assert (invited, accepted, attended) == (HIDDEN_TEXT, HIDDEN_TEXT, HIDDEN_TEXT), label
    assert staff.is_staff


def test_series_trend_csv_hides_the_same_cells(client, make, sign_in):
    sign_in(make.user("staff"))
    series = make.series()
    convening = make.convening(series=series)
    for _ in range(6):
        _guest(make, convening, "woman")
    _guest(make, convening, "man")
    csv_text = client.get(f"/series/{series.id}/balance.csv").get_data(as_text=True)
    gender_rows = [line.split(",") for line in csv_text.splitlines() if ",gender," in line]
    accepted = {row[4]: row[5] for row in gender_rows if row[2] == "accepted"}
    # the 1 man hides among the empty rows (which hide too), so the 6 women may show
    assert accepted["Man"] == HIDDEN_TEXT and accepted["Non-binary"] == HIDDEN_TEXT and accepted["Woman"] == "6"
    assert "1" not in accepted.values() and "0" not in accepted.values()


def test_public_brief_page_hides_the_same_way(client, make):
    brief = make.brief(status="published")
    convening = make.convening()
    for _ in range(5):
        make.invitation(convening, make.person(country="KE", sector="civil_society"), status="attended")
    make.invitation(convening, make.person(country="NO", sector="civil_society"), status="attended")
    brief.convenings = [convening]
    from convene.extensions import db
    db.session.commit()
    page = client.get(f"/publications/{brief.slug}").get_data(as_text=True)
    mix = page[page.index("Global North"):]
    mix = mix[:mix.index("</table>")]
    # North 1 hides with the empty rows (before, it read "fewer than 5" and South "not shown": 6 - 5 = 1)
    assert ">1<" not in mix and ">0<" not in mix and HIDDEN_TEXT in mix
    assert "fewer than 5" not in mix  # one label for every hidden cell, small or complementary


# --- Dimensions shown together ------------------------------------------------------------------

def _joint_displays(pairs, first, second, most):
    """Every joint table of people over (first category, second category) pairs, each pair at most
    `most` people, grouped by what a viewer sees of the two marginal tables shown side by side."""
    groups: dict[tuple, list] = defaultdict(list)
    for counts in itertools.product(range(most + 1), repeat=len(pairs)):
        a = [sum(n for (x, _), n in zip(pairs, counts) if x == category) for category in first]
        b = [sum(n for (_, y), n in zip(pairs, counts) if y == category) for category in second]
        shown_a, hidden_a = _display([a])
        shown_b, hidden_b = _display([b])
        groups[shown_a, shown_b].append((a, b, hidden_a, hidden_b))
    return groups


def _derivable(groups, most: int) -> list[tuple]:
    found = []
    for (shown_a, shown_b), members in groups.items():
        total = shown_a[0][0]
        if total == 0 or total > most:  # only totals whose every table is in the enumeration
            continue
        _, _, hidden_a, hidden_b = members[0]
        for side, hidden in ((0, hidden_a), (1, hidden_b)):
            for row in hidden:
                if len({member[side][row] for member in members}) < 2:
                    found.append((side, row, shown_a, shown_b))
    return found


def test_tables_of_two_different_attributes_shown_together_give_nothing_away():
    """Gender beside North/South (or sector): a person can sit in any hidden cell of one table
    whatever their cell in the other, so the other table constrains nothing."""
    gender, north_south = ["woman", "man", "non_binary"], ["north", "south"]
    pairs = [(g, n) for g in gender for n in north_south]
    assert not _derivable(_joint_displays(pairs, gender, north_south, most=6), most=6)
    assert not _derivable(_joint_displays([(g, n) for g in gender[:2] for n in north_south],
                                          gender[:2], north_south, most=10), most=10)


def test_two_tables_of_one_attribute_can_be_worked_against_each_other():
    """Region and North/South both come from the country: the reason suppressed tables show only
    one of them when the country is sensitive (the nationality). This proves the risk is real."""
    regions, north_south = ["Africa", "Europe", "Asia", "unknown"], ["north", "south", "unknown"]
    pairs = [("Africa", "south"), ("Europe", "north"), ("Asia", "north"), ("Asia", "south"),
             ("unknown", "unknown")]
    assert _derivable(_joint_displays(pairs, regions, north_south, most=6), most=6)


def test_suppressed_tables_show_one_dimension_per_sensitive_attribute(app):
    from convene.diversity.models import Dimension
    from convene.diversity.suppression import shown_dimensions
    assert shown_dimensions(True) == list(Dimension)  # the affiliation's country is not sensitive
    app.config["DIVERSITY_COUNTRY_FIELD"] = "nationality"
    try:
        assert Dimension.REGION not in shown_dimensions(True)
        assert Dimension.NORTH_SOUTH in shown_dimensions(True)
        assert shown_dimensions(False) == list(Dimension)  # admins and organizers' own counts
    finally:
        app.config["DIVERSITY_COUNTRY_FIELD"] = "country"


def test_staff_see_no_region_table_when_the_balance_counts_nationality(client, make, sign_in, app):
    app.config["DIVERSITY_COUNTRY_FIELD"] = "nationality"
    try:
        sign_in(make.user("staff"))
        series = make.series()
        convening = make.convening(series=series)
        for code in ("KE", "KE", "NO", "BR", "BR", "BR"):
            make.invitation(convening, make.person(nationality=code), status="accepted")
        page = client.get(f"/convenings/{convening.id}/balance").get_data(as_text=True)
        assert 'id="dim-north_south"' in page and 'id="dim-region"' not in page
        csv_text = client.get(f"/series/{series.id}/balance.csv").get_data(as_text=True)
        assert ",north_south," in csv_text and ",region," not in csv_text
        trend = client.get(f"/series/{series.id}/balance?dimension=region").get_data(as_text=True)
        assert 'value="region"' not in trend  # neither offered nor taken from the address
    finally:
        app.config["DIVERSITY_COUNTRY_FIELD"] = "country"
