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

``url``           start URL (required unless resuming a job)
``allow``         regex: only follow URLs that match it
``deny``          regex: never follow URLs that match it
``max_pages``     stop taking on new URLs after this many (0: no limit)
``max_depth``     discovery depth limit from the start page (thread pagination does not count)
``same_domain``   1: also follow the site's sibling hosts (forum.x.com -> www.x.com)
``template_pages`` pages the site template is learned from (default FORUMCRAWL_TEMPLATE_PAGES)
``incremental``   default on when the store already has the site: revisit listings, fetch only
                  threads whose listing entry changed, from their last stored page (docs/scale.md)
``full``          1: full re-crawl of a site already in the store

With ``REDIS_URL``, any number of processes share one frontier, and thread chains
cross workers through :class:`crawler.frontier.ChainBoard`.
"""
from __future__ import annotations

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import CloseSpider, DontCloseSpider, IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.misc import load_object

import extractor
from crawler import signals as fc_signals
from crawler.assembly import Reading, ThreadAssembly
from crawler.completion import PageLedger
from crawler.extractpool import pool_size
from crawler.fetches import PRIORITY_CHAIN, PRIORITY_ENTRY, PRIORITY_FIRST, PRIORITY_SAMPLE, Fetch
from crawler.journal import Frontier
from crawler.pagination import earlier_page_url
from crawler.patterns import PatternLearner, url_pattern
from crawler.policy import UrlPolicy
from crawler.recrawl import RecrawlPlanner
from crawler.relay import ChainRelay
from crawler.robots import HostUnreachable, RobotsTxtPending
from crawler.responses import page_record, plain_outcome, response_info, unusable, url_host
from crawler.urls import canonicalize
from crawler.views import view_target
from crawler.warmup import TemplateWarmup, learn_template

log = logging.getLogger(__name__)



def _flag(value: Any) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


class GenericSpider(scrapy.Spider):
    """Crawl one site, turn thread pages into posts; see the module docstring.

    Glue only: the decisions are the rooms' (docs/crawler.md): :class:`UrlPolicy`
    (what to fetch), :class:`TemplateWarmup`, :class:`ThreadAssembly` (chains,
    parked pages, items), :class:`RecrawlPlanner`, :class:`PageLedger` (when a page
    is finished) and :class:`ChainRelay` (chains across workers).
    """

    name = "generic"

    def __init__(
        self,
        url: str | None = None,
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
        self.start_url = canonicalize(url) if url else None
        re.compile(allow or ""), re.compile(deny or "")  # a bad pattern fails here, before the crawl
        self._scope_args = dict(allow=allow, deny=deny, max_pages=int(max_pages or 0),
                                max_depth=int(max_depth) if max_depth not in (None, "") else None,
                                same_domain=_flag(same_domain) if same_domain is not None else False)
        self._template_pages_arg = template_pages
        # None: incremental when the store already has the site (a re-crawl); full=1 forces a full crawl.
        self._incremental_arg = None if incremental in (None, "") else _flag(incremental)
        if full is not None and _flag(full):
            self._incremental_arg = False
        self.allowed_domains = [url_host(self.start_url)] if self.start_url else []
        self.crawl_args = {
            k: v for k, v in dict(url=url, allow=allow, deny=deny, max_pages=max_pages,
                                  max_depth=max_depth, same_domain=same_domain, incremental=incremental,
                                  full=full).items() if v is not None
        }

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
        return self.policy.site

    @property
    def host(self) -> str | None:
        return self.policy.host

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
        patterns = PatternLearner(min_samples=settings.getint("FORUMCRAWL_LEARN_MIN_SAMPLES", 5),
                                  trap_samples=settings.getint("FORUMCRAWL_TRAP_SAMPLES", 200),
                                  trap_ratio=settings.getfloat("FORUMCRAWL_TRAP_RATIO", 0.02), count=count)
        scope = dict(self._scope_args)
        if not scope["max_pages"] and "max_pages" not in self.crawl_args:
            scope["max_pages"] = settings.getint("FORUMCRAWL_MAX_PAGES", 0)
        self.policy = UrlPolicy(self.frontier, start_url=self.start_url, count=count, patterns=patterns, **scope)
        self.policy.trial = not self.shared_frontier
        pages = self._template_pages_arg
        pages = int(pages if pages is not None else settings.getint("FORUMCRAWL_TEMPLATE_PAGES", 6))
        self.warmup = TemplateWarmup(pages, jobdir=self.jobdir if self.frontier.journaled else None)
        self.threads = ThreadAssembly(self.site, titles=self.warmup.titles, count=count)
        self.relay = ChainRelay(self._chain_board, count=count)
        self.ledger = PageLedger(self.frontier, send=crawler.signals.send_catch_log,
                                 shared_frontier=self.shared_frontier)
        self.max_page_bytes = settings.getint("FORUMCRAWL_MAX_PAGE_BYTES", 8 * 1024 * 1024)
        self.extract_processes = pool_size(settings.getint("FORUMCRAWL_EXTRACT_PROCESSES", -1),
                                           shared_frontier=self.shared_frontier)
        self._pool = None
        self._sample: list[dict[str, Any]] = []
        if self.extract_processes > 0:
            from crawler.extractpool import prestart

            prestart()
        pipelines = settings.getwithbase("ITEM_PIPELINES")
        self.commits_items = any(
            str(path).endswith("StorePipeline") and order is not None
            for path, order in dict(pipelines).items()
        )
        self.recrawl = RecrawlPlanner(self._recrawl_state(settings), count=count,
                                      claim=self.relay.claim if self.shared_frontier else None)
        self.incremental = self.recrawl.active
        crawler.signals.connect(self._on_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.ledger.committed, signal=fc_signals.items_committed)
        crawler.signals.connect(self._on_closed, signal=signals.spider_closed)
        crawler.signals.connect(self._on_dropped, signal=signals.request_dropped)
        crawler.signals.connect(self._on_drained, signal=fc_signals.frontier_drained)

    def _chain_board(self):
        from crawler.frontier import ChainBoard

        return ChainBoard.from_spider(self)

    def _recrawl_state(self, settings) -> dict[str, dict[str, Any]]:
        """Incremental re-crawl (docs/scale.md): what the store knows of this site's threads.

        Known thread pages count as seen (never fetched from a link again); listings are
        revisited, and a listed thread is fetched again only when its reply count or
        last-post date changed, from its last stored page on (conditional request).
        """
        wanted = self._incremental_arg
        if wanted is False or not self.start_url or not self.commits_items:
            return {}
        if wanted is None and self.frontier.seen:
            # Resuming a crawl from its JOBDIR journal: what the store holds of the site is this
            # same crawl's, so its threads are not re-validated (they would be fetched twice).
            return {}
        try:
            from storage import Store, resolve_database_url

            with Store(resolve_database_url(settings.get("DATABASE_URL"))) as store:
                states = store.thread_states(self.site)
                pages = store.thread_page_urls(self.site) if states else set()
        except Exception as exc:  # no store yet, or unreachable: the pipeline reports it
            log.warning("Incremental re-crawl unavailable (%s: %s): crawling in full",
                        type(exc).__name__, str(exc).splitlines()[0][:200] if str(exc) else "")
            return {}
        if not states:
            if wanted:
                log.info("Incremental re-crawl: %s is not in the store yet, crawling in full", self.site)
            return {}
        self.frontier.seen.update(pages)
        log.info("Incremental re-crawl of %s: %d known threads, %d known thread pages "
                 "(-a full=1 crawls everything again)", self.site, len(states), len(pages))
        return states

    # -- start -------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.incremental:
            self.stats.set_value("forumcrawl/incremental/known_threads", len(self.recrawl.known))
        self._start_pool()  # (before the template is learned: a pool without one, for the warm-up)
        pending = self.frontier.resumed_pending
        if pending:
            log.info("Resuming: %d unfinished URLs from the frontier journal", len(pending))
            if self.host is None:
                self._set_site(pending[0][0])
            for url, priority, meta in pending:
                yield self._request(Fetch(url, priority, meta, dont_filter=True))
            self.frontier.resumed_pending = []
            return
        if self.frontier.journaled and self.frontier.seen:
            log.info("The frontier journal in JOBDIR has no unfinished URL: nothing to resume")
            return
        if not self.start_url:
            if self.settings.get("REDIS_URL"):
                log.info("No start URL: taking work from the shared frontier at REDIS_URL")
                return
            raise ValueError("the generic spider needs a start URL: -a url=https://...")
        fetch = Fetch(self.start_url, PRIORITY_ENTRY, {"fc_depth": 0})
        self.policy.taken += 1
        self.frontier.add(fetch.url, fetch.priority, fetch.meta)
        self.frontier.flush()
        self.stats.set_value("forumcrawl/start_requested", 1)  # (the CLI fails a crawl that then fetched nothing)
        yield self._request(fetch)

    def _set_site(self, url: str) -> None:
        self.policy.set_site(url)
        self.threads.site = self.site
        self.allowed_domains = [url_host(url)]

    def _request(self, fetch: Fetch) -> scrapy.Request:
        return scrapy.Request(
            fetch.url,
            callback=self.parse,
            errback=self.on_error,
            priority=fetch.priority,
            meta={**fetch.meta, "fc_key": fetch.url},
            dont_filter=fetch.dont_filter,
            headers=fetch.headers,
        )

    def _requests(self, fetches: Iterable[Fetch]) -> list[scrapy.Request]:
        """Journal what was decided (flush), then hand Scrapy the requests."""
        requests = [self._request(f) for f in fetches]
        self.frontier.flush()
        return requests

    # -- responses ---------------------------------------------------------------------------
    async def parse(self, response: Response, **kwargs: Any) -> AsyncIterator[Any]:
        if self.host is None:  # no start URL (shared frontier): the site is the first page's
            self._set_site(response.url)
        key = response.meta.get("fc_key") or canonicalize(response.request.url)
        url = canonicalize(response.url)
        if url != key:
            self.frontier.seen.add(url)  # a redirect target: do not fetch it again
        if response.status == 304:  # a conditional re-crawl request: the thread page is unchanged
            self.stats.inc_value("forumcrawl/incremental/not_modified")
            self.ledger.finish(key)
            return
        reason = self._unusable(response)
        if reason:
            for out in self._skip(key, response, reason):
                yield out
            return
        info = response_info(response, url)
        if self.warmup.learning:  # the template is being learned: this page waits for it
            await self._learned.wait()
        headers = response.headers.to_unicode_dict()
        template = self.warmup.template
        page = await self._extract(response.body, response.url, headers)
        if self.warmup.learning:  # learning began while this page was extracted
            await self._learned.wait()
        if template is not self.warmup.template:
            # the template was learned while this page was extracted without it
            page = await self._extract(response.body, response.url, headers)
        self._count_page(page)
        if not self.warmup.warmed:
            for out in self._warm(page, response, key, url, info):
                yield out
            return
        for out in self._resume_parked():
            yield out
        for out in self._handle(page, response.meta, key, url, info):
            yield out

    async def _extract(self, body: bytes, url: str, headers: dict[str, Any]):
        """The page, extracted in the worker pool when there is one (never in the reactor
        thread then, warm-up included), with the site template once it is learned."""
        if self._pool is not None:
            return await self._pool.extract(body, url, headers)
        self.stats.inc_value("forumcrawl/extracted_in_crawler_process")
        return extractor.extract(body, url, headers=headers, template=self.warmup.template)

    def _warm(self, page, response: Response, key: str, url: str, info: dict[str, Any]) -> Iterator[Any]:
        """Before the template is learned: links are followed at once, the response is held."""
        self.ledger.defer(response.meta, key)
        # Discovery goes on while the template is learned; items wait for it.
        fetches = self._discover(page, response.meta, url)
        if self.warmup.sample is None:
            # the sample pages first: the template waits for them, with the pages held meanwhile
            for fetch in fetches[: self.warmup.pages - 1]:
                fetch.priority = max(fetch.priority, PRIORITY_SAMPLE)
        yield from self._requests(fetches)
        self.warmup.hold({"body": response.body, "url": response.url, "key": key, "title": page.title,
                          # posts long enough to be content, not a repeated icon or a label
                          "posts": {hash(p.text) for p in page.posts if p.text and len(p.text) >= 50},
                          "meta": dict(response.meta), "info": info,
                          "headers": response.headers.to_unicode_dict()}, [f.url for f in fetches])
        yield from self._maybe_finish_warmup()

    def _handle(self, page, meta, key: str, url: str, info: dict[str, Any]) -> Iterator[Any]:
        """Everything one extracted page leads to; finishes ``key`` (or leaves it to the commit).

        Requests are journaled and yielded before any item, so a page can never be
        marked finished (after its items are committed) before what it discovered
        is in the journal.
        """
        threads = self.threads
        ctx = threads.context_for(meta, key, url)
        if not page.posts:
            fetches = self._discover(page, meta, url)
            fetches += self._learn(key, plain_outcome(page, url, fetches, info))
            yield from self._requests(fetches)
            self.crawler.signals.send_catch_log(
                fc_signals.page_fetched, page=page_record(self.site, info, page.kind))
            self.ledger.finish(key)
            return
        # A thread page (a single-post page may be classified "article": posts decide).
        if threads.already_emitted(page) and not meta.get("fc_rechain"):
            # Every post of this page was stored from another URL of the same page.
            self.stats.inc_value("forumcrawl/duplicate_thread_pages")
            log.info("Skipped %s: duplicate of a thread page already read", url)
            yield from self._requests(self._learn(key, "repeat"))
            self.ledger.finish(key)
            return
        if ctx is None:
            target = view_target(page, url, info.get("declared"), self.policy.in_scope)
            if target is not None:
                # A copy of another page (archive, print, permalink, "jump to post" window):
                # its posts are stored from the page it names, fetched instead if new.
                self.stats.inc_value("forumcrawl/views_skipped")
                log.info("Skipped %s: a view of %s", url, target)
                entry_meta = {"fc_depth": meta.get("fc_depth", 0)}
                fetches = [Fetch(target, PRIORITY_FIRST, entry_meta)] \
                    if self.policy.take(target, PRIORITY_FIRST, entry_meta) else []
                yield from self._requests(fetches + self._learn(key, "repeat"))
                self.ledger.finish(key)
                return
        if ctx is None:
            earlier = earlier_page_url(page, url)
            if earlier is not None and self.shared_frontier:
                ctx = self.relay.context_for(key, url, meta.get("frontier_id") or "")
            if ctx is None and earlier is not None:
                # A later page before its chain: it waits; its thread's earlier page is fetched.
                log.debug("Parked %s until its thread's chain reaches it (earlier page %s)", url, earlier)
                threads.park(page, key, url, info, meta.get("frontier_id"), earlier, rechain=bool(meta.get("fc_rechain")))
                self.ledger.defer(meta, key, url)
                fetches = self._learn(key, "new")
                entry_meta = {"fc_depth": meta.get("fc_depth", 0)}
                if meta.get("fc_rechain"):  # a re-chain goes on back to the thread's first page
                    fetches += self._rechain([earlier])
                elif self.policy.take(earlier, PRIORITY_FIRST, entry_meta):
                    fetches.append(Fetch(earlier, PRIORITY_FIRST, entry_meta))
                yield from self._requests(fetches + self._discover(page, meta, url))
                return
        if ctx is None:
            late = None if "fc_entry" in meta else self.policy.late_entries.pop(key, None)
            ctx = threads.start(page, {**meta, "fc_entry": late} if late else meta, url)
            if meta.get("fc_rechain"):
                threads.rechain(meta["fc_rechain"], url)
        reading = threads.read(page, key, url, info, ctx, self.policy.next_page)
        fetches = self._learn(key, "new" if reading.new_posts else "repeat")
        fetches += self._follow(reading) + self._discover(page, meta, url)
        yield from self._requests(fetches)
        yield from self._emit(reading)

    def _learn(self, url: str, outcome: str) -> list[Fetch]:
        return self.policy.learn(url, outcome)

    def refuse_redirect(self, origin: str, target: str) -> str | None:
        """(crawler.scope) Why a redirect is not followed: the rules of links."""
        return self.policy.refuse_redirect(origin, target)

    def refuse_queued(self, url: str) -> str | None:
        """(crawler.scope) Why a queued request is dropped: its pattern was learned useless."""
        blocked = self.policy.patterns.blocked(url)
        if blocked:
            self.stats.inc_value(f"forumcrawl/links_skipped/learned_{blocked}")
        return blocked

    def _follow(self, reading: Reading) -> list[Fetch]:
        """The chain's next page: fetched here, claimed while it is queued or in flight,
        or (shared frontier) handed to the worker that has it."""
        if self.shared_frontier:
            for url, rid, ctx in reading.kept:
                self.relay.keep(url, rid, ctx)
        if reading.next is None:
            return []
        nxt, ctx = reading.next
        meta = {"fc_depth": ctx.get("depth", 0), "fc_thread": ctx}
        if self.threads.fetch_ahead(nxt, ctx):  # a re-chain fetches its thread up to the pages parked here
            self.frontier.seen.add(nxt)
            return [Fetch(nxt, PRIORITY_CHAIN, {**meta, "fc_rechain": True, "frontier_local_seen": True},
                          dont_filter=True)]
        if self.shared_frontier:
            self.frontier.seen.add(nxt)
            return self.relay.continue_chain(nxt, meta)
        if self.policy.take(nxt, PRIORITY_CHAIN, meta):
            return [Fetch(nxt, PRIORITY_CHAIN, meta, dont_filter=True)]
        if not self.frontier.is_done(nxt):
            self.threads.claim(nxt, ctx)   # in flight or queued: it reads on with this chain
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

    def _discover(self, page, meta, url: str) -> list[Fetch]:
        return self.policy.discover(page, meta, url, shared_frontier=self.shared_frontier,
                                    known=self.recrawl if self.recrawl.active else None)

    # -- thread chains across workers (shared frontier) ---------------------------------------
    def _resume_parked(self, force: bool = False) -> list:
        """Go on with parked pages whose chain (read by another worker) reached them:
        their requests, then their items."""
        if not self.threads.parked or not self.shared_frontier:
            return []
        found = self.relay.poll({u: p.rid or "" for u, p in self.threads.parked.items()}, force=force)
        fetches: list[Fetch] = []
        items: list[Any] = []
        for reading in self.threads.resume(found, self.policy.next_page):
            fetches += self._follow(reading)
            items += self._emit(reading)
        return self._requests(fetches) + items

    def _release_parked(self, response: Response) -> Iterator[Any]:
        yield from self._resume_parked(force=True)

    # -- template warm-up --------------------------------------------------------------------
    def _maybe_finish_warmup(self) -> Iterator[Any]:
        if self.warmup.ready():
            self._begin_learning()
        return iter(())

    def _begin_learning(self) -> None:
        """Stop holding; the template is learned (in a worker when there is a pool) by an
        internal request's callback, which then processes every held page."""
        self._sample = self.warmup.begin()
        self._learned = asyncio.Event()
        self.threads.titles = self.warmup.titles
        self._wake(self._release_warmup)

    async def _release_warmup(self, response: Response) -> AsyncIterator[Any]:
        """Learn the site template from the sample pages, then process every held page with it."""
        if not self.warmup.learning:
            return
        sample, self._sample = self._sample, []
        template = None
        if len(sample) >= 2:
            if self._pool is not None:
                try:
                    template = await self._pool.learn([(h["body"], h["url"]) for h in sample])
                except Exception as exc:
                    log.warning("Site template could not be learned: %s: %s", type(exc).__name__, exc)
            else:
                template = learn_template(sample)
        held = self.warmup.adopt(template, len(sample))
        self._learned.set()
        if self.warmup.learned_from:
            self.stats.set_value("forumcrawl/template_pages", self.warmup.learned_from)
        if template is not None and self._pool is not None:
            self._pool.set_template(template)
        pages = [await self._extract(h["body"], h["url"], h["headers"]) for h in held] \
            if self._pool is None else \
            await asyncio.gather(*(self._extract(h["body"], h["url"], h["headers"]) for h in held))
        for item, page in zip(held, pages):
            for out in self._handle(page, item["meta"], item["key"], canonicalize(item["url"]), item["info"]):
                yield out

    def _start_pool(self) -> None:
        if self.extract_processes > 0 and self._pool is None:
            from crawler.extractpool import ExtractPool

            self.stats.set_value("forumcrawl/extract_processes", self.extract_processes)
            self._pool = ExtractPool(self.extract_processes, self.warmup.template,
                                     timeout=self.settings.getfloat("FORUMCRAWL_EXTRACT_TIMEOUT", 30.0))

    # -- signals -------------------------------------------------------------------------------
    def _wake(self, callback) -> None:
        """Run ``callback`` in the engine soon (an internal request that fetches nothing)."""
        self.crawler.engine.crawl(scrapy.Request(
            "data:,", callback=callback, dont_filter=True, priority=1000,
            meta={"dont_obey_robotstxt": True, "allow_offsite": True},
        ))

    def _on_idle(self) -> None:
        unlisted = self.recrawl.take_unlisted() if self.recrawl.unlisted and not self.warmup.held else []
        if unlisted:
            # Known threads that no listing entry showed (no listing recognised, or linked from
            # elsewhere only): their activity is unknown, so revalidate each with a conditional request.
            log.info("Incremental re-crawl: revalidating %d known threads no listing showed", len(unlisted))
            for url, depth in unlisted:
                for fetch in self.recrawl.revisit(url, None, depth):
                    self.crawler.engine.crawl(self._request(self.policy.register(fetch)))
            raise DontCloseSpider
        if self.warmup.held:
            # Fewer pages than template_pages in the whole crawl: learn from what there is.
            if not self.warmup.learning:
                self._begin_learning()
            raise DontCloseSpider
        if self.threads.parked and self.shared_frontier:
            # Another worker's chain may still reach them: wait while the shared crawl goes on
            # (its scheduler keeps the spider open); what is left at the end is reported on close.
            if self.relay.awaited(list(self.threads.parked)):
                self._wake(self._release_parked)
                raise DontCloseSpider
            return
        waiting = self.policy.release_waiting()
        if waiting:
            log.info("Fetching %d more links of URL patterns still on trial (%s)", len(waiting),
                     ", ".join(sorted({url_pattern(f.url) for f in waiting})[:5]))
            # Links of URL patterns on trial, held back while their first fetches were judged.
            for request in self._requests(waiting):
                self.crawler.engine.crawl(request)
            raise DontCloseSpider
        if self.threads.parked:
            # No chain reached them: their posts are stored anyway (and the crawl goes on).
            self._wake(self._release_orphans)
            raise DontCloseSpider

    def _on_drained(self) -> None:
        """(shared frontier) No work is left anywhere and no chain is coming: parked pages
        fetch their chains again, or are stored after their thread's last known post."""
        if self.threads.parked:
            self._wake(self._release_orphans)

    def _rechain(self, starts: list[str]) -> list[Fetch]:
        """Fetch again the pages parked pages point back to; their chains are read here."""
        starts = [url for url in starts if self.policy.refusal(url) is None]
        for url in starts:
            self.frontier.seen.add(url)
        return [Fetch(url, PRIORITY_FIRST, {"fc_depth": 0, "fc_rechain": url, "frontier_local_seen": True},
                      dont_filter=True) for url in starts]

    def _release_orphans(self, response: Response) -> Iterator[Any]:
        starts = self.threads.rechain_starts()
        fetches = self._rechain(starts) if starts and not self.policy.budget_reached else []
        if fetches:
            log.info("%d parked thread pages were not reached by their chains: reading their threads again "
                     "from %s", len(self.threads.parked), [f.url for f in fetches[:5]])
            yield from self._requests(fetches)
            return
        reading, parked = self._report_orphans()
        items = self._emit(reading)
        rescued = {key for _, key, _ in reading.pages}
        for p in parked:
            if p.key not in rescued:
                self.ledger.finish(p.key)
        yield from items

    def _report_orphans(self) -> tuple[Reading, list]:
        """Log and count parked pages no chain reached; those whose posts were all
        stored from another URL of the same page (``?page=1``) are duplicates, not losses;
        the others are stored after their thread's last known post."""
        duplicates, rescued, reading, parked = self.threads.leftovers()
        if duplicates:
            self.stats.inc_value("forumcrawl/duplicate_thread_pages", len(duplicates))
        if rescued:
            log.warning("%d thread pages were never reached from their thread's first page; their "
                        "new posts were stored after the thread's last known post: %s", len(rescued), rescued[:5])
            self.stats.inc_value("forumcrawl/thread_pages_orphaned", len(rescued))
        return reading, parked

    def on_error(self, failure) -> Iterator[Any]:
        request = failure.request
        key = request.meta.get("fc_key") or canonicalize(request.url)
        message = str(failure.value)
        unreachable = self._unreachable(failure)
        if unreachable or failure.check(RobotsTxtPending):
            # Not fetched: the URL stays unfinished in the frontier for a later run.
            self.threads.forget(key)
            if unreachable:
                self.stats.set_value("forumcrawl/start_unreachable", unreachable)
                raise CloseSpider("start_unreachable")
            return
        if failure.check(HostUnreachable):  # another host of the crawl, which never answered
            self.stats.inc_value("forumcrawl/errors/HostUnreachable")
            log.info("Failed %s: %s", request.url, message[:200])
        elif failure.check(IgnoreRequest):
            self.stats.inc_value("forumcrawl/skipped/refused")
        elif "max size" in message:
            self.stats.inc_value("forumcrawl/skipped/too_large")
            log.info("Skipped %s: too_large (%s)", request.url, message[:200])
        else:
            self.stats.inc_value(f"forumcrawl/errors/{type(failure.value).__name__}")
            yield from self._requests(self._learn(key, "error"))
            log.info("Failed %s: %s", request.url, message[:200] or type(failure.value).__name__)
        self.threads.forget(key)
        self.ledger.finish(key, request.meta.get("frontier_id") or "")
        self.warmup.settle(key)
        yield from self._maybe_finish_warmup()

    def _unreachable(self, failure) -> str | None:
        """Why the crawl cannot start, when its host never answered: a robots.txt fetch
        without any response, or a network error before any response of the crawl.
        None for other failures (an HTTP error, a refusal) and once a host has answered."""
        if self.stats.get_value("response_received_count"):
            return None
        if failure.check(HostUnreachable):
            return str(failure.value)
        if failure.check(IgnoreRequest, HttpError):
            return None
        value = failure.value
        return f"{urlsplit(failure.request.url).netloc} cannot be reached ({type(value).__name__}: {value})"

    def _on_dropped(self, request, spider=None) -> None:
        key = request.meta.get("fc_key")
        if key:
            self.ledger.finish(key, request.meta.get("frontier_id") or "")
            self.warmup.settle(key)  # (a held warm-up is then released when idle)

    def _on_closed(self, spider, reason) -> None:
        if reason == "start_unreachable":
            log.error("Crawl stopped: %s; check the URL, that the site is up, and this machine's network",
                      self.stats.get_value("forumcrawl/start_unreachable"))
        if self.threads.parked:  # a shutdown: they are fetched again by the next run (or worker)
            log.info("%d parked thread pages stay unfinished", len(self.threads.parked))
        learned = self.policy.patterns.learned()
        if learned:
            log.info("URL patterns learned useless on %s: %s", self.site,
                     "; ".join(f"{p} ({r})" for p, r in sorted(learned.items())[:20]))
        self.frontier.close()
        if self._pool is not None:
            self.stats.set_value("forumcrawl/extract_processes_cpu_seconds",
                                 round(self._pool.cpu_seconds(), 2))
            if self._pool.timeouts:  # pages abandoned over FORUMCRAWL_EXTRACT_TIMEOUT (logged as failed)
                self.stats.set_value("forumcrawl/extract/timeout", self._pool.timeouts)
            self._pool.close()

    # -- responses that are not pages ------------------------------------------------------------
    def _count_page(self, page) -> None:
        self.stats.inc_value("forumcrawl/pages")
        self.stats.inc_value(f"forumcrawl/pages/{page.kind}")
        if any(w.startswith("extraction failed") for w in page.warnings):
            self.stats.inc_value("forumcrawl/extraction_failures")
            log.warning("Extraction failed for %s: %s", page.url, "; ".join(page.warnings)[:300])

    def _unusable(self, response: Response) -> str | None:
        return unusable(response, self.max_page_bytes)

    def _skip(self, key: str, response: Response, reason: str) -> Iterator[Any]:
        self.stats.inc_value(f"forumcrawl/skipped/{reason.split(' ', 1)[0]}")
        log.info("Skipped %s: %s", response.url, reason)
        self.ledger.finish(key)
        self.warmup.settle(key)
        yield from self._maybe_finish_warmup()
