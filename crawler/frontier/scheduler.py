"""The shared-frontier scheduler: scrapy-redis' scheduler with acknowledged pops,
heartbeats, global termination and tolerance of Redis outages (see :mod:`crawler.frontier`)."""
from __future__ import annotations

import heapq
import importlib
import logging
import time
import uuid
from typing import Any

import redis
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.misc import load_object
from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.scheduler import Scheduler as RedisScheduler
from twisted.internet import task

from crawler.frontier.acks import AckLedger
from crawler.frontier.keys import frontier_key, redis_url_from
from crawler.frontier.pulse import Pulse
from crawler.frontier.queue import ReliableQueue
from crawler.frontier.seen import CompactDupeFilter
from crawler.signals import frontier_drained, items_committed, request_deferred, request_released

logger = logging.getLogger("crawler.frontier")

_REDIS_ERRORS = (redis.ConnectionError, redis.TimeoutError, ConnectionError, OSError)


class FrontierScheduler(RedisScheduler):
    """scrapy-redis' scheduler with acknowledged pops, heartbeats, global
    termination and tolerance of Redis outages (see the module docstring).

    Settings: ``FRONTIER_KEY`` (key prefix, default
    ``forumcrawl:frontier:<spider>``), ``FRONTIER_HEARTBEAT`` (seconds, 2),
    ``FRONTIER_WORKER_TIMEOUT`` (seconds without heartbeat before a worker's
    work is re-queued, 30), ``FRONTIER_ACK_ON_COMMIT`` (acknowledge a finished
    request at the next ``items_committed`` signal, or after
    ``FRONTIER_COMMIT_GRACE`` seconds (3) if no commit comes because it yielded
    no items; default: on when ``crawler.pipelines.StorePipeline`` is enabled),
    ``FRONTIER_STALL_LIMIT`` (seconds the reactor may not run before the
    worker stops beating and counts as dead, default the larger of 300 and
    10 x ``FRONTIER_WORKER_TIMEOUT``; heartbeats come from a thread, see
    :mod:`crawler.frontier.pulse`), ``FRONTIER_WAIT_FOR_SEED`` (seconds an idle worker of a never-seeded
    frontier waits for ``forumcrawl enqueue`` before exiting; 0 = forever),
    ``FRONTIER_STARTUP_WAIT`` (seconds to wait for an unreachable Redis at
    start, 30).
    """

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        instance = cls(
            server=get_redis_from_settings(settings),
            persist=True,
            queue_cls=settings.get("SCHEDULER_QUEUE_CLASS") or "crawler.frontier.ReliableQueue",
            dupefilter_cls=settings.get("DUPEFILTER_CLASS") or "crawler.frontier.CompactDupeFilter",
            serializer=settings.get("SCHEDULER_SERIALIZER"),
        )
        if isinstance(instance.serializer, str):
            instance.serializer = importlib.import_module(instance.serializer)
        instance.crawler = crawler
        instance.stats = crawler.stats
        instance.heartbeat_every = settings.getfloat("FRONTIER_HEARTBEAT", 2.0)
        instance.worker_timeout = settings.getfloat("FRONTIER_WORKER_TIMEOUT", 30.0)
        instance.stall_limit = settings.getfloat("FRONTIER_STALL_LIMIT", 0.0) or max(300.0, 10 * instance.worker_timeout)
        store_pipeline = any(str(p).endswith("StorePipeline") and v is not None
                             for p, v in settings.getdict("ITEM_PIPELINES").items())
        instance.ack_on_commit = settings.getbool("FRONTIER_ACK_ON_COMMIT", store_pipeline)
        instance.commit_grace = settings.getfloat("FRONTIER_COMMIT_GRACE", 3.0)
        instance.wait_for_seed = settings.getfloat("FRONTIER_WAIT_FOR_SEED", 0.0)
        instance.redis_url = redis_url_from(settings) or "redis"
        crawler.signals.connect(instance._on_idle, signal=signals.spider_idle)
        crawler.signals.connect(instance._on_committed, signal=items_committed)
        crawler.signals.connect(instance._on_deferred, signal=request_deferred)
        crawler.signals.connect(instance._on_released, signal=request_released)
        return instance

    # -- lifecycle ---------------------------------------------------------
    def open(self, spider):
        self.spider = spider
        self._wait_for_redis(spider.settings.getfloat("FRONTIER_STARTUP_WAIT", 30.0))
        key = frontier_key(spider.settings, spider.name)
        self.queue = load_object(self.queue_cls)(
            server=self.server, spider=spider, key=key, serializer=self.serializer
        )
        if not self.df:
            self.df = load_object(self.dupefilter_cls).from_spider(spider)
        self.acks = AckLedger()  # held, finished and deferred requests of this worker
        self.unpushed: list[Any] = []  # requests found while Redis was away
        self.local: list[tuple[int, int, Any]] = []  # heap of this worker's own continuations
        self.local_count = 0
        self.redis_down_since: float | None = None
        self.orphans_due = False  # after an outage: look for pops whose reply was lost
        self.seeded_marked = False
        self.epoch_key = f"{key}:epoch"
        self.epoch: bytes | None = self.server.get(self.epoch_key)  # the run this worker takes part in
        self.lost = False
        self.said_waiting = False
        self.idle_waiting = False
        self.opened_at = time.monotonic()
        self._beat(initial=True)
        # Heartbeats from a thread: a reactor busy for a while (template learning...) is no death.
        self.pulse = Pulse(self.queue, ttl=self.worker_timeout, every=self.heartbeat_every,
                           stall_limit=self.stall_limit, epoch=lambda: self.epoch, errors=_REDIS_ERRORS)
        self.pulse.start()
        self._loop = task.LoopingCall(self._beat)
        self._loop.start(self.heartbeat_every, now=False)
        queued, held, workers = self.queue.status()
        logger.info(
            "Shared frontier %s on %s: worker %s, %d queued, %d held by %d workers",
            key, self.redis_url, self.queue.worker_id, queued, held, workers,
        )

    def _wait_for_redis(self, patience: float) -> None:
        """Give a Redis that is still starting up ``patience`` seconds, then fail clearly."""
        deadline = time.monotonic() + patience
        said = False
        while True:
            try:
                self.server.ping()
                return
            except _REDIS_ERRORS as exc:
                if time.monotonic() >= deadline:
                    raise RuntimeError(
                        f"Redis unreachable at {self.redis_url}: {exc}. The shared frontier (REDIS_URL) needs "
                        "it: start Redis, or unset REDIS_URL for a single-process crawl") from None
                if not said:
                    logger.error("Redis unreachable at %s: %s; waiting up to %.0fs for it",
                                 self.redis_url, exc, patience)
                    said = True
                time.sleep(1)

    def close(self, reason):
        if getattr(self, "_loop", None) is not None and self._loop.running:
            self._loop.stop()
        if getattr(self, "pulse", None) is not None:
            self.pulse.stop()
        if self.lost:  # nothing to give back: the frontier it came from is gone
            try:
                self.queue.forget_worker()
            except _REDIS_ERRORS:
                pass
            return
        # The engine has drained its slot and the pipelines have flushed before
        # the scheduler closes: everything this worker popped is finished, except
        # pages the spider still keeps. At the end of the crawl ("finished") those
        # are parked pages no chain reached; otherwise (a shutdown) they go back to
        # the shared queue with the rest of this worker's work.
        ending = reason == "finished"
        orphans = self.acks.closing(ending)
        if self.local:  # never started: left in the processing hash, so retire() re-queues them
            logger.info("%d own continuation requests go back to the shared queue", len(self.local))
            self.local.clear()
        try:
            self._flush_unpushed()
            self._park_finished()
            self.queue.ack(self.acks.finished)
            self.acks.finished.clear()
            if ending:
                self.queue.drop_parked()
                if orphans:
                    logger.info("Dropped %d parked thread pages that no chain reached", orphans)
            self.queue.retire()
        except _REDIS_ERRORS as exc:
            logger.error(
                "Redis unreachable at %s while closing: %s; %d requests found since it went "
                "away are lost; other workers re-queue this worker's requests after %.0fs",
                self.redis_url, exc, len(self.unpushed), self.worker_timeout)

    # -- scheduler interface -----------------------------------------------
    def enqueue_request(self, request):
        if self.lost:  # closing: a link found now would start a new crawl in an empty Redis
            return False
        if self._is_local(request):
            return self._keep_local(request)
        if self.unpushed or self.redis_down_since is not None:
            self.unpushed.append(request)
            return True
        try:
            if not self._push(request):
                self.df.log(request, self.spider)
                return False
        except _REDIS_ERRORS as exc:
            self._redis_failed(exc)
            self.unpushed.append(request)
            return True
        self._redis_ok()
        return True

    def next_request(self):
        if self.lost:
            return None
        self._collect_finished()
        if self.local:  # this worker's own continuations first (a thread's next page...)
            request = heapq.heappop(self.local)[2]
            self.acks.popped(request.meta["frontier_id"], request)
            return request
        try:
            if self.unpushed:
                self._flush_unpushed()
            request = self.queue.pop()
        except _REDIS_ERRORS as exc:
            self._redis_failed(exc)
            return None
        self._redis_ok()
        if request is None:
            return None
        self.acks.popped(request.meta["frontier_id"], request)
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        if self.lost:
            return False
        if self.local or self.unpushed or self.redis_down_since is not None:
            return True
        try:
            return len(self.queue) > 0
        except _REDIS_ERRORS as exc:
            self._redis_failed(exc)
            return True

    def __len__(self):
        return len(self.queue) + len(self.unpushed) + len(self.local)

    @staticmethod
    def _is_local(request) -> bool:
        """``dont_filter`` requests (other than start requests) are a spider's own
        continuations - the next page of a thread it is reading, a retry, an
        internal ``data:`` request - that only make sense in the process that
        made them. They stay with this worker unless ``meta["frontier_local"]``
        is False; ``meta["frontier_local"] = True`` keeps any request local."""
        if request.meta.get("is_start_request", False):
            return False
        return bool(request.meta.get("frontier_local", request.dont_filter))

    def _keep_local(self, request) -> bool:
        meta = request.meta
        try:
            if meta.pop("fc_claim", False):
                # A thread chain's next page: this worker's if no worker has seen it (held at once,
                # in the same step), else the chain's context is left for the worker that has it.
                seen = self.df.slot_of(self.df.fingerprint_bytes(request))
                if not self.queue.claim(request, seen, meta.get("fc_key") or request.url, meta["fc_thread"]):
                    if self.stats:
                        self.stats.inc_value("forumcrawl/chain_handoffs")
                    return False
            else:
                if not meta.get("frontier_local_seen"):
                    self.df.request_seen(request)  # other workers must not fetch it from a link
                self.queue.hold(request)
        except _REDIS_ERRORS as exc:
            self._redis_failed(exc)
            request.meta["frontier_id"] = request.meta.get("frontier_id") or uuid.uuid4().hex
        self.local_count += 1
        heapq.heappush(self.local, (-request.priority, self.local_count, request))
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/local")
        return True

    def _push(self, request) -> bool:
        """Queue a request unless seen before, marking it seen in the same atomic step (a
        worker dying in between would leave a URL seen that no queue holds). Start
        requests are checked too, so N workers seed once. A ``dont_filter`` request is
        never dropped, but it is recorded as seen, so that other workers do not fetch
        the same URL again from a link. False if dropped as seen."""
        start = request.meta.get("is_start_request", False)
        seen = self.df.slot_of(self.df.fingerprint_bytes(request))
        if not self.queue.push_new(request, seen, force=request.dont_filter and not start):
            return False
        if not self.seeded_marked:
            self.server.set(f"{self.queue.key}:seeded", b"1")
            self.seeded_marked = True
            mark_epoch(self.server, self.queue.key)
            if self.epoch is None:
                self.epoch = self.server.get(self.epoch_key)
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    # -- acknowledgement ---------------------------------------------------
    def _in_engine(self) -> set[int] | None:
        """Identities of requests the engine still works on (None if unknown)."""
        slot = getattr(getattr(self.crawler, "engine", None), "_slot", None)
        inprogress = getattr(slot, "inprogress", None)
        return None if inprogress is None else {id(r) for r in inprogress}

    def _collect_finished(self) -> None:
        """Move requests the engine is done with from held to finished, and
        acknowledge them (at once, or in ack-on-commit mode once committed or
        past the grace period)."""
        acks = self.acks
        if acks.held:
            live = self._in_engine()
            if live is None:  # unknown engine internals: trust only an idle engine
                engine = self.crawler.engine
                idle = engine is not None and not engine.downloader.active and engine.scraper.slot.is_idle()
                acks.engine_done(list(acks.held) if idle else [])
            else:
                acks.engine_done(acks.not_in(live))
        if acks.to_park:
            self._park_finished()
        if not acks.finished:
            return
        if not self.ack_on_commit:
            self._ack_finished()
            return
        stale = acks.stale(self.commit_grace)
        if stale:
            self._ack_finished(stale)

    def _ack_finished(self, ids: list[str] | None = None) -> None:
        ids = list(self.acks.finished) if ids is None else ids
        try:
            self.queue.ack(ids)
        except _REDIS_ERRORS as exc:
            self._redis_failed(exc)
            return
        self.acks.acked(ids)

    def _on_deferred(self, request_id: str, parked_url: str = "", **kwargs) -> None:
        """The spider keeps the page of request ``request_id`` beyond its callback
        (``crawler.signals.request_deferred``): not acknowledged until released."""
        if request_id and self.acks.defer(request_id, parked_url):
            self._park_finished()

    def _on_released(self, request_id: str, **kwargs) -> None:
        """The spider is done with a deferred request: its items are committed."""
        if self.acks.release(request_id):
            self._ack_finished([request_id])

    def _park_finished(self) -> None:
        """Move deferred requests the engine has finished into the parked hash."""
        try:
            for rid, url in list(self.acks.to_park.items()):
                self.queue.park(rid, url)
                self.acks.parked(rid)
        except _REDIS_ERRORS as exc:
            self._redis_failed(exc)

    def _on_committed(self, taken_at: float | None = None, **kwargs) -> None:
        """A batch was committed: acknowledge what it made safe (:meth:`AckLedger.committed`)."""
        self._collect_finished()
        safe = self.acks.committed(taken_at)
        if safe:
            self._ack_finished(safe)
            if self.idle_waiting:  # it may have been waiting for just this: re-run the idle check now
                self._wake_engine()

    # -- heartbeat, reaping, termination ------------------------------------
    def _beat(self, initial: bool = False) -> None:
        if self.lost:
            return
        if not initial:
            self.pulse.tick()  # the reactor runs: the pulse thread may go on beating
        try:
            if not self._same_epoch():
                return
            if initial:  # later heartbeats come from the pulse thread
                self.queue.heartbeat(self.worker_timeout)
            self._reap_dead_workers()
            self._flush_unpushed()
        except _REDIS_ERRORS as exc:
            if initial:
                raise
            self._redis_failed(exc)
            return
        self._redis_ok()
        self._collect_finished()
        if self.orphans_due:
            self._give_back_orphans()
        if self.idle_waiting:  # re-run the engine's idle check at heartbeat pace, not every 5 s
            self._wake_engine()

    def _wake_engine(self) -> None:
        """Have the engine look for requests (and re-run its idle check) soon, not at its 5 s heartbeat."""
        nextcall = getattr(getattr(self.crawler.engine, "_slot", None), "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()

    def _reap_dead_workers(self) -> None:
        """Re-queue the requests of workers whose heartbeat expired, logged and counted."""
        moved = self.queue.reap(spare_self=True)
        if moved:
            logger.info("Re-queued %d requests of dead workers", moved)
            if self.stats:
                self.stats.inc_value("frontier/requeued", moved)

    def _on_idle(self, spider=None) -> None:
        """Keep an idle worker open while the shared crawl has work anywhere."""
        if self.lost:
            raise DontCloseSpider  # closing with reason frontier_lost already
        self._collect_finished()
        try:
            if not self._same_epoch():
                raise DontCloseSpider
            self._flush_unpushed()
            self._reap_dead_workers()
            queued, held, _ = self.queue.status(finishing=not (self.unpushed or self.acks.finished or self.local))
            if held and self._give_back_orphans():
                queued, held, _ = self.queue.status()
            seeded = bool(self.server.exists(f"{self.queue.key}:seeded"))
        except _REDIS_ERRORS as exc:
            self._redis_failed(exc)
            raise DontCloseSpider from exc
        self._redis_ok()
        self.idle_waiting = bool(queued or held or self.unpushed or self.acks.finished or self.local)
        if self.idle_waiting:
            raise DontCloseSpider
        waited = time.monotonic() - self.opened_at
        if not seeded and (not self.wait_for_seed or waited < self.wait_for_seed):
            if not self.said_waiting:
                logger.info("Frontier %s is empty: waiting for `forumcrawl enqueue URL`", self.queue.key)
                self.said_waiting = True
            self.idle_waiting = True
            raise DontCloseSpider
        # A last call: the spider may still hold work no other worker can reach (parked pages).
        self.crawler.signals.send_catch_log(frontier_drained)
        if self.local or self.unpushed:
            self.idle_waiting = True
            raise DontCloseSpider
        logger.info("Shared frontier %s is empty and no worker holds work: finishing", self.queue.key)

    def _give_back_orphans(self) -> int:
        """Put back on the queue the requests in this worker's processing hash that it does not
        account for. A pop that Redis ran just before it went away, or whose reply was lost,
        moved a request there that no one fetches; held by a live worker, no reaper returns it,
        and the whole crawl waited for it for ever (seen: 33 of 40 pages, then an idle loop).
        Runs in the reactor thread, never between a pop and its bookkeeping."""
        try:
            known = self.acks.known() | {r.meta.get("frontier_id") for _, _, r in self.local}
            orphans = self.queue.held_ids() - known
            moved = self.queue.give_back(orphans) if orphans else 0
        except _REDIS_ERRORS as exc:
            self._redis_failed(exc)
            return 0
        self.orphans_due = False
        if moved:
            logger.warning("Gave back %d requests this worker was recorded as holding but never got "
                           "(their pop's reply was lost to a Redis outage)", moved)
            if self.stats:
                self.stats.inc_value("frontier/orphans_returned", moved)
        return moved

    # -- a frontier lost with Redis's data ---------------------------------------
    def _same_epoch(self) -> bool:
        """Is the frontier still the one this worker took part in? A Redis that restarted
        without persistence, or was flushed, comes back empty: queue, seen-set, other
        workers' work in progress - and the run epoch - gone. Finishing then would record
        a crawl of part of the site as complete; the worker stops with ``frontier_lost``."""
        current = self.server.get(self.epoch_key)
        if self.epoch is None:  # not seeded yet when this worker started: it joins this run
            self.epoch = current
            return True
        if current == self.epoch:
            return True
        self.lost = True
        if getattr(self, "pulse", None) is not None:
            self.pulse.stop()
        logger.error(
            "Shared frontier %s was lost: its run epoch is %s (Redis restarted without persistence, was "
            "flushed, or `forumcrawl enqueue --reset` replaced the crawl); this worker stops (close reason "
            "frontier_lost) instead of finishing with part of the site. Enqueue the site again to crawl the "
            "rest (stored posts are not duplicated); run Redis with appendonly yes",
            self.queue.key, "gone" if current is None else "a new one")
        if self.stats:
            self.stats.set_value("frontier/lost", 1)
        self.idle_waiting = False
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="frontier_lost"))
        return False

    # -- Redis outages ---------------------------------------------------------
    def _flush_unpushed(self) -> None:
        while self.unpushed:
            self._push(self.unpushed[0])
            self.unpushed.pop(0)

    def _redis_failed(self, exc: Exception) -> None:
        if self.redis_down_since is None:
            self.redis_down_since = time.monotonic()
            logger.error(
                "Redis unreachable at %s: %s. New requests are held in memory and the "
                "crawl resumes when Redis is back", self.redis_url, exc)
        if self.stats:
            self.stats.inc_value("frontier/redis_errors")

    def _redis_ok(self) -> None:
        if self.redis_down_since is not None:
            logger.warning("Redis at %s is back after %.0fs; resuming (%d held requests to push)",
                           self.redis_url, time.monotonic() - self.redis_down_since, len(self.unpushed))
            self.redis_down_since = None
            self.orphans_due = True


def seed(redis_client: redis.Redis, key: str, urls, priority: int = 0) -> int:
    """Queue start URLs into a shared frontier (used by ``forumcrawl enqueue``).

    Returns how many were new. The URLs are marked seen (with Scrapy's default
    fingerprint, as the workers use) so workers do not queue them again; the
    frontier is marked seeded so idle workers stop waiting for work.
    """
    from scrapy import Request

    class _Anonymous:  # requests carry no callback: the spider's parse() handles them
        name = "enqueue"

    queue = ReliableQueue(redis_client, _Anonymous(), key, worker_id="enqueue")
    seen = CompactDupeFilter(redis_client, key)
    added = 0
    for url in urls:
        request = Request(url, priority=priority)
        added += queue.push_new(request, seen.slot_of(seen.fingerprint_bytes(request)))
    redis_client.set(f"{key}:seeded", b"1")
    mark_epoch(redis_client, key)
    return added


def mark_epoch(redis_client: redis.Redis, key: str) -> None:
    """Give a frontier being seeded its run epoch (kept if it has one): a random token that
    only a Redis losing its data (or ``enqueue --reset``) removes, so that workers notice."""
    redis_client.set(f"{key}:epoch", uuid.uuid4().hex.encode(), nx=True)
