"""Guest-list bulk actions (issue 17, item 1): a selection of ticked ids or everyone matching the filter,
re-evaluated when confirmed; the confirmation page's wording and counts; the action, audited."""
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa

from convene.audit.models import AuditEvent
from convene.base.selection import Selection
from convene.extensions import db
from convene.invitations import bulk
from convene.invitations.models import Invitation

from .conftest import outbox

PLANNED_FIRST = {"status": "planned", "priority": "first_choice", "find": "", "page": 1}


def _list_of_45(make, convening):
    """30 planned first choices (2 without an e-mail address), 10 planned reserves, 5 already invited."""
    planned = [make.invitation(convening, make.person(name=f"Planned {i:02d}", email=None if i < 2 else f"p{i}@example.org"))
               for i in range(30)]
    reserves = [make.invitation(convening, make.person(name=f"Reserve {i:02d}"), priority="reserve", reserve_rank=i + 1)
                for i in range(10)]
    invited = [make.invitation(convening, make.person(name=f"Invited {i:02d}"), status="invited",
                               invited_at=convening.created_at) for i in range(5)]
    return planned, reserves, invited


def _post(client, convening, **data):
    return client.post(f"/convenings/{convening.id}/guests/bulk", data=data)


def test_a_selection_is_ticked_ids_of_this_list_or_everyone_matching_now(make, convening):
    planned, reserves, invited = _list_of_45(make, convening)
    foreign = make.invitation(make.convening())
    ticked = Selection(ids=[planned[0].id, reserves[0].id, foreign.id])
    assert {i.id for i in bulk.resolve(convening, ticked, PLANNED_FIRST)} == {planned[0].id, reserves[0].id}
    everyone = bulk.resolve(convening, Selection(matching=True), PLANNED_FIRST)
    assert {i.id for i in everyone} == {i.id for i in planned}  # all 30, whatever the page size
    assert len(bulk.resolve(convening, Selection(matching=True), {"status": "", "priority": "", "find": ""})) == 45
    assert [i.person.name for i in bulk.resolve(convening, Selection(matching=True),
                                                 dict(PLANNED_FIRST, find="planned 1"))] == \
        [f"Planned {i}" for i in range(10, 20)]
    planned[5].status = "invited"
    make.invitation(convening, make.person(name="Planned late"))
    db.session.commit()
    again = bulk.resolve(convening, Selection(matching=True), PLANNED_FIRST)
    assert len(again) == 30 and planned[5] not in again and "Planned late" in {i.person.name for i in again}
    assert bulk.resolve(convening, Selection(), PLANNED_FIRST) == []


def test_plan_says_who_is_skipped_and_why(make, convening):
    planned, reserves, invited = _list_of_45(make, convening)
    chosen = planned[:3] + invited[:2]
    send = bulk.plan("send", convening, chosen)
    assert send.will == planned[2:3] and not send.blocker
    assert {k: len(v) for k, v in send.skipped.items()} == {"no e-mail address": 2, "already invited": 2}
    remind = bulk.plan("remind", convening, chosen)
    assert remind.will == invited[:2] and set(remind.skipped) == {"not invited yet"}
    early = bulk.plan("attended", convening, chosen, today=convening.starts_on - timedelta(days=1))
    assert early.blocker == "Attendance can be marked once the meeting has begun."
    convening.reply_by = None
    assert "reply-by date" in bulk.plan("send", convening, chosen).blocker


def test_confirmation_names_the_count_and_the_filter_then_sends(client, make, convening):
    planned, reserves, invited = _list_of_45(make, convening)
    response = _post(client, convening, action="send", scope="matching", status="planned", priority="first_choice")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Send invitations to 30 people: all matching ‘status: planned, first choice’" in page
    assert "Will be done for 28" in page and "Skipped: 2" in page and "No e-mail address (2)" in page
    assert "Send the invitations (28)" in page
    assert outbox() == [] and db.session.scalar(sa.select(sa.func.count()).where(Invitation.status == "invited")) == 5
    confirmed = _post(client, convening, action="send", scope="matching", status="planned", priority="first_choice",
                      confirmed="1", expected="30")
    assert confirmed.status_code == 302 and "status=planned" in confirmed.headers["Location"]
    assert len(outbox(kind="invitation")) == 28
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "invitation.bulk"))
    assert event.object_id == convening.id and event.changes["done"] == [None, 28]
    assert event.changes["selection"] == [None, "all matching ‘status: planned, first choice’"]


def test_all_matching_is_evaluated_again_when_confirmed(client, make, convening):
    planned, reserves, invited = _list_of_45(make, convening)
    page = _post(client, convening, action="send", scope="matching", status="planned", priority="first_choice")
    assert "Send invitations to 30 people" in page.get_data(as_text=True)
    make.invitation(convening, make.person(name="Added meanwhile"))
    response = client.post(f"/convenings/{convening.id}/guests/bulk", follow_redirects=True, data={
        "action": "send", "scope": "matching", "status": "planned", "priority": "first_choice", "confirmed": "1",
        "expected": "30"})
    text = response.get_data(as_text=True)
    assert "Invitations queued: 29." in text
    assert "matched 30 when you confirmed and 31 when the action ran" in text
    assert outbox(kind="invitation", to_address=None) == []
    assert any(m.to_name == "Added meanwhile" for m in outbox(kind="invitation"))


