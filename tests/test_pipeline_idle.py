"""An idle crawl commits at once (crawler/pipelines.py): a worker of a shared frontier acknowledges
its requests only once their items are committed, so before this it waited for the next
``FORUMCRAWL_FLUSH_INTERVAL`` (or the frontier's commit grace) after its last page."""
from __future__ import annotations

from scrapy import signals
from scrapy.utils.test import get_crawler

from crawler import signals as fc_signals
from crawler.items import PostItem
from crawler.pipelines import StorePipeline


def _pipeline() -> tuple[StorePipeline, list, list]:
    crawler = get_crawler(settings_dict={"DATABASE_URL": "sqlite://"})
    pipeline = StorePipeline(crawler)
    pipeline.store = object()  # opened (the writer thread is not started: _flush is recorded instead)
    flushed: list[int] = []
    pipeline._flush = lambda: flushed.append(len(pipeline.buffer))
    committed: list[tuple] = []
    crawler.signals.connect(lambda items, taken_at: committed.append((list(items), taken_at)),
                            signal=fc_signals.items_committed, weak=False)
    return pipeline, flushed, committed


def test_an_idle_crawl_writes_its_buffer_at_once_unless_a_write_runs() -> None:
    pipeline, flushed, committed = _pipeline()
    pipeline.buffer.append(PostItem(text="t"))
    pipeline._writing = object()  # a write in progress: it flushes again when done
    pipeline.crawler.signals.send_catch_log(signals.spider_idle, spider=None)
    assert flushed == []
    pipeline._writing = None
    pipeline.crawler.signals.send_catch_log(signals.spider_idle, spider=None)
    assert flushed == [1] and committed == []


def test_an_idle_crawl_with_nothing_to_write_says_everything_is_committed() -> None:
    pipeline, flushed, committed = _pipeline()
    pipeline.crawler.signals.send_catch_log(signals.spider_idle, spider=None)
    assert flushed == [] and len(committed) == 1 and committed[0][0] == [] and committed[0][1] > 0
