"""Redirects obey the crawl's scope: a downloader middleware in front of every request.

Scrapy follows a redirect by scheduling a new request for the ``Location``; its
own offsite check knows hosts, not ports, so a redirect to another port of the
start host (or to a login page) was fetched and stored under the start site.
Here a request made by a redirect (``meta["redirect_urls"]``) goes through the
same :meth:`crawler.policy.UrlPolicy.allowed` test as a link; refused, it is
dropped (``IgnoreRequest``), counted under ``forumcrawl/redirects_refused/<reason>``,
and its origin's URL pattern learns the outcome (a redirect to a login or
action page is a login wall). A request without callback nor errback (a seed of
``forumcrawl enqueue``) gets the spider's ``on_error``, so its failure is seen.
"""
from __future__ import annotations

import logging

from scrapy.exceptions import IgnoreRequest

log = logging.getLogger(__name__)


class RedirectScopeMiddleware:
    """Drop redirected requests the spider's URL policy would not follow as links."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        spider = self.crawler.spider
        if request.callback is None and request.errback is None:
            # a request queued by `forumcrawl enqueue` (no callback: parse() handles it): its
            # failures go to the spider too, so a seed whose site never answers fails that site
            request.errback = getattr(spider, "on_error", None)
        if request.meta.get("redirect_urls"):
            refuse = getattr(spider, "refuse_redirect", None)
            origin = request.meta["redirect_urls"][0]
            reason = refuse(origin, request.url) if refuse is not None else None
            if reason is not None:
                log.info("Not following the redirect of %s to %s (%s)", origin, request.url, reason)
                raise IgnoreRequest(f"redirect out of scope ({reason}): {request.url}")
            return None
        if not request.dont_filter:
            # queued before its URL pattern was learned to give nothing new, or before a parameter
            # it carries was learned inert (another URL of a page taken on): not fetched after all
            refuse = getattr(spider, "refuse_queued", None)
            reason = refuse(request.url) if refuse is not None else None
            if reason is not None:
                raise IgnoreRequest(f"learned pattern ({reason}): {request.url}")
            # its page was fetched already, under a URL whose other parameters were learned inert since
            stand_in = getattr(spider, "stand_in", None)
            return stand_in(request) if stand_in is not None else None
        return None
