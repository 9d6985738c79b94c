"""Crawl throughput: plain Scrapy link-following vs the generic spider with extraction + SQLite.

    .venv/bin/python bench/throughput.py [--threads 2000] [--concurrency 16]

1. Generates a forum-like site (phpBB/vBulletin/XenForo/Discuz-like markup from
   crawler.demo.forum, long posts: pages of 20-120 KB) entirely in memory.
2. Serves it from a separate process: a small asyncio HTTP/1.1 server answering
   from a dict of pre-rendered bytes (keep-alive, no per-request rendering), so
   the server is not the bottleneck.
3. Runs, one after the other, each in its own process with the same Scrapy
   settings (AutoThrottle off, robots.txt on, CONCURRENT_REQUESTS=--concurrency):
   (a) a plain CrawlSpider with one Rule(LinkExtractor(), follow=True);
   (b) ``generic`` with extraction and the SQLite store pipeline.
4. Prints pages/s (responses received / crawl time), the ratio b/a (target >= 0.8),
   and each process's peak RSS. The plain crawl runs again at the end (a2) and (a) is
   the mean of both runs, so a load change on a shared machine during the run does not
   favour either side. Also printed: the crawl process's own CPU time per page, which
   other jobs on the machine disturb much less than wall time (with extractor processes,
   their CPU is not included: it is shown separately when the workers have exited), and the
   ratio's CPU ceiling: the best (b)/(a) this machine allows for the CPU each page costs, with
   every core busy all the time (what the ratio depends on, machine to machine).

FORUMCRAWL_BENCH_PROFILE=/tmp/prof writes cProfile data of each crawl to /tmp/prof.<kind>.
FORUMCRAWL_BENCH_CAPTURE=/tmp/batches records every Store.write_batch call of the generic crawl
there (pickles), for ``python -m storage.replaybench /tmp/batches`` (the store's CPU alone).
"""
from __future__ import annotations

import argparse
import asyncio
import html
import json
import multiprocessing as mp
import os
import pickle
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


# -- the site ----------------------------------------------------------------------------------
def build_site(threads: int, seed: int = 1) -> dict[str, tuple[str, bytes]]:
    """A forum of about ``threads`` threads; returns {path: (content type, body)}."""
    from crawler.demo.forum import STYLES, Board, Forum, Post, Thread, render_site

    rng = random.Random(seed)
    words = ("forum thread reply garden bicycle engine kitchen telescope network battery window "
             "season river mountain camera guitar lesson winter summer recipe garage paint").split()
    zh = "我们今天讨论一下这个问题大家有什么看法欢迎留言谢谢分享经验方法效果时间价格质量推荐"
    boards, tid, pid = [], 1, 1
    start = datetime(2023, 1, 1)
    per_board = max(1, threads // 12)
    for b in range(12):
        style = STYLES[b % len(STYLES)]
        board = Board(b + 1, style, f"Board {b + 1}", f"Discussions number {b + 1}")
        for _ in range(per_board):
            thread = Thread(tid, f"Topic {tid} about {' '.join(rng.sample(words, 3))}")
            for n in range(rng.choice([3, 8, 15, 20, 25, 40, 60])):
                size = rng.randint(150, 900) if style != "discuz" else rng.randint(60, 300)
                if style == "discuz":
                    text = "".join(rng.choice(zh) for _ in range(size))
                else:
                    text = " ".join(rng.choice(words) for _ in range(size))
                thread.posts.append(Post(pid, f"user{rng.randrange(300)}", text,
                                         start + timedelta(minutes=pid * 7)))
                pid += 1
            board.threads.append(thread)
            tid += 1
        boards.append(board)
    forum = Forum("Bench Forum", boards, posts_per_page=20, threads_per_page=25)
    return _drop_dead_links(render_site(forum))


_HREF = re.compile(rb'href="([^"#]*)(#[^"]*)?"')


def _drop_dead_links(pages: dict[str, tuple[str, bytes]]) -> dict[str, tuple[str, bytes]]:
    """Point links to URLs the site does not serve (reply, profile, search...) at "#".

    Both crawlers then fetch the same set of real pages: a plain link follower would
    otherwise spend most of its time on thousands of tiny 404 pages.
    """
    def fix(match: re.Match) -> bytes:
        target = html.unescape(match.group(1).decode("latin-1"))
        return match.group(0) if target in pages or not target.startswith("/") else b'href="#"'

    return {path: (ctype, _HREF.sub(fix, body)) for path, (ctype, body) in pages.items()}


# -- the server (separate process) -------------------------------------------------------------
def _serve(pages: dict[str, tuple[str, bytes]], port_q) -> None:
    from crawler.demo import path_key  # query parameters in any order name the same page

    responses = {}
    for path, (ctype, body) in pages.items():
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                "Connection: keep-alive\r\n\r\n").encode("latin-1")
        responses[path_key(path)] = head + body
    missing = b"<html><body>Not found</body></html>"
    not_found = (b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: %d\r\n"
                 b"Connection: keep-alive\r\n\r\n" % len(missing)) + missing

    async def handle(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].decode("latin-1")
                writer.write(responses.get(path_key(path)) or not_found)
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


