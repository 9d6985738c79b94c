"""The generic spider and store pipeline over the shared Redis frontier: two
worker processes crawl the bundled sample forum once between them, the same
pages as one process alone. The spider is wired the way crawler/frontier.py's
``apply_redis_settings`` documents (a subclass here adds the wiring).

Thread chains cross workers through the shared chain board, so every page is
fetched once and every post stored once, at the same positions as by one process."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections import Counter

import pytest
import redis
import sqlalchemy as sa

from crawler.demo import serve_bundled
from tests.frontier_support import robots_report

pytestmark = [pytest.mark.redis, pytest.mark.slow]


def crawl(tmp_path, url, db, n, extra=()):
    env = {**{k: v for k, v in os.environ.items() if k != "REDIS_URL"}, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    procs = []
    for i in range(n):
        cmd = [sys.executable, "-m", "scrapy", "crawl", "generic", "-a", f"url={url}", "-s", f"DATABASE_URL={db}",
               "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=INFO", "-s", "FORUMCRAWL_PROGRESS_INTERVAL=0", *extra]
        procs.append(subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                                      stderr=open(tmp_path / f"w{n}-{i}.log", "wb")))
    return [p.wait(timeout=180) for p in procs]


def stored(db):
    engine = sa.create_engine(db)
    with engine.connect() as conn:
        keys = conn.execute(sa.text("select post_key from posts")).scalars().all()
        runs = conn.execute(sa.text("select status from crawl_runs")).scalars().all()
    engine.dispose()
    return keys, runs


def test_two_generic_workers_crawl_the_forum_once_between_them(redis_url, tmp_path):
    key = f"fctest:{uuid.uuid4().hex[:10]}"
    client = redis.Redis.from_url(redis_url)
    alone_server, shared_server = serve_bundled(), serve_bundled()
    try:
        alone_db, shared_db = f"sqlite:///{tmp_path}/alone.db", f"sqlite:///{tmp_path}/shared.db"
        assert crawl(tmp_path, alone_server.url + "/", alone_db, 1) == [0]
        codes = crawl(tmp_path, shared_server.url + "/", shared_db, 2,
                      ("-s", f"REDIS_URL={redis_url}", "-s", f"FRONTIER_KEY={key}", "-s", "FRONTIER_HEARTBEAT=0.5"))
        logs = [(tmp_path / f"w2-{i}.log").read_text() for i in range(2)]
    finally:
        alone_server.stop()
        shared_server.stop()
        for k in client.scan_iter(match=f"{key}*"):
            client.delete(k)
    assert codes == [0, 0], logs
    assert all("no worker holds work: finishing" in log for log in logs)
    probes = ("/robots.txt", "/sitemap.xml")  # (a lone crawl looks for a sitemap; shared workers do not)
    pages = Counter(p for p in shared_server.hits if not p.startswith(probes))
    assert set(pages) == {p for p in alone_server.hits if not p.startswith(probes)}, \
        robots_report(shared_server.hits, logs)
    alone_keys, _ = stored(alone_db)
    shared_keys, runs = stored(shared_db)
    assert shared_keys and len(shared_keys) == len(set(shared_keys))  # no post stored twice
    # one run row per worker that met the site, each finished (a worker whose partner took every request
    # before it got one finishes at its first idle check without meeting the site: no row of its own)
    assert runs and len(runs) <= 2 and set(runs) == {"finished"}, runs
    expected = {k.replace(alone_server.url, shared_server.url) for k in alone_keys}
    assert set(shared_keys) <= expected
    # Thread chains are shared through Redis (crawler.frontier.ChainBoard): no page twice, no post lost.
    twice = sorted(p for p, c in pages.items() if c > 1)
    assert twice == []
    assert set(shared_keys) == expected
    assert not any("were never reached from their thread's first page" in log for log in logs)
