"""Template warm-up: the sample of a site's pages its template is learned from.

One room of the crawler (docs/crawler.md). Until the site template is learned,
responses are held (their links are followed at once, their items wait); the
sample is the first page and the first links it leads to, a set that does not
depend on which response happens to arrive first. Once every sample page is in
(or failed), or too many pages wait, the template is learned and the held pages
are handed back to be extracted with it. A learned template (and the titles it
was learned with) is saved in ``JOBDIR`` so a resumed crawl does not learn again;
one file per site (``name``: the site's origin) when a crawl covers several.

:func:`begin_learning` and :func:`learn_held` are the two steps of a site's
warm-up end; the spider runs the second in the engine's loop (an internal
request's callback) and carries out the held pages' steps.
"""
from __future__ import annotations

import asyncio
import logging
import os
import pickle
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import extractor
from crawler.fetches import PRIORITY_SAMPLE, Fetch
from crawler.pageflow import observe_held
from crawler.pagination import earlier_page_url, thread_of_page
from crawler.responses import fetched_new
from crawler.titles import TitleCleaner
from crawler.urls import canonicalize

if TYPE_CHECKING:
    from crawler.extraction import Extraction
    from crawler.sites import SiteState

log = logging.getLogger(__name__)

TEMPLATE_FILE = "site-template.pickle"
# A sample without a thread page learns nothing of how the site frames posts: pages with few
# posts then read as articles. Wait for thread pages (while at most THREAD_WAIT x the sample
# size are held) and let them make half of the sample, so that what recurs on thread pages
# only (floor labels, "reply" bars) reaches the template's share.
THREAD_WAIT = 4


class TemplateWarmup:
    """Held pages, the sample, and the learned template of one site."""

    def __init__(self, pages: int, *, jobdir: Path | None = None, name: str | None = None) -> None:
        self.pages = pages
        self.jobdir = jobdir
        self.file = template_file(name)
        self.titles = TitleCleaner()
        self.template = self._load()
        self.held: list[dict[str, Any]] = []
        self.sample: list[str] | None = None
        self.waiting: set[str] = set()
        self.warmed = self.template is not None or pages <= 0
        self.learned_from = 0
        self.learning = False  # between begin() and adopt(): responses wait for the template

    def hold(self, held: dict[str, Any], discovered: list[str]) -> None:
        """Keep one response (``held["key"]`` its URL key) until the template is learned;
        the first response's first ``discovered`` links complete the sample."""
        key = held["key"]
        self.held.append(held)
        if self.sample is None:
            self.sample = [key] + discovered[: self.pages - 1]
            self.waiting = set(self.sample)
        self.waiting.discard(key)

    def sample_first(self, fetches: list[Fetch]) -> None:
        """Before the sample is chosen (the first response), its first links are fetched
        first: the template waits for them, with the pages held meanwhile."""
        if self.sample is None:
            for fetch in fetches[: self.pages - 1]:
                fetch.priority = max(fetch.priority, PRIORITY_SAMPLE)

    def settle(self, key: str) -> None:
        """A sample page will not arrive (skipped, failed, dropped)."""
        self.waiting.discard(key)

    def ready(self) -> bool:
        """Learn now: every sample page is in (or failed) and a thread page is among the held
        pages (or enough pages were held waiting for one), or the bound on held pages is reached."""
        if self.warmed or self.sample is None:
            return False
        if len(self.held) >= max(16 * self.pages, 96):
            return True
        if self.waiting:
            return False
        return self._threads_held() >= self._thread_share() or len(self.held) >= THREAD_WAIT * self.pages

    def _thread_share(self) -> int:
        return (self.pages + 1) // 2

    def _threads_held(self) -> int:
        """Threads held, each counted once however many of its pages are (the template counts
        a chain once)."""
        return len(one_per_chain([h for h in self.held if h.get("thread")]))

    def finish(self) -> list[dict[str, Any]]:
        """Learn the template from the sample pages here; returns every held page."""
        sample = self.begin()
        return self.adopt(learn_template(sample) if len(sample) >= 2 else None, len(sample))

    def begin(self) -> list[dict[str, Any]]:
        """Stop holding: the sample pages to learn from (learned elsewhere, e.g. in a worker
        process, then handed to :meth:`adopt`)."""
        self.warmed = True
        self.learning = True
        sample_keys = set(self.sample or ())
        pages = [h for h in self.held if h["key"] in sample_keys] or self.held[: self.pages]
        self.titles = TitleCleaner(h["title"] for h in pages)
        if pages and not any(h.get("thread") for h in pages):
            # the first links led to no thread page: the first ones held make half the sample
            extra = distinct_pages(one_per_chain([h for h in self.held if h.get("thread") and h["key"] not in sample_keys]),
                                   self._thread_share())
            if extra:
                pages = pages[: max(2, self.pages - len(extra))] + extra
        sample = distinct_pages(pages, self.pages)
        if len(sample) < 2:  # the sample shows the same posts: learn from what there is
            sample = distinct_pages(self.held, self.pages)
        for h, chain in zip(sample, chain_labels(sample)):
            h["chain_label"] = chain
        log.debug("Template sample: %s (of %d held)", [(h["url"], h["chain_label"]) for h in sample], len(self.held))
        return sample

    def adopt(self, template, sample_size: int) -> list[dict[str, Any]]:
        """The learned template (None: none could be learned); returns every held page."""
        held, self.held = self.held, []
        self.learning = False
        if template is not None:
            self.template = template
            self.learned_from = sample_size
            self._save()
        return held

    # -- JOBDIR ------------------------------------------------------------------------------
    def _load(self):
        if self.jobdir is None:
            return None
        path = self.jobdir / self.file
        if path.exists():
            try:
                with path.open("rb") as fh:
                    saved = pickle.load(fh)
                self.titles = TitleCleaner(saved["titles"])
                return saved["template"]
            except Exception as exc:  # a stale or foreign pickle: learn again
                log.warning("Ignoring unreadable site template %s: %s", path, exc)
        return None

    def _save(self) -> None:
        if self.jobdir is None:
            return
        try:
            tmp = self.jobdir / (self.file + ".tmp")
            with tmp.open("wb") as fh:
                pickle.dump({"template": self.template, "titles": self.titles.sample_titles}, fh)
            os.replace(tmp, self.jobdir / self.file)
        except Exception as exc:  # an unpicklable template only costs a re-learn on resume
            log.debug("site template not saved: %s", exc)