# -- one crawl (child process) -----------------------------------------------------------------
def _child(kind: str, url: str, concurrency: int, database: str | None, processes: int | None = None) -> None:
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from scrapy.linkextractors import LinkExtractor
    from scrapy.spiders import CrawlSpider, Rule

    from crawler.cli.crawl import project_settings

    common = {
        "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency, "LOG_LEVEL": "WARNING",
        "ROBOTSTXT_OBEY": True, "FORUMCRAWL_PROGRESS_INTERVAL": 0, "TELNETCONSOLE_ENABLED": False,
    }
    if kind == "plain":
        from scrapy.settings import Settings

        settings = Settings(common)

        class PlainSpider(CrawlSpider):
            name = "plain"
            allowed_domains = ["127.0.0.1"]
            start_urls = [url]
            rules = (Rule(LinkExtractor(), follow=True),)

        spidercls, kwargs = PlainSpider, {}
    else:
        settings = project_settings({k: str(v) for k, v in common.items()})
        settings.set("DATABASE_URL", database, priority="cmdline")
        for pair in filter(None, os.environ.get("FORUMCRAWL_BENCH_SETTINGS", "").split(",")):
            name, _, value = pair.partition("=")   # experiments: FORUMCRAWL_BENCH_SETTINGS=A=1,B=2
            settings.set(name.strip(), value.strip(), priority="cmdline")
        if processes is not None:  # else the project's default (-1: sized from the cores)
            settings.set("FORUMCRAWL_EXTRACT_PROCESSES", processes, priority="cmdline")
        spidercls, kwargs = "generic", {"url": url}
    times = {"store_cpu": 0.0}
    if kind != "plain":
        _time_store_writes(times)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spidercls)
    def opened(spider):
        times["start"] = time.perf_counter()
        times["cpu_start"] = time.process_time()  # (all threads of the process: the store writer too)
        times["main_start"] = time.thread_time()  # (the reactor thread alone)

    def closed(spider, reason):
        times["end"] = time.perf_counter()
        times["cpu_end"] = time.process_time()
        times["main_end"] = time.thread_time()

    # (signal receivers are weak references: keep these functions alive in locals)
    crawler.signals.connect(opened, signals.spider_opened)
    crawler.signals.connect(closed, signals.spider_closed)
    process.crawl(crawler, **kwargs)
    if os.environ.get("FORUMCRAWL_BENCH_PROFILE"):
        import cProfile

        cProfile.runctx("process.start()", globals(), {"process": process},
                        os.environ["FORUMCRAWL_BENCH_PROFILE"] + f".{kind}")
    else:
        process.start()
    stats = crawler.stats.get_stats()
    pages = stats.get("response_received_count", 0)
    seconds = times["end"] - times["start"]
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({
        "kind": kind, "pages": pages, "seconds": round(seconds, 2),
        "pages_per_s": round(pages / seconds, 1),
        "cpu_ms_per_page": round(1000 * (own.ru_utime + own.ru_stime) / max(1, pages), 2),
        # the same, from spider_opened to spider_closed: without imports and start-up
        "crawl_cpu_ms_per_page": round(1000 * (times["cpu_end"] - times["cpu_start"]) / max(1, pages), 2),
        # of which the reactor thread's, and the store's writes (on the pipeline's writer thread)
        "main_cpu_ms_per_page": round(1000 * (times["main_end"] - times["main_start"]) / max(1, pages), 2),
        "store_cpu_ms_per_page": round(1000 * times["store_cpu"] / max(1, pages), 2),
        "children_cpu_ms_per_page": round(1000 * (kids.ru_utime + kids.ru_stime) / max(1, pages), 2),
        "peak_rss_mb": _peak_rss_mb(),
        "peak_rss_workers_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        "extract_processes": stats.get("forumcrawl/extract_processes", 0),
        "extract_cpu_ms_per_page": round(1000 * (stats.get("forumcrawl/extract_processes_cpu_seconds") or 0)
                                         / max(1, pages), 2),
        "posts": stats.get("forumcrawl/posts"), "threads": stats.get("forumcrawl/threads"),
        "posts_committed": (stats.get("forumcrawl/db_posts_inserted", 0) or 0)
        + (stats.get("forumcrawl/db_posts_updated", 0) or 0) + (stats.get("forumcrawl/db_posts_unchanged", 0) or 0),
        "extraction_failures": stats.get("forumcrawl/extraction_failures", 0),
        "finish_reason": stats.get("finish_reason"),
        "gc_collections": stats.get("gc/collections"), "gc_cpu_seconds": stats.get("gc/cpu_seconds"),
    }))


