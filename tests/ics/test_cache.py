"""Public calendar files are kept per content version: 304s and repeats build nothing, every change shows."""
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from convene import caching
from convene.db_types import utcnow
from convene.extensions import db
from tests.agenda.conftest import setup  # noqa: F401  (shared fixture)
from tests.ics.test_http import publish


@pytest.fixture
def public(client, setup, make):
    c = setup["convening"]
    make.agenda_session(c, title="Plenary", description="Agenda text")
    named = make.agenda_session(c, title="Panel")
    make.session_role(named, setup["guests"][0], role="chair")
    publish(client, c)
    assert client.post(f"/convenings/{c.id}/agenda/settings", data={"public": "y"}).status_code == 302
    return c


def get(app, path, **headers):
    anonymous = app.test_client()
    return anonymous.get(path, headers=headers)


def test_repeat_and_revalidation_build_nothing(app, public, count_queries, monkeypatch):
    path = f"/c/{public.slug}/agenda.ics"
    first = get(app, path)
    assert first.status_code == 200 and first.headers["ETag"] and first.headers["Last-Modified"]
    assert first.headers["Cache-Control"] == "public, max-age=300"
    built = []
    monkeypatch.setattr("convene.ics.views._build", lambda *a, **k: built.append(1) or b"rebuilt")
    with count_queries() as counter:
        again = get(app, path)
    assert again.get_data() == first.get_data() and again.headers["ETag"] == first.headers["ETag"]
    assert not built and counter.count == 1  # the agenda's public stamp, nothing else
    with count_queries() as counter:
        revalidated = get(app, path, **{"If-None-Match": first.headers["ETag"]})
    assert revalidated.status_code == 304 and not revalidated.get_data() and not built
    assert counter.count == 1
    since = get(app, path, **{"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304


def test_a_venue_change_gives_a_new_tag_date_and_body(app, client, public, setup):
    from convene.agenda.models import AgendaVersion

    an_hour_ago = utcnow() - timedelta(hours=1)  # what was published and last edited an hour ago
    for version in db.session.scalars(sa.select(AgendaVersion)):
        version.published_at = an_hour_ago
    public.updated_at = an_hour_ago
    for person in setup["guests"]:
        person.updated_at = an_hour_ago
    db.session.commit()
    path = f"/c/{public.slug}/agenda.ics"
    first = get(app, path)
    public.venue = "Another hall"
    db.session.commit()
    changed = get(app, path, **{"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
    assert changed.last_modified > first.last_modified
    assert all("Another hall" in str(e["LOCATION"]) for e in Calendar.from_ical(changed.get_data()).events)
    # A client that polls with If-Modified-Since only gets the new file too.
    assert get(app, path, **{"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 200


def test_a_new_version_changes_the_file(app, client, public, make):
    path = f"/c/{public.slug}/agenda.ics"
    first = get(app, path)
    make.agenda_session(public, title="Added after the first publication")
    publish(client, public)
    second = get(app, path, **{"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200
    assert b"Added after the first publication" in second.get_data()


def test_a_named_person_changing_gives_a_new_tag_and_date(app, public, setup):
    path = f"/c/{public.slug}/agenda.ics"
    first = get(app, path)
    setup["guests"][0].name = "Amina Diallo-Sow"
    db.session.commit()
    second = get(app, path, **{"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200 and second.headers["ETag"] != first.headers["ETag"]
    assert second.last_modified >= first.last_modified


def test_one_session_file_and_unknown_session(app, public):
    page = get(app, f"/c/{public.slug}/agenda.ics")
    uid = str(Calendar.from_ical(page.get_data()).events[0]["UID"])
    one = get(app, f"/c/{public.slug}/agenda/{uid}.ics")
    assert one.status_code == 200 and len(Calendar.from_ical(one.get_data()).events) == 1
    assert get(app, f"/c/{public.slug}/agenda/{uuid.uuid4()}.ics").status_code == 404


def test_memory_store_is_bounded_by_size():
    store = caching.MemoryStore(max_bytes=10)
    store.set("a", b"12345")
    store.set("b", b"67890")
    store.get("a")  # a is now the most recent
    store.set("c", b"xyz")
    assert store.get("b") is None and store.get("a") == b"12345" and store.get("c") == b"xyz"
    store.set("big", b"x" * 11)
    assert store.get("big") is None


def test_redis_store_is_shared_and_a_dead_redis_costs_only_a_rebuild():
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379") if not __import__("os").environ.get("CI") else pytest.fail("Redis")
    key = f"test-{uuid.uuid4().hex}"
    one, two = caching.RedisStore(url, seconds=30), caching.RedisStore(url, seconds=30)
    one.set(key, b"calendar bytes")
    assert two.get(key) == b"calendar bytes"  # another process sees what this one built
    two.client.delete(caching.RedisStore.PREFIX + key)
    dead = caching.RedisStore("redis://127.0.0.1:1/0", seconds=30)
    assert dead.get(key) is None
    dead.set(key, b"x")  # no exception: the response is built and served anyway


# --- subscription feeds: every change of what they show changes ETag and Last-Modified -------

from convene.convenings import services as convening_services  # noqa: E402
from tests.agenda.conftest import rsvp_token  # noqa: E402,F401  (shared fixture)
from tests.ics.test_http import invitation_of, subscribe  # noqa: E402


def _an_hour_ago(convening, people):
    """What was published and edited an hour ago (so a change now is a later second)."""
    from convene.agenda.models import AgendaVersion

    earlier = utcnow() - timedelta(hours=1)
    for version in db.session.scalars(sa.select(AgendaVersion)):
        version.published_at = earlier
    convening.updated_at = earlier
    for person in people:
        person.updated_at = earlier
    db.session.commit()


@pytest.fixture
def feeds(client, setup, make, rsvp_token):
    """{'personal': path, 'convening': path} of a published agenda's two kinds of feed."""
    c = setup["convening"]
    make.session_role(make.agenda_session(c, title="Panel"), setup["guests"][0], role="chair")
    publish(client, c)
    personal = subscribe(client, rsvp_token(invitation_of(setup["guests"][0])))
    page = client.post(f"/convenings/{c.id}/agenda/feed", data={"action": "issue"}).get_data(as_text=True)
    import re

    shared = re.search(r"/feeds/([^\".<]+)\.ics", page).group(1)
    _an_hour_ago(c, setup["guests"])
    return {"personal": f"/feeds/{personal}.ics", "convening": f"/feeds/{shared}.ics"}


@pytest.mark.parametrize("kind", ["personal", "convening"])
def test_a_venue_change_reaches_a_feed_polled_with_etag_or_last_modified(app, setup, feeds, kind, monkeypatch):
    path, c = feeds[kind], setup["convening"]
    first = get(app, path)
    assert first.status_code == 200 and first.headers["ETag"] and first.headers["Last-Modified"]
    assert all("Airlie" in str(e["LOCATION"]) for e in Calendar.from_ical(first.get_data()).events)
    # Unchanged: both kinds of poll get a 304, and nothing is built for them.
    built = []
    real_build = __import__("convene.ics.views", fromlist=["_build"])._build
    monkeypatch.setattr("convene.ics.views._build", lambda *a, **k: built.append(1) or real_build(*a, **k))
    assert get(app, path, **{"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert get(app, path, **{"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304
    assert not built
    # The venue moves (through the service organizers use): a new tag and a later date.
    convening_services.update_convening(c, {"venue": "Palais Wilson", "version": c.version},
                                        actor=setup["organizer"])
    db.session.commit()
    by_tag = get(app, path, **{"If-None-Match": first.headers["ETag"]})
    by_date = get(app, path, **{"If-Modified-Since": first.headers["Last-Modified"]})
    for changed in (by_tag, by_date):
        assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
        assert changed.last_modified > first.last_modified
        events = Calendar.from_ical(changed.get_data()).events
        assert events and all("Palais Wilson" in str(e["LOCATION"]) for e in events)
    assert by_tag.headers["ETag"] == by_date.headers["ETag"]
    assert by_tag.headers["Last-Modified"] == by_date.headers["Last-Modified"]
    assert len(built) == 1  # built once, then kept
    assert get(app, path, **{"If-Modified-Since": by_tag.headers["Last-Modified"]}).status_code == 304


def test_a_personal_feed_follows_names_roles_attribution_and_the_answer(app, client, setup, feeds, make):
    path, c, amina = feeds["personal"], setup["convening"], setup["guests"][0]
    seen = [get(app, path)]

    def changed():
        response = get(app, path, **{"If-Modified-Since": seen[-1].headers["Last-Modified"]})
        assert response.status_code == 200 and response.last_modified > seen[-1].last_modified
        assert response.headers["ETag"] != seen[-1].headers["ETag"]
        seen.append(response)
        return Calendar.from_ical(response.get_data())

    setup["guests"][0].name = "Amina Diallo-Sow"  # the person's name titles the feed and names the chair
    db.session.commit()
    assert "Amina Diallo-Sow" in str(changed()["X-WR-CALNAME"])
    c.attribution_rule = "on_the_record"
    db.session.commit()
    changed()
    make.session_role(make.agenda_session(c, title="Closing"), amina, role="rapporteur")
    publish(client, c)
    assert "Closing" in {str(e["SUMMARY"]) for e in changed().events}
    invitation_of(amina).status = "declined"  # the feed stops showing the convening
    db.session.commit()
    assert changed().events == []


def test_a_stamp_read_on_a_connection_the_database_cut_is_retried(app, public):
    """The stamp reads' engine lends connections without a ping (caching.read_stamp): a connection
    the database has cut since is found by the read, which runs again on a new one."""
    from convene.config import STAMP_BIND

    if db.engine.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL reads stamps through an engine without the ping")
    path = f"/c/{public.slug}/agenda.ics"
    assert get(app, path).status_code == 200
    with db.engines[STAMP_BIND].connect() as connection:  # the pooled connection the next read gets
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    assert db.session.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    db.session.commit()
    again = get(app, path)
    assert again.status_code == 200 and again.headers["ETag"]
    assert get(app, f"/c/{public.slug}/agenda").status_code == 200
