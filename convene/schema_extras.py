"""Database objects that SQLAlchemy metadata cannot describe (full-text indexes).

Areas register here; migrations create the same objects. Tests call create_all_extras after
create_all and wipe_extras between tests.
"""
from __future__ import annotations

from typing import Callable

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
