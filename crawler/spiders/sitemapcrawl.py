"""The generic spider's sitemap glue: requests, callbacks and the re-crawl hand-off.

The decisions are :mod:`crawler.sitemaps` (what to read, what a listed URL becomes);
this module turns them into Scrapy requests for the spider and tells it two things:
which sites' start URLs wait for their sitemaps (an incremental re-crawl reads the
sitemaps first), and which sites' sitemaps stand in for their listings (no link is
followed there). Kept out of ``generic.py`` so the spider stays glue a newcomer reads
in minutes (issue 9); one :class:`SitemapCrawl` serves every start site of a crawl.

Under a shared frontier (``REDIS_URL``) a site's sitemaps are read once per crawl, not
once per worker: the worker that handles one of the site's start pages (depth 0, from a
start list or ``forumcrawl enqueue``) claims the job for the run
(:class:`crawler.frontier.RunJobs`), and the sitemap files are queued in the shared
frontier like links, so the shared seen-set lets each file be fetched once and any
worker may read it (a worker that dies holding one gives it back to the queue).
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.fetches import PRIORITY_IN_POST, PRIORITY_SAMPLE
from crawler.sitemaps import SitemapReader

if TYPE_CHECKING:
    from crawler.sites import SiteState
    from crawler.spiders.generic import GenericSpider

log = logging.getLogger("crawler.spiders.generic")

# (shared frontier, first crawl) Sitemap files wait for every link queued before them: a thread
# a listing shows is then queued from its listing entry, with the entry's reply count and last
# post (stored, and compared by the next incremental re-crawl). Taken first from a sitemap, its
# entry would be dropped as seen in whichever worker read the listing: those facts stay in that
# worker (a one-process crawl hands them over, crawler.policy late_entries).
PRIORITY_SHARED_FIRST_CRAWL = PRIORITY_IN_POST - 10


class SitemapCrawl:
    """A :class:`SitemapReader` per start site of a one-process crawl; under a shared
    frontier, one per site whose start page or sitemap file this worker handles (none
    with ``FORUMCRAWL_SITEMAPS=0`` or ``max_depth=0``)."""

    def __init__(self, spider: GenericSpider, crawler) -> None:
        self.spider = spider
        self.crawler = crawler
        settings = crawler.settings
        self.readers: dict[str, SitemapReader] = {}
        self.withheld: set[str] = set()  # sites whose start URLs wait for their sitemaps
        self.toc: set[str] = set()  # sites whose sitemaps stand in for their listings
        self.robots_named: dict[str, list[str]] = {}  # origin -> the sitemaps its robots.txt names
        enabled = settings.getbool("FORUMCRAWL_SITEMAPS", True)
        self.shared = enabled and spider.shared_frontier
        self._jobs = None  # (shared frontier) crawler.frontier.RunJobs, made on first use
        self.tried: set[str] = set()  # (shared frontier) sites whose sitemap job this worker claimed or saw taken
        if self.shared:
            crawler.signals.connect(self._robots_seen, signal=signals.response_received)
            return
        if not enabled:
            return
        for site in spider.sites:
            if not site.start_urls or site.policy.max_depth == 0:
                continue
            self._reader(site)
        if self.readers:
            crawler.signals.connect(self._robots_seen, signal=signals.response_received)

    def _reader(self, site: SiteState) -> SitemapReader:
        """``site``'s reader (made on first use: under a shared frontier, any worker may get
        a sitemap file of any site)."""
        reader = self.readers.get(site.origin)
        if reader is None:
            settings = self.crawler.settings
            reader = self.readers[site.origin] = SitemapReader(
                site.origin, seen=self._seen_times(site.origin) if site.recrawl.active else None,
                count=site.count,
                max_bytes=settings.getint("FORUMCRAWL_SITEMAP_MAX_BYTES", 50 * 1024 * 1024),
                max_urls=settings.getint("FORUMCRAWL_SITEMAP_MAX_URLS", 1_000_000),
                max_files=settings.getint("FORUMCRAWL_SITEMAP_MAX_FILES", 200),
                margin=settings.getfloat("FORUMCRAWL_SITEMAP_LASTMOD_MARGIN", 600.0))
        return reader

    def reads(self, site: SiteState) -> bool:
        """Whether ``site``'s sitemaps are read from the start of this (one-process) crawl."""
        return not self.shared and site.origin in self.readers

    def withholds(self, site: SiteState) -> bool:
        """A re-crawl reads the sitemaps first: its start URLs wait for them (:meth:`_done`)."""
        if self.reads(site) and site.recrawl.active:
            self.withheld.add(site.origin)
            return True
        return False

    def stand_in(self, site: SiteState) -> bool:
        """``site``'s sitemaps stand in for its listings: no link is followed."""
        return site.origin in self.toc

    def _seen_times(self, origin: str) -> dict[str, Any]:
        try:
            from storage import Store, resolve_database_url

            with Store(resolve_database_url(self.crawler.settings.get("DATABASE_URL"))) as store:
                return store.seen_times(origin)
        except Exception as exc:  # the re-crawl then goes by listings only
            log.warning("Sitemap lastmod unusable (%s): known pages are not skipped by it", type(exc).__name__)
            return {}

    def _robots_seen(self, response, request, spider=None) -> None:
        """robots.txt of a site (fetched once, by the robots middleware): its Sitemap: lines."""
        if not (request.meta.get("dont_obey_robotstxt") and urlsplit(request.url).path == "/robots.txt"
                and 200 <= response.status < 300):
            return
        parts = urlsplit(request.url)
        origin = f"{parts.scheme}://{parts.netloc}"
        reader = self.readers.get(origin)
        if reader is not None:
            self.robots_named[origin] = reader.from_robots(response.body, response.url)
        elif self.shared:
            self.robots_named[origin] = SitemapReader(origin).from_robots(response.body, response.url)

    async def start_page(self, site: SiteState, meta: dict[str, Any]) -> list[scrapy.Request]:
        """(shared frontier) One of ``site``'s start pages was fetched: its sitemaps are
        requested, if no worker has claimed them in this crawl yet (:class:`RunJobs`)."""
        if (not self.shared or site.origin in self.tried or meta.get("fc_depth", 0) != 0
                or meta.get("fc_rechain") or meta.get("fc_thread") or site.policy.max_depth == 0):
            return []
        self.tried.add(site.origin)
        if self._jobs is None:
            from crawler.frontier import RunJobs

            self._jobs = RunJobs.from_settings(self.crawler.settings, self.spider.name)
        # Held by the start page's request: if this worker dies before the sitemap files are
        # queued, the worker that gets the re-queued start page takes the job over.
        holder = meta.get("frontier_id") or uuid.uuid4().hex
        if not self._jobs.claim(f"sitemaps {site.origin}", holder):
            log.debug("Sitemaps of %s: read by another worker of this crawl", site.origin)
            return []
        log.info("Sitemaps of %s: this worker reads them for the whole crawl", site.origin)
        site.count("forumcrawl/sitemap/claimed")
        return await self.first_requests(site, meta.get("fc_key") or f"{site.origin}/")

    async def first_requests(self, site: SiteState, url: str | None = None) -> list[scrapy.Request]:
        """Once robots.txt is known: requests for the sitemaps it names, else /sitemap.xml."""
        from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
        from scrapy.http.request import NO_CALLBACK

        reader = self._reader(site)
        engine = self.crawler.engine
        robots = next((m for m in engine.downloader.middleware.middlewares
                       if isinstance(m, RobotsTxtMiddleware)), None)
        rules: Any = None
        try:  # the middleware's own fetch (no second GET of robots.txt); without it, ours
            if robots is not None:
                rules = await robots.robot_parser(scrapy.Request(url or site.start_urls[0]))
            elif site.origin not in self.robots_named:
                await engine.download_async(scrapy.Request(
                    f"{site.origin}/robots.txt", meta={"dont_obey_robotstxt": True}, callback=NO_CALLBACK))
        except Exception as exc:  # noqa: BLE001 - unreachable: the start URL's own request reports it
            log.debug("robots.txt of %s: %s", site.host, exc)
        if not reader.robots_named:
            reader.robots_named = self.robots_named.get(site.origin, [])
        # A host that never answered, or whose rules stay unknown as the crawl stops: no sitemap.
        usable = (rules is None or hasattr(rules, "allowed")) and not site.failed
        requests = [self._request(url, site) for url in reader.first_files()
                    if reader.take_file(url, site.policy.in_scope)] \
            if usable and self.crawler.stats.get_value("response_received_count") else []
        if not requests and site.origin in self.withheld:
            self.withheld.discard(site.origin)
            requests += self.spider._start_requests(site)
        return requests

    def _request(self, url: str, site: SiteState) -> scrapy.Request:
        # (shared frontier: queued like a link, so the shared seen-set has it fetched once in all)
        priority = PRIORITY_SHARED_FIRST_CRAWL if self.shared and not site.recrawl.active else PRIORITY_SAMPLE
        return scrapy.Request(url, callback=self.spider.parse_sitemap, errback=self.spider.sitemap_failed,
                              dont_filter=not self.shared, priority=priority,
                              meta={"download_maxsize": self.readers[site.origin].max_bytes,
                                    "fc_site": site.origin})

    def parse(self, response: Response) -> Iterator[Any]:
        """A sitemap file: an index's sitemaps are requested, a urlset's URLs planned."""
        spider = self.spider
        site = spider.sites.of(response.url, response.meta)
        reader = self._reader(site)
        found = reader.read(response.url, response.body)
        requests: list[scrapy.Request] = []
        if found is not None and found.kind == "sitemapindex":
            requests += [self._request(e.url, site) for e in found.entries
                         if reader.take_file(e.url, site.policy.in_scope)]
        elif found is not None:
            policy = site.policy
            requests += spider._requests(reader.plan(
                found.entries, take=policy.take, allowed=policy.allowed, register=policy.register,
                known=site.recrawl if site.recrawl.active else None, hold=policy.held_for_trial), site)
        yield from requests + self._done(site)

    def failed(self, failure) -> Iterator[Any]:
        site = self.spider.sites.of(failure.request.url, failure.request.meta)
        status = getattr(getattr(failure.value, "response", None), "status", None)
        if status is not None and 400 <= status < 500:
            log.info("No sitemap at %s (HTTP %d)", failure.request.url, status)
        elif failure.check(IgnoreRequest) and not failure.check(HttpError):  # robots.txt refused it, or a stop
            log.info("Sitemap %s not read: %s", failure.request.url, str(failure.value)[:200])
        else:
            site.count("forumcrawl/sitemap/failed")
            log.warning("Sitemap %s not read: %s", failure.request.url, str(failure.value)[:200])
        yield from self._done(site)

    def _done(self, site: SiteState) -> list[scrapy.Request]:
        """When every sitemap file of ``site`` has answered, a re-crawl whose sitemaps list
        nearly every known thread walks no listing (threads they do not list are revalidated
        when idle); otherwise its start URLs are requested now."""
        reader = self._reader(site)
        if not reader.answered() or site.origin not in self.withheld:
            return []
        self.withheld.discard(site.origin)
        recrawl = site.recrawl
        known = recrawl.known
        if reader.covers(known):
            unlisted = [u for u in reader.unlisted(known) if u not in recrawl.revisited]
            for url in unlisted:
                recrawl.unlisted.setdefault(url, 1)
            site.count("forumcrawl/sitemap/listings_skipped")
            self.toc.add(site.origin)
            log.info("Incremental re-crawl of %s from its sitemaps: they list %d of %d known threads with "
                     "their last change; listings are not walked, nor links followed", site.origin,
                     len(known) - len(unlisted), len(known))
            return []
        return self.spider._start_requests(site)
