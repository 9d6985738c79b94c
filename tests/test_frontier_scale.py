"""Issue 4 at scale: two, then four, URL-less ``scrapy crawl generic`` workers share one Redis
frontier, seeded by ``forumcrawl enqueue``, over one generated forum of about
900 pages on 127.0.0.1. Between them they fetch every page exactly once and
store every post exactly once at its position, in one SQLite file.

The forum is made with ``build_forum`` and small page sizes (2 posts per thread
page), so there are many short pages and many thread chains that cross workers. The
2,000-page version of this crawl, with speed figures, is ``bench/shared_frontier.py``."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from collections import Counter

import pytest
import redis

from crawler.demo.forum import build_forum, render_site
from crawler.urls import canonicalize
from tests.frontier_support import robots_report
from tests.sites import FAST, REPO, LiveForum, stored_posts

pytestmark = [pytest.mark.redis, pytest.mark.slow]

def generated_forum():
    """About 900 pages and 1,700 posts: four boards of 40 threads plus the Chinese board."""
    forum = build_forum(seed=11, threads_per_board=40)
    forum.posts_per_page = 2
    forum.threads_per_page = 25
    return forum


def responses(log: str) -> int:
    """The worker's own ``downloader/response_count`` from Scrapy's closing stats dump (0 if none)."""
    found = re.findall(r"'downloader/response_count': (\d+)", log)
    return int(found[-1]) if found else 0


@pytest.mark.parametrize("workers", [2, 4])
def test_workers_fetch_each_page_once_and_store_each_post_once(workers, redis_url, sqlite_url, tmp_path):
    key = f"fctest:{uuid.uuid4().hex[:10]}"
    client = redis.Redis.from_url(redis_url)
    live = LiveForum(generated_forum())
    # As URLs the crawler spells them (it sorts query arguments), so one page has one name.
    site_pages = {canonicalize(live.server.url + p) for p in render_site(live.forum) if p != "/robots.txt"}
    site_pages.add(canonicalize(live.server.url + "/sitemap.xml"))  # probed once in all (a 404 here)
    env = {**{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FORUMCRAWL_DATABASE_URL")},
           "REDIS_URL": redis_url, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    settings = [a for s in (*FAST, f"DATABASE_URL={sqlite_url}", f"FRONTIER_KEY={key}", "FRONTIER_HEARTBEAT=0.5",
                            "AUTOTHROTTLE_ENABLED=False", "CONCURRENT_REQUESTS=4") for a in ("-s", s)]
    logs = [tmp_path / f"w{i}.log" for i in range(workers)]
    procs = []
    try:
        for path in logs:
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "scrapy", "crawl", "generic", *settings], cwd=REPO, env=env,
                stdout=subprocess.DEVNULL, stderr=open(path, "wb")))
        # Seed only once every worker waits on the empty frontier, so all of them can take part.
        deadline = time.monotonic() + 90
        while not all("waiting for `forumcrawl enqueue URL`" in p.read_text() for p in logs):
            assert time.monotonic() < deadline and all(w.poll() is None for w in procs), \
                [p.read_text()[-2000:] for p in logs]
            time.sleep(0.2)
        enqueue = subprocess.run([os.path.join(os.path.dirname(sys.executable), "forumcrawl"), "enqueue", "--key", key,
                                  live.url], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
        assert enqueue.returncode == 0 and "queued 1 of 1" in enqueue.stdout, enqueue.stdout + enqueue.stderr
        codes = [w.wait(timeout=300) for w in procs]
        texts = [p.read_text() for p in logs]
        expected = Counter((canonicalize(p["thread_url"]), p["position"]) for p in live.expected_posts())
        posts = stored_posts(sqlite_url, live.server.url)
    finally:
        for w in procs:
            if w.poll() is None:
                w.kill()
                w.wait()
        live.stop()
        for k in client.scan_iter(match=f"{key}*"):
            client.delete(k)
    # Every worker ended by itself, cleanly, once the shared frontier was drained.
    assert codes == [0] * workers, [t[-3000:] for t in texts]
    assert all("no worker holds work: finishing" in t for t in texts)
    # Every page of the site fetched exactly once across all processes.
    hits = Counter(canonicalize(live.server.url + h) for h in live.server.hits if not h.startswith("/robots.txt"))
    assert sorted(p for p, c in hits.items() if c > 1) == []
    assert set(hits) == site_pages, (sorted(set(hits) ^ site_pages), robots_report(live.server.hits, texts))
    # Every expected post stored exactly once, at its position in its thread.
    stored = Counter((p["thread_url"], p["position"]) for p in posts)
    assert sorted(k for k, c in stored.items() if c > 1) == []
    assert set(stored) == set(expected)
    # The work was shared: every worker of two, at least three of four, fetched pages.
    assert sum(responses(t) > 0 for t in texts) >= min(workers, 3), [responses(t) for t in texts]
    print(f"{workers} workers: responses per worker {[responses(t) for t in texts]}")
