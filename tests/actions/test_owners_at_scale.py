"""Owners typed as text (matched on the server) instead of huge dropdowns; the lean outcome view."""
import re
from datetime import date
from html import unescape

import sqlalchemy as sa

from convene.extensions import db
from convene.models import ActionItem, ActionUpdate


def _titles(page: str) -> set[str]:
    return set(re.findall(r'<a href="/next-steps/\d+">(Step[^<]*)</a>', page))


def _people(make):
    convening = make.convening(starts_on=date(2030, 1, 1))
    wanjiru = make.person(name="Grace Wanjiru", email="grace.wanjiru@example.org")
    adeyemi = make.person(name="Grace Adeyemi", email="grace.adeyemi@example.org")
    org = make.organization(name="Lead Org")
    make.action(convening, text="Step Wanjiru", owner_person=wanjiru)
    make.action(convening, text="Step Adeyemi", owner_person=adeyemi)
    make.action(convening, text="Step Org", owner_organization=org)
    return convening, wanjiru, adeyemi, org


def test_owner_filter_takes_a_name_or_an_email(client, make, sign_in):
    sign_in(make.user("staff"))
    _convening, wanjiru, adeyemi, org = _people(make)

    def board(owner):
        response = client.get("/next-steps/", query_string={"owner": owner})
        assert response.status_code == 200
        return response.get_data(as_text=True)

    page = board("GRACE.WANJIRU@example.org")
    assert _titles(page) == {"Step Wanjiru"}
    # the box shows who was matched, as name and address (which matches exactly again)
    assert 'value="Grace Wanjiru &lt;grace.wanjiru@example.org&gt;"' in page
    assert _titles(board("Grace Wanjiru <grace.wanjiru@example.org>")) == {"Step Wanjiru"}
    assert _titles(board("grace adeyemi")) == {"Step Adeyemi"}
    assert _titles(board("Lead Org")) == {"Step Org"}
    assert _titles(board("wanji")) == {"Step Wanjiru"}  # a unique part of a name is enough
    assert _titles(board(f"person:{adeyemi.id}")) == {"Step Adeyemi"}
    # several match: the filter is not applied, and each candidate is a link that filters by it
    page = unescape(board("Grace"))
    assert "“Grace” matches several owners" in page
    assert _titles(page) == {"Step Wanjiru", "Step Adeyemi", "Step Org"}
    assert f"owner=person:{wanjiru.id}" in page and f"owner=person:{adeyemi.id}" in page
    # nobody matches: said so, filter not applied
    page = unescape(board("Nobody Such"))
    assert "No person, organization or staff account matches “Nobody Such”" in page
    assert len(_titles(page)) == 3


def test_board_lists_no_owner_dropdown_only_a_short_datalist(client, make, sign_in):
    sign_in(make.user("staff"))
    convening = make.convening()
    for i in range(45):
        make.action(convening, text=f"Step {i}", owner_person=make.person(name=f"Owner {i:02d}"))
    page = client.get("/next-steps/").get_data(as_text=True)
    assert '<select id="f-owner"' not in page and '<select id="bulk-owner"' not in page
    assert 'id="f-owner" name="owner"' in page and 'list="owner-suggestions"' in page
    datalist = page.split('<datalist id="owner-suggestions">')[1].split("</datalist>")[0]
    assert 1 <= datalist.count("<option") <= 31  # 30 recent owners + the one account


def test_theme_filter_accepts_a_slug(client, make, sign_in):
    sign_in(make.user("staff"))
    convening = make.convening()
    climate = make.theme(name="Climate security", slug="climate-security")
    make.action(convening, text="Step climate", themes=[climate])
    make.action(convening, text="Step other")
    assert _titles(client.get("/next-steps/?theme=climate-security").get_data(as_text=True)) == {"Step climate"}
    page = client.get("/next-steps/?theme=no-such-theme").get_data(as_text=True)
    assert "Unknown theme ignored." in page and len(_titles(page)) == 2


def test_owner_filter_query_count_does_not_grow(client, make, sign_in, count_queries):
    sign_in(make.user("staff"))
    convening = make.convening()
    owner = make.person(name="Grace Wanjiru", email="grace@example.org")
    counts = []
    for batch in (5, 60):
        for i in range(batch):
            make.action(convening, text=f"Step {batch}-{i}", owner_person=owner if i % 2 else make.person())
        with count_queries() as counter:
            assert client.get("/next-steps/?owner=Grace+Wanjiru&per_page=100").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_bulk_reassign_by_typed_owner(client, make, sign_in):
    staff = sign_in(make.user("staff", name="Sam Staff"))
    convening, wanjiru, adeyemi, org = _people(make)
    step = make.action(convening, text="Step to move")

    def reassign(owner):
        return client.post("/next-steps/bulk", data={"ids": [step.id], "op": "reassign", "confirmed": "1", "owner": owner,
                                                      "status": "open"}, follow_redirects=True)

    def owner_of():
        db.session.expire_all()
        return db.session.get(ActionItem, step.id).owner_key

    reassign("grace.adeyemi@example.org")
    assert owner_of() == f"person:{adeyemi.id}"
    reassign("lead org")
    assert owner_of() == f"org:{org.id}"
    reassign("me")
    assert owner_of() == f"user:{staff.id}"
    # ambiguous or unknown: nothing changes, the candidates are named
    page = unescape(reassign("Grace").get_data(as_text=True))
    assert "matches several owners" in page and "Nothing was changed" in page
    assert "Grace Wanjiru &lt;grace.wanjiru@example.org&gt;" in reassign("Grace").get_data(as_text=True)
    assert "Nothing was changed" in unescape(reassign("Nobody Such").get_data(as_text=True))
    assert "Nothing was changed" in unescape(reassign("").get_data(as_text=True))
    assert owner_of() == f"user:{staff.id}"
    reassign("none")
    assert owner_of() == ""


