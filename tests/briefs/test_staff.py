"""Staff pages: creating, editing, the workflow with its history, access, the index and the dashboard."""
from __future__ import annotations

from datetime import date, timedelta

import re
import sqlalchemy as sa

from convene.audit.models import AuditEvent
from convene.briefs.models import Brief, BriefStatusChange
from convene.extensions import db
from convene.themes.models import Theme


def _form(**overrides) -> dict:
    data = {"title": "Preventing atrocities", "kind": "policy_memo", "publisher": "The Foundation",
            "authors": "Jane Doe", "published_on": "", "summary": "A **short** summary.", "url": "",
            "regions": ["Africa", "Western Africa"], "new_themes": "Atrocity prevention, Early warning"}
    data.update(overrides)
    return data


def test_staff_creates_a_brief_with_themes_on_the_fly(client, make, sign_in):
    sign_in(make.user("staff"))
    convening = make.convening(title="Dialogue on prevention")
    existing = make.theme(name="Climate security", slug="climate-security")
    response = client.post("/briefs/new", data=_form(convening_ids=[str(convening.id)],
                                                      theme_ids=[str(existing.id)]))
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    brief = db.session.scalar(sa.select(Brief))
    assert brief.status == "draft" and brief.slug == "preventing-atrocities"
    assert brief.region_names == ["Africa", "Western Africa"]
    assert [t.name for t in brief.themes] == ["Atrocity prevention", "Climate security", "Early warning"]
    assert [c.id for c in brief.convenings] == [convening.id]
    assert db.session.scalar(sa.select(sa.func.count(Theme.id))) == 3
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "brief.create")) is not None
    # Typing an existing theme in another case reuses it.
    response = client.post("/briefs/new", data=_form(title="Second", new_themes="early WARNING"))
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Theme.id))) == 3


def test_summary_html_is_sanitized(client, make, sign_in):
    sign_in(make.user("staff"))
    evil = ('<script>alert("x")</script>\n\n[click](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n'
            '<a href="https://evil.example" onclick="steal()">raw link</a>')
    client.post("/briefs/new", data=_form(summary=evil))
    brief = db.session.scalar(sa.select(Brief))
    page = client.get(f"/briefs/{brief.id}").get_data(as_text=True)
    assert "<script" not in page
    assert "&lt;script&gt;" in page  # shown as text, never run
    assert 'href="javascript' not in page
    assert "<img" not in page
    assert not re.search(r"<[a-z][^>]*\son\w+=", page)  # no tag carries an event handler


