"""Recurring crawls: the ``schedules`` table (through :class:`storage.Store`)
and the long-running service that starts due crawls.

The service polls for due schedules and starts the due sites together as one
multi-site crawl (``scrapy crawl generic -a urls=FILE``, one line per site with
its own arguments and run id: the same path as ``forumcrawl crawl U1 U2``,
crawler/sites.py), at most one crawl at a time per site (a site whose previous
crawl still runs waits for the next batch) and at most ``max_parallel`` crawl
processes. Every run is recorded in ``crawl_runs``: the service creates one row
per site, passes its id on the site's line (``run_id=<id>``; with a custom
per-schedule ``command``, as ``-s FORUMCRAWL_RUN_ID=<id>``) so the crawl records
that site's stats there and, when the process ends, closes the rows itself if
the crawl did not (crash, kill), with the exit code and the log file. The next run of a schedule is due one period after its
run *started*; a run still going when it is due again is not doubled.
"""
from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import sqlalchemy as sa

logger = logging.getLogger(__name__)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PERIOD = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])", re.I)


def parse_every(text: str) -> int:
    """Seconds in a period like ``6h``, ``90m``, ``1d12h``, ``1w`` or ``3600``."""
    text = str(text).strip().lower()
    if text.isdigit():
        seconds = int(text)
    else:
        parts = _PERIOD.findall(text)
        if not parts or _PERIOD.sub("", text).strip():
            raise ValueError(f"not a period: {text!r} (use e.g. 30m, 6h, 1d, 1h30m)")
        seconds = int(sum(float(n) * _UNITS[u] for n, u in parts))
    if seconds <= 0:
        raise ValueError("a period must be positive")
    return seconds


def format_every(seconds: int) -> str:
    """``21600`` -> ``6h``; the inverse of :func:`parse_every` for display."""
    out = ""
    for unit in "wdhms":
        size = _UNITS[unit]
        if seconds >= size:
            out += f"{seconds // size}{unit}"
            seconds %= size
    return out or "0s"


def parse_spider_args(pairs: list[str] | None) -> dict[str, str]:
    """``["max_pages=100", "allow=/t/"]`` -> dict, as ``scrapy crawl -a`` takes them."""
    args = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise ValueError(f"spider argument must look like name=value, not {pair!r}")
        args[name.strip()] = value
    return args


def site_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL: crawls of one site never overlap."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def scrapy_command(url: str, args: dict, run_id: int, database_url: str, spider: str = "generic") -> list[str]:
    """The crawl a schedule starts."""
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"url={url}"]
    for name, value in sorted(args.items()):
        cmd += ["-a", f"{name}={value}"]
    return cmd + ["-s", f"FORUMCRAWL_RUN_ID={run_id}", "-s", f"DATABASE_URL={database_url}"]


def scrapy_batch_command(list_path: str, database_url: str, spider: str = "generic") -> list[str]:
    """The crawl of several due sites: one process, ``-a urls=FILE`` (lines of :func:`url_line`)."""
    return [sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"urls={list_path}",
            "-s", f"DATABASE_URL={database_url}"]


def url_line(url: str, args: dict, run_id: int) -> str:
    """One site of a batch: ``URL name=value ... run_id=N`` (crawler.sites.read_url_list)."""
    pairs = [f"{name}={value}" for name, value in sorted(args.items())] + [f"run_id={run_id}"]
    return " ".join([url, *pairs])


def batchable(args: dict) -> bool:
    """Arguments a line of a URL list can carry (else the schedule runs on its own)."""
    from crawler.sites import check_site_args

    if any(any(c.isspace() for c in str(v)) or "#" in str(v) for v in args.values()):
        return False
    try:
        check_site_args(dict(args))
    except ValueError:
        return False
    return True


@dataclass
class Running:
    """A crawl the service started and has not yet seen end."""

    schedule_id: int
    site: str
    run_id: int
    process: subprocess.Popen
    log_path: Path
    started: float = field(default_factory=time.monotonic)


