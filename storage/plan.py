"""How ``query.iter_posts`` finds a page of posts in an archive of millions.

A page of 50 hits should cost about the same whatever the archive's size, so
the plan is chosen here, from cheap counts capped at ``DRIVER_CAP``, instead
of being left to each database's guesses:

* **fetch and sort**: a filter (``--site``, ``--author``, a date range) or a
  search with at most DRIVER_CAP posts is fetched through its index, each
  post is checked for the rest, and ids and order keys alone are sorted
  before the page's full rows are read;
* **walk in order**: otherwise the posts are walked in the page's order (the
  index behind ``thread``/``newest``/``oldest``; with one ``--site``, that
  site's own order index, migration 0009) and checked one by one: on SQLite
  in Python (TermSearch.matches, the same rules as the index and LIKE), on
  PostgreSQL in the server by each post's ``posts_terms`` entry (LIKE reads
  the text of those candidates only), one statement returning the hits
  only. A common term fills the page within a few dozen posts. A first window of posts
  that does not fill the page sizes a second one from the hit rate seen (or
  the index's count), so a term in 1% of posts reads about 7,500 posts, not
  the archive.

On SQLite the index counts whole words first (FTS5 streams them, while a
prefix query merges the lists of every word with that prefix before its first
row); on PostgreSQL the planner's estimate from the tsvector statistics
stands in for a count (a GIN count builds the whole bitmap first). The other
filters are written so that the database cannot use their indexes (SQLite's
unary ``+``, an expression on PostgreSQL), which holds it to the plan.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from .models import Post, Site, Thread
from .search import POSTS_TERMS, TermSearch
from .searchindex import register_functions

DRIVER_CAP = 10_000  # a filter matching at most this many posts is fetched whole, then sorted
WINDOW_PER_ROW = 10  # a search walks this many posts per row asked for before it asks the index
WINDOW_MIN = 500
PAGE_MAX = 100_000  # more rows than this (offset + limit) are read like an export
WINDOW_BATCH = 200  # rows fetched at a time while walking a window


@dataclass
class PostFilters:
    site: str | None = None
    thread: str | None = None
    author: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    search: str | None = None
    order: str = "thread"


def site_keys(site: str) -> list[str]:
    """The site keys a --site value names: itself, or a bare host[:port] under http and https."""
    site = site.strip().rstrip("/")
    if "://" in site:
        return [site]
    return [f"http://{site}", f"https://{site}"]


def plan_posts(conn: sa.Connection, dialect: str, query: sa.Select, filters: PostFilters,
               needed: int | None) -> sa.Select:
    """``query`` (a select from posts) with the filters, ordered, planned to stop early.

    ``needed``: rows the caller will read (offset + limit), None for all.
    """
    plain = _Plain(dialect)
    base = query
    conditions: dict[str, tuple[sa.ColumnElement[bool], sa.ColumnElement[bool]]] = {}  # name: (indexed, plain)
    site_ids: list[int] = []
    if filters.site:
        site_ids = [row[0] for row in conn.execute(sa.select(Site.id).where(Site.key.in_(site_keys(filters.site))))]
        indexed_site = Post.site_id == site_ids[0] if len(site_ids) == 1 else Post.site_id.in_(site_ids)
        conditions["site"] = (indexed_site, plain.column(Post.site_id).in_(site_ids)) if site_ids else (
            sa.false(), sa.false())
    if filters.thread:
        thread_ids = _thread_ids(conn, filters.thread)
        clause = Post.thread_id.in_(thread_ids) if thread_ids else sa.false()
        query = query.where(clause)  # one thread: small, and its index is the thread order's
    if filters.author:
        conditions["author"] = (Post.author == filters.author, plain.column(Post.author) == filters.author)
    if filters.since is not None or filters.until is not None:
        conditions["published"] = (_range(Post.published, filters), _range(plain.column(Post.published), filters))
    search = TermSearch.parse(dialect, filters.search or "")
    if dialect == "sqlite":
        register_functions(conn.connection.driver_connection)
    elif dialect == "postgresql" and needed is not None:
        # every plan here reads a few thousand rows at most: starting parallel workers
        # costs more than it saves (for this read transaction only)
        conn.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")
    order = _order(filters.order)
    if needed is None or needed > PAGE_MAX or filters.thread:
        # an export (or a page that deep), or one thread: every match is read anyway; let the database choose
        query = query.where(*(indexed for indexed, _ in conditions.values()), *search.text_checks())
        if search.indexed:
            query = query.where(Post.id.in_(search.ids()))
        return query.order_by(*order)
    counts = {name: _capped_count(conn, sa.select(Post.id).where(indexed)) for name, (indexed, _) in conditions.items()}
    driver = min(counts, key=counts.__getitem__) if counts else None
    if driver is not None and counts[driver] <= DRIVER_CAP:
        # fetch and sort: only the driver's index is usable, the sort does not use an index
        for name, (indexed, plain_clause) in conditions.items():
            query = query.where(indexed if name == driver else plain_clause)
        return _page_first(conn, base, query.where(*search.row_checks()).order_by(*_order(filters.order, plain)),
                           order, needed)
    # walk in order: the order's index drives; published bounds stay usable when the order is by
    # date, and one site when its own order index serves the order (thread, newest: migration 0009)
    site_walk = filters.order in ("thread", "newest") and len(site_ids) == 1
    walk_where = []
    for name, (indexed, plain_clause) in conditions.items():
        usable = (name == "published" and filters.order != "thread") or (name == "site" and site_walk)
        walk_where.append(indexed if usable else plain_clause)
    if not search.indexed:
        return query.where(*walk_where, *search.row_checks()).order_by(*order)
    # the window needs posts alone: a join (to threads, sites) would read each post's row
    walk = sa.select(Post.id).where(*walk_where)
    # a search: a common term fills the page within the first posts in order; else the index
    # tells how rare it is: few hits are fetched through it, many (over DRIVER_CAP) are
    # found by walking a window long enough to hold a page at that frequency
    found, indexed_posts = None, None
    if dialect == "sqlite":
        whole = _capped_count(conn, search.whole_word_ids())
        if whole > DRIVER_CAP or not search.has_prefixes:
            found = whole  # common as whole words already (walk), or CJK pairs only (exact)
        elif whole:
            # whole words found, at most DRIVER_CAP: the prefix is most likely rare too (a word
            # fragment, "wea", finds no whole word and is left to the window)
            found = _capped_count(conn, search.ids())
    elif dialect == "postgresql":
        # the planner's estimate from the tsvector statistics (ANALYZE) costs no index read;
        # a GIN count builds the whole bitmap of a common term first (~50-170 ms at 90,000 hits)
        found, indexed_posts = _estimated_rows(conn, search.ids())
    hits: list[int] = []
    first_window = max(WINDOW_MIN, WINDOW_PER_ROW * needed)
    if dialect == "postgresql" and found and found > DRIVER_CAP and indexed_posts:
        # the server checks a window without sending its texts: size the first one from the
        # estimate already (a term in 2% of posts: ~3,750 posts, one statement instead of two)
        first_window = max(first_window, min(int(1.5 * needed * indexed_posts / found), 4 * PAGE_MAX))
    if found is None or found > DRIVER_CAP:
        hits = _window_hits(conn, walk, search, filters.order, first_window, needed)
    if len(hits) < needed:
        if found is None:
            found = _capped_count(conn, search.ids())
        if found > DRIVER_CAP:
            # the hit rate seen in the first window (it knows the other filters), else the index's
            if len(hits) >= 5:
                rate = len(hits) / first_window
            elif indexed_posts:
                rate = found / indexed_posts
            else:
                newest_id = conn.execute(sa.select(sa.func.max(Post.id))).scalar_one() or 1
                rate = found / newest_id
            window = max(first_window * 2, int(1.5 * needed / rate))
            hits = _window_hits(conn, walk, search, filters.order, window, needed)
        if found <= DRIVER_CAP or len(hits) < needed:
            for name, (indexed, plain_clause) in conditions.items():
                query = query.where(plain_clause)
            query = query.where(Post.id.in_(search.ids()), *search.text_checks())
            return _page_first(conn, base, query.order_by(*_order(filters.order, plain)), order, needed)
    return base.where(Post.id.in_(hits)).order_by(*order)


def _page_first(conn: sa.Connection, base: sa.Select, query: sa.Select, order: list, needed: int) -> sa.Select:
    """Sort the matches by their ids and order keys alone, then fetch the page's full rows."""
    ids = [row[0] for row in conn.execute(query.with_only_columns(Post.id).limit(needed))]
    return base.where(Post.id.in_(ids)).order_by(*order)