def _capture(**kw):
    data = {"text": "Draft a joint letter", "rationale": "", "session_id": "0", "owner": "", "due_on": "",
            "priority": "normal", "new_themes": ""}
    data.update(kw)
    return data


def test_capture_lists_the_guests_and_takes_anyone_else_typed(client, make, sign_in):
    sign_in(make.user("staff"))
    convening = make.convening()
    home = make.organization(name="Guest Home Org")
    guest = make.person(name="Amina Diallo", organization=home)
    make.invitation(convening, guest, status="accepted")
    outsider = make.person(name="Olu Outsider", email="olu@example.org")
    far_org = make.organization(name="Faraway Institute")
    url = f"/convenings/{convening.id}/next-steps"
    page = client.get(url).get_data(as_text=True)
    # the lists hold the guests and their organizations, not the whole directory
    assert "Amina Diallo" in page and "Guest Home Org" in page
    assert "Olu Outsider" not in page and "Faraway Institute" not in page
    # anyone else is typed: a person by e-mail, organizations by name
    response = client.post(url, data=_capture(text="Typed owner", owner_other="olu@example.org",
                                              other_supporters="faraway institute; Guest Home Org"))
    assert response.status_code == 302, response.get_data(as_text=True)
    action = db.session.scalar(sa.select(ActionItem).where(ActionItem.text == "Typed owner"))
    assert action.owner_person_id == outsider.id
    assert sorted(o.name for o in action.supporters) == ["Faraway Institute", "Guest Home Org"]
    # once linked to the convening's next steps, that organization is listed too
    assert "Faraway Institute" in client.get(url).get_data(as_text=True)
    for data, message in ((_capture(owner_other="Nobody Such"), "matches “Nobody Such”"),
                          (_capture(other_supporters="No Such Org"), "No organization is called “No Such Org”")):
        response = client.post(url, data=data)
        assert response.status_code == 400 and message in unescape(response.get_data(as_text=True))
    assert db.session.scalar(sa.select(sa.func.count(ActionItem.id))) == 1


def test_edit_keeps_an_unlisted_owner_selected(client, make, sign_in):
    sign_in(make.user("staff"))
    convening = make.convening()
    outsider = make.person(name="Olu Outsider")
    far_org = make.organization(name="Faraway Institute")
    step = make.action(convening, text="Step", owner_person=outsider, supporters=[far_org])
    page = client.get(f"/next-steps/{step.id}").get_data(as_text=True)
    assert f'<option selected value="person:{outsider.id}">Olu Outsider</option>' in page
    assert f'<option selected value="{far_org.id}">Faraway Institute</option>' in page


def test_outcome_view_shows_names_themes_supporters_and_history(client, make, sign_in, count_queries):
    staff = sign_in(make.user("staff", name="Sam Staff"))
    convening = make.convening()
    session = make.agenda_session(convening, title="Early warning")
    owner = make.person(name="Grace Wanjiru")
    step = make.action(convening, text="Step one", owner_person=owner, session=session,
                       supporters=[make.organization(name="Backer Org")], themes=[make.theme(name="Prevention")],
                       status="dropped", drop_reason="No capacity")
    staff_id, owner_id = staff.id, owner.id
    db.session.add(ActionUpdate(action=step, author_user_id=staff_id, note="Checked with the team"))
    db.session.add(ActionUpdate(action=step, author_person_id=owner_id, note="Owner note"))
    make.action(convening, text="Step two", owner_organization=make.organization(name="Owning Org"))
    db.session.commit()
    page = unescape(client.get(f"/convenings/{convening.id}/next-steps").get_data(as_text=True))
    assert "<h3>Prevention</h3>" in page and "<h3>No theme</h3>" in page
    assert f'<a href="/next-steps/{step.id}">Step one</a> <span class="badge badge-dropped">Dropped</span>' in page
    assert "Grace Wanjiru · no date · normal priority · from “Early warning” · supported by Backer Org" in page
    assert "Dropped: No capacity" in page and "Owning Org · no date" in page
    assert "History (2)" in page and "Sam Staff:" in page and "Grace Wanjiru (owner, personal link):" in page
    assert page.index("Checked with the team") < page.index("Owner note")
    # the session page lists only that session's next steps
    session_page = client.get(f"/convenings/{convening.id}/sessions/{session.id}/next-steps").get_data(as_text=True)
    assert "Step one" in session_page and "Step two" not in session_page
