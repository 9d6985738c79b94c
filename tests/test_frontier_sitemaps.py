"""Sitemaps under a shared frontier (issue 11): read once per crawl, not once per worker.

``forumcrawl enqueue URL`` and two URL-less ``scrapy crawl generic`` workers against the
fixture forum with sitemaps on 127.0.0.1 (tests/sites/sitemapped.py) and the real Redis:
each sitemap file is fetched once in all, every listed thread stored once; a site
without a sitemap costs one ``/sitemap.xml`` 404 in all. The run's claim itself
(:class:`crawler.frontier.RunJobs`) is checked alone: one holder per run, taken over by
the re-queued start page of a dead worker, claimed afresh in a new run. A worker killed
while it fetches a sitemap file loses nothing: the file goes back to the shared queue
and the next worker reads it."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter

import pytest

from crawler.demo.forum import build_forum
from crawler.urls import canonicalize
from tests.sites import FAST, REPO, _env, norm, stored_posts
from tests.sites.sitemapped import SitemapForum

FORUMCRAWL = os.path.join(os.path.dirname(sys.executable), "forumcrawl")
SITEMAP_FILES = ["/sitemap_index.xml", "/sitemaps/threads-1.xml", "/sitemaps/threads-2.xml.gz"]


def _crawl(live: SitemapForum, redis_url: str, tmp_path, workers: int = 2,
           before=None) -> tuple[str, list[str]]:
    """Enqueue the site, run ``workers`` workers to the end; the database URL and their logs.
    ``before(start)``, if given, runs first with a function starting one worker (killed by the test)."""
    import redis

    key = f"fctest:{uuid.uuid4().hex[:10]}"
    database = f"sqlite:///{tmp_path / 'shared.db'}"
    env = {**_env(), "REDIS_URL": redis_url}
    client = redis.Redis.from_url(redis_url)
    procs = []
    settings = [a for s in (*FAST, f"DATABASE_URL={database}", f"FRONTIER_KEY={key}", "FRONTIER_HEARTBEAT=0.5",
                            "FRONTIER_WORKER_TIMEOUT=3", "CONCURRENT_REQUESTS=2") for a in ("-s", s)]

    def start(log) -> subprocess.Popen:
        procs.append(subprocess.Popen([sys.executable, "-m", "scrapy", "crawl", "generic", *settings], cwd=REPO,
                                      env=env, stdout=subprocess.DEVNULL, stderr=open(log, "wb")))
        return procs[-1]

    try:
        enqueue = subprocess.run([FORUMCRAWL, "enqueue", "--key", key, live.url], cwd=REPO, env=env,
                                 capture_output=True, text=True, timeout=60)
        assert enqueue.returncode == 0, enqueue.stderr
        if before is not None:
            before(lambda: start(tmp_path / "killed.log"))
        logs = [tmp_path / f"w{i}.log" for i in range(workers)]
        procs = [start(log) for log in logs]
        deadline = time.monotonic() + 120
        while any(p.poll() is None for p in procs):
            assert time.monotonic() < deadline, [log.read_text()[-2000:] for log in logs]
            time.sleep(0.3)
        texts = [log.read_text() for log in logs]
        assert [p.returncode for p in procs] == [0] * workers, [t[-3000:] for t in texts]
        assert not any("Traceback" in t for t in texts), [t[t.find("Traceback"):][:3000] for t in texts]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        for k in client.scan_iter(match=f"{key}*"):
            client.delete(k)
    return database, texts


def _threads_without_reply_count(database: str) -> list[str]:
    import sqlalchemy as sa

    engine = sa.create_engine(database)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text("select url from threads where replies is null")).scalars())
    finally:
        engine.dispose()


@pytest.mark.redis
@pytest.mark.slow
def test_two_workers_read_an_index_of_sitemaps_once(redis_url, tmp_path) -> None:
    live = SitemapForum(build_forum(seed=11, threads_per_board=5), style="index")
    try:
        database, texts = _crawl(live, redis_url, tmp_path)
        hits = Counter(live.hits)
        expected = live.expected_posts()
        stored = stored_posts(database, live.server.url)
        threads = {canonicalize(u) for u in live.thread_urls(pages=True)}
        uncounted = _threads_without_reply_count(database)
    finally:
        live.stop()
    assert [hits[f] for f in SITEMAP_FILES] == [1, 1, 1], hits       # each sitemap file once in all
    assert sum(t.count("this worker reads them for the whole crawl") for t in texts) == 1
    assert all("no worker holds work: finishing" in t for t in texts)
    # every listed thread (and every other page: listings, later thread pages) fetched once
    pages = Counter({p: n for p, n in hits.items() if p != "/robots.txt" and p not in SITEMAP_FILES})
    assert max(pages.values()) == 1, [p for p, n in pages.items() if n > 1]
    assert {canonicalize(live.server.url + p) for p in pages} >= threads
    # threads keep their listing entry's reply count (the sitemaps come after the links): only
    # the Discuz!-like board, whose listing shows none, has threads without one (as in one process)
    assert uncounted and all("/bbs/" in u for u in uncounted), uncounted
    # each post stored once, at its place
    got = Counter((p["thread_url"], p["position"]) for p in stored)
    assert max(got.values()) == 1
    assert {k: (p["author"], norm(p["text"])) for p in stored for k in [(p["thread_url"], p["position"])]} == \
        {(canonicalize(e["thread_url"]), e["position"]): (e["author"], e["text"]) for e in expected}


@pytest.mark.redis
@pytest.mark.slow
def test_two_workers_probe_a_site_without_a_sitemap_once(redis_url, tmp_path) -> None:
    live = SitemapForum(build_forum(seed=11, threads_per_board=5), style="none")
    try:
        database, _ = _crawl(live, redis_url, tmp_path)
        hits = Counter(live.hits)
        rows = len(stored_posts(database, live.server.url))
    finally:
        live.stop()
    assert hits["/sitemap.xml"] == 1, hits
    assert rows == len(live.expected_posts())


class SlowSitemap(SitemapForum):
    """The fixture forum whose ``slow`` sitemap answers its first request only once released."""

    def __init__(self, *args, slow: str, **kwargs) -> None:
        self.slow, self.asked, self.release, self.slow_requests = slow, threading.Event(), threading.Event(), 0
        super().__init__(*args, **kwargs)

    def _route(self, path: str):
        if path == self.slow:
            self.slow_requests += 1
            if not self.asked.is_set():
                self.asked.set()
                self.release.wait(60)  # (the worker that asked is killed meanwhile)
        return super()._route(path)


@pytest.mark.redis
@pytest.mark.slow
def test_a_worker_killed_while_reading_a_sitemap_loses_none_of_it(redis_url, tmp_path) -> None:
    live = SlowSitemap(build_forum(seed=11, threads_per_board=5), style="index", slow="/sitemaps/threads-1.xml")

    def kill_while_reading(start) -> None:
        doomed = start()
        assert live.asked.wait(60), "the sitemap was never requested"
        doomed.send_signal(signal.SIGKILL)  # mid-read: no chance to give its work back
        doomed.wait()

    try:
        database, texts = _crawl(live, redis_url, tmp_path, workers=1, before=kill_while_reading)
        live.release.set()
        expected = live.expected_posts()
        stored = stored_posts(database, live.server.url)
    finally:
        live.release.set()
        live.stop()
    # the next worker re-queued the dead worker's sitemap request and read the sitemap itself
    assert "Re-queued" in texts[0] and live.slow_requests == 2
    assert int(re.search(r"'forumcrawl/sitemap/urls_seen': (\d+)", texts[0]).group(1)) >= 12, texts[0][-3000:]
    got = Counter((p["thread_url"], p["position"]) for p in stored)
    assert max(got.values()) == 1 and len(got) == len(expected)


@pytest.mark.redis
def test_run_jobs_are_claimed_once_per_run(redis_url) -> None:
    import redis

    from crawler.frontier import ReliableQueue, RunJobs
    from crawler.frontier.scheduler import mark_epoch

    class _Spider:
        name = "jobs-test"

    client = redis.Redis.from_url(redis_url)
    key = f"fctest:{uuid.uuid4().hex[:10]}"
    jobs = RunJobs(client, key)
    try:
        mark_epoch(client, key)
        job = "sitemaps http://127.0.0.1:8001"
        assert jobs.claim(job, "start-page-of-worker-a")
        assert not jobs.claim(job, "start-page-of-worker-b")  # another worker's start page
        assert jobs.holder(job) == "start-page-of-worker-a"
        # worker a died: its start page was re-queued with the same id, the next worker takes over
        assert jobs.claim(job, "start-page-of-worker-a")
        assert jobs.claim("sitemaps http://127.0.0.1:8002", "start-page-of-worker-b")  # another site
        # a new crawl of the frontier (enqueue --reset) claims afresh, and the reset removes the claims
        ReliableQueue(client, _Spider(), key, worker_id="test").clear()
        assert not list(client.scan_iter(match=f"{key}:jobs:*"))
        mark_epoch(client, key)
        assert jobs.claim(job, "start-page-of-worker-b")
    finally:
        for k in client.scan_iter(match=f"{key}*"):
            client.delete(k)
