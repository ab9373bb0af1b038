"""The follow-up board: filters, fixed query count, bulk actions, CSV and iCalendar exports, the feed."""
import csv
import io
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa
from icalendar import Calendar

from convene.actions.board import BoardFilters
from convene.extensions import db
from convene.models import AccessToken, ActionItem, ActionUpdate


def _titles(page: str, prefix: str = "Step") -> set[str]:
    return {line.split(">")[1].split("<")[0] for line in page.split('<a href="/next-steps/')[1:]
            if line.split(">")[1].startswith(prefix)}


def test_filters(client, make, sign_in):
    staff = sign_in(make.user("staff"))
    today = date.today()
    series = make.series()
    conf = make.convening(series=series, starts_on=today - timedelta(days=90))
    dialogue = make.dialogue(conf)
    other = make.convening(starts_on=today - timedelta(days=90))
    theme = make.theme(name="Prevention")
    person = make.person()
    old = datetime.now(timezone.utc) - timedelta(days=40)
    make.action(conf, text="Step overdue", due_on=today - timedelta(days=1), themes=[theme])
    make.action(dialogue, text="Step dialogue", owner_person=person, due_on=None)
    make.action(other, text="Step mine", owner_user=staff, due_on=today, status="in_progress")
    make.action(other, text="Step stale", last_update_at=old, status="done", is_public=True)
    make.action(other, text="Step overdue but done", due_on=today - timedelta(days=3), status="done")

    def board(**args):
        return _titles(client.get("/next-steps/", query_string=args).get_data(as_text=True))

    assert len(board()) == 5
    assert board(due="overdue") == {"Step overdue"}
    assert board(convening=conf.id) == {"Step overdue", "Step dialogue"}
    assert board(series=series.id) == {"Step overdue", "Step dialogue"}
    assert board(theme=theme.id) == {"Step overdue"}
    assert board(owner="me") == {"Step mine"}
    assert board(owner=f"person:{person.id}") == {"Step dialogue"}
    assert board(owner="none") == {"Step overdue", "Step stale", "Step overdue but done"}
    assert board(status="done") == {"Step stale", "Step overdue but done"}
    assert board(status="followed") == {"Step overdue", "Step dialogue", "Step mine"}
    assert board(stale=30) == {"Step stale"}
    assert board(due="none") == {"Step dialogue", "Step stale"}
    assert "Step mine" in board(due="month")
    assert board(visibility="public") == {"Step stale"}
    assert board(q="DIALOGUE") == {"Step dialogue"}
    # nonsense filters are ignored, never a 500
    assert client.get("/next-steps/?status=zzz&owner=x:y&convening=abc&page=-3&per_page=7&sort=zz").status_code == 200


def test_sort_and_paginate(client, make, sign_in):
    sign_in(make.user("staff"))
    convening = make.convening(starts_on=date(2030, 1, 1))
    for day in (5, 1, 3):
        make.action(convening, text=f"Step due {day}", due_on=date(2030, 2, day))
    page = client.get("/next-steps/?sort=due").get_data(as_text=True)
    assert page.index("Step due 1") < page.index("Step due 3") < page.index("Step due 5")
    page = client.get("/next-steps/?sort=-due").get_data(as_text=True)
    assert page.index("Step due 5") < page.index("Step due 3") < page.index("Step due 1")
    page = client.get("/next-steps/?sort=due&per_page=10&page=1").get_data(as_text=True)
    assert "Page" not in page or "Page 1 of 1" in page


def test_organizer_sees_only_own_convenings(client, make, sign_in):
    organizer = make.user("organizer")
    mine = make.convening(organizers=[organizer])
    make.action(mine, text="Step mine")
    make.action(make.convening(), text="Step elsewhere")
    sign_in(organizer)
    assert _titles(client.get("/next-steps/").get_data(as_text=True)) == {"Step mine"}
    csv_text = client.get("/next-steps/export.csv").get_data(as_text=True)
    assert "Step mine" in csv_text and "Step elsewhere" not in csv_text


