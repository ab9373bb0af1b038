"""Database objects that SQLAlchemy metadata cannot describe (full-text indexes).

Areas register here; migrations create the same objects. Tests call create_all_extras after
create_all and wipe_extras between tests.
"""
from __future__ import annotations

from typing import Callable

#: Tables made by extra DDL (e.g. FTS5 virtual tables and their shadow tables) contain this marker;
#: Alembic's autogenerate and the schema comparison test leave them alone.
EXTRA_TABLE_MARKER = "_fts"

_creators: list[Callable] = []
_wipers: list[Callable] = []


def register(create: Callable, wipe: Callable | None = None) -> None:
    _creators.append(create)
    if wipe is not None:
        _wipers.append(wipe)


def create_all_extras(engine) -> None:
    with engine.begin() as connection:
        for create in _creators:
            create(connection)


def wipe_extras(connection) -> None:
    for wipe in _wipers:
        wipe(connection)


def include_name(name, type_, parent_names) -> bool:
    """Alembic filter: skip the tables and indexes that extra DDL owns."""
    return not (name and EXTRA_TABLE_MARKER in name)
