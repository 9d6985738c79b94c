"""The store pipeline: buffer items, write them to SQL in batches, one transaction each.

Writes run on one background thread (so the crawl goes on while SQLite syncs
or PostgreSQL answers) and strictly one batch at a time, in order. A batch is
written when it reaches ``FORUMCRAWL_BATCH_SIZE`` items, every
``FORUMCRAWL_FLUSH_INTERVAL`` seconds, as soon as the crawl goes idle (a worker of a
shared frontier acknowledges its requests only once their items are committed, so
an idle worker would otherwise wait for the next interval), and at the end of the crawl.

When the database is unavailable the same batch is retried with exponential
back-off (``FORUMCRAWL_DB_RETRY_DELAY`` .. ``FORUMCRAWL_DB_RETRY_MAX_DELAY``),
each failure logged; items keep arriving in the buffer, and the engine is
paused while more than ``FORUMCRAWL_MAX_BUFFERED_ITEMS`` wait. Nothing is
dropped: if the database is still down ``FORUMCRAWL_DB_CLOSE_TIMEOUT`` seconds
after the crawl ended, the unwritten items go to a JSONL file named in the log
(and, under ``JOBDIR``, their pages stay unfinished in the frontier journal so a
resume fetches them again). After each commit the pipeline sends
:data:`crawler.signals.items_committed`, which the spider's journal waits for.

Also records a crawl run (``crawl_runs``) with the final Scrapy stats, renews
its heartbeat every ``FORUMCRAWL_HEARTBEAT_INTERVAL`` seconds, and on opening
marks ``killed`` the earlier runs whose process is gone.

With the NLP hook on, each batch is written with ``outbox=True`` (every new or
edited post marked "not yet published" in the same transaction), published
after the commit, and its marks cleared with the next batch; whatever a crash
or a Redis outage left marked is drained at the start, after a failure, while
idle and at the end (see :class:`crawler.nlp.stream.PostPublisher`).
"""
from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor, task, threads
from twisted.python.threadpool import ThreadPool

from crawler import signals as fc_signals
from crawler.items import PostItem, ThreadItem
from crawler.nlp.stream import PostPublisher

log = logging.getLogger(__name__)


class WriterThreadPool(ThreadPool):
    """The store's writer thread, as a daemon thread.

    A forced stop (Scrapy's second Ctrl-C or SIGTERM) stops the reactor without
    closing the spider, so nothing would stop this pool and the interpreter
    would wait for its thread for ever. As a daemon it ends with the process:
    a transaction it had open is rolled back by the database, exactly as after
    SIGKILL (and under JOBDIR the journal has not marked those pages done).
    """

    def threadFactory(self, *args, **kwargs) -> threading.Thread:  # noqa: N802 - Twisted's name
        return threading.Thread(*args, daemon=True, **kwargs)