def template_file(name: str | None) -> str:
    """The template's file name in ``JOBDIR``: ``site-template-<site>.pickle`` for a named
    site (``http://forum.example:8080`` -> ``site-template-http-forum.example-8080.pickle``)."""
    if not name:
        return TEMPLATE_FILE
    return f"site-template-{re.sub(r'[^A-Za-z0-9.]+', '-', name).strip('-')}.pickle"


def distinct_pages(held: list[dict[str, Any]], wanted: int) -> list[dict[str, Any]]:
    """Up to ``wanted`` pages, in order, none showing a post another one shows (``held[i]
    ["posts"]``: hashes of its post texts): the template learns what recurs across pages,
    and the same posts under two URLs (a thread and its archive view) would be learned as
    boilerplate and erased from every page."""
    chosen: list[dict[str, Any]] = []
    shown: set[int] = set()
    for h in held:
        posts = h.get("posts") or set()
        if posts & shown:
            continue
        chosen.append(h)
        shown |= posts
        if len(chosen) >= wanted:
            break
    return chosen


def one_per_chain(held: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first of ``held`` of each chain (pages naming a page another one names: a thread's
    page 1 and page 2). The template counts a chain once: thread pages added to a sample for
    what recurs on threads (floor labels, a poster's "Registered:" box) must be of distinct threads,
    or two pages of one thread fall short of the template's share (FluxBB's authors then went
    unread on 57 of 73 posts)."""
    chosen, named = [], set()
    for h in held:
        urls = set(h.get("chain") or (h["key"],))
        if urls & named:
            continue
        chosen.append(h)
        named |= urls
    return chosen


def chain_labels(held: list[dict[str, Any]]) -> list[str]:
    """One label per page: pages linked as pages of one chain (one's earlier or next page is
    another, or they name the same earlier page: ``held[i]["chain"]``, the page's own canonical
    URL first, each marked with the kind of page) share a label, the least of their URLs. The template counts such pages once
    (``SiteTemplate.learn``): a thread's title and header repeated on each of its pages in the
    sample are not the site's furniture."""
    parent: dict[str, str] = {}

    def find(u: str) -> str:
        while parent.setdefault(u, u) != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u

    own = []
    for h in held:
        urls = [u for u in (h.get("chain") or ("other " + h["url"],)) if u]
        own.append(urls[0])
        for u in urls[1:]:
            a, b = find(urls[0]), find(u)
            if a != b:
                parent[b] = a
    label: dict[str, str] = {}
    for u in own:   # (the least URL of the chain's pages here: the same whatever came first)
        root = find(u)
        label[root] = min(label.get(root, u), u)
    return [label[find(u)].split(" ", 1)[-1] for u in own]


def held_response(page, body: bytes, response_url: str, url: str, key: str, meta: dict[str, Any],
                  info: dict[str, Any], headers: dict[str, Any], fetches: list[Fetch]) -> dict[str, Any]:
    """What is kept of a response held during the warm-up (``page``: extracted without the
    template; ``url``: its canonical URL; ``fetches``: the links taken on from it meanwhile)."""
    return {"body": body, "url": response_url, "key": key, "title": page.title,
            "thread": page.kind == "thread" and len(page.posts) >= 2,
            # posts long enough to be content, not a repeated icon or a label
            "posts": {hash(p.text) for p in page.posts if p.text and len(p.text) >= 50},
            # its own URL, then the earlier and next page of its thread or listing (chain_labels)
            "chain": _chain_urls(page, url),
            "meta": meta, "info": info,
            # what its links gave now (new entries, new kinds of page): handled after
            # the warm-up, when they are known already, the page still gave them
            "found_new": fetched_new(url, fetches), "headers": headers}


def _chain_urls(page, url: str) -> tuple[str, ...]:
    """``url``, then the earlier and the next page of its thread or listing, each marked with
    the page's kind (a thread page's pages are thread pages); other pages are chains of their
    own. A listing names them only under its own URL shape (``/board?page=1``,
    ``/forum-3-2.html``): a home page's links to a hot topic's pages ("1 2 3") are not its pager."""
    thread = page.kind == "thread" and len(page.posts) >= 2
    if not thread and page.kind != "listing":
        return (f"{page.kind} {url}",)   # (an article's "next post" is another article)
    try:
        earlier = earlier_page_url(page, url)
    except Exception:  # (a page's odd links never stop the warm-up)
        earlier = None
    later = canonicalize(page.next_page_url) if getattr(page, "next_page_url", None) else None
    kind = "thread " if thread else "listing "
    urls = [u for u in (url, earlier, later) if u and (thread or u == url or _same_shape(u, url))]
    # a thread page's first page by its URL's shape (``/t?id=9&page=4`` -> ``/t?id=9``): pages of
    # one thread that link neither each other nor a shared page (a pager of "‹ Prev" and "Next ›"
    # only, pages 1 and 4 in the sample) are one chain
    first = thread_of_page(url) if thread else None
    if first is not None and canonicalize(first) not in urls:
        urls.append(canonicalize(first))
    return tuple(kind + u for u in urls)


def _same_shape(a: str, b: str) -> bool:
    """The same host and the same path but for its numbers."""
    pa, pb = urlsplit(a), urlsplit(b)
    return pa.netloc == pb.netloc and _DIGITS.sub("#", pa.path) == _DIGITS.sub("#", pb.path)


_DIGITS = re.compile(r"\d+")


def begin_learning(site: SiteState) -> None:
    """Stop holding ``site``'s pages: its sample is set aside to learn from, and pages that
    arrive meanwhile wait for the template (``site.learned``, crawler/extraction.py)."""
    site.sample = site.warmup.begin()
    site.learned = asyncio.Event()
    site.threads.titles = site.warmup.titles


async def learn_held(site: SiteState, extraction: Extraction,
                     set_stat: Callable[[str, Any], None]) -> list[tuple[dict[str, Any], Any]]:
    """Learn ``site``'s template from its sample (after :func:`begin_learning`), then extract
    every held page with it: (held response, its page) pairs, none when the site is not learning.
    What the thread pages among them teach about inert parameters is taken first."""
    warmup = site.warmup
    if not warmup.learning:
        return []
    sample, site.sample = site.sample, []
    template = await learn_sample(sample, extraction.pool, site.origin)
    held = warmup.adopt(template, len(sample))
    if warmup.learned_from:
        site.counts["forumcrawl/template_pages"] = warmup.learned_from
        set_stat("forumcrawl/template_pages", warmup.learned_from)
        # (fewer than the pages: some were pages of one thread or listing, counted once)
        chains = len({h.get("chain_label") or h["key"] for h in sample})
        site.counts["forumcrawl/template_chains"] = chains
        set_stat("forumcrawl/template_chains", chains)
    if template is not None:
        extraction.adopt(site)
    try:
        pages = await extraction.extract_all(site, held)
        observe_held(site, held, pages)
    finally:
        site.learned.set()  # (the pages that came in meanwhile are read after that)
    return list(zip(held, pages))


async def learn_sample(sample: list[dict[str, Any]], pool, name: str):
    """The template learned from ``sample`` (None with fewer than two pages, or on failure):
    in the extractor pool when there is one, else off the reactor thread (a worker learning
    several sites' templates keeps its shared-frontier heartbeat and other pages going)."""
    if len(sample) < 2:
        return None
    if pool is None:
        return await asyncio.to_thread(learn_template, sample)
    try:
        return await pool.learn(_pages(sample))
    except Exception as exc:
        logging.getLogger("crawler.spiders.generic").warning(
            "Site template of %s could not be learned: %s: %s", name, type(exc).__name__, exc)
        return None


def learn_template(held: list[dict[str, Any]]):
    """SiteTemplate.learn over the held pages; None when the extractor has no template yet."""
    template_cls = getattr(extractor, "SiteTemplate", None)
    if template_cls is None:
        return None
    try:
        return template_cls.learn(_pages(held))
    except Exception as exc:
        log.warning("Site template could not be learned: %s: %s", type(exc).__name__, exc)
        return None


def _pages(held: list[dict[str, Any]]) -> list[tuple[bytes, str, str | None]]:
    """What SiteTemplate.learn is given: (body, URL, chain label) per sample page."""
    return [(h["body"], h["url"], h.get("chain_label")) for h in held]
