"""``scrapy crawl generic`` without a start URL under a shared frontier: two workers
wait on an empty frontier, ``forumcrawl enqueue URL`` seeds it, and between them
they crawl the fixture forum: every page fetched once, every post stored once."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections import Counter

import pytest
import redis
import sqlalchemy as sa

from crawler.demo.forum import build_forum
from crawler.urls import canonicalize
from storage import Store
from storage.models import CrawlRun
from tests.sites import FAST, REPO, LiveForum, stored_posts

@pytest.mark.redis
@pytest.mark.slow
def test_two_workers_without_url_take_work_from_enqueue(redis_url, sqlite_url, tmp_path):
    key = f"fctest:{uuid.uuid4().hex[:10]}"
    client = redis.Redis.from_url(redis_url)
    live = LiveForum(build_forum(seed=3, threads_per_board=4), delay=0.05)
    env = {**{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FORUMCRAWL_DATABASE_URL")},
           "REDIS_URL": redis_url, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    # Two requests in flight per worker, so a fast first worker cannot take the whole small forum.
    settings = [a for s in (*FAST, f"DATABASE_URL={sqlite_url}", f"FRONTIER_KEY={key}", "FRONTIER_HEARTBEAT=0.5",
                            "CONCURRENT_REQUESTS=2") for a in ("-s", s)]
    workers = []
    try:
        for i in range(2):
            workers.append(subprocess.Popen(
                [sys.executable, "-m", "scrapy", "crawl", "generic", *settings], cwd=REPO, env=env,
                stdout=subprocess.DEVNULL, stderr=open(tmp_path / f"w{i}.log", "wb")))
        logs = [tmp_path / f"w{i}.log" for i in range(2)]
        deadline = time.monotonic() + 60
        while not all("waiting for `forumcrawl enqueue URL`" in p.read_text() for p in logs):
            assert time.monotonic() < deadline and all(w.poll() is None for w in workers), \
                [p.read_text()[-2000:] for p in logs]
            time.sleep(0.2)
        enqueue = subprocess.run([os.path.join(os.path.dirname(sys.executable), "forumcrawl"), "enqueue", "--key", key, live.url],
                                 cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
        assert enqueue.returncode == 0 and "queued 1 of 1" in enqueue.stdout, enqueue.stdout + enqueue.stderr
        codes = [w.wait(timeout=120) for w in workers]
        texts = [p.read_text() for p in logs]
        expected = {(canonicalize(p["thread_url"]), p["position"]) for p in live.expected_posts()}
        posts = stored_posts(sqlite_url, live.server.url)
        with Store(sqlite_url) as store, store.engine.connect() as conn:
            runs = conn.execute(sa.select(CrawlRun.site, CrawlRun.status)).all()
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
        live.stop()
        for k in client.scan_iter(match=f"{key}*"):
            client.delete(k)
    assert codes == [0, 0], [t[-3000:] for t in texts]
    assert all("no worker holds work: finishing" in t for t in texts)
    # Both workers took part, and neither fetched what the other did.
    assert all("'forumcrawl/pages'" in t for t in texts)
    hits = Counter(h for h in live.server.hits if not h.startswith("/robots.txt"))
    assert hits and max(hits.values()) == 1, [h for h, c in hits.items() if c > 1]
    # Site and host came from the responses: every post of the forum, once, at its position.
    stored = [(p["thread_url"], p["position"]) for p in posts]
    assert len(stored) == len(set(stored)) and set(stored) == expected
    assert sorted(runs) == [(live.server.url, "finished")] * 2  # each worker's run names the site it crawled


def test_a_run_learns_its_site_at_the_end(database_url):
    with Store(database_url) as store:
        run = store.start_run("", {})
        store.finish_run(run, stats={"x": 1}, site="http://forum.test")
        kept = store.start_run("http://a.test", {})
        store.finish_run(kept, status="failed")
        with store.engine.connect() as conn:
            rows = dict(conn.execute(sa.select(CrawlRun.id, CrawlRun.site)).all())
    assert rows == {run: "http://forum.test", kept: "http://a.test"}
