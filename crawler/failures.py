"""Failed requests: what a failure says about the page, its URL pattern and its site.

One room of the crawler (docs/crawler.md). A request can fail because its site's
host never answered (the site cannot be crawled: :func:`unreachable`), because
robots.txt is not known yet (the URL waits for a later run), or for a reason of
its own (:func:`classify`): another host that never answered, a refusal (robots,
scope), a body over Scrapy's size limit, or an error, which counts against its URL
pattern. Plain functions over a Twisted ``Failure``; the spider acts on the answer.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.robots import HostUnreachable

if TYPE_CHECKING:
    from crawler.sites import SiteState

log = logging.getLogger("crawler.spiders.generic")


@dataclass
class FailureKind:
    """``count``: the stat counted for it; ``note``: the log line (None: not logged);
    ``error``: an outcome ``error`` of its URL pattern (else the pattern's next trial,
    if any, is released)."""

    count: str
    note: str | None
    error: bool = False


def classify(failure, url: str) -> FailureKind:
    """What a failed request of ``url`` (not an unreachable site, see :func:`unreachable`) was."""
    message = str(failure.value)
    if failure.check(HostUnreachable):  # another host of the crawl, which never answered
        return FailureKind("forumcrawl/errors/HostUnreachable", f"Failed {url}: {message[:200]}")
    status = getattr(getattr(failure.value, "response", None), "status", None)
    if failure.check(HttpError) and status is not None and 400 <= status < 500:
        # the site's own answer that the URL leads nowhere (404, 403, 410): an error outcome of
        # its URL pattern, so three stop the rest (HttpError is an IgnoreRequest: it counted as a
        # refusal, and a pattern of such pages was never judged, every link of it fetched);
        # a 5xx may pass, and stays a refusal. (Scrapy logs the response already.)
        return FailureKind(f"forumcrawl/errors/http_{status}", None, error=True)
    if failure.check(IgnoreRequest):  # refused (robots.txt, a redirect out of scope...)
        return FailureKind("forumcrawl/skipped/refused", None)
    if "max size" in message:
        return FailureKind("forumcrawl/skipped/too_large", f"Skipped {url}: too_large ({message[:200]})")
    name = type(failure.value).__name__
    return FailureKind(f"forumcrawl/errors/{name}", f"Failed {url}: {message[:200] or name}", error=True)


def unreachable(site: SiteState, failure, url: str, *, host_answered: bool, crawl_answered: bool) -> str | None:
    """Why a site cannot be crawled, when its host never answered: a robots.txt fetch
    without any response, or a network error before any response of that site. None for
    other failures (an HTTP error, a refusal) and once the site has answered
    (``host_answered``: any response from the host of ``url``; ``crawl_answered``: a crawl
    of this one site received a response, robots.txt at least)."""
    if site.answered or site.failed or host_answered:
        return None
    if crawl_answered:
        return None
    if failure.check(HostUnreachable):
        return str(failure.value)
    if failure.check(IgnoreRequest, HttpError):
        return None
    value = failure.value
    return f"{urlsplit(url).netloc} cannot be reached ({type(value).__name__}: {value})"


def fail_site(site: SiteState, why: str, sites: Iterable[SiteState], *, shared_frontier: bool) -> bool:
    """Mark ``site`` failed (its host never answered): that site's crawl failed, the others
    go on. True when the crawl stops: every site failed, and no shared frontier brings more."""
    site.failed = why
    others = [s for s in sites if not s.failed]
    if others or shared_frontier:
        log.error("Site %s failed: %s; the %d other sites of the crawl go on", site.origin, why, len(others))
        return False
    return True
