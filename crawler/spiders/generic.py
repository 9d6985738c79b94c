"""The generic spider: any site in, thread and post items out, no per-site rules.

``scrapy crawl generic -a url=https://forum.example/`` (or ``forumcrawl crawl URL``).

Every response is parsed once, by :func:`extractor.extract`; the spider takes
its links from the resulting :class:`~extractor.model.Page` (never a second
parse). Thread pages become a :class:`~crawler.items.ThreadItem` and
:class:`~crawler.items.PostItem` s; a thread is read from its first page along
``next_page_url`` with a running post offset, so ``position`` counts across the
whole thread. Listings feed discovery, with thread links and pagination ahead of
everything else.

Spider arguments (``-a name=value``):

``url``           start URL, or several separated by spaces (required unless resuming a job,
                  or given ``urls``)
``urls``          a file of start URLs, one a line: ``URL [name=value ...]`` (that site's own
                  arguments); every site is crawled with its own scope, template, thread
                  assembly, learned URL policy and crawl_runs row (crawler/sites.py)
``allow``         regex: only follow URLs that match it
``deny``          regex: never follow URLs that match it
``max_pages``     stop taking on new URLs after this many (0: no limit)
``max_depth``     discovery depth limit from the start page (thread pagination does not count)
``same_domain``   1: also follow the site's sibling hosts (forum.x.com -> www.x.com)
``template_pages`` pages the site template is learned from (default FORUMCRAWL_TEMPLATE_PAGES)
``incremental``   default on when the store already has the site: revisit listings, fetch only
                  threads whose listing entry changed, from their last stored page (docs/scale.md)
``full``          1: full re-crawl of a site already in the store

The arguments other than ``url``/``urls`` apply to every site (a line of ``urls``
overrides them for its site). With ``REDIS_URL``, any number of processes share one
frontier of any number of sites, and thread chains cross workers through
:class:`crawler.frontier.ChainBoard`.
"""
from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import CloseSpider, DontCloseSpider, IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.misc import load_object

import extractor
from crawler import signals as fc_signals
from crawler.assembly import Reading
from crawler.completion import PageLedger
from crawler.extractpool import pool_size
from crawler.fetches import PRIORITY_CHAIN, PRIORITY_ENTRY, PRIORITY_FIRST, PRIORITY_SAMPLE, Fetch
from crawler.inlinesignals import inline_item_signals
from crawler.journal import Frontier
from crawler.pagination import earlier_page_url
from crawler.patterns import url_pattern
from crawler.relay import ChainRelay
from crawler.robots import HostUnreachable, RobotsTxtPending
from crawler.responses import (fetched_new, form_facts, page_record, plain_outcome, reader_comments, response_info,
                                unusable)
from crawler.sites import SiteRegistry, SiteRuns, SiteSettings, SiteState, check_site_args, read_url_list
from crawler.spiders.sitemapcrawl import SitemapCrawl
from crawler.urls import canonicalize
from crawler.views import copy_of, is_digest, view_target
from crawler.warmup import learn_template

log = logging.getLogger(__name__)



