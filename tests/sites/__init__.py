"""The fixture forum for the crawler's end-to-end tests, served on 127.0.0.1.

:func:`crawler.demo.forum.build_forum` makes the content (phpBB-, vBulletin-,
XenForo- and Discuz!-like sections, the last one in GBK; threads of 1 to 24
posts over up to 3 pages); :class:`LiveForum` serves it from the model on every
request, so a test can edit a post or add a reply between two crawls.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from crawler.demo.forum import Forum, build_forum
from crawler.demo.server import ForumServer, serve


class LiveForum:
    """A mutable forum and its running server."""

    def __init__(self, forum: Forum | None = None, *, delay: float = 0.0) -> None:
        self.forum = forum or build_forum()
        self.delay = delay  # seconds per response: lets several crawlers share a small site
        self._lock = threading.Lock()
        self.server: ForumServer = serve(self._route)
        self.url = self.server.url + "/"

    def _route(self, path: str):
        if self.delay:
            time.sleep(self.delay)
        with self._lock:
            return self.forum.route(path)

    def mutate(self, change) -> object:
        """Apply ``change(forum)`` atomically with respect to requests being served."""
        with self._lock:
            return change(self.forum)

    def expected_posts(self) -> list[dict]:
        with self._lock:
            posts = self.forum.expected_posts()
        for post in posts:
            post["thread_url"] = self.server.url + post["thread_path"]
        return posts

    def stop(self) -> None:
        self.server.stop()


# -- running crawls in a subprocess (keeps Twisted's reactor out of pytest) ---------------------

REPO = Path(__file__).resolve().parents[2]
FAST = ("AUTOTHROTTLE_ENABLED=False", "FORUMCRAWL_PROGRESS_INTERVAL=1", "LOG_LEVEL=INFO",
        "CONCURRENT_REQUESTS=8", "FORUMCRAWL_FLUSH_INTERVAL=0.5")


def crawl_command(url: str, database_url: str, *settings: str, args: tuple[str, ...] = ()) -> list[str]:
    """``python -m scrapy crawl generic -a url=... -s ...`` as a user would type it."""
    cmd = [sys.executable, "-m", "scrapy", "crawl", "generic", "-a", f"url={url}",
           "-s", f"DATABASE_URL={database_url}"]
    for arg in args:
        cmd += ["-a", arg]
    for setting in (*FAST, *settings):
        cmd += ["-s", setting]
    return cmd


def run_crawl(url: str, database_url: str, *settings: str, args: tuple[str, ...] = (),
              timeout: float = 120) -> subprocess.CompletedProcess:
    """Run one crawl to its end; raises with the log tail when it fails."""
    proc = subprocess.run(crawl_command(url, database_url, *settings, args=args), cwd=REPO,
                          capture_output=True, text=True, timeout=timeout, env=_env())
    if proc.returncode != 0:
        raise AssertionError(f"crawl failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return proc


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("FORUMCRAWL_DATABASE_URL", None)
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"  # so any working directory will do
    return env


def stored_posts(database_url: str, site: str) -> list[dict]:
    """Every stored post of ``site``, through the product's query API."""
    from storage import query

    return query.posts(database_url, site=site, limit=None)


def last_run_stats(database_url: str) -> dict:
    """The Scrapy stats recorded with the latest crawl run."""
    import sqlalchemy as sa

    from storage.models import CrawlRun

    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(sa.select(CrawlRun.stats, CrawlRun.status).order_by(CrawlRun.id.desc()).limit(1)).one()
    finally:
        engine.dispose()
    stats = dict(row.stats or {})
    stats["run_status"] = row.status
    return stats


def post_row_count(database_url: str) -> int:
    import sqlalchemy as sa

    from storage.models import Post

    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(Post)).scalar_one()
    finally:
        engine.dispose()


def norm(text: str | None) -> str:
    return " ".join((text or "").split())
