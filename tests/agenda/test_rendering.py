"""The public agenda page's cache (never stale, never personal), and the overlap sweep."""
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convene.agenda import rendering, services
from convene.extensions import db


def publish(client, convening):
    assert client.post(f"/convenings/{convening.id}/agenda/publish", data={"notify": ""}).status_code == 302


def public_page(client, convening):
    response = client.get(f"/c/{convening.slug}/agenda")
    return response.status_code, response.get_data(as_text=True)


def on_the_record(client, setup, make):
    """A public, on-the-record convening (names shown) with one published session chaired by Amina."""
    c = setup["convening"]
    c.attribution_rule = "on_the_record"
    db.session.commit()
    s = make.agenda_session(c, title="Opening plenary", room="Main hall")
    make.session_role(s, setup["guests"][0], "chair")
    client.post(f"/convenings/{c.id}/agenda/settings", data={"public": "y"})
    publish(client, c)
    return c, s


def test_a_new_version_shows_at_once(client, setup, make):
    c, s = on_the_record(client, setup, make)
    assert "Opening plenary" in public_page(client, c)[1]
    client.post(f"/convenings/{c.id}/agenda/{s.id}/edit", data={
        "title": "Welcome plenary", "kind": "plenary", "day": "2031-03-08", "start_time": "09:00",
        "end_time": "10:30", "timezone": "America/New_York", "room": "Main hall", "open_to_all": "y",
        "version": s.version, "roles-0-person_id": str(setup["guests"][0].id), "roles-0-role": "chair"})
    assert "Opening plenary" in public_page(client, c)[1]  # the draft stays private until published
    publish(client, c)
    page = public_page(client, c)[1]
    assert "Welcome plenary" in page and "Opening plenary" not in page and "version 2" in page


def test_names_and_consent_changes_show_at_once(client, setup, make):
    c, _ = on_the_record(client, setup, make)
    amina = setup["guests"][0]
    assert "Chair: Amina Diallo" in public_page(client, c)[1]
    amina.name = "Amina D. Diallo"
    db.session.commit()
    assert "Chair: Amina D. Diallo" in public_page(client, c)[1]
    amina.listing_consent = False
    db.session.commit()
    page = public_page(client, c)[1]
    assert "Amina" not in page and "Chair: a participant" in page


def test_timezone_and_attribution_changes_show_at_once(client, setup, make):
    c, _ = on_the_record(client, setup, make)
    assert ">09:00</time>" in public_page(client, c)[1]  # 14:00 UTC on 8 March 2031 in New York (EST)
    c.timezone = "Europe/London"
    db.session.commit()
    page = public_page(client, c)[1]
    assert ">14:00</time>" in page and ">09:00</time>" not in page and "Europe/London" in page
    c.attribution_rule = "chatham_house"
    db.session.commit()
    assert "Amina Diallo" not in public_page(client, c)[1]


def test_switching_the_page_off_is_immediate(client, setup, make):
    c, _ = on_the_record(client, setup, make)
    assert public_page(client, c)[0] == 200
    client.post(f"/convenings/{c.id}/agenda/settings", data={})
    assert public_page(client, c)[0] == 404


def test_the_cache_holds_nothing_of_the_visitor(client, setup, make):
    c, _ = on_the_record(client, setup, make)
    organizer_view = public_page(client, c)[1]  # rendered (and cached) for a signed-in organizer
    assert "Sign out" in organizer_view and setup["organizer"].name in organizer_view
    with client.session_transaction() as session:
        session.clear()
    status, anonymous_view = public_page(client, c)
    assert status == 200 and "Opening plenary" in anonymous_view
    assert "Sign out" not in anonymous_view and setup["organizer"].name not in anonymous_view
    assert "Sign in" in anonymous_view


def test_cached_and_uncached_pages_are_the_same(client, setup, make, make_app):
    c, _ = on_the_record(client, setup, make)
    rendering.public_days.clear()
    with client.session_transaction() as session:
        session.clear()
    first = public_page(client, c)[1]  # rendered
    assert public_page(client, c)[1] == first  # from the cache
    uncached_app = make_app(AGENDA_PAGE_CACHE_SIZE=0)
    assert public_page(uncached_app.test_client(), c)[1] == first


def test_public_page_query_count_is_fixed_and_small(client, setup, make, count_queries):
    c, _ = on_the_record(client, setup, make)
    with client.session_transaction() as session:
        session.clear()
    with count_queries() as small:
        assert public_page(client, c)[0] == 200
    for i in range(40):
        s = make.agenda_session(c, title=f"S{i}", starts_at=datetime(2031, 3, 9, 14, tzinfo=timezone.utc))
        make.session_role(s, setup["guests"][i % 3], "speaker")
    with client.session_transaction() as session:
        session["_user_id"] = f"{setup['organizer'].id}:{setup['organizer'].session_secret}"
    publish(client, c)
    with client.session_transaction() as session:
        session.clear()
    with count_queries() as large:
        assert public_page(client, c)[0] == 200
    with count_queries() as cached:
        assert public_page(client, c)[0] == 200
    assert small.count == large.count
    assert cached.count == 1  # the agenda's public stamp (versions.public_stamp), names' changes included
    etag = client.get(f"/c/{c.slug}/agenda").headers["ETag"]
    with count_queries() as revalidated:
        assert client.get(f"/c/{c.slug}/agenda", headers={"If-None-Match": etag}).status_code == 304
    assert revalidated.count == 1


