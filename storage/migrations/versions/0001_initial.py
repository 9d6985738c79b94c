"""Initial schema: sites, threads, posts, pages, crawl_runs, post_annotations,
schedules, and full-text search (SQLite FTS5 trigram; PostgreSQL pg_trgm).

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""
from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)


def upgrade() -> None:
    op.create_table(
        "sites",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.Text, nullable=False, unique=True),
        sa.Column("first_seen", UTCDateTime, nullable=False),
        sa.Column("last_seen", UTCDateTime, nullable=False),
    )
    op.create_table(
        "threads",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("site_id", sa.Integer, sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
        sa.Column("url", sa.Text, nullable=False, unique=True),
        sa.Column("title", sa.Text),
        sa.Column("replies", sa.Integer),
        sa.Column("last_activity", UTCDateTime),
        sa.Column("pages", sa.Integer),
        sa.Column("last_page_url", sa.Text),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("first_seen", UTCDateTime, nullable=False),
        sa.Column("last_seen", UTCDateTime, nullable=False),
    )
    op.create_index("ix_threads_site_id", "threads", ["site_id"])
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("post_key", sa.Text, nullable=False, unique=True),
        sa.Column("site_id", sa.Integer, sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
        sa.Column("thread_id", sa.Integer, sa.ForeignKey("threads.id", ondelete="CASCADE"), nullable=False),
        sa.Column("page_url", sa.Text),
        sa.Column("page_number", sa.Integer),
        sa.Column("position", sa.Integer),
        sa.Column("floor", sa.Integer),
        sa.Column("post_id", sa.Text),
        sa.Column("author", sa.Text),
        sa.Column("published", UTCDateTime),
        sa.Column("published_offset", sa.Integer),
        sa.Column("published_raw", sa.Text),
        sa.Column("text", sa.Text),
        sa.Column("html", sa.Text),
        sa.Column("quotes", sa.JSON),
        sa.Column("permalink", sa.Text),
        sa.Column("language", sa.String(16)),
        sa.Column("content_hash", sa.String(40), nullable=False),
        sa.Column("first_seen", UTCDateTime, nullable=False),
        sa.Column("last_seen", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime),
    )
    op.create_index("ix_posts_site_id", "posts", ["site_id"])
    op.create_index("ix_posts_author", "posts", ["author"])
    op.create_index("ix_posts_published", "posts", ["published"])
    op.create_index("ix_posts_thread_position", "posts", ["thread_id", "position"])
    op.create_table(
        "pages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("site_id", sa.Integer, sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
        sa.Column("url", sa.Text, nullable=False, unique=True),
        sa.Column("status", sa.Integer),
        sa.Column("kind", sa.String(16)),
        sa.Column("content_hash", sa.String(64)),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("fetched_at", UTCDateTime),
        sa.Column("fetch_count", sa.Integer, nullable=False),
    )
    op.create_index("ix_pages_site_id", "pages", ["site_id"])
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("site", sa.Text, nullable=False),
        sa.Column("args", sa.JSON),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("finished_at", UTCDateTime),
        sa.Column("stats", sa.JSON),
        sa.Column("hostname", sa.Text),
        sa.Column("pid", sa.Integer),
    )
    op.create_index("ix_crawl_runs_site", "crawl_runs", ["site"])
    op.create_table(
        "post_annotations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("post_key", sa.Text, sa.ForeignKey("posts.post_key", ondelete="CASCADE"), nullable=False),
        sa.Column("handler", sa.Text, nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("keywords", sa.JSON),
        sa.Column("tokens", sa.Integer),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("post_key", "handler", name="uq_post_annotations_post_handler"),
    )
    op.create_table(
        "schedules",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("every_seconds", sa.Integer, nullable=False),
        sa.Column("args", sa.JSON),
        sa.Column("next_run_at", UTCDateTime, nullable=False),
        sa.Column(
            "last_run_id", sa.Integer, sa.ForeignKey("crawl_runs.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_schedules_next_run_at", "schedules", ["next_run_at"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_fts()
    elif dialect == "postgresql":
        _postgres_trigram()


def _sqlite_fts() -> None:
    """FTS5 over posts.text with the trigram tokenizer: substring search in any script."""
    op.execute(
        # content="posts" in double quotes is the spelling Datasette looks for to offer search on posts
        'CREATE VIRTUAL TABLE posts_fts USING fts5(text, content="posts", content_rowid="id", tokenize="trigram")'
    )
    op.execute(
        "CREATE TRIGGER posts_fts_ai AFTER INSERT ON posts BEGIN "
        "INSERT INTO posts_fts(rowid, text) VALUES (new.id, new.text); END"
    )
    op.execute(
        "CREATE TRIGGER posts_fts_ad AFTER DELETE ON posts BEGIN "
        "INSERT INTO posts_fts(posts_fts, rowid, text) VALUES ('delete', old.id, old.text); END"
    )
    op.execute(
        "CREATE TRIGGER posts_fts_au AFTER UPDATE OF text ON posts WHEN old.text IS NOT new.text BEGIN "
        "INSERT INTO posts_fts(posts_fts, rowid, text) VALUES ('delete', old.id, old.text); "
        "INSERT INTO posts_fts(rowid, text) VALUES (new.id, new.text); END"
    )


def _postgres_trigram() -> None:
    """A pg_trgm GIN index that speeds up ILIKE '%...%' search (ILIKE stays correct without it)."""
    bind = op.get_bind()
    savepoint = bind.begin_nested()
    try:
        bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError as err:
        savepoint.rollback()
        log.warning("pg_trgm unavailable (%s); text search will scan without an index", err.orig)
        return
    savepoint.commit()
    op.execute("CREATE INDEX ix_posts_text_trgm ON posts USING gin (text gin_trgm_ops)")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("posts_fts_ai", "posts_fts_ad", "posts_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS posts_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_posts_text_trgm")
    for table in ("schedules", "post_annotations", "crawl_runs", "pages", "posts", "threads", "sites"):
        op.drop_table(table)
