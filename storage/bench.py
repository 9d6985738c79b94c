"""Write and search speed of the store at a chosen size: ``python -m storage.bench --posts N [--database URL]``.

Writes N synthetic forum posts (Chinese and English, ~450 characters, words
drawn from a Zipf-like vocabulary, so terms range from "in most posts" to
"in one post in a thousand"), unless the database already holds exactly that
archive (build it once, e.g. in a file under /tmp, and rerun the searches as
often as needed). Then runs every query of the search set (rare, medium and
common terms, English and Chinese, with and without --site/--author/--since,
in thread and newest-first order, 50 posts per page) several times and prints
p50/p95 per query and over all, the archive's size and the write figures.
Prints figures; asserts nothing. A throw-away SQLite file unless --database.
"""
from __future__ import annotations

import argparse
import itertools
import random
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

from .models import Post, Site
from .query import posts as query_posts
from .store import Store

SITES = [f"http://bench{n}.test" for n in range(4)]
AUTHORS = 500
# words placed at fixed ranks of the Zipf vocabulary (rank 1 is in nearly every post)
PLACED = {1: "weather", 2: "天气", 4: "crawler", 6: "数据库", 12: "forum", 25: "论坛",
          300: "harbour", 400: "温度", 3000: "lighthouse", 5000: "气象站"}
RARE_EVERY = 1000  # one post in RARE_EVERY carries the rare phrase below
RARE = " 罕见的独角兽 unicorn"
VOCABULARY = 20000
START = datetime(2022, 1, 1, tzinfo=timezone.utc)
SEARCHES = ("罕见", "独角兽", "unicorn", "lighthouse", "气象站", "harbour", "温度", "天气", "数据库",
            "weather crawler", "wea", "温度 harbour", "天气预报")


def vocabulary(seed: int) -> list[str]:
    """VOCABULARY made-up words, English-like and Chinese (two or three characters), with PLACED at their ranks."""
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ren", "tor", "va", "sel", "qua", "dri", "ne", "po", "zu", "bel", "fin"]
    words, seen = [], set(PLACED.values())
    while len(words) < VOCABULARY:
        rank = len(words) + 1
        if rank in PLACED:
            words.append(PLACED[rank])
            continue
        if rng.random() < 0.5:
            word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        else:
            word = "".join(chr(rng.randint(0x4E00, 0x62FF)) for _ in range(rng.choice((2, 2, 3))))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def synthetic(posts: int, per_thread: int = 40, seed: int = 1) -> Iterator[tuple[dict, list[dict]]]:
    """(thread item, its post items) of the bench sites, deterministic for a seed; streamed."""
    rng = random.Random(seed)
    words = vocabulary(seed)
    weights = list(itertools.accumulate(1 / rank for rank in range(1, VOCABULARY + 1)))
    made = 0
    for t in itertools.count():
        if made >= posts:
            return
        site = SITES[t % len(SITES)]
        url = f"{site}/thread/{t}"
        began = START + timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))
        thread = {"site": site, "thread_url": url, "page_url": url, "page_number": 1,
                  "title": f"Thread {t} {rng.choice(words[:100])}", "status": 200,
                  "fetched_at": "2025-01-01T00:00:00Z"}
        items = []
        for p in range(1, min(per_thread, posts - made) + 1):
            made += 1
            text = " ".join(rng.choices(words, cum_weights=weights, k=rng.randint(60, 120)))
            if made % RARE_EVERY == 0:
                text += RARE
            published = began + timedelta(minutes=37 * p)
            items.append({
                "site": site, "thread_url": url, "thread_title": thread["title"], "page_url": url,
                "page_number": 1, "position": p, "floor": p, "post_id": f"{t}-{p}",
                "author": f"user{rng.randrange(AUTHORS)}", "published": published.isoformat(),
                "published_raw": "x", "text": text, "html": f"<p>{text}</p>", "quotes": [], "language": "zh",
            })
        yield thread, items