def _window_hits(conn: sa.Connection, walk: sa.Select, search, order: str, window: int, needed: int) -> list[int]:
    """Ids of the first ``needed`` hits among the first ``window`` posts in order (fewer: not a page).

    The posts come in index order with the other filters checked on the
    index entry where it holds them (thread order: ``ix_posts_thread_order``
    holds the date, so a date range costs no row read; one site: its own
    order indexes, 0009), and each is checked for the search (SQLite: its
    text here, TermSearch.matches; PostgreSQL: in the server, by its index
    entry), so a common term stops after a few dozen posts and a rare one
    reads the rows in range only.
    """
    hits: list[int] = []
    if conn.dialect.name == "sqlite":
        # one statement: SQLite reads a row only when a column the index lacks is needed (text)
        stream = walk.with_only_columns(Post.id, Post.text).order_by(*_order(order)).limit(window)
        result = conn.execution_options(stream_results=True, yield_per=WINDOW_BATCH).execute(stream)
        try:
            for post_id, text in result:
                if text and search.matches(text):
                    hits.append(post_id)
                    if len(hits) >= needed:
                        break
        finally:
            result.close()
        return hits
    # PostgreSQL: one statement returns the page's hits only. The window's ids (and order keys)
    # come from an index-only scan (a filter on a row would read the row); each is checked by
    # its own index entry (posts_terms by id: exact for words and CJK pairs, the same answer
    # as search_clause) in a nested loop that keeps the window's order and stops at ``needed``;
    # the terms LIKE must re-check read the text of those candidates only. Streaming the
    # texts to be checked here cost a round trip per 200 posts and their transfer, which a
    # loaded machine turns into waits (温度 --since thread: ~25 round trips).
    key_columns = [Post.thread_id, Post.position] if order == "thread" else [Post.published]
    keys = walk.with_only_columns(Post.id, *key_columns)  # the order's keys only: index-only
    window_rows = keys.order_by(*_order(order)).limit(window).subquery("w")
    terms = POSTS_TERMS.alias("w_terms")
    indexed = (sa.select(sa.literal(1).label("hit")).select_from(terms)
               .where(terms.c.post_id == window_rows.c.id, search.terms_match(terms)).limit(1).lateral("i"))
    stream = sa.select(window_rows.c.id).join_from(window_rows, indexed, sa.true())
    text_checks = search.text_checks()
    if text_checks:
        checked = sa.select(Post.id).where(Post.id == window_rows.c.id, *text_checks).limit(1).lateral("c")
        stream = stream.join(checked, sa.true())
    stream = stream.order_by(*_order(order, col=lambda c: window_rows.c[c.name])).limit(needed)
    return [row[0] for row in conn.execute(stream)]


