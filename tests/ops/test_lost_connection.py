"""The web app across a database restart: the pool replaces cut connections; a request that still
meets one gets a clean 503 page, and the next request succeeds. On a real PostgreSQL server."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from convene.extensions import db
from tests.ops.conftest import terminate_backends


@pytest.fixture(autouse=True)
def _postgres_only(backend):
    if backend != "postgresql":
        pytest.skip("connections are cut on the PostgreSQL server")


def test_no_error_after_every_backend_was_terminated(app, client, make, sign_in):
    sign_in(make.user("organizer"))
    db.session.commit()
    assert client.get("/convenings/").status_code == 200
    assert terminate_backends(db.engine.url) >= 1
    assert client.get("/convenings/").status_code == 200  # pool_pre_ping noticed and reconnected


def test_a_request_that_meets_a_dead_connection_gets_a_503_page_then_recovers(app, make_app, make, sign_in):
    unchecked = make_app(SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": False})
    client = unchecked.test_client()
    sign_in(make.user("organizer"), target=client)
    db.session.commit()
    assert client.get("/convenings/").status_code == 200
    assert terminate_backends(db.engine.url) >= 1
    response = client.get("/convenings/")
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    page = response.get_data(as_text=True)
    assert "<h1>Briefly unavailable</h1>" in page and "Traceback" not in page
    assert client.get("/convenings/").status_code == 200  # the pool threw the dead connections away
    assert client.get("/convenings/", headers={"Accept": "application/json"}).status_code == 200


def test_a_connection_cut_after_the_work_committed_leaves_the_answer_standing(app, make_app):
    """The request's work committed, then the database cut its connection before the request ended
    (what the soak met at a restart): the finished answer is sent, never a 500 from the teardown."""
    fresh = make_app()

    @fresh.get("/test-only/cut-after-commit")
    def cut_after_commit():
        db.session.commit()
        db.session.execute(sa.text("SELECT 1"))  # the session holds a connection again, in a transaction
        assert terminate_backends(db.engine.url) >= 1
        return "done"

    response = fresh.test_client().get("/test-only/cut-after-commit")
    assert response.status_code == 200 and response.get_data(as_text=True) == "done"
    assert fresh.test_client().get("/healthz").status_code == 200
