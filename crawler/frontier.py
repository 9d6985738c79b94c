"""The shared crawl frontier: one Redis holds the queue, the seen-set and the
work in progress of any number of ``scrapy crawl generic`` processes.

Built on scrapy-redis (connection handling, request serialisation, the
scheduler's settings), closing three gaps it leaves with our Scrapy:

* **Lost requests.** scrapy-redis pops a request and forgets it; a worker that
  dies before finishing it loses it. Here a pop atomically moves the request
  into the worker's *processing* hash; it is removed (acknowledged) only once
  the engine has finished with it (its items went through the pipelines, its
  links were queued) - or, with ``FRONTIER_ACK_ON_COMMIT``, only once the SQL
  pipeline says those items are committed. Every worker keeps a heartbeat key
  alive; live workers re-queue the processing hash of a worker whose heartbeat
  expired. A thread page the spider parks (waiting for its chain) keeps its
  request in the worker's *parked* hash until the page's items are committed,
  and the chain context it reads on with stays in ``key:taken`` until then, so
  a dead worker's parked pages are re-queued and read on at the right position.
* **Termination.** scrapy-redis closes a worker after a fixed idle time, and
  its ``close()`` deletes the shared queue and seen-set unless
  ``SCHEDULER_PERSIST``. Here an idle worker exits only when, in one atomic
  snapshot, the queue is empty and no live worker holds work; shared state is
  never flushed by a closing worker.
* **Start requests.** Scrapy >= 2.13 feeds ``Spider.start()`` through the
  scheduler, with ``dont_filter=True`` for ``start_urls``; each worker would
  re-queue the seed. Start requests are de-duplicated here, so N workers seed once.

Redis outages are logged once, requests found meanwhile are held in memory and
pushed when Redis returns; workers neither exit nor lose work while it is away.

The seen-set (:class:`CompactDupeFilter`) stores 63 bits of each request
fingerprint as an integer field of small bucketed Redis hashes (listpack
encoded), about 12-16 bytes per URL instead of ~90 for a set of SHA1 hex
strings; see docs/scale.md for the measurement.
"""
from __future__ import annotations

import heapq
import importlib
import logging
import os
import time
import uuid
from typing import Any

import redis
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.settings import BaseSettings
from scrapy.utils.misc import load_object
from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import Base as RedisQueueBase
from scrapy_redis.scheduler import Scheduler as RedisScheduler
from twisted.internet import task

logger = logging.getLogger(__name__)

#: Sent by the store pipeline after each commit (crawler.signals); with
#: FRONTIER_ACK_ON_COMMIT the frontier acknowledges finished requests only then.
from crawler.signals import items_committed, request_deferred, request_released  # noqa: E402

DEFAULT_KEY = "forumcrawl:frontier:%(spider)s"
ID_LEN = 32  # uuid4 hex prefix of every queue member

_REDIS_ERRORS = (redis.ConnectionError, redis.TimeoutError, ConnectionError, OSError)

# Pop the best request and move it into this worker's processing hash, atomically.
_POP = """
local items = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #items == 0 then return false end
local member, score = items[1], items[2]
redis.call('ZREM', KEYS[1], member)
redis.call('HSET', KEYS[2], string.sub(member, 1, %d), score .. ' ' .. member)
return member
""" % ID_LEN

# Re-queue the work of every registered worker whose heartbeat expired: its processing hash
# ("score member") and its parked hash ("url\nscore member"). A thread-chain context the dead
# worker had taken for one of those requests (key:taken, "url\ncontext") goes back on the chain
# board (key:chain), so whichever worker fetches the page again reads on from the right post.
_REAP = """
local moved = 0
local chain, taken = ARGV[1] .. ':chain', ARGV[1] .. ':taken'
local function requeue(v)
  local sp = string.find(v, ' ', 1, true)
  local member = string.sub(v, sp + 1)
  redis.call('ZADD', KEYS[1], tonumber(string.sub(v, 1, sp - 1)), member)
  local rid = string.sub(member, 1, %d)
  local t = redis.call('HGET', taken, rid)
  if t then
    local nl = string.find(t, '\\n', 1, true)
    redis.call('HSET', chain, string.sub(t, 1, nl - 1), string.sub(t, nl + 1))
    redis.call('HDEL', taken, rid)
  end
  moved = moved + 1
end
for _, w in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('EXISTS', ARGV[1] .. ':alive:' .. w) == 0 then
    local h, p = ARGV[1] .. ':processing:' .. w, ARGV[1] .. ':parked:' .. w
    for _, v in ipairs(redis.call('HVALS', h)) do requeue(v) end
    for _, v in ipairs(redis.call('HVALS', p)) do
      requeue(string.sub(v, string.find(v, '\\n', 1, true) + 1))
    end
    redis.call('DEL', h, p)
    redis.call('SREM', KEYS[2], w)
  end
end
return moved
""" % ID_LEN

