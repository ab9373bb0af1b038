"""Setting balance targets: ranges, contradictions, series defaults, audit."""
import pytest
import sqlalchemy as sa

from convene.audit.models import AuditEvent
from convene.diversity import targets
from convene.diversity.models import DiversityTarget
from convene.extensions import db


def _post(client, url, **data):
    form = {"dimension": "north_south", "kind": "min_share", "category": "north_south:south", "value": "50",
            "stage": "accepted"}
    form.update(data)
    return client.post(url, data=form)


def _count():
    return db.session.scalar(sa.select(sa.func.count(DiversityTarget.id)))


def test_organizer_sets_and_removes_a_target(client, make, sign_in):
    organizer = sign_in(make.user("organizer"))
    c = make.convening(organizers=[organizer])
    url = f"/convenings/{c.id}/balance/targets"
    assert client.get(url).status_code == 200
    assert _post(client, url).status_code == 302
    assert _post(client, url, value="60").status_code == 302  # same rule: replaced, not duplicated
    db.session.expire_all()
    target = db.session.scalar(sa.select(DiversityTarget))
    assert _count() == 1 and target.value == 60 and target.convening_id == c.id
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"diversity.target.create", "diversity.target.update"} <= actions
    assert client.post(f"{url}/{target.id}/delete").status_code == 302
    assert _count() == 0


@pytest.mark.parametrize("data, message", [
    ({"value": "150"}, "percentage from 0 to 100"),
    ({"value": "-5"}, "percentage from 0 to 100"),
    ({"value": ""}, "Enter a number"),
    ({"value": "abc"}, "Not a valid integer value"),
    ({"category": ""}, "Choose the category this share is about"),
    ({"category": "gender:woman"}, "not a Global North / South category"),
    ({"category": "gender:nonsense"}, "Choose a category from the list"),
    ({"kind": "min_categories", "dimension": "region", "category": "", "value": "7"}, "There are 5 UN regions"),
    ({"kind": "min_categories", "dimension": "region", "category": "", "value": "0"}, "at least 1 category"),
    ({"kind": "max_any", "dimension": "sector", "category": "", "value": "10"}, "cannot be met"),
    ({"dimension": "bogus"}, "Not a valid choice"),
])
def test_bad_targets_get_clear_messages(client, make, sign_in, data, message):
    organizer = sign_in(make.user("organizer"))
    c = make.convening(organizers=[organizer])
    response = _post(client, f"/convenings/{c.id}/balance/targets", **data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count() == 0


def test_contradictory_targets_are_refused(client, make, sign_in):
    organizer = sign_in(make.user("organizer"))
    c = make.convening(organizers=[organizer])
    url = f"/convenings/{c.id}/balance/targets"
    assert _post(client, url, kind="max_share", value="40").status_code == 302
    response = _post(client, url, kind="min_share", value="60")
    assert response.status_code == 422
    assert "contradicts" in response.get_data(as_text=True) and "minimum is above" in response.get_data(as_text=True)
    assert _post(client, url, dimension="gender", category="gender:woman", value="60").status_code == 302
    response = _post(client, url, dimension="gender", category="gender:man", value="50")
    assert "add up to more than 100%" in response.get_data(as_text=True)
    assert _post(client, url, dimension="sector", kind="max_any", category="", value="30").status_code == 302
    response = _post(client, url, dimension="sector", category="sector:government", value="35")
    assert "contradicts" in response.get_data(as_text=True)
    # another stage is a separate set of rules
    assert _post(client, url, dimension="gender", category="gender:man", value="50", stage="invited").status_code == 302
    assert _count() == 4


def test_convening_target_checked_against_series_defaults(app, make):
    series = make.series()
    c = make.convening(series_id=series.id)
    targets.set_target({"dimension": "north_south", "kind": "max_share", "category": "south", "value": 40,
                        "stage": "accepted"}, actor=None, series=series)
    with pytest.raises(targets.TargetError, match="contradicts"):
        targets.set_target({"dimension": "north_south", "kind": "min_share", "category": "south", "value": 60,
                            "stage": "accepted"}, actor=None, convening=c)
    # overriding the series rule itself with the convening's own is fine
    targets.set_target({"dimension": "north_south", "kind": "max_share", "category": "south", "value": 70,
                        "stage": "accepted"}, actor=None, convening=c)
    targets.set_target({"dimension": "north_south", "kind": "min_share", "category": "south", "value": 60,
                        "stage": "accepted"}, actor=None, convening=c)


def test_series_default_targets_page(client, make, sign_in):
    organizer = sign_in(make.user("organizer"))
    series = make.series()
    make.convening(series_id=series.id, organizers=[organizer])
    other_series = make.series()
    assert _post(client, f"/series/{series.id}/balance/targets").status_code == 302
    assert _post(client, f"/series/{other_series.id}/balance/targets").status_code == 404
    db.session.expire_all()
    assert db.session.scalar(sa.select(DiversityTarget.series_id)) == series.id


def test_staff_cannot_set_targets(client, make, sign_in):
    sign_in(make.user("staff"))
    c = make.convening()
    assert _post(client, f"/convenings/{c.id}/balance/targets").status_code == 403
    assert _count() == 0
