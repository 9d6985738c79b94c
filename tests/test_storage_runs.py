"""Crawl runs: a run whose process was killed is marked ``killed`` the next time a crawl or
``forumcrawl stats`` opens the database, instead of staying ``running`` for ever."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from crawler.demo.forum import build_forum
from storage import Store
from storage.models import CrawlRun
from storage.timeutil import utcnow
from tests.sites import REPO, LiveForum, _env, crawl_command, post_row_count


def add_run(store: Store, **values) -> int:
    row = {"site": "http://forum.test", "status": "running", "started_at": utcnow(), "hostname": socket.gethostname(),
           "pid": os.getpid(), **values}
    with store.engine.begin() as conn:
        return conn.execute(sa.insert(CrawlRun).values(**row).returning(CrawlRun.id)).scalar_one()


def status(store: Store, run_id: int) -> str:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(CrawlRun.status).where(CrawlRun.id == run_id)).scalar_one()


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_runs_of_gone_processes_are_marked_killed_and_live_ones_are_not(database_url):
    now = utcnow()
    with Store(database_url) as store:
        alive = add_run(store)                                                   # this very process
        gone = add_run(store, pid=dead_pid())
        recycled = add_run(store, started_at=now - timedelta(days=400))          # our PID, but we began later
        far_fresh = add_run(store, hostname="elsewhere.invalid", pid=1, heartbeat_at=now - timedelta(seconds=20))
        far_stale = add_run(store, hostname="elsewhere.invalid", pid=1, heartbeat_at=now - timedelta(hours=1))
        far_old = add_run(store, hostname="elsewhere.invalid", pid=1, started_at=now - timedelta(hours=2))
        done = add_run(store, pid=dead_pid(), status="finished")
        assert store.reap_dead_runs() == sorted([gone, recycled, far_stale, far_old])
        assert [status(store, r) for r in (alive, gone, recycled, far_fresh, far_stale, far_old, done)] == [
            "running", "killed", "killed", "running", "killed", "killed", "finished"]
        with store.engine.connect() as conn:
            row = conn.execute(sa.select(CrawlRun.stats, CrawlRun.finished_at).where(CrawlRun.id == gone)).one()
        assert row.stats["finish_reason"] == "killed" and row.finished_at is not None
        assert store.reap_dead_runs() == []      # nothing left to mark


def test_heartbeat_renews_and_claims_a_run(sqlite_url):
    with Store(sqlite_url) as store:
        run = add_run(store, hostname="scheduler.invalid", pid=1, heartbeat_at=utcnow() - timedelta(hours=1))
        store.heartbeat(run, claim=True)
        with store.engine.connect() as conn:
            row = conn.execute(sa.select(CrawlRun.hostname, CrawlRun.pid, CrawlRun.heartbeat_at).where(CrawlRun.id == run)).one()
        assert row.hostname == socket.gethostname() and row.pid == os.getpid()
        assert utcnow() - row.heartbeat_at < timedelta(minutes=1)
        assert store.reap_dead_runs() == []


@pytest.mark.slow
def test_a_sigkilled_crawl_shows_as_killed_in_stats(tmp_path):
    database = f"sqlite:///{tmp_path / 'killed.db'}"
    live = LiveForum(build_forum(seed=9, threads_per_board=3))
    proc = subprocess.Popen(crawl_command(live.url, database, "CONCURRENT_REQUESTS=1", "DOWNLOAD_DELAY=0.2",
                                          "FORUMCRAWL_FLUSH_INTERVAL=0.2"),
                            cwd=REPO, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None and _posts(database) < 5:
            time.sleep(0.05)
        assert proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        live.stop()
    forumcrawl = str(Path(sys.executable).with_name("forumcrawl"))
    out = subprocess.run([forumcrawl, "stats", "--database", database, "--format", "json"], env=_env(),
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    runs = json.loads(out.stdout)["runs"]
    assert [r["status"] for r in runs] == ["killed"]
    assert runs[0]["finished_at"]


def _posts(database: str) -> int:
    try:
        return post_row_count(database)
    except Exception:  # noqa: BLE001 - the schema may not exist yet
        return 0
