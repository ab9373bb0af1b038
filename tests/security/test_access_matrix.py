"""Who may do what: every route of the app × every kind of actor, in one table.

Every URL points at convening A's objects (its guest list, people, invitations, next steps,
briefs...). The actors are:

  anon     no session; on token routes, a made-up token
  attendee no session; on token routes, the personal link of A's invitee (elsewhere: as anon)
  staff    a staff account
  other    an organizer of convening B only: any 200 on A's private pages would be an IDOR leak
  org      an organizer of convening A
  admin    an administrator

Signed-in actors use a made-up token on token routes: an account never opens someone else's
personal link. POSTs carry an empty form (CSRF is checked separately), so "200" on a POST means
"the form came back with errors", never a change. Codes: a number is the HTTP status;
"login" is a redirect to the sign-in page. A route missing from the table fails the test.

To see what the app does now (e.g. after adding routes): MATRIX_PRINT=1 pytest -k matrix_is_complete -s
"""
from __future__ import annotations

import os

import pytest

from convene.extensions import db
from tests.security.world import ACTORS, build_world, freeze, restore_rows, routes, snapshot_rows, url_for_rule

BOGUS_TOKEN = "not-a-real-token-3f9a1c2b7d4e5f60718293a4b5c6d7e8"
COLUMNS = ("anon", "attendee", "staff", "other", "org", "admin")