class StorePipeline:
    """Batching, retrying writer from items to :class:`storage.Store`."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.database_url_setting = settings.get("DATABASE_URL")
        self.batch_size = max(1, settings.getint("FORUMCRAWL_BATCH_SIZE", 500))
        self.flush_interval = settings.getfloat("FORUMCRAWL_FLUSH_INTERVAL", 2.0)
        self.max_buffered = settings.getint("FORUMCRAWL_MAX_BUFFERED_ITEMS", 20_000)
        self.retry_delay = settings.getfloat("FORUMCRAWL_DB_RETRY_DELAY", 0.5)
        self.retry_max_delay = settings.getfloat("FORUMCRAWL_DB_RETRY_MAX_DELAY", 30.0)
        self.close_timeout = settings.getfloat("FORUMCRAWL_DB_CLOSE_TIMEOUT", 120.0)
        self.heartbeat_interval = settings.getfloat("FORUMCRAWL_HEARTBEAT_INTERVAL", 30.0)
        self._beat_at = time.monotonic()
        self._maintaining = False
        self.stats = crawler.stats
        self.buffer: list[Any] = []
        self.pages: list[dict] = []
        self._writing = None
        self._paused = False
        self._closing = False
        self._give_up_at: float | None = None
        self._timer: task.LoopingCall | None = None
        self._pool: WriterThreadPool | None = None
        self.store = None
        self.run_id: int | None = None
        # A run started by `forumcrawl schedule run` already has its crawl_runs row.
        self.given_run_id = settings.getint("FORUMCRAWL_RUN_ID", 0) or None
        # New and edited posts go to the NLP hook after each commit (Redis Stream, or in-process).
        self.publisher = PostPublisher.from_settings(settings)
        crawler.signals.connect(self._on_page, signal=fc_signals.page_fetched)
        crawler.signals.connect(self._on_closed, signal=signals.spider_closed)
        crawler.signals.connect(self._on_idle, signal=signals.spider_idle)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    # -- lifecycle -----------------------------------------------------------------------------
    def open_spider(self) -> None:
        # The store opens (and migrates) on the writer thread: crawling starts at once,
        # and the first write waits for it.
        self._pool = WriterThreadPool(minthreads=1, maxthreads=1, name="forumcrawl-store")
        self._pool.start()
        d = threads.deferToThreadPool(reactor, self._pool, self._open_store)
        self._writing = d
        d.addErrback(self._store_failed)
        d.addBoth(self._write_done)
        self._timer = task.LoopingCall(self._flush)
        self._timer.start(self.flush_interval, now=False)

    def _open_store(self) -> None:
        """Runs on the writer thread: open the store, retrying while the database is unavailable."""
        from storage import Store, StoreUnavailable, resolve_database_url

        url = resolve_database_url(self.database_url_setting)
        delay = self.retry_delay
        while True:
            try:
                store = Store(url)
                break
            except StoreUnavailable as exc:
                if self._give_up_at is not None and time.monotonic() > self._give_up_at:
                    raise
                log.error("Database unavailable (%s); retrying in %.1fs", str(exc).splitlines()[0][:200], delay)
                time.sleep(delay)
                delay = min(delay * 2, self.retry_max_delay)
        log.info("Storing posts in %r", store)
        spider = self.crawler.spider
        try:
            store.reap_dead_runs()
            if not getattr(spider, "records_runs", False):  # (the generic spider: a row per site, crawler/sites.py)
                if self.given_run_id:
                    store.heartbeat(self.given_run_id, claim=True)
                self.run_id = self.given_run_id or store.start_run(
                    getattr(spider, "site", None) or "", getattr(spider, "crawl_args", {}))
        except Exception as exc:  # a run record is bookkeeping: never stop the crawl for it
            log.error("Could not record the crawl run: %s", exc)
        self.store = store
        self._drain(max_rows=5000)   # what an earlier run committed but could not publish

    def _store_failed(self, failure) -> None:
        log.error("Cannot open the database: %s", failure.getErrorMessage())
        self.stats.set_value("forumcrawl/db_open_failed", failure.getErrorMessage()[:300])
        if not self._closing:
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(self.crawler.engine.close_spider_async(reason="database_error"))

    def process_item(self, item: Any) -> Any:
        if isinstance(item, (ThreadItem, PostItem)):
            self.buffer.append(item)
            if len(self.buffer) >= self.batch_size:
                self._flush()
            if len(self.buffer) > self.max_buffered and not self._paused:
                log.warning("%d items wait for the database: pausing the crawl", len(self.buffer))
                self.crawler.engine.pause()
                self._paused = True
        return item

    def _on_page(self, page: dict) -> None:
        self.pages.append(page)

    def _on_idle(self) -> None:
        """The crawl is idle: write what is buffered now rather than at the next interval. With
        nothing buffered and no write running, everything that reached the pipeline is committed:
        say so (an empty ``items_committed``), so requests that yielded no items are acknowledged
        at once instead of after the frontier's commit grace."""
        if self._closing or self.store is None or self._writing is not None:
            return
        if self.buffer or self.pages:
            self._flush()
        else:
            self.crawler.signals.send_catch_log(fc_signals.items_committed, items=[], taken_at=time.monotonic())

    async def close_spider(self) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        self._closing = True
        self._give_up_at = time.monotonic() + self.close_timeout
        # Wait for the write in progress, then write whatever is left, in batches.
        while self._writing is not None or (self.store is not None and (self.buffer or self.pages)):
            if self._writing is None:
                self._flush()
            if self._writing is not None:
                try:
                    await maybe_deferred_to_future(self._writing)
                except Exception:
                    break  # already logged; the rest is dumped below
        if self.buffer:
            self._dump_unsaved(self.buffer)
            self.buffer = []
        if self.store is not None and self.publisher is not None:
            try:
                await maybe_deferred_to_future(threads.deferToThreadPool(reactor, self._pool, self._settle_outbox))
            except Exception as exc:  # noqa: BLE001 - the marks stay; the next run or nlp-publish sends them
                log.error("Could not settle the NLP outbox: %s", exc)
            self._publisher_stats()
        if self._pool is not None:
            self._pool.stop()

    def _on_closed(self, spider, reason: str) -> None:
        """Record the end of the run (after close_spider: the reason is known only here)."""
        if self.store is None:
            return
        if self.run_id is not None:
            from storage.runs import run_status

            status = run_status(reason, unsaved=bool(self.stats.get_value("forumcrawl/db_unsaved_items")))
            stats = _plain(self.stats.get_stats())
            stats["finish_reason"] = reason
            try:
                self.store.finish_run(self.run_id, stats=stats, status=status,
                                      site=getattr(spider, "site", None) if not self.given_run_id else None)
            except Exception as exc:
                log.error("Could not record the end of crawl run %s: %s", self.run_id, exc)
        self.store.close()
        self.store = None

    # -- writing -------------------------------------------------------------------------------
    def _flush(self) -> None:
        """Start writing the buffer unless a write is already running (it re-flushes when done)."""
        if self._writing is not None or self.store is None:
            return
        if not self.buffer and not self.pages:
            self._idle()
            return
        batch, self.buffer = self.buffer[: self.batch_size * 4], self.buffer[self.batch_size * 4:]
        pages, self.pages = self.pages, []
        taken_at = time.monotonic()
        d = threads.deferToThreadPool(reactor, self._pool, self._write, batch, pages)
        self._writing = d
        d.addCallbacks(self._written, self._failed, callbackArgs=(batch, taken_at), errbackArgs=(batch, pages))
        d.addBoth(self._write_done)

    def _write(self, batch: Sequence[Any], pages: list[dict]):
        """Runs on the writer thread: one transaction, retried while the database is unavailable."""
        from storage import StoreUnavailable

        thread_dicts = [i.as_dict() for i in batch if isinstance(i, ThreadItem)]
        post_dicts = [i.as_dict() for i in batch if isinstance(i, PostItem)]
        publisher = self.publisher
        published = publisher.take_marks() if publisher is not None else []
        delay = self.retry_delay
        attempt = 0
        while True:
            attempt += 1
            try:
                result = self.store.write_batch(thread_dicts, post_dicts, pages, outbox=publisher is not None,
                                                clear_outbox=published)
            except StoreUnavailable as exc:
                if self._give_up_at is not None and time.monotonic() > self._give_up_at:
                    raise
                log.error(
                    "Database unavailable (%s); batch of %d items kept, retry %d in %.1fs",
                    str(exc).splitlines()[0][:200], len(batch), attempt, delay,
                )
                reactor.callFromThread(self.stats.inc_value, "forumcrawl/db_retries")
                time.sleep(delay)
                delay = min(delay * 2, self.retry_max_delay)
                continue
            if publisher is not None:  # never raises: the posts are safe in SQL (and marked) already
                publisher.publish(post_dicts, result, self.store)
                if publisher.backlog:
                    self._drain(max_rows=2000)
            self._beat()
            return result

    # -- upkeep on the writer thread: NLP outbox, heartbeat --------------------------------------
    def _idle(self) -> None:
        """Nothing to write: renew the heartbeat or retry the outbox when due (on the writer thread)."""
        due = time.monotonic() - self._beat_at >= self.heartbeat_interval
        backlog = self.publisher is not None and self.publisher.backlog
        if self._maintaining or not (due or backlog) or self._pool is None:
            return
        self._maintaining = True

        def upkeep() -> None:
            if backlog:
                self._drain(max_rows=2000)
            self._beat()

        d = threads.deferToThreadPool(reactor, self._pool, upkeep)
        d.addErrback(lambda f: log.error("Store upkeep failed: %s", f.getErrorMessage()))
        d.addBoth(lambda _: setattr(self, "_maintaining", False))

    def _drain(self, max_rows: int | None = None) -> None:
        """Writer thread: publish what the outbox holds (never raises: the marks stay)."""
        if self.publisher is None or self.store is None:
            return
        try:
            self.publisher.drain(self.store, max_rows=max_rows)
        except Exception as exc:  # noqa: BLE001 - e.g. the database away: the next drain retries
            log.error("Could not drain the NLP outbox: %s", exc)

    def _settle_outbox(self) -> None:
        """Writer thread, at the end: clear the marks of what was published, send what is left."""
        self.store.clear_outbox(self.publisher.take_marks())
        self._drain()

    def _beat(self) -> None:
        if self.run_id is None or time.monotonic() - self._beat_at < self.heartbeat_interval:
            return
        self._beat_at = time.monotonic()
        try:
            self.store.heartbeat(self.run_id)
        except Exception as exc:  # noqa: BLE001 - bookkeeping: a missed beat is retried next time
            log.debug("Could not renew the run's heartbeat: %s", exc)

    def _publisher_stats(self) -> None:
        self.stats.set_value("forumcrawl/nlp_published", self.publisher.published)
        self.stats.set_value("forumcrawl/nlp_publish_failed", self.publisher.failed)
        self.stats.set_value("forumcrawl/nlp_outbox_drained", self.publisher.drained)

    def _written(self, result, batch: list[Any], taken_at: float) -> None:
        inserted, updated = len(result.inserted), len(result.updated)
        self.stats.inc_value("forumcrawl/db_batches")
        self.stats.inc_value("forumcrawl/db_posts_inserted", inserted)
        self.stats.inc_value("forumcrawl/db_posts_updated", updated)
        self.stats.inc_value("forumcrawl/db_posts_unchanged", result.unchanged)
        self.stats.inc_value("forumcrawl/db_items_committed", len(batch))
        if self.publisher is not None:
            self._publisher_stats()
        self.crawler.signals.send_catch_log(fc_signals.items_committed, items=batch, taken_at=taken_at)

    def _failed(self, failure, batch: list[Any], pages: list[dict]) -> None:
        from storage import StoreUnavailable

        if failure.check(StoreUnavailable):
            log.error("Database still unavailable after %.0fs: giving up on %d items",
                      self.close_timeout, len(batch))
        else:
            log.error("Writing a batch of %d items failed: %s", len(batch), failure.getTraceback())
        self._dump_unsaved(batch)

    def _write_done(self, _result) -> None:
        self._writing = None
        if self._paused and len(self.buffer) < self.max_buffered // 2:
            self.crawler.engine.unpause()
            self._paused = False
            log.info("Database writes caught up: crawl resumed")
        if not self._closing and len(self.buffer) >= self.batch_size:
            self._flush()

    def _dump_unsaved(self, items: Sequence[Any]) -> None:
        """Keep items the database refused in a JSONL file, so none is dropped silently."""
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        path = Path(f"forumcrawl-unsaved-{stamp}.jsonl").resolve()
        with path.open("a", encoding="utf-8") as fh:
            for item in items:
                fh.write(json.dumps({"type": type(item).__name__, **dict(item)}, ensure_ascii=False) + "\n")
        self.stats.inc_value("forumcrawl/db_unsaved_items", len(items))
        log.error("%d items not written to the database were saved to %s", len(items), path)


def _plain(stats: dict[str, Any]) -> dict[str, Any]:
    """Stats as JSON-ready values."""
    out = {}
    for key, value in stats.items():
        if isinstance(value, datetime):
            value = value.isoformat()
        elif not isinstance(value, (int, float, str, bool, type(None))):
            value = str(value)
        out[key] = value
    return out