class ScheduleService:
    """Starts due crawls, one at a time per site; see the module docstring."""

    def __init__(
        self,
        store,
        *,
        log_dir: str | Path = "forumcrawl-logs",
        poll: float = 30.0,
        max_parallel: int = 4,
        command: Callable[[str, dict, int, str], list[str]] | None = None,
        batch_command: Callable[[str, str], list[str]] = scrapy_batch_command,
        env: dict | None = None,
    ):
        """``command``: one process per schedule (``command(url, args, run_id, database_url)``);
        without it, the due sites of each poll are crawled together by ``batch_command(list
        path, database_url)``."""
        self.store = store
        self.log_dir = Path(log_dir)
        self.poll, self.max_parallel = poll, max_parallel
        self.command, self.batch_command = command, batch_command
        self.env = env
        self.running: dict[str, Running] = {}  # site -> its crawl (sites of one batch share the process)
        self.stopping = False

    def install_signal_handlers(self) -> None:
        """SIGTERM/SIGINT: start nothing new, stop running crawls gracefully, exit."""

        def stop(signum, frame):
            if self.stopping:
                raise SystemExit(128 + signum)
            logger.info("Signal %s: stopping %d running crawls and exiting",
                        signal.Signals(signum).name, len(self.running))
            self.stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)

    def run(self, once: bool = False) -> int:
        """Serve until stopped; with ``once``, start what is due now, wait for it, return."""
        logger.info("Scheduler on %r: polling every %.0fs, logs in %s", self.store, self.poll, self.log_dir)
        while not self.stopping:
            self.reap()
            started = self.start_due()
            if once:
                if not started and not self.running:
                    break
            self._sleep(min(self.poll, 1.0) if once or self.running else self.poll)
        self.shutdown()
        return 0

    def start_due(self) -> int:
        """Start every due schedule whose site is free; returns how many started."""
        now = datetime.now(timezone.utc)
        started = 0
        batch: dict[str, dict] = {}
        for schedule in self.store.schedules(due_at=now):
            site = site_of(schedule["url"])
            if site in self.running or site in batch:
                continue  # one crawl per site at a time: it waits until the site is free
            if self.command is None and batchable(schedule.get("args") or {}):
                batch[site] = schedule
                continue
            if self._processes() + bool(batch) >= self.max_parallel:
                break
            self._start(schedule, site)
            started += 1
        if batch and self._processes() < self.max_parallel:
            self._start_batch(batch)
            started += len(batch)
        return started

    def _processes(self) -> int:
        return len({id(run.process) for run in self.running.values()})

    def reap(self) -> list[Running]:
        """Record the end of every crawl process that exited."""
        ended = []
        for site, run in list(self.running.items()):
            code = run.process.poll()
            if code is None:
                continue
            del self.running[site]
            ended.append(run)
            self._close_run(run, code)
        return ended

    def shutdown(self, timeout: float = 60.0) -> None:
        """Ask running crawls to stop (SIGTERM: Scrapy finishes gracefully), then record them."""
        for run in {id(r.process): r for r in self.running.values()}.values():
            if run.process.poll() is None:
                run.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for run in list(self.running.values()):
            try:
                run.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                run.process.kill()
                run.process.wait()
        self.reap()

    # -- internals -----------------------------------------------------------------
    def _record(self, schedule: dict, site: str) -> int:
        args = dict(schedule.get("args") or {})
        run_id = self.store.start_run(site, {"url": schedule["url"], **args, "schedule_id": schedule["id"],
                                             "trigger": "schedule"})
        self.store.schedule_started(schedule["id"], run_id)
        return run_id

    def _spawn(self, cmd: list[str], log_path: Path) -> subprocess.Popen:
        env = {**os.environ, "SCRAPY_SETTINGS_MODULE": os.environ.get("SCRAPY_SETTINGS_MODULE", "crawler.settings"),
               **(self.env or {})}
        with open(log_path, "ab") as log:
            return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env,
                                    start_new_session=True)  # our Ctrl-C is not theirs

    def _start(self, schedule: dict, site: str) -> None:
        run_id = self._record(schedule, site)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / f"schedule-{schedule['id']}-run-{run_id}.log"
        command = self.command or scrapy_command
        process = self._spawn(command(schedule["url"], dict(schedule.get("args") or {}), run_id, self.store.url),
                              log_path)
        self.running[site] = Running(schedule["id"], site, run_id, process, log_path)
        logger.info("Started run %d of schedule %d (%s), pid %d, log %s",
                    run_id, schedule["id"], schedule["url"], process.pid, log_path)

    def _start_batch(self, batch: dict[str, dict]) -> None:
        """The due sites as one multi-site crawl: a run row each, one process, one log."""
        runs = {site: self._record(schedule, site) for site, schedule in batch.items()}
        self.log_dir.mkdir(parents=True, exist_ok=True)
        first = min(runs.values())
        list_path = self.log_dir / f"schedule-run-{first}-sites.txt"
        list_path.write_text("".join(url_line(s["url"], dict(s.get("args") or {}), runs[site]) + "\n"
                                     for site, s in batch.items()), encoding="utf-8")
        log_path = self.log_dir / (f"schedule-{batch[next(iter(batch))]['id']}-run-{first}.log" if len(batch) == 1
                                   else f"schedule-run-{first}-{len(batch)}-sites.log")
        process = self._spawn(self.batch_command(str(list_path), self.store.url), log_path)
        for site, schedule in batch.items():
            self.running[site] = Running(schedule["id"], site, runs[site], process, log_path)
        logger.info("Started runs %s of schedules %s (%d sites in one crawl), pid %d, log %s",
                    ", ".join(map(str, runs.values())), ", ".join(str(s["id"]) for s in batch.values()),
                    len(batch), process.pid, log_path)

    def _close_run(self, run: Running, code: int) -> None:
        status = run_status(self.store, run.run_id)
        took = time.monotonic() - run.started
        if status == "running":  # the crawl could not record its end itself
            self.store.finish_run(
                run.run_id, status="finished" if code == 0 else "failed",
                stats={"exit_code": code, "log": str(run.log_path), "elapsed_seconds": round(took, 1)},
            )
            status = "finished" if code == 0 else "failed"
        level = logging.INFO if code == 0 else logging.ERROR
        logger.log(level, "Run %d of schedule %d (%s) ended: exit code %d, %s, %.0fs; log %s",
                   run.run_id, run.schedule_id, run.site, code, status, took, run.log_path)

    def _sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < end:
            time.sleep(min(0.2, end - time.monotonic()) if end > time.monotonic() else 0)
            if self.running and any(r.process.poll() is not None for r in self.running.values()):
                return  # a crawl ended: its site may have a due run waiting


def run_status(store, run_id: int) -> str | None:
    """Status of a crawl run (SQLAlchemy Core on ``crawl_runs``; Store has no getter)."""
    from storage.models import CrawlRun

    with store.engine.connect() as conn:
        return conn.execute(sa.select(CrawlRun.status).where(CrawlRun.id == run_id)).scalar_one_or_none()


def runs_of_schedule(store, schedule_id: int) -> list[dict]:
    """Every run a schedule started, oldest first."""
    from storage.models import CrawlRun

    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(CrawlRun).order_by(CrawlRun.id)).mappings().all()
    return [dict(r) for r in rows if (r["args"] or {}).get("schedule_id") == schedule_id]
