"""The crawl's own figures (crawler/extensions.py): GETs per thread page count what the
site was asked for, not the spider's internal wake-up requests (``data:,``)."""
from __future__ import annotations

import pytest
from scrapy import Request, Spider, signals
from scrapy.utils.test import get_crawler

from crawler.extensions import CrawlProgress


@pytest.fixture
def progress():
    crawler = get_crawler(Spider, {"FORUMCRAWL_PROGRESS_INTERVAL": 60})
    ext = CrawlProgress.from_crawler(crawler)
    return crawler, ext


def test_internal_wake_ups_are_no_gets_to_the_site(progress) -> None:
    crawler, ext = progress
    spider = Spider("s")
    ext.spider_opened(spider)
    urls = [f"http://h/t/{n}" for n in range(4)] + ["data:,", "data:,"]
    for url in urls:
        crawler.signals.send_catch_log(signals.request_reached_downloader, request=Request(url), spider=spider)
    crawler.stats.set_value("downloader/request_method_count/GET", len(urls))  # (Scrapy's own count: every request)
    crawler.stats.set_value("forumcrawl/thread_pages", 2)
    crawler.stats.set_value("forumcrawl/posts", 8)
    ext.spider_closed(spider, "finished")
    stats = crawler.stats.get_stats()
    assert stats["forumcrawl/internal_requests"] == 2
    assert stats["forumcrawl/gets_per_thread_page"] == 2.0    # 4 GETs to the site, 2 thread pages
    assert stats["forumcrawl/gets_per_post"] == 0.5
