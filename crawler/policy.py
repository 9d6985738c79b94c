"""URL policy: which links a crawl follows, and why not the others.

One room of the crawler (docs/crawler.md): scope (host, ``allow``/``deny``,
sibling hosts), the generic skip rules of :mod:`crawler.urls`, the depth limit
and the page budget, and the choice of links to follow on a page with their
priorities. It owns the count of pages taken on and writes every accepted URL
to the frontier journal; every refusal is counted under
``forumcrawl/links_skipped/<reason>``. It builds no requests: it returns
:class:`~crawler.fetches.Fetch` decisions.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import urlsplit

from crawler.fetches import PRIORITY_ENTRY, PRIORITY_LISTING_NEXT, PRIORITY_OTHER, ROLE_PRIORITY, Fetch
from crawler.journal import Frontier
from crawler.pagination import first_page_aliases
from crawler.patterns import PatternLearner, url_pattern
from crawler.urls import canonicalize, same_site, site_of, skip_reason

Count = Callable[..., None]
log = logging.getLogger("crawler.spiders.generic")

# A fragment naming one post: #p123, #post123, #post-123, #pid123, #msg123, #comment-5, #reply_9
_POST_ANCHOR = re.compile(r"#(?:p|post|pid|postid|msg|message|comment|reply|entry|r)[-_]?\d+$", re.I)


class KnownThreads(Protocol):
    """What discovery asks the recrawl planner (:class:`crawler.recrawl.RecrawlPlanner`)."""

    def intercept(self, url: str, entry: Any, depth: int) -> list[Fetch] | None: ...


def _no_count(key: str, count: int = 1) -> None:
    return None


class UrlPolicy:
    """Scope, skip rules, depth and page budget of one crawl; see the module docstring."""

    def __init__(self, journal: Frontier, *, start_url: str | None = None, allow: str | None = None,
                 deny: str | None = None, same_domain: bool = False, max_pages: int = 0,
                 max_depth: int | None = None, patterns: PatternLearner | None = None,
                 count: Count = _no_count) -> None:
        self.journal = journal
        self.allow = re.compile(allow) if allow else None
        self.deny = re.compile(deny) if deny else None
        self.same_domain = same_domain
        self.max_pages = max_pages
        self.max_depth = max_depth
        self.count = count
        self.patterns = patterns or PatternLearner(min_samples=0)
        self.taken = len(journal.seen)
        self.budget_reached = False
        # URLs of patterns not yet shown useful: a few are fetched first, the rest wait for
        # their verdict (journaled as taken, so a resume still has them).
        self.on_trial: dict[str, int] = {}
        self.waiting: dict[str, list[Fetch]] = {}
        self.waiting_urls: set[str] = set()
        self.trial = True  # off under a shared frontier: a waiting link lives in one worker's memory
        self.late_entries: dict[str, dict[str, Any]] = {}  # pending URL -> listing entry found after it was taken
        self.host = self.site = None
        if start_url:
            self.set_site(start_url)

    def set_site(self, url: str) -> None:
        """The crawl's site is ``url``'s (scheme, host and port)."""
        self.host, self.site = urlsplit(url).netloc, site_of(url)

    # -- single URLs ------------------------------------------------------------------------
    def in_scope(self, url: str) -> bool:
        """On the crawl's host (or its sibling hosts with ``same_domain``)."""
        return self.host is None or same_site(url, self.host, same_domain=self.same_domain)

    def allowed(self, url: str, *, learned: bool = True) -> bool:
        """Whether ``url`` may be fetched at all (skip rules, scope, allow/deny, and with
        ``learned`` the URL patterns this site showed to give nothing new); counted."""
        reason = self.refusal(url)
        if reason is None and learned:
            blocked = self.patterns.blocked(url)
            reason = f"learned_{blocked}" if blocked else None
        if reason is not None:
            self.count(f"forumcrawl/links_skipped/{reason}")
            return False
        return True

    def refusal(self, url: str) -> str | None:
        """Why ``url`` is out of bounds (skip rules, scope, allow/deny), or None."""
        reason = skip_reason(url)
        if reason is None and not self.in_scope(url):
            reason = "offsite"
        if reason is None and self.allow is not None and not self.allow.search(url):
            reason = "not_allowed"
        if reason is None and self.deny is not None and self.deny.search(url):
            reason = "denied"
        return reason

    def refuse_redirect(self, origin: str, target: str) -> str | None:
        """Why a redirect from ``origin`` to ``target`` is not followed (the rules of links),
        or None. A redirect to an action page (login) teaches ``origin``'s pattern a wall."""
        reason = self.refusal(canonicalize(target))
        if reason is None:
            return None
        self.count(f"forumcrawl/redirects_refused/{reason}")
        if reason == "action":
            self.patterns.record(canonicalize(origin), "wall")
        return reason

    def take(self, url: str, priority: int, meta: dict[str, Any]) -> bool:
        """Take ``url`` on (journaled); False if already known or over ``max_pages``."""
        if url in self.journal.seen:
            return False
        if self.max_pages and self.taken >= self.max_pages:
            self.count("forumcrawl/links_skipped/max_pages")
            if not self.budget_reached:
                self.budget_reached = True
                log.warning("Page budget reached: %d pages taken on (-a max_pages=N or "
                            "-s FORUMCRAWL_MAX_PAGES=N raises it, 0 removes it); no new URL is taken "
                            "on from here", self.max_pages)
            return False
        self.taken += 1
        return self.journal.add(url, priority, meta)

    def register(self, fetch: Fetch) -> Fetch:
        """Record a fetch decided elsewhere (a start URL, a revisit) as taken on."""
        self.journal.seen.add(fetch.url)
        self.taken += 1
        self.journal.add(fetch.url, fetch.priority, fetch.meta)
        return fetch

    def next_page(self, page, url: str) -> str | None:
        """The canonical URL of ``page``'s next page, when it may be fetched."""
        if not page.next_page_url:
            return None
        nxt = canonicalize(page.next_page_url)
        if nxt == url or not self.allowed(nxt, learned=False):
            return None
        return nxt

    # -- a page's links -----------------------------------------------------------------------
    def discover(self, page, meta: dict[str, Any], url: str, *, shared_frontier: bool = False,
                 known: KnownThreads | None = None) -> list[Fetch]:
        """The page's links not taken on yet, with their priorities (journaled here)."""
        depth = meta.get("fc_depth", 0) + 1
        if self.max_depth is not None and depth > self.max_depth:
            return []
        fetches: list[Fetch] = []
        thread_like = bool(page.posts)
        entries = {canonicalize(e.url): e for e in page.entries if e.url}
        candidates: list[tuple[str, int]] = []
        if page.next_page_url and not thread_like:
            candidates.append((page.next_page_url, PRIORITY_LISTING_NEXT))
        for link in page.links:
            # A thread's own pages also come along its chain; reached here first, they wait (parked).
            # With a shared frontier, the chain's reader alone fetches them.
            if thread_like and shared_frontier and link.role == "pagination":
                continue
            candidates.append((link.url, ROLE_PRIORITY.get(link.role, PRIORITY_OTHER)))
        for entry_url in entries:
            candidates.append((entry_url, PRIORITY_ENTRY))
        seen = self.journal.seen
        here = urlsplit(url).path
        targets = [(raw, canonicalize(raw), priority) for raw, priority in candidates]
        linked = {target for _, target, _ in targets}
        own_next = canonicalize(page.next_page_url) if page.next_page_url else None
        for raw, target, priority in targets:
            if target != own_next and any(a == url or a in linked or a in seen
                                          for a in first_page_aliases(target)):
                # "?page=1" beside the bare thread URL: the same first page under a second URL
                self.count("forumcrawl/links_skipped/first_page_alias")
                continue
            if known is not None:
                revisits = known.intercept(target, entries.get(target), depth)
                if revisits is not None:
                    fetches += [self.register(f) for f in revisits]
                    continue
            if target in seen:
                if target in entries and target in self.waiting_urls:
                    fetches.append(self._promote(target, entries[target], depth))
                elif target in entries and not self.journal.is_done(target):
                    # taken from another link (or a warm-up page's rougher listing) before a
                    # listing showed it: what the entry says still reaches its thread
                    self.late_entries[target] = _entry_meta(entries[target])
                continue
            if "#" in raw and (_POST_ANCHOR.search(raw) or (thread_like and urlsplit(target).path == here)):
                # a link to one post (showthread.php?p=5#post5, "last post" links): a thread page
                # under another URL, which the thread's own chain reaches anyway
                self.count("forumcrawl/links_skipped/permalink")
                continue
            if not self.allowed(target):
                seen.add(target)  # decided once; never reconsidered
                continue
            child: dict[str, Any] = {"fc_depth": depth}
            entry = entries.get(target)
            if entry is not None:
                priority = max(priority, PRIORITY_ENTRY)
                child["fc_entry"] = _entry_meta(entry)
            if self.take(target, priority, child):
                fetch = Fetch(target, priority, child)
                if priority >= PRIORITY_ENTRY or not self._wait(fetch):
                    fetches.append(fetch)
        return fetches

    # -- learning ----------------------------------------------------------------------------------
    def _wait(self, fetch: Fetch) -> bool:
        """Hold ``fetch`` back while its URL pattern is on trial: the first
        ``min_samples`` of a pattern that has not yet given anything new are fetched, the
        others wait for their verdict (:meth:`learn`)."""
        trial = self.patterns.min_samples
        if not trial or not self.trial:
            return False
        pattern = url_pattern(fetch.url)
        record = self.patterns.records.get(pattern)
        if record is not None and record.outcomes.get("new"):
            return False
        started = self.on_trial.get(pattern, 0)
        if started < trial:
            self.on_trial[pattern] = started + 1
            return False
        self.waiting.setdefault(pattern, []).append(fetch)
        self.waiting_urls.add(fetch.url)
        self.count("forumcrawl/links_waiting")
        return True

    def _promote(self, url: str, entry: Any, depth: int) -> Fetch:
        """A waiting link is a listing's entry after all: fetched now, as an entry."""
        pattern = url_pattern(url)
        waiting = self.waiting.get(pattern, [])
        fetch = next(f for f in waiting if f.url == url)
        waiting.remove(fetch)
        if not waiting:
            self.waiting.pop(pattern, None)
        self.waiting_urls.discard(url)
        fetch.priority = max(fetch.priority, PRIORITY_ENTRY)
        fetch.meta = {"fc_depth": min(fetch.meta.get("fc_depth", depth), depth), "fc_entry": _entry_meta(entry)}
        self.journal.update(url, fetch.priority, fetch.meta)
        return fetch

    def learn(self, url: str, outcome: str) -> list[Fetch]:
        """Record what fetching ``url`` gave; returns the waiting fetches of its pattern
        when that made the pattern useful (dropped, and finished, when it made it useless)."""
        self.patterns.record(url, outcome)
        pattern = url_pattern(url)
        waiting = self.waiting.get(pattern)
        if not waiting:
            return []
        blocked = self.patterns.blocked(url)
        if outcome != "new" and not blocked:
            return []
        del self.waiting[pattern]
        self.waiting_urls.difference_update(f.url for f in waiting)
        if outcome == "new":
            return waiting
        self.count(f"forumcrawl/links_skipped/learned_{blocked}", len(waiting))
        for fetch in waiting:
            self.journal.done(fetch.url)
        return []

    def release_waiting(self) -> list[Fetch]:
        """When nothing else is left: the next few waiting fetches of each pattern on trial."""
        trial = max(self.patterns.min_samples, 1)
        released: list[Fetch] = []
        for pattern in list(self.waiting):
            fetches = self.waiting[pattern]
            released += fetches[:trial]
            self.waiting_urls.difference_update(f.url for f in fetches[:trial])
            del fetches[:trial]
            self.on_trial[pattern] = self.on_trial.get(pattern, 0) + trial
            if not fetches:
                del self.waiting[pattern]
        return released


def _entry_meta(entry: Any) -> dict[str, Any]:
    """What a listing entry tells about its thread, carried by the thread's request."""
    return {"title": entry.title or None, "replies": entry.replies,
            "last_activity": entry.published.isoformat() if entry.published else None}
