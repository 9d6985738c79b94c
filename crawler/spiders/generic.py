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

import hashlib
import logging
import os
import pickle
import re
import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.utils.misc import load_object

import extractor
from crawler import signals as fc_signals
from crawler.items import PostItem, ThreadItem
from crawler.extractpool import pool_size
from crawler.journal import Frontier
from crawler.pagination import earlier_page_url, first_page_aliases
from crawler.titles import TitleCleaner
from crawler.urls import canonicalize, same_site, site_of, skip_reason

log = logging.getLogger(__name__)


def _emitted_key(post) -> int | None:
    """A post's site id with its text: on some engines ids are only unique within a
    thread (floor anchors c1, c2...), so the id alone would mistake another thread's
    first page for a page already read. (An in-memory key of this crawl: Python's
    hash is enough, and far cheaper than a digest of the text.)"""
    if not post.post_id:
        return None
    return hash((post.post_id, post.text))

# Request priorities (higher first): finish the thread being read before discovering more.
PRIORITY_CHAIN = 100     # next page of a thread being read
PRIORITY_FIRST = 90      # first page of a thread whose later page arrived first
PRIORITY_ENTRY = 50      # a thread or article listed on a listing
PRIORITY_LISTING_NEXT = 30
PRIORITY_PAGINATION = 20
PRIORITY_NAVIGATION = 0
PRIORITY_OTHER = -10
PRIORITY_IN_POST = -20
_ROLE_PRIORITY = {
    "entry": PRIORITY_ENTRY,
    "pagination": PRIORITY_PAGINATION,
    "navigation": PRIORITY_NAVIGATION,
    "other": PRIORITY_OTHER,
    "post": PRIORITY_IN_POST,
}
# A fragment naming one post: #p123, #post123, #post-123, #pid123, #msg123, #comment-5, #reply_9
_POST_ANCHOR = re.compile(r"#(?:p|post|pid|postid|msg|message|comment|reply|entry|r)[-_]?\d+$", re.I)
HTML_TYPES = (b"text/html", b"application/xhtml+xml", b"application/xml", b"text/xml")
TEMPLATE_FILE = "site-template.pickle"
PARKED_POLL_INTERVAL = 0.25  # seconds between looks for chains reaching pages parked here (shared frontier)


def _flag(value: Any) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


