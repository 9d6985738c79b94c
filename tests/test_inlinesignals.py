"""crawler.inlinesignals: item_scraped receivers called at once, with Scrapy's results and logging."""
from __future__ import annotations

import asyncio
import logging

from scrapy import signals
from scrapy.signalmanager import SignalManager

from crawler.inlinesignals import inline_item_signals


def _manager() -> SignalManager:
    """A manager of its own sender, as a crawler's (pydispatch's receivers are global per sender)."""
    return SignalManager(object())


def _send(manager: SignalManager, signal, **kwargs):
    return asyncio.run(manager.send_catch_log_async(signal, **kwargs))


def test_receivers_get_their_arguments_and_results_come_back_in_order():
    manager = _manager()
    calls = []

    def counts(item, spider):
        calls.append(("counts", item, spider))
        return 1

    def exports(item):  # takes fewer arguments than sent: robustApply drops the others
        calls.append(("exports", item))

    async def later(item):
        await asyncio.sleep(0)
        calls.append(("later", item))
        return "done"

    for receiver in (counts, exports, later):
        manager.connect(receiver, signal=signals.item_scraped)
    inline_item_signals(manager)
    results = _send(manager, signals.item_scraped, item={"a": 1}, response=None, spider="s")
    assert [(r, v) for r, v in results] == [(counts, 1), (exports, None), (later, "done")]
    assert calls == [("counts", {"a": 1}, "s"), ("exports", {"a": 1}), ("later", {"a": 1})]


def test_a_failing_receiver_is_logged_and_the_others_still_run(caplog):
    manager = _manager()
    seen = []

    def broken(item):
        raise ValueError("bad item")

    def fine(item):
        seen.append(item)

    manager.connect(broken, signal=signals.item_scraped)
    manager.connect(fine, signal=signals.item_scraped)
    inline_item_signals(manager)
    with caplog.at_level(logging.ERROR):
        results = _send(manager, signals.item_scraped, item=1, response=None, spider=None)
    assert isinstance(results[0][1], ValueError) and results[1] == (fine, None)
    assert seen == [1]
    assert "Error caught on signal handler" in caplog.text and "bad item" in caplog.text


def test_a_failing_async_receiver_is_logged_too(caplog):
    manager = _manager()

    async def broken(item):
        raise RuntimeError("late failure")

    manager.connect(broken, signal=signals.item_scraped)
    inline_item_signals(manager)
    with caplog.at_level(logging.ERROR):
        results = _send(manager, signals.item_scraped, item=1, response=None, spider=None)
    assert isinstance(results[0][1], RuntimeError) and "late failure" in caplog.text


def test_other_signals_go_through_scrapy():
    manager = _manager()
    seen = []

    async def idle(spider):
        seen.append(spider)
        return "idle"

    manager.connect(idle, signal=signals.spider_idle)
    inline_item_signals(manager)
    assert _send(manager, signals.spider_idle, spider="s") == [(idle, "idle")]
    assert seen == ["s"]
