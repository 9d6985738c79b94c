"""The crawl process's garbage collector (crawler/gctuning.py): fewer collections during a
crawl, Python's thresholds back afterwards, and the collector's work in the stats."""
from __future__ import annotations

import gc

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

from crawler.gctuning import GarbageCollection


def _make_cycles(n: int) -> None:
    for _ in range(n):
        a: dict = {}
        a["self"] = a      # garbage only the cyclic collector frees


@pytest.fixture
def python_thresholds():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield (700, 10, 10)
    gc.set_threshold(*before)


def test_a_crawl_collects_less_often_and_restores_the_thresholds(python_thresholds) -> None:
    crawler = get_crawler(Spider, {"FORUMCRAWL_GC_THRESHOLD": 5000})
    ext = GarbageCollection.from_crawler(crawler)
    spider = Spider("s")
    ext.spider_opened(spider)
    assert gc.get_threshold() == (5000, 10, 10)
    _make_cycles(50_000)           # about 10 young collections at 5,000 (70 at Python's 700)
    ext.spider_closed(spider, "finished")
    assert gc.get_threshold() == python_thresholds
    stats = crawler.stats.get_stats()
    assert 1 <= stats["gc/collections"] < 50_000 / 700
    assert stats["gc/cpu_seconds"] >= 0
    assert ext._observe not in gc.callbacks


def test_two_crawls_in_one_process_restore_python_thresholds_after_the_last(python_thresholds) -> None:
    first = GarbageCollection.from_crawler(get_crawler(Spider, {"FORUMCRAWL_GC_THRESHOLD": 4000}))
    second = GarbageCollection.from_crawler(get_crawler(Spider, {"FORUMCRAWL_GC_THRESHOLD": 8000}))
    first.spider_opened(Spider("a"))
    second.spider_opened(Spider("b"))
    assert gc.get_threshold()[0] == 8000
    first.spider_closed(Spider("a"), "finished")
    assert gc.get_threshold()[0] == 8000   # the second crawl still runs
    second.spider_closed(Spider("b"), "finished")
    assert gc.get_threshold() == python_thresholds


def test_zero_keeps_python_thresholds_and_still_counts(python_thresholds) -> None:
    crawler = get_crawler(Spider, {"FORUMCRAWL_GC_THRESHOLD": 0})
    ext = GarbageCollection.from_crawler(crawler)
    ext.spider_opened(Spider("s"))
    assert gc.get_threshold() == python_thresholds
    _make_cycles(50_000)
    ext.spider_closed(Spider("s"), "finished")
    assert crawler.stats.get_value("gc/collections") >= 50_000 // 700 // 2
