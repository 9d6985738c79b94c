"""Speed-up of N generic-spider processes over one Redis frontier.

    .venv/bin/python bench/shared_frontier.py [--threads 1000] [--workers 1 2 4] [--database URL]

Generates the forum of bench/throughput.py, serves it from its own process, and
for each N runs N ``scrapy runspider`` workers of the generic spider (wired to
the frontier with ``crawler.frontier.apply_redis_settings``) sharing one
frontier on the local Redis (db 15, a fresh key per run) and one database
(default: a fresh SQLite file per run, WAL). Prints pages/s over the wall time
from the first worker's start to the last worker's exit (process start-up and
the idle check that ends the crawl included), the speed-up over N=1, and
whether every page was fetched exactly once.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import redis

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))
from throughput import build_site  # noqa: E402


def serve_counting(pages: dict[str, tuple[str, bytes]], port_q) -> None:
    """Keep-alive HTTP server answering from memory; ``GET /__hits__`` returns and
    resets the per-path hit counts (JSON)."""
    import asyncio
    import json
    from collections import Counter

    hits: Counter = Counter()

    def response(status: str, ctype: str, body: bytes) -> bytes:
        return (f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                "Connection: keep-alive\r\n\r\n").encode("latin-1") + body

    ready = {path: response("200 OK", ctype, body) for path, (ctype, body) in pages.items()}
    missing = response("404 Not Found", "text/html", b"<html><body>Not found</body></html>")

    async def handle(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].decode("latin-1")
                if path == "/__hits__":
                    writer.write(response("200 OK", "application/json", json.dumps(hits).encode()))
                    hits.clear()
                else:
                    hits[path] += 1
                    writer.write(ready.get(path, missing))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, IndexError):
            pass
        finally:
            writer.close()

    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=512)
        port_q.put(server.sockets[0].getsockname()[1])
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def take_hits(url: str) -> dict[str, int]:
    import json
    from urllib.request import urlopen

    with urlopen(url.rstrip("/") + "/__hits__") as reply:
        return json.loads(reply.read())


def run(n: int, url: str, redis_url: str, database: str, tmp: Path, concurrency: int) -> dict:
    key = f"fcbench:{uuid.uuid4().hex[:8]}"
    env = {**{k: v for k, v in os.environ.items() if k != "REDIS_URL"}, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    logs = [tmp / f"n{n}-w{i}.log" for i in range(n)]
    t0 = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "scrapy", "crawl", "generic", "-a", f"url={url}",
             "-s", f"REDIS_URL={redis_url}", "-s", f"FRONTIER_KEY={key}", "-s", f"DATABASE_URL={database}",
             "-s", "AUTOTHROTTLE_ENABLED=False", "-s", f"CONCURRENT_REQUESTS={concurrency}",
             "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}", "-s", "LOG_LEVEL=INFO",
             "-s", "FORUMCRAWL_PROGRESS_INTERVAL=0", "-s", "TELNETCONSOLE_ENABLED=False"],
            cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=open(log, "wb"))
        for log in logs
    ]
    codes = [p.wait() for p in procs]
    wall = time.perf_counter() - t0
    client = redis.Redis.from_url(redis_url)
    for k in client.scan_iter(match=f"{key}*"):
        client.delete(k)
    per_worker = []
    for log in logs:
        found = re.search(r"'response_received_count': (\d+)", log.read_text())
        per_worker.append(int(found.group(1)) if found else 0)
    return {"codes": codes, "wall": wall, "pages": per_worker}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--redis", default=os.environ.get("FORUMCRAWL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
    parser.add_argument("--database", help="shared database URL (default: a fresh SQLite file per run)")
    args = parser.parse_args()
    pages = build_site(args.threads)
    html_pages = sum(1 for ctype, _ in pages.values() if ctype.startswith("text/html"))
    ctx = mp.get_context("fork")
    port_q = ctx.Queue()
    server = ctx.Process(target=serve_counting, args=(pages, port_q), daemon=True)
    server.start()
    del pages
    try:
        url = f"http://127.0.0.1:{port_q.get(timeout=60)}/"
        base = None
        print(f"site: {html_pages} HTML pages; cpu count {os.cpu_count()}")
        for n in args.workers:
            with tempfile.TemporaryDirectory() as tmp:
                database = args.database or f"sqlite:///{tmp}/shared.db"
                take_hits(url)
                r = run(n, url, args.redis, database, Path(tmp), args.concurrency)
                hits = take_hits(url)
            pages_hit = {p: c for p, c in hits.items() if not p.startswith("/robots.txt")}
            twice = sum(1 for c in pages_hit.values() if c > 1)
            total = sum(r["pages"])
            rate = total / r["wall"]
            base = base or rate
            print(f"{n} worker(s): {total} responses ({'+'.join(map(str, r['pages']))}) in {r['wall']:.1f}s = "
                  f"{rate:.1f} pages/s, speed-up {rate / base:.2f}, exit codes {r['codes']}; {len(pages_hit)} distinct "
                  f"pages, {twice} fetched more than once", flush=True)
        print(f"load average {os.getloadavg()[0]:.1f}")
    finally:
        server.terminate()
        server.join(5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