def _order(order: str, plain: _Plain | None = None, col=None) -> list[sa.ColumnElement]:
    """ORDER BY terms of an order; ``plain``: in a form no index serves; ``col``: mapping each column."""
    col = col or (plain.column if plain is not None else (lambda c: c))
    if order == "thread":
        # (thread_id, position) is indexed: no sort, even over millions of posts
        return [col(Post.thread_id), col(Post.position), col(Post.id)]
    if order == "newest":
        return [col(Post.published).desc().nulls_last(), col(Post.id).desc()]
    return [col(Post.published).asc().nulls_last(), col(Post.id)]


def _range(column, filters: PostFilters) -> sa.ColumnElement[bool]:
    clauses = []
    if filters.since is not None:
        clauses.append(column >= filters.since)
    if filters.until is not None:
        clauses.append(column <= filters.until)
    return sa.and_(*clauses)


def _estimated_rows(conn: sa.Connection, ids: sa.Select) -> tuple[int, int | None]:
    """PostgreSQL's estimates of the rows of ``ids`` and of all of ``posts_terms`` (EXPLAIN, no execution).

    One EXPLAIN of ``ids UNION ALL (every posts_terms row)``: its Append has one plan per side.
    """
    compiled = ids.compile(conn, compile_kwargs={"literal_binds": True})
    plan = conn.exec_driver_sql(
        f"EXPLAIN (FORMAT JSON) {compiled} UNION ALL SELECT post_id FROM posts_terms").scalar_one()
    node = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
    sides = node.get("Plans", [])
    if node["Node Type"] != "Append" or len(sides) != 2:
        # not the plan expected (a Parallel Append under a Gather estimates per worker): ids alone
        plan = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}").scalar_one()
        return int((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"]), None
    return int(sides[0]["Plan Rows"]), int(sides[1]["Plan Rows"])


def _capped_count(conn: sa.Connection, ids: sa.Select) -> int:
    """How many rows ``ids`` has, counting no further than DRIVER_CAP + 1 (cheap through an index)."""
    capped = ids.limit(DRIVER_CAP + 1).subquery()
    return int(conn.execute(sa.select(sa.func.count()).select_from(capped)).scalar_one())


def _thread_ids(conn: sa.Connection, thread: str) -> list[int]:
    """The thread with this URL, else the thread of the post pages with this URL."""
    found = [row[0] for row in conn.execute(sa.select(Thread.id).where(Thread.url == thread))]
    if not found:
        found = [row[0] for row in conn.execute(sa.select(Post.thread_id).where(Post.page_url == thread).limit(1))]
    return found


class _Plain:
    """Columns in a form no index serves (the same values and types)."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect

    def column(self, column: sa.Column) -> sa.ColumnElement:
        name = f"{column.table.name}.{column.name}"
        if self.dialect == "sqlite":
            text = f"+{name}"
        elif isinstance(column.type, (sa.Integer,)):
            text = f"({name} + 0)"
        elif column.name == "published":
            text = f"({name} + interval '0 seconds')"
        else:
            text = f"({name} || '')"
        return sa.type_coerce(sa.literal_column(text), column.type)
