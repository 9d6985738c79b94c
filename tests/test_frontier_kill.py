"""Issue 4: SIGKILL one of two ``scrapy crawl generic`` workers mid-crawl; the survivor and a
restarted worker finish the crawl, and every post of the site is stored exactly once at its
position - including the posts of thread pages the killed worker held *parked* (fetched
before their thread's chain reached them) when it died.

The workers are URL-less, share one Redis frontier seeded by ``forumcrawl enqueue`` and one
SQLite file, over a generated forum of about 440 pages with two posts per thread page (many
multi-page threads, many chains crossing workers, many parked pages). The kill waits until
the victim has committed posts and holds both work in flight (``processing`` hash) and
parked thread pages (``parked`` hash): before parked pages were kept in Redis, a kill at that
moment lost those pages' posts until the next crawl (docs/scale.md, "Threads across workers").
That moment is often while the victim hands out the pages it held for its template warm-up,
claiming the next pages of their threads: until a claim and the request's entry in Redis were
one step (``ReliableQueue.claim``), a kill between them lost the rest of those threads.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter

import pytest
import redis

from crawler.demo.forum import build_forum
from crawler.urls import canonicalize
from tests.sites import FAST, REPO, LiveForum, stored_posts

pytestmark = [pytest.mark.redis, pytest.mark.slow]


class SlowFirstPages(LiveForum):
    """The first page of each multi-page thread is served slowly, so a worker that takes a
    later page of the thread from a listing's page links meanwhile parks it for a while."""

    def __init__(self, forum, first_page_delay: float, **kwargs):
        self.first_pages = {forum.thread_url(b, t) for b, t in forum.all_threads() if forum.thread_pages(t) > 1}
        self.first_page_delay = first_page_delay
        super().__init__(forum, **kwargs)

    def _route(self, path: str):
        if path in self.first_pages:
            time.sleep(self.first_page_delay)
        return super()._route(path)


def generated_forum():
    """About 440 pages and 800 posts: four boards of 20 threads plus the Chinese board."""
    forum = build_forum(seed=11, threads_per_board=20)
    forum.posts_per_page = 2
    forum.threads_per_page = 25
    return forum


def marker(post: dict) -> str:
    """The words each generated post ends with, naming its thread and its position in it."""
    return re.search(r"\(reply \d+ in topic \d+\)|（第\d+楼，帖子\d+）", post["text"]).group(0)


def committed(log: str) -> int:
    """Posts the worker has committed so far, from its latest progress line."""
    found = re.findall(r"(\d+) posts committed", log)
    return int(found[-1]) if found else 0


def worker_id(client: redis.Redis, key: str, pid: int) -> str | None:
    """The frontier worker id of process ``pid`` (``host-pid-xxxxxx``), once registered."""
    for member in client.smembers(f"{key}:workers"):
        name = member.decode()
        if f"-{pid}-" in name:
            return name
    return None


