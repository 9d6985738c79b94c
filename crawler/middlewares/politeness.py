"""Per-host politeness as a downloader middleware: Crawl-delay, Retry-After, back-off.

Glue only; the decisions are :mod:`crawler.politeness` (in process) and
:mod:`crawler.middlewares.redisslots` (shared through Redis). Sitting next to the
downloader (after the cache), it sees every request just before it goes out and
every response first:

* a request waits for its host's next slot (robots.txt ``Crawl-delay``, back-off,
  a ``Retry-After`` hold) in a Deferred-backed sleep, never blocking the reactor.
  With no delay, back-off or hold the request goes straight on: no coroutine, no
  timer, no Redis (the embedded default adds one dict lookup per request);
* a 429 or 503 holds the host for ``Retry-After`` (seconds or HTTP-date, capped)
  or the back-off, and grows the back-off; Scrapy's RetryMiddleware still retries
  the request, but the retry waits here like any request to that host;
* a request whose meta names a time not to send it before (``fc_not_before``: a broken
  answer fetched again, :mod:`crawler.brokenpages`) waits for it, then for its turn;
* with ``REDIS_URL`` (a shared frontier), slots live in Redis: the gap and a
  per-host concurrency limit (``FORUMCRAWL_HOST_CONCURRENCY``, default
  ``CONCURRENT_REQUESTS_PER_DOMAIN``) hold for all workers together.

A wait never holds a stop: it looks every half second whether the engine is closing,
and then fails the request with :class:`HostWaitPending` (a ``RobotsTxtPending``: the
spider keeps the URL unfinished for a resumed crawl; for robots.txt itself
:class:`HostWaitStopped`, so the host's rules stay unknown rather than absent).

Stats: ``politeness/requests/<host>``, ``politeness/requests_per_second/<host>``
(at the end: requests after the first / seconds between first and last),
``politeness/backoffs/<host>`` and ``politeness/backoffs`` (429/503 answers),
``politeness/retry_after/<host>`` (holds set by a Retry-After), ``politeness/crawl_delay/<host>``,
``politeness/delayed``, ``politeness/held_until`` (requests held to their ``fc_not_before``), ``politeness/waited_seconds`` and ``politeness/host_full`` (shared
concurrency full, tried again); one "Politeness:" log line at the end.
"""
from __future__ import annotations

import logging
import os
import random
import time

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.task import deferLater

from crawler.brokenpages import NOT_BEFORE
from crawler.politeness import LocalSlots, PolitenessConfig, effective_crawl_delay, parse_retry_after, sheds_load
from crawler.robots import RobotsTxtPending

logger = logging.getLogger(__name__)

META = "fc_polite"            # (host, slot start, lease token) of the request's reservation
STOP_CHECK_INTERVAL = 0.5     # how often a wait looks whether the crawl is stopping (seconds)
FULL_POLL = 0.05              # first retry of a host whose shared concurrency is full (seconds) ...
FULL_POLL_MAX = 1.0           # ... doubling up to this (with jitter, so workers do not poll in step)
LATE_SLACK = 0.01             # a wait that overran by more than this restarts the host's gap (seconds)
REDIS_RETRY = 5.0             # after a Redis error, slots are local for this long


class HostWaitPending(RobotsTxtPending):
    """The crawl stopped while the request waited for its host's slot: not fetched, not refused."""


class HostWaitStopped(Exception):
    """The same for a robots.txt request: not an IgnoreRequest, which robots' middleware would
    read as "no rules"; as a failed fetch it leaves the host's rules unknown while stopping."""


def config_from(settings, shared: bool) -> PolitenessConfig:
    """The decisions' knobs from Scrapy settings."""
    return PolitenessConfig(
        backoff_start=settings.getfloat("FORUMCRAWL_BACKOFF_START", 1.0),
        backoff_factor=settings.getfloat("FORUMCRAWL_BACKOFF_FACTOR", 2.0),
        backoff_max=settings.getfloat("FORUMCRAWL_BACKOFF_MAX", 60.0),
        backoff_recovery=settings.getfloat("FORUMCRAWL_BACKOFF_RECOVERY", 0.8),
        retry_after_max=settings.getfloat("FORUMCRAWL_RETRY_AFTER_MAX", 600.0),
        crawl_delay_max=settings.getfloat("FORUMCRAWL_CRAWL_DELAY_MAX", 60.0),
        # In one process Scrapy's own slots apply DOWNLOAD_DELAY; shared, it must hold for all workers.
        base_delay=settings.getfloat("DOWNLOAD_DELAY", 0.0) if shared else 0.0,
    )