def _time_store_writes(times: dict) -> None:
    """Add the CPU time of every ``Store.write_batch`` call (its own thread's) to ``times["store_cpu"]``."""
    from storage import Store

    write_batch = Store.write_batch
    capture = os.environ.get("FORUMCRAWL_BENCH_CAPTURE")
    out = open(capture, "wb") if capture else None

    def timed(self, threads=(), posts=(), pages=(), **kwargs):
        if out is not None:
            threads, posts, pages = [dict(t) for t in threads], [dict(p) for p in posts], [dict(p) for p in pages]
            kwargs = {k: list(v) if k == "clear_outbox" else v for k, v in kwargs.items()}
            pickle.dump((threads, posts, pages, kwargs), out)
            out.flush()
        start = time.thread_time()
        try:
            return write_batch(self, threads, posts, pages, **kwargs)
        finally:
            times["store_cpu"] += time.thread_time() - start

    Store.write_batch = timed


def _peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited across exec)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _run_child(kind: str, url: str, concurrency: int, database: str | None, processes: int | None = None) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, "--url", url, "--concurrency", str(concurrency)]
    if processes is not None:
        cmd += ["--extract-processes", str(processes)]
    if database:
        cmd += ["--database", database]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, check=False)
    if os.environ.get("FORUMCRAWL_BENCH_LOG"):  # keep each crawl's log: <path>.<kind>
        Path(f"{os.environ['FORUMCRAWL_BENCH_LOG']}.{kind}").write_text(out.stderr)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode != 0 or not lines:
        sys.stderr.write(out.stderr[-3000:])
        raise SystemExit(f"{kind} crawl failed (exit {out.returncode})")
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2000, help="threads in the generated forum (default 2000: about 3,300 pages)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--only", choices=("plain", "generic"), help="run one of the two crawls")
    parser.add_argument("--extract-processes", type=int, default=None,
                        help="also run (c): generic with FORUMCRAWL_EXTRACT_PROCESSES=N (0: extraction in the "
                             "crawler process); (b) runs with the project's default")
    parser.add_argument("--no-plain-again", action="store_true",
                        help="do not run the plain crawl a second time at the end (a2)")
    parser.add_argument("--child", choices=("plain", "generic"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.url, args.concurrency, args.database, args.extract_processes)
        return

    t0 = time.perf_counter()
    pages = build_site(args.threads)
    sizes = sorted(len(body) for ctype, body in pages.values() if ctype.startswith("text/html"))
    print(f"site: {len(sizes)} HTML pages, {sum(sizes) / 1e6:.0f} MB, sizes {sizes[len(sizes) // 20] // 1024}-"
          f"{sizes[-len(sizes) // 20] // 1024} KB (5th-95th percentile), median {sizes[len(sizes) // 2] // 1024} KB, "
          f"built in {time.perf_counter() - t0:.1f}s")
    ctx = mp.get_context("fork")
    port_q = ctx.Queue()
    server = ctx.Process(target=_serve, args=(pages, port_q), daemon=True)
    server.start()
    try:
        url = f"http://127.0.0.1:{port_q.get(timeout=60)}/"
        del pages
        results = {}
        with tempfile.TemporaryDirectory() as tmp:
            runs = [("a", "plain", None), ("b", "generic", None)]
            if args.extract_processes is not None:
                runs.append(("c", "generic", args.extract_processes))
            if not args.no_plain_again and not args.only:
                runs.append(("a2", "plain", None))
            for label, kind, processes in runs:
                if args.only and kind != args.only:
                    continue
                database = f"sqlite:///{tmp}/bench-{label}.db" if kind == "generic" else None
                results[label] = r = _run_child(kind, url, args.concurrency, database, processes)
                extra = (f", {r['threads']} threads, {r['posts']} posts extracted, {r['posts_committed']} committed, "
                         f"{r['extraction_failures']} extraction failures") if kind == "generic" else ""
                workers = r.get("extract_processes") or 0
                name = kind + (f" +{workers} extractor processes" if workers else
                               (" (extraction in the crawl process)" if kind == "generic" else ""))
                if workers and r.get("peak_rss_workers_mb"):
                    extra += f", largest extractor process {r['peak_rss_workers_mb']} MB"
                cpu = (f", crawl process CPU {r['cpu_ms_per_page']} ms/page "
                       f"({r['crawl_cpu_ms_per_page']} from spider_opened to spider_closed, "
                       f"{r['main_cpu_ms_per_page']} of it in the reactor thread, "
                       f"{r['store_cpu_ms_per_page']} writing to the store)")
                if r.get("gc_collections") is not None:
                    cpu += f" (garbage collector: {r['gc_collections']} runs, {r['gc_cpu_seconds']} s)"
                if workers and r.get("extract_cpu_ms_per_page"):
                    cpu += f" + extractor processes {r['extract_cpu_ms_per_page']} ms/page"
                print(f"({label}) {name}: {r['pages']} pages in {r['seconds']}s = "
                      f"{r['pages_per_s']} pages/s, peak RSS {r['peak_rss_mb']} MB{cpu}{extra}", flush=True)
        if "a" in results:
            plain = [results[k] for k in ("a", "a2") if k in results]
            plain_pps = sum(r["pages_per_s"] for r in plain) / len(plain)
            plain_cpu = sum(r["cpu_ms_per_page"] for r in plain) / len(plain)
            if len(plain) > 1:
                print(f"plain (a) = mean of (a) and (a2): {plain_pps:.1f} pages/s, {plain_cpu:.2f} ms CPU/page")
            for label in ("b", "c"):
                if label in results:
                    ratio = results[label]["pages_per_s"] / plain_pps
                    print(f"ratio ({label})/(a) = {ratio:.2f} (target >= 0.8)")
            if "b" in results:
                b = results["b"]
                print(f"CPU ratio (a)/(b), pages per CPU-second of the crawl process = "
                      f"{plain_cpu / b['cpu_ms_per_page']:.2f}")
                if b.get("extract_cpu_ms_per_page"):
                    # With every core busy all the time: the crawl process alone, or all processes
                    # together over the cores, bounds (b); the plain crawl is one process.
                    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
                    total = b["cpu_ms_per_page"] + b["extract_cpu_ms_per_page"]
                    ceiling = min(plain_cpu / b["cpu_ms_per_page"], cores * plain_cpu / total)
                    print(f"CPU ceiling of ratio (b)/(a) on {cores} cores: {ceiling:.2f} "
                          f"({total:.1f} ms CPU a page in all processes against {plain_cpu:.2f}: the ratio "
                          f"cannot exceed this however the work is scheduled)")
        print(f"cpu count {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    finally:
        server.terminate()
        server.join(5)


if __name__ == "__main__":
    main()