def test_killed_worker_loses_no_post_not_even_parked_pages(redis_url, sqlite_url, tmp_path):
    key = f"fctest:{uuid.uuid4().hex[:10]}"
    client = redis.Redis.from_url(redis_url)
    live = SlowFirstPages(generated_forum(), first_page_delay=0.1, delay=0.005)
    env = {**{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FORUMCRAWL_DATABASE_URL")},
           "REDIS_URL": redis_url, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    settings = [a for s in (*FAST, f"DATABASE_URL={sqlite_url}", f"FRONTIER_KEY={key}", "FRONTIER_HEARTBEAT=0.5",
                            "FRONTIER_WORKER_TIMEOUT=3", "AUTOTHROTTLE_ENABLED=False", "CONCURRENT_REQUESTS=4")
                for a in ("-s", s)]
    logs = {name: tmp_path / f"{name}.log" for name in ("victim", "survivor", "restarted")}

    def start(name: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "scrapy", "crawl", "generic", *settings], cwd=REPO,
                                env=env, stdout=subprocess.DEVNULL, stderr=open(logs[name], "wb"))

    procs: dict[str, subprocess.Popen] = {}
    started = time.monotonic()
    try:
        procs["victim"], procs["survivor"] = start("victim"), start("survivor")
        deadline = time.monotonic() + 90
        while not all("waiting for `forumcrawl enqueue URL`" in logs[n].read_text() for n in procs):
            assert time.monotonic() < deadline and all(p.poll() is None for p in procs.values()), \
                {n: logs[n].read_text()[-2000:] for n in procs}
            time.sleep(0.1)
        enqueue = subprocess.run([os.path.join(os.path.dirname(sys.executable), "forumcrawl"), "enqueue",
                                  "--key", key, live.url], cwd=REPO, env=env, capture_output=True, text=True,
                                 timeout=60)
        assert enqueue.returncode == 0 and "queued 1 of 1" in enqueue.stdout, enqueue.stdout + enqueue.stderr

        seeded_at = time.monotonic() - started
        # Kill the victim once it has stored posts and, at that instant, holds work in flight
        # and thread pages parked for their chains (parked under a URL, not just held for the template).
        victim = worker_id(client, key, procs["victim"].pid)
        assert victim is not None
        processing, parked_key = f"{key}:processing:{victim}", f"{key}:parked:{victim}"
        deadline = time.monotonic() + 60
        while True:
            assert procs["victim"].poll() is None and time.monotonic() < deadline, logs["victim"].read_text()[-3000:]
            if committed(logs["victim"].read_text()) > 0:
                parked = [v.split(b"\n", 1)[0].decode() for v in client.hvals(parked_key)]
                if any(parked) and client.hlen(processing) > 0:
                    procs["victim"].send_signal(signal.SIGKILL)
                    procs["victim"].wait()
                    break
            time.sleep(0.005)
        killed_at = time.monotonic() - started
        # What the dead worker left in Redis (nobody reaps it before FRONTIER_WORKER_TIMEOUT).
        parked_urls = sorted({v.split(b"\n", 1)[0].decode() for v in client.hvals(parked_key)} - {""})
        in_flight = client.hlen(processing)
        procs["restarted"] = start("restarted")  # a replacement joins the running crawl
        codes = {n: procs[n].wait(timeout=180) for n in ("survivor", "restarted")}
        elapsed = time.monotonic() - started
        texts = {n: p.read_text() for n, p in logs.items()}
        expected = live.expected_posts()
        posts = stored_posts(sqlite_url, live.server.url)
        leftovers = sorted(k.decode() for k in client.scan_iter(match=f"{key}:*")
                           if re.search(r":(processing|parked|alive):|:taken$|:chain$|:queue$", k.decode()))
        workers_left = client.scard(f"{key}:workers")
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.kill()
                p.wait()
        live.stop()
        for k in client.scan_iter(match=f"{key}*"):
            client.delete(k)

    # The kill hit the case this test is about: parked pages and requests in flight.
    assert parked_urls and in_flight > 0, (parked_urls, in_flight)
    # The survivor and the restarted worker ended by themselves, once the shared frontier was drained.
    assert codes == {"survivor": 0, "restarted": 0}, {n: t[-3000:] for n, t in texts.items()}
    assert all("no worker holds work: finishing" in texts[n] for n in codes)
    # Every post of the site stored exactly once, in its thread, at its position.
    stored = Counter((p["thread_url"], p["position"]) for p in posts)
    assert sorted(k for k, c in stored.items() if c > 1) == []
    want = {(canonicalize(p["thread_url"]), p["position"]): marker(p) for p in expected}
    assert set(stored) == set(want), (len(set(want) - set(stored)), sorted(set(want) - set(stored))[:5])
    wrong = [(p["thread_url"], p["position"]) for p in posts if want[(p["thread_url"], p["position"])] not in p["text"]]
    assert wrong == []
    # In particular the posts of the pages the victim held parked when it died.
    assert all(any(p["url"] == url for p in posts) for url in parked_urls), parked_urls
    # The survivor or the restarted worker re-queued the dead worker's requests, parked ones included.
    requeued = sum(int(n) for t in texts.values() for n in re.findall(r"Re-queued (\d+) requests of dead workers", t))
    assert requeued >= len(parked_urls) + in_flight
    # Nothing left behind in Redis: no queue, no worker state, no chain contexts.
    assert leftovers == [] and workers_left == 0, leftovers
    print(f"seeded at {seeded_at:.1f}s, killed at {killed_at:.1f}s holding {in_flight} requests and {len(parked_urls)} parked pages; "
          f"re-queued {requeued}; crawl done at {elapsed:.1f}s; {len(posts)} posts")