def test_fixed_number_of_queries_whatever_the_page_size(client, make, sign_in, count_queries):
    sign_in(make.user("staff"))
    theme = make.theme()
    convenings = [make.convening() for _ in range(5)]
    people = [make.person() for _ in range(5)]
    orgs = [make.organization() for _ in range(3)]
    for i in range(100):
        db.session.add(ActionItem(
            convening=convenings[i % 5], text=f"Step {i}", status="open", themes=[theme],
            owner_person=people[i % 5] if i % 3 == 0 else None,
            owner_organization=orgs[i % 3] if i % 3 == 1 else None,
            updates=[ActionUpdate(note="x")]))
    db.session.commit()
    counts = {}
    for size in (10, 100):
        with count_queries() as counter:
            response = client.get(f"/next-steps/?per_page={size}&sort=priority")
        assert response.status_code == 200
        assert len(_titles(response.get_data(as_text=True))) == size
        counts[size] = counter.count
    assert counts[10] == counts[100], counts
    assert counts[100] <= 12


def test_bulk_set_status_and_reassign(client, make, sign_in):
    sign_in(make.user("staff"))
    convening = make.convening()
    org = make.organization(name="Lead Org")
    a, b, c = (make.action(convening, text=f"Step {n}", status=s) for n, s in ((1, "open"), (2, "open"), (3, "done")))
    hidden = make.action(make.convening(organizers=[make.user("organizer")]), text="Other")
    response = client.post("/next-steps/bulk", data={"ids": [a.id, b.id, c.id], "op": "status", "confirmed": "1",
                                                      "status": "in_progress", "next": "/next-steps/?status=open"})
    assert response.status_code == 302 and response.headers["Location"] == "/next-steps/?status=open"
    db.session.expire_all()
    assert [db.session.get(ActionItem, x.id).status for x in (a, b, c)] == ["in_progress", "in_progress", "in_progress"]
    client.post("/next-steps/bulk", data={"ids": [a.id, b.id], "op": "reassign", "confirmed": "1", "owner": f"org:{org.id}",
                                          "status": "open"})
    db.session.expire_all()
    assert {db.session.get(ActionItem, x.id).owner_organization_id for x in (a, b)} == {org.id}
    # dropping in bulk needs a reason: nothing changes, each skipped one is explained
    response = client.post("/next-steps/bulk", data={"ids": [a.id], "op": "status", "confirmed": "1", "status": "dropped"},
                           follow_redirects=True)
    assert "Say why" in response.get_data(as_text=True)
    # an unknown owner is refused, and an off-site next= is not followed
    response = client.post("/next-steps/bulk", data={"ids": [a.id], "op": "reassign", "confirmed": "1", "owner": "person:999999",
                                                      "status": "open", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/next-steps/"
    db.session.expire_all()
    assert db.session.get(ActionItem, a.id).owner_organization_id == org.id


def test_bulk_needs_csrf(make_app, make):
    app = make_app(WTF_CSRF_ENABLED=True)
    action = make.action(make.convening())
    staff = make.user("staff")
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = staff.get_id()
        session["_fresh"] = True
    response = client.post("/next-steps/bulk", data={"ids": [action.id], "op": "status", "confirmed": "1", "status": "in_progress"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(ActionItem, action.id).status == "open"


def test_csv_export_neutralises_formulas(client, make, sign_in):
    sign_in(make.user("staff"))
    convening = make.convening(title="=HYPERLINK(\"http://evil\")")
    for text in ("=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tTabbed", "Plain, with comma"):
        make.action(convening, text=text, rationale="\rCR first")
    response = client.get("/next-steps/export.csv?sort=updated")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["id", "next step", "rationale"]
    texts = {row[1] for row in rows[1:]}
    assert texts == {"'=1+1", "'+SUM(A1)", "'-2+3", "'@cmd", "'\tTabbed", "Plain, with comma"}
    for row in rows[1:]:
        assert row[2] == "'\rCR first" and row[7].startswith("'=")
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_ics_export_and_personal_feed(client, make, sign_in):
    staff = sign_in(make.user("staff"))
    convening = make.convening(starts_on=date(2030, 1, 1))
    mine = make.action(convening, text="Call the envoy", owner_user=staff, due_on=date(2030, 2, 1), status="open")
    make.action(convening, text="Someone else's", due_on=date(2030, 2, 2))
    calendar = Calendar.from_ical(client.get("/next-steps/export.ics").data)
    todos = calendar.walk("VTODO")
    assert len(todos) == 2
    todo = next(t for t in todos if str(t["SUMMARY"]) == "Call the envoy")
    assert str(todo["UID"]) == mine.uid and todo.decoded("DUE") == date(2030, 2, 1)
    assert str(todo["STATUS"]) == "NEEDS-ACTION"
    # the UID is stable across exports and edits
    client.post(f"/next-steps/{mine.id}/progress", data={"note": "Called"})
    again = Calendar.from_ical(client.get("/next-steps/export.ics").data)
    assert mine.uid in {str(t["UID"]) for t in again.walk("VTODO")}

    response = client.post("/next-steps/feed-link", follow_redirects=True)
    page = response.get_data(as_text=True)
    feed_url = page.split("Your personal next-steps feed")[1].split(": ", 1)[1].split("<")[0].strip()
    path = feed_url.replace("http://localhost", "")
    anonymous = client.application.test_client()
    feed = anonymous.get(path)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert "private" in feed.headers["Cache-Control"] and feed.headers["ETag"]
    assert [str(t["SUMMARY"]) for t in Calendar.from_ical(feed.data).walk("VTODO")] == ["Call the envoy"]
    assert anonymous.get(path, headers={"If-None-Match": feed.headers["ETag"]}).status_code == 304
    # filters in the query string narrow or widen the feed
    assert len(Calendar.from_ical(anonymous.get(path + "?status=active").data).walk("VTODO")) == 2
    # re-issuing revokes the old link
    client.post("/next-steps/feed-link")
    assert anonymous.get(path).status_code == 410
    assert anonymous.get("/next-steps/feed/not-a-token.ics").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(AccessToken.id)).where(AccessToken.purpose == "feed")) == 2


def test_todo_files_are_published_stable_and_change_with_what_they_show(client, make, sign_in, count_queries):
    """METHOD:PUBLISH, no random calendar UID (the same steps give the same bytes), each VTODO's
    DTSTAMP and LAST-MODIFIED from its row, and ETag/Last-Modified that move with any shown change."""
    staff = sign_in(make.user("staff"))
    convening = make.convening(starts_on=date(2030, 1, 1), title="Sahel Dialogue")
    step = make.action(convening, text="Call the envoy", owner_user=staff, due_on=date(2030, 2, 1))
    an_hour_ago = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=1)
    step.updated_at = an_hour_ago
    db.session.commit()
    first = client.get("/next-steps/export.ics")
    again = client.get("/next-steps/export.ics")
    assert first.get_data() == again.get_data() and first.headers["ETag"] == again.headers["ETag"]
    calendar = Calendar.from_ical(first.get_data())
    assert calendar["METHOD"] == "PUBLISH" and "UID" not in calendar
    [todo] = calendar.walk("VTODO")
    assert str(todo["UID"]) == step.uid
    assert todo.decoded("DTSTAMP") == todo.decoded("LAST-MODIFIED") == an_hour_ago
    assert first.headers["Last-Modified"]
    with count_queries() as unchanged:
        assert client.get("/next-steps/export.ics", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert client.get("/next-steps/export.ics",
                      headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304
    # Renaming the convening edits no step, yet the file shows it: new tag, later date.
    convening.title = "Sahel and Lake Chad Dialogue"
    db.session.commit()
    with count_queries() as changed_count:
        changed = client.get("/next-steps/export.ics", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
    assert changed.last_modified > first.last_modified
    assert "Sahel and Lake Chad Dialogue" in str(Calendar.from_ical(changed.get_data()).walk("VTODO")[0]["DESCRIPTION"])
    assert unchanged.count == changed_count.count  # the tag is read from what the board query loaded
    # A step leaving the file (done, filtered out) still moves Last-Modified forward.
    make.action(convening, text="Second step", owner_user=staff)
    listed = client.get("/next-steps/export.ics?status=open")
    step.status = "done"
    db.session.commit()
    fewer = client.get("/next-steps/export.ics?status=open",
                       headers={"If-Modified-Since": listed.headers["Last-Modified"]})
    assert fewer.status_code == 200 and len(Calendar.from_ical(fewer.get_data()).walk("VTODO")) == 1


def test_safe_cell_property():
    """Whatever the text, no exported cell starts with a character a spreadsheet treats as a formula."""
    from hypothesis import given, settings, strategies as st

    from convene.actions.board import FORMULA_TRIGGERS, safe_cell

    @settings(max_examples=300, deadline=None)
    @given(st.text())
    def check(text):
        cell = safe_cell(text)
        assert not cell.startswith(FORMULA_TRIGGERS)
        assert cell in (text, "'" + text)

    check()


def test_ids_beyond_the_integer_column_name_nothing_and_never_reach_the_database():
    """PostgreSQL refuses to compare an INTEGER column with 2**31 (a 500 on the board and the API)."""
    filters = BoardFilters.from_args({"convening": "2147483648", "series": "99999999999999999999", "theme": "2147483647"})
    assert (filters.convening, filters.series, filters.theme) == (None, None, 2147483647)
