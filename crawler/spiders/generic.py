"""The generic spider: any site in, thread and post items out, no per-site rules.

``scrapy crawl generic -a url=https://forum.example/`` (or ``forumcrawl crawl URL``).

Every response is parsed once, by :func:`extractor.extract`; the spider takes
its links from the resulting :class:`~extractor.model.Page` (never a second
parse). Thread pages become a :class:`~crawler.items.ThreadItem` and
:class:`~crawler.items.PostItem` s; a thread is read from its first page along
``next_page_url`` with a running post offset, so ``position`` counts across the
whole thread. Listings feed discovery, with thread links and pagination ahead of
everything else.

Spider arguments (``-a name=value``, docs/crawler.md "Spider arguments"): ``url`` (one or
several start URLs), ``urls`` (a file of start URLs, each with its own arguments), ``allow``,
``deny``, ``max_pages``, ``max_depth``, ``same_domain``, ``template_pages``, ``incremental``,
``full``; the arguments other than ``url``/``urls`` apply to every site (a line of ``urls``
overrides them for its site). Every site is crawled with its own scope, template, thread
assembly, learned URL policy and crawl_runs row (crawler/sites.py). With ``REDIS_URL``, any
number of processes share one frontier of any number of sites, and thread chains cross
workers through :class:`crawler.frontier.ChainBoard`.
"""
from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import CloseSpider, DontCloseSpider
from scrapy.http import Response
from scrapy.utils.misc import load_object

from crawler import signals as fc_signals
from crawler.chains import Chains
from crawler.completion import PageLedger
from crawler.ending import plan_idle, release_orphans, report_close
from crawler.extractpool import pool_size
from crawler.extraction import Extraction
from crawler.failures import classify, fail_site, unreachable
from crawler.fetches import Fetch
from crawler.inlinesignals import inline_item_signals
from crawler.journal import Frontier
from crawler.pageflow import PageFlow, PageStep
from crawler.recrawl import known_threads
from crawler.relay import ChainRelay
from crawler.robots import RobotsTxtPending
from crawler.responses import form_facts, page_record, response_info, unusable
from crawler.sites import SiteRegistry, SiteRuns, SiteSettings, SiteState, check_site_args, read_start_list
from crawler.spiders.sitemapcrawl import SitemapCrawl
from crawler.urls import canonicalize
from crawler.warmup import begin_learning, held_response, learn_held

log = logging.getLogger(__name__)


