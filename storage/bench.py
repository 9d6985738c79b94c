"""Write and search throughput of the store: ``python -m storage.bench [--database URL]``.

Writes synthetic forum posts (mixed Chinese and English, ~600 characters each)
in batches, re-writes them unchanged (a re-crawl), and times searches: rare
terms (1% of posts; 2-character Chinese, 3-character Chinese, English) and
common ones (in nearly every post, the worst case). Prints
figures; asserts nothing. Uses a throw-away SQLite file unless --database is given.
"""
from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from .query import posts as query_posts
from .store import Store

WORDS_EN = "forum thread reply crawler python weather london database search storage posts quoted edit".split()
WORDS_ZH = ["天气", "论坛", "爬虫", "数据库", "北京", "上海", "回复", "帖子", "搜索", "今天", "明天", "公园"]


def synthetic(threads: int, per_thread: int, seed: int = 1):
    """(thread items, post items) of a fake site, deterministic for a seed."""
    rng = random.Random(seed)
    site = "http://bench.test"
    thread_items, post_items = [], []
    for t in range(threads):
        url = f"{site}/thread/{t}"
        thread_items.append({"site": site, "thread_url": url, "page_url": url, "page_number": 1,
                             "title": f"Thread {t} {rng.choice(WORDS_ZH)}", "status": 200,
                             "fetched_at": "2024-05-01T00:00:00Z"})
        for p in range(1, per_thread + 1):
            words = [rng.choice(WORDS_EN + WORDS_ZH) for _ in range(120)]
            text = " ".join(words)
            if (t * per_thread + p) % 100 == 0:  # 1% of posts carry rare words, for selective searches
                text += " 罕见的独角兽 unicorn"
            post_items.append({
                "site": site, "thread_url": url, "thread_title": f"Thread {t}", "page_url": url,
                "page_number": 1, "position": p, "floor": p, "post_id": f"{t}-{p}", "author": f"user{p % 50}",
                "published": f"2024-05-{1 + p % 28:02d}T10:{p % 60:02d}:00+08:00", "published_raw": "x",
                "text": text, "html": f"<p>{text}</p>", "quotes": [], "language": "zh",
            })
    return thread_items, post_items


def timed_writes(store: Store, thread_items, post_items, batch: int) -> tuple[float, float]:
    """(wall, CPU) seconds to write everything in batches of ``batch`` posts (threads go with their posts).

    CPU time of this process is printed too: on a shared machine wall time
    mostly measures the neighbours.
    """
    by_thread: dict[str, list] = {}
    for post in post_items:
        by_thread.setdefault(post["thread_url"], []).append(post)
    start, cpu = time.perf_counter(), time.process_time()
    pending_t, pending_p = [], []
    for thread in thread_items:
        pending_t.append(thread)
        pending_p.extend(by_thread.get(thread["thread_url"], []))
        if len(pending_p) >= batch:
            store.write_batch(pending_t, pending_p)
            pending_t, pending_p = [], []
    if pending_t or pending_p:
        store.write_batch(pending_t, pending_p)
    return time.perf_counter() - start, time.process_time() - cpu


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="SQLAlchemy URL (default: a temporary SQLite file)")
    parser.add_argument("--threads", type=int, default=500)
    parser.add_argument("--per-thread", type=int, default=40)
    parser.add_argument("--batch", type=int, default=200, help="posts per write_batch")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'bench.db'}"
        with Store(url) as store:
            thread_items, post_items = synthetic(args.threads, args.per_thread)
            n = len(post_items)
            first = timed_writes(store, thread_items, post_items, args.batch)
            again = timed_writes(store, thread_items, post_items, args.batch)
            print(f"database: {store.engine.url.render_as_string(hide_password=True)}  "
                  f"posts: {n}  batch: {args.batch}")
            for label, (wall, cpu) in (("insert", first), ("re-write unchanged", again)):
                print(f"{label:19} {n / wall:7.0f} posts/s wall ({wall:.2f} s); "
                      f"{n / cpu:7.0f} posts/s of this process's CPU ({cpu:.2f} s)")
            for term in ("罕见", "独角兽", "unicorn", "天气", "数据库", "weather crawler"):
                start = time.perf_counter()
                found = query_posts(store, search=term, limit=50)
                print(f"search {term!r:18} {1000 * (time.perf_counter() - start):7.1f} ms ({len(found)} hits, limit 50)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
