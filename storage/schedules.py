"""Store methods for recurring crawls (issue 4): the ``schedules`` table."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from .engine import read_connection, write_transaction
from .models import Schedule
from .rows import jsonable
from .timeutil import iso, utcnow


class SchedulesMixin:
    """Mixed into :class:`storage.Store` (uses its ``engine``)."""

    def add_schedule(
        self, url: str, every_seconds: int, args: Mapping | None = None, *, next_run_at: datetime | None = None
    ) -> int:
        """A new recurring crawl of ``url``; first due at ``next_run_at`` (default: now)."""
        if every_seconds <= 0:
            raise ValueError("every_seconds must be positive")
        now = utcnow()
        with write_transaction(self.engine) as conn:
            stmt = sa.insert(Schedule).values(
                url=url, every_seconds=int(every_seconds), args=jsonable(args or {}),
                next_run_at=next_run_at or now, enabled=True, created_at=now,
            )
            return int(conn.execute(stmt.returning(Schedule.id)).scalar_one())

    def schedules(self, *, due_at: datetime | None = None) -> list[dict]:
        """All schedules, or with ``due_at`` only the enabled ones due by then (soonest first)."""
        query = sa.select(Schedule).order_by(Schedule.next_run_at, Schedule.id)
        if due_at is not None:
            query = query.where(Schedule.enabled.is_(True), Schedule.next_run_at <= due_at)
        with read_connection(self.engine) as conn:
            rows = conn.execute(query).mappings().all()
        return [
            {**dict(r), "next_run_at": iso(r["next_run_at"]), "created_at": iso(r["created_at"])} for r in rows
        ]

    def remove_schedule(self, schedule_id: int) -> bool:
        """Delete a schedule; False when there was none with that id."""
        with write_transaction(self.engine) as conn:
            return conn.execute(sa.delete(Schedule).where(Schedule.id == schedule_id)).rowcount > 0

    def set_schedule(self, schedule_id: int, **values: Any) -> bool:
        """Update a schedule's fields (enabled, next_run_at, last_run_id, every_seconds, args, url)."""
        allowed = {"enabled", "next_run_at", "last_run_id", "every_seconds", "args", "url"}
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"unknown schedule fields: {sorted(unknown)}")
        with write_transaction(self.engine) as conn:
            return conn.execute(sa.update(Schedule).where(Schedule.id == schedule_id).values(**values)).rowcount > 0

    def schedule_started(self, schedule_id: int, run_id: int) -> None:
        """Mark a schedule as started by ``run_id``; its next run is one period from now."""
        with write_transaction(self.engine) as conn:
            every = conn.execute(sa.select(Schedule.every_seconds).where(Schedule.id == schedule_id)).scalar_one()
            conn.execute(
                sa.update(Schedule).where(Schedule.id == schedule_id).values(
                    last_run_id=run_id, next_run_at=utcnow() + timedelta(seconds=every)
                )
            )