class GenericSpider(scrapy.Spider):
    """Crawl sites, turn thread pages into posts; see the module docstring.

    Glue only: the decisions are the rooms' (docs/crawler.md), one set per site
    (:class:`crawler.sites.SiteState`): :class:`UrlPolicy` (what to fetch),
    :class:`TemplateWarmup`, :class:`ThreadAssembly` (chains, parked pages, items),
    :class:`RecrawlPlanner`; and for the whole crawl :class:`PageLedger` (when a page
    is finished) and :class:`ChainRelay` (chains across workers). Every request and
    response goes through the state of its site (``self.sites``).
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
        # start URLs with their own arguments: -a url="URL [URL...]", then the lines of -a urls=FILE
        self.start_list: list[tuple[str, dict[str, str]]] = [(canonicalize(u), {}) for u in (url or "").split()]
        if urls:
            try:
                text = Path(urls).read_text(encoding="utf-8")
            except OSError as exc:
                raise ValueError(f"urls={urls}: {exc.strerror or exc}") from None
            self.start_list += [(canonicalize(u), a) for u, a in read_url_list(text)]
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
        count = self._count  # (the stats collector exists only once the crawl starts)
        jobdir = settings.get("JOBDIR")
        journaled = bool(jobdir) and getattr(load_object(settings["SCHEDULER"]), "replays_journal", False)
        self.frontier = Frontier(jobdir if journaled else None)
        self.jobdir = Path(jobdir) if jobdir else None
        # Several processes share one frontier (REDIS_URL): another worker may hold a URL this
        # one has seen, so thread chains request their next page themselves.
        self.shared_frontier = bool(settings.get("REDIS_URL"))
        self.relay = ChainRelay(self._chain_board, count=count)
        self.ledger = PageLedger(self.frontier, send=crawler.signals.send_catch_log,
                                 shared_frontier=self.shared_frontier)
        self.max_page_bytes = settings.getint("FORUMCRAWL_MAX_PAGE_BYTES", 8 * 1024 * 1024)
        self.extract_processes = pool_size(settings.getint("FORUMCRAWL_EXTRACT_PROCESSES", -1),
                                           shared_frontier=self.shared_frontier)
        self._pool = None
        if self.extract_processes > 0:
            from crawler.extractpool import prestart

            prestart()
        pipelines = settings.getwithbase("ITEM_PIPELINES")
        self.commits_items = any(
            str(path).endswith("StorePipeline") and order is not None
            for path, order in dict(pipelines).items()
        )
        self.runs = SiteRuns(settings.get("DATABASE_URL"), given_run_id=settings.getint("FORUMCRAWL_RUN_ID", 0) or None) \
            if self.commits_items else None
        self._resuming = bool(self.frontier.seen)  # (known thread pages of each site are added to it below)
        self.sites = SiteRegistry(SiteSettings(
            journal=self.frontier, count=count, shared_frontier=self.shared_frontier,
            template_pages=settings.getint("FORUMCRAWL_TEMPLATE_PAGES", 6),
            max_pages=settings.getint("FORUMCRAWL_MAX_PAGES", 0),
            min_samples=settings.getint("FORUMCRAWL_LEARN_MIN_SAMPLES", 5),
            unanimous=settings.getint("FORUMCRAWL_LEARN_UNANIMOUS", 3),
            trap_samples=settings.getint("FORUMCRAWL_TRAP_SAMPLES", 200),
            trap_ratio=settings.getfloat("FORUMCRAWL_TRAP_RATIO", 0.02),
            jobdir=self.jobdir if self.frontier.journaled else None,
            claim=self.relay.claim if self.shared_frontier else None,
            known_threads=self._known_threads, args=self.site_args,
        ), on_new=self._site_opened)
        for url, args in self.start_list:
            self.sites.add(url, args)
        self.sitemaps = SitemapCrawl(self, crawler)  # a sitemap reader per start site
        self._heartbeat = None
        self._answered: set[str] = set()  # hosts (host:port) that sent any response, robots.txt included
        inline_item_signals(crawler.signals)  # (an item per post: no task per item_scraped receiver)
        crawler.signals.connect(self._on_response, signal=signals.response_received)
        crawler.signals.connect(self._on_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.ledger.committed, signal=fc_signals.items_committed)
        crawler.signals.connect(self._on_opened, signal=signals.spider_opened)
        crawler.signals.connect(self._on_closed, signal=signals.spider_closed)
        crawler.signals.connect(self._on_dropped, signal=signals.request_dropped)
        crawler.signals.connect(self._on_drained, signal=fc_signals.frontier_drained)

    def _site_opened(self, site: SiteState) -> None:
        """A site met for the first time: its crawl_runs row, its template in the pool."""
        if self.runs is not None:
            self.runs.open(site)
        if self._pool is not None and site.warmup.template is not None:
            site.template_ref = self._pool.set_template(site.warmup.template)

    def _chain_board(self):
        from crawler.frontier import ChainBoard

        return ChainBoard.from_spider(self)

    def _known_threads(self, site: SiteState) -> dict[str, dict[str, Any]]:
        """Incremental re-crawl (docs/scale.md): what the store knows of this site's threads.

        Known thread pages count as seen (never fetched from a link again); listings are
        revisited, and a listed thread is fetched again only when its reply count or
        last-post date changed, from its last stored page on (conditional request).
        """
        wanted = site.incremental_wanted()
        if wanted is False or not site.start_urls or not self.commits_items:
            return {}
        if wanted is None and self._resuming:
            # Resuming a crawl from its JOBDIR journal: what the store holds of the site is this
            # same crawl's, so its threads are not re-validated (they would be fetched twice).
            return {}
        try:
            from storage import Store, resolve_database_url

            with Store(resolve_database_url(self.settings.get("DATABASE_URL"))) as store:
                states = store.thread_states(site.origin)
                pages = store.thread_page_urls(site.origin) if states else set()
        except Exception as exc:  # no store yet, or unreachable: the pipeline reports it
            log.warning("Incremental re-crawl unavailable (%s: %s): crawling in full",
                        type(exc).__name__, str(exc).splitlines()[0][:200] if str(exc) else "")
            return {}
        if not states:
            if wanted:
                log.info("Incremental re-crawl: %s is not in the store yet, crawling in full", site.origin)
            return {}
        self.frontier.seen.update(pages)
        log.info("Incremental re-crawl of %s: %d known threads, %d known thread pages "
                 "(-a full=1 crawls everything again)", site.origin, len(states), len(pages))
        return states

    # -- start -------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[scrapy.Request]:
        known = sum(len(site.recrawl.known) for site in self.sites)
        if known:
            self.stats.set_value("forumcrawl/incremental/known_threads", known)
        self._start_pool()  # (before the templates are learned: a pool without one, for the warm-up)
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
        if site.start_urls and not self.shared_frontier:
            # (the CLI fails a crawl that then fetched nothing; not one its sitemaps served, nor a
            # shared-frontier worker whose pages another worker took)
            self.stats.set_value("forumcrawl/start_requested", 1)
        requests = []
        for url in site.start_urls:
            fetch = Fetch(url, PRIORITY_ENTRY, {"fc_depth": 0})
            site.policy.taken += 1
            self.frontier.add(fetch.url, fetch.priority, fetch.meta)
            requests.append(self._request(fetch, site))
        self.frontier.flush()
        return requests

    def _request(self, fetch: Fetch, site: SiteState) -> scrapy.Request:
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
        reason = self._unusable(response)
        if reason:
            for out in self._skip(site, key, response, reason):
                yield out
            return
        info = response_info(response, url)
        warmup = site.warmup
        if warmup.learning:  # the template is being learned: this page waits for it
            await site.learned.wait()
        headers = response.headers.to_unicode_dict()
        template = warmup.template
        page = await self._extract(site, response.body, response.url, headers)
        if warmup.learning:  # learning began while this page was extracted
            await site.learned.wait()
        if template is not warmup.template:
            # the template was learned while this page was extracted without it
            page = await self._extract(site, response.body, response.url, headers)
        self._count_page(site, page)
        if not page.posts or not warmup.warmed:
            # what a page without posts gave (plain_outcome); a warm-up page is held, and may
            # have none once extracted with the template
            info.update(form_facts(response.body))
        if not warmup.warmed:
            for out in self._warm(site, page, response, key, url, info):
                yield out
            return
        for out in self._resume_parked():
            yield out
        for out in self._handle(site, page, response.meta, key, url, info, response.body, headers):
            yield out

    async def _extract(self, site: SiteState, body: bytes, url: str, headers: dict[str, Any]):
        """The page, extracted in the worker pool when there is one (never in the reactor
        thread then, warm-up included), with its site's template once it is learned."""
        if self._pool is not None:
            from crawler.extractpool import NO_TEMPLATE

            return await self._pool.extract(body, url, headers, site.template_ref or NO_TEMPLATE)
        self.stats.inc_value("forumcrawl/extracted_in_crawler_process")
        return extractor.extract(body, url, headers=headers, template=site.warmup.template)

    def _warm(self, site: SiteState, page, response: Response, key: str, url: str,
              info: dict[str, Any]) -> Iterator[Any]:
        """Before the template is learned: links are followed at once, the response is held."""
        self.ledger.defer(response.meta, key)
        warmup = site.warmup
        # Discovery goes on while the template is learned; items wait for it.
        fetches = self._discover(site, page, response.meta, url)
        if warmup.sample is None:
            # the sample pages first: the template waits for them, with the pages held meanwhile
            for fetch in fetches[: warmup.pages - 1]:
                fetch.priority = max(fetch.priority, PRIORITY_SAMPLE)
        yield from self._requests(fetches, site)
        warmup.hold({"body": response.body, "url": response.url, "key": key, "title": page.title,
                     "thread": page.kind == "thread" and len(page.posts) >= 2,
                     # posts long enough to be content, not a repeated icon or a label
                     "posts": {hash(p.text) for p in page.posts if p.text and len(p.text) >= 50},
                     "meta": dict(response.meta), "info": info,
                     # what its links gave now (new entries, new kinds of page): handled after
                     # the warm-up, when they are known already, the page still gave them
                     "found_new": fetched_new(url, fetches),
                     "headers": response.headers.to_unicode_dict()}, [f.url for f in fetches])
        yield from self._maybe_finish_warmup(site)

    def _handle(self, site: SiteState, page, meta, key: str, url: str, info: dict[str, Any],
                body: bytes = b"", headers: dict[str, Any] | None = None,
                found_new: bool = False) -> Iterator[Any]:
        """Everything one extracted page leads to; finishes ``key`` (or leaves it to the commit).

        Requests are journaled and yielded before any item, so a page can never be
        marked finished (after its items are committed) before what it discovered
        is in the journal. ``found_new``: a page held during the warm-up whose links
        gave something new then (its URL pattern is judged by that).
        """
        threads, policy = site.threads, site.policy
        ctx = threads.context_for(meta, key, url)
        copied = copy_of(page, url, info.get("declared"), policy.in_scope) if ctx is None else None
        if copied is not None:  # a print view of a topic the extractor could not split, an archive page
            yield from self._skip_view(site, key, meta, url, copied)
            return
        if reader_comments(page):  # a blog post and its comments: an article, not a thread
            site.count("forumcrawl/article_comments_unstored")
            page.posts = []
        if not page.posts:
            fetches = self._discover(site, page, meta, url) + policy.judged(key)
            outcome = "new" if found_new else plain_outcome(page, url, fetches, info)
            yield from self._page_without_items(site, page, key, info, fetches + policy.learn(key, outcome))
            return
        if is_digest(page, url):
            # Posts gathered from other pages (recent posts, search results): stored from those.
            site.count("forumcrawl/digest_pages_skipped")
            log.info("Skipped %s: its posts are copies of posts on other pages", url)
            fetches = self._discover(site, page, meta, url)
            yield from self._page_without_items(site, page, key, info, fetches + policy.learn(key, "repeat"))
            return
        # A thread page (a single-post page may be classified "article": posts decide).
        if policy.observe_posts(url, page, info.get("declared")):
            threads.rekey(policy.inert.strip)
        released = policy.judged(key)  # copies' targets held for this page's verdict
        if released:
            yield from self._requests(released, site)
        url = policy.read_as(url)  # (a link queued before its parameter was learned inert)
        if threads.already_emitted(page) and not meta.get("fc_rechain"):
            # Every post of this page was stored from another URL of the same page.
            site.count("forumcrawl/duplicate_thread_pages")
            log.info("Skipped %s: duplicate of a thread page already read", url)
            target = None if ctx is not None else \
                view_target(page, url, info.get("declared"), policy.in_scope) or policy.views.original(page)
            if target is not None:
                policy.learn_view(key, target)
            yield from self._requests(policy.learn(key, "repeat"), site)
            self.ledger.finish(key)
            return
        if ctx is None:
            target = view_target(page, url, info.get("declared"), policy.in_scope)
            if target is not None:
                pending = bool(body) and policy.inert.undecided(key, target)
                if pending:
                    policy.keep_view(key, target, body, headers or {})
                yield from self._skip_view(site, key, meta, url, target, pending=pending)
                return
        if ctx is None:
            earlier = earlier_page_url(page, url)
            if earlier is not None:
                earlier = policy.seen_alias(earlier)
            if earlier is not None and self.shared_frontier:
                ctx = self.relay.context_for(key, url, meta.get("frontier_id") or "")
            if ctx is None and earlier is not None:
                # A later page before its chain: it waits; its thread's earlier page is fetched.
                log.debug("Parked %s until its thread's chain reaches it (earlier page %s)", url, earlier)
                threads.park(page, key, url, info, meta.get("frontier_id"), earlier, rechain=bool(meta.get("fc_rechain")))
                self.ledger.defer(meta, key, url)
                fetches = policy.learn(key, "new")
                entry_meta = {"fc_depth": meta.get("fc_depth", 0)}
                if meta.get("fc_rechain"):  # a re-chain goes on back to the thread's first page
                    fetches += self._rechain(site, [earlier])
                elif policy.take(earlier, PRIORITY_FIRST, entry_meta):
                    fetches.append(Fetch(earlier, PRIORITY_FIRST, entry_meta))
                yield from self._requests(fetches + self._discover(site, page, meta, url), site)
                return
        if ctx is None:
            late = None if "fc_entry" in meta else policy.late_entries.pop(key, None)
            ctx = threads.start(page, {**meta, "fc_entry": late} if late else meta, url)
            if meta.get("fc_rechain"):
                threads.rechain(meta["fc_rechain"], url)
        reading = threads.read(page, key, url, info, ctx, policy.next_page)
        policy.views.read(page, url)
        fetches = policy.learn(key, "new" if reading.new_posts else "repeat")
        fetches += self._follow(site, reading) + self._discover(site, page, meta, url)
        yield from self._requests(fetches, site)
        yield from self._emit(reading)

    def _page_without_items(self, site: SiteState, page, key: str, info: dict[str, Any],
                            fetches: list[Fetch]) -> Iterator[Any]:
        """A page that stores nothing (a listing, a digest): its fetches, its page record, finished."""
        yield from self._requests(fetches, site)
        self.crawler.signals.send_catch_log(fc_signals.page_fetched, page=page_record(site.origin, info, page.kind))
        self.ledger.finish(key)

    def _skip_view(self, site: SiteState, key: str, meta, url: str, target: str, *,
                   pending: bool = False) -> Iterator[Any]:
        """A copy of another page (archive, print, permalink, "jump to post" window): its
        posts are stored from the page it names, fetched instead if new."""
        policy = site.policy
        site.count("forumcrawl/views_skipped")
        log.info("Skipped %s: a view of %s", url, target)
        policy.learn_view(key, target)
        entry_meta = {"fc_depth": meta.get("fc_depth", 0)}
        fetches = [Fetch(target, PRIORITY_FIRST, entry_meta)] if policy.take(target, PRIORITY_FIRST, entry_meta) else []
        if pending and fetches and policy.await_verdict(key, fetches[0]):
            fetches = []
        # ``pending``: the page is its target's URL with a parameter not judged yet. Its verdict
        # (crawler.inert) decides about such links, not their URL pattern: blocked as copies, a
        # board's only links to its threads would be dropped before the parameter is learned inert.
        yield from self._requests(fetches + (policy.refill(key) if pending else policy.learn(key, "repeat")), site)
        self.ledger.finish(key)

    def refuse_redirect(self, origin: str, target: str) -> str | None:
        """(crawler.scope) Why a redirect is not followed: the rules of links of ``origin``'s site."""
        site = self.sites.find(canonicalize(origin))
        return site.policy.refuse_redirect(origin, target) if site is not None else None

    def refuse_queued(self, url: str) -> str | None:
        """(crawler.scope) Why a queued request is dropped: its pattern was learned useless, or it
        is another URL of a page taken on (a parameter learned inert); counted."""
        site = self.sites.find(url)
        reason = site.policy.refuse_queued(url) if site is not None else None
        if reason:
            site.count(f"forumcrawl/links_skipped/{reason}")
        return reason

    def stand_in(self, request: scrapy.Request) -> Response | None:
        """(crawler.scope) The response of a queued request whose page was fetched already under
        a URL with parameters learned inert since (kept then as a copy), instead of a download."""
        site = self.sites.find(request.url)
        kept = site.policy.stand_in(canonicalize(request.url)) if site is not None else None
        if kept is None:
            return None
        body, headers = kept
        site.count("forumcrawl/links_skipped/inert_duplicate")
        headers = {k: v for k, v in headers.items() if k.lower() not in ("content-encoding", "content-length")}
        return HtmlResponse(url=request.url, status=200, headers=headers, body=body, request=request)

    def _follow(self, site: SiteState, reading: Reading) -> list[Fetch]:
        """The chain's next page: fetched here, claimed while it is queued or in flight,
        or (shared frontier) handed to the worker that has it."""
        if self.shared_frontier:
            for url, rid, ctx in reading.kept:
                self.relay.keep(url, rid, ctx)
        if reading.next is None:
            return []
        nxt, ctx = reading.next
        if reading.new_posts:  # (before its pattern decides whether the pager's links are taken)
            site.policy.patterns.chain(nxt)
        meta = {"fc_depth": ctx.get("depth", 0), "fc_thread": ctx}
        if site.threads.fetch_ahead(nxt, ctx):  # a re-chain fetches its thread up to the pages parked here
            self.frontier.seen.add(nxt)
            return [Fetch(nxt, PRIORITY_CHAIN, {**meta, "fc_rechain": True, "frontier_local_seen": True},
                          dont_filter=True)]
        if self.shared_frontier:
            self.frontier.seen.add(nxt)
            return self.relay.continue_chain(nxt, meta)
        if site.policy.take(nxt, PRIORITY_CHAIN, meta):
            return [Fetch(nxt, PRIORITY_CHAIN, meta, dont_filter=True)]
        if not self.frontier.is_done(nxt):
            site.threads.claim(nxt, ctx)   # in flight or queued: it reads on with this chain
            self.frontier.update(nxt, PRIORITY_CHAIN, meta)
        return []

    def _emit(self, reading: Reading) -> list[Any]:
        """The reading's items; each page finishes once they are committed (or at once)."""
        for page_url, key, count in reading.pages:
            if self.commits_items and count:
                self.ledger.expect(page_url, key, count)
            else:
                self.ledger.finish(key)
        return reading.items

    def _discover(self, site: SiteState, page, meta, url: str) -> list[Fetch]:
        if self.sitemaps.stand_in(site):  # its sitemaps stand in for the listings: no link is followed
            return []
        return site.policy.discover(page, meta, url, shared_frontier=self.shared_frontier,
                                    known=site.recrawl if site.recrawl.active else None)

    # -- sitemaps (issue 11): crawler/spiders/sitemapcrawl.py ---------------------------------
    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        yield from self.sitemaps.parse(response)

    def sitemap_failed(self, failure) -> Iterator[Any]:
        yield from self.sitemaps.failed(failure)

    # -- thread chains across workers (shared frontier) ---------------------------------------
    def _resume_parked(self, force: bool = False) -> list:
        """Go on with parked pages whose chain (read by another worker) reached them:
        their requests, then their items."""
        if not self.shared_frontier:
            return []
        parked = {u: (site, p.rid or "") for site in self.sites for u, p in site.threads.parked.items()}
        if not parked:
            return []
        found = self.relay.poll({u: rid for u, (_, rid) in parked.items()}, force=force)
        requests: list[Any] = []
        items: list[Any] = []
        for url, ctx in found.items():
            site = parked[url][0]
            for reading in site.threads.resume({url: ctx}, site.policy.next_page):
                requests += self._requests(self._follow(site, reading), site)
                items += self._emit(reading)
        return requests + items

    def _release_parked(self, response: Response) -> Iterator[Any]:
        yield from self._resume_parked(force=True)

    # -- template warm-up --------------------------------------------------------------------
    def _maybe_finish_warmup(self, site: SiteState) -> Iterator[Any]:
        if site.warmup.ready():
            self._begin_learning(site)
        return iter(())

    def _begin_learning(self, site: SiteState) -> None:
        """Stop holding; the template is learned (in a worker when there is a pool) by an
        internal request's callback, which then processes every held page."""
        site.sample = site.warmup.begin()
        site.learned = asyncio.Event()
        site.threads.titles = site.warmup.titles
        self._wake(self._release_warmup, origin=site.origin)

    async def _release_warmup(self, response: Response, origin: str = "") -> AsyncIterator[Any]:
        """Learn a site's template from its sample pages, then process its held pages with it."""
        site = self.sites.of(origin + "/", {"fc_site": origin})
        warmup = site.warmup
        if not warmup.learning:
            return
        sample, site.sample = site.sample, []
        template = None
        if len(sample) >= 2:
            if self._pool is not None:
                try:
                    template = await self._pool.learn([(h["body"], h["url"]) for h in sample])
                except Exception as exc:
                    log.warning("Site template of %s could not be learned: %s: %s",
                                origin, type(exc).__name__, exc)
            else:
                # off the reactor thread: a worker learning several sites' templates keeps its
                # shared-frontier heartbeat (and the other sites' pages) going meanwhile
                template = await asyncio.to_thread(learn_template, sample)
        held = warmup.adopt(template, len(sample))
        if warmup.learned_from:
            site.counts["forumcrawl/template_pages"] = warmup.learned_from
            self.stats.set_value("forumcrawl/template_pages", warmup.learned_from)
        if template is not None and self._pool is not None:
            site.template_ref = self._pool.set_template(template)
        try:
            pages = [await self._extract(site, h["body"], h["url"], h["headers"]) for h in held] \
                if self._pool is None else \
                await asyncio.gather(*(self._extract(site, h["body"], h["url"], h["headers"]) for h in held))
            self._observe_held(site, held, pages)
        finally:
            site.learned.set()  # (the pages that came in meanwhile are read after that)
        for item, page in zip(held, pages):
            for out in self._handle(site, page, item["meta"], item["key"], canonicalize(item["url"]), item["info"],
                                    item["body"], item["headers"], item.get("found_new", False)):
                yield out

    @staticmethod
    def _observe_held(site: SiteState, held: list[dict[str, Any]], pages: list) -> None:
        """What the thread pages held during warm-up teach about inert parameters (a
        parameter's URL and the URL without it both among them), before any page is read."""
        for item, page in zip(held, pages):
            url = canonicalize(item["url"])
            if page.posts and not reader_comments(page) and not is_digest(page, url) and \
                    site.policy.observe_posts(url, page, item["info"].get("declared")):
                site.threads.rekey(site.policy.inert.strip)

    def _start_pool(self) -> None:
        if self.extract_processes > 0 and self._pool is None:
            from crawler.extractpool import ExtractPool

            self.stats.set_value("forumcrawl/extract_processes", self.extract_processes)
            self._pool = ExtractPool(self.extract_processes, None,
                                     timeout=self.settings.getfloat("FORUMCRAWL_EXTRACT_TIMEOUT", 30.0),
                                     slim=True)  # (the spider never reads page.text)
            for site in self.sites:  # templates saved in JOBDIR by an earlier run
                if site.warmup.template is not None:
                    site.template_ref = self._pool.set_template(site.warmup.template)

    # -- signals -------------------------------------------------------------------------------
    def _wake(self, callback, **cb_kwargs: Any) -> None:
        """Run ``callback`` in the engine soon (an internal request that fetches nothing)."""
        self.crawler.engine.crawl(scrapy.Request(
            "data:,", callback=callback, dont_filter=True, priority=1000, cb_kwargs=cb_kwargs,
            meta={"dont_obey_robotstxt": True, "allow_offsite": True},
        ))

    def _on_idle(self) -> None:
        sites = list(self.sites)
        busy = False
        for site in sites:
            recrawl = site.recrawl
            unlisted = recrawl.take_unlisted() if recrawl.unlisted and not site.warmup.held else []
            if unlisted:
                # Known threads that no listing entry showed (no listing recognised, or linked from
                # elsewhere only): their activity is unknown, so revalidate each with a conditional request.
                log.info("Incremental re-crawl of %s: revalidating %d known threads no listing showed",
                         site.origin, len(unlisted))
                for url, depth in unlisted:
                    for fetch in recrawl.revisit(url, None, depth):
                        self.crawler.engine.crawl(self._request(site.policy.register(fetch), site))
                busy = True
        if busy:
            raise DontCloseSpider
        for site in sites:
            if site.warmup.held:
                # Fewer pages than template_pages in the whole crawl: learn from what there is.
                if not site.warmup.learning:
                    self._begin_learning(site)
                busy = True
        if busy:
            raise DontCloseSpider
        parked = [url for site in sites for url in site.threads.parked]
        if parked and self.shared_frontier:
            # Another worker's chain may still reach them: wait while the shared crawl goes on
            # (its scheduler keeps the spider open); what is left at the end is reported on close.
            if self.relay.awaited(parked):
                self._wake(self._release_parked)
                raise DontCloseSpider
            return
        for site in sites:
            waiting = site.policy.release_waiting()
            if waiting:
                log.info("Fetching %d more links of URL patterns still on trial on %s (%s)", len(waiting),
                         site.origin, ", ".join(sorted({url_pattern(f.url) for f in waiting})[:5]))
                # Links of URL patterns on trial, held back while their first fetches were judged.
                for request in self._requests(waiting, site):
                    self.crawler.engine.crawl(request)
                busy = True
        if busy:
            raise DontCloseSpider
        if parked:
            # No chain reached them: their posts are stored anyway (and the crawl goes on).
            self._wake(self._release_orphans)
            raise DontCloseSpider

    def _on_drained(self) -> None:
        """(shared frontier) No work is left anywhere and no chain is coming: parked pages
        fetch their chains again, or are stored after their thread's last known post."""
        if any(site.threads.parked for site in self.sites):
            self._wake(self._release_orphans)

    def _rechain(self, site: SiteState, starts: list[str]) -> list[Fetch]:
        """Fetch again the pages parked pages point back to; their chains are read here."""
        starts = [url for url in starts if site.policy.refusal(url) is None]
        for url in starts:
            self.frontier.seen.add(url)
        return [Fetch(url, PRIORITY_FIRST, {"fc_depth": 0, "fc_rechain": url, "frontier_local_seen": True},
                      dont_filter=True) for url in starts]

    def _release_orphans(self, response: Response) -> Iterator[Any]:
        for site in self.sites:
            if not site.threads.parked:
                continue
            starts = site.threads.rechain_starts()
            fetches = self._rechain(site, starts) if starts and not site.policy.budget_reached else []
            if fetches:
                log.info("%d parked thread pages of %s were not reached by their chains: reading their threads "
                         "again from %s", len(site.threads.parked), site.origin, [f.url for f in fetches[:5]])
                yield from self._requests(fetches, site)
                continue
            reading, parked = self._report_orphans(site)
            items = self._emit(reading)
            rescued = {key for _, key, _ in reading.pages}
            for p in parked:
                if p.key not in rescued:
                    self.ledger.finish(p.key)
            yield from items

    def _report_orphans(self, site: SiteState) -> tuple[Reading, list]:
        """Log and count a site's parked pages no chain reached; those whose posts were all
        stored from another URL of the same page (``?page=1``) are duplicates, not losses;
        the others are stored after their thread's last known post."""
        duplicates, rescued, reading, parked = site.threads.leftovers()
        if duplicates:
            site.count("forumcrawl/duplicate_thread_pages", len(duplicates))
        if rescued:
            log.warning("%d thread pages were never reached from their thread's first page; their "
                        "new posts were stored after the thread's last known post: %s", len(rescued), rescued[:5])
            site.count("forumcrawl/thread_pages_orphaned", len(rescued))
        return reading, parked

    def on_error(self, failure) -> Iterator[Any]:
        request = failure.request
        key = request.meta.get("fc_key") or canonicalize(request.url)
        site = self.sites.of(key, request.meta)
        message = str(failure.value)
        unreachable = self._unreachable(site, failure)
        if unreachable or failure.check(RobotsTxtPending):
            # Not fetched: the URL stays unfinished in the frontier for a later run.
            site.threads.forget(key)
            if unreachable:
                self._site_failed(site, unreachable)
            return
        if failure.check(HostUnreachable):  # another host of the crawl, which never answered
            site.count("forumcrawl/errors/HostUnreachable")
            log.info("Failed %s: %s", request.url, message[:200])
            yield from self._requests(site.policy.refill(key), site)  # (its pattern's next trial, if any)
        elif failure.check(IgnoreRequest):
            site.count("forumcrawl/skipped/refused")
            yield from self._requests(site.policy.refill(key), site)  # (a refused redirect judged its pattern)
        elif "max size" in message:
            site.count("forumcrawl/skipped/too_large")
            log.info("Skipped %s: too_large (%s)", request.url, message[:200])
            yield from self._requests(site.policy.refill(key), site)
        else:
            site.count(f"forumcrawl/errors/{type(failure.value).__name__}")
            yield from self._requests(site.policy.learn(key, "error"), site)
            log.info("Failed %s: %s", request.url, message[:200] or type(failure.value).__name__)
        site.threads.forget(key)
        yield from self._requests(site.policy.release_jumps(key), site)  # (a thread's first page lost)
        self.ledger.finish(key, request.meta.get("frontier_id") or "")
        site.warmup.settle(key)
        yield from self._maybe_finish_warmup(site)

    def _unreachable(self, site: SiteState, failure) -> str | None:
        """Why a site cannot be crawled, when its host never answered: a robots.txt fetch
        without any response, or a network error before any response of that site.
        None for other failures (an HTTP error, a refusal) and once the site has answered."""
        if site.answered or site.failed or urlsplit(failure.request.url).netloc in self._answered:
            return None
        if len(self.sites) == 1 and self.stats.get_value("response_received_count"):
            return None  # (its host answered, robots.txt at least)
        if failure.check(HostUnreachable):
            return str(failure.value)
        if failure.check(IgnoreRequest, HttpError):
            return None
        value = failure.value
        return f"{urlsplit(failure.request.url).netloc} cannot be reached ({type(value).__name__}: {value})"

    def _site_failed(self, site: SiteState, why: str) -> None:
        """A site whose host never answered: that site's crawl failed, the others go on. A
        crawl (without a shared frontier) whose every site failed stops."""
        site.failed = why
        self.stats.inc_value("forumcrawl/sites_unreachable")
        self.stats.set_value("forumcrawl/start_unreachable", why)
        others = [s for s in self.sites if not s.failed]
        if others or self.shared_frontier:
            log.error("Site %s failed: %s; the %d other sites of the crawl go on", site.origin, why, len(others))
            return
        raise CloseSpider("start_unreachable")

    def _on_response(self, response, request, spider=None) -> None:
        netloc = urlsplit(response.url).netloc
        if netloc not in self._answered:
            self._answered.add(netloc)

    def _on_dropped(self, request, spider=None) -> None:
        key = request.meta.get("fc_key")
        if key:
            self.ledger.finish(key, request.meta.get("frontier_id") or "")
            site = self.sites.find(key, request.meta)
            if site is not None:
                site.warmup.settle(key)  # (a held warm-up is then released when idle)

    def _on_opened(self, spider) -> None:
        if self.runs is not None and self.runs.store is not None:
            # connected last, so the rows get the stats every other closing handler adds
            self.crawler.signals.connect(self._record_runs, signal=signals.spider_closed)
            from twisted.internet import task, threads

            interval = self.settings.getfloat("FORUMCRAWL_HEARTBEAT_INTERVAL", 30.0)
            self._heartbeat = task.LoopingCall(lambda: threads.deferToThread(self.runs.beat))
            self._heartbeat.start(interval, now=False)

    def _on_closed(self, spider, reason) -> None:
        if self._heartbeat is not None and self._heartbeat.running:
            self._heartbeat.stop()
        if reason == "start_unreachable":
            log.error("Crawl stopped: %s; check the URL, that the site is up, and this machine's network",
                      self.stats.get_value("forumcrawl/start_unreachable"))
        sites = list(self.sites)
        for site in sites:
            if site.threads.parked:  # a shutdown: they are fetched again by the next run (or worker)
                log.info("%d parked thread pages of %s stay unfinished", len(site.threads.parked), site.origin)
            learned = site.policy.patterns.learned()
            if learned:
                log.info("URL patterns learned useless on %s: %s", site.origin,
                         "; ".join(f"{p} ({r})" for p, r in sorted(learned.items())[:20]))
            if site.failed and len(sites) > 1:
                log.error("Site %s was not crawled: %s", site.origin, site.failed)
        if len(sites) > 1:
            log.info("Sites: %s", "; ".join(
                f"{s.origin}: {s.counts.get('forumcrawl/pages', 0)} pages, {s.counts.get('forumcrawl/posts', 0)} "
                f"posts{' (failed)' if s.failed else ''}" for s in sites))
        self.frontier.close()
        if self._pool is not None:
            self.stats.set_value("forumcrawl/extract_processes_cpu_seconds",
                                 round(self._pool.cpu_seconds(), 2))
            if self._pool.timeouts:  # pages abandoned over FORUMCRAWL_EXTRACT_TIMEOUT (logged as failed)
                self.stats.set_value("forumcrawl/extract/timeout", self._pool.timeouts)
            self._pool.close()

    def _record_runs(self, spider, reason) -> None:
        self.runs.close(list(self.sites), reason, self.stats.get_stats())

    # -- responses that are not pages ------------------------------------------------------------
    def _count_page(self, site: SiteState, page) -> None:
        site.count("forumcrawl/pages")
        site.count(f"forumcrawl/pages/{page.kind}")
        if any(w.startswith("extraction failed") for w in page.warnings):
            site.count("forumcrawl/extraction_failures")
            log.warning("Extraction failed for %s: %s", page.url, "; ".join(page.warnings)[:300])

    def _unusable(self, response: Response) -> str | None:
        return unusable(response, self.max_page_bytes)

    def _skip(self, site: SiteState, key: str, response: Response, reason: str) -> Iterator[Any]:
        site.count(f"forumcrawl/skipped/{reason.split(' ', 1)[0]}")
        log.info("Skipped %s: %s", response.url, reason)
        self.ledger.finish(key)
        site.warmup.settle(key)
        yield from self._requests(site.policy.refill(key), site)  # (its pattern's next trial, if any)
        yield from self._maybe_finish_warmup(site)
