"""Read side: the posts, threads and statistics behind ``forumcrawl query|threads|stats``.

Every function takes a :class:`~storage.Store`, a database URL, or None (the
URL from :func:`~storage.resolve_database_url`) and returns plain dicts ready
for JSON, with datetimes as ISO 8601 strings (``published`` in the offset the
page showed).
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from .engine import read_connection
from .errors import DatabaseMissing
from .models import CrawlRun, Page, Post, PostAnnotation, Schedule, Site, Thread
from .plan import PostFilters, plan_posts, site_keys
from .search import escape_like
from .store import Store
from .timeutil import iso, join_offset, parse_bound
from .url import resolve_database_url, sqlite_path

ORDERS = ("thread", "newest", "oldest")
STREAM_ROWS = 1000  # rows fetched at a time while streaming posts
Source = Store | str | None


@contextlib.contextmanager
def open_store(source: Source) -> Iterator[Store]:
    """The Store behind ``source``; one opened here is closed on exit.

    A SQLite URL naming a file that does not exist raises DatabaseMissing
    instead of silently creating an empty database.
    """
    if isinstance(source, Store):
        yield source
        return
    url = resolve_database_url(source)
    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise DatabaseMissing(f"no database at {path} (crawl something first, or pass --database URL)")
    store = Store(url)
    try:
        yield store
    finally:
        store.close()


def iter_posts(
    source: Source = None,
    *,
    site: str | None = None,
    thread: str | None = None,
    author: str | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    search: str | None = None,
    limit: int | None = 50,
    offset: int = 0,
    order: str = "thread",
    with_html: bool = False,
) -> Iterator[dict]:
    """Posts matching every given filter, streamed (constant memory for any --limit 0 export).

    ``site``: site key (``http://host:port``) or bare host[:port]. ``thread``: the
    thread's URL (its first page) or the URL of any of its pages. ``since``/``until``:
    ISO 8601 dates or datetimes (naive means UTC) bounding ``published``, inclusive.
    ``search``: terms that must all match (storage.search: word prefixes, CJK and
    punctuated terms as substrings). All values are literal (no wildcards).
    ``order``: ``thread`` (threads in the order first stored, each in position
    order), ``newest`` or ``oldest`` (by published; undated posts last).
    ``limit`` None or 0 means all.
    """
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}, not {order!r}")
    columns = [
        Site.key.label("site"), Thread.url.label("thread_url"), Thread.title.label("thread_title"),
        Post.position, Post.floor, Post.author, Post.published, Post.published_offset, Post.published_raw,
        Post.text, Post.page_url.label("url"), Post.page_number, Post.permalink, Post.post_id, Post.post_key,
        Post.quotes, Post.parent_position, Post.language, Post.first_seen, Post.last_seen, Post.updated_at,
    ]
    if with_html:
        columns.append(Post.html)
    filters = PostFilters(
        site=site, thread=thread, author=author,
        since=_bound(since) if since is not None else None,
        until=_bound(until, upper=True) if until is not None else None,
        search=search, order=order,
    )
    with open_store(source) as store, read_connection(store.engine) as conn:
        query = sa.select(*columns).join(Thread, Thread.id == Post.thread_id).join(Site, Site.id == Post.site_id)
        query = plan_posts(conn, store.dialect, query, filters, (offset or 0) + (limit or 0) if limit else None)
        if limit:
            query = query.limit(limit)
        if offset:
            query = query.offset(offset)
        result = conn.execution_options(stream_results=True, yield_per=STREAM_ROWS).execute(query)
        for row in result.mappings():
            yield _post_record(row)


def posts(source: Source = None, **filters: Any) -> list[dict]:
    """Posts matching every given filter, as a list (see :func:`iter_posts` for the filters)."""
    return list(iter_posts(source, **filters))


def _post_record(row) -> dict:
    record = dict(row)
    offset = record.pop("published_offset")
    record["published"] = iso(join_offset(record["published"], offset))
    for name in ("first_seen", "last_seen", "updated_at"):
        record[name] = iso(record[name])
    return record


def threads(
    source: Source = None,
    *,
    site: str | None = None,
    search: str | None = None,
    limit: int | None = 50,
    offset: int = 0,
) -> list[dict]:
    """Threads with their post counts and date range, most recently active first.

    ``search`` matches a substring of the title (case-insensitive).
    """
    counts = (
        sa.select(
            Post.thread_id,
            sa.func.count().label("posts"),
            sa.func.min(Post.published).label("first_published"),
            sa.func.max(Post.published).label("last_published"),
            sa.func.count(Post.published_offset).label("zoned"),
            sa.func.min(Post.published_offset).label("min_offset"),
            sa.func.max(Post.published_offset).label("max_offset"),
        )
        .group_by(Post.thread_id)
        .subquery()
    )
    query = (
        sa.select(
            Site.key.label("site"), Thread.url, Thread.title, sa.func.coalesce(counts.c.posts, 0).label("posts"),
            Thread.replies, Thread.pages, counts.c.first_published, counts.c.last_published,
            counts.c.zoned, counts.c.min_offset, counts.c.max_offset, Thread.first_seen, Thread.last_seen,
        )
        .join(Site, Site.id == Thread.site_id)
        .outerjoin(counts, counts.c.thread_id == Thread.id)
        .order_by(counts.c.last_published.desc().nulls_last(), Thread.id.desc())
    )
    if site:
        query = query.where(_site_clause(site))
    if search:
        query = query.where(Thread.title.ilike(f"%{escape_like(search)}%", escape="\\"))
    if limit:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    with open_store(source) as store, read_connection(store.engine) as conn:
        rows = conn.execute(query).mappings().all()
    records = []
    for row in rows:
        record = dict(row)
        record["posts"] = int(record["posts"])
        zoned, low, high = record.pop("zoned"), record.pop("min_offset"), record.pop("max_offset")
        for name in ("first_published", "last_published"):
            record[name] = iso(_thread_time(record[name], zoned, low, high))
        for name in ("first_seen", "last_seen"):
            record[name] = iso(record[name])
        records.append(record)
    return records


def _thread_time(value: datetime | None, zoned: int | None, low: int | None, high: int | None):
    """A thread's first/last post time as its posts show them: in their zone when they all
    share one, naive when none had a zone, else UTC."""
    if value is None:
        return None
    if not zoned:
        return join_offset(value, None)
    return join_offset(value, low) if low == high else value


def stats(source: Source = None, *, runs: int = 10) -> dict[str, Any]:
    """Totals, per-site counts and the latest crawl runs."""
    def per_site(model, label):
        return sa.select(model.site_id, sa.func.count().label(label)).group_by(model.site_id).subquery()

    t, p, g = per_site(Thread, "threads"), per_site(Post, "posts"), per_site(Page, "pages")
    site_query = (
        sa.select(
            Site.key.label("site"),
            sa.func.coalesce(t.c.threads, 0).label("threads"),
            sa.func.coalesce(p.c.posts, 0).label("posts"),
            sa.func.coalesce(g.c.pages, 0).label("pages"),
            Site.first_seen, Site.last_seen,
        )
        .outerjoin(t, t.c.site_id == Site.id)
        .outerjoin(p, p.c.site_id == Site.id)
        .outerjoin(g, g.c.site_id == Site.id)
        .order_by(Site.key)
    )
    run_query = sa.select(
        CrawlRun.id, CrawlRun.site, CrawlRun.status, CrawlRun.started_at, CrawlRun.finished_at, CrawlRun.stats
    ).order_by(CrawlRun.id.desc()).limit(runs)
    with open_store(source) as store, read_connection(store.engine) as conn:
        totals = {
            name: int(conn.execute(sa.select(sa.func.count()).select_from(model)).scalar_one())
            for name, model in (("sites", Site), ("threads", Thread), ("posts", Post), ("pages", Page),
                                ("runs", CrawlRun), ("annotations", PostAnnotation), ("schedules", Schedule))
        }
        sites = [dict(r) for r in conn.execute(site_query).mappings()]
        run_rows = [dict(r) for r in conn.execute(run_query).mappings()]
        database = store.engine.url.render_as_string(hide_password=True)
    for site in sites:
        site["first_seen"], site["last_seen"] = iso(site["first_seen"]), iso(site["last_seen"])
        for name in ("threads", "posts", "pages"):
            site[name] = int(site[name])
    for run in run_rows:
        run["started_at"], run["finished_at"] = iso(run["started_at"]), iso(run["finished_at"])
    return {"database": database, "totals": totals, "sites": sites, "runs": run_rows}


def _site_clause(site: str) -> sa.ColumnElement[bool]:
    """Sites with this key, or this bare host[:port] under http or https (literal: no wildcards)."""
    return Site.key.in_(site_keys(site))


def _bound(value: str | datetime, *, upper: bool = False) -> datetime:
    """A UTC bound; a date-only upper bound means the end of that day (UTC)."""
    if isinstance(value, datetime):
        return parse_bound(value.isoformat())
    bound = parse_bound(value)
    if upper and len(value.strip()) == 10:
        bound += timedelta(days=1) - timedelta(microseconds=1)
    return bound
