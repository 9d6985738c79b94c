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
        crawler.signals.connect(self.request_reached_downloader, signal=signals.request_reached_downloader)

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

    def request_reached_downloader(self, request, spider) -> None:
        """Count the spider's internal wake-up requests (``data:,``): they fetch nothing from
        any site, so the GETs per thread page leave them out."""
        if request.url.startswith("data:"):
            self.stats.inc_value("forumcrawl/internal_requests")

    def spider_closed(self, spider, reason) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        elapsed = max(time.monotonic() - self._started, 1e-9)
        pages = self._value("forumcrawl/pages")
        self.stats.set_value("forumcrawl/pages_per_second", round(pages / elapsed, 2))
        gets = self._value("downloader/request_method_count/GET") - self._value("forumcrawl/internal_requests")
        thread_pages, posts = self._value("forumcrawl/thread_pages"), self._value("forumcrawl/posts")
        if thread_pages:
            self.stats.set_value("forumcrawl/gets_per_thread_page", round(gets / thread_pages, 2))
        if posts:
            self.stats.set_value("forumcrawl/gets_per_post", round(gets / posts, 3))
        self.report(final=True)
        log.info("Stopped (%s): %s", reason, self._why(reason))

    def _why(self, reason: str) -> str:
        """Why the crawl ended, in words: GETs per thread page and per stored post, the
        page budget, learned URL patterns."""
        stats = self.stats.get_stats()
        parts = [f"{self._value('downloader/request_method_count/GET') - self._value('forumcrawl/internal_requests')} "
                 "GETs to the site, "
                 f"{stats.get('forumcrawl/gets_per_thread_page', '-')} per thread page, "
                 f"{stats.get('forumcrawl/gets_per_post', '-')} per post"]
        if reason == "finished":
            parts.append("no URL left to fetch")
        if self._value("forumcrawl/links_skipped/max_pages"):
            parts.append("the page budget was reached (-a max_pages / FORUMCRAWL_MAX_PAGES)")
        learned = {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("forumcrawl/patterns_learned/")}
        if learned:
            parts.append("URL patterns learned useless: " + ", ".join(f"{v} {k}" for k, v in sorted(learned.items())))
        refused = sum(v for k, v in stats.items() if k.startswith("forumcrawl/links_skipped/learned_"))
        if refused:
            parts.append(f"{refused} links of those patterns not fetched")
        return "; ".join(parts)

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
