"""A conference's balance and the series trend include its dialogues, each person once; the
admin classification page shows who would move under another basis."""
import csv
import io
from datetime import date

import sqlalchemy as sa

from convene.base import countries as geo
from convene.diversity.counting import tallies
from convene.extensions import db


def test_conference_tally_includes_dialogues_counting_a_person_once(app, make, guest):
    conference = make.convening(title="Conference")
    first, second = make.convening(parent=conference), make.convening(parent=conference)
    both = guest(first, "declined", country="KE", gender="woman").person
    make.invitation(second, both, status="attended")
    guest(first, "accepted", country="DE", gender="man")
    guest(conference, "invited", country="BR")
    tally = tallies([conference.id, first.id], geo.Classifier())
    rolled, own = tally[conference.id], tally[first.id]
    assert rolled.totals["invited"] == 3  # three people, though four invitations
    assert rolled.totals["accepted"] == 2 and rolled.totals["attended"] == 1
    assert rolled.counts["attended"]["north_south"]["south"] == 1  # KE, counted with the status furthest along
    assert own.totals["invited"] == 2 and own.totals["accepted"] == 1  # a dialogue is its own guest list


def test_series_trend_and_csv_include_the_dialogues(client, make, sign_in, guest):
    sign_in(make.user("admin"))
    series = make.series(name="Strategy for Peace")
    edition = make.convening(series_id=series.id, title="Edition 2012", starts_on=date(2012, 10, 17))
    roundtable = make.convening(parent=edition, title="Roundtable")
    for i in range(6):
        guest(roundtable, "attended", country=("KE", "DE")[i % 2], gender="woman")
    page = client.get(f"/series/{series.id}/balance?dimension=north_south&stage=attended").get_data(as_text=True)
    assert "counted once" in page
    rows = list(csv.DictReader(io.StringIO(client.get(f"/series/{series.id}/balance.csv").get_data(as_text=True))))
    south = [r for r in rows if (r["stage"], r["dimension"], r["category"]) == ("attended", "north_south", "Global South")]
    assert south and south[0]["count"] == "3" and south[0]["stage_total"] == "6"


def test_demo_series_trend_shows_the_2012_roundtable(app):
    from convene.convenings.models import Convening
    from convene.demo.data import load_demo

    load_demo()
    db.session.commit()
    edition = db.session.scalar(sa.select(Convening).where(Convening.parent_id.is_(None),
                                                          Convening.starts_on == date(2012, 10, 17)))
    tally = tallies([edition.id], geo.Classifier())[edition.id]
    assert 25 <= tally.totals["invited"] <= 35
    assert tally.totals["attended"] > 20
    north, south = tally.counts["invited"]["north_south"]["north"], tally.counts["invited"]["north_south"]["south"]
    assert north >= 10 and south >= 15


def test_admin_sees_who_would_move_under_another_basis(client, make, sign_in, guest):
    sign_in(make.user("admin"))
    c = make.convening()
    guest(c, "invited", country="UA").person.name = "Oksana Test-Person"
    guest(c, "invited", country="KE")
    db.session.commit()
    page = client.get("/admin/classification?compare=unctad_three_way").get_data(as_text=True)
    assert "Moving to: UNCTAD&#39;s former three-way grouping" in page or "Moving to: UNCTAD's former" in page
    assert "Ukraine (UA)" in page and "Oksana Test-Person" in page
    assert "9 countries and 1 person on guest lists would move" in page
    assert client.get("/admin/classification?compare=bogus").status_code == 200