class GenericSpider(scrapy.Spider):
    """Crawl sites, turn thread pages into posts; see the module docstring.

    Glue only: requests in, items out, signals and stats. The decisions are the rooms'
    (docs/crawler.md): per site (:class:`crawler.sites.SiteState`) its URL policy,
    template warm-up, thread assembly and recrawl plan; for the whole crawl
    :class:`PageFlow` (what one extracted page leads to), :class:`Chains` (a thread's
    next page), :mod:`crawler.ending` (what an idle crawl still does),
    :mod:`crawler.failures` (what a failed request means) and :class:`PageLedger`
    (when a page is finished).
    """

    name = "generic"
    records_runs = True  # one crawl_runs row per site (crawler.sites.SiteRuns), not the store pipeline's

    def __init__(
        self,
        url: str | None = None,
        urls: str | None = None,
        allow: str | None = None,
        deny: str | None = None,
        max_pages: int | str | None = None,
        max_depth: int | str | None = None,
        same_domain: str | bool | None = None,
        template_pages: int | str | None = None,
        incremental: str | bool | None = None,
        full: str | bool | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.site_args = {k: v for k, v in dict(
            allow=allow, deny=deny, max_pages=max_pages, max_depth=max_depth, same_domain=same_domain,
            template_pages=template_pages, incremental=incremental, full=full).items() if v is not None}
        check_site_args(self.site_args)  # a bad pattern or number fails here, before the crawl
        self.start_list = read_start_list(url, urls)  # (URL, that site's own arguments)
        self.start_url = self.start_list[0][0] if self.start_list else None
        self.allowed_domains = []  # scope is each site's policy (and crawler.scope for redirects)
        self.crawl_args = {k: v for k, v in dict(url=url, urls=urls, **self.site_args).items() if v is not None}

    @classmethod
    def update_settings(cls, settings) -> None:
        super().update_settings(settings)
        if settings.get("REDIS_URL") or os.environ.get("REDIS_URL"):
            # Many crawler processes share one Redis frontier (crawler/frontier, docs/scale.md).
            from crawler.frontier import apply_redis_settings

            apply_redis_settings(settings)

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider._setup(crawler)
        return spider

    @property
    def stats(self):
        return self.crawler.stats

    def _count(self, key: str, count: int = 1) -> None:
        self.crawler.stats.inc_value(key, count)

    @property
    def site(self) -> str | None:
        """The crawl's first site (its only one, in a crawl of one site)."""
        first = self.sites.first
        return first.origin if first is not None else None

    # -- setup -------------------------------------------------------------------------------
    def _setup(self, crawler) -> None:
        settings = crawler.settings
        jobdir = settings.get("JOBDIR")
        journaled = bool(jobdir) and getattr(load_object(settings["SCHEDULER"]), "replays_journal", False)
        self.frontier = Frontier(jobdir if journaled else None)
        self.jobdir = Path(jobdir) if jobdir else None
        # Several processes share one frontier (REDIS_URL): another worker may hold a URL this
        # one has seen, so thread chains request their next page themselves.
        self.shared_frontier = bool(settings.get("REDIS_URL"))
        self.relay = ChainRelay(self._chain_board, count=self._count)
        self.chains = Chains(self.frontier, self.relay, shared_frontier=self.shared_frontier)
        self.flow = PageFlow(self.chains, self._discover)
        self.max_page_bytes = settings.getint("FORUMCRAWL_MAX_PAGE_BYTES", 8 * 1024 * 1024)
        self.extraction = Extraction(pool_size(settings.getint("FORUMCRAWL_EXTRACT_PROCESSES", -1),
                                               shared_frontier=self.shared_frontier),
                                     timeout=settings.getfloat("FORUMCRAWL_EXTRACT_TIMEOUT", 30.0), count=self._count)
        self.commits_items = any(str(path).endswith("StorePipeline") and order is not None
                                 for path, order in dict(settings.getwithbase("ITEM_PIPELINES")).items())
        self.ledger = PageLedger(self.frontier, send=crawler.signals.send_catch_log,
                                 shared_frontier=self.shared_frontier, commits_items=self.commits_items)
        self.runs = SiteRuns(settings.get("DATABASE_URL"), given_run_id=settings.getint("FORUMCRAWL_RUN_ID", 0) or None) \
            if self.commits_items else None
        known = partial(known_threads, database_url=settings.get("DATABASE_URL"), commits_items=self.commits_items,
                        resuming=bool(self.frontier.seen), seen=self.frontier.seen)
        self.sites = SiteRegistry(SiteSettings.from_settings(
            settings, journal=self.frontier, count=self._count, shared_frontier=self.shared_frontier,
            jobdir=self.jobdir if self.frontier.journaled else None,
            claim=self.relay.claim if self.shared_frontier else None, known_threads=known, args=self.site_args,
        ), on_new=self._site_opened)
        for url, args in self.start_list:
            self.sites.add(url, args)
        self.sitemaps = SitemapCrawl(self, crawler)  # a sitemap reader per start site
        self._answered: set[str] = set()  # hosts (host:port) that sent any response, robots.txt included
        inline_item_signals(crawler.signals)  # (an item per post: no task per item_scraped receiver)
        for handler, signal in ((self._on_response, signals.response_received), (self._on_idle, signals.spider_idle),
                                (self.ledger.committed, fc_signals.items_committed),
                                (self._on_opened, signals.spider_opened), (self._on_closed, signals.spider_closed),
                                (self._on_dropped, signals.request_dropped),
                                (self._on_drained, fc_signals.frontier_drained)):
            crawler.signals.connect(handler, signal=signal)

    def _site_opened(self, site: SiteState) -> None:
        """A site met for the first time: its crawl_runs row, its template in the pool."""
        if self.runs is not None:
            self.runs.open(site)
        self.extraction.adopt(site)

    def _chain_board(self):
        from crawler.frontier import ChainBoard

        return ChainBoard.from_spider(self)

    # -- start -------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[scrapy.Request]:
        known = sum(len(site.recrawl.known) for site in self.sites)
        if known:
            self.stats.set_value("forumcrawl/incremental/known_threads", known)
        self.extraction.start(self.sites, self.stats.set_value)  # (a pool without templates, for the warm-up)
        pending = self.frontier.resumed_pending
        if pending:
            log.info("Resuming: %d unfinished URLs from the frontier journal", len(pending))
            for url, priority, meta in pending:
                yield self._request(Fetch(url, priority, meta, dont_filter=True), self.sites.of(url))
            self.frontier.resumed_pending = []
            return
        if self.frontier.journaled and self.frontier.seen:
            log.info("The frontier journal in JOBDIR has no unfinished URL: nothing to resume")
            return
        if not self.start_list:
            if self.settings.get("REDIS_URL"):
                log.info("No start URL: taking work from the shared frontier at REDIS_URL")
                return
            raise ValueError("the generic spider needs a start URL: -a url=https://...")
        later = []
        for site in self.sites:
            if not self.sitemaps.withholds(site):  # (a re-crawl reads its sitemaps first)
                for request in self._start_requests(site):
                    yield request
            if self.sitemaps.reads(site):
                later.append(site)
        for site in later:
            for request in await self.sitemaps.first_requests(site):
                yield request

    def _start_requests(self, site: SiteState) -> list[scrapy.Request]:
        """A site's start URLs (now, or once its sitemaps were read: crawler/spiders/sitemapcrawl.py)."""
        if site.start_urls and not self.shared_frontier:
            # (the CLI fails a crawl that then fetched nothing; not one its sitemaps served, nor a
            # shared-frontier worker whose pages another worker took)
            self.stats.set_value("forumcrawl/start_requested", 1)
        return self._requests(site.start_fetches(), site)

    def _request(self, fetch: Fetch, site: SiteState) -> scrapy.Request:
        """A room's decision as Scrapy's request; ``fc_key``: the URL it was decided for."""
        return scrapy.Request(
            fetch.url,
            callback=self.parse,
            errback=self.on_error,
            priority=fetch.priority,
            meta={**fetch.meta, "fc_key": fetch.url, "fc_site": site.origin},
            dont_filter=fetch.dont_filter,
            headers=fetch.headers,
        )

    def _requests(self, fetches: Iterable[Fetch], site: SiteState) -> list[scrapy.Request]:
        """Journal what was decided (flush), then hand Scrapy the requests."""
        requests = [self._request(f, site) for f in fetches]
        self.frontier.flush()
        return requests

    # -- responses ---------------------------------------------------------------------------
    async def parse(self, response: Response, **kwargs: Any) -> AsyncIterator[Any]:
        key = response.meta.get("fc_key") or canonicalize(response.request.url)
        site = self.sites.of(key, response.meta)  # (a shared frontier brings sites in on first sight)
        site.answered = True
        for request in await self.sitemaps.start_page(site, response.meta):  # (shared frontier: once per crawl)
            yield request
        url = canonicalize(response.url)
        if url != key:
            self.frontier.seen.add(url)  # a redirect target: do not fetch it again
        if response.status == 304:  # a conditional re-crawl request: the thread page is unchanged
            site.count("forumcrawl/incremental/not_modified")
            self.ledger.finish(key)
            return
        reason = unusable(response, self.max_page_bytes)
        if reason:
            for out in self._skip(site, key, response, reason):
                yield out
            return
        info = response_info(response, url)
        warmup = site.warmup
        headers = response.headers.to_unicode_dict()
        page = await self.extraction.page(site, response.body, response.url, headers)
        site.count_page(page)
        if not page.posts or not warmup.warmed:
            # what a page without posts gave (plain_outcome); a warm-up page is held, and may
            # have none once extracted with the template
            info.update(form_facts(response.body))
        if not warmup.warmed:
            for out in self._hold(site, page, response, key, url, info):
                yield out
            return
        for out in self._resume_parked():
            yield out
        step = self.flow.step(site, page, response.meta, key, url, info, response.body, headers)
        for out in self._carry_out(site, step, page, response.meta, key, info):
            yield out

    def _skip(self, site: SiteState, key: str, response: Response, reason: str) -> Iterator[Any]:
        """A response that is not a page to extract (crawler.responses.unusable): counted, finished."""
        site.count(f"forumcrawl/skipped/{reason.split(' ', 1)[0]}")
        log.info("Skipped %s: %s", response.url, reason)
        self.ledger.finish(key)
        site.warmup.settle(key)
        yield from self._requests(site.policy.refill(key), site)  # (its pattern's next trial, if any)
        self._learn_when_ready(site)

    def _hold(self, site: SiteState, page, response: Response, key: str, url: str,
              info: dict[str, Any]) -> Iterator[Any]:
        """Before the template is learned: links are followed at once (discovery goes on), the
        response is held (its items wait for the template) and the page stays unfinished."""
        self.ledger.defer(response.meta, key)
        fetches = self._discover(site, page, response.meta, url, sampling=site.warmup.sample is None)
        site.warmup.sample_first(fetches)
        yield from self._requests(fetches, site)
        site.warmup.hold(held_response(page, response.body, response.url, url, key, dict(response.meta), info,
                                       response.headers.to_unicode_dict(), fetches), [f.url for f in fetches])
        self._learn_when_ready(site)

    def _carry_out(self, site: SiteState, step: PageStep, page, meta, key: str, info: dict[str, Any]) -> Iterator[Any]:
        """What :class:`PageFlow` decided for one page. Requests are journaled and yielded
        before any item, so a page can never be marked finished (after its items are
        committed) before what it discovered is in the journal."""
        if step.parked is not None:  # (shared frontier: its request stays open while it waits)
            self.ledger.defer(meta, key, step.parked)
        yield from self._requests(step.fetches, site)
        if step.record:
            self.crawler.signals.send_catch_log(fc_signals.page_fetched,
                                                page=page_record(site.origin, info, page.kind))
        if step.finished:
            self.ledger.finish(key)
        if step.reading is not None:
            yield from self.ledger.emit(step.reading)

    def _discover(self, site: SiteState, page, meta, url: str, *, sampling: bool = False) -> list[Fetch]:
        """The links of ``page`` its site's policy takes on (PageFlow asks this too). The first
        page's entries all go (``sampling``): the template's sample is chosen from its links."""
        if self.sitemaps.stand_in(site):  # its sitemaps stand in for the listings: no link is followed
            return []
        return site.policy.discover(page, meta, url, shared_frontier=self.shared_frontier,
                                    known=site.recrawl if site.recrawl.active else None, entry_trial=not sampling)

    # -- parked pages (shared frontier: crawler/chains.py) ---------------------------------
    def _resume_parked(self, force: bool = False) -> list:
        """Go on with parked pages whose chain (read by another worker) reached them:
        their requests, then their items."""
        requests: list[Any] = []
        items: list[Any] = []
        for site, fetches, reading in self.chains.resume(self.sites, force=force):
            requests += self._requests(fetches, site)
            items += self.ledger.emit(reading)
        return requests + items

    def _release_parked(self, response: Response) -> Iterator[Any]:
        """(a wake-up's callback: no chain is coming for them) every parked page goes on."""
        yield from self._resume_parked(force=True)

    # -- template warm-up (crawler/warmup.py) ------------------------------------------------
    def _learn_when_ready(self, site: SiteState) -> None:
        """(after each held, skipped or failed page) learn once the sample is in."""
        if site.warmup.ready():
            self._begin_learning(site)

    def _begin_learning(self, site: SiteState) -> None:
        """Stop holding; the template is learned (in a worker when there is a pool) in a
        wake-up's callback, which then carries out every held page."""
        begin_learning(site)
        self._wake(self._release_warmup, origin=site.origin)

    async def _release_warmup(self, response: Response, origin: str = "") -> AsyncIterator[Any]:
        """(a wake-up's callback) learn ``origin``'s template, then read its held pages with it."""
        site = self.sites.of(origin + "/", {"fc_site": origin})
        for item, page in await learn_held(site, self.extraction, self.stats.set_value):
            step = self.flow.step(site, page, item["meta"], item["key"], canonicalize(item["url"]), item["info"],
                                  item["body"], item["headers"], item.get("found_new", False))
            for out in self._carry_out(site, step, page, item["meta"], item["key"], item["info"]):
                yield out

    # -- failed requests (crawler/failures.py) ----------------------------------------------
    def on_error(self, failure) -> Iterator[Any]:
        """A request that brought no response: its site's failure, or one URL's (then its page is finished)."""
        request = failure.request
        key = request.meta.get("fc_key") or canonicalize(request.url)
        site = self.sites.of(key, request.meta)
        why = unreachable(site, failure, request.url, host_answered=urlsplit(request.url).netloc in self._answered,
                          crawl_answered=len(self.sites) == 1 and bool(self.stats.get_value("response_received_count")))
        if why or failure.check(RobotsTxtPending):
            # Not fetched: the URL stays unfinished in the frontier for a later run.
            site.threads.forget(key)
            if why:
                self.stats.inc_value("forumcrawl/sites_unreachable")
                self.stats.set_value("forumcrawl/start_unreachable", why)
                if fail_site(site, why, self.sites, shared_frontier=self.shared_frontier):
                    raise CloseSpider("start_unreachable")
            return
        kind = classify(failure, request.url)
        site.count(kind.count)
        if kind.note:
            log.info("%s", kind.note)
        # an error counts against its URL pattern; else its pattern's next trial, if any
        yield from self._requests(site.policy.learn(key, "error") if kind.error else site.policy.refill(key), site)
        site.threads.forget(key)
        yield from self._requests(site.policy.release_jumps(key), site)  # (a thread's first page lost)
        self.ledger.finish(key, request.meta.get("frontier_id") or "")
        site.warmup.settle(key)
        self._learn_when_ready(site)

    # -- signals -------------------------------------------------------------------------------
    def _wake(self, callback, **cb_kwargs: Any) -> None:
        """A wake-up: ``callback`` runs in the engine soon, and what it yields is crawled
        (an internal request that fetches nothing)."""
        self.crawler.engine.crawl(scrapy.Request(
            "data:,", callback=callback, dont_filter=True, priority=1000, cb_kwargs=cb_kwargs,
            meta={"dont_obey_robotstxt": True, "allow_offsite": True},
        ))

    def _on_idle(self) -> None:
        """What an idle crawl still does (crawler/ending.py); the crawl stays open while it does."""
        plan = plan_idle(list(self.sites), shared_frontier=self.shared_frontier, awaited=self.relay.awaited)
        for site, fetches in plan.fetches:
            for request in self._requests(fetches, site):
                self.crawler.engine.crawl(request)
        for site in plan.learn:
            self._begin_learning(site)
        if plan.wake:
            self._wake(self._release_parked if plan.wake == "parked" else self._release_orphans)
        if plan.busy:
            raise DontCloseSpider

    def _on_drained(self) -> None:
        """(shared frontier) No work is left anywhere and no chain is coming: parked pages
        fetch their chains again, or are stored after their thread's last known post."""
        if any(site.threads.parked for site in self.sites):
            self._wake(self._release_orphans)

    def _release_orphans(self, response: Response) -> Iterator[Any]:
        """(a wake-up's callback) parked pages no chain reached: their chains fetched again,
        else read after their thread's last known post (crawler/ending.py)."""
        for site in self.sites:
            orphans = release_orphans(site, self.chains)
            if orphans is None:
                continue
            if orphans.fetches:
                yield from self._requests(orphans.fetches, site)
                continue
            items = self.ledger.emit(orphans.reading)
            for key in orphans.finished:
                self.ledger.finish(key)
            yield from items

    def _on_response(self, response, request, spider=None) -> None:
        """Note a host that answered (a later failure of it is not "unreachable")."""
        self._answered.add(urlsplit(response.url).netloc)

    def _on_dropped(self, request, spider=None) -> None:
        """A request a middleware or the scheduler dropped: its page is finished, never fetched."""
        key = request.meta.get("fc_key")
        if key:
            self.ledger.finish(key, request.meta.get("frontier_id") or "")
            site = self.sites.find(key, request.meta)
            if site is not None:
                site.warmup.settle(key)  # (a held warm-up is then released when idle)
                if request.meta.get("redirect_urls"):  # (a redirect to a page requested already)
                    for follow in self._requests(site.policy.redirected_to_known(key, request.url), site):
                        self.crawler.engine.crawl(follow)

    def _on_opened(self, spider) -> None:
        if self.runs is not None and self.runs.store is not None:
            # connected last, so the rows get the stats every other closing handler adds
            self.crawler.signals.connect(self._record_runs, signal=signals.spider_closed)
            self.runs.start_beating(self.settings.getfloat("FORUMCRAWL_HEARTBEAT_INTERVAL", 30.0))

    def _on_closed(self, spider, reason) -> None:
        if self.runs is not None:
            self.runs.stop_beating()
        if reason == "start_unreachable":
            log.error("Crawl stopped: %s; check the URL, that the site is up, and this machine's network",
                      self.stats.get_value("forumcrawl/start_unreachable"))
        report_close(list(self.sites))
        self.frontier.close()
        self.extraction.close(self.stats.set_value)

    def _record_runs(self, spider, reason) -> None:
        self.runs.close(list(self.sites), reason, self.stats.get_stats())

    # -- sitemaps (issue 11): crawler/spiders/sitemapcrawl.py ---------------------------------
    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        yield from self.sitemaps.parse(response)

    def sitemap_failed(self, failure) -> Iterator[Any]:
        yield from self.sitemaps.failed(failure)
