"""Answers that came back broken: a thread page served as an error or as half a page, fetched again.

One room of the crawler (docs/crawler.md). A forum under load may answer a thread page
with HTTP 200 and a broken body: "Too many connections", a template cut off by an error
half-way, a debug panel alone. Read as it is, it is a page without posts: the thread's
chain never starts and its later pages are never fetched. Such an answer is judged
*broken*, and its URL fetched again, when

- its URL has the shape (:func:`crawler.patterns.url_pattern`) of the site's thread
  pages: at least ``min_pages`` pages of that shape showed posts;
- it showed no posts;
- it is much smaller than they usually are: its body under ``ratio`` times the median
  body of the shape's thread pages, or its text under ``ratio`` times their median text
  (a debug panel alone may hold more text than a short thread page: either will do);
- and it lacks the shape's *furniture*: fewer than ``furniture`` of the link shapes
  nearly every thread page of that shape showed (menus, the board, the footer). A page in the site's
  full template saying "this topic was deleted" or "no such topic" has them, and is not
  fetched again; an error page, or a page cut off before its template's links, has not.

It is fetched again after ``delay`` seconds (doubled for a second try), at most
``per_url`` times per URL and ``per_site`` times per site, and only a good copy is
read (the broken one is neither stored nor counted against its URL pattern). A page
without posts met before its shape was known to be that of thread pages is remembered
(at most ``max_suspects``, 10 of a shape) and judged once it is. Nothing here is about one site: the
site's own thread pages are the measure.
"""
from __future__ import annotations

import logging
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from crawler.fetches import PRIORITY_CHAIN, Fetch
from crawler.patterns import url_pattern

log = logging.getLogger("crawler.spiders.generic")

#: meta key: the time (``time.time()``) before which a request is not sent (the politeness
#: middleware holds it: crawler.middlewares.politeness)
NOT_BEFORE = "fc_not_before"
#: meta key: how many times this URL was fetched again as broken
REFETCH = "fc_refetch"
MAX_SHAPES = 2_000
MAX_LINK_SHAPES = 500
SIZES = 64
SUSPECTS_PER_SHAPE = 10
#: share of a shape's thread pages that showed a link shape for it to be furniture
FURNITURE_SHARE = 0.9


@dataclass
class ShapeMeasure:
    """What the thread pages of one URL shape looked like: how many were seen, the sizes of
    the last ``SIZES`` of them (bodies, texts), and how many showed each link shape."""

    pages: int = 0
    bodies: deque[int] = field(default_factory=lambda: deque(maxlen=SIZES))
    texts: deque[int] = field(default_factory=lambda: deque(maxlen=SIZES))
    links: Counter[str] = field(default_factory=Counter)

    def add(self, body: int, text: int, links: frozenset[str]) -> None:
        self.pages += 1
        self.bodies.append(body)
        self.texts.append(text)
        if len(self.links) < MAX_LINK_SHAPES:
            self.links.update(links)
        else:
            self.links.update(links & self.links.keys())

    @property
    def body(self) -> float:
        """The usual body of the shape's thread pages (median bytes)."""
        return median(self.bodies)

    @property
    def text(self) -> float:
        """Their usual text (median characters)."""
        return median(self.texts)

    def furniture(self, share: float) -> frozenset[str]:
        """The link shapes at least ``share`` of the shape's thread pages showed: the template's
        (menus, the board, the footer)."""
        return frozenset(k for k, n in self.links.items() if n >= share * self.pages)


@dataclass
class Suspect:
    """A page without posts of a shape not yet known as thread pages'."""

    url: str
    body: int
    text: int
    links: frozenset[str]
    meta: dict[str, Any]


def page_text(page) -> int:
    """Characters of text a page showed: its own and its posts'."""
    return len(page.text or "") + sum(len(p.text or "") for p in page.posts)


def link_shapes(page) -> frozenset[str]:
    """The URL shapes of a page's links."""
    return frozenset(url_pattern(link.url) for link in page.links if link.url)


