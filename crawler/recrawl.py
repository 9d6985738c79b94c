"""Recrawl planning: what an incremental re-crawl of a site already in the store revisits.

One room of the crawler (docs/crawler.md, docs/scale.md). The store's state of
each known thread (reply count, last activity, last stored page, ETag and
Last-Modified) decides: a thread whose listing entry shows no new activity is
not fetched; a changed one is fetched again from its last stored page, with a
conditional request; a known thread no listing showed is revalidated at the
end. Decisions come back as :class:`~crawler.fetches.Fetch` es.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from crawler.fetches import PRIORITY_ENTRY, Fetch

if TYPE_CHECKING:
    from crawler.sites import SiteState

log = logging.getLogger("crawler.spiders.generic")

Count = Callable[..., None]


def _no_count(key: str, count: int = 1) -> None:
    return None


class RecrawlPlanner:
    """Known threads of one site (``thread URL -> state``) and which of them to revisit.

    ``claim(url)``: under a shared frontier, True when this worker is the first to
    take ``url`` (another worker revisits the thread otherwise); None: always.
    """

    def __init__(self, known: dict[str, dict[str, Any]] | None = None, *,
                 claim: Callable[[str], bool] | None = None, count: Count = _no_count) -> None:
        self.known: dict[str, dict[str, Any]] = dict(known or {})
        self.claim = claim
        self.count = count
        self.revisited: set[str] = set()
        self.unlisted: dict[str, int] = {}  # known threads linked only from outside listing entries

    @property
    def active(self) -> bool:
        return bool(self.known)

    def intercept(self, url: str, entry: Any, depth: int) -> list[Fetch] | None:
        """A link to ``url`` found while crawling: None when it is not a known thread (the
        ordinary rules decide); else what to fetch for it now (maybe nothing)."""
        if not self.known or url not in self.known or url in self.revisited:
            return None
        if entry is not None:
            return self.revisit(url, entry, depth)
        # linked, but not from a listing entry: revalidated at the end if no listing shows it
        self.unlisted.setdefault(url, depth)
        return []

    def revisit(self, thread_url: str, entry: Any, depth: int) -> list[Fetch]:
        """A known thread listed again: nothing when its listing entry shows no new
        activity, else a conditional request for its last stored page, read on from there.
        ``entry`` None: no listing showed the thread, so it is revalidated."""
        self.revisited.add(thread_url)
        state = self.known[thread_url]
        if entry is not None and state.get("posts") and entry_unchanged(entry, state):
            self.count("forumcrawl/incremental/threads_unchanged")
            return []
        self.count("forumcrawl/incremental/threads_changed")
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
        if self.claim is not None and not self.claim(url):
            return []  # another worker revisits this thread
        headers = {}
        if state.get("etag"):
            headers["If-None-Match"] = state["etag"]
        if state.get("last_modified"):
            headers["If-Modified-Since"] = state["last_modified"]
        meta: dict[str, Any] = {"fc_depth": depth, "fc_thread": ctx}
        if headers:
            meta["handle_httpstatus_list"] = [304]
        return [Fetch(url, PRIORITY_ENTRY, meta, dont_filter=True, headers=headers or None)]

    def take_unlisted(self) -> list[tuple[str, int]]:
        """Known threads linked during the crawl that no listing entry showed (once)."""
        unlisted = [(url, depth) for url, depth in self.unlisted.items() if url not in self.revisited]
        self.unlisted.clear()
        return unlisted


def entry_unchanged(entry, state: dict[str, Any]) -> bool:
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


def known_threads(site: SiteState, *, database_url: str | None, commits_items: bool, resuming: bool,
                  seen: set[str]) -> dict[str, dict[str, Any]]:
    """What the store knows of a site's threads, for its incremental re-crawl (docs/scale.md):
    ``thread URL -> state`` (empty: a full crawl). The known thread pages are added to
    ``seen`` (never fetched from a link again). Empty when the site asks for a full crawl,
    nothing is stored (``commits_items``), the store lacks the site or cannot be read, or
    the crawl is ``resuming`` its JOBDIR journal (the stored threads are then this same
    crawl's: re-validated, they would be fetched twice)."""
    wanted = site.incremental_wanted()
    if wanted is False or not site.start_urls or not commits_items:
        return {}
    if wanted is None and resuming:
        return {}
    try:
        from storage import Store, resolve_database_url

        with Store(resolve_database_url(database_url)) as store:
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
    seen.update(pages)
    log.info("Incremental re-crawl of %s: %d known threads, %d known thread pages "
             "(-a full=1 crawls everything again)", site.origin, len(states), len(pages))
    return states
