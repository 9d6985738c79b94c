"""The thread-order index also holds ``id`` and ``published``: ``ix_posts_thread_order``.

A page of search hits in thread order walks posts in (thread, position)
order and checks each (storage/plan.py). With ``--since``/``--until`` that
order is no help, and every post walked cost a read of its row just to see
its date: ~140,000 rows for a term in 2% of posts and a date range of 5.5%
of a million (86-114 ms). With the date in the index the walk reads index
entries only (SQLite: its deferred row seek; PostgreSQL: an index-only scan)
and the rows of the posts in the range only. It replaces
``ix_posts_thread_position``, which is its prefix.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Idempotent, like 0005-0007: a database stamped back to an older revision runs it again."""
    indexes = {ix["name"] for ix in sa.inspect(op.get_bind()).get_indexes("posts")}
    if "ix_posts_thread_order" not in indexes:
        op.create_index("ix_posts_thread_order", "posts", ["thread_id", "position", "id", "published"])
    if "ix_posts_thread_position" in indexes:
        op.drop_index("ix_posts_thread_position", table_name="posts")


def downgrade() -> None:
    op.create_index("ix_posts_thread_position", "posts", ["thread_id", "position"])
    op.drop_index("ix_posts_thread_order", table_name="posts")