# --- overlap warnings: the sweep gives exactly what comparing every pair gives -------------------

def naive_conflicts(sessions):
    """Every pair compared (the definition the sweep must keep)."""
    live = sorted((s for s in sessions if not s.cancelled and not s.all_day), key=lambda s: s.starts_at)
    warnings = {}
    for i, a in enumerate(live):
        for b in live[i + 1:]:
            if b.starts_at < a.ends_at and a.starts_at < b.ends_at:
                for s, other in ((a, b), (b, a)):
                    messages = []
                    if s.room and s.room.strip().casefold() == (other.room or "").strip().casefold():
                        messages.append(f"Room “{s.room}” is also booked for “{other.title}” at the same time.")
                    mine = {r.person_id for r in s.roles}
                    shared = {r.person_id: r.person for r in other.roles if r.person_id in mine}
                    messages += [f"{p.display_name} is also in “{other.title}” at the same time."
                                 for p in shared.values()]
                    warnings.setdefault(s.uid, []).extend(messages)
    return {uid: m for uid, m in warnings.items() if m}


PEOPLE = [SimpleNamespace(id=i, display_name=f"P{i}") for i in range(4)]
BASE = datetime(2031, 3, 8, 12, tzinfo=timezone.utc)
session_strategy = st.builds(
    lambda n, start, length, room, people, cancelled, all_day: SimpleNamespace(
        uid=f"u{n}", title=f"T{n}", starts_at=BASE + timedelta(minutes=15 * start),
        ends_at=BASE + timedelta(minutes=15 * (start + length)), room=room, cancelled=cancelled, all_day=all_day,
        roles=[SimpleNamespace(person_id=p, person=PEOPLE[p]) for p in people]),
    st.integers(0, 10_000), st.integers(0, 12), st.integers(1, 6), st.sampled_from(["", " ", "Room A", "room a ", "B"]),
    st.lists(st.integers(0, 3), max_size=3), st.booleans(), st.booleans())


@pytest.mark.sqlite_only
@settings(max_examples=200, deadline=None)
@given(st.lists(session_strategy, max_size=14, unique_by=lambda s: s.uid))
def test_overlap_sweep_matches_comparing_every_pair(sessions):
    assert services.conflicts(sessions) == naive_conflicts(sessions)


# --- anonymous visitors get the whole page kept per content version -----------------------------

def test_anonymous_whole_page_follows_every_change(app, client, setup, make):
    c, s = on_the_record(client, setup, make)
    visitor = app.test_client()
    first = visitor.get(f"/c/{c.slug}/agenda")
    assert first.status_code == 200 and first.headers["Cache-Control"] == "public, max-age=300"
    assert "Cookie" in first.headers["Vary"] and first.headers["ETag"]
    assert visitor.get(f"/c/{c.slug}/agenda", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    amina = setup["guests"][0]
    amina.name = "Amina D. Diallo"
    db.session.commit()
    assert "Chair: Amina D. Diallo" in public_page(visitor, c)[1]
    amina.listing_consent = False
    db.session.commit()
    assert "Amina" not in public_page(visitor, c)[1]
    c.timezone = "Europe/London"
    db.session.commit()
    assert ">14:00</time>" in public_page(visitor, c)[1]
    make.agenda_session(c, title="Added later")
    publish(client, c)
    assert "Added later" in public_page(visitor, c)[1]
    client.post(f"/convenings/{c.id}/agenda/settings", data={})
    assert public_page(visitor, c)[0] == 404


def test_anonymous_changelog_follows_a_new_version(app, client, setup, make):
    c, _ = on_the_record(client, setup, make)
    visitor = app.test_client()
    first = visitor.get(f"/c/{c.slug}/agenda/changes").get_data(as_text=True)
    assert "Version 1" in first and "Version 2" not in first
    make.agenda_session(c, title="Added later")
    publish(client, c)
    page = visitor.get(f"/c/{c.slug}/agenda/changes").get_data(as_text=True)
    assert "Version 2" in page and "Added later" in page


def test_a_visitors_message_is_never_kept_for_others(app, client, setup, make):
    c, _ = on_the_record(client, setup, make)
    flashed = app.test_client()
    with flashed.session_transaction() as session:
        session["_flashes"] = [("success", "A message for this visitor only")]
    assert "A message for this visitor only" in public_page(flashed, c)[1]
    assert "A message for this visitor only" not in public_page(app.test_client(), c)[1]
