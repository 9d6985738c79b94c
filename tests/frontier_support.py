"""Helpers for the frontier tests: a counting local site, a tiny spider using
the shared frontier, and a private redis-server that a test may kill."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from tests.sites.stub import StubHandler, serve

SPIDER = '''
import scrapy

class FrontierTestSpider(scrapy.Spider):
    name = "frontier_test"

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        from crawler.frontier import apply_redis_settings
        apply_redis_settings(settings)

    def parse(self, response):
        yield {"url": response.url}
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href)
'''


class CountingSite:
    """A binary tree of ``pages`` HTML pages on 127.0.0.1 counting hits per path."""

    def __init__(self, pages: int, delay: float = 0.0, meet: int = 0):
        """``meet``: the first ``meet`` requests after /p/1 wait for each other, so
        that many workers of concurrency 1 are provably all taking part."""
        self.pages, self.delay, self.hits = pages, delay, Counter()
        self.lock = threading.Lock()
        self.barrier = threading.Barrier(meet) if meet > 1 else None
        site = self

        class Handler(StubHandler):
            def do_GET(self):  # noqa: N802 - http.server API
                with site.lock:
                    site.hits[self.path] += 1
                try:
                    n = int(self.path.rsplit("/", 1)[-1])
                except ValueError:
                    self.send_error(404)
                    return
                if site.barrier is not None and n > 1 and sum(site.hits.values()) <= site.barrier.parties + 1:
                    try:
                        site.barrier.wait(timeout=30)
                    except threading.BrokenBarrierError:
                        pass
                if site.delay:
                    time.sleep(site.delay)
                links = "".join(f'<a href="/p/{c}">{c}</a>' for c in (2 * n, 2 * n + 1, 1) if c <= site.pages)
                body = f"<html><body><h1>page {n}</h1>{links}</body></html>".encode()
                self.reply(200, "text/html", body)

        self.server, self.thread, self.url = serve(Handler)

    def page_hits(self) -> Counter:
        return Counter({p: c for p, c in self.hits.items() if p.startswith("/p/")})

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def write_spider(directory: Path) -> Path:
    path = directory / "frontier_test_spider.py"
    path.write_text(SPIDER)
    return path


def start_worker(spider: Path, redis_url: str, key: str, log: Path, *extra: str) -> subprocess.Popen:
    """A ``scrapy runspider`` worker outside the project settings."""
    env = {k: v for k, v in os.environ.items() if k not in ("SCRAPY_SETTINGS_MODULE", "REDIS_URL")}
    cmd = [
        sys.executable, "-m", "scrapy", "runspider", str(spider),
        "-s", f"REDIS_URL={redis_url}", "-s", f"FRONTIER_KEY={key}",
        "-s", "FRONTIER_HEARTBEAT=0.5", "-s", "FRONTIER_WORKER_TIMEOUT=3",
        "-s", "LOG_LEVEL=INFO", "-s", "TELNETCONSOLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False",
        "-s", "CONCURRENT_REQUESTS=4", *extra,
    ]
    return subprocess.Popen(cmd, cwd=spider.parent, env=env, stdout=subprocess.DEVNULL,
                            stderr=open(log, "wb"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    """A redis-server of our own (AOF on, so a restart keeps the data) that a test may kill."""

    def __init__(self, directory: Path):
        self.dir, self.port, self.proc = directory, free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        exe = shutil.which("redis-server")
        if exe is None:
            raise RuntimeError("redis-server not installed")
        self.proc = subprocess.Popen(
            [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
             "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        client = redis.Redis.from_url(self.url)
        for _ in range(200):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


def robots_report(hits: list[str], logs: list[str]) -> str:
    """What a failed "only allowed pages fetched" check needs: robots.txt fetches and every
    worker's log lines about robots.txt (a disallowed page fetched once, under load, was not
    explained: this says next time whether a worker ran without rules)."""
    lines = [f"robots.txt fetched {sum(h.startswith('/robots.txt') for h in hits)} times"]
    for i, log in enumerate(logs):
        lines += [f"w{i}: {line}" for line in log.splitlines() if "robots" in line.lower()]
    return "\n".join(lines)