# Move a finished request whose page the spider keeps (parked, or waiting for the template)
# from the processing hash into the parked hash, with the URL chains leave its context under.
# Parking a request already parked (a page held for the template, then parked for its chain)
# only changes its URL.
_PARK = """
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v then
  redis.call('HDEL', KEYS[1], ARGV[1])
else
  local old = redis.call('HGET', KEYS[2], ARGV[1])
  if not old then return 0 end
  v = string.sub(old, string.find(old, '\\n', 1, true) + 1)
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2] .. '\\n' .. v)
return 1
"""

# Take the chain contexts left for some URLs (ARGV: url, request id, url, request id...),
# moving each into key:taken under the id of the request whose page reads on with it.
_TAKE = """
local out = {}
for i = 1, #ARGV, 2 do
  local v = redis.call('HGET', KEYS[1], ARGV[i])
  if v then
    redis.call('HDEL', KEYS[1], ARGV[i])
    if ARGV[i + 1] ~= '' then redis.call('HSET', KEYS[2], ARGV[i + 1], ARGV[i] .. '\\n' .. v) end
    out[#out + 1] = ARGV[i]
    out[#out + 1] = v
  end
end
return out
"""

# One consistent snapshot: queued requests, requests held by workers, workers. A parked page
# counts as held only while a thread chain's context waits for it (key:chain): then a live
# worker is about to read it on, or a dead one's is about to be re-queued. Otherwise no chain
# can reach it any more once nothing is queued or in flight, and it must not keep workers open.
# With ARGV[2] = "1", a snapshot that finds the crawl over also clears the chain board.
_STATUS = """
local held = 0
local chain = ARGV[1] .. ':chain'
local workers = redis.call('SMEMBERS', KEYS[2])
for _, w in ipairs(workers) do
  held = held + redis.call('HLEN', ARGV[1] .. ':processing:' .. w)
  for _, v in ipairs(redis.call('HVALS', ARGV[1] .. ':parked:' .. w)) do
    local url = string.sub(v, 1, string.find(v, '\\n', 1, true) - 1)
    if url ~= '' and redis.call('HEXISTS', chain, url) == 1 then held = held + 1 end
  end
end
local queued = redis.call('ZCARD', KEYS[1])
if ARGV[2] == '1' and queued == 0 and held == 0 then
  -- The crawl is over: a context still on the board is for a page that was read anyway
  -- (a dead worker's request re-read with its own context) or never will be.
  redis.call('DEL', chain)
end
return {queued, held, #workers}
"""


def redis_url_from(settings: BaseSettings | None = None) -> str | None:
    """The Redis URL from the ``REDIS_URL`` setting, else the environment."""
    url = settings.get("REDIS_URL") if settings is not None else None
    return url or os.environ.get("REDIS_URL") or None


def apply_redis_settings(settings: BaseSettings, priority: str = "spider") -> bool:
    """Switch a crawl to the shared frontier when ``REDIS_URL`` is set.

    Call from ``Spider.update_settings``; returns False (changing nothing)
    without a Redis URL, so the embedded default stays untouched. Explicit
    ``-s`` overrides keep precedence over these spider-priority values.
    """
    url = redis_url_from(settings)
    if not url:
        return False
    settings.set("REDIS_URL", url, priority=priority)
    settings.set("SCHEDULER", "crawler.frontier.FrontierScheduler", priority=priority)
    settings.set("DUPEFILTER_CLASS", "crawler.frontier.CompactDupeFilter", priority=priority)
    settings.set("SCHEDULER_QUEUE_CLASS", "crawler.frontier.ReliableQueue", priority=priority)
    settings.set("SCHEDULER_PERSIST", True, priority=priority)
    # scrapy-redis waits 30 s on a dead socket, freezing the reactor; fail fast and retry instead
    params = {"socket_connect_timeout": 5, "socket_timeout": 15, "retry_on_timeout": True}
    params.update(settings.getdict("REDIS_PARAMS"))
    settings.set("REDIS_PARAMS", params, priority=priority)
    return True