def write_archive(store: Store, posts: int, per_thread: int, batch: int) -> tuple[float, float]:
    """(wall, CPU) seconds to write the synthetic archive in batches of about ``batch`` posts."""
    start, cpu = time.perf_counter(), time.process_time()
    pending_t, pending_p = [], []
    for thread, items in synthetic(posts, per_thread):
        pending_t.append(thread)
        pending_p.extend(items)
        if len(pending_p) >= batch:
            store.write_batch(pending_t, pending_p)
            pending_t, pending_p = [], []
    if pending_t:
        store.write_batch(pending_t, pending_p)
    return time.perf_counter() - start, time.process_time() - cpu


def copy_archive(store: Store, source_url: str) -> float:
    """Copy a SQLite bench archive into an empty PostgreSQL store with COPY; seconds taken.

    Building a million posts through write_batch on a loaded 2-core machine takes
    an hour on PostgreSQL; the search figures need the archive, not the writes
    (those are measured at smaller sizes). The search indexes are built after
    the load, from the same tokens the Store writes (storage.searchindex).
    """
    from .searchindex import index_tokens

    start = time.perf_counter()
    source = sa.create_engine(source_url)
    tables = {"sites": ("id", "key", "first_seen", "last_seen"),
              "threads": ("id", "site_id", "url", "title", "first_seen", "last_seen", "pages"),
              "posts": ("id", "post_key", "site_id", "thread_id", "page_url", "page_number", "position", "floor",
                        "post_id", "author", "published", "published_offset", "published_raw", "text", "html",
                        "quotes", "language", "content_hash", "first_seen", "last_seen")}
    with source.connect() as src, store.engine.begin() as dst:
        raw = dst.connection.driver_connection
        with raw.cursor() as cur:
            cur.execute("SET TIME ZONE 'UTC'")
            cur.execute("DROP INDEX IF EXISTS ix_posts_terms")
            cur.execute("DROP INDEX IF EXISTS ix_posts_text_trgm")
            for table, columns in tables.items():
                rows = src.exec_driver_sql(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id")
                with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            rows = src.exec_driver_sql("SELECT id, text FROM posts ORDER BY id")
            with cur.copy("COPY posts_terms (post_id, terms) FROM STDIN") as copy:
                for post_id, text in rows:
                    tokens = index_tokens(text)
                    if tokens:
                        lexemes = " ".join("'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in tokens)
                        copy.write_row((post_id, lexemes))
            for table in tables:
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            cur.execute("CREATE INDEX ix_posts_terms ON posts_terms USING gin (terms)")
            cur.execute("CREATE INDEX IF NOT EXISTS ix_posts_text_trgm ON posts USING gin (text gin_trgm_ops)")
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    source.dispose()
    return time.perf_counter() - start


def stored_posts(store: Store) -> int:
    """Posts of the bench sites already in the database."""
    with store.engine.connect() as conn:
        query = sa.select(sa.func.count()).select_from(Post).join(Site, Site.id == Post.site_id)
        return int(conn.execute(query.where(Site.key.in_(SITES))).scalar_one())


def archive_bytes(store: Store) -> int:
    """Size of the database on disk (SQLite file with its WAL; PostgreSQL database)."""
    with store.engine.connect() as conn:
        if store.dialect == "postgresql":
            return int(conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar_one())
    path = Path(store.engine.url.database)
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


def queries(recent: str) -> list[tuple[str, dict]]:
    """(label, filters) of every benchmark query."""
    filters = {"": {}, "--site": {"site": SITES[1]}, "--author": {"author": "user7"},
               "--since": {"since": recent}}
    found = []
    for term in SEARCHES:
        for name, extra in filters.items():
            for order in ("thread", "newest"):
                found.append((f"{term} {name} {order}".replace("  ", " "), {"search": term, **extra, "order": order}))
    return found


def time_queries(store: Store, repeat: int) -> list[tuple[str, list[float], list[float], int]]:
    """(label, wall ms per run, this process's CPU ms per run, hits) per query; the first run warms the cache.

    On SQLite the whole query runs in this process, so its CPU time is the query's
    cost without the waits a shared machine adds; on PostgreSQL the server's share is not in it.
    """
    recent = (START + timedelta(days=3 * 365 - 60)).date().isoformat()
    results = []
    for label, filters in queries(recent):
        times, cpu, hits = [], [], 0
        for _ in range(repeat + 1):
            start, cpu_start = time.perf_counter(), time.process_time()
            hits = len(query_posts(store, limit=50, **filters))
            times.append(1000 * (time.perf_counter() - start))
            cpu.append(1000 * (time.process_time() - cpu_start))
        results.append((label, times[1:], cpu[1:], hits))
    return results


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="SQLAlchemy URL (default: a temporary SQLite file)")
    parser.add_argument("--posts", type=int, default=20000, help="archive size in posts (default 20,000)")
    parser.add_argument("--per-thread", type=int, default=40)
    parser.add_argument("--batch", type=int, default=500, help="posts per write_batch")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per query (after one warm-up)")
    parser.add_argument("--no-search", action="store_true", help="only build (or check) the archive")
    parser.add_argument("--rewrite", action="store_true", help="after writing, write everything again unchanged (a re-crawl)")
    parser.add_argument("--copy-from", metavar="SQLITE_URL",
                        help="PostgreSQL only: load the archive from a SQLite bench archive (COPY) instead of writing it")
    args = parser.parse_args(argv)
    if args.posts < 1:
        parser.error("--posts must be at least 1")
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'bench.db'}"
        with Store(url) as store:
            have = stored_posts(store)
            shown = store.engine.url.render_as_string(hide_password=True)
            if have == 0 and args.copy_from:
                if store.dialect != "postgresql":
                    parser.exit(2, "--copy-from loads a PostgreSQL database\n")
                print(f"copied {args.copy_from} in {copy_archive(store, args.copy_from):.0f} s")
                have = stored_posts(store)
                if have != args.posts:
                    parser.exit(2, f"the copied archive has {have} posts, not {args.posts}\n")
            elif have == 0:
                wall, cpu = write_archive(store, args.posts, args.per_thread, args.batch)
                print(f"wrote {args.posts} posts in {wall:.0f} s ({args.posts / wall:.0f} posts/s wall, "
                      f"{args.posts / cpu:.0f} per CPU-second of this process)")
                if args.rewrite:
                    wall, cpu = write_archive(store, args.posts, args.per_thread, args.batch)
                    print(f"re-wrote them unchanged in {wall:.1f} s ({args.posts / wall:.0f} posts/s wall, "
                          f"{args.posts / cpu:.0f} per CPU-second of this process)")
            elif have != args.posts:
                parser.exit(2, f"{shown} holds {have} bench posts, not {args.posts}: use another database\n")
            else:
                print(f"reusing the archive of {have} posts")
            print(f"database: {shown}  posts: {args.posts}  size on disk: {archive_bytes(store) / 2**20:.0f} MiB")
            if args.no_search:
                return 0
            results = time_queries(store, args.repeat)
        every = [t for _, times, _, _ in results for t in times]
        cpu = [t for _, _, times, _ in results for t in times]
        print(f"{len(results)} queries x {args.repeat} runs: wall p50 {percentile(every, 0.5):.1f} ms, "
              f"p95 {percentile(every, 0.95):.1f} ms, max {max(every):.1f} ms; this process's CPU "
              f"p50 {percentile(cpu, 0.5):.1f} ms, p95 {percentile(cpu, 0.95):.1f} ms, max {max(cpu):.1f} ms")
        print(f"{'query':40} {'p50 ms':>8} {'p95 ms':>8} {'CPU p50':>8} {'hits':>5}")
        for label, times, cpu_times, hits in results:
            print(f"{label:40} {percentile(times, 0.5):8.1f} {percentile(times, 0.95):8.1f} "
                  f"{percentile(cpu_times, 0.5):8.1f} {hits:5}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
