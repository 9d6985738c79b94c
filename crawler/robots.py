"""robots.txt that fails closed: RFC 9309, section 2.3.1, for failed fetches.

Scrapy's ``RobotsTxtMiddleware`` treats a robots.txt it could not fetch (a timeout,
a refused connection) as "no rules", and builds its rules from whatever body a
5xx error page has: either way the whole site is allowed, for the rest of the
crawl. On a loaded server that is exactly when a crawler should hold back, and a
crawl then fetches pages the site disallows (seen in a shared-frontier test under
heavy load: ``/private/terms.html``). RFC 9309 says:

* 2xx: follow the rules (redirects are followed by Scrapy's redirect middleware);
* 4xx ("unavailable"): the crawler may access anything;
* 5xx or a network error ("unreachable"): assume complete disallow.

This subclass does that. While a host's robots.txt is unreachable (5xx, 429, or
no response after Scrapy's own retries), requests to that host wait, and the
robots.txt fetch is retried with back-off (``FORUMCRAWL_ROBOTSTXT_RETRY_DELAY``
seconds, doubling up to ``FORUMCRAWL_ROBOTSTXT_RETRY_MAX_DELAY``). When it stays
unreachable for ``FORUMCRAWL_ROBOTSTXT_UNREACHABLE_TIMEOUT`` seconds, the host is
disallowed entirely for this crawl (``robotstxt/forbidden``) and an error says so.

Two limits keep that wait from turning a mistake into a hang:

* It applies only to hosts that *answered before* (any response, robots.txt's 5xx
  included). A host that never answered (connection refused, DNS failure, timeouts
  after Scrapy's retries) is not a busy server but a wrong URL or a network fault:
  its requests fail at once with :class:`HostUnreachable`, so the spider can stop
  and say why instead of waiting ten minutes.
* It never holds a stop: the wait, and a robots.txt download in progress (a host
  that accepts the connection and never answers), check every half second whether
  the engine is closing; then the download is cancelled and the host's requests
  fail with :class:`RobotsTxtPending` (the spider keeps them unfinished in its
  frontier, so a resumed crawl fetches them).
"""
from __future__ import annotations

import logging
import time

from scrapy import Request, signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred
from twisted.internet.task import LoopingCall, deferLater

logger = logging.getLogger(__name__)

DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


# How often a robots.txt wait looks whether the crawl is stopping (seconds).
STOP_CHECK_INTERVAL = 0.5


class HostUnreachable(IgnoreRequest):
    """The host never answered: its robots.txt fetch failed without any response."""

    def __init__(self, netloc: str, reason: str) -> None:
        super().__init__(f"{netloc} cannot be reached ({reason})")
        self.netloc = netloc
        self.reason = reason


class RobotsTxtPending(IgnoreRequest):
    """The crawl stopped while the host's robots.txt was still unknown: not fetched, not refused."""


class _Cancelled(Exception):
    """A robots.txt download cancelled because the crawl is stopping."""


class _Unknown:
    """What a host's entry holds instead of rules when its requests must fail."""

    def __init__(self, error: IgnoreRequest) -> None:
        self.error = error


def unreachable_status(status: int) -> bool:
    """Server errors, and 429 (too many requests): the rules are unknown, not absent."""
    return status >= 500 or status == 429


def own_waiter(shared: Deferred) -> Deferred:
    """A Deferred of one waiter's own, fired with ``shared``'s result, which stays for the next.

    Awaiting the host's shared Deferred itself (Scrapy's ``robot_parser`` since it became
    a coroutine) turns it into a Future, and Twisted's ``asFuture`` consumes the result: the
    first request waiting for robots.txt gets the rules, every later one gets None, read as
    "no rules", and is fetched unchecked. A shared-frontier worker pops several requests at
    once before its robots.txt is known: that is how a disallowed page was fetched."""
    own: Deferred = Deferred()

    def pass_on(result):
        own.callback(result)
        return result

    shared.addCallback(pass_on)
    return own


class FailClosedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with RFC 9309's handling of failed fetches
    (see the module docstring). Enabled in ``crawler/settings.py`` in place of Scrapy's."""

    def __init__(self, crawler):
        super().__init__(crawler)
        settings = crawler.settings
        self.retry_delay = settings.getfloat("FORUMCRAWL_ROBOTSTXT_RETRY_DELAY", 2.0)
        self.retry_max_delay = settings.getfloat("FORUMCRAWL_ROBOTSTXT_RETRY_MAX_DELAY", 60.0)
        self.unreachable_timeout = settings.getfloat("FORUMCRAWL_ROBOTSTXT_UNREACHABLE_TIMEOUT", 600.0)
        self.answered: set[str] = set()  # hosts that sent some response in this crawl
        crawler.signals.connect(self._response_received, signal=signals.response_received)

    def _response_received(self, response, request, spider=None) -> None:
        self.answered.add(urlparse_cached(response).netloc)

    async def process_request(self, request: Request, spider=None) -> None:
        if request.meta.get("dont_obey_robotstxt") or request.url.startswith(("data:", "file:")):
            return
        parser = await self.robot_parser(request)
        if isinstance(parser, _Unknown):
            raise parser.error
        self.process_request_2(parser, request)

    async def robot_parser(self, request: Request):
        url = urlparse_cached(request)
        netloc = url.netloc
        if netloc not in self._parsers:
            self._parsers[netloc] = Deferred()
            await self._fetch_until_known(f"{url.scheme}://{netloc}/robots.txt", netloc, request)
        parser = self._parsers[netloc]
        if isinstance(parser, Deferred):
            return await maybe_deferred_to_future(own_waiter(parser))
        return parser

    async def _fetch_until_known(self, robots_url: str, netloc: str, request: Request) -> None:
        """Fetch robots.txt until it answers with rules (2xx) or none (4xx), or give up."""
        from twisted.internet import reactor  # the one Scrapy installed (not at import time)

        started = time.monotonic()
        delay = self.retry_delay
        failed = False
        while True:
            robots_request = Request(robots_url, priority=self.DOWNLOAD_PRIORITY,
                                     meta={"dont_obey_robotstxt": True}, callback=NO_CALLBACK, dont_filter=True)
            self._stats.inc_value("robotstxt/request_count")
            try:
                response = await self._download_unless_stopping(robots_request, reactor)
            except IgnoreRequest as exc:  # dropped by another middleware: no rules to obey (Scrapy's choice)
                # said out loud: the whole host is allowed from now on, which a reader of the log must see
                logger.warning("robots.txt of %s was not fetched (%s): no rules apply to it", netloc, exc)
                self._stats.inc_value("robotstxt/dropped")
                self._robots_error(exc, netloc)
                return
            except Exception as exc:  # noqa: BLE001 - any network failure means "unreachable"
                if self._stopping():  # the download was cancelled (or failed) as the crawl stops
                    self._stop_waiting(netloc)
                    return
                self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
                reason = f"{type(exc).__name__}: {exc}"
            else:
                self.answered.add(netloc)
                if not unreachable_status(response.status):
                    if response.status >= 400:  # "unavailable": no rules apply
                        response = response.replace(body=b"")
                    await self._parse_robots(response, netloc, request)
                    if failed:
                        logger.info("robots.txt of %s answered %d after %.1fs: going on",
                                    netloc, response.status, time.monotonic() - started)
                    return
                self._stats.inc_value("robotstxt/response_count")
                self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
                reason = f"HTTP {response.status}"
            if netloc not in self.answered:
                logger.warning("Cannot reach %s: robots.txt got no response (%s)", netloc, reason)
                self._stats.inc_value("robotstxt/host_unreachable")
                self._resolve(netloc, _Unknown(HostUnreachable(netloc, reason)))
                return
            self._stats.inc_value("robotstxt/unreachable")
            failed = True
            waited = time.monotonic() - started
            if waited >= self.unreachable_timeout:
                logger.error("robots.txt of %s still unreachable after %.0fs (%s): treating every page of "
                             "the host as disallowed for this crawl", netloc, waited, reason)
                self._resolve(netloc, build_from_crawler(self._parserimpl, self.crawler, DISALLOW_ALL))
                return
            logger.warning("robots.txt of %s unreachable (%s): its pages wait as disallowed; retrying in %.1fs",
                           netloc, reason, delay)
            if await self._stopped_during(reactor, delay):
                self._stop_waiting(netloc)
                return
            delay = min(delay * 2, self.retry_max_delay)

    def _stop_waiting(self, netloc: str) -> None:
        logger.info("robots.txt of %s still unknown as the crawl stops: its waiting pages "
                    "stay unfetched", netloc)
        self._resolve(netloc, _Unknown(RobotsTxtPending(f"robots.txt of {netloc} still unknown")))

    async def _download_unless_stopping(self, request: Request, reactor):
        """Download ``request``, cancelled when the crawl starts stopping.

        Scrapy's close waits for every download in progress, and a robots.txt
        download from a host that accepts the connection but never answers
        lasts DOWNLOAD_TIMEOUT times (RETRY_TIMES + 1): minutes of a stop ignored.
        """
        download = deferred_from_coro(self.crawler.engine.download_async(request))
        cancelled = []

        def check() -> None:
            if self._stopping() and not download.called:
                cancelled.append(True)
                download.cancel()

        watch = LoopingCall(check)
        watch.clock = reactor
        watch.start(STOP_CHECK_INTERVAL, now=False)
        try:
            return await maybe_deferred_to_future(download)
        except BaseException as exc:  # asyncio's CancelledError is not an Exception
            if cancelled:
                raise _Cancelled(f"robots.txt download cancelled: the crawl stops ({type(exc).__name__})") from exc
            raise
        finally:
            watch.stop()

    def _stopping(self) -> bool:
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None)
        return not engine.running or (slot is not None and slot.closing is not None)

    async def _stopped_during(self, reactor, delay: float) -> bool:
        """Sleep ``delay`` seconds in short steps; True as soon as the crawl is stopping."""
        deadline = time.monotonic() + delay
        while not self._stopping():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            await maybe_deferred_to_future(deferLater(reactor, min(left, STOP_CHECK_INTERVAL), lambda: None))
        return True

    def _resolve(self, netloc: str, parser) -> None:
        waiting = self._parsers[netloc]
        self._parsers[netloc] = parser
        if isinstance(waiting, Deferred):
            waiting.callback(parser)

    def crawl_delay(self, netloc: str) -> float | None:
        """The ``Crawl-delay`` (seconds) robots.txt of ``netloc`` sets for this crawler's user
        agent, None when it sets none; LookupError while robots.txt is not known yet.
        Read by the politeness middleware (crawler/middlewares/politeness.py)."""
        parser = self._parsers.get(netloc)
        if parser is None and netloc in self._parsers:  # no rules at all (Scrapy's own "None")
            return None
        if parser is None or isinstance(parser, Deferred):
            raise LookupError(netloc)
        if isinstance(parser, _Unknown):
            return None
        return parser.crawl_delay(self._robotstxt_useragent or self._default_useragent)