def frontier_key(settings: BaseSettings, spider_name: str) -> str:
    """Redis key prefix of one shared crawl (``FRONTIER_KEY``, default per spider)."""
    return (settings.get("FRONTIER_KEY") or DEFAULT_KEY) % {"spider": spider_name}


class ReliableQueue(RedisQueueBase):
    """Priority queue whose pops are parked per worker until acknowledged.

    Keys under the prefix ``key``: ``key:queue`` (sorted set, score = -priority,
    member = 32-hex id + serialized request), ``key:workers`` (set),
    ``key:alive:<worker>`` (heartbeat, expires), ``key:processing:<worker>``
    (hash id -> "score member"), ``key:parked:<worker>`` (hash id -> "url\\nscore
    member": finished requests whose pages the spider still keeps, see :meth:`park`),
    ``key:taken`` (hash id -> "url\\ncontext": thread-chain contexts taken for
    requests not yet acknowledged, see :class:`ChainBoard`). Uses keys built
    inside Lua, so it needs a single Redis server (not Redis Cluster).
    """

    def __init__(self, server, spider, key, serializer=None, worker_id: str | None = None):
        super().__init__(server, spider, key, serializer)
        self.worker_id = worker_id or f"{os.uname().nodename}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.queue_key = f"{self.key}:queue"
        self.workers_key = f"{self.key}:workers"
        self.processing_key = f"{self.key}:processing:{self.worker_id}"
        self.alive_key = f"{self.key}:alive:{self.worker_id}"
        self.parked_key = f"{self.key}:parked:{self.worker_id}"
        self.taken_key = f"{self.key}:taken"
        self._pop = server.register_script(_POP)
        self._park = server.register_script(_PARK)
        self._reap = server.register_script(_REAP)
        self._status = server.register_script(_STATUS)

    # -- queue interface used by scrapy-redis' scheduler -------------------
    def __len__(self) -> int:
        return self.server.zcard(self.queue_key)

    def push(self, request) -> str:
        """Queue a request; returns its frontier id (also put in its meta)."""
        rid = uuid.uuid4().hex
        request.meta["frontier_id"] = rid
        self.server.zadd(self.queue_key, {rid.encode() + self._encode_request(request): -request.priority})
        return rid

    def hold(self, request) -> str:
        """Record a request this worker keeps for itself (not shared) in its
        processing hash, so that it is re-queued for others if the worker dies."""
        rid = uuid.uuid4().hex
        request.meta["frontier_id"] = rid
        score = -request.priority
        member = rid.encode() + self._encode_request(request)
        self.server.hset(self.processing_key, rid, f"{score} ".encode() + member)
        return rid

    def pop(self, timeout: int = 0):
        """Pop the best request into this worker's processing hash; None if empty."""
        member = self._pop(keys=[self.queue_key, self.processing_key])
        if not member:
            return None
        request = self._decode_request(member[ID_LEN:])
        request.meta["frontier_id"] = member[:ID_LEN].decode()
        return request

    def clear(self) -> None:
        """Delete the queue and all processing state of this frontier."""
        keys = [self.queue_key, self.workers_key, f"{self.key}:seeded", f"{self.key}:chain", self.taken_key]
        keys += list(self.server.scan_iter(match=f"{self.key}:processing:*"))
        keys += list(self.server.scan_iter(match=f"{self.key}:parked:*"))
        keys += list(self.server.scan_iter(match=f"{self.key}:alive:*"))
        self.server.delete(*keys)

    # -- reliability -------------------------------------------------------
    def heartbeat(self, ttl: float) -> bool:
        """Mark this worker alive for ``ttl`` seconds; False if it was not registered."""
        pipe = self.server.pipeline()
        pipe.sadd(self.workers_key, self.worker_id)
        pipe.set(self.alive_key, b"1", px=max(1, int(ttl * 1000)))
        added, _ = pipe.execute()
        return added == 0

    def ack(self, ids) -> None:
        """Forget finished requests (they will not be re-queued), parked or not, with
        any thread-chain context taken for them."""
        ids = list(ids)
        if ids:
            pipe = self.server.pipeline(transaction=False)
            pipe.hdel(self.processing_key, *ids)
            pipe.hdel(self.parked_key, *ids)
            pipe.hdel(self.taken_key, *ids)
            pipe.execute()

    def park(self, rid: str, url: str = "") -> bool:
        """Keep a request the engine has finished but whose page the spider still holds
        (a later thread page waiting for its chain, under its canonical ``url``; or a page
        waiting for the site template, ``url`` ""). It stays un-acknowledged, so a dead
        worker's parked pages are re-queued, but it no longer counts as work in progress:
        :meth:`status` counts it only while a chain's context waits under ``url``.
        False if the request was not in this worker's processing hash."""
        return bool(self._park(keys=[self.processing_key, self.parked_key], args=[rid, url]))

    def drop_parked(self) -> int:
        """Forget this worker's parked requests: at the end of a crawl, pages no chain reached."""
        pipe = self.server.pipeline()
        pipe.hlen(self.parked_key)
        pipe.delete(self.parked_key)
        return int(pipe.execute()[0])

    def reap(self) -> int:
        """Re-queue work held by workers whose heartbeat expired; returns how many."""
        return int(self._reap(keys=[self.queue_key, self.workers_key], args=[self.key]))

    def status(self, finishing: bool = False) -> tuple[int, int, int]:
        """(queued, held by workers, registered workers), atomically. Parked requests
        count as held only while a chain context waits for them (see ``_STATUS``).
        ``finishing``: if nothing is queued or held, also drop the stale chain contexts."""
        queued, held, workers = self._status(keys=[self.queue_key, self.workers_key],
                                             args=[self.key, "1" if finishing else "0"])
        return int(queued), int(held), int(workers)

    def retire(self) -> None:
        """Leave the worker set; anything still held goes back to the queue."""
        self.server.delete(self.alive_key)
        self.reap()


