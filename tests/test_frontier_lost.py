"""Issue 10, item 5: a Redis that restarts empty mid-crawl (no persistence) must not end the
crawl as "finished" with part of the site.

A ``forumcrawl crawl URL`` worker on the shared frontier crawls a generated forum served slowly;
once it has committed posts, every key of its frontier is deleted at once - what a Redis
restarted without persistence (or flushed) shows the worker. Before the run epoch, the worker
found the queue empty, logged "finishing", exited 0 and recorded the run ``finished``. Now it
reports the loss in one error line and stops with close reason ``frontier_lost``: exit 1, run
not ``finished``.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid

import pytest
import redis

from crawler.demo.forum import build_forum
from tests.sites import FAST, REPO, LiveForum, last_run_stats, stored_posts

pytestmark = [pytest.mark.redis, pytest.mark.slow]


def committed(log: str) -> int:
    found = re.findall(r"(\d+) posts committed", log)
    return int(found[-1]) if found else 0


def test_a_frontier_that_comes_back_empty_fails_the_run(redis_url, sqlite_url, tmp_path):
    key = f"fctest:{uuid.uuid4().hex[:10]}"
    client = redis.Redis.from_url(redis_url)
    forum = build_forum(seed=5, threads_per_board=12)
    forum.posts_per_page = 2
    live = LiveForum(forum, delay=0.02)
    env = {**{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FORUMCRAWL_DATABASE_URL")},
           "REDIS_URL": redis_url, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    settings = [a for s in (*FAST, f"FRONTIER_KEY={key}", "FRONTIER_HEARTBEAT=0.5", "CONCURRENT_REQUESTS=2")
                for a in ("-s", s)]
    log = tmp_path / "worker.log"
    cmd = [os.path.join(os.path.dirname(sys.executable), "forumcrawl"), "crawl", live.url,
           "--database", sqlite_url, *settings]
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=open(log, "wb"))
    try:
        deadline = time.monotonic() + 90
        while committed(log.read_text()) == 0:
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.05)
        assert client.exists(f"{key}:epoch")  # the run has its epoch
        queued_then = client.zcard(f"{key}:queue")
        # Redis "restarts empty": every key of this frontier gone in one transaction.
        gone = list(client.scan_iter(match=f"{key}:*"))
        client.delete(*gone)
        code = proc.wait(timeout=120)
        text = log.read_text()
        posts = stored_posts(sqlite_url, live.server.url)
        run = last_run_stats(sqlite_url)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        live.stop()
        for k in client.scan_iter(match=f"{key}*"):
            client.delete(k)

    assert queued_then > 0  # the crawl had work left when its frontier vanished
    assert len(posts) < len(live.expected_posts())  # (so "finished" would have been a lie)
    assert code == 1, text[-3000:]
    lost = [line for line in text.splitlines() if "was lost" in line]
    assert len(lost) == 1 and "ERROR" in lost[0], lost  # one loud line
    assert "no worker holds work: finishing" not in text
    assert "'frontier_lost'" in text  # forumcrawl crawl's closing line names the reason
    assert run["finish_reason"] == "frontier_lost" and run["run_status"] == "failed", run
    assert run.get("frontier/lost") == 1


def test_two_workers_both_fail_when_redis_restarts_empty(sqlite_url, tmp_path):
    """The issue's own case: a Redis without persistence killed and started again mid-crawl.
    Both workers ride out the outage, then find the frontier's epoch gone; before, they
    logged "resuming", found the frontier empty and recorded ``finished``."""
    import shutil

    from tests.frontier_support import free_port

    exe = shutil.which("redis-server")
    if exe is None:
        pytest.skip("redis-server not installed")
    port = free_port()

    def start_redis() -> subprocess.Popen:
        proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path),
                                 "--appendonly", "no", "--save", ""],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=port)
        for _ in range(200):
            try:
                client.ping()
                return proc
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    server = start_redis()
    forum = build_forum(seed=7, threads_per_board=12)
    forum.posts_per_page = 2
    live = LiveForum(forum, delay=0.02)
    env = {**{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FORUMCRAWL_DATABASE_URL")},
           "REDIS_URL": f"redis://127.0.0.1:{port}/0", "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    settings = [a for s in (*FAST, "FRONTIER_HEARTBEAT=0.5", "CONCURRENT_REQUESTS=2") for a in ("-s", s)]
    logs = [tmp_path / f"worker{i}.log" for i in range(2)]
    cmd = [os.path.join(os.path.dirname(sys.executable), "forumcrawl"), "crawl", live.url,
           "--database", sqlite_url, *settings]
    procs = [subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=open(log, "wb"))
             for log in logs]
    try:
        deadline = time.monotonic() + 90
        while sum(committed(log.read_text()) for log in logs) == 0:
            assert all(p.poll() is None for p in procs) and time.monotonic() < deadline, \
                [log.read_text()[-2000:] for log in logs]
            time.sleep(0.05)
        server.kill()
        server.wait()
        time.sleep(2)  # both workers see the outage
        server = start_redis()  # empty: no persistence
        codes = [p.wait(timeout=120) for p in procs]
        texts = [log.read_text() for log in logs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        server.kill()
        server.wait()
        live.stop()

    assert codes == [1, 1], [t[-3000:] for t in texts]
    for text in texts:
        assert "Redis unreachable" in text  # the outage was seen...
        assert sum("was lost: its run epoch is gone" in line for line in text.splitlines()) == 1  # ...then the loss
        assert "no worker holds work: finishing" not in text
        assert "Closing spider (frontier_lost)" in text