def test_ticked_people_confirmation_and_withdrawal(client, make, convening):
    planned, reserves, invited = _list_of_45(make, convening)
    gone = make.invitation(convening, make.person(name="Gone Already"), status="withdrawn")
    removed_id, withdrawn_id = planned[3].id, invited[0].id
    ids = [str(removed_id), str(withdrawn_id), str(gone.id)]
    page = _post(client, convening, action="remove", invitation_ids=ids).get_data(as_text=True)
    assert "Remove or withdraw 3 people: the 3 ticked" in page
    assert "Already withdrawn (1)" in page and "1 never invited will be removed" in page
    assert page.count('name="invitation_ids"') == 3
    _post(client, convening, action="remove", invitation_ids=ids, confirmed="1")
    db.session.expire_all()
    assert db.session.get(Invitation, removed_id) is None
    assert db.session.get(Invitation, withdrawn_id).status == "withdrawn"


def test_attendance_from_the_guest_list_before_the_meeting_has_no_button(client, make, convening):
    accepted = make.invitation(convening, status="accepted")
    page = _post(client, convening, action="attended", invitation_ids=[str(accepted.id)]).get_data(as_text=True)
    assert "Mark attended for 1 person: the one ticked" in page
    assert "Attendance can be marked once the meeting has begun." in page and "Mark them attended" not in page


def test_nothing_selected_or_nothing_matching_is_a_message(client, make, convening):
    make.invitation(convening)
    response = client.post(f"/convenings/{convening.id}/guests/bulk", follow_redirects=True,
                           data={"action": "send", "scope": "matching", "status": "declined"})
    assert "No one on the guest list is selected" in response.get_data(as_text=True)
    response = client.post(f"/convenings/{convening.id}/guests/bulk", follow_redirects=True, data={"action": "send"})
    assert "Tick at least one person on the list first" in response.get_data(as_text=True)


def test_guest_list_offers_select_all_on_the_page_and_all_matching(client, make, convening, app, monkeypatch):
    _list_of_45(make, convening)
    monkeypatch.setitem(app.config, "GUEST_LIST_PER_PAGE", 20)
    page = client.get(f"/convenings/{convening.id}/guests?status=planned&priority=first_choice").get_data(as_text=True)
    assert "Select all 30 matching ‘status: planned, first choice’, on every page" in page
    assert 'name="scope" value="matching"' in page and "selection.js" in page
    assert page.count(" checked>") == 0
    ticked = client.get(f"/convenings/{convening.id}/guests?status=planned&select=page").get_data(as_text=True)
    assert ticked.count('data-row checked>') == 20
    one_page = client.get(f"/convenings/{convening.id}/guests?status=invited").get_data(as_text=True)
    assert 'name="scope"' not in one_page and "Select all on this page" in one_page


def test_confirmation_page_queries_do_not_grow_with_the_selection(client, make, organizer, count_queries):
    counts = []
    for n in (30, 230):
        convening = make.convening(organizers=[organizer], reply_by=date.today() + timedelta(days=30))
        for i in range(n):
            make.invitation(convening, make.person(organization=make.organization() if i % 2 else None))
        for action in ("send", "remind", "remove"):
            with count_queries() as counter:
                response = _post(client, convening, action=action, scope="matching")
            assert response.status_code == 200
            counts.append((action, counter.count))
    assert counts[:3] == counts[3:], counts


def test_write_to_opens_the_compose_page_with_the_selection(client, make, convening):
    planned, reserves, invited = _list_of_45(make, convening)
    assert '<option value="write">Write to…</option>' in client.get(f"/convenings/{convening.id}/guests").get_data(
        as_text=True)
    response = _post(client, convening, action="write", scope="matching", priority="reserve")
    location = urlsplit(response.headers["Location"])
    assert location.path == f"/convenings/{convening.id}/write"
    assert sorted(int(i) for i in parse_qs(location.query)["invitation"]) == sorted(i.id for i in reserves)
    compose = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Reserve 00" in compose and "Planned 05" not in compose  # the compose page preselects them
    assert outbox() == []


def test_write_to_is_offered_only_where_the_compose_page_exists(make_app, make, convening, organizer):
    app = make_app()
    del app.view_functions["correspondence.compose"]  # an installation without the correspondence pages
    make.invitation(convening)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = organizer.get_id(), True
    page = client.get(f"/convenings/{convening.id}/guests?status=planned").get_data(as_text=True)
    assert "Select all on this page" in page and '<option value="write">' not in page
