"""Sitemaps under a shared frontier: GETs per path, one process against N workers.

    .venv/bin/python bench/shared_sitemaps.py [--workers 2] [--redis redis://127.0.0.1:6379/15] [--recrawl]

Serves the fixture forum with sitemaps (tests/sites/sitemapped.py: ``index``, robots.txt
naming an index of two sitemaps, one gzip; ``none``, no sitemap). For each style, it runs one
crawl in one process, then N ``scrapy crawl generic`` workers sharing a fresh frontier key
(``forumcrawl enqueue URL``), with sitemaps and with ``FORUMCRAWL_SITEMAPS=0``. For each run
it prints the GETs of robots.txt, of each sitemap file, of thread pages and of other pages
(listings), the duplicate GETs, and the posts stored.

With ``--recrawl`` it also runs incremental re-crawls under a shared frontier: N workers,
each given ``-a url=`` (so each knows the store's threads), with a fresh key per run. First a
crawl, then a re-crawl of the unchanged site, then a re-crawl after one thread got a reply.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import datetime
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.demo.forum import build_forum  # noqa: E402
from crawler.urls import canonicalize  # noqa: E402
from tests.sites import FAST, REPO, _env, run_crawl, stored_posts  # noqa: E402
from tests.sites.sitemapped import SitemapForum  # noqa: E402

FORUMCRAWL = os.path.join(os.path.dirname(sys.executable), "forumcrawl")


def workers(live: SitemapForum, database: str, n: int, redis_url: str, logs: Path, *settings: str,
            per_worker_url: bool = False) -> float:
    """N workers over a fresh frontier key to the end; the wall time."""
    key = f"fcbench:{uuid.uuid4().hex[:8]}"
    env = {**_env(), "REDIS_URL": redis_url}
    if not per_worker_url:
        subprocess.run([FORUMCRAWL, "enqueue", "--key", key, live.url], env=env, cwd=REPO, check=True,
                       capture_output=True)
    args = ["-a", f"url={live.url}"] if per_worker_url else []
    opts = [a for s in (*FAST, f"DATABASE_URL={database}", f"FRONTIER_KEY={key}", "FRONTIER_HEARTBEAT=0.5",
                        "CONCURRENT_REQUESTS=2", *settings) for a in ("-s", s)]
    started = time.monotonic()
    procs = [subprocess.Popen([sys.executable, "-m", "scrapy", "crawl", "generic", *args, *opts], cwd=REPO, env=env,
                              stdout=subprocess.DEVNULL, stderr=open(logs / f"{key[-8:]}-{i}.log", "wb"))
             for i in range(n)]
    codes = [p.wait() for p in procs]
    elapsed = time.monotonic() - started
    client = redis.Redis.from_url(redis_url)
    for k in client.scan_iter(match=f"{key}*"):
        client.delete(k)
    if codes != [0] * n:
        raise SystemExit(f"workers exited {codes}; logs in {logs}")
    return elapsed


def report(name: str, live: SitemapForum, database: str, since: int, elapsed: float) -> None:
    hits = Counter(live.hits[since:])
    base = live.server.url
    # (the crawler requests canonical URLs: query parameters sorted)
    threads = {canonicalize(u)[len(base):] for u in live.thread_urls(pages=True)}
    hits = Counter({canonicalize(base + p)[len(base):] if "?" in p else p: n for p, n in hits.items()})
    sitemaps = {p: n for p, n in sorted(hits.items()) if p.startswith("/sitemap")}
    thread_gets = sum(n for p, n in hits.items() if p in threads)
    other = sum(n for p, n in hits.items() if p not in threads and p not in sitemaps and p != "/robots.txt")
    duplicates = sum(n - 1 for p, n in hits.items() if n > 1 and p != "/robots.txt")
    posts = stored_posts(database, live.server.url)
    print(f"{name:<34} {elapsed:5.1f}s  GETs {sum(hits.values()):3d}  robots.txt {hits['/robots.txt']}  "
          f"sitemap files {sitemaps or '-'}  thread pages {thread_gets}  other pages {other}  "
          f"duplicate GETs {duplicates}  posts {len(posts)}/{len(live.expected_posts())}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--recrawl", action="store_true")
    options = parser.parse_args()
    n = options.workers
    with tempfile.TemporaryDirectory(prefix="fc-sitemaps-") as tmp:
        logs = Path(tmp)
        for style in ("index", "none"):
            for mode in ("one process", f"{n} workers", f"{n} workers, FORUMCRAWL_SITEMAPS=0"):
                live = SitemapForum(build_forum(seed=11, threads_per_board=5), style=style)
                database = f"sqlite:///{logs / uuid.uuid4().hex[:8]}.db"
                started = time.monotonic()
                try:
                    if mode == "one process":
                        run_crawl(live.url, database)
                        elapsed = time.monotonic() - started
                    else:
                        off = ("FORUMCRAWL_SITEMAPS=0",) if "=0" in mode else ()
                        elapsed = workers(live, database, n, options.redis, logs, *off)
                    report(f"{style}: {mode}", live, database, 0, elapsed)
                finally:
                    live.stop()
        if not options.recrawl:
            return
        live = SitemapForum(build_forum(seed=11, threads_per_board=5), style="index")
        database = f"sqlite:///{logs / 'recrawl.db'}"
        try:
            for step in ("first crawl", "unchanged re-crawl", "one reply re-crawl"):
                if step == "one reply re-crawl":
                    board, thread = next((b, t) for b, t in live.forum.all_threads()
                                         if b.style == "phpbb" and len(t.posts) == 10)
                    live.mutate(lambda f: f.add_reply(thread.id, "late", "A reply after the first crawl.",
                                                      datetime(2024, 6, 1, 12, 0)))
                    live.touch(thread.id)
                since = len(live.hits)
                elapsed = workers(live, database, n, options.redis, logs, per_worker_url=True)
                report(f"index, {n} workers -a url=: {step}", live, database, since, elapsed)
        finally:
            live.stop()


if __name__ == "__main__":
    main()
