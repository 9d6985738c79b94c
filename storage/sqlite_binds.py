"""SQLite statements executed with ready-made bind values, skipping SQLAlchemy's per-row work.

The posts upsert is the crawl's hottest statement: SQLAlchemy spent ~0.05 ms
per post on bind processing (UTCDateTime, JSON) and parameter construction.
Here the statement is compiled once by SQLAlchemy (so its SQL is exactly the
Core construct's) and its rows are turned into tuples in the compiled
parameter order, with values written exactly as SQLAlchemy's SQLite types
write them: UTC times as ``YYYY-MM-DD HH:MM:SS.ffffff`` text, JSON through
``json.dumps`` (None as JSON ``null``).
"""
from __future__ import annotations

import json
import operator
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa

from .models import UTCDateTime


def sqlite_time(value: datetime | None) -> str | None:
    """A datetime as SQLAlchemy stores it in SQLite (UTCDateTime: UTC, naive means UTC)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.isoformat(" ", "microseconds")


class CompiledRows:
    """``stmt`` compiled for SQLite once, plus a converter of row dicts into its positional parameters."""

    def __init__(self, stmt: sa.Insert, dialect: sa.Dialect) -> None:
        compiled = stmt.compile(dialect=dialect)
        self.sql = str(compiled)
        self.names: tuple[str, ...] = tuple(compiled.positiontup or ())
        table = stmt.table
        self._convert: list[tuple[str, Callable[[Any], Any] | None]] = [
            (name, _converter(table.c[name].type) if name in table.c else None) for name in self.names
        ]
        self._getter = _tuple_getter(self.names)

    def params(self, rows: Iterable[Mapping]) -> list[tuple]:
        """One parameter tuple per row (each row holds every name of the compiled statement).

        The values come out of each row with one ``itemgetter`` call; only the
        columns that need a conversion (times, JSON) are then rewritten.
        """
        times: dict[datetime, str | None] = {}  # first_seen/last_seen: one value for the whole batch

        def time_of(value: datetime | None) -> str | None:
            if value is None:
                return None
            text = times.get(value)
            if text is None:
                text = times[value] = sqlite_time(value)
            return text

        fns = [(i, time_of if fn is sqlite_time else fn) for i, (_, fn) in enumerate(self._convert) if fn]
        values = map(self._getter, rows)
        if not fns:
            return list(values)
        params = []
        for row in values:
            row = list(row)
            for i, fn in fns:
                row[i] = fn(row[i])
            params.append(tuple(row))
        return params

    def execute(self, conn: sa.Connection, rows: Iterable[Mapping]) -> None:
        params = self.params(rows)
        if params:
            conn.exec_driver_sql(self.sql, params)


def _tuple_getter(names: tuple[str, ...]) -> Callable[[Mapping], tuple]:
    """``row -> tuple(row[name] for name in names)``, as one C-level call."""
    if len(names) > 1:
        return operator.itemgetter(*names)
    if names:
        one = operator.itemgetter(names[0])
        return lambda row: (one(row),)
    return lambda row: ()


def _converter(type_: sa.types.TypeEngine) -> Callable[[Any], Any] | None:
    if isinstance(type_, UTCDateTime):
        return sqlite_time
    if isinstance(type_, sa.JSON):
        return _json
    return None


def _json(value: Any) -> str:
    """``json.dumps(value)``, without the call for the usual values of no quotes (None, [])."""
    if value is None:
        return "null"
    if value == []:
        return "[]"
    return json.dumps(value)
