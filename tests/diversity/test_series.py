"""Series trends: one chart and table across editions, CSV export, fixed queries."""
import csv
import io
import re
from datetime import date

import pytest
import sqlalchemy as sa

from convene.diversity import counting
from convene.people import services

from convene.diversity.views import csv_cell
from convene.extensions import db
from convene.invitations.models import Invitation


def _editions(make, guest, series, n, people=6):
    out = []
    for year in range(n):
        c = make.convening(series_id=series.id, title=f"Edition {year}", starts_on=date(2000 + year, 10, 1))
        for i in range(people):
            guest(c, ("accepted", "attended", "invited")[i % 3], country=("KE", "DE", "BR", None)[i % 4],
                  gender=("woman", "man")[i % 2], org_sector="media")
        out.append(c)
    return out


def test_staff_see_trend_chart_and_table(client, make, sign_in, guest):
    sign_in(make.user("staff"))
    series = make.series(name="Strategy for Peace")
    _editions(make, guest, series, 3)
    page = client.get(f"/series/{series.id}/balance?dimension=gender&stage=invited").get_data(as_text=True)
    assert "<h1>Balance across editions of Strategy for Peace</h1>" in page
    assert 'role="img"' in page and "<polyline" in page and "<caption>Gender per edition" in page
    assert "Edition 0" in page and "Edition 2" in page
    assert "not shown" in page  # 3 women, 3 men per edition: suppressed for staff
    assert 'style="' not in page
    # unknown query values fall back, never a 500
    assert client.get(f"/series/{series.id}/balance?dimension=x&stage=y").status_code == 200
    assert client.get("/series/99999/balance").status_code == 404


def test_admin_sees_exact_counts(client, make, sign_in, guest):
    sign_in(make.user("admin"))
    series = make.series()
    _editions(make, guest, series, 2)
    page = client.get(f"/series/{series.id}/balance?dimension=gender&stage=invited").get_data(as_text=True)
    assert "not shown" not in page and "(50%)" in page


def test_organizer_sees_only_own_editions(client, make, sign_in, guest):
    organizer = sign_in(make.user("organizer"))
    series = make.series()
    mine, theirs = _editions(make, guest, series, 2)
    mine.organizers = [organizer]
    db.session.commit()
    page = client.get(f"/series/{series.id}/balance").get_data(as_text=True)
    assert mine.title in page and theirs.title not in page
    assert client.get(f"/series/{make.series().id}/balance").status_code == 404


def _trend_queries(client, count_queries, make, guest, n):
    series = make.series()
    _editions(make, guest, series, n, people=3)
    db.session.expire_all()
    with count_queries() as counter:
        assert client.get(f"/series/{series.id}/balance").status_code == 200
    with count_queries() as csv_counter:
        assert client.get(f"/series/{series.id}/balance.csv").status_code == 200
    return counter.count, csv_counter.count


def test_trend_query_count_is_fixed(client, make, sign_in, guest, count_queries):
    sign_in(make.user("staff"))
    assert _trend_queries(client, count_queries, make, guest, 2) == _trend_queries(client, count_queries, make, guest, 9)


def test_csv_export_is_complete_and_neutralises_formulas(client, make, sign_in, guest):
    sign_in(make.user("admin"))
    series = make.series()
    c = make.convening(series_id=series.id, title="=HYPERLINK(\"http://x\")")
    guest(c, "accepted", country="KE", gender="woman")
    response = client.get(f"/series/{series.id}/balance.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0]["edition"].startswith("'=")
    south = [r for r in rows if r["stage"] == "accepted" and r["dimension"] == "north_south" and r["category"] == "Global South"]
    assert south == [{**south[0], "count": "1", "share_percent": "100.0", "stage_total": "1", "basis": "unctad"}]
    unknown = [r for r in rows if r["stage"] == "accepted" and r["dimension"] == "sector" and r["category"] == "Unknown"]
    assert unknown[0]["count"] == "1"
    assert len(rows) == 3 * (4 + 7 + 9 + 6 + 9)  # every stage and category, zeros and unknown included


def test_csv_cell_prefixes_every_trigger():
    for value in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "|x", "%x"):
        assert csv_cell(value) == "'" + value
    assert csv_cell("Edition 1") == "Edition 1" and csv_cell(None) == "" and csv_cell(5) == "5"


# --- per-edition counts kept under a change stamp ------------------------------------------------

