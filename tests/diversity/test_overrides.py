"""Classification basis and overrides: config, the admin page, audit, and what the dashboard says."""
import sqlalchemy as sa

from convene.audit.models import AuditEvent
from convene.diversity import classification, counting
from convene.diversity.models import ClassificationOverride
from convene.extensions import db


def test_admin_overrides_a_country_and_the_dashboard_says_so(client, make, sign_in, guest):
    admin = sign_in(make.user("admin"))
    c = make.convening(organizers=[admin])
    guest(c, "accepted", country="TR")
    page = client.get("/admin/classification").get_data(as_text=True)
    assert "<h1>Global North/South classification</h1>" in page
    assert page.count("<tr><th scope=\"row\">") == 249
    response = client.post("/admin/classification", data={"country": "TR", "classification": "north",
                                                            "reason": "Board decision 2026"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(ClassificationOverride.classification)) == "north"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "diversity.override.set"))
    assert event.changes["country"] == "TR" and event.actor_id == admin.id
    page = client.get(f"/convenings/{c.id}/balance").get_data(as_text=True)
    assert "Global North (administrator)" in page
    tally = counting.tallies([c.id], classification.classification_info().classifier)[c.id]
    assert tally.counts["accepted"]["north_south"] == {"north": 1}
    assert client.post("/admin/classification/TR/delete").status_code == 302
    assert client.post("/admin/classification/TR/delete").status_code == 404
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(ClassificationOverride.id))) == 0
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "diversity.override.delete"))


def test_override_bad_input(client, make, sign_in):
    sign_in(make.user("admin"))
    response = client.post("/admin/classification", data={"country": "ZZ", "classification": "north", "reason": "x"})
    assert response.status_code == 422 and "Not a valid choice" in response.get_data(as_text=True)
    response = client.post("/admin/classification", data={"country": "FR", "classification": "east", "reason": "x"})
    assert response.status_code == 422
    response = client.post("/admin/classification", data={"country": "FR", "classification": "south", "reason": ""})
    assert response.status_code == 422 and "audit log" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(ClassificationOverride.id))) == 0


def test_only_admins_may_override(client, make, sign_in):
    sign_in(make.user("organizer"))
    assert client.get("/admin/classification").status_code == 403
    assert client.post("/admin/classification", data={"country": "FR", "classification": "south",
                                                       "reason": "x"}).status_code == 403


def test_config_basis_and_overrides(make_app, make, guest):
    app = make_app(CLASSIFICATION_BASIS="worldbank", CLASSIFICATION_OVERRIDES={"cn": "north", "XX": "north",
                                                                                 "FR": "sideways"})
    with app.app_context():
        info = classification.classification_info()
        assert info.classifier.basis == "worldbank"
        assert info.classifier.north_south("SA") == "north" and info.classifier.north_south("CN") == "north"
        assert [code for code, _, _ in info.overrides] == ["CN"]
        assert len(info.warnings) == 2
    bad = make_app(CLASSIFICATION_BASIS="nonsense", CLASSIFICATION_TRANSITION="north")
    with bad.app_context():
        info = classification.classification_info()
        assert info.classifier.basis == "unctad" and "not known" in info.warnings[0]
        assert info.classifier.north_south("UA") == "north"
        assert "transition economies" not in info.basis_label  # the current basis has no transition group
    three_way = make_app(CLASSIFICATION_BASIS="unctad_three_way", CLASSIFICATION_TRANSITION="north")
    with three_way.app_context():
        info = classification.classification_info()
        assert "transition economies counted as Global North" in info.basis_label and "2021" in info.basis_label
        assert info.classifier.north_south("KZ") == "north"


def test_admin_override_wins_over_config(make_app, app, make):
    classification.set_override("TR", "south", "policy", actor=None)
    db.session.commit()
    other = make_app(CLASSIFICATION_OVERRIDES={"TR": "north"})
    with other.app_context():
        info = classification.classification_info()
        assert info.classifier.north_south("TR") == "south"
        assert ("TR", "south", "administrator") in info.overrides