# endpoint + method                          anon   attend staff  other  org    admin
MATRIX = """
actions.add_progress POST                   login  login  302    404    302    302
actions.board GET                           login  login  200    200    200    200
actions.bulk POST                           login  login  302    302    302    302
actions.change_status POST                  login  login  400    404    400    400
actions.detail GET                          login  login  200    404    200    200
actions.detail POST                         login  login  400    404    400    400
actions.export_csv GET                      login  login  200    200    200    200
actions.export_ics GET                      login  login  200    200    200    200
actions.feed GET                            404    200    404    404    404    404
actions.feed_link POST                      login  login  302    302    302    302
actions.for_convening GET                   login  login  200    404    200    200
actions.for_convening POST                  login  login  400    404    400    400
actions.for_session GET                     login  login  200    404    200    200
actions.for_session POST                    login  login  400    404    400    400
actions.owner_page GET                      404    200    404    404    404    404
actions.my_steps GET                        404    200    404    404    404    404
actions.my_steps POST                       404    400    404    404    404    404
actions.owner_page POST                     404    400    404    404    404    404
actions.copy_owner_link POST                login  login  200    404    200    200
actions.send_owner_link POST                login  login  302    404    302    302

agenda.briefing GET                         404    200    404    404    404    404
agenda.cancel POST                          login  login  403    404    302    302
agenda.changes GET                          login  login  200    404    200    200
agenda.convening_feed POST                  login  login  403    404    200    200
agenda.create GET                           login  login  403    404    200    200
agenda.create POST                          login  login  403    404    422    422
agenda.delete POST                          login  login  403    404    302    302
agenda.edit GET                             login  login  403    404    200    200
agenda.edit POST                            login  login  403    404    422    422
agenda.index GET                            login  login  200    404    200    200
agenda.mark_seen POST                       404    302    404    404    404    404
agenda.move GET                             login  login  403    404    200    200
agenda.move POST                            login  login  403    404    422    422
agenda.my_agenda GET                        404    200    404    404    404    404
agenda.my_session GET                       404    404    404    404    404    404
agenda.programme GET                        login  login  200    404    200    200
agenda.public GET                           404    404    404    404    404    404
agenda.public_changes GET                   404    404    404    404    404    404
agenda.loose_ends_page GET                  login  login  403    404    200    200
agenda.settle_loose_end POST                login  login  403    404    422    422
agenda.publish GET                          login  login  403    404    200    200
agenda.publish POST                         login  login  403    404    302    302
agenda.reorder POST                         login  login  403    404    302    302
agenda.restore POST                         login  login  403    404    302    302
agenda.session_page GET                     login  login  200    404    200    200
agenda.settings POST                        login  login  403    404    302    302
agenda.subscribe POST                       404    200    404    404    404    404
agenda.unsubscribe POST                     404    200    404    404    404    404

api.convening GET                           404    404    404    404    404    404
# private reads answer to a personal API token only (tests/security/test_api_token_matrix.py): a session is not enough
api.guest_figures GET                       401    401    401    401    401    401
api.me GET                                  401    401    401    401    401    401
api.next_steps GET                          401    401    401    401    401    401
api.outbox GET                              401    401    401    401    401    401
api.token_list GET                          login  login  200    200    200    200
api.token_list POST                         login  login  400    400    400    400
api.token_revoke POST                       login  login  404    404    302    404
api.convenings GET                          200    200    200    200    200    200
api.one_series GET                          200    200    200    200    200    200
api.openapi GET                             200    200    200    200    200    200
api.publication GET                         200    200    200    200    200    200
api.publications GET                        200    200    200    200    200    200
api.reference GET                           200    200    200    200    200    200
api.series_index GET                        200    200    200    200    200    200

audit.index GET                             login  login  403    403    403    200

auth.account GET                            login  login  200    200    200    200
auth.account POST                           login  login  200    200    200    200
auth.change_email GET                       login  login  200    200    200    200
auth.change_email POST                      login  login  200    200    200    200
auth.forgot_password GET                    200    200    200    200    200    200
auth.forgot_password POST                   200    200    200    200    200    200
auth.reset_password GET                     410    200    410    410    410    410
auth.reset_password POST                    410    200    410    410    410    410
auth.sign_in GET                            200    200    200    200    200    200
auth.sign_in POST                           200    200    200    200    200    200
auth.sign_out POST                          login  login  login  login  login  login
auth.toggle_active POST                     login  login  403    403    403    302
auth.users GET                              login  login  403    403    403    200
auth.users POST                             login  login  403    403    403    200

briefs.archive GET                          200    200    200    200    200    200
briefs.change_status POST                   login  login  302    404    403    302
briefs.create GET                           login  login  200    403    403    200
briefs.create POST                          login  login  200    403    403    200
briefs.detail GET                           login  login  200    404    200    200
briefs.edit GET                             login  login  200    404    403    200
briefs.edit POST                            login  login  302    404    403    302
briefs.feed_atom GET                        200    200    200    200    200    200
briefs.file GET                             login  login  404    404    404    404
briefs.index GET                            login  login  200    200    200    200
briefs.public_detail GET                    200    200    200    200    200    200
briefs.public_file GET                      404    404    404    404    404    404
briefs.review GET                           404    200    404    404    404    404
briefs.review POST                          404    400    404    404    404    404
briefs.review_file GET                      404    404    404    404    404    404
briefs.review_list GET                      404    200    404    404    404    404
briefs.send_review_links POST               login  login  302    404    403    302
briefs.upload POST                          login  login  400    404    403    400

convenings.change_status POST               login  login  403    404    302    302
convenings.create GET                       login  login  403    200    200    200
convenings.create POST                      login  login  403    200    200    200
convenings.create_dialogue GET              login  login  403    404    200    200
convenings.create_dialogue POST             login  login  403    404    200    200
convenings.detail GET                       login  login  200    404    200    200
convenings.edit GET                         login  login  403    404    200    200
convenings.edit POST                        login  login  403    404    302    302
convenings.index GET                        login  login  200    200    200    200
convenings.brand_css GET                    200    200    200    200    200    200
convenings.brand_edit GET                   login  login  403    200    200    200
convenings.brand_edit POST                  login  login  403    302    302    302
convenings.brand_logo GET                   404    404    404    404    404    404
convenings.series_create GET                login  login  403    200    200    200
convenings.series_create POST               login  login  403    200    200    200
convenings.series_detail GET                login  login  200    200    200    200
convenings.series_edit GET                  login  login  403    200    200    200
convenings.series_edit POST                 login  login  403    302    302    302
convenings.series_index GET                 login  login  200    200    200    200

correspondence.compose GET                  login  login  403    404    200    200
correspondence.compose POST                 login  login  403    404    200    200
correspondence.detail GET                   login  login  403    404    200    200
correspondence.history GET                  login  login  403    404    200    200

dashboard.index GET                         login  login  200    200    200    200

diversity.classification GET                login  login  403    403    403    200
diversity.classification POST               login  login  403    403    403    422
diversity.dashboard GET                     login  login  200    404    200    200
diversity.delete_override POST              login  login  403    403    403    302
diversity.delete_series_target POST         login  login  403    302    302    302
diversity.delete_target POST                login  login  403    404    302    302
diversity.series_targets GET                login  login  403    200    200    200
diversity.series_targets POST               login  login  403    422    422    422
diversity.series_trends GET                 login  login  200    200    200    200
diversity.series_trends_csv GET             login  login  200    200    200    200
diversity.targets GET                       login  login  403    404    200    200
diversity.targets POST                      login  login  403    404    422    422

ics.convening_agenda GET                    login  login  200    404    200    200
ics.feed GET                                404    200    404    404    404    404
ics.my_agenda GET                           404    200    404    404    404    404
ics.my_session GET                          404    404    404    404    404    404
ics.my_session_add GET                      404    404    404    404    404    404
ics.public_agenda GET                       404    404    404    404    404    404
ics.public_session GET                      404    404    404    404    404    404
ics.session GET                             login  login  200    404    200    200

i18n.choose GET                             404    404    404    404    404    404

invitations.add_people POST                 login  login  403    404    302    302
invitations.attendance POST                 login  login  403    404    302    302
invitations.bulk POST                       login  login  403    404    302    302
invitations.decide_nomination POST          login  login  403    404    302    302
invitations.entry GET                       login  login  200    404    200    200
invitations.entry POST                      login  login  403    404    302    302
invitations.export_csv GET                  login  login  403    404    200    200
invitations.guest_list GET                  login  login  200    404    200    200
invitations.import_confirm POST             login  login  403    404    302    302
invitations.import_csv GET                  login  login  403    404    200    200
invitations.import_csv POST                 login  login  403    404    422    422
invitations.import_refused POST             login  login  403    404    302    302
invitations.offer_place GET                 login  login  403    404    200    200
invitations.offer_place POST                login  login  403    404    302    302
invitations.offline_reply POST              login  login  403    404    302    302
invitations.reissue POST                    login  login  403    404    302    302
invitations.reminders GET                   login  login  403    404    200    200
invitations.reminders POST                  login  login  403    404    302    302
invitations.old_address GET                 404    302    404    404    404    404
invitations.report_forwarded POST           404    200    404    404    404    404
invitations.rsvp_settings POST              404    302    404    404    404    404
invitations.rsvp_travel POST                404    302    404    404    404    404
invitations.rsvp GET                        404    200    404    404    404    404
invitations.rsvp POST                       404    422    404    404    404    404
invitations.rsvp_erase POST                 404    302    404    404    404    404
invitations.rsvp_export POST                404    200    404    404    404    404
invitations.rsvp_nominate POST              404    422    404    404    404    404
invitations.rsvp_profile POST               404    422    404    404    404    404
invitations.status_board GET                login  login  200    404    200    200
invitations.template GET                    login  login  403    404    200    200
invitations.template POST                   login  login  403    404    302    302

mail.detail GET                             login  login  403    404    200    200
mail.outbox GET                             login  login  403    200    200    200
mail.retry POST                             login  login  403    404    302    302

messages.convening_edit GET                 login  login  403    404    200    200
messages.convening_edit POST                login  login  403    404    302    302
messages.convening_index GET                login  login  403    404    200    200
messages.convening_reset POST               login  login  403    404    303    303
messages.series_edit GET                    login  login  403    200    200    200
messages.series_edit POST                   login  login  403    302    302    302
messages.series_index GET                   login  login  403    200    200    200
messages.series_reset POST                  login  login  403    303    303    303
messages.series_sender POST                 login  login  403    303    303    303
messages.site_edit GET                      login  login  403    403    403    200
messages.site_edit POST                     login  login  403    403    403    302
messages.site_index GET                     login  login  403    403    403    200
messages.site_reset POST                    login  login  403    403    403    303

notes.add_remark POST                       login  login  400    404    400    400
notes.autosave POST                         login  login  200    404    200    200
notes.change_remark POST                    login  login  302    404    302    302
notes.change_status POST                    login  login  302    404    302    302
notes.edit GET                              login  login  200    404    200    200
notes.edit POST                             login  login  302    404    302    302
notes.export GET                            login  login  200    404    200    200
notes.index GET                             login  login  200    404    200    200
notes.participant_index GET                 404    200    404    404    404    404
notes.participant_note GET                  404    200    404    404    404    404
notes.participant_note POST                 404    400    404    404    404    404
notes.revision GET                          login  login  200    404    200    200

ops.healthz GET                             200    200    200    200    200    200
ops.readyz GET                              200    200    200    200    200    200

printables.badges GET                        login  login  200    404    200    200
printables.index GET                         login  login  200    404    200    200
printables.listed GET                        login  login  200    404    200    200
printables.name_tents GET                    login  login  200    404    200    200
printables.venue_list POST                   login  login  403    404    422    422

people.create GET                           login  login  200    200    200    200
people.create POST                          login  login  200    200    200    200
people.detail GET                           login  login  200    200    200    200
people.edit GET                             login  login  200    403    200    200
people.edit POST                            login  login  302    403    302    302
people.index GET                            login  login  200    200    200    200
people.organization_create GET              login  login  200    200    200    200
people.organization_create POST             login  login  200    200    200    200
people.organization_edit GET                login  login  200    403    403    200
people.organization_edit POST               login  login  302    403    403    302
people.organizations GET                    login  login  200    200    200    200

privacy.anonymize POST                      login  login  403    403    403    302
privacy.erase POST                          login  login  403    403    403    302
privacy.export POST                         login  login  403    403    403    200
privacy.person GET                          login  login  403    403    403    200
privacy.retention GET                       login  login  403    403    403    200
privacy.retention POST                      login  login  403    403    403    302

webhooks.delete POST                        login  login  403    403    403    302
webhooks.detail GET                         login  login  403    403    403    200
webhooks.index GET                          login  login  403    403    403    200
webhooks.index POST                         login  login  403    403    403    400
webhooks.send_test POST                     login  login  403    403    403    302
webhooks.switch POST                        login  login  403    403    403    302

public.convening GET                        404    404    404    404    404    404
public.embed_help GET                       200    200    200    200    200    200
public.embed_publications GET               200    200    200    200    200    200
"""


