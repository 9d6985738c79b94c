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

    def target_read(self, url: str) -> None:
        """``url``'s page showed posts: the views skipped for it were right to be."""
        for view, _ in self._views_of.pop(url, ()):
            self._bodies.pop(view, None)

    def waits_on(self, url: str) -> bool:
        """Views were skipped for ``url``'s page."""
        return url in self._views_of

    def learn(self, url: str) -> list[View] | None:
        """``url``'s pattern is hollow: the views skipped for any page of it, to be read where they
        are; None if it was known already (or the bound is reached)."""
        pattern = url_pattern(url)
        if pattern in self.patterns or len(self.patterns) >= 1_000:
            return None
        self.patterns.add(pattern)
        targets = [t for t in self._views_of if url_pattern(t) == pattern]
        return [v for t in targets for v in self._views_of.pop(t)]

    def dropped_like(self, view_pattern: str) -> list[View]:
        """The links dropped as views of known pages under ``view_pattern`` (forgotten now)."""
        return self._dropped.pop(view_pattern, [])

    def body(self, url: str) -> tuple[bytes, dict[str, Any]] | None:
        """The kept page of the skipped view at ``url`` (forgotten now), or None."""
        return self._bodies.pop(url, None)

    def has_body(self, url: str) -> bool:
        return url in self._bodies
