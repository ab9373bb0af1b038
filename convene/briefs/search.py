"""Full-text search over brief titles and summaries: one interface, one implementation per backend.

SQLite uses an FTS5 virtual table (`briefs_fts`, external content, kept in sync by triggers);
PostgreSQL uses `to_tsvector` over the same text, kept in a generated column with a GIN index. Both stem English
words (FTS5's porter tokenizer, PostgreSQL's `english` configuration), so "preventing" finds
"prevention" on either.

User input never reaches a query language: it is reduced to plain words first, so quotes,
FTS5 operators (AND, NEAR, *, ^, :), NUL bytes and very long strings cannot cause an error.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa

from .. import schema_extras
from .models import Brief

#: Longest query text considered, and most words used from it.
MAX_QUERY_CHARS = 300
MAX_TERMS = 12
_WORD = re.compile(r"\w+", re.UNICODE)
#: FTS5 keywords: harmless once quoted, but dropping them keeps both backends' results alike.
_FTS5_KEYWORDS = {"AND", "OR", "NOT", "NEAR"}

#: The text both backends index. On PostgreSQL it is kept as a generated tsvector column, so
#: neither the GIN recheck nor ts_rank has to re-parse every matching summary (measured: a search
#: matching 4,500 of 5,000 briefs took 0.9 s with an expression index, a few ms with the column).
PG_DOCUMENT = "to_tsvector('english', coalesce(title, '') || ' ' || coalesce(summary, ''))"
#: The generated column (its name carries schema_extras' "_fts" marker, so Alembic leaves it alone).
PG_COLUMN = "search_fts"


def fts_ddl(dialect_name: str) -> list[str]:
    """The statements that create the search index on this backend (tests and the migration run them)."""
    if dialect_name == "sqlite":
        return [
            "CREATE VIRTUAL TABLE IF NOT EXISTS briefs_fts USING fts5("
            "title, summary, content='briefs', content_rowid='id', "
            "tokenize='porter unicode61 remove_diacritics 2')",
            "CREATE TRIGGER IF NOT EXISTS briefs_fts_ai AFTER INSERT ON briefs BEGIN "
            "INSERT INTO briefs_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary); END",
            "CREATE TRIGGER IF NOT EXISTS briefs_fts_ad AFTER DELETE ON briefs BEGIN "
            "INSERT INTO briefs_fts(briefs_fts, rowid, title, summary) "
            "VALUES ('delete', old.id, old.title, old.summary); END",
            "CREATE TRIGGER IF NOT EXISTS briefs_fts_au AFTER UPDATE OF title, summary ON briefs BEGIN "
            "INSERT INTO briefs_fts(briefs_fts, rowid, title, summary) "
            "VALUES ('delete', old.id, old.title, old.summary); "
            "INSERT INTO briefs_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary); END",
            # Index rows that existed before the table did (a no-op on an empty database).
            "INSERT INTO briefs_fts(briefs_fts) VALUES ('rebuild')",
        ]
    if dialect_name == "postgresql":
        return [
            f"ALTER TABLE briefs ADD COLUMN IF NOT EXISTS {PG_COLUMN} tsvector "
            f"GENERATED ALWAYS AS ({PG_DOCUMENT}) STORED",
            f"CREATE INDEX IF NOT EXISTS ix_briefs_fts ON briefs USING GIN ({PG_COLUMN})",
        ]
    return []


def fts_drop_ddl(dialect_name: str) -> list[str]:
    """The statements that remove the search index (the migration's downgrade)."""
    if dialect_name == "sqlite":
        return [*(f"DROP TRIGGER IF EXISTS briefs_fts_{t}" for t in ("ai", "ad", "au")),
                "DROP TABLE IF EXISTS briefs_fts"]
    if dialect_name == "postgresql":
        return ["DROP INDEX IF EXISTS ix_briefs_fts", f"ALTER TABLE briefs DROP COLUMN IF EXISTS {PG_COLUMN}"]
    return []


def _create(connection) -> None:
    for statement in fts_ddl(connection.dialect.name):
        connection.exec_driver_sql(statement)


def _wipe(connection) -> None:
    """Empty the SQLite index after the tests' table wipe (PostgreSQL's index empties itself)."""
    if connection.dialect.name == "sqlite" and connection.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'briefs_fts'").first():
        connection.exec_driver_sql("INSERT INTO briefs_fts(briefs_fts) VALUES ('delete-all')")


schema_extras.register(_create, _wipe)


def search_terms(text: str | None) -> list[str]:
    """The plain words of a query, at most MAX_TERMS of them; [] when nothing searchable is left."""
    if not text:
        return []
    words = _WORD.findall(text[:MAX_QUERY_CHARS].replace("\x00", " "))
    words = [w for w in words if w.upper() not in _FTS5_KEYWORDS and w.strip("_")]
    return words[:MAX_TERMS]


@dataclass(frozen=True)
class SqliteSearch:
    """FTS5: every word must match (implicit AND); best matches first (bm25 rank)."""

    def apply(self, query: sa.Select, terms: list[str]) -> sa.Select:
        match = " ".join('"' + term.replace('"', '""') + '"' for term in terms)
        # A MATERIALIZED CTE runs MATCH once; a plain join lets SQLite re-run it for every brief row.
        hits = (sa.select(sa.literal_column("rowid").label("rowid"), sa.literal_column("rank").label("rank"))
                .select_from(sa.table("briefs_fts"))
                .where(sa.literal_column("briefs_fts").op("MATCH")(match))
                .cte("brief_hits").prefix_with("MATERIALIZED"))
        return (query.join(hits, hits.c.rowid == Brief.id)
                .order_by(None).order_by(hits.c.rank, Brief.id.desc()))


@dataclass(frozen=True)
class PostgresSearch:
    """tsvector @@ plainto_tsquery: every word must match; best matches first (ts_rank)."""

    def apply(self, query: sa.Select, terms: list[str]) -> sa.Select:
        vector = sa.literal_column(f"briefs.{PG_COLUMN}")
        tsquery = sa.func.plainto_tsquery(sa.literal_column("'english'"), " ".join(terms))
        return (query.where(vector.op("@@")(tsquery))
                .order_by(None).order_by(sa.func.ts_rank(vector, tsquery).desc(), Brief.id.desc()))


def backend_for(dialect_name: str):
    """The search implementation for a database backend."""
    if dialect_name == "postgresql":
        return PostgresSearch()
    if dialect_name == "sqlite":
        return SqliteSearch()
    raise RuntimeError(f"No full-text search for the {dialect_name} backend.")


def apply_search(query: sa.Select, text: str | None, dialect_name: str) -> tuple[sa.Select, list[str]]:
    """Narrow a SELECT of briefs to those matching the text; unchanged when the text has no words."""
    terms = search_terms(text)
    if not terms:
        return query, []
    return backend_for(dialect_name).apply(query, terms), terms
