"""When a fetched page is finished: journal ``D`` records and shared-frontier releases.

A page is finished once its items are committed to the store (or it had none):
then its URL is marked done in the frontier journal (:mod:`crawler.journal`) and,
under a shared frontier, the request the spider kept un-acknowledged while it
held the page (parked for its chain, or held for the template) is released.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from crawler import signals as fc_signals
from crawler.journal import Frontier

Send = Callable[..., Any]


class PageLedger:
    """Pages waiting for their items' commit, and requests deferred by the spider."""

    def __init__(self, journal: Frontier, *, send: Send | None = None, shared_frontier: bool = False,
                 commits_items: bool = False) -> None:
        self.journal = journal
        self.send = send  # crawler.signals.send_catch_log
        self.shared_frontier = shared_frontier
        self.commits_items = commits_items  # a store pipeline commits items (else a page finishes at once)
        self.deferred: dict[str, str] = {}          # page key -> frontier id kept open until the page is finished
        self.uncommitted: dict[str, list] = {}      # page URL -> [key, items left]

    def defer(self, meta: dict[str, Any], key: str, parked_url: str = "") -> None:
        """Shared frontier: keep this page's request un-acknowledged while the spider holds
        the page (parked for its chain under ``parked_url``, or held for the template), so
        that a worker dying meanwhile does not lose it; :meth:`finish` releases it."""
        rid = meta.get("frontier_id")
        if not (self.shared_frontier and rid and self.send):
            return
        self.deferred.setdefault(key, rid)
        self.send(fc_signals.request_deferred, request_id=rid, parked_url=parked_url)

    def finish(self, key: str, request_id: str | None = None) -> None:
        """The page ``key`` is finished (its items committed, or it had none). With
        ``request_id``, only that request's deferral is released: a request that
        failed or was dropped as already seen must not release another request of
        the same URL whose page is parked here."""
        self.journal.done(key)
        rid = self.deferred.get(key)
        if rid is not None and request_id in (None, rid):
            del self.deferred[key]
            if self.send:
                self.send(fc_signals.request_released, request_id=rid)

    def emit(self, reading) -> list[Any]:
        """A :class:`~crawler.assembly.Reading`'s items; each of its pages finishes once they
        are committed (or at once, without a store or without items)."""
        for page_url, key, count in reading.pages:
            if self.commits_items and count:
                self.expect(page_url, key, count)
            else:
                self.finish(key)
        return reading.items

    def expect(self, url: str, key: str, items: int) -> None:
        """The page ``url`` emitted ``items`` items: finished once all are committed."""
        self.uncommitted[url] = [key, items]

    def committed(self, items: Iterable[Any]) -> None:
        uncommitted = self.uncommitted
        for item in items:
            url = item.get("page_url")
            entry = uncommitted.get(url)
            if entry is None:
                continue
            entry[1] -= 1
            if entry[1] <= 0:
                del uncommitted[url]
                self.finish(entry[0])
