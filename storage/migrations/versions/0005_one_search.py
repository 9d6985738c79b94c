"""One search semantics on both back ends, and search that stops at the first page.

PostgreSQL: ``posts_terms`` (post_id -> posts.id ON DELETE CASCADE, ``terms``
tsvector with a GIN index) holds the same words and CJK bigrams as SQLite's
``posts_fts`` (storage.searchindex.index_tokens), so a word term matches by
word prefix and a CJK term as a substring on both; it replaces 0003's
``posts_cjk``. pg_trgm (0001) is created here if it was missing and is
available: it serves the terms the word index cannot narrow. An index
``(published DESC NULLS LAST, id DESC)`` lets newest-first pages stop early.

Both: the view ``posts_search``, one row per post (id = posts.id, text,
author, thread title and URL, published, site, page URL), for Datasette and
other tools (see docs/storage.md).

Every step checks what exists first, so the migration can be rerun.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""
from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

from storage.cjk import cjk_bigrams
from storage.searchindex import index_tokens

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

SEARCH_VIEW = """
CREATE VIEW posts_search AS
SELECT p.id, p.text, p.author, t.title AS thread_title, t.url AS thread_url,
       p.published AS published_utc, p.published_raw, s.key AS site, p.page_url AS url, p.post_key, p.language
FROM posts p JOIN threads t ON t.id = p.thread_id JOIN sites s ON s.id = p.site_id
"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _postgres_terms(bind)
        _postgres_trigram(bind)
        op.execute("CREATE INDEX IF NOT EXISTS ix_posts_published_newest ON posts (published DESC NULLS LAST, id DESC)")
    op.execute("DROP VIEW IF EXISTS posts_search")
    op.execute(SEARCH_VIEW)


def _postgres_terms(bind: sa.Connection) -> None:
    op.execute(
        "CREATE TABLE IF NOT EXISTS posts_terms (post_id integer PRIMARY KEY REFERENCES posts(id) ON DELETE CASCADE, "
        "terms tsvector NOT NULL)"
    )
    insert = sa.text(
        "INSERT INTO posts_terms(post_id, terms) VALUES (:id, array_to_tsvector(CAST(:tokens AS text[]))) "
        "ON CONFLICT (post_id) DO NOTHING"
    )
    last = 0
    while True:  # index the posts stored before this migration (those not indexed yet)
        rows = bind.execute(sa.text(
            "SELECT p.id, p.text FROM posts p WHERE p.id > :last "
            "AND NOT EXISTS (SELECT 1 FROM posts_terms t WHERE t.post_id = p.id) ORDER BY p.id LIMIT 2000"
        ), {"last": last}).all()
        if not rows:
            break
        values = [{"id": row.id, "tokens": tokens} for row in rows if (tokens := index_tokens(row.text))]
        if values:
            bind.execute(insert, values)
        last = rows[-1].id
    op.execute("CREATE INDEX IF NOT EXISTS ix_posts_terms ON posts_terms USING gin (terms)")
    op.execute("DROP TABLE IF EXISTS posts_cjk")


def _postgres_trigram(bind: sa.Connection) -> None:
    """pg_trgm's index on posts.text, when the extension can be created (search works without it)."""
    savepoint = bind.begin_nested()
    try:
        bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError as err:
        savepoint.rollback()
        log.warning("pg_trgm unavailable (%s); terms the word index cannot narrow will scan", err.orig)
        return
    savepoint.commit()
    op.execute("CREATE INDEX IF NOT EXISTS ix_posts_text_trgm ON posts USING gin (text gin_trgm_ops)")


def downgrade() -> None:
    bind = op.get_bind()
    op.execute("DROP VIEW IF EXISTS posts_search")
    if bind.dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_posts_published_newest")
    op.execute("DROP TABLE IF EXISTS posts_terms")
    # revision 0003's bigram table, rebuilt
    op.execute(
        "CREATE TABLE posts_cjk (post_id integer PRIMARY KEY REFERENCES posts(id) ON DELETE CASCADE, "
        "grams text[] NOT NULL)"
    )
    op.execute("CREATE INDEX ix_posts_cjk_grams ON posts_cjk USING gin (grams)")
    last = 0
    while True:
        rows = bind.execute(
            sa.text("SELECT id, text FROM posts WHERE id > :last ORDER BY id LIMIT 2000"), {"last": last}
        ).all()
        if not rows:
            break
        values = [{"id": row.id, "grams": grams} for row in rows if (grams := cjk_bigrams(row.text))]
        if values:
            bind.execute(sa.text("INSERT INTO posts_cjk(post_id, grams) VALUES (:id, :grams)"), values)
        last = rows[-1].id
