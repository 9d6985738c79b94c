"""Hollow pages: URL patterns whose pages show no posts though other pages name them the real ones.

A frameset or a shell around the page that shows the posts gets declared canonical by the
views that do show them. The crawler skips such views for their declared page at first; when
that page shows nothing, its pattern is learned *hollow*, and the views skipped for it, and the
links dropped as views of known pages, must be read where they are after all. This room keeps
that bookkeeping (bounded): the hollow patterns, the views skipped per target, the links dropped
per view pattern and the latest skipped views' pages, read from memory instead of fetched twice.
:class:`crawler.policy.UrlPolicy` decides with it.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any

from crawler.patterns import url_pattern
from crawler.urls import canonicalize

#: skipped views' pages kept for a revival (per site; a few MB at most), and the largest kept
MAX_VIEW_BODIES = 32
MAX_VIEW_BODY = 512 * 1024

View = tuple[str, int]  # (URL, depth)


class HollowViews:
    """Hollow URL patterns of one site and the views waiting on their targets' verdict."""

    def __init__(self) -> None:
        self.patterns: set[str] = set()
        self._views_of: dict[str, list[View]] = {}  # target URL -> views skipped for it
        self._dropped: dict[str, list[View]] = {}  # view pattern -> links dropped as views of known pages
        self._bodies: OrderedDict[str, tuple[bytes, dict[str, Any]]] = OrderedDict()
        # Declared targets judged one at a time per URL pattern until one shows posts (a pattern
        # of real pages) or none (hollow): views all arrive at once, and every thread's frameset
        # was fetched before the first one told what it was.
        self.shown: set[str] = set()               # patterns whose pages showed posts
        self._trying: dict[str, str] = {}          # pattern -> the target URL fetched to judge it
        self._held: dict[str, list[Any]] = {}      # pattern -> target fetches waiting for that

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def holds(self, url: str) -> bool:
        """``url`` is of a pattern learned hollow."""
        return bool(self.patterns) and url_pattern(url) in self.patterns

    def declared(self, declared: str | None) -> bool:
        """A page's declared canonical URL names a hollow page: it says nothing about where posts are."""
        return bool(declared and self.patterns and url_pattern(canonicalize(declared)) in self.patterns)

    def skipped(self, view: str, target: str, depth: int, body: bytes = b"",
                headers: dict[str, Any] | None = None) -> None:
        """``view`` was skipped for ``target``, not read yet: kept until it is; its page too, the
        latest few, so a revival reads it from memory."""
        if len(self._views_of) < 10_000:
            views = self._views_of.setdefault(target, [])
            if len(views) < 50:
                views.append((view, depth))
        if body and len(body) <= MAX_VIEW_BODY:
            self._bodies[view] = (body, headers or {})
            self._bodies.move_to_end(view)
            while len(self._bodies) > MAX_VIEW_BODIES:
                self._bodies.popitem(last=False)

    def dropped(self, url: str, depth: int) -> None:
        """A link dropped as a view of a known page, kept by its pattern while that may yet be
        learned a hollow view."""
        dropped = self._dropped.setdefault(url_pattern(url), [])
        if len(dropped) < 5_000 and len(self._dropped) < 1_000:
            dropped.append((url, depth))

    def target_read(self, url: str) -> list[Any]:
        """``url``'s page showed posts: the views skipped for it were right to be, and targets of
        its pattern are real pages: those held to judge it are returned, to be fetched."""
        for view, _ in self._views_of.pop(url, ()):
            self._bodies.pop(view, None)
        pattern = url_pattern(url)
        if pattern in self.shown:
            return []
        if len(self.shown) < 10_000:
            self.shown.add(pattern)
        self._trying.pop(pattern, None)
        return self._held.pop(pattern, [])

    def hold_target(self, fetch: Any) -> bool:
        """Whether the fetch of a view's declared target waits (True): another target of its URL
        pattern, none of which has shown posts yet, is being fetched to judge the pattern."""
        pattern = url_pattern(fetch.url)
        if pattern in self.shown:
            return False
        if pattern not in self._trying:
            self._trying[pattern] = fetch.url
            return False
        if len(self._held) >= 1_000:
            return False
        self._held.setdefault(pattern, []).append(fetch)
        return True

    def answered(self, url: str) -> list[Any]:
        """``url`` was answered (or failed) without teaching its pattern: if it was the target
        judging it, the next held one is fetched instead."""
        pattern = url_pattern(url)
        if self._trying.get(pattern) != url:
            return []
        del self._trying[pattern]
        held = self._held.get(pattern)
        if not held:
            return []
        fetch = held.pop(0)
        if not held:
            del self._held[pattern]
        self._trying[pattern] = fetch.url
        return [fetch]

    def release_held(self) -> list[Any]:
        """Every held target (the crawl is idle: no answer is coming for any)."""
        held = [f for fetches in self._held.values() for f in fetches]
        self._held.clear()
        self._trying.clear()
        return held

    def waits_on(self, url: str) -> bool:
        """Views were skipped for ``url``'s page."""
        return url in self._views_of

    def learn(self, url: str) -> tuple[list[View], list[Any]] | None:
        """``url``'s pattern is hollow: the views skipped for any page of it, to be read where they
        are, and the targets of it held meanwhile (:meth:`hold_target`), not to be fetched; None if
        it was known already (or the bound is reached)."""
        pattern = url_pattern(url)
        if pattern in self.patterns or len(self.patterns) >= 1_000:
            return None
        self.patterns.add(pattern)
        self._trying.pop(pattern, None)
        targets = [t for t in self._views_of if url_pattern(t) == pattern]
        return [v for t in targets for v in self._views_of.pop(t)], self._held.pop(pattern, [])

    def dropped_like(self, view_pattern: str) -> list[View]:
        """The links dropped as views of known pages under ``view_pattern`` (forgotten now)."""
        return self._dropped.pop(view_pattern, [])

    def body(self, url: str) -> tuple[bytes, dict[str, Any]] | None:
        """The kept page of the skipped view at ``url`` (forgotten now), or None."""
        return self._bodies.pop(url, None)

    def has_body(self, url: str) -> bool:
        return url in self._bodies
