"""Store methods of the NLP outbox: committed post versions the stream does not have yet.

``write_batch(..., outbox=True)`` marks every new or edited post in the same
transaction that writes it; whoever hands the posts on (the crawl's publisher,
the next crawl, ``forumcrawl nlp-publish --pending``) reads the marks with
:meth:`OutboxMixin.pending_posts`, publishes, and clears exactly the versions
it published with :meth:`OutboxMixin.clear_outbox`. A crash anywhere in
between leaves the mark, so the post is published later: at least once.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

import sqlalchemy as sa

from .engine import read_connection, write_transaction
from .models import Post, PostOutbox, Site, Thread
from .timeutil import iso, join_offset

Mark = tuple[int, str]  # (posts.id, content_hash of the version marked)


class OutboxMixin:
    """Mixed into :class:`storage.Store` (uses its ``engine`` and ``_insert``)."""

    def _mark_outbox(self, conn: sa.Connection, marks: Mapping[int, str], now: datetime) -> None:
        """Inside a write transaction: mark post versions as not yet published."""
        if not marks:
            return
        stmt = self._insert(PostOutbox)
        stmt = stmt.on_conflict_do_update(index_elements=["post_id"], set_={
            "content_hash": stmt.excluded.content_hash, "queued_at": stmt.excluded.queued_at})
        conn.execute(stmt, [{"post_id": i, "content_hash": h, "queued_at": now} for i, h in marks.items()])

    def _clear_marks(self, conn: sa.Connection, marks: Iterable[Mark]) -> None:
        rows = [{"id": post_id, "hash": content_hash} for post_id, content_hash in marks]
        if rows:
            t = PostOutbox.__table__
            conn.execute(sa.delete(t).where(t.c.post_id == sa.bindparam("id"),
                                            t.c.content_hash == sa.bindparam("hash")), rows)

    def clear_outbox(self, marks: Iterable[Mark]) -> None:
        """Forget marks of published versions; a mark since replaced by a newer edit stays."""
        marks = list(marks)
        if marks:
            with write_transaction(self.engine) as conn:
                self._clear_marks(conn, marks)

    def pending_posts(self, limit: int = 500, after: int = 0) -> list[dict]:
        """Up to ``limit`` marked posts with ``posts.id > after``, in id order, as stream-ready dicts
        (``post_key, site, thread_url, thread_title, position, author, published, text, language``)
        plus ``outbox_mark``, the (id, hash) to pass to :meth:`clear_outbox` once published."""
        query = (
            sa.select(PostOutbox.post_id, PostOutbox.content_hash, Post.post_key, Site.key.label("site"),
                      Thread.url.label("thread_url"), Thread.title.label("thread_title"), Post.position,
                      Post.author, Post.published, Post.published_offset, Post.text, Post.language)
            .join(Post, Post.id == PostOutbox.post_id).join(Thread, Thread.id == Post.thread_id)
            .join(Site, Site.id == Post.site_id)
            .where(PostOutbox.post_id > after).order_by(PostOutbox.post_id).limit(limit)
        )
        with read_connection(self.engine) as conn:
            rows = conn.execute(query).mappings().all()
        out = []
        for r in rows:
            post = {name: r[name] for name in ("post_key", "site", "thread_url", "thread_title", "position",
                                               "author", "text", "language")}
            post["published"] = iso(join_offset(r["published"], r["published_offset"]))
            post["outbox_mark"] = (r["post_id"], r["content_hash"])
            out.append(post)
        return out

    def outbox_size(self) -> int:
        """How many post versions wait to be published."""
        with read_connection(self.engine) as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(PostOutbox)).scalar_one()