class GenericSpider(scrapy.Spider):
    """Crawl one site, turn thread pages into posts; see the module docstring."""

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
        self.allow = re.compile(allow) if allow else None
        self.deny = re.compile(deny) if deny else None
        self.max_pages = int(max_pages or 0)
        self.max_depth = int(max_depth) if max_depth not in (None, "") else None
        self.same_domain = _flag(same_domain) if same_domain is not None else False
        self._template_pages_arg = template_pages
        # None: incremental when the store already has the site (a re-crawl); full=1 forces a full crawl.
        self._incremental_arg = None if incremental in (None, "") else _flag(incremental)
        if full is not None and _flag(full):
            self._incremental_arg = False
        if self.start_url:
            self.host = urlsplit(self.start_url).netloc
            self.site = site_of(self.start_url)
            self.allowed_domains = [self.host.split(":", 1)[0]]
        else:
            self.host = self.site = None
        self.crawl_args = {
            k: v for k, v in dict(url=url, allow=allow, deny=deny, max_pages=max_pages,
                                  max_depth=max_depth, same_domain=same_domain, incremental=incremental,
                                  full=full).items() if v is not None
        }

    @classmethod
    def update_settings(cls, settings) -> None:
        super().update_settings(settings)
        if settings.get("REDIS_URL") or os.environ.get("REDIS_URL"):
            # Many crawler processes share one Redis frontier (crawler/frontier.py, docs/scale.md).
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

    # -- setup -------------------------------------------------------------------------------
    def _setup(self, crawler) -> None:
        settings = crawler.settings
        jobdir = settings.get("JOBDIR")
        scheduler_cls = load_object(settings["SCHEDULER"])
        journaled = bool(jobdir) and getattr(scheduler_cls, "replays_journal", False)
        self.frontier = Frontier(jobdir if journaled else None)
        self.jobdir = Path(jobdir) if jobdir else None
        pages = self._template_pages_arg
        self.template_pages = int(pages if pages is not None else settings.getint("FORUMCRAWL_TEMPLATE_PAGES", 6))
        self.max_page_bytes = settings.getint("FORUMCRAWL_MAX_PAGE_BYTES", 8 * 1024 * 1024)
        self.extract_processes = pool_size(settings.getint("FORUMCRAWL_EXTRACT_PROCESSES", -1),
                                           shared_frontier=bool(settings.get("REDIS_URL")))
        # Several processes share one frontier (REDIS_URL): another worker may hold a URL this
        # one has seen, so thread chains request their next page themselves.
        self.shared_frontier = bool(settings.get("REDIS_URL"))
        self._pool = None
        if self.extract_processes > 0:
            from crawler.extractpool import prestart

            prestart()
        self._board = None          # crawler.frontier.ChainBoard, made on first use
        self._polled_at = 0.0
        pipelines = settings.getwithbase("ITEM_PIPELINES")
        self.commits_items = any(
            str(path).endswith("StorePipeline") and order is not None
            for path, order in dict(pipelines).items()
        )
        self.titles = TitleCleaner()
        self.template = self._load_template()
        self._warmup: list[dict[str, Any]] = []   # responses held until the template is learned
        # The pages the template is learned from: the first page and the first links it
        # leads to, a set that does not depend on which response happens to arrive first.
        self._sample: list[str] | None = None
        self._sample_waiting: set[str] = set()
        self._warmed = self.template is not None or self.template_pages <= 0
        self._chains: dict[str, dict[str, Any]] = {}    # URL -> thread context waiting for it
        self._parked: dict[str, dict[str, Any]] = {}    # later thread pages waiting for their chain
        self._deferred: dict[str, str] = {}  # page key -> frontier id kept open until the page is finished
        self._uncommitted: dict[str, list] = {}          # page_url -> [journal key, items left]
        self._emitted_ids: set[int] = set()               # site post ids emitted by this crawl
        self._taken = len(self.frontier.seen)
        self.known_threads: dict[str, dict[str, Any]] = {}  # incremental re-crawl: thread URL -> state
        self._revisited: set[str] = set()
        self._unlisted: dict[str, int] = {}  # known threads linked only from outside listing entries
        self.incremental = self._load_recrawl_state(settings)
        crawler.signals.connect(self._on_idle, signal=signals.spider_idle)
        crawler.signals.connect(self._on_committed, signal=fc_signals.items_committed)
        crawler.signals.connect(self._on_closed, signal=signals.spider_closed)
        crawler.signals.connect(self._on_dropped, signal=signals.request_dropped)

    def _load_recrawl_state(self, settings) -> bool:
        """Incremental re-crawl (docs/scale.md): what the store knows of this site's threads.

        Known thread pages count as seen (never fetched from a link again); listings are
        revisited, and a listed thread is fetched again only when its reply count or
        last-post date changed, from its last stored page on (conditional request).
        """
        wanted = self._incremental_arg
        if wanted is False or not self.start_url or not self.commits_items:
            return False
        if wanted is None and self.frontier.seen:
            # Resuming a crawl from its JOBDIR journal: what the store holds of the site is this
            # same crawl's, so its threads are not re-validated (they would be fetched twice).
            return False
        try:
            from storage import Store, resolve_database_url

            with Store(resolve_database_url(settings.get("DATABASE_URL"))) as store:
                states = store.thread_states(self.site)
                pages = store.thread_page_urls(self.site) if states else set()
        except Exception as exc:  # no store yet, or unreachable: the pipeline reports it
            log.warning("Incremental re-crawl unavailable (%s: %s): crawling in full",
                        type(exc).__name__, str(exc).splitlines()[0][:200] if str(exc) else "")
            return False
        if not states:
            if wanted:
                log.info("Incremental re-crawl: %s is not in the store yet, crawling in full", self.site)
            return False
        self.known_threads = states
        self.frontier.seen.update(pages)
        log.info("Incremental re-crawl of %s: %d known threads, %d known thread pages "
                 "(-a full=1 crawls everything again)", self.site, len(states), len(pages))
        return True

    def _load_template(self):
        if self.jobdir is None or not self.frontier.journaled:
            return None
        path = self.jobdir / TEMPLATE_FILE
        if path.exists():
            try:
                with path.open("rb") as fh:
                    saved = pickle.load(fh)
                self.titles = TitleCleaner(saved["titles"])
                return saved["template"]
            except Exception as exc:  # a stale or foreign pickle: learn again
                log.warning("Ignoring unreadable site template %s: %s", path, exc)
        return None

    # -- start -------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.incremental:
            self.stats.set_value("forumcrawl/incremental/known_threads", len(self.known_threads))
        if self._warmed:
            self._start_pool()
        pending = self.frontier.resumed_pending
        if pending:
            log.info("Resuming: %d unfinished URLs from the frontier journal", len(pending))
            if self.host is None:
                self._set_site(pending[0][0])
            for url, priority, meta in pending:
                yield self._request(url, priority, meta, dont_filter=True)
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
        meta = {"fc_depth": 0}
        self._taken += 1
        self.frontier.add(self.start_url, PRIORITY_ENTRY, meta)
        self.frontier.flush()
        yield self._request(self.start_url, PRIORITY_ENTRY, meta)

    def _set_site(self, url: str) -> None:
        self.host, self.site = urlsplit(url).netloc, site_of(url)
        self.allowed_domains = [self.host.split(":", 1)[0]]

    def _request(self, url: str, priority: int, meta: dict[str, Any], *, dont_filter: bool = False,
                 headers: dict[str, str] | None = None) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse,
            errback=self.on_error,
            priority=priority,
            meta={**meta, "fc_key": url},
            dont_filter=dont_filter,
            headers=headers,
        )

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
            self._finish(key)
            return
        reason = self._unusable(response)
        if reason:
            for out in self._skip(key, response, reason):
                yield out
            return
        info = _response_info(response, url)
        if not self._warmed:
            for out in self._warm(response, key, url, info):
                yield out
            return
        if self._pool is not None:
            page = await self._pool.extract(response.body, response.url, response.headers.to_unicode_dict())
        else:
            page = extractor.extract(response.body, response.url, headers=response.headers, template=self.template)
        self._count_page(page)
        for out in self._resume_parked():
            yield out
        for out in self._handle(page, response.meta, key, url, info):
            yield out

    def _warm(self, response: Response, key: str, url: str, info: dict[str, Any]) -> Iterator[Any]:
        """Before the template is learned: extract for links only, and hold the response."""
        page = extractor.extract(response.body, response.url, headers=response.headers)
        self._count_page(page)
        self._warmup.append({"body": response.body, "url": response.url, "key": key, "title": page.title,
                             "meta": dict(response.meta), "info": info,
                             "headers": response.headers.to_unicode_dict()})
        self._defer(response.meta, key)
        # Discovery goes on while the template is learned; items wait for it.
        requests = self._discover(page, response.meta, url)
        self.frontier.flush()
        yield from requests
        if self._sample is None:
            self._sample = [key] + [r.meta["fc_key"] for r in requests[: self.template_pages - 1]]
            self._sample_waiting = set(self._sample)
        self._sample_waiting.discard(key)
        yield from self._maybe_finish_warmup()

    def _handle(self, page, meta, key: str, url: str, info: dict[str, Any]) -> Iterator[Any]:
        """Everything one extracted page leads to; finishes ``key`` (or leaves it to the commit).

        Requests are journaled and yielded before any item, so a page can never be
        marked finished (after its items are committed) before what it discovered
        is in the journal.
        """
        ctx = meta.get("fc_thread") or self._chains.pop(key, None) or self._chains.pop(url, None)
        if not page.posts:
            requests = list(self._discover(page, meta, url))
            self.frontier.flush()
            yield from requests
            self.crawler.signals.send_catch_log(
                fc_signals.page_fetched, page=_page_record(self.site, info, page.kind))
            self._finish(key)
            return
        # A thread page (a single-post page may be classified "article": posts decide).
        if self._already_emitted(page):
            # Every post of this page was stored from another URL of the same page.
            self.stats.inc_value("forumcrawl/duplicate_thread_pages")
            log.info("Skipped %s: duplicate of a thread page already read", url)
            self._finish(key)
            return
        if ctx is None:
            earlier = earlier_page_url(page, url)
            if earlier is not None and self.shared_frontier:
                ctx = self._chain_context(key, url, meta.get("frontier_id") or "")
            if ctx is None and earlier is not None:
                requests = self._park(page, meta, key, url, info, earlier)
                requests += self._discover(page, meta, url)
                self.frontier.flush()
                yield from requests
                return
        if ctx is None:
            entry = meta.get("fc_entry") or {}
            ctx = {"thread_url": url, "page": 1, "offset": 0,
                   "title": entry.get("title") or self.titles.clean(page.title),
                   "replies": entry.get("replies"), "last_activity": entry.get("last_activity"),
                   "depth": meta.get("fc_depth", 0)}
        items, requests = self._thread_chain(page, key, url, info, ctx)
        requests += self._discover(page, meta, url)
        self.frontier.flush()
        yield from requests
        yield from items

    def _thread_chain(self, page, key: str, url: str, info: dict[str, Any], ctx: dict[str, Any]):
        """Items of this thread page and of every parked page that follows it, and the
        request for the next page: ``(items, requests)``."""
        items: list[Any] = []
        while True:
            items += self._thread_items(page, key, url, info, ctx)
            nxt = self._next_page(page, url)
            if nxt is None:
                return items, []
            next_ctx = {**ctx, "page": ctx["page"] + 1, "offset": ctx["offset"] + len(page.posts)}
            parked = self._parked.pop(nxt, None)
            if parked is not None:
                page, key, url, info, ctx = parked["page"], parked["key"], nxt, parked["info"], next_ctx
                if self.shared_frontier and parked.get("rid"):
                    try:  # so that the page reads on from here if it is fetched again after a crash
                        self.chain_board.keep(url, parked["rid"], ctx)
                    except redis_errors():
                        pass
                continue
            meta = {"fc_depth": ctx.get("depth", 0), "fc_thread": next_ctx}
            if self.shared_frontier:
                return items, self._continue_shared(nxt, meta)
            if self._take(nxt, PRIORITY_CHAIN, meta):
                return items, [self._request(nxt, PRIORITY_CHAIN, meta, dont_filter=True)]
            if not self.frontier.is_done(nxt):
                self._chains[nxt] = next_ctx   # in flight or queued: claim it for this chain
                self.frontier.update(nxt, PRIORITY_CHAIN, meta)
            return items, []

    # -- thread chains across workers (shared frontier) ---------------------------------------
    @property
    def chain_board(self):
        if self._board is None:
            from crawler.frontier import ChainBoard

            self._board = ChainBoard.from_spider(self)
        return self._board

    def _continue_shared(self, nxt: str, meta: dict[str, Any]) -> list:
        """The next page of a thread under a shared frontier: fetch it here if no worker
        has seen it, else leave the chain's context for the worker that has it."""
        self.frontier.seen.add(nxt)
        try:
            if self.chain_board.claim(nxt):
                meta = {**meta, "frontier_local_seen": True}
                return [self._request(nxt, PRIORITY_CHAIN, meta, dont_filter=True)]
            self.chain_board.put(nxt, meta["fc_thread"])
        except redis_errors() as exc:
            log.error("Redis unavailable while reading a thread (%s): fetching %s here", exc, nxt)
            return [self._request(nxt, PRIORITY_CHAIN, meta, dont_filter=True)]
        self.stats.inc_value("forumcrawl/chain_handoffs")
        return []

    def _chain_context(self, key: str, url: str, rid: str) -> dict[str, Any] | None:
        """The context another worker's chain left for this later thread page, if any
        (kept in Redis under the page's request ``rid`` until it is acknowledged)."""
        try:
            found = self.chain_board.take_many({key: rid, url: rid})
        except redis_errors() as exc:
            log.error("Redis unavailable while looking up a thread chain (%s); %s waits", exc, url)
            return None
        return next(iter(found.values()), None)

    def _resume_parked(self, force: bool = False) -> list:
        """Go on with parked pages whose chain (read by another worker) reached them:
        their requests, then their items."""
        if not self._parked or not self.shared_frontier:
            return []
        now = time.monotonic()
        if not force and now - self._polled_at < PARKED_POLL_INTERVAL:
            return []
        self._polled_at = now
        try:
            found = self.chain_board.take_many({u: p.get("rid") or "" for u, p in self._parked.items()})
        except redis_errors():
            return []
        requests: list[Any] = []
        items: list[Any] = []
        for url, ctx in found.items():
            parked = self._parked.pop(url, None)
            if parked is None:  # read meanwhile along a chain of this worker
                continue
            self.stats.inc_value("forumcrawl/chain_resumed")
            more, reqs = self._thread_chain(parked["page"], parked["key"], url, parked["info"], ctx)
            items += more
            requests += reqs
        self.frontier.flush()
        return requests + items

    def _release_parked(self, response: Response) -> Iterator[Any]:
        yield from self._resume_parked(force=True)

    def _next_page(self, page, url: str) -> str | None:
        if not page.next_page_url:
            return None
        nxt = canonicalize(page.next_page_url)
        if nxt == url or not self._allowed(nxt):
            return None
        return nxt

    def _park(self, page, meta, key: str, url: str, info: dict[str, Any], earlier: str) -> list:
        """Hold a later thread page until its chain arrives; request the earlier page if new."""
        self._parked[url] = {"page": page, "key": key, "info": info, "rid": meta.get("frontier_id")}
        self._defer(meta, key, url)
        self.stats.inc_value("forumcrawl/thread_pages_parked")
        entry_meta = {"fc_depth": meta.get("fc_depth", 0)}
        if self._take(earlier, PRIORITY_FIRST, entry_meta):
            return [self._request(earlier, PRIORITY_FIRST, entry_meta)]
        return []

    def _defer(self, meta: dict[str, Any], key: str, parked_url: str = "") -> None:
        """Shared frontier: keep this page's request un-acknowledged while the spider holds
        the page (parked for its chain under ``parked_url``, or held for the template),
        so that a worker dying meanwhile does not lose it; :meth:`_finish` releases it."""
        rid = meta.get("frontier_id")
        if not (self.shared_frontier and rid):
            return
        self._deferred.setdefault(key, rid)
        self.crawler.signals.send_catch_log(fc_signals.request_deferred, request_id=rid, parked_url=parked_url)

    def _finish(self, key: str, request_id: str | None = None) -> None:
        """The page ``key`` is finished (its items committed, or it had none). With
        ``request_id``, only that request's deferral is released: a request that
        failed or was dropped as already seen must not release another request of
        the same URL whose page is parked here."""
        self.frontier.done(key)
        rid = self._deferred.get(key)
        if rid is not None and request_id in (None, rid):
            del self._deferred[key]
            self.crawler.signals.send_catch_log(fc_signals.request_released, request_id=rid)

    def _already_emitted(self, page) -> bool:
        # most pages are new: their first post answers, without keying the rest
        if not page.posts or _emitted_key(page.posts[0]) not in self._emitted_ids:
            return False
        ids = [_emitted_key(p) for p in page.posts]
        return all(i is not None and i in self._emitted_ids for i in ids)

    def _thread_items(self, page, key: str, url: str, info: dict[str, Any], ctx: dict[str, Any]) -> list:
        self._emitted_ids.update(_emitted_key(p) for p in page.posts if p.post_id)
        thread_url, number, offset = ctx["thread_url"], ctx["page"], ctx["offset"]
        title = ctx.get("title") or self.titles.clean(page.title)
        self.stats.inc_value("forumcrawl/thread_pages")
        if number == 1:
            self.stats.inc_value("forumcrawl/threads")
        self.stats.inc_value("forumcrawl/posts", len(page.posts))
        if self.commits_items:
            self._uncommitted[url] = [key, 1 + len(page.posts)]
        items: list[Any] = [ThreadItem(
            site=self.site, thread_url=thread_url, page_url=url, page_number=number, title=title,
            replies=ctx.get("replies"), last_activity=ctx.get("last_activity"),
            fetched_at=info["fetched_at"], status=info["status"], etag=info["etag"],
            last_modified=info["last_modified"], content_hash=info["content_hash"],
        )]
        for index, post in enumerate(page.posts, 1):
            items.append(PostItem(
                site=self.site, thread_url=thread_url, thread_title=title, page_url=url,
                page_number=number, position=offset + index, floor=post.floor, post_id=post.post_id,
                author=post.author,
                published=post.published.isoformat() if post.published else None,
                published_raw=post.published_raw, text=post.text, html=post.html,
                quotes=list(post.quotes), permalink=post.url, language=page.language,
            ))
        if not self.commits_items:
            self._finish(key)
        return items

    # -- discovery ---------------------------------------------------------------------------
    def _discover(self, page, meta, url: str) -> list[scrapy.Request]:
        """Requests for the page's links not taken on yet (journaled here)."""
        depth = meta.get("fc_depth", 0) + 1
        if self.max_depth is not None and depth > self.max_depth:
            return []
        requests = []
        thread_like = bool(page.posts)
        entries = {canonicalize(e.url): e for e in page.entries if e.url}
        candidates: list[tuple[str, int]] = []
        if page.next_page_url and not thread_like:
            candidates.append((page.next_page_url, PRIORITY_LISTING_NEXT))
        for link in page.links:
            # A thread's own pages also come along its chain; reached here first, they wait (parked).
            # With a shared frontier, the chain's reader alone fetches them.
            if thread_like and self.shared_frontier and link.role == "pagination":
                continue
            candidates.append((link.url, _ROLE_PRIORITY.get(link.role, PRIORITY_OTHER)))
        for entry_url in entries:
            candidates.append((entry_url, PRIORITY_ENTRY))
        seen = self.frontier.seen
        here = urlsplit(url).path
        targets = [(raw, canonicalize(raw), priority) for raw, priority in candidates]
        linked = {target for _, target, _ in targets}
        own_next = canonicalize(page.next_page_url) if page.next_page_url else None
        for raw, target, priority in targets:
            if target != own_next and any(a == url or a in linked or a in seen
                                          for a in first_page_aliases(target)):
                # "?page=1" beside the bare thread URL: the same first page under a second URL
                self.stats.inc_value("forumcrawl/links_skipped/first_page_alias")
                continue
            if self.known_threads and target in self.known_threads and target not in self._revisited:
                if target in entries:
                    requests += self._revisit(target, entries[target], depth)
                else:  # linked, but not from a listing entry: revalidated at the end if no listing shows it
                    self._unlisted.setdefault(target, depth)
                continue
            if target in seen:
                continue
            if "#" in raw and (_POST_ANCHOR.search(raw) or (thread_like and urlsplit(target).path == here)):
                # a link to one post (showthread.php?p=5#post5, "last post" links): a thread page
                # under another URL, which the thread's own chain reaches anyway
                self.stats.inc_value("forumcrawl/links_skipped/permalink")
                continue
            if not self._allowed(target):
                seen.add(target)  # decided once; never reconsidered
                continue
            child = {"fc_depth": depth}
            entry = entries.get(target)
            if entry is not None:
                priority = max(priority, PRIORITY_ENTRY)
                child["fc_entry"] = {
                    "title": entry.title or None,
                    "replies": entry.replies,
                    "last_activity": entry.published.isoformat() if entry.published else None,
                }
            if self._take(target, priority, child):
                requests.append(self._request(target, priority, child))
        return requests

    def _revisit(self, thread_url: str, entry, depth: int) -> list[scrapy.Request]:
        """A known thread listed again: nothing when its listing entry shows no new
        activity, else a conditional request for its last stored page, read on from there.
        ``entry`` None: no listing showed the thread, so it is revalidated."""
        self._revisited.add(thread_url)
        state = self.known_threads[thread_url]
        if entry is not None and state.get("posts") and _entry_unchanged(entry, state):
            self.stats.inc_value("forumcrawl/incremental/threads_unchanged")
            return []
        self.stats.inc_value("forumcrawl/incremental/threads_changed")
        pages = int(state.get("pages") or 1)
        last = state.get("last_page_url") or thread_url
        resumed = pages > 1 and last != thread_url and state.get("posts")
        published = entry.published if entry is not None else None
        ctx = {"thread_url": thread_url, "page": pages if resumed else 1,
               "offset": int(state.get("last_page_offset") or 0) if resumed else 0,
               "title": (entry.title or None) if entry is not None else None,
               "replies": entry.replies if entry is not None else None,
               "last_activity": published.isoformat() if published else None, "depth": depth}
        url = last if resumed else thread_url
        if self.shared_frontier:
            try:
                if not self.chain_board.claim(url):
                    return []  # another worker revisits this thread
            except redis_errors():
                pass
        headers = {}
        if state.get("etag"):
            headers["If-None-Match"] = state["etag"]
        if state.get("last_modified"):
            headers["If-Modified-Since"] = state["last_modified"]
        meta = {"fc_depth": depth, "fc_thread": ctx}
        if headers:
            meta["handle_httpstatus_list"] = [304]
        self.frontier.seen.add(url)
        self._taken += 1
        self.frontier.add(url, PRIORITY_ENTRY, meta)
        return [self._request(url, PRIORITY_ENTRY, meta, dont_filter=True, headers=headers or None)]

    def _allowed(self, url: str) -> bool:
        reason = skip_reason(url)
        if reason is not None:
            self.stats.inc_value(f"forumcrawl/links_skipped/{reason}")
            return False
        if not same_site(url, self.host, same_domain=self.same_domain):
            self.stats.inc_value("forumcrawl/links_skipped/offsite")
            return False
        if self.allow is not None and not self.allow.search(url):
            self.stats.inc_value("forumcrawl/links_skipped/not_allowed")
            return False
        if self.deny is not None and self.deny.search(url):
            self.stats.inc_value("forumcrawl/links_skipped/denied")
            return False
        return True

    def _take(self, url: str, priority: int, meta: dict[str, Any]) -> bool:
        """Take ``url`` on (journaled); False if already known or over ``max_pages``."""
        if url in self.frontier.seen:
            return False
        if self.max_pages and self._taken >= self.max_pages:
            self.stats.inc_value("forumcrawl/links_skipped/max_pages")
            return False
        self._taken += 1
        return self.frontier.add(url, priority, meta)

    # -- template warm-up --------------------------------------------------------------------
    def _maybe_finish_warmup(self) -> Iterator[Any]:
        if self._warmed or self._sample is None:
            return
        # Learn once every sample page is in (or failed); hold at most a bounded number of pages.
        if not self._sample_waiting or len(self._warmup) >= max(4 * self.template_pages, 24):
            yield from self._finish_warmup()

    def _finish_warmup(self) -> Iterator[Any]:
        """Learn the site template from the sample pages, then process every held page with it."""
        held, self._warmup = self._warmup, []
        self._warmed = True
        sample_keys = set(self._sample or ())
        sample = [h for h in held if h["key"] in sample_keys] or held[: self.template_pages]
        self.titles = TitleCleaner(h["title"] for h in sample)
        if len(sample) >= 2:
            self.template = _learn_template(sample)
            if self.template is not None:
                self.stats.set_value("forumcrawl/template_pages", len(sample))
                self._save_template()
        self._start_pool()
        for item in held:
            page = extractor.extract(item["body"], item["url"], headers=item["headers"], template=self.template)
            yield from self._handle(page, item["meta"], item["key"], canonicalize(item["url"]), item["info"])

    def _start_pool(self) -> None:
        if self.extract_processes > 0 and self._pool is None:
            from crawler.extractpool import ExtractPool

            self.stats.set_value("forumcrawl/extract_processes", self.extract_processes)
            self._pool = ExtractPool(self.extract_processes, self.template)

    def _save_template(self) -> None:
        if self.jobdir is None or not self.frontier.journaled:
            return
        try:
            tmp = self.jobdir / (TEMPLATE_FILE + ".tmp")
            with tmp.open("wb") as fh:
                pickle.dump({"template": self.template, "titles": self.titles.sample_titles}, fh)
            os.replace(tmp, self.jobdir / TEMPLATE_FILE)
        except Exception as exc:  # an unpicklable template only costs a re-learn on resume
            log.debug("site template not saved: %s", exc)

    def _release_warmup(self, response: Response) -> Iterator[Any]:
        yield from self._finish_warmup()

    def _on_idle(self) -> None:
        unlisted = []
        if self._unlisted and not self._warmup:
            unlisted = [(url, depth) for url, depth in self._unlisted.items() if url not in self._revisited]
            self._unlisted.clear()
        if unlisted:
            # Known threads that no listing entry showed (no listing recognised, or linked from
            # elsewhere only): their activity is unknown, so revalidate each with a conditional request.
            log.info("Incremental re-crawl: revalidating %d known threads no listing showed", len(unlisted))
            for url, depth in unlisted:
                for request in self._revisit(url, None, depth):
                    self.crawler.engine.crawl(request)
            raise DontCloseSpider
        if self._warmup:
            # Fewer pages than template_pages in the whole crawl: learn from what there is.
            self.crawler.engine.crawl(scrapy.Request(
                "data:,", callback=self._release_warmup, dont_filter=True, priority=1000,
                meta={"dont_obey_robotstxt": True, "allow_offsite": True},
            ))
            raise DontCloseSpider
        if self._parked and self.shared_frontier:
            # Another worker's chain may still reach them: wait while the shared crawl goes on
            # (its scheduler keeps the spider open); what is left at the end is reported on close.
            try:
                waiting = any(v is not None for v in self.chain_board.server.hmget(
                    self.chain_board.key, list(self._parked)))
            except redis_errors():
                waiting = False
            if waiting:
                self.crawler.engine.crawl(scrapy.Request(
                    "data:,", callback=self._release_parked, dont_filter=True, priority=1000,
                    meta={"dont_obey_robotstxt": True, "allow_offsite": True},
                ))
                raise DontCloseSpider
            return
        if self._parked:
            self._report_orphans()
            for parked in self._parked.values():
                self._finish(parked["key"])
            self._parked.clear()

    def _report_orphans(self) -> None:
        """Log and count parked pages no chain reached; those whose posts were all
        stored from another URL of the same page (``?page=1``) are duplicates, not losses."""
        duplicates = [u for u, p in self._parked.items() if self._already_emitted(p["page"])]
        orphans = sorted(set(self._parked) - set(duplicates))
        if duplicates:
            self.stats.inc_value("forumcrawl/duplicate_thread_pages", len(duplicates))
        if orphans:
            log.warning("%d thread pages were never reached from their thread's first page; "
                        "their posts were not stored: %s", len(orphans), orphans[:5])
            self.stats.inc_value("forumcrawl/thread_pages_orphaned", len(orphans))

    # -- bookkeeping ---------------------------------------------------------------------------
    def _count_page(self, page) -> None:
        self.stats.inc_value("forumcrawl/pages")
        self.stats.inc_value(f"forumcrawl/pages/{page.kind}")
        if any(w.startswith("extraction failed") for w in page.warnings):
            self.stats.inc_value("forumcrawl/extraction_failures")
            log.warning("Extraction failed for %s: %s", page.url, "; ".join(page.warnings)[:300])

    def _unusable(self, response: Response) -> str | None:
        """Why a response cannot be extracted (non-HTML, too large, undecodable), or None."""
        ctype = response.headers.get(b"Content-Type", b"") or b""
        ctype = ctype.split(b";", 1)[0].strip().lower()
        body = response.body
        if ctype and ctype not in HTML_TYPES:
            return f"non_html ({ctype.decode('latin-1')})"
        if not ctype and not body.lstrip()[:1] == b"<":
            return "non_html (no content type, body is not markup)"
        if len(body) > self.max_page_bytes:
            return f"too_large ({len(body)} bytes > FORUMCRAWL_MAX_PAGE_BYTES={self.max_page_bytes})"
        head = body[:4096]
        if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
            return "undecodable (binary bytes in an HTML response)"
        return None

    def _skip(self, key: str, response: Response, reason: str) -> Iterator[Any]:
        self.stats.inc_value(f"forumcrawl/skipped/{reason.split(' ', 1)[0]}")
        log.info("Skipped %s: %s", response.url, reason)
        self._finish(key)
        self._sample_waiting.discard(key)
        yield from self._maybe_finish_warmup()

    def on_error(self, failure) -> Iterator[Any]:
        request = failure.request
        key = request.meta.get("fc_key") or canonicalize(request.url)
        message = str(failure.value)
        if "max size" in message:
            self.stats.inc_value("forumcrawl/skipped/too_large")
            log.info("Skipped %s: too_large (%s)", request.url, message[:200])
        else:
            self.stats.inc_value(f"forumcrawl/errors/{type(failure.value).__name__}")
            log.info("Failed %s: %s", request.url, message[:200] or type(failure.value).__name__)
        self._chains.pop(key, None)
        self._finish(key, request.meta.get("frontier_id") or "")
        self._sample_waiting.discard(key)
        yield from self._maybe_finish_warmup()

    def _on_dropped(self, request, spider=None) -> None:
        key = request.meta.get("fc_key")
        if key:
            self._finish(key, request.meta.get("frontier_id") or "")
            self._sample_waiting.discard(key)  # (a held warm-up is then released when idle)

    def _on_committed(self, items) -> None:
        uncommitted = self._uncommitted
        for item in items:
            url = item.get("page_url")
            entry = uncommitted.get(url)
            if entry is None:
                continue
            entry[1] -= 1
            if entry[1] <= 0:
                del uncommitted[url]
                self._finish(entry[0])

    def _on_closed(self, spider, reason) -> None:
        if self._parked:
            self._report_orphans()
        self.frontier.close()
        if self._pool is not None:
            self.stats.set_value("forumcrawl/extract_processes_cpu_seconds", round(self._pool.cpu_seconds(), 2))
            self._pool.close()