def _trend(client, series, query="?dimension=north_south&stage=accepted"):
    response = client.get(f"/series/{series.id}/balance{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def counted(monkeypatch):
    """The convening ids whose invitations were grouped again, one list per aggregate query."""
    calls = []
    original = counting._grouped_rows
    monkeypatch.setattr(counting, "_grouped_rows", lambda ids, *args: calls.append(sorted(ids)) or original(ids, *args))
    return calls


def test_a_repeat_trend_counts_only_what_changed(client, make, sign_in, guest, count_queries, counted):
    sign_in(make.user("admin"))
    series = make.series()
    editions = _editions(make, guest, series, 4)
    with count_queries() as cold:
        first = _trend(client, series)
    assert counted == [sorted(c.id for c in editions)]
    with count_queries() as warm:
        assert _cells(_trend(client, series)) == _cells(first)
    assert counted == [sorted(c.id for c in editions)] and warm.count < cold.count  # no aggregate query
    answer = db.session.scalar(sa.select(Invitation).where(Invitation.convening_id == editions[1].id,
                                                            Invitation.status == "invited").limit(1))
    answer.status = "accepted"
    db.session.commit()
    assert _cells(_trend(client, series)) != _cells(first)
    assert counted[1:] == [[editions[1].id]]  # only the edition that changed is counted again
    guest(editions[2], "invited", country="NO")  # a new person: every edition is counted again, once
    _trend(client, series)
    assert counted[2:] == [sorted(c.id for c in editions)]


def _cells(page: str) -> list[str]:
    """The table's cells, tags and spaces removed: ['Edition', '0(0%)', '1(100%)', ..., total]."""
    body = page[page.index("<tbody>"):page.index("</tbody>")]
    return [re.sub(r"<[^>]+>|\s", "", cell) for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", body)]


def test_kept_counts_follow_every_change_they_show(client, make, sign_in, guest, counted):
    sign_in(make.user("admin"))
    series = make.series()
    edition = make.convening(series_id=series.id, title="Edition", starts_on=date(2001, 10, 1))
    invitation = guest(edition, "invited", country="KE", gender="woman", org_sector="media")
    north_south = "?dimension=north_south&stage=accepted"
    org_type = "?dimension=org_type&stage=accepted"
    assert _cells(_trend(client, series, north_south))[-1] == "0"
    invitation.status = "accepted"  # a status change
    db.session.commit()
    south = _cells(_trend(client, series, north_south))
    assert south[-1] == "1" and "1(100%)" in south
    person = invitation.person
    person.country = "DE"  # the person's own edit
    db.session.commit()
    assert _cells(_trend(client, series, north_south)) != south
    before = _cells(_trend(client, series, org_type))
    services.update_organization(person.organization, {"name": person.organization.name, "sector": "academia",
                                                       "country": None}, actor=None)
    db.session.commit()
    assert _cells(_trend(client, series, org_type)) != before
    dialogue = make.convening(series_id=series.id, parent_id=edition.id, title="A dialogue")
    guest(dialogue, "accepted", country="KE")  # a dialogue's guest counts for its conference
    assert _cells(_trend(client, series, north_south))[-1] == "2"
    db.session.delete(invitation)
    db.session.commit()
    assert _cells(_trend(client, series, north_south))[-1] == "1"


def test_the_change_stamp_reads_one_row_per_edition_and_no_invitation(app, make, guest, count_queries):
    """Issue 18: the stamp costs the same for 6 or 60 invitees an edition (guest_list_changes)."""
    series = make.series()
    editions = _editions(make, guest, series, 3)
    ids = [c.id for c in editions]
    with count_queries() as counter:
        before = counting.change_stamps(ids)
    assert counter.count == 1 and "FROM invitations" not in counter.statements[0]
    answer = db.session.scalar(sa.select(Invitation).where(Invitation.convening_id == editions[1].id,
                                                            Invitation.status == "invited").limit(1))
    answer.status = "accepted"
    db.session.commit()
    after = counting.change_stamps(ids)
    assert after[editions[1].id] != before[editions[1].id]
    assert after[editions[0].id] == before[editions[0].id] and after[editions[2].id] == before[editions[2].id]
    moved = db.session.scalar(sa.select(Invitation).where(Invitation.convening_id == editions[2].id).limit(1))
    moved.convening_id = editions[0].id  # moved between guest lists: both stamps move
    db.session.commit()
    last = counting.change_stamps(ids)
    assert last[editions[0].id] != after[editions[0].id] and last[editions[2].id] != after[editions[2].id]
    assert last[editions[1].id] == after[editions[1].id]
