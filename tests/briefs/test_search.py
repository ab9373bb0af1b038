"""Full-text search on both backends: one interface, FTS5 on SQLite and tsvector on PostgreSQL."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from convene.briefs import search
from convene.briefs.models import Brief
from convene.briefs.archive import ArchiveFilters, published_query
from convene.extensions import db


def _found(text: str) -> list[str]:
    query = published_query(ArchiveFilters(q=text), db.engine.dialect.name)
    return [b.title for b in db.session.scalars(query)]


@pytest.fixture
def library(make):
    make.brief(title="Preventing atrocities in fragile states", status="published", published_on=date(2024, 3, 1),
               summary="Early warning and **prevention** of mass violence.")
    make.brief(title="Climate security in the Sahel", status="published", published_on=date(2023, 5, 1),
               summary="Drought, migration and conflict risk.")
    make.brief(title="Draft on atrocities", status="draft", summary="Not yet public: prevention.")


def test_search_finds_by_title_and_summary_with_stemming(library):
    assert _found("atrocities") == ["Preventing atrocities in fragile states"]
    assert _found("migration") == ["Climate security in the Sahel"]
    # "prevent" stems to the same word as "Preventing" and "prevention" on both backends.
    assert _found("prevent") == ["Preventing atrocities in fragile states"]
    assert _found("prevention violence") == ["Preventing atrocities in fragile states"]
    assert _found("prevention drought") == []  # every word must match


def test_drafts_are_never_found(library):
    assert "Draft on atrocities" not in _found("atrocities")


@pytest.mark.parametrize("text", [
    '"', "'", '"unbalanced', "atroc*", "NEAR(a b)", "title:atrocities", "a AND OR NOT", "^start", "(((",
    "-", "x\x00y", "%_%", "\\", "💥", "a" * 5000, "atrocities " * 500, "SELECT * FROM briefs; --",
    "{}[]<>", "  ", "\t\n",
])
def test_special_characters_never_error(library, text):
    found = _found(text)
    assert isinstance(found, list)


def test_quoted_and_operator_words_are_plain_words(library):
    assert _found('"atrocities"') == ["Preventing atrocities in fragile states"]
    assert _found("atrocities:") == ["Preventing atrocities in fragile states"]
    assert _found("atrocities*") == ["Preventing atrocities in fragile states"]
    assert _found("atrocities AND NOT") == ["Preventing atrocities in fragile states"]


def test_search_terms_strip_syntax():
    assert search.search_terms('  "climate" AND sec*rity:  ') == ["climate", "sec", "rity"]
    assert search.search_terms("") == []
    assert search.search_terms("***") == []
    assert len(search.search_terms("w " * 100)) == search.MAX_TERMS


def test_index_follows_edits_and_deletes(library):
    brief = db.session.scalar(sa.select(Brief).where(Brief.title.startswith("Climate")))
    brief.summary = "Water scarcity and peacebuilding."
    db.session.commit()
    assert _found("drought") == []
    assert _found("scarcity") == ["Climate security in the Sahel"]
    brief.title = "Water and peace"
    db.session.commit()
    assert _found("sahel") == []
    assert _found("water peace") == ["Water and peace"]
    db.session.delete(brief)
    db.session.commit()
    assert _found("water") == []


def test_search_ranks_title_match_first(make):
    make.brief(title="Mediation notes", status="published", summary="Security sector reform, security, security.")
    make.brief(title="Security sector reform", status="published", summary="On security.")
    make.brief(title="Unrelated", status="published", summary="Nothing here.")
    found = _found("security")
    assert set(found) == {"Mediation notes", "Security sector reform"}


def test_fts_ddl_is_exposed_for_the_migration():
    sqlite = search.fts_ddl("sqlite")
    assert any("USING fts5" in s for s in sqlite)
    assert sum("CREATE TRIGGER" in s for s in sqlite) == 3
    postgres = search.fts_ddl("postgresql")
    assert any("GENERATED ALWAYS AS" in s and search.PG_DOCUMENT in s for s in postgres)
    assert any("USING GIN" in s for s in postgres)
    assert search.fts_drop_ddl("sqlite") and search.fts_drop_ddl("postgresql")


def test_postgres_uses_the_gin_index(app, make, backend):
    if backend != "postgresql":
        pytest.skip("the GIN index exists on PostgreSQL only")
    make.brief(title="Water and peace", status="published")
    query = search.PostgresSearch().apply(sa.select(Brief.id), ["water"])
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    with db.engine.connect() as connection:
        connection.exec_driver_sql("SET enable_seqscan = off")
        plan = "\n".join(r[0] for r in connection.exec_driver_sql(f"EXPLAIN {compiled}"))
    assert "ix_briefs_fts" in plan, plan


def test_reindex_command_rebuilds_a_damaged_index(app, make, backend):
    make.brief(title="Water and peace", status="published")
    if backend == "sqlite":  # lose the index content, as after a restore without the virtual table's rows
        with db.engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO briefs_fts(briefs_fts) VALUES ('delete-all')")
        assert _found("water") == []
    result = app.test_cli_runner().invoke(args=["briefs", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Rebuilt the brief search index" in result.output
    assert _found("water") == ["Water and peace"]
