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


def files_under(folder) -> dict[str, bytes]:
    """Every file below `folder`, by relative path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _postgres_only(backend):
    if backend != "postgresql":
        pytest.skip("pg_dump and pg_restore")


def test_postgresql_backup_restores_into_an_empty_database_row_for_row(app, backend, make, make_app, tmp_path):
    from tests.conftest import _postgres_database

    _postgres_only(backend)
    build_world(make)
    anonymize_person(make.person(name="Gone"), actor_label="test")
    db.session.commit()
    uploads = tmp_path / "uploads"
    (uploads / "briefs").mkdir(parents=True)
    (uploads / "briefs" / "3f2c.pdf").write_bytes(b"%PDF-1.7 brief")
    (uploads / "notes.bin").write_bytes(bytes(range(256)))
    before, files_before = snapshot(db.engine), files_under(uploads)
    assert sum(len(r) for r in before.values()) > 30
    db.session.remove()

    source = make_app(UPLOADS_DIR=str(uploads))
    archive = tmp_path / "convene.tar.gz"
    with source.app_context():
        result = source.test_cli_runner().invoke(args=["backup", str(archive)])
    assert result.exit_code == 0, result.output
    with tarfile.open(archive) as tar:
        assert {"manifest.json", "convene.pgdump", "uploads/briefs/3f2c.pdf"} <= set(tar.getnames())

    restored_uploads = tmp_path / "elsewhere" / "uploads"
    with _postgres_database() as empty_url:  # a second machine's fresh `createdb`
        target = make_app(SQLALCHEMY_DATABASE_URI=empty_url, UPLOADS_DIR=str(restored_uploads))
        with target.app_context():
            result = target.test_cli_runner().invoke(args=["restore", str(archive), "--yes"])
            assert result.exit_code == 0, result.output
            assert snapshot(db.engine) == before
            again = target.test_cli_runner().invoke(args=["restore", str(archive), "--yes"])
            db.engine.dispose()  # the database is dropped next
        assert again.exit_code == 2 and "not empty" in again.output
    assert files_under(restored_uploads) == files_before


def _restore(make_app, tmp_path, archive):
    other = make_app(UPLOADS_DIR=str(tmp_path / "uploads"))
    with other.app_context():
        return other.test_cli_runner().invoke(args=["restore", str(archive), "--yes"])


def _assert_refused(result, words):
    assert result.exit_code == 2, result.output
    assert words in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.sqlite_only
def test_restore_of_a_file_that_is_not_gzip_says_so(app, make_app, tmp_path):
    bogus = tmp_path / "notes.tar.gz"
    bogus.write_text("just some text, not an archive")
    _assert_refused(_restore(make_app, tmp_path, bogus), "is not a readable .tar.gz backup")


@pytest.mark.sqlite_only
def test_restore_of_a_truncated_archive_says_so(app, make_app, tmp_path):
    archive = tmp_path / "good.tar.gz"
    with make_app(UPLOADS_DIR=str(tmp_path / "uploads")).app_context():
        from convene.security.backup import backup
        backup(archive)
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    _assert_refused(_restore(make_app, tmp_path, truncated), "damaged, truncated")


@pytest.mark.sqlite_only
def test_restore_refuses_an_archive_with_paths_outside_its_folder(app, make_app, tmp_path):
    escape = tmp_path / "work" / "escape.txt"
    archive = tmp_path / "evil.tar.gz"
    (tmp_path / "manifest.json").write_text('{"format": "convene-backup-1"}')
    (tmp_path / "convene.sqlite").write_bytes(b"")
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tmp_path / "manifest.json", arcname="manifest.json")
        tar.add(tmp_path / "convene.sqlite", arcname="convene.sqlite")
        tar.add(tmp_path / "manifest.json", arcname="../../escape.txt")
    _assert_refused(_restore(make_app, tmp_path, archive), "would land outside the restore folder")
    assert not escape.exists() and not (tmp_path.parent / "escape.txt").exists()


@pytest.mark.sqlite_only
def test_brief_files_are_kept_under_uploads_dir_so_backups_hold_them(app, make_app, tmp_path):
    from convene.briefs.storage import upload_dir

    with make_app(UPLOADS_DIR=str(tmp_path / "uploads")).app_context():
        assert upload_dir() == tmp_path / "uploads" / "briefs"
    with make_app(UPLOADS_DIR=str(tmp_path / "uploads"), BRIEF_UPLOAD_DIR=str(tmp_path / "b")).app_context():
        assert upload_dir() == tmp_path / "b"
