"""The crawler process's own cost of handing pages to the extractor workers.

    .venv/bin/python bench/pool_handoff.py [--pages 300] [--repo PATH]

Extracts pages of the throughput benchmark's site (bench/throughput.py) through
``crawler.extractpool.ExtractPool`` (2 workers) and prints the *parent* process's
CPU per page (sending bodies, receiving and unpickling pages, the event loop), which
other jobs on a shared machine disturb much less than wall time. ``--repo`` measures
another checkout's pool (e.g. a ``git archive`` of an older commit) for an A/B.
``--parent-ms N``: the parent also spends N ms of CPU on each page it gets back, as the
crawl process does with a page's items; the wall time per page then shows whether the
workers wait for a busy parent between pages (2 workers, 2 cores: ~3 ms is the crawl's figure).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path


def _busy(ms: float) -> None:
    """Spend ``ms`` of this process's CPU (the reactor thread busy with a page's items)."""
    until = time.process_time() + ms / 1000
    while time.process_time() < until:
        pass


async def _run(items, processes: int, parent_ms: float = 0.0, concurrency: int = 16):
    from crawler.extractpool import ExtractPool

    pool = ExtractPool(processes, None, timeout=30)
    headers = {"Content-Type": "text/html"}
    await asyncio.gather(*(pool.extract(body, url, headers) for url, body in items[:processes * 2]))  # warm
    slots = asyncio.Semaphore(concurrency)  # pages in the crawl process at once (CONCURRENT_REQUESTS)

    async def one(url, body):
        async with slots:
            page = await pool.extract(body, url, headers)
            _busy(parent_ms)
            return page

    cpu, wall = time.process_time(), time.perf_counter()
    pages = await asyncio.gather(*(one(url, body) for url, body in items))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    pool.close()
    return len(pages), cpu, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--repo", default=str(Path(__file__).resolve().parent.parent))
    parser.add_argument("--parent-ms", type=float, default=0.0,
                        help="CPU ms the parent spends on each page it gets back (the crawl's items)")
    args = parser.parse_args()
    sys.path.insert(0, args.repo)
    sys.path.insert(1, str(Path(__file__).resolve().parent.parent))
    from bench.throughput import build_site
    from crawler.extractpool import prestart

    site = build_site(max(50, args.pages))
    items = [("http://127.0.0.1" + path, body) for path, (ctype, body) in site.items()
             if ctype.startswith("text/html")][: args.pages]
    prestart()
    n, cpu, wall = asyncio.run(_run(items, args.processes, args.parent_ms))
    print(f"{args.repo}: {n} pages, crawler process CPU {1000 * cpu / n - args.parent_ms:.2f} ms/page"
          f"{f' (+{args.parent_ms:g} busy)' if args.parent_ms else ''}, "
          f"wall {1000 * wall / n:.2f} ms/page, load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
