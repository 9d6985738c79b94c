"""Speed-up of N generic-spider processes over one Redis frontier, over one or several sites.

    .venv/bin/python bench/shared_frontier.py [--threads 1000] [--workers 1 2 4] [--sites 1] [--database URL]

Generates the forum of bench/throughput.py, serves it from its own process (on
``--sites`` ports: each port is a site of its own), and for each N runs N
``scrapy crawl generic`` workers sharing one frontier on the local Redis (db 15,
a fresh key per run) and one database (default: a fresh SQLite file per run,
WAL); every worker is given every site's URL (``-a url="U1 U2 ..."``: the
shared seen-set seeds each once). Prints pages/s over the wall time from the
first worker's start to the last worker's exit (process start-up and the idle
check that ends the crawl included), the speed-up over N=1, whether every page
was fetched exactly once, and with several sites how many sites were stored
and how many pages and posts each got.
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


def serve_counting(pages: dict[str, tuple[str, bytes]], port_q, sites: int = 1) -> None:
    """Keep-alive HTTP server answering from memory on ``sites`` ports; ``GET /__hits__``
    returns and resets that port's per-path hit counts (JSON)."""
    import asyncio
    import json
    from collections import Counter

    def response(status: str, ctype: str, body: bytes) -> bytes:
        return (f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                "Connection: keep-alive\r\n\r\n").encode("latin-1") + body

    ready = {path: response("200 OK", ctype, body) for path, (ctype, body) in pages.items()}
    missing = response("404 Not Found", "text/html", b"<html><body>Not found</body></html>")

    def handler(hits: Counter):
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
        return handle

    async def main():
        servers = [await asyncio.start_server(handler(Counter()), "127.0.0.1", 0, backlog=512)
                   for _ in range(sites)]
        port_q.put([server.sockets[0].getsockname()[1] for server in servers])
        await asyncio.gather(*(server.serve_forever() for server in servers))

    asyncio.run(main())


def take_hits(url: str) -> dict[str, int]:
    import json
    from urllib.request import urlopen

    with urlopen(url.rstrip("/") + "/__hits__") as reply:
        return json.loads(reply.read())


def site_figures(database: str, urls: list[str]) -> list[tuple[int, int, int]]:
    """Per site: (threads stored, posts stored, posts stored twice)."""
    from storage import query

    out = []
    for url in urls:
        posts = query.posts(database, site=url.rstrip("/"), limit=None)
        keys = [(p["thread_url"], p["position"]) for p in posts]
        out.append((len({p["thread_url"] for p in posts}), len(posts), len(keys) - len(set(keys))))
    return out


def run(n: int, urls: list[str], redis_url: str, database: str, tmp: Path, concurrency: int) -> dict:
    key = f"fcbench:{uuid.uuid4().hex[:8]}"
    env = {**{k: v for k, v in os.environ.items() if k != "REDIS_URL"}, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    logs = [tmp / f"n{n}-w{i}.log" for i in range(n)]
    t0 = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "scrapy", "crawl", "generic", "-a", f"url={' '.join(urls)}",
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
    parser.add_argument("--sites", type=int, default=1, help="serve the forum on this many ports (sites)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--redis", default=os.environ.get("FORUMCRAWL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
    parser.add_argument("--database", help="shared database URL (default: a fresh SQLite file per run)")
    parser.add_argument("--logs", help="keep the workers' logs in this directory")
    args = parser.parse_args()
    pages = build_site(args.threads)
    html_pages = sum(1 for ctype, _ in pages.values() if ctype.startswith("text/html"))
    ctx = mp.get_context("fork")
    port_q = ctx.Queue()
    server = ctx.Process(target=serve_counting, args=(pages, port_q, args.sites), daemon=True)
    server.start()
    del pages
    try:
        urls = [f"http://127.0.0.1:{port}/" for port in port_q.get(timeout=60)]
        base = None
        print(f"site: {html_pages} HTML pages x {len(urls)} site(s); cpu count {os.cpu_count()}")
        for n in args.workers:
            with tempfile.TemporaryDirectory() as tmp:
                database = args.database or f"sqlite:///{tmp}/shared.db"
                for url in urls:
                    take_hits(url)
                r = run(n, urls, args.redis, database, Path(tmp), args.concurrency)
                hits = [take_hits(url) for url in urls]
                figures = site_figures(database, urls) if len(urls) > 1 else []
                if args.logs:
                    import shutil

                    os.makedirs(args.logs, exist_ok=True)
                    for log in Path(tmp).glob("n*-w*.log"):
                        shutil.copy(log, args.logs)
            pages_hit = [{p: c for p, c in h.items() if not p.startswith("/robots.txt")} for h in hits]
            distinct = sum(len(h) for h in pages_hit)
            twice = sum(1 for h in pages_hit for c in h.values() if c > 1)
            total = sum(r["pages"])
            rate = total / r["wall"]
            base = base or rate
            print(f"{n} worker(s): {total} responses ({'+'.join(map(str, r['pages']))}) in {r['wall']:.1f}s = "
                  f"{rate:.1f} pages/s, speed-up {rate / base:.2f}, exit codes {r['codes']}; {distinct} distinct "
                  f"pages, {twice} fetched more than once", flush=True)
            if figures:
                stored = sum(1 for _, posts, _ in figures if posts)
                print(f"  sites stored: {stored} of {len(urls)}; per site (distinct pages fetched / threads "
                      f"stored / posts / posts twice): " + "; ".join(
                          f"{len(h)}/{tp}/{posts}/{dup}" for h, (tp, posts, dup) in zip(pages_hit, figures)),
                      flush=True)
        print(f"load average {os.getloadavg()[0]:.1f}")
    finally:
        server.terminate()
        server.join(5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
