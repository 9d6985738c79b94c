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
"""
from __future__ import annotations

import logging
import time

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred
from twisted.internet.task import deferLater

logger = logging.getLogger(__name__)

DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


def unreachable_status(status: int) -> bool:
    """Server errors, and 429 (too many requests): the rules are unknown, not absent."""
    return status >= 500 or status == 429


class FailClosedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with RFC 9309's handling of failed fetches
    (see the module docstring). Enabled in ``crawler/settings.py`` in place of Scrapy's."""

    def __init__(self, crawler):
        super().__init__(crawler)
        settings = crawler.settings
        self.retry_delay = settings.getfloat("FORUMCRAWL_ROBOTSTXT_RETRY_DELAY", 2.0)
        self.retry_max_delay = settings.getfloat("FORUMCRAWL_ROBOTSTXT_RETRY_MAX_DELAY", 60.0)
        self.unreachable_timeout = settings.getfloat("FORUMCRAWL_ROBOTSTXT_UNREACHABLE_TIMEOUT", 600.0)

    async def robot_parser(self, request: Request):
        url = urlparse_cached(request)
        netloc = url.netloc
        if netloc not in self._parsers:
            self._parsers[netloc] = Deferred()
            await self._fetch_until_known(f"{url.scheme}://{netloc}/robots.txt", netloc, request)
        parser = self._parsers[netloc]
        if isinstance(parser, Deferred):
            return await maybe_deferred_to_future(parser)
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
                response = await self.crawler.engine.download_async(robots_request)
            except IgnoreRequest as exc:  # dropped by another middleware: no rules to obey (Scrapy's choice)
                self._robots_error(exc, netloc)
                return
            except Exception as exc:  # noqa: BLE001 - any network failure means "unreachable"
                self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
                reason = f"{type(exc).__name__}: {exc}"
            else:
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
            await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))
            delay = min(delay * 2, self.retry_max_delay)

    def _resolve(self, netloc: str, parser) -> None:
        waiting = self._parsers[netloc]
        self._parsers[netloc] = parser
        if isinstance(waiting, Deferred):
            waiting.callback(parser)