def _entry_unchanged(entry, state: dict[str, Any]) -> bool:
    """True when a listing entry shows the same reply count and last-post date as the
    stored thread (and at least one of them could be compared)."""
    compared = False
    if entry.replies is not None and state.get("replies") is not None:
        if int(entry.replies) != int(state["replies"]):
            return False
        compared = True
    if entry.published is not None and state.get("last_activity"):
        stored = datetime.fromisoformat(state["last_activity"])
        listed = entry.published if entry.published.tzinfo else entry.published.replace(tzinfo=timezone.utc)
        if stored.tzinfo is None:
            stored = stored.replace(tzinfo=timezone.utc)
        if listed != stored:
            return False
        compared = True
    return compared


def redis_errors() -> tuple[type[BaseException], ...]:
    """Exceptions of an unreachable Redis (imported lazily: Redis is optional)."""
    import redis

    return (redis.RedisError, ConnectionError, OSError)


def _response_info(response: Response, url: str) -> dict[str, Any]:
    headers = response.headers
    return {
        "url": url,
        "fetched_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "status": response.status,
        "etag": _header(headers, b"ETag"),
        "last_modified": _header(headers, b"Last-Modified"),
        "content_hash": hashlib.sha1(response.body).hexdigest(),
    }


def _header(headers, name: bytes) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1") if value else None


def _page_record(site: str | None, info: dict[str, Any], kind: str) -> dict[str, Any]:
    return {"site": site, "url": info["url"], "status": info["status"], "kind": kind,
            "content_hash": info["content_hash"], "etag": info["etag"],
            "last_modified": info["last_modified"], "fetched_at": info["fetched_at"]}


def _learn_template(held: list[dict[str, Any]]):
    """SiteTemplate.learn over the held pages; None when the extractor has no template yet."""
    template_cls = getattr(extractor, "SiteTemplate", None)
    if template_cls is None:
        return None
    try:
        return template_cls.learn([(h["body"], h["url"]) for h in held])
    except Exception as exc:
        log.warning("Site template could not be learned: %s: %s", type(exc).__name__, exc)
        return None
