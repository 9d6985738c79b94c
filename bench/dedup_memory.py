"""Bytes per seen URL of the shared-frontier dedup structures, on a private
redis-server (so nothing else moves ``used_memory``).

    .venv/bin/python bench/dedup_memory.py [--urls 1000000]

Compares scrapy-redis' RFPDupeFilter (a Redis set of 40-char SHA1 hex
fingerprints) with forumcrawl's CompactDupeFilter (63-bit integer fields in
bucketed listpack hashes), filled as at their design capacity, and prints the
ceiling for a 10-million-URL crawl.
"""
from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
import time
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from frontier_support import PrivateRedis  # noqa: E402

from crawler.frontier import CompactDupeFilter  # noqa: E402


def fingerprints(n: int):
    for i in range(n):
        yield hashlib.sha1(f"http://forum.example/thread-{i}.html?page={i % 7}".encode()).digest()


def used(client) -> int:
    return int(client.info("memory")["used_memory"])


def fill_set(client, n: int) -> None:
    pipe = client.pipeline(transaction=False)
    for i, fp in enumerate(fingerprints(n)):
        pipe.sadd("rfp:dupefilter", fp.hex())
        if i % 10_000 == 9_999:
            pipe.execute()
    pipe.execute()


def fill_compact(client, n: int, capacity: int) -> CompactDupeFilter:
    df = CompactDupeFilter(client, "compact", capacity=capacity)
    pipe = client.pipeline(transaction=False)
    for i, fp in enumerate(fingerprints(n)):
        key, field = df.slot_of(fp)
        pipe.hsetnx(key, field, "")
        if i % 10_000 == 9_999:
            pipe.execute()
    pipe.execute()
    return df


def measure(client, label: str, fill) -> float:
    client.flushdb()  # the private server's own database
    time.sleep(0.2)
    before = used(client)
    t0 = time.perf_counter()
    fill()
    took = time.perf_counter() - t0
    after = used(client)
    return after - before, took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=1_000_000)
    args = parser.parse_args()
    n = args.urls
    if shutil.which("redis-server") is None:
        print("redis-server not installed")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        server = PrivateRedis(Path(tmp))
        server.start()
        try:
            client = redis.Redis.from_url(server.url)
            client.config_set("appendonly", "no")
            version = client.info("server")["redis_version"]
            listpack = client.config_get("hash-max-listpack-entries")
            rows = []
            size, took = measure(client, "set", lambda: fill_set(client, n))
            rows.append(("scrapy-redis RFPDupeFilter (set of SHA1 hex)", size, took))
            size, took = measure(client, "compact", lambda: fill_compact(client, n, capacity=n))
            enc = {client.object("encoding", k) for k in client.scan_iter(match="compact:seen:*", count=5000)}
            rows.append((f"CompactDupeFilter at capacity ({sorted(e.decode() for e in enc)})", size, took))
            size, took = measure(client, "compact10m", lambda: fill_compact(client, n, capacity=10_000_000))
            rows.append(("CompactDupeFilter, capacity 10M, partly filled", size, took))
        finally:
            server.kill()
    print(f"redis {version}, {listpack}, {n:,} URLs")
    print(f"{'structure':58} {'bytes/URL':>10} {'10M URLs':>10} {'fill s':>7}")
    for label, size, took in rows:
        print(f"{label:58} {size / n:10.1f} {size / n * 1e7 / 2**20:8.0f} MB {took:7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
