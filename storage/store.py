"""The Store: one object the pipeline, the CLI and the NLP worker share.

Every write is a single transaction built from idempotent upserts
(``INSERT ... ON CONFLICT`` through SQLAlchemy's SQLite and PostgreSQL insert
constructs), so a batch is either wholly committed or not at all, and
re-sending it never duplicates a row. Connection failures surface as
:class:`storage.errors.StoreUnavailable`.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from . import migrate
from .annotations import AnnotationsMixin
from .engine import make_engine, translate_errors, write_transaction
from .models import Page, Post, Site, Thread
from .outbox import Mark, OutboxMixin
from .recrawl import RecrawlStateMixin
from .runs import RUN_STATUSES, RunsMixin  # noqa: F401 - RUN_STATUSES re-exported
from .rows import chunks, item_problem, page_rows, post_rows, thread_rows
from .schedules import SchedulesMixin
from .searchindex import write_index
from .sqlite_binds import CompiledRows
from .timeutil import utcnow
from .url import resolve_database_url, sqlite_path

log = logging.getLogger(__name__)

POST_CONTENT = ("author", "published", "text", "html")  # hashed: a change is an edit
POST_PLACE = (  # not hashed: where the post sits and how it is shown; refreshed silently
    "site_id", "thread_id", "page_url", "page_number", "position", "floor", "post_id",
    "published_offset", "published_raw", "quotes", "permalink", "parent_position",
)


@dataclass
class WriteResult:
    """What one ``write_batch`` did to posts (keys as in ``storage.keys.post_key``)."""

    inserted: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)  # content (text/html/author/published) changed
    unchanged: int = 0
    threads: int = 0
    pages: int = 0
    skipped: list[str] = field(default_factory=list)  # why items were left out (logged too)
    outbox: dict[str, Mark] = field(default_factory=dict)  # post_key -> outbox mark written (outbox=True)


class Store(RunsMixin, AnnotationsMixin, RecrawlStateMixin, SchedulesMixin, OutboxMixin):
    """forumcrawl's SQL store at ``url`` (schema created or upgraded on open).

    Batch writes live here; crawl runs, annotations, re-crawl state, schedules
    and the NLP outbox come from the mixins of their own modules.
    """

    def __init__(
        self, url: str | None = None, *, migrate_schema: bool = True, sqlite_busy_timeout: float = 30.0
    ) -> None:
        """Open (and migrate) the database; ``sqlite_busy_timeout``: seconds to wait for a locked file."""
        self.url = resolve_database_url(url)
        path = sqlite_path(self.url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self.engine = make_engine(self.url, busy_timeout_ms=int(sqlite_busy_timeout * 1000))
        self.dialect = self.engine.dialect.name
        self._statements: dict[str, object] = {}  # write statements, built once
        if migrate_schema:
            with translate_errors():
                migrate.upgrade(self.engine)

    # -- lifecycle -----------------------------------------------------------------------------
    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.engine.url.render_as_string(hide_password=True)!r})"

    # -- the crawl's writes --------------------------------------------------------------------
    def write_batch(
        self,
        threads: Iterable[Mapping] = (),
        posts: Iterable[Mapping] = (),
        pages: Iterable[Mapping] = (),
        *,
        outbox: bool = False,
        clear_outbox: Iterable[Mark] = (),
    ) -> WriteResult:
        """Upsert thread pages, posts and fetched pages in one transaction.

        ``outbox``: also mark each new or edited post as not yet published to the
        NLP stream (``post_outbox``, same transaction; marks in ``result.outbox``).
        ``clear_outbox``: marks of versions published since, cleared in the same
        transaction (saves a commit of their own).

        ``threads``/``posts`` are ``ThreadItem``/``PostItem`` dicts; ``pages`` are
        ``{site, url, status, kind, content_hash, etag, last_modified, fetched_at}``.
        Items that cannot be stored (no thread URL, absurdly long URL, ...) are
        left out, logged, and listed in ``result.skipped``, so one bad item never
        costs the rest of the batch. Raises StoreUnavailable when the database is
        unreachable (nothing written; retry the same call).
        """
        skipped: list[str] = []
        threads = _storable(threads, "thread", skipped)
        posts = _storable(posts, "post", skipped)
        pages = _storable(pages, "page", skipped)
        t_rows = thread_rows(threads, posts)
        p_rows = post_rows(posts)
        g_rows = page_rows(pages, threads)
        sites = {r["site"] for r in (*t_rows.values(), *p_rows.values(), *g_rows.values())}
        result = WriteResult(threads=len(t_rows), pages=len(g_rows), skipped=skipped)
        clear_outbox = list(clear_outbox)
        if not sites:
            if clear_outbox:
                self.clear_outbox(clear_outbox)
            return result
        now = utcnow()
        with write_transaction(self.engine) as conn:
            self._clear_marks(conn, clear_outbox)
            site_ids = self._upsert_sites(conn, sites, now)
            thread_ids = self._upsert_threads(conn, t_rows, site_ids, now)
            self._upsert_pages(conn, g_rows, site_ids)
            self._upsert_posts(conn, p_rows, site_ids, thread_ids, now, result, outbox)
        return result

    def _insert(self, model, *, with_id: bool = False):
        """The dialect's INSERT (with ON CONFLICT support) on the model's Core table.

        Rows are passed to ``execute`` as a list (executemany), so the compiled
        statement is cached and reused instead of compiling a multi-row VALUES
        clause per batch.
        """
        insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        stmt = insert(model.__table__)
        if self.dialect == "sqlite":  # every column (but id) a named parameter: the form CompiledRows binds
            columns = [c for c in model.__table__.columns if with_id or c.name != "id"]
            stmt = stmt.values({c.name: sa.bindparam(c.name, type_=c.type) for c in columns})
        return stmt

    def _rows_statement(self, upsert: sa.Insert):
        """On SQLite a :class:`CompiledRows` (rows bound without SQLAlchemy's per-row processing), else ``upsert``."""
        return CompiledRows(upsert, self.engine.dialect) if self.dialect == "sqlite" else upsert

    @staticmethod
    def _execute_rows(conn: sa.Connection, upsert, rows: list[dict]) -> None:
        """Run an upsert of :meth:`_rows_statement` once per row (executemany)."""
        if isinstance(upsert, CompiledRows):
            upsert.execute(conn, rows)
        else:
            conn.execute(upsert, rows)

    def _upsert_sites(self, conn: sa.Connection, keys: set[str], now: datetime) -> dict[str, int]:
        ordered = sorted(keys)
        upsert, ids = self._statement("sites", self._site_statements)
        conn.execute(upsert, [{"key": k, "first_seen": now, "last_seen": now} for k in ordered])
        return dict(conn.execute(ids, {"keys": ordered}).all())

    def _statement(self, name: str, build):
        """The write statement(s) ``name``, built by ``build()`` once per Store (no per-batch construction)."""
        cached = self._statements.get(name)
        if cached is None:
            cached = self._statements[name] = build()
        return cached

    def _site_statements(self) -> tuple:
        stmt = self._insert(Site)
        upsert = stmt.on_conflict_do_update(index_elements=["key"], set_={"last_seen": stmt.excluded.last_seen})
        return upsert, sa.select(Site.key, Site.id).where(Site.key.in_(sa.bindparam("keys", expanding=True)))

    def _upsert_threads(
        self, conn: sa.Connection, rows: dict[str, dict], site_ids: dict[str, int], now: datetime
    ) -> dict[str, int]:
        ids: dict[str, int] = {}
        upsert, known = self._statement("threads", self._thread_statements)
        for chunk in chunks(sorted(rows)):
            values = []
            for url in chunk:
                row = dict(rows[url])
                row["site_id"] = site_ids[row.pop("site")]
                values.append({**row, "first_seen": now, "last_seen": now})
            self._execute_rows(conn, upsert, values)
            ids.update(conn.execute(known, {"keys": chunk}).all())
        return ids

    def _thread_statements(self) -> tuple:
        t = Thread.__table__
        stmt = self._insert(Thread)
        ex = stmt.excluded
        newer_page = sa.or_(t.c.pages.is_(None), sa.and_(ex.pages.is_not(None), ex.pages >= t.c.pages))
        upsert = stmt.on_conflict_do_update(
            index_elements=["url"],
            set_={
                "title": sa.func.coalesce(ex.title, t.c.title),
                "replies": sa.func.coalesce(ex.replies, t.c.replies),
                "last_activity": sa.func.coalesce(ex.last_activity, t.c.last_activity),
                "pages": sa.case((newer_page, ex.pages), else_=t.c.pages),
                "last_page_url": sa.case((newer_page, ex.last_page_url), else_=t.c.last_page_url),
                "etag": sa.case((newer_page, ex.etag), else_=t.c.etag),
                "last_modified": sa.case((newer_page, ex.last_modified), else_=t.c.last_modified),
                "last_seen": ex.last_seen,
            },
        )
        known = sa.select(Thread.url, Thread.id).where(Thread.url.in_(sa.bindparam("keys", expanding=True)))
        return self._rows_statement(upsert), known

    def _upsert_pages(self, conn: sa.Connection, rows: dict[str, dict], site_ids: dict[str, int]) -> None:
        upsert = self._statement("pages", self._page_statement)
        for chunk in chunks(sorted(rows)):
            values = []
            for url in chunk:
                row = dict(rows[url])
                row["site_id"] = site_ids[row.pop("site")]
                values.append({**row, "fetch_count": 1})
            self._execute_rows(conn, upsert, values)

    def _page_statement(self):
        p = Page.__table__
        stmt = self._insert(Page)
        ex = stmt.excluded
        return self._rows_statement(stmt.on_conflict_do_update(
            index_elements=["url"],
            set_={
                "status": sa.func.coalesce(ex.status, p.c.status),
                "kind": sa.func.coalesce(ex.kind, p.c.kind),
                "content_hash": sa.func.coalesce(ex.content_hash, p.c.content_hash),
                "etag": ex.etag,
                "last_modified": ex.last_modified,
                "fetched_at": sa.func.coalesce(ex.fetched_at, p.c.fetched_at),
                "fetch_count": p.c.fetch_count + sa.literal_column("1"),  # no bound parameter
            },
        ))

    def _upsert_posts(
        self,
        conn: sa.Connection,
        rows: dict[str, dict],
        site_ids: dict[str, int],
        thread_ids: dict[str, int],
        now: datetime,
        result: WriteResult,
        outbox: bool = False,
    ) -> None:
        upsert, touch, known_query, new_ids = self._post_statements(conn)
        # SQLite: new posts get their ids here, the ones SQLite would choose (max + 1, ...), which
        # saves reading them back: BEGIN IMMEDIATE holds the write lock, so nobody else inserts meanwhile
        own_ids, next_id = isinstance(upsert, CompiledRows), None
        for chunk in chunks(sorted(rows)):  # one key order for every writer: no lock-order deadlocks
            known = {r.post_key: r for r in conn.execute(known_query, {"keys": chunk})}
            values, same, rewritten, edited = [], [], {}, []
            for key in chunk:
                row = rows[key]
                site_id, thread_id = site_ids[row["site"]], thread_ids[row["thread_url"]]
                old = known.get(key)
                if old is None:
                    result.inserted.append(key)
                    if own_ids:
                        if next_id is None:
                            next_id = (conn.exec_driver_sql("SELECT max(id) FROM posts").scalar() or 0) + 1
                        rewritten[key] = next_id
                        next_id += 1
                    else:
                        rewritten[key] = None
                elif old.content_hash != row["content_hash"]:
                    result.updated.append(key)
                    rewritten[key] = old.id
                    edited.append(old.id)
                else:
                    result.unchanged += 1
                    if _same_place(old, row, site_id, thread_id):
                        same.append(key)  # only last_seen moves: no rewrite of text, html or indexes
                        continue
                value = {**row, "site_id": site_id, "thread_id": thread_id,
                         "first_seen": now, "last_seen": now, "updated_at": None}
                del value["site"], value["thread_url"]  # named by site_id / thread_id
                if own_ids:
                    value["id"] = rewritten[key] if old is None else None  # a stored post keeps its id
                values.append(value)
            if values:
                self._execute_rows(conn, upsert, values)
            if same:
                conn.execute(touch, {"keys": same, "now": now})
            if rewritten:
                fresh = [key for key, post_id in rewritten.items() if post_id is None]  # PostgreSQL
                if fresh:
                    rewritten.update(conn.execute(new_ids, {"keys": fresh}).all())
                self._index_search(conn, {rewritten[key]: rows[key]["text"] for key in rewritten}, edited)
                if outbox:
                    marks = {key: (rewritten[key], rows[key]["content_hash"]) for key in rewritten}
                    self._mark_outbox(conn, dict(marks.values()), now)
                    result.outbox.update(marks)
        order = {key: i for i, key in enumerate(rows)}
        result.inserted.sort(key=order.__getitem__)
        result.updated.sort(key=order.__getitem__)

    def _post_statements(self, conn: sa.Connection) -> tuple:
        """(upsert, touch, known, new ids) for posts, built once per Store.

        On SQLite the upsert is a :class:`CompiledRows` (rows bound without
        SQLAlchemy's per-row processing); PostgreSQL gets the Core statement.
        """
        cached = self._statements.get("posts")
        if cached is not None:
            return cached
        p = Post.__table__
        stmt = self._insert(Post, with_id=True)
        ex = stmt.excluded
        set_ = {name: getattr(ex, name) for name in (*POST_CONTENT, *POST_PLACE, "content_hash", "last_seen")}
        set_["language"] = sa.func.coalesce(ex.language, p.c.language)
        set_["updated_at"] = sa.case((p.c.content_hash != ex.content_hash, ex.last_seen), else_=p.c.updated_at)
        upsert = self._rows_statement(stmt.on_conflict_do_update(index_elements=["post_key"], set_=set_))
        keys = sa.bindparam("keys", expanding=True)
        touch = sa.update(p).where(p.c.post_key.in_(keys)).values(last_seen=sa.bindparam("now"))
        known = sa.select(
            Post.post_key, Post.id, Post.content_hash, Post.language, *(getattr(Post, n) for n in POST_PLACE)
        ).where(Post.post_key.in_(keys))
        new_ids = sa.select(Post.post_key, Post.id).where(Post.post_key.in_(keys))
        cached = self._statements["posts"] = (upsert, touch, known, new_ids)
        return cached

    def _index_search(self, conn: sa.Connection, texts: dict[int, str | None], edited: list[int]) -> None:
        """(Re)index new or edited posts (``{posts.id: text}``; ``edited``: ids stored before): storage.searchindex."""
        write_index(conn, self.dialect, texts, edited)


def _storable(items: Iterable[Mapping], kind: str, skipped: list[str]) -> list[Mapping]:
    """The items that can be stored; a reason per other item goes to ``skipped`` and the log."""
    good = []
    for item in items:
        problem = item_problem(item, kind)
        if problem is None:
            good.append(item)
        else:
            skipped.append(problem)
            log.warning("Not storing a %s: %s", kind, problem)
    return good


def _same_place(old, row: dict, site_id: int, thread_id: int) -> bool:
    """True when a stored post with unchanged content needs no rewrite besides last_seen."""
    if row["language"] is not None and row["language"] != old.language:
        return False
    if old.site_id != site_id or old.thread_id != thread_id:
        return False
    return all(getattr(old, name) == row[name] for name in POST_PLACE[2:])
