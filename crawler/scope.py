"""Redirects obey the crawl's scope: a downloader middleware in front of every request.

Scrapy follows a redirect by scheduling a new request for the ``Location``; its
own offsite check knows hosts, not ports, so a redirect to another port of the
start host (or to a login page) was fetched and stored under the start site.
Here a request made by a redirect (``meta["redirect_urls"]``) goes through the
same :meth:`crawler.policy.UrlPolicy.allowed` test as a link; refused, it is
dropped (``IgnoreRequest``), counted under ``forumcrawl/redirects_refused/<reason>``,
and its origin's URL pattern learns the outcome (a redirect to a login or
action page is a login wall). The spider's sites (``spider.sites``, a
:class:`crawler.sites.SiteRegistry`) answer for each request's site. A request
without callback nor errback (a seed of ``forumcrawl enqueue``) gets the
spider's ``on_error``, so its failure is seen.
"""
from __future__ import annotations

import logging

from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse

from crawler.sites import SiteRegistry

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
        sites = getattr(spider, "sites", None)
        if not isinstance(sites, SiteRegistry):  # a spider without sites of its own
            return None
        if request.meta.get("redirect_urls"):
            origin = request.meta["redirect_urls"][0]
            reason = sites.refuse_redirect(origin, request.url)
            if reason is not None:
                log.info("Not following the redirect of %s to %s (%s)", origin, request.url, reason)
                raise IgnoreRequest(f"redirect out of scope ({reason}): {request.url}")
            return None
        if request.meta.get("fc_kept_view"):
            # a view skipped for a page that proved hollow, its page kept since: read, not fetched
            kept = sites.view_again(request.url)
            if kept is not None:
                body, headers = kept
                return HtmlResponse(url=request.url, status=200, headers=headers, body=body, request=request)
        if not request.dont_filter:
            # queued before its URL pattern was learned to give nothing new, or before a parameter
            # it carries was learned inert (another URL of a page taken on): not fetched after all
            reason = sites.refuse_queued(request.url)
            if reason is not None:
                raise IgnoreRequest(f"learned pattern ({reason}): {request.url}")
            # its page was fetched already, under a URL whose other parameters were learned inert since
            kept = sites.stand_in(request.url)
            if kept is not None:
                body, headers = kept
                return HtmlResponse(url=request.url, status=200, headers=headers, body=body, request=request)
        return None
