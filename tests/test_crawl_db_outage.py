"""End to end: the database goes away mid-crawl (PostgreSQL behind a proxy that is cut
for a few seconds); the pipeline logs it, retries with back-off, and stores every post."""
from __future__ import annotations

import subprocess
import time
from urllib.parse import urlsplit

import pytest

from crawler.demo.forum import build_forum
from tests.sites import LiveForum, _env, crawl_command, norm, post_row_count, stored_posts
from tests.sites.proxy import TcpProxy

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def test_database_outage_mid_crawl_loses_nothing(postgres_url, tmp_path) -> None:
    live = LiveForum(build_forum(seed=9, threads_per_board=5))
    target = urlsplit(postgres_url)
    proxy = TcpProxy(target.hostname, target.port or 5432)
    proxied = postgres_url.replace(f"{target.hostname}:{target.port or 5432}", f"127.0.0.1:{proxy.port}")
    settings = ("CONCURRENT_REQUESTS=2", "DOWNLOAD_DELAY=0.03", "FORUMCRAWL_BATCH_SIZE=10",
                "FORUMCRAWL_FLUSH_INTERVAL=0.2", "FORUMCRAWL_DB_RETRY_DELAY=0.2", "FORUMCRAWL_DB_RETRY_MAX_DELAY=1")
    try:
        log_path = tmp_path / "crawl.log"
        log = log_path.open("w")
        proc = subprocess.Popen(crawl_command(live.url, proxied, *settings), cwd=tmp_path, env=_env(),
                                stdout=subprocess.DEVNULL, stderr=log)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and proc.poll() is None and _count(postgres_url) < 20:
                time.sleep(0.05)
            assert proc.poll() is None, "the crawl ended before the outage"
            proxy.cut()
            time.sleep(3)
            proxy.restore()
            proc.wait(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            log.close()
        stderr = log_path.read_text(errors="replace")
        assert proc.returncode == 0, stderr[-3000:]
        assert "Database unavailable" in stderr
        assert not list(tmp_path.glob("forumcrawl-unsaved-*.jsonl"))
        posts = stored_posts(postgres_url, live.server.url)
        keys = [(p["thread_url"], p["position"]) for p in posts]
        assert len(keys) == len(set(keys)) == post_row_count(postgres_url)
        # Every post the crawl extracted reached the database.
        extracted = int(_stat(stderr, "forumcrawl/posts"))
        assert extracted == len(posts) > 20
        assert all(norm(p["text"]) for p in posts)
    finally:
        proxy.close()
        live.stop()


def _stat(log: str, name: str) -> str:
    for line in log.splitlines():
        if f"'{name}':" in line:
            return line.split(":", 1)[1].strip().rstrip(",")
    raise AssertionError(f"{name} not in the stats dump")


def _count(url: str) -> int:
    try:
        return post_row_count(url)
    except Exception:
        return 0
