"""Store methods for crawl runs: start, heartbeat, finish, and telling a killed run from a live one.

A run killed with SIGKILL (or on a machine that died) cannot record its end,
so it would stay ``running`` for ever. A live run renews ``heartbeat_at``;
when the database is opened by a crawl or ``forumcrawl stats``,
:meth:`RunsMixin.reap_dead_runs` marks ``killed`` every ``running`` run whose
process is gone: on this host, by its PID (and the process's start time, so a
recycled PID is not taken for it); elsewhere, by a heartbeat older than
``stale_after`` seconds.
"""
from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from .engine import read_connection, write_transaction
from .models import CrawlRun
from .rows import jsonable
from .timeutil import utcnow

log = logging.getLogger(__name__)

RUN_STATUSES = ("running", "finished", "failed", "interrupted", "killed")
HEARTBEAT_STALE_SECONDS = 600.0   # a crawl renews its heartbeat every 30 s by default
# close reasons of a crawl that could not do its job (not one stopped on purpose): status failed
FAILED_REASONS = ("start_unreachable", "frontier_lost", "database_error")


def run_status(reason: str | None, *, unsaved: bool = False) -> str:
    """The crawl_runs status of a crawl that closed with Scrapy's ``reason``: finished,
    failed (it could not start, lost its frontier or database, or left items unsaved)
    or interrupted (stopped before the end, e.g. Ctrl-C: resumable)."""
    if unsaved or reason in FAILED_REASONS:
        return "failed"
    return "finished" if reason == "finished" else "interrupted"


class RunsMixin:
    """Mixed into :class:`storage.Store` (uses its ``engine``)."""

    def start_run(self, site: str, args: Mapping | None = None) -> int:
        """Record the start of a crawl of ``site`` by this process; returns the run id."""
        now = utcnow()
        with write_transaction(self.engine) as conn:
            stmt = sa.insert(CrawlRun).values(
                site=site, args=jsonable(args or {}), status="running", started_at=now, heartbeat_at=now,
                hostname=socket.gethostname(), pid=os.getpid(),
            )
            return int(conn.execute(stmt.returning(CrawlRun.id)).scalar_one())

    def heartbeat(self, run_id: int, *, claim: bool = False) -> None:
        """Renew the run's heartbeat; ``claim``: this process now runs it (a run that
        ``forumcrawl schedule run`` recorded before starting the crawl)."""
        values: dict = {"heartbeat_at": utcnow()}
        if claim:
            values.update(hostname=socket.gethostname(), pid=os.getpid())
        with write_transaction(self.engine) as conn:
            conn.execute(sa.update(CrawlRun).where(CrawlRun.id == run_id).values(**values))

    def finish_run(
        self, run_id: int, *, stats: Mapping | None = None, status: str = "finished", site: str | None = None
    ) -> None:
        """Record the end of a run: ``status`` is finished, failed or interrupted; ``site``
        fills in a site learned only during the run (a crawl started without a URL)."""
        if status not in RUN_STATUSES:
            raise ValueError(f"status must be one of {RUN_STATUSES}, not {status!r}")
        values = {"status": status, "finished_at": utcnow(), "stats": jsonable(stats or {})}
        if site:
            values["site"] = site
        with write_transaction(self.engine) as conn:
            conn.execute(sa.update(CrawlRun).where(CrawlRun.id == run_id).values(**values))

    def reap_dead_runs(self, *, stale_after: float = HEARTBEAT_STALE_SECONDS) -> list[int]:
        """Mark ``killed`` the ``running`` runs whose process is gone; returns their ids."""
        query = sa.select(CrawlRun.id, CrawlRun.hostname, CrawlRun.pid, CrawlRun.started_at,
                          CrawlRun.heartbeat_at).where(CrawlRun.status == "running")
        with read_connection(self.engine) as conn:
            running = conn.execute(query).all()
        if not running:
            return []
        host, now = socket.gethostname(), utcnow()
        dead: dict[int, tuple[datetime, str]] = {}
        for run in running:
            last_sign = run.heartbeat_at or run.started_at
            if run.hostname == host and run.pid:
                if not _process_alive(run.pid, run.started_at):
                    dead[run.id] = (last_sign, f"process {run.pid} on {host} is gone")
            elif (now - last_sign).total_seconds() > stale_after:
                dead[run.id] = (last_sign, f"no heartbeat from {run.hostname or '?'} since {last_sign.isoformat()}")
        if not dead:
            return []
        with write_transaction(self.engine) as conn:
            for run_id, (last_sign, why) in dead.items():
                conn.execute(sa.update(CrawlRun).where(CrawlRun.id == run_id, CrawlRun.status == "running").values(
                    status="killed", finished_at=last_sign, stats={"finish_reason": "killed", "detected": why}))
        for run_id, (_, why) in dead.items():
            log.warning("Crawl run %d was killed before it could finish (%s): marked killed", run_id, why)
        return sorted(dead)


def _process_alive(pid: int, started_at: datetime) -> bool:
    """Whether ``pid`` is a live process that started no later than the run (not a recycled PID)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass            # alive, owned by another user
    except OSError:
        return False
    began = _process_start(pid)
    return began is None or began <= started_at + timedelta(seconds=5)


def _process_start(pid: int) -> datetime | None:
    """When process ``pid`` started (Linux /proc), or None where that cannot be read."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        ticks = int(fields[19])          # field 22, "starttime", in clock ticks after boot
        with open("/proc/stat", "rb") as fh:
            boot = next(int(line.split()[1]) for line in fh if line.startswith(b"btime "))
        return datetime.fromtimestamp(boot + ticks / os.sysconf("SC_CLK_TCK"), timezone.utc)
    except (OSError, ValueError, IndexError, StopIteration):
        return None
