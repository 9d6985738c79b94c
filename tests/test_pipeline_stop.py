"""A second Ctrl-C ends a crawl at once, even while the store's writer thread is busy
(before: the interpreter waited for that thread for ever); the run it leaves
``running`` is then reported as ``killed``."""
from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.demo.forum import build_forum
from tests.sites import LiveForum, _env, post_row_count

pytestmark = pytest.mark.slow
FORUMCRAWL = str(Path(sys.executable).with_name("forumcrawl"))


@pytest.mark.parametrize("writer", ["idle", "blocked on a locked database"])
def test_second_ctrl_c_exits_at_once(tmp_path, writer):
    path = tmp_path / "c.db"
    database = f"sqlite:///{path}"
    live = LiveForum(build_forum(seed=4, threads_per_board=40), delay=0.2)  # long enough to interrupt
    log = (tmp_path / "crawl.log").open("w")
    proc = subprocess.Popen([FORUMCRAWL, "crawl", live.url, "--database", database, "-s", "FORUMCRAWL_FLUSH_INTERVAL=0.3",
                             "-s", "FORUMCRAWL_BATCH_SIZE=10"], cwd=tmp_path, env=_env(), stdout=subprocess.DEVNULL,
                            stderr=log)
    lock = None
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None and _posts(database) < 10:
            time.sleep(0.05)
        assert proc.poll() is None, (tmp_path / "crawl.log").read_text()[-2000:]
        if writer != "idle":    # the next batch waits for this lock (SQLite busy timeout, then retries)
            lock = sqlite3.connect(path, timeout=30, isolation_level=None)
            lock.execute("BEGIN IMMEDIATE")
            time.sleep(1.5)
        proc.send_signal(signal.SIGINT)
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)     # a hang detector: before the fix it never returned
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if lock is not None:
            lock.close()
        log.close()
        live.stop()
    log_text = (tmp_path / "crawl.log").read_text()
    assert "forcing unclean shutdown" in log_text
    assert log_text.rstrip().splitlines()[-1].startswith("forumcrawl crawl: interrupted before the end")
    stats = subprocess.run([FORUMCRAWL, "stats", "--database", database, "--format", "json"], env=_env(),
                           capture_output=True, text=True, timeout=60)
    assert stats.returncode == 0, stats.stderr
    assert [r["status"] for r in json.loads(stats.stdout)["runs"]] == ["killed"]


def _posts(database: str) -> int:
    try:
        return post_row_count(database)
    except Exception:  # noqa: BLE001 - the schema may not exist yet
        return 0