def parse_matrix(text: str) -> dict[str, tuple[str, ...]]:
    table = {}
    for line in text.strip().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        endpoint, method, *codes = line.split()
        assert len(codes) == len(COLUMNS), f"row {endpoint} {method} needs {len(COLUMNS)} codes"
        key = f"{endpoint} {method}"
        assert key not in table, f"{key} appears twice in the matrix"
        table[key] = tuple(codes)
    return table


EXPECTED = parse_matrix(MATRIX)


def _code(response) -> str:
    if response.status_code == 302 and "/sign-in" in response.headers.get("Location", ""):
        return "login"
    return str(response.status_code)


def observe(app, frozen, rule, method) -> tuple[str, ...]:
    """The code each actor gets for one route, each in a fresh browser."""
    codes = []
    for actor in ACTORS:
        client = app.test_client()
        token = None
        if "token" in rule.arguments:
            token = None if actor == "attendee" else BOGUS_TOKEN
        if actor in frozen.session_ids:
            client.set_cookie("session", frozen.session_ids[actor])
        url = url_for_rule(rule, frozen.values, token=token)
        try:
            response = client.open(url, method=method, data={} if method != "GET" else None)
        except Exception as error:  # an unhandled error is a 500; name it so the table shows where
            codes.append(f"500:{type(error).__name__}")
            db.session.rollback()
        else:
            codes.append(_code(response))
            response.close()
        refused = codes[-1].startswith("4") or (codes[-1] == "login" and actor not in frozen.session_ids)
        if method != "GET" and not refused:  # an allowed POST (or sign-out) may have changed the world
            restore_rows(db.engine, frozen.rows)
    return tuple(codes)


