"""Scrapy's per-item signal (``item_scraped``) sent without a task per receiver.

Scrapy sends ``item_scraped`` once per item with ``send_catch_log_async``, which
wraps every receiver in a coroutine, makes it a task and gathers the tasks, so a
synchronous receiver (CoreStats, the feed exporter) costs several event-loop
steps per item. A thread page yields an item per post: that machinery was the
largest single cost of the crawler process's reactor thread beside the HTTP
client. Here the receivers of the signals in :data:`INLINE` are called at once,
in order, with the same arguments, logging and results as Scrapy's; only what a
receiver returns that must be awaited (a coroutine, a Deferred) is awaited, all
of those together as Scrapy does. Every other signal goes through Scrapy as before.
"""
from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Sequence
from typing import Any

from pydispatch.dispatcher import getAllReceivers, liveReceivers
from pydispatch.robustapply import robustApply
from scrapy import signals
from scrapy.utils.python import global_object_name
from twisted.internet.defer import Deferred

try:  # Scrapy >= 2.14; pyproject allows 2.13, where item_scraped keeps Scrapy's own path
    from scrapy.utils.defer import ensure_awaitable
except ImportError:  # pragma: no cover - older Scrapy
    ensure_awaitable = None

log = logging.getLogger("scrapy.utils.signal")  # (where Scrapy logs a failed signal handler)

INLINE = frozenset({signals.item_scraped})


def inline_item_signals(manager) -> None:
    """Send the :data:`INLINE` signals of ``manager`` (a crawler's SignalManager) inline."""
    if ensure_awaitable is None or not hasattr(manager, "send_catch_log_async"):
        return  # a Scrapy without the async signal API: nothing to replace
    send = manager.send_catch_log_async  # Scrapy's, for every other signal

    async def send_catch_log_async(signal: Any, **kwargs: Any) -> list[tuple[Any, Any]]:
        if signal not in INLINE:
            return await send(signal, **kwargs)
        kwargs.setdefault("sender", manager.sender)
        return await send_inline(signal, **kwargs)

    manager.send_catch_log_async = send_catch_log_async


async def send_inline(signal: Any, sender: Any, **named: Any) -> list[tuple[Any, Any]]:
    """``scrapy.utils.signal.send_catch_log_async`` with synchronous receivers called at once:
    ``[(receiver, result or exception)]``, a receiver's error logged as Scrapy logs it."""
    dont_log = named.pop("dont_log", ())
    dont_log = tuple(dont_log) if isinstance(dont_log, Sequence) else (dont_log,)
    spider = named.get("spider")

    def failed(receiver: Any, exc: Exception) -> Exception:
        if not isinstance(exc, dont_log):
            log.error("Error caught on signal handler: %(receiver)s", {"receiver": receiver},
                      exc_info=exc, extra={"spider": spider})
        return exc

    results: list[tuple[Any, Any]] = []
    pending: list[int] = []
    for receiver in liveReceivers(getAllReceivers(sender, signal)):
        try:
            result = robustApply(receiver, signal=signal, sender=sender, **named)
        except Exception as exc:
            result = failed(receiver, exc)
        else:
            if isinstance(result, Deferred) or inspect.isawaitable(result):
                pending.append(len(results))
        results.append((receiver, result))
    if pending:
        async def wait(receiver: Any, value: Any) -> Any:
            try:
                return await ensure_awaitable(value, _warn=global_object_name(receiver))
            except Exception as exc:
                return failed(receiver, exc)

        done = await asyncio.gather(*(wait(*results[i]) for i in pending))
        for i, value in zip(pending, done):
            results[i] = (results[i][0], value)
    return results
