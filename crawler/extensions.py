"""A progress line in the log every few seconds, from forumcrawl's Scrapy stats.

``FORUMCRAWL_PROGRESS_INTERVAL`` seconds apart (0 disables), for example::

    Progress: 1200 pages (48.1/s), 85 threads, 2310 posts, 0 extraction failures, 2250 posts committed, 14 skipped

The figures are Scrapy stats, also in the final stats dump and the crawl run record:
``forumcrawl/pages``, ``forumcrawl/threads``, ``forumcrawl/posts``,
``forumcrawl/extraction_failures``, ``forumcrawl/skipped/<reason>``, ``forumcrawl/db_*``.
"""
from __future__ import annotations

import logging
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

log = logging.getLogger(__name__)


class CrawlProgress:
    """Logs the crawl's progress periodically and once at the end."""

    def __init__(self, crawler, interval: float) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.interval = interval
        self._loop: task.LoopingCall | None = None
        self._started = 0.0
        self._last = (0.0, 0)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        interval = crawler.settings.getfloat("FORUMCRAWL_PROGRESS_INTERVAL", 5.0)
        if interval <= 0:
            raise NotConfigured  # (no message: Scrapy would log a warning)
        return cls(crawler, interval)

    def spider_opened(self, spider) -> None:
        self._started = time.monotonic()
        self._last = (self._started, 0)
        self._loop = task.LoopingCall(self.report)
        self._loop.start(self.interval, now=False)

    def spider_closed(self, spider, reason) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        elapsed = max(time.monotonic() - self._started, 1e-9)
        pages = self._value("forumcrawl/pages")
        self.stats.set_value("forumcrawl/pages_per_second", round(pages / elapsed, 2))
        self.report(final=True)

    def _value(self, key: str) -> int:
        return int(self.stats.get_value(key, 0) or 0)

    def report(self, final: bool = False) -> None:
        now = time.monotonic()
        pages = self._value("forumcrawl/pages")
        then, before = self._last
        rate = (pages - before) / max(now - then, 1e-9)
        if final:
            rate = pages / max(now - self._started, 1e-9)
        self._last = (now, pages)
        stats = self.stats.get_stats()
        skipped = sum(v for k, v in stats.items() if k.startswith("forumcrawl/skipped/"))
        log.info(
            "%s: %d pages (%.1f/s), %d threads, %d posts, %d extraction failures, "
            "%d posts committed (%d new, %d updated), %d responses skipped",
            "Finished" if final else "Progress", pages, rate,
            self._value("forumcrawl/threads"), self._value("forumcrawl/posts"),
            self._value("forumcrawl/extraction_failures"),
            self._value("forumcrawl/db_posts_inserted") + self._value("forumcrawl/db_posts_updated")
            + self._value("forumcrawl/db_posts_unchanged"),
            self._value("forumcrawl/db_posts_inserted"), self._value("forumcrawl/db_posts_updated"),
            skipped,
        )