def _keys(app) -> list[str]:
    return [f"{rule.endpoint} {method}" for rule, method in routes(app) if rule.endpoint != "static"]


def test_matrix_is_complete(app, make):
    """Every route is in the table, and the table names no route that is gone."""
    keys = _keys(app)
    if os.environ.get("MATRIX_PRINT"):
        frozen = freeze(build_world(make), db.engine, app)
        rules = {f"{r.endpoint} {m}": (r, m) for r, m in routes(app)}
        for key in keys:
            rule, method = rules[key]
            endpoint, _ = key.split()
            print(f"{endpoint} {method}".ljust(48) + " ".join(c.ljust(6) for c in observe(app, frozen, rule, method)))
    missing = [key for key in keys if key not in EXPECTED]
    assert not missing, "routes missing from the access matrix:\n" + "\n".join(missing)
    gone = [key for key in EXPECTED if key not in keys]
    assert not gone, "matrix rows for routes that no longer exist:\n" + "\n".join(gone)


@pytest.fixture
def frozen_world(app, make):
    return freeze(build_world(make), db.engine, app)


def test_every_route_answers_each_actor_as_the_matrix_says(app, frozen_world):
    """One world, every row; GETs run first and must leave the database exactly as it was."""
    rules = {f"{r.endpoint} {m}": (r, m) for r, m in routes(app)}
    wrong = []
    gets = [k for k in EXPECTED if k.endswith(" GET") and k in rules]
    posts = [k for k in EXPECTED if not k.endswith(" GET") and k in rules]
    for key in gets + posts:
        rule, method = rules[key]
        got = observe(app, frozen_world, rule, method)
        if got != EXPECTED[key]:
            wrong.append(f"{key:48} expected {' '.join(EXPECTED[key])}\n{'':48} got      {' '.join(got)}")
        if key == gets[-1]:
            assert snapshot_rows(db.engine) == frozen_world.rows, "a GET request changed the database"
    assert not wrong, "\n".join(wrong)