class CompactDupeFilter(RFPDupeFilter):
    """Shared seen-set with ~12-16 bytes per URL.

    Scrapy's request fingerprint (SHA1) is split into a bucket number and a
    63-bit integer; ``HSETNX key:seen:<bucket> <int> ""`` is one atomic
    test-and-set. Buckets hold ~40 entries at ``FRONTIER_DEDUP_CAPACITY``
    (default 10 million), so Redis keeps them listpack-encoded. The bucket
    count is fixed by the first worker and read by the others.
    """

    def __init__(self, server, key, debug=False, capacity: int = 10_000_000, fingerprinter=None):
        super().__init__(server, key, debug)
        self.fingerprinter = fingerprinter
        wanted = 1 << max(4, (max(capacity, 1) // 40).bit_length())
        server.hsetnx(f"{key}:meta", "buckets", wanted)
        self.buckets = int(server.hget(f"{key}:meta", "buckets") or wanted)

    @classmethod
    def from_spider(cls, spider):
        settings = spider.settings
        return cls(
            get_redis_from_settings(settings),
            key=frontier_key(settings, spider.name),
            debug=settings.getbool("DUPEFILTER_DEBUG"),
            capacity=settings.getint("FRONTIER_DEDUP_CAPACITY", 10_000_000),
            fingerprinter=getattr(spider.crawler, "request_fingerprinter", None),
        )

    @classmethod
    def from_settings(cls, settings):  # standalone use with Scrapy's own scheduler
        return cls(
            get_redis_from_settings(settings),
            key=settings.get("FRONTIER_KEY") or "forumcrawl:frontier:default",
            debug=settings.getbool("DUPEFILTER_DEBUG"),
            capacity=settings.getint("FRONTIER_DEDUP_CAPACITY", 10_000_000),
        )

    def fingerprint_bytes(self, request) -> bytes:
        if self.fingerprinter is not None:
            return self.fingerprinter.fingerprint(request)
        from scrapy.utils.request import fingerprint  # Scrapy's default fingerprinter

        return fingerprint(request)

    def slot_of(self, fp: bytes) -> tuple[str, int]:
        """(bucket key, field) of a fingerprint."""
        bucket = int.from_bytes(fp[:4], "big") % self.buckets
        return f"{self.key}:seen:{bucket}", int.from_bytes(fp[4:12], "big") >> 1

    def request_seen(self, request) -> bool:
        key, field = self.slot_of(self.fingerprint_bytes(request))
        return self.server.hsetnx(key, field, "") == 0

    def clear(self) -> None:
        keys = list(self.server.scan_iter(match=f"{self.key}:seen:*", count=1000))
        for i in range(0, len(keys), 1000):
            self.server.unlink(*keys[i : i + 1000])
        self.server.delete(f"{self.key}:meta")

    def close(self, reason: str = "") -> None:
        """Keep the shared seen-set: other workers still use it."""


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
    ``FRONTIER_WAIT_FOR_SEED`` (seconds an idle worker of a never-seeded
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
        self.held: dict[str, Any] = {}  # frontier id -> popped request still in the engine
        self.finished: list[str] = []  # done, waiting for a commit to be acknowledged
        self.finished_at: dict[str, float] = {}
        self.deferred: dict[str, str] = {}  # frontier id -> parked URL: the spider still keeps the page
        self.to_park: dict[str, str] = {}  # deferred requests finished by the engine, not yet moved in Redis
        self.last_commit_at = 0.0
        self.unpushed: list[Any] = []  # requests found while Redis was away
        self.local: list[tuple[int, int, Any]] = []  # heap of this worker's own continuations
        self.local_count = 0
        self.redis_down_since: float | None = None
        self.seeded_marked = False
        self.said_waiting = False
        self.idle_waiting = False
        self.opened_at = time.monotonic()
        self._beat(initial=True)
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
        # The engine has drained its slot and the pipelines have flushed before
        # the scheduler closes: everything this worker popped is finished, except
        # pages the spider still keeps. At the end of the crawl ("finished") those
        # are parked pages no chain reached; otherwise (a shutdown) they go back to
        # the shared queue with the rest of this worker's work.
        ending = reason == "finished"
        orphans = sum(1 for url in self.deferred.values() if url) if ending else 0
        self.finished.extend(rid for rid in self.held if ending or rid not in self.deferred)
        self.held.clear()
        if ending:
            self.finished.extend(rid for rid in self.deferred if rid not in self.finished)
            self.deferred.clear()
            self.to_park.clear()
        if self.local:  # never started: left in the processing hash, so retire() re-queues them
            logger.info("%d own continuation requests go back to the shared queue", len(self.local))
            self.local.clear()
        try:
            self._flush_unpushed()
            self._park_finished()
            self.queue.ack(self.finished)
            self.finished.clear()
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
        if self._is_local(request):
            return self._keep_local(request)
        if self.unpushed or self.redis_down_since is not None:
            self.unpushed.append(request)
            return True
        try:
            if self._filtered(request):
                self.df.log(request, self.spider)
                return False
            self._push(request)
        except _REDIS_ERRORS as exc:
            self._redis_failed(exc)
            self.unpushed.append(request)
            return True
        self._redis_ok()
        return True

    def next_request(self):
        self._collect_finished()
        if self.local:  # this worker's own continuations first (a thread's next page...)
            request = heapq.heappop(self.local)[2]
            self.held[request.meta["frontier_id"]] = request
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
        self.held[request.meta["frontier_id"]] = request
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
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
        try:
            if not request.meta.get("frontier_local_seen"):
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

    def _filtered(self, request) -> bool:
        """Seen before? Start requests are checked too, so N workers seed once.

        A ``dont_filter`` request is never dropped, but it is recorded as seen,
        so that other workers do not fetch the same URL again from a link.
        """
        start = request.meta.get("is_start_request", False)
        seen = self.df.request_seen(request)
        return seen and (start or not request.dont_filter)

    def _push(self, request) -> None:
        self.queue.push(request)
        if not self.seeded_marked:
            self.server.set(f"{self.queue.key}:seeded", b"1")
            self.seeded_marked = True
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")

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
        if self.held:
            live = self._in_engine()
            if live is None:  # unknown engine internals: trust only an idle engine
                engine = self.crawler.engine
                idle = engine is not None and not engine.downloader.active and engine.scraper.slot.is_idle()
                done = list(self.held) if idle else []
            else:
                done = [rid for rid, r in self.held.items() if id(r) not in live]
            now = time.monotonic()
            for rid in done:
                del self.held[rid]
                if rid in self.deferred:  # the spider keeps the page: acknowledged on its release
                    self.to_park[rid] = self.deferred[rid]
                    continue
                self.finished_at[rid] = now
                self.finished.append(rid)
        if self.to_park:
            self._park_finished()
        if not self.finished:
            return
        if not self.ack_on_commit:
            self._ack_finished()
            return
        limit = time.monotonic() - self.commit_grace
        stale = [rid for rid in self.finished if self.finished_at.get(rid, 0) <= limit]
        if stale:
            self._ack_finished(stale)

    def _ack_finished(self, ids: list[str] | None = None) -> None:
        ids = list(self.finished) if ids is None else ids
        try:
            self.queue.ack(ids)
        except _REDIS_ERRORS as exc:
            self._redis_failed(exc)
            return
        gone = set(ids)
        self.finished = [rid for rid in self.finished if rid not in gone]
        for rid in gone:
            self.finished_at.pop(rid, None)

    def _on_deferred(self, request_id: str, parked_url: str = "", **kwargs) -> None:
        """The spider keeps the page of request ``request_id`` beyond its callback
        (``crawler.signals.request_deferred``): not acknowledged until released."""
        if not request_id:
            return
        self.deferred[request_id] = parked_url or ""
        if request_id not in self.held:  # already finished by the engine (a page held for the template)
            self.to_park[request_id] = self.deferred[request_id]
            self._park_finished()

    def _on_released(self, request_id: str, **kwargs) -> None:
        """The spider is done with a deferred request: its items are committed."""
        if self.deferred.pop(request_id, None) is None:
            return
        self.to_park.pop(request_id, None)
        if request_id in self.held:  # the engine still has it: acknowledged the usual way
            return
        self.finished.append(request_id)
        self.finished_at[request_id] = 0.0  # committed already: no need to wait for a commit
        self._ack_finished([request_id])

    def _park_finished(self) -> None:
        """Move deferred requests the engine has finished into the parked hash."""
        try:
            for rid, url in list(self.to_park.items()):
                self.queue.park(rid, url)
                del self.to_park[rid]
        except _REDIS_ERRORS as exc:
            self._redis_failed(exc)

    def _on_committed(self, taken_at: float | None = None, **kwargs) -> None:
        """A batch was committed. With ``taken_at`` (the ``time.monotonic()`` at
        which the pipeline took the batch from its buffer), every request
        finished before then has its items in SQL. Without it: the pipeline
        writes one batch at a time, so this batch was taken after the previous
        commit, and requests finished before the previous commit are safe."""
        self._collect_finished()
        now = time.monotonic()
        bound = taken_at if taken_at is not None else self.last_commit_at
        safe = [rid for rid in self.finished if self.finished_at.get(rid, now) <= bound]
        self.last_commit_at = now
        if safe:
            self._ack_finished(safe)

    # -- heartbeat, reaping, termination ------------------------------------
    def _beat(self, initial: bool = False) -> None:
        try:
            if not self.queue.heartbeat(self.worker_timeout) and not initial:
                logger.warning(
                    "Worker %s had been presumed dead (no heartbeat for %.0fs); its requests "
                    "were re-queued and may be fetched twice", self.queue.worker_id, self.worker_timeout)
            self._reap_dead_workers()
            self._flush_unpushed()
        except _REDIS_ERRORS as exc:
            if initial:
                raise
            self._redis_failed(exc)
            return
        self._redis_ok()
        self._collect_finished()
        if self.idle_waiting:  # re-run the engine's idle check at heartbeat pace, not every 5 s
            nextcall = getattr(getattr(self.crawler.engine, "_slot", None), "nextcall", None)
            if nextcall is not None:
                nextcall.schedule()

    def _reap_dead_workers(self) -> None:
        """Re-queue the requests of workers whose heartbeat expired, logged and counted."""
        moved = self.queue.reap()
        if moved:
            logger.info("Re-queued %d requests of dead workers", moved)
            if self.stats:
                self.stats.inc_value("frontier/requeued", moved)

    def _on_idle(self, spider=None) -> None:
        """Keep an idle worker open while the shared crawl has work anywhere."""
        self._collect_finished()
        try:
            self._flush_unpushed()
            self._reap_dead_workers()
            queued, held, _ = self.queue.status(finishing=not (self.unpushed or self.finished or self.local))
            seeded = bool(self.server.exists(f"{self.queue.key}:seeded"))
        except _REDIS_ERRORS as exc:
            self._redis_failed(exc)
            raise DontCloseSpider from exc
        self._redis_ok()
        self.idle_waiting = bool(queued or held or self.unpushed or self.finished or self.local)
        if self.idle_waiting:
            raise DontCloseSpider
        waited = time.monotonic() - self.opened_at
        if not seeded and (not self.wait_for_seed or waited < self.wait_for_seed):
            if not self.said_waiting:
                logger.info("Frontier %s is empty: waiting for `forumcrawl enqueue URL`", self.queue.key)
                self.said_waiting = True
            self.idle_waiting = True
            raise DontCloseSpider
        logger.info("Shared frontier %s is empty and no worker holds work: finishing", self.queue.key)

    # -- Redis outages ---------------------------------------------------------
    def _flush_unpushed(self) -> None:
        while self.unpushed:
            request = self.unpushed[0]
            if not self._filtered(request):
                self._push(request)
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
        if seen.request_seen(request):
            continue
        queue.push(request)
        added += 1
    redis_client.set(f"{key}:seeded", b"1")
    return added


class ChainBoard:
    """Thread chains across workers: who reads a thread's next page, and from which position.

    The generic spider reads a thread along ``next_page_url`` with a running post
    offset. With many workers, the page a chain needs next may already be queued,
    in flight or parked (fetched before its chain reached it) in another worker.
    The board makes that exactly-once:

    * :meth:`claim` is the shared seen-set's atomic test-and-set: the chain that
      claims a URL first fetches it itself (no other worker will);
    * otherwise the chain leaves its context (thread URL, page number, offset)
      under ``key:chain`` with :meth:`put`, and the worker that fetches or already
      holds the page takes it with :meth:`take` / :meth:`take_many` and goes on
      reading the thread from there.

    A context must not die with the worker that took it: the page's request is
    re-queued then, and whoever fetches it again needs the context to read on.
    So a take moves the context, atomically, into ``key:taken`` under the id of
    the page's request (:meth:`keep` records one the worker's own chain
    computed); it leaves there when the request is acknowledged
    (:meth:`ReliableQueue.ack`), and dead-worker reaping puts it back on the board.
    """

    def __init__(self, server: redis.Redis, dupefilter: CompactDupeFilter, key: str):
        self.server, self.df = server, dupefilter
        self.key = f"{key}:chain"
        self.taken_key = f"{key}:taken"
        self._take = server.register_script(_TAKE)

    @classmethod
    def from_spider(cls, spider) -> ChainBoard:
        settings = spider.settings
        return cls(get_redis_from_settings(settings), CompactDupeFilter.from_spider(spider),
                   frontier_key(settings, spider.name))

    def claim(self, url: str) -> bool:
        """True when no worker has seen ``url`` before (now it is this worker's)."""
        from scrapy import Request

        return not self.df.request_seen(Request(url))

    def put(self, url: str, context: dict[str, Any]) -> None:
        """Leave the thread context for whichever worker fetches (or holds) ``url``."""
        import json

        self.server.hset(self.key, url, json.dumps(context))

    def take(self, url: str, request_id: str = "") -> dict[str, Any] | None:
        """The context a chain left for ``url`` (removed, so only one worker gets it),
        kept under ``request_id`` until that request is acknowledged."""
        return self.take_many({url: request_id}).get(url)

    def take_many(self, urls) -> dict[str, dict[str, Any]]:
        """The contexts left for any of ``urls``, each handed out once. ``urls`` maps
        each URL to the frontier id of the request holding its page ("" or a plain
        iterable of URLs: nothing to keep)."""
        import json

        pairs = urls.items() if isinstance(urls, dict) else ((u, "") for u in urls)
        args = [a for url, rid in pairs for a in (url, rid or "")]
        if not args:
            return {}
        found = self._take(keys=[self.key, self.taken_key], args=args)
        return {found[i].decode(): json.loads(found[i + 1]) for i in range(0, len(found), 2)}

    def keep(self, url: str, request_id: str, context: dict[str, Any]) -> None:
        """Record the context this worker's own chain reached a parked page with, so
        that the page is read on correctly if it is fetched again after a crash."""
        import json

        if request_id:
            self.server.hset(self.taken_key, request_id, f"{url}\n{json.dumps(context)}")

    def clear(self) -> None:
        self.server.delete(self.key, self.taken_key)
