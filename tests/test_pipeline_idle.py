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


def test_a_commit_that_releases_an_idle_workers_requests_reruns_its_idle_check_at_once() -> None:
    """(crawler/frontier/scheduler.py) Before, the idle check waited for the next heartbeat."""
    import time
    from types import SimpleNamespace

    from crawler.frontier.acks import AckLedger
    from crawler.frontier.scheduler import FrontierScheduler

    woken: list[int] = []
    acked: list[list[str]] = []
    scheduler = FrontierScheduler.__new__(FrontierScheduler)
    scheduler.acks = AckLedger()
    scheduler.queue = SimpleNamespace(ack=lambda ids: acked.append(list(ids)))
    scheduler.crawler = SimpleNamespace(engine=SimpleNamespace(
        _slot=SimpleNamespace(nextcall=SimpleNamespace(schedule=lambda: woken.append(1)))))
    scheduler.ack_on_commit, scheduler.commit_grace = True, 3.0
    scheduler.acks.popped("r1", object())
    finished = time.monotonic()
    scheduler.acks.engine_done(["r1"], now=finished)
    scheduler.idle_waiting = False
    scheduler._on_committed(taken_at=finished - 1)  # a batch taken before r1 finished: nothing released
    assert acked == [] and woken == []
    scheduler.idle_waiting = True
    scheduler._on_committed(taken_at=finished + 0.001)
    assert acked == [["r1"]] and woken == [1]