# --- CSRF: every state-changing route refuses a POST without the form's token ---------------------

def _sign_in_with_token(app, user) -> str:
    """Sign in through the real form with its CSRF token; the session cookie."""
    import re

    from tests.fixtures.factories import PASSWORD

    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, "could not sign in with CSRF on"
    return client.get_cookie("session").value


def test_every_post_without_a_csrf_token_is_refused_and_changes_nothing(make_app, make):
    """Issue 13, finding 10: per state-changing route of the matrix and per actor (the second organizer
    included), a POST without the CSRF token answers 400 and leaves every table as it was."""
    from tests.security.world import world_values

    world = build_world(make)
    values = world_values(world)
    app = make_app(WTF_CSRF_ENABLED=True)
    sessions = {actor: _sign_in_with_token(app, world.user(actor)) for actor in ACTORS if world.user(actor)}
    before = snapshot_rows(db.engine)
    rules = {f"{r.endpoint} {m}": (r, m) for r, m in routes(app)}
    posts = [key for key in EXPECTED if not key.endswith(" GET")]
    assert posts and set(posts) <= set(rules)
    wrong = []
    for key in posts:
        rule, method = rules[key]
        for actor in ACTORS:
            client = app.test_client()
            if actor in sessions:
                client.set_cookie("session", sessions[actor])
            token = None if actor == "attendee" else BOGUS_TOKEN
            url = url_for_rule(rule, values, token=token if "token" in rule.arguments else None)
            response = client.open(url, method=method, data={"name": "Forged", "answer": "declined"})
            if response.status_code != 400 or "Form expired" not in response.get_data(as_text=True):
                wrong.append(f"{key} as {actor}: {response.status_code}")
            response.close()
        if snapshot_rows(db.engine) != before:
            wrong.append(f"{key}: a POST without a CSRF token changed the database")
            restore_rows(db.engine, before)
    assert not wrong, "\n".join(wrong)
