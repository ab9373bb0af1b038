"""The follow-up board's bulk actions (issue 17, item 1): ticked next steps or all matching the filters,
evaluated again when confirmed; the confirmation's wording and counts; mark done, reassign, remind owners."""
import sqlalchemy as sa

from convene.actions import bulk
from convene.actions.board import BoardFilters
from convene.audit.models import AuditEvent
from convene.base.selection import Selection
from convene.extensions import db
from convene.mail.models import OutboxMessage
from convene.models import ActionItem


def _steps(make, convening, n, **kw):
    return [make.action(convening, text=f"Step {i:02d}", **kw) for i in range(n)]


def _post(client, **data):
    data.setdefault("op", "status")
    return client.post("/next-steps/bulk", data=data)


def test_selection_is_ticked_visible_steps_or_all_matching_now(make, sign_in):
    organizer = make.user("organizer")
    mine = make.convening(organizers=[organizer])
    elsewhere = make.action(make.convening(), text="Not theirs")
    open_steps = _steps(make, mine, 25)
    done = make.action(mine, text="Finished", status="done")
    ticked = Selection(ids=[open_steps[0].id, done.id, elsewhere.id])
    assert {a.id for a in bulk.resolve(organizer, ticked, BoardFilters())} == {open_steps[0].id, done.id}
    everyone_open = bulk.resolve(organizer, Selection(matching=True), BoardFilters(status="open", per_page=10))
    assert len(everyone_open) == 25  # every page, not the ten shown
    open_steps[3].status = "done"
    db.session.commit()
    again = bulk.resolve(organizer, Selection(matching=True), BoardFilters(status="open"))
    assert len(again) == 24 and open_steps[3] not in again
    assert bulk.resolve(organizer, Selection(matching=True), BoardFilters(q="finished")) == [done]


def test_board_offers_select_all_matching_across_pages(client, make, sign_in):
    sign_in(make.user("staff"))
    convening = make.convening(title="Sahel Water")
    _steps(make, convening, 12)
    page = client.get(f"/next-steps/?status=open&convening={convening.id}&per_page=10").get_data(as_text=True)
    assert "Select all 12 matching ‘status: open, convening: Sahel Water’, on every page" in page
    assert f'name="filter" value="status=open&amp;convening={convening.id}"' in page
    ticked = client.get("/next-steps/?per_page=10&select=page").get_data(as_text=True)
    assert ticked.count("data-row checked>") == 10


def test_mark_done_for_all_matching_confirms_then_changes_and_audits(client, make, sign_in):
    staff = sign_in(make.user("staff"))
    convening = make.convening()
    mine = _steps(make, convening, 12, owner_user=staff)
    dropped = make.action(convening, text="Dropped one", owner_user=staff, status="dropped")
    filters = "owner=me"
    page = _post(client, status="done", scope="matching", filter=filters).get_data(as_text=True)
    assert "Set status to done for 13 next steps: all matching ‘owner: me’" in page
    assert "Will be done for 12" in page and "Dropped (cannot become done) (1)" in page
    assert "Confirm (12)" in page
    assert db.session.scalar(sa.select(sa.func.count()).where(ActionItem.status == "done")) == 0
    response = _post(client, status="done", scope="matching", filter=filters, confirmed="1", expected="13",
                     next="/next-steps/?owner=me")
    assert response.headers["Location"] == "/next-steps/?owner=me"
    db.session.expire_all()
    assert {db.session.get(ActionItem, a.id).status for a in mine} == {"done"}
    assert db.session.get(ActionItem, dropped.id).status == "dropped"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "action.bulk"))
    assert event.changes["done"] == [None, 12] and event.changes["selection"] == [None, "all matching ‘owner: me’"]


def test_all_matching_is_evaluated_again_when_confirmed(client, make, sign_in):
    sign_in(make.user("staff"))
    convening = make.convening()
    _steps(make, convening, 3)
    make.action(convening, text="Arrived meanwhile")
    response = client.post("/next-steps/bulk", follow_redirects=True, data={
        "op": "status", "status": "in_progress", "scope": "matching", "filter": "status=open", "confirmed": "1",
        "expected": "3"})
    text = response.get_data(as_text=True)
    assert "Changed 4 of 4 selected next steps." in text and "matched 3 when you confirmed and 4" in text


def test_dropping_without_a_reason_is_stopped_on_the_confirmation(client, make, sign_in):
    sign_in(make.user("staff"))
    step = make.action(make.convening())
    page = _post(client, status="dropped", ids=[step.id]).get_data(as_text=True)
    assert "Set status to dropped for 1 next step: the one ticked" in page
    assert "Say why these next steps are dropped" in page and "Confirm (" not in page


def test_reassign_names_the_new_owner(client, make, sign_in):
    sign_in(make.user("staff"))
    convening = make.convening()
    ada = make.person(name="Ada Lovelace")
    steps = _steps(make, convening, 2) + [make.action(convening, text="Hers already", owner_person=ada)]
    page = _post(client, op="reassign", owner=f"person:{ada.id}", ids=[s.id for s in steps]).get_data(as_text=True)
    assert "Reassign to Ada Lovelace 3 next steps: the 3 ticked" in page and "Already with this owner (1)" in page


def test_remind_owners_sends_one_mail_per_person(client, make, sign_in):
    sign_in(make.user("staff"))
    convening = make.convening()
    ada = make.person(name="Ada Lovelace", email="ada@example.org")
    silent = make.person(name="No Mail", email=None)
    org = make.organization(name="Lead Org")
    steps = [make.action(convening, text="Ada one", owner_person=ada), make.action(convening, text="Ada two", owner_person=ada),
             make.action(convening, text="Silent", owner_person=silent),
             make.action(convening, text="Org owned", owner_organization=org),
             make.action(convening, text="A draft", owner_person=ada, status="draft")]
    ids = [s.id for s in steps]
    page = _post(client, op="remind", ids=ids).get_data(as_text=True)
    assert "E-mail the owners of 5 next steps: the 5 ticked" in page
    assert "Will be done for 2" in page and "1 owner gets one e-mail each" in page
    for group in ("Owner has no e-mail address (1)", "Not owned by a person (1)", "Still a draft"):
        assert group in page
    response = client.post("/next-steps/bulk", follow_redirects=True,
                           data={"op": "remind", "ids": ids, "confirmed": "1"})
    assert "E-mailed 1 owner their link." in response.get_data(as_text=True)
    mails = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "owner_link")).all()
    assert [m.to_address for m in mails] == ["ada@example.org"]


def test_confirmation_queries_do_not_grow_with_the_selection(client, make, sign_in, count_queries):
    sign_in(make.user("staff"))
    counts = []
    for n in (10, 110):
        convening = make.convening()
        people = [make.person() for _ in range(3)]
        for i in range(n):
            db.session.add(ActionItem(convening=convening, text=f"Step {i}", status="open",
                                      owner_person=people[i % 3] if i % 2 else None))
        db.session.commit()
        for op in ("status", "remind"):
            with count_queries() as counter:
                response = _post(client, op=op, status="done", scope="matching", filter=f"convening={convening.id}")
            assert response.status_code == 200
            counts.append((op, counter.count))
    assert counts[:2] == counts[2:], counts
