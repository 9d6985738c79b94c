"""Store methods an incremental re-crawl asks before fetching (issue 4):
what was last seen of each thread, and a page's HTTP validators."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from .engine import read_connection
from .models import Page, Post, Site, Thread
from .timeutil import iso


class RecrawlStateMixin:
    """Mixed into :class:`storage.Store` (uses its ``engine``)."""

    def thread_states(self, site: str) -> dict[str, dict]:
        """What the last crawl saw of each thread of ``site``, to skip threads that did not change.

        ``{thread_url: {replies, last_activity (ISO or None), etag, last_modified,
        pages, last_page_url, posts, last_page_offset}}``; ``last_page_offset`` counts the
        stored posts on pages before the last one, so a re-crawl that resumes the thread
        at its last page numbers the posts there ``last_page_offset + 1, ...``.
        """
        counts = (
            sa.select(Post.thread_id, sa.func.count().label("n")).group_by(Post.thread_id).subquery()
        )
        query = (
            sa.select(
                Thread.url, Thread.replies, Thread.last_activity, Thread.etag, Thread.last_modified,
                Thread.pages, Thread.last_page_url, sa.func.coalesce(counts.c.n, 0).label("posts"),
            )
            .join(Site, Site.id == Thread.site_id)
            .outerjoin(counts, counts.c.thread_id == Thread.id)
            .where(Site.key == site.rstrip("/"))
        )
        before_last = (
            sa.select(Post.thread_id, sa.func.count().label("n"))
            .join(Thread, Thread.id == Post.thread_id)
            .join(Site, Site.id == Thread.site_id)
            .where(Site.key == site.rstrip("/"), Post.page_number < Thread.pages)
            .group_by(Post.thread_id)
        )
        with read_connection(self.engine) as conn:
            rows = conn.execute(query.add_columns(Thread.id.label("thread_id"))).mappings().all()
            offsets = dict(conn.execute(before_last).all())
        states = {}
        for row in rows:
            state = dict(row)
            url = state.pop("url")
            state["last_activity"] = iso(state["last_activity"])
            state["posts"] = int(state["posts"])
            state["last_page_offset"] = int(offsets.get(state.pop("thread_id"), 0))
            states[url] = state
        return states

    def thread_page_urls(self, site: str) -> set[str]:
        """Every page URL of ``site`` that posts were stored from (all pages of known threads)."""
        query = (
            sa.select(Post.page_url).distinct()
            .join(Site, Site.id == Post.site_id)
            .where(Site.key == site.rstrip("/"), Post.page_url.is_not(None))
        )
        with read_connection(self.engine) as conn:
            return set(conn.execute(query).scalars().all())

    def seen_times(self, site: str) -> dict[str, datetime]:
        """When each known URL of ``site`` was last fetched (aware UTC), for sitemap
        ``lastmod`` decisions (crawler/sitemaps.py): every fetched page's time, and for a
        thread's URL the fetch of its last stored page (else the thread's ``last_seen``),
        since that is the page new replies appear on."""
        key = site.rstrip("/")
        pages = sa.select(Page.url, Page.fetched_at).join(Site, Site.id == Page.site_id).where(
            Site.key == key, Page.fetched_at.is_not(None))
        threads = sa.select(Thread.url, Thread.last_page_url, Thread.last_seen).join(
            Site, Site.id == Thread.site_id).where(Site.key == key)
        with read_connection(self.engine) as conn:
            times = {url: when for url, when in conn.execute(pages).all()}
            for url, last_page, last_seen in conn.execute(threads).all():
                when = times.get(last_page or url) or last_seen
                if when is not None:
                    times[url] = when
        return times

    def page_validators(self, url: str) -> tuple[str | None, str | None] | None:
        """(ETag, Last-Modified) stored for ``url``, for a conditional GET; None when unknown."""
        with read_connection(self.engine) as conn:
            row = conn.execute(sa.select(Page.etag, Page.last_modified).where(Page.url == url)).first()
        if row is None or (row.etag is None and row.last_modified is None):
            return None
        return row.etag, row.last_modified