class BrokenPages:
    """One site's thread-page measures, suspects and refetches; see the module docstring."""

    def __init__(self, *, per_url: int = 2, per_site: int = 20, delay: float = 2.0, min_pages: int = 3,
                 ratio: float = 0.5, furniture: float = 0.5, max_suspects: int = 200,
                 count: Callable[..., None] | None = None, clock: Callable[[], float] = time.time) -> None:
        self.per_url = per_url
        self.per_site = per_site
        self.delay = delay
        self.min_pages = max(1, min_pages)
        self.ratio = ratio
        self.furniture = furniture
        self.max_suspects = max_suspects
        self.count = count if count is not None else (lambda *a, **k: None)
        self.clock = clock
        self.shapes: dict[str, ShapeMeasure] = {}
        self.suspects: dict[str, list[Suspect]] = {}  # shape -> pages without posts not judged yet
        self.tries: dict[str, int] = {}               # URL -> times fetched again
        self.refetched = 0
        self.held = 0                                 # suspects remembered

    @property
    def on(self) -> bool:
        return self.per_url > 0 and self.per_site > 0

    # -- thread pages ---------------------------------------------------------------------------
    def observe(self, url: str, page, body: int) -> list[Fetch]:
        """A page with posts at ``url`` (``body`` bytes): its shape's measure; returns the
        refetches of remembered pages of that shape now judged broken."""
        if not self.on or not body:
            return []
        shape = url_pattern(url)
        measure = self.shapes.get(shape)
        if measure is None:
            if len(self.shapes) >= MAX_SHAPES:
                return []
            measure = self.shapes[shape] = ShapeMeasure()
        measure.add(body, page_text(page), link_shapes(page))
        if measure.pages < self.min_pages or shape not in self.suspects:
            return []
        fetches = []
        suspects = self.suspects.pop(shape)
        self.held -= len(suspects)
        for suspect in suspects:
            reason = self._broken(measure, shape, suspect.body, suspect.text, lambda s=suspect: s.links)
            fetch = self._again(suspect.url, suspect.meta, reason, late=True) if reason else None
            if fetch is not None:
                fetches.append(fetch)
        return fetches

    # -- pages without posts --------------------------------------------------------------------
    def check(self, key: str, url: str, page, body: int, meta: dict[str, Any]) -> Fetch | None:
        """A page without posts requested as ``key``, arrived as ``url`` (``body`` bytes): its
        refetch if it is judged broken and may be fetched again (counted, logged), else None
        (remembered when its shape is not known yet as thread pages')."""
        if not self.on or not body or page.posts:
            return None
        shape = url_pattern(url)
        measure = self.shapes.get(shape)
        if measure is None or measure.pages < self.min_pages:
            suspects = self.suspects.get(shape, [])
            # (bounded per shape too: listings and the like, shapes that never show posts, would
            # otherwise fill the room before a thread page's shape is known)
            if self.held < self.max_suspects and len(suspects) < SUSPECTS_PER_SHAPE and self._may_try(key):
                self.suspects[shape] = suspects + [Suspect(key, body, page_text(page), link_shapes(page),
                                                           _own_meta(meta))]
                self.held += 1
            return None
        # (a page's link shapes only when they may count: most pages without posts are listings)
        reason = self._broken(measure, shape, body, page_text(page), lambda: link_shapes(page))
        return self._again(key, meta, reason) if reason else None

    def _broken(self, measure: ShapeMeasure, shape: str, body: int, text: int,
                links: Callable[[], frozenset[str]]) -> str | None:
        """Why a page without posts of a thread pages' shape is a broken answer, or None
        (``links``: its link shapes, asked for only when its size makes it a candidate)."""
        usual_body, usual_text = measure.body, measure.text
        if not (body < self.ratio * usual_body or text < self.ratio * usual_text):
            return None
        furniture = measure.furniture(FURNITURE_SHARE)
        kept = len(furniture & links())
        if not furniture or kept >= self.furniture * len(furniture):
            # the site's template is all there: a page of its own ("no such topic"); or thread
            # pages that share no link at all, against which nothing can be told
            return None
        return (f"no posts, {body} bytes and {text} characters of text where {measure.pages} thread pages like "
                f"{shape} usually showed {usual_body:.0f} and {usual_text:.0f}; {kept} of the "
                f"{len(furniture)} link shapes nearly all of them showed")

    def _may_try(self, url: str) -> bool:
        return self.tries.get(url, 0) < self.per_url and self.refetched < self.per_site

    def _again(self, url: str, meta: dict[str, Any], reason: str, *, late: bool = False) -> Fetch | None:
        """The refetch of a broken answer, if its URL and the site may have one more."""
        if not self._may_try(url):
            return None
        tries = self.tries[url] = self.tries.get(url, 0) + 1
        self.refetched += 1
        self.count("forumcrawl/refetched_broken")
        delay = self.delay * 2 ** (tries - 1)
        log.info("Fetching %s again in %.1fs (try %d of %d): a broken answer%s: %s",
                 url, delay, tries, self.per_url, " (judged once its shape was known)" if late else "", reason)
        own = _own_meta(meta)
        own.update({REFETCH: tries, NOT_BEFORE: self.clock() + delay, "dont_cache": True})
        return Fetch(url, PRIORITY_CHAIN, own, dont_filter=True)


def _own_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """The crawler's own meta of a request (``fc_*``), without Scrapy's or this room's."""
    return {k: v for k, v in meta.items() if k.startswith("fc_") and k not in ("fc_key", "fc_site", NOT_BEFORE)}