def test_bad_input_saves_nothing(client, make, sign_in):
    sign_in(make.user("staff"))
    response = client.post("/briefs/new", data=_form(title="", url="javascript:alert(1)", regions=["Atlantis"],
                                                      kind="pamphlet"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Enter a full web address" in page
    assert "nothing has been saved" in page
    assert db.session.scalar(sa.select(sa.func.count(Brief.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Theme.id))) == 0


def test_stale_edit_is_refused_with_the_other_version_shown(client, make, sign_in):
    sign_in(make.user("staff"))
    brief = make.brief(title="Original")
    form = _form(title="Mine", version=str(brief.version))
    assert client.post(f"/briefs/{brief.id}/edit", data=form).status_code == 302
    response = client.post(f"/briefs/{brief.id}/edit", data={**form, "title": "Theirs"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "changed this brief while you were editing" in page
    assert "Mine" in page and "Theirs" in page  # their saved version and my typed entries
    db.session.expire_all()
    assert db.session.get(Brief, brief.id).title == "Mine"


def test_workflow_records_who_moved_it_and_when(client, make, sign_in):
    staff = sign_in(make.user("staff"))
    brief = make.brief(title="Memo", convenings=[make.convening()], url="https://example.org/memo")
    for target in ("review", "approved", "published"):
        db.session.expire_all()
        version = db.session.get(Brief, brief.id).version
        response = client.post(f"/briefs/{brief.id}/status", data={"status": target, "version": version})
        assert response.status_code == 302
    db.session.expire_all()
    brief = db.session.get(Brief, brief.id)
    assert brief.status == "published" and brief.published_at is not None
    assert brief.published_on == date.today()
    changes = db.session.scalars(sa.select(BriefStatusChange).order_by(BriefStatusChange.id)).all()
    assert [(c.from_status, c.to_status) for c in changes] == [
        ("draft", "review"), ("review", "approved"), ("approved", "published")]
    assert {c.actor_id for c in changes} == {staff.id}
    page = client.get(f"/briefs/{brief.id}").get_data(as_text=True)
    assert "Status history" in page and staff.name in page


def test_workflow_refuses_skips_and_unpublishable_briefs(client, make, sign_in):
    sign_in(make.user("staff"))
    brief = make.brief(title="No text yet", convenings=[make.convening()])
    response = client.post(f"/briefs/{brief.id}/status", data={"status": "published", "version": brief.version})
    assert response.status_code == 400
    assert "cannot move to" in response.get_data(as_text=True)
    client.post(f"/briefs/{brief.id}/status", data={"status": "approved", "version": brief.version})
    db.session.expire_all()
    version = db.session.get(Brief, brief.id).version
    response = client.post(f"/briefs/{brief.id}/status", data={"status": "published", "version": version})
    assert response.status_code == 400
    assert "link to the full text or upload the PDF" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Brief, brief.id).status == "approved"
    response = client.post(f"/briefs/{brief.id}/status", data={"status": "draft", "version": version - 1})
    assert response.status_code == 409


def test_review_needs_a_linked_convening(client, make, sign_in):
    sign_in(make.user("staff"))
    brief = make.brief(title="Orphan")
    response = client.post(f"/briefs/{brief.id}/status", data={"status": "review", "version": brief.version})
    assert "Link the brief to its convening" in response.get_data(as_text=True)


def test_access(client, make, sign_in):
    organizer = make.user("organizer")
    mine = make.convening(organizers=[organizer])
    my_brief = make.brief(title="Of my meeting", convenings=[mine])
    other_brief = make.brief(title="Of another meeting", convenings=[make.convening()])
    assert client.get("/briefs/").status_code == 302  # sign in first
    sign_in(organizer)
    listing = client.get("/briefs/").get_data(as_text=True)
    assert "Of my meeting" in listing and "Of another meeting" not in listing
    assert client.get(f"/briefs/{my_brief.id}").status_code == 200
    assert client.get(f"/briefs/{other_brief.id}").status_code == 404
    assert client.get(f"/briefs/{my_brief.id}/edit").status_code == 403
    assert client.post(f"/briefs/{my_brief.id}/status", data={"status": "review"}).status_code == 403
    assert client.get("/briefs/new").status_code == 403


def test_convening_page_links_to_the_staff_page(client, make, sign_in):
    sign_in(make.user("staff"))
    convening = make.convening()
    brief = make.brief(title="Linked memo", convenings=[convening])
    page = client.get(f"/convenings/{convening.id}").get_data(as_text=True)
    assert f"/briefs/{brief.id}" in page and "Linked memo" in page


def test_index_runs_a_fixed_number_of_queries(client, make, sign_in, count_queries):
    """10 or 60 briefs, each with convenings and files: the same number of queries."""
    sign_in(make.user("staff"))
    conveners = [make.convening(), make.convening()]
    counts = []
    for total in (10, 60):
        while db.session.scalar(sa.select(sa.func.count(Brief.id))) < total:
            n = db.session.scalar(sa.select(sa.func.count(Brief.id)))
            make.brief(title=f"Brief {n}", convenings=conveners if n % 3 == 0 else conveners[:1],
                       status="draft" if n % 2 else "published")
        client.get("/briefs/")  # first request of a session does extra work
        with count_queries() as listing:
            assert client.get("/briefs/").status_code == 200
        with count_queries() as filtered:
            assert client.get("/briefs/?status=published").status_code == 200
        counts.append((listing.count, filtered.count))
    assert counts[0] == counts[1], counts


def test_dashboard_lists_held_convenings_without_a_brief(client, make, sign_in, app):
    sign_in(make.user("staff"))
    long_ago = date.today() - timedelta(weeks=20)
    forgotten = make.convening(title="Forgotten roundtable", starts_on=long_ago, status="held")
    covered = make.convening(title="Covered roundtable", starts_on=long_ago, status="closed")
    make.brief(title="Its memo", convenings=[covered])
    make.convening(title="Recent roundtable", starts_on=date.today() - timedelta(days=10), status="held")
    conference = make.convening(title="Conference with dialogue briefs", starts_on=long_ago, status="held")
    dialogue = make.dialogue(conference, title="Dialogue A", status="held")
    make.brief(title="Dialogue memo", convenings=[dialogue])
    page = client.get("/").get_data(as_text=True)
    assert "Held convenings without a brief after 8 weeks" in page
    assert "Forgotten roundtable" in page
    assert "Covered roundtable" not in page and "Recent roundtable" not in page
    assert "Conference with dialogue briefs" not in page and "Dialogue A" not in page
    assert f"/briefs/new?convening_id={forgotten.id}" in page


def test_dashboard_hides_the_list_from_organizers(client, make, sign_in):
    sign_in(make.user("organizer"))
    make.convening(title="Forgotten roundtable", starts_on=date.today() - timedelta(weeks=20), status="held")
    page = client.get("/").get_data(as_text=True)
    assert "without a brief" not in page
