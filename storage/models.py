"""SQLAlchemy 2 models: sites 1-n threads 1-n posts, plus pages, crawl runs,
post annotations, crawl schedules and the NLP outbox.

The schema itself is created by the Alembic migrations in
``storage/migrations``; these classes describe it for queries, and a test
checks that both agree.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """A point in time stored as UTC.

    PostgreSQL gets ``timestamp with time zone``; SQLite gets SQLAlchemy's
    sortable text form of the UTC value, so comparisons and ORDER BY work and
    sqlite3/Datasette users see plain UTC timestamps. Naive values are taken
    as already UTC; values read back are always timezone-aware.
    """

    impl = sa.DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(sa.DateTime(timezone=True))
        return dialect.type_descriptor(sa.DateTime())

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(timezone.utc)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: sa.JSON, list[Any]: sa.JSON}


class Site(Base):
    """A crawled site, keyed by scheme://host[:port]."""

    __tablename__ = "sites"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.Text, unique=True)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]


class Thread(Base):
    """A forum thread, identified by the canonical URL of its first page."""

    __tablename__ = "threads"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(sa.Text, unique=True)
    title: Mapped[str | None] = mapped_column(sa.Text)
    replies: Mapped[int | None]
    last_activity: Mapped[datetime | None]
    pages: Mapped[int | None]
    last_page_url: Mapped[str | None] = mapped_column(sa.Text)
    etag: Mapped[str | None] = mapped_column(sa.Text)
    last_modified: Mapped[str | None] = mapped_column(sa.Text)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]


class Post(Base):
    """One post; ``post_key`` is its stable identity across crawls (see storage.keys)."""

    __tablename__ = "posts"
    # thread order; id and published too, so a walk in that order checks dates in the index (0008);
    # the same within one site (0009; also the site_id index; ix_posts_site_newest is in 0009 only)
    __table_args__ = (
        sa.Index("ix_posts_thread_order", "thread_id", "position", "id", "published"),
        sa.Index("ix_posts_site_thread_order", "site_id", "thread_id", "position", "id", "published"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    post_key: Mapped[str] = mapped_column(sa.Text, unique=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id", ondelete="CASCADE"))
    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("threads.id", ondelete="CASCADE"))
    page_url: Mapped[str | None] = mapped_column(sa.Text)
    page_number: Mapped[int | None]
    position: Mapped[int | None]
    floor: Mapped[int | None]
    post_id: Mapped[str | None] = mapped_column(sa.Text)
    author: Mapped[str | None] = mapped_column(sa.Text, index=True)
    published: Mapped[datetime | None] = mapped_column(index=True)
    published_offset: Mapped[int | None]  # minutes east of UTC the page showed; None: zone unknown
    published_raw: Mapped[str | None] = mapped_column(sa.Text)
    text: Mapped[str | None] = mapped_column(sa.Text)
    html: Mapped[str | None] = mapped_column(sa.Text)
    quotes: Mapped[list[Any] | None]
    permalink: Mapped[str | None] = mapped_column(sa.Text)
    language: Mapped[str | None] = mapped_column(sa.String(16))
    content_hash: Mapped[str] = mapped_column(sa.String(40))
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    updated_at: Mapped[datetime | None]  # last time a re-crawl found the content changed
    parent_position: Mapped[int | None]  # a comment: the position of the post it is under (same thread)


class Page(Base):
    """A fetched URL: when, with what status and validators (for incremental re-crawls)."""

    __tablename__ = "pages"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(sa.Text, unique=True)
    status: Mapped[int | None]
    kind: Mapped[str | None] = mapped_column(sa.String(16))
    content_hash: Mapped[str | None] = mapped_column(sa.String(64))
    etag: Mapped[str | None] = mapped_column(sa.Text)
    last_modified: Mapped[str | None] = mapped_column(sa.Text)
    fetched_at: Mapped[datetime | None]
    fetch_count: Mapped[int] = mapped_column(default=1)


class CrawlRun(Base):
    """One run of the spider: arguments, timing, outcome and Scrapy stats."""

    __tablename__ = "crawl_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(sa.Text, index=True)
    args: Mapped[dict[str, Any] | None]
    status: Mapped[str] = mapped_column(sa.String(16))  # running, finished, failed, interrupted, killed
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    stats: Mapped[dict[str, Any] | None]
    hostname: Mapped[str | None] = mapped_column(sa.Text)
    pid: Mapped[int | None]
    heartbeat_at: Mapped[datetime | None]  # renewed while the run lives; a stale one means it was killed


class PostAnnotation(Base):
    """What an NLP handler found in a post; one row per post per handler."""

    __tablename__ = "post_annotations"
    __table_args__ = (sa.UniqueConstraint("post_key", "handler", name="uq_post_annotations_post_handler"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    post_key: Mapped[str] = mapped_column(sa.ForeignKey("posts.post_key", ondelete="CASCADE"))
    handler: Mapped[str] = mapped_column(sa.Text)
    language: Mapped[str | None] = mapped_column(sa.String(16))
    keywords: Mapped[list[Any] | None]
    tokens: Mapped[int | None]
    updated_at: Mapped[datetime]


class Schedule(Base):
    """A recurring crawl: start ``url`` with ``args`` every ``every_seconds``."""

    __tablename__ = "schedules"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(sa.Text)
    every_seconds: Mapped[int]
    args: Mapped[dict[str, Any] | None]
    next_run_at: Mapped[datetime] = mapped_column(index=True)
    last_run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("crawl_runs.id", ondelete="SET NULL"))
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class PostOutbox(Base):
    """A committed post version not yet handed to the NLP stream (a transactional outbox).

    Written in the same transaction as the post, deleted once the stream has
    that version (``content_hash``), so a crash between the commit and the
    publish leaves the mark behind for the next drain instead of losing the post.
    """

    __tablename__ = "post_outbox"
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True,
                                         autoincrement=False)
    content_hash: Mapped[str] = mapped_column(sa.String(40))
    queued_at: Mapped[datetime]