class _HostCount:
    __slots__ = ("requests", "first", "last", "backoffs", "retry_after", "waited", "crawl_delay")

    def __init__(self, now: float) -> None:
        self.requests, self.first, self.last = 0, now, now
        self.backoffs = self.retry_after = 0
        self.waited = 0.0
        self.crawl_delay: float | None = None


class PolitenessMiddleware:
    """Per-host slots for every request; see the module docstring."""

    def __init__(self, crawler, config: PolitenessConfig, shared_slots=None) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.config = config
        self.local = LocalSlots(config)
        self.shared = shared_slots
        self._redis_down_until = 0.0
        self._robots = None
        self._robots_looked = False
        self._delay_known: set[str] = set()
        self.hosts: dict[str, _HostCount] = {}
        self._renewal = None
        crawler.signals.connect(self._closed, signal=signals.spider_closed)
        if shared_slots is not None and shared_slots.limit:
            crawler.signals.connect(self._opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler) -> "PolitenessMiddleware":
        settings = crawler.settings
        if not settings.getbool("FORUMCRAWL_POLITENESS", True):
            raise NotConfigured
        shared_slots = None
        shared = settings.get("FORUMCRAWL_POLITENESS_SHARED")
        # (as crawler.frontier.redis_url_from, without importing the frontier and Redis in a
        # one-process crawl: 8 MB and 0.1 s of CPU it does not need)
        url = settings.get("REDIS_URL") or os.environ.get("REDIS_URL")
        if url and (shared is None or settings.getbool("FORUMCRAWL_POLITENESS_SHARED")):
            import redis

            from crawler.middlewares.redisslots import DEFAULT_PREFIX, RedisSlots

            client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=15, retry_on_timeout=True)
            limit = settings.getint("FORUMCRAWL_HOST_CONCURRENCY") or settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
            shared_slots = RedisSlots(client, config_from(settings, True),
                                      prefix=settings.get("FORUMCRAWL_POLITENESS_KEY") or DEFAULT_PREFIX,
                                      limit=max(limit, 0), lease=settings.getfloat("FORUMCRAWL_HOST_LEASE", 10.0))
        return cls(crawler, config_from(settings, shared_slots is not None), shared_slots)

    # -- requests ---------------------------------------------------------------------------

    def process_request(self, request: Request, spider=None):
        url = urlparse_cached(request)
        if url.scheme not in ("http", "https"):
            return None
        host = url.netloc
        not_before = request.meta.get(NOT_BEFORE)
        if not_before and not_before > time.time():  # (a broken answer fetched again: crawler.brokenpages)
            return self._hold(request, host, not_before)
        if host not in self._delay_known:
            self._learn_delay(host)
        if self.shared is None and self.local.idle(host):
            now = time.monotonic()
            request.meta[META] = (host, now, "", True)  # sent now: a 429/503 to it may grow the back-off
            self._count(host, 0.0, now)
            return None
        return self._wait_turn(request, host)  # a coroutine: Scrapy awaits it

    async def _hold(self, request: Request, host: str, not_before: float) -> None:
        """A request not to be sent before ``not_before`` (``time.time()``): it waits, then its turn."""
        self.stats.inc_value("politeness/held_until")
        await self._sleep(not_before - time.time(), request, host, "")
        request.meta.pop(NOT_BEFORE, None)
        turn = self.process_request(request)
        if turn is not None:
            await turn

    def _learn_delay(self, host: str) -> None:
        """Read the host's Crawl-delay once robots.txt is known (robots' middleware runs first)."""
        robots = self._robots_middleware()
        if robots is None:
            self._delay_known.add(host)
            return
        try:
            value = robots.crawl_delay(host)
        except LookupError:  # robots.txt itself, or ROBOTSTXT_OBEY with rules still unknown
            return
        self._delay_known.add(host)
        if value is None:
            return
        delay = effective_crawl_delay(value, self.config)
        if value > self.config.crawl_delay_max:
            logger.warning("robots.txt of %s asks for Crawl-delay %s: using %.0fs (FORUMCRAWL_CRAWL_DELAY_MAX)",
                           host, value, self.config.crawl_delay_max)
        else:
            logger.info("robots.txt of %s asks for Crawl-delay %s: one request every %.2fs to it", host, value, delay)
        self.local.set_delay(host, delay)
        if self.shared is not None:
            self.shared.set_delay(host, delay)
        self._host(host).crawl_delay = delay
        self.stats.set_value(f"politeness/crawl_delay/{host}", delay)

    def _robots_middleware(self):
        if not self._robots_looked:
            self._robots_looked = True
            for mw in self.crawler.engine.downloader.middleware.middlewares:
                if callable(getattr(mw, "crawl_delay", None)):
                    self._robots = mw
        return self._robots

    async def _wait_turn(self, request: Request, host: str) -> None:
        slots = self._slots()
        token = slots.new_token() if slots is self.shared and self.shared.limit else ""
        poll = FULL_POLL
        while True:
            try:
                slot = slots.reserve(host, token)
            except Exception as exc:  # noqa: BLE001 - Redis away: the local slots go on
                self._redis_failed(exc)
                slots, token = self.local, ""
                continue
            if slot is not None:
                break
            self.stats.inc_value("politeness/host_full")
            await self._sleep(poll * random.uniform(0.5, 1.0), request, host, "")
            poll = min(poll * 2, FULL_POLL_MAX)
        if slot.wait > 0:
            self.stats.inc_value("politeness/delayed")
            due = time.monotonic() + slot.wait
            await self._sleep(slot.wait, request, host, token)
            if time.monotonic() - due > LATE_SLACK:  # a busy reactor woke us late: the gap counts from now
                try:
                    slots.sent(host)
                except Exception as exc:  # noqa: BLE001
                    self._redis_failed(exc)
                    self.local.sent(host)
        request.meta[META] = (host, slot.start, token, slots is self.local)
        self._count(host, slot.wait)

    async def _sleep(self, seconds: float, request: Request, host: str, token: str) -> None:
        """Sleep without blocking the reactor, in short steps; fail the request if the crawl stops."""
        from twisted.internet import reactor  # the one Scrapy installed

        deadline = time.monotonic() + seconds
        while True:
            if self._stopping():
                if token:
                    self._done(host, token, False, shared=True)
                message = f"{request.url} still waited for {host} as the crawl stopped"
                if request.meta.get("dont_obey_robotstxt"):
                    raise HostWaitStopped(message)
                raise HostWaitPending(message)
            left = deadline - time.monotonic()
            if left <= 0:
                return
            await maybe_deferred_to_future(deferLater(reactor, min(left, STOP_CHECK_INTERVAL), lambda: None))

    def _stopping(self) -> bool:
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None)
        return not engine.running or (slot is not None and slot.closing is not None)

    # -- responses --------------------------------------------------------------------------

    def process_response(self, request: Request, response, spider=None):
        info = request.meta.get(META)
        host = info[0] if info else urlparse_cached(request).netloc
        token = info[2] if info else ""
        shared = bool(info) and not info[3] and self.shared is not None
        if sheds_load(response.status):
            self._shed(request, response, host, info, shared)
            self._done(host, token, False, shared)
        elif token or shared or self.local.hosts.get(host) is not None:
            self._done(host, token, response.status < 500, shared)
        return response

    def process_exception(self, request: Request, exception, spider=None):
        info = request.meta.get(META)
        if info and info[2]:
            self._done(info[0], info[2], False, not info[3] and self.shared is not None)
        return None

    def _shed(self, request: Request, response, host: str, info, shared: bool) -> None:
        retry_after = parse_retry_after(response.headers.get(b"Retry-After"))
        # robots.txt has its own back-off (crawler/robots.py): only its Retry-After counts here
        grow = not request.meta.get("dont_obey_robotstxt")
        sent_at = info[1] if info else None
        slots = self.shared if shared else self.local
        try:
            backoff, hold = slots.shed(host, retry_after, sent_at, grow)
        except Exception as exc:  # noqa: BLE001
            self._redis_failed(exc)
            backoff, hold = self.local.shed(host, retry_after, None, grow)
        count = self._host(host)
        count.backoffs += 1
        self.stats.inc_value("politeness/backoffs")
        self.stats.inc_value(f"politeness/backoffs/{host}")
        if retry_after is not None:
            count.retry_after += 1
            self.stats.inc_value(f"politeness/retry_after/{host}")
        logger.info("%s answered %d%s: no request to it for %.1fs, then %.1fs between requests",
                    host, response.status,
                    f" (Retry-After {retry_after:.0f}s)" if retry_after is not None else "", hold,
                    max(backoff, self.local.state(host).delay))

    def _done(self, host: str, token: str, ok: bool, shared: bool) -> None:
        if shared:
            try:
                self.shared.done(host, token, ok)
                return
            except Exception as exc:  # noqa: BLE001
                self._redis_failed(exc)
        self.local.done(host, token, ok)

    # -- shared slots and Redis outages -------------------------------------------------------

    def _slots(self):
        if self.shared is None or time.monotonic() < self._redis_down_until:
            return self.local
        return self.shared

    def _redis_failed(self, exc: Exception) -> None:
        if time.monotonic() >= self._redis_down_until:
            logger.warning("Per-host politeness: Redis unreachable (%s); hosts are spaced per worker "
                           "for %.0fs", exc, REDIS_RETRY)
        self.stats.inc_value("politeness/redis_errors")
        self._redis_down_until = time.monotonic() + REDIS_RETRY

    def _opened(self, spider) -> None:
        from twisted.internet import task

        self._renewal = task.LoopingCall(self._renew)
        self._renewal.start(self.shared.lease / 3, now=False)

    def _renew(self) -> None:
        try:
            self.shared.renew()
        except Exception as exc:  # noqa: BLE001
            self._redis_failed(exc)

    # -- stats ------------------------------------------------------------------------------

    def _host(self, host: str) -> _HostCount:
        count = self.hosts.get(host)
        if count is None:
            count = self.hosts[host] = _HostCount(time.monotonic())
        return count

    def _count(self, host: str, waited: float, now: float | None = None) -> None:
        count = self._host(host)
        now = time.monotonic() if now is None else now
        if not count.requests:
            count.first = now
        count.requests += 1
        count.last = now
        if waited > 0:
            count.waited += waited

    def _closed(self, spider, reason) -> None:
        if self._renewal is not None and self._renewal.running:
            self._renewal.stop()
        if not self.hosts:
            return
        waited = 0.0
        parts = []
        for host, c in sorted(self.hosts.items(), key=lambda kv: -kv[1].requests):
            waited += c.waited
            span = c.last - c.first
            rate = (c.requests - 1) / span if c.requests > 1 and span > 0 else None
            self.stats.set_value(f"politeness/requests/{host}", c.requests)
            if rate is not None:
                self.stats.set_value(f"politeness/requests_per_second/{host}", round(rate, 3))
            if len(parts) < 5:
                bits = [f"{c.requests} requests" + (f" ({rate:.2f}/s)" if rate is not None else "")]
                if c.crawl_delay:
                    bits.append(f"Crawl-delay {c.crawl_delay:g}s")
                if c.backoffs:
                    bits.append(f"{c.backoffs} back-offs (429/503)"
                                + (f", {c.retry_after} with Retry-After" if c.retry_after else ""))
                parts.append(f"{host} " + ", ".join(bits))
        if len(self.hosts) > 5:
            parts.append(f"{len(self.hosts) - 5} more hosts")
        self.stats.set_value("politeness/waited_seconds", round(waited, 1))
        logger.info("Politeness: %s; requests waited %.1fs for their hosts in all", "; ".join(parts), waited)
