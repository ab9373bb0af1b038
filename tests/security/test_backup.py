"""Backup, wipe, restore: every table's rows and the uploaded files come back exactly."""
import tarfile

import pytest
import sqlalchemy as sa

from convene.extensions import db
from convene.privacy.services import anonymize_person
from tests.conftest import wipe_database
from tests.security.world import build_world


def snapshot(engine) -> dict[str, list[tuple]]:
    """Every row of every table the app knows, in a stable order: works on any backend."""
    rows = {}
    with engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows[table.name] = [tuple(r) for r in connection.execute(sa.select(table).order_by(*order))]
    return rows


@pytest.mark.sqlite_only
def test_backup_wipe_restore_gives_back_every_row_and_upload(app, make, make_app, tmp_path):
    build_world(make)
    anonymize_person(make.person(name="Gone"), actor_label="test")  # audit rows and JSON columns too
    db.session.commit()
    uploads = tmp_path / "uploads"
    (uploads / "briefs").mkdir(parents=True)
    (uploads / "briefs" / "3f2c.pdf").write_bytes(b"%PDF-1.7 brief")
    before = snapshot(db.engine)
    assert sum(len(r) for r in before.values()) > 30
    db.session.remove()

    other = make_app(UPLOADS_DIR=str(uploads))
    archive = tmp_path / "backups" / "convene.tar.gz"
    runner = other.test_cli_runner()
    with other.app_context():
        result = runner.invoke(args=["backup", str(archive)])
    assert result.exit_code == 0, result.output
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    with tarfile.open(archive) as tar:
        assert {"manifest.json", "convene.sqlite", "uploads/briefs/3f2c.pdf"} <= set(tar.getnames())

    wipe_database(db.engine)
    (uploads / "briefs" / "3f2c.pdf").unlink()
    (uploads / "stray.txt").write_text("added after the backup")
    assert sum(len(r) for r in snapshot(db.engine).values()) == 0

    with other.app_context():
        refused = runner.invoke(args=["restore", str(archive)], input="n\n")
        assert refused.exit_code != 0
        result = runner.invoke(args=["restore", str(archive), "--yes"])
    assert result.exit_code == 0, result.output
    db.engine.dispose()
    assert snapshot(db.engine) == before
    assert (uploads / "briefs" / "3f2c.pdf").read_bytes() == b"%PDF-1.7 brief"
    assert not (uploads / "stray.txt").exists()


@pytest.mark.sqlite_only
def test_restore_refuses_what_is_not_a_backup(app, make_app, tmp_path):
    other = make_app(UPLOADS_DIR=str(tmp_path / "uploads"))
    bogus = tmp_path / "bogus.tar.gz"
    with tarfile.open(bogus, "w:gz") as tar:
        (tmp_path / "x.txt").write_text("x")
        tar.add(tmp_path / "x.txt", arcname="../../escape.txt")
    with other.app_context():
        result = other.test_cli_runner().invoke(args=["restore", str(bogus), "--yes"])
        missing = other.test_cli_runner().invoke(args=["restore", str(tmp_path / "none.tar.gz"), "--yes"])
    assert result.exit_code != 0 and "not a Convene backup" in result.output
    assert missing.exit_code != 0 and "No backup archive" in missing.output
    assert not (tmp_path.parent / "escape.txt").exists()


def test_postgresql_is_pointed_at_pg_dump(app, backend, tmp_path):
    if backend != "postgresql":
        pytest.skip("the PostgreSQL message only")
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "b.tar.gz")])
    assert result.exit_code != 0 and "pg_dump" in result.output
