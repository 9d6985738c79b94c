"""The NLP outbox (``post_outbox``) and crawl-run heartbeats (``crawl_runs.heartbeat_at``).

``post_outbox`` holds one row per committed post version that the Redis Stream
(or the in-process handler) does not have yet; it is written in the post's own
transaction and cleared after publishing, so a crawler killed in between loses
nothing downstream. ``heartbeat_at`` is renewed by a running crawl, so a run
whose process was killed can be told from one still going.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Idempotent, like 0005: a database stamped back to an older revision runs it again."""
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table("post_outbox"):
        _create_outbox()
    if "heartbeat_at" not in {c["name"] for c in inspector.get_columns("crawl_runs")}:
        op.add_column("crawl_runs", sa.Column("heartbeat_at", UTCDateTime(), nullable=True))


def _create_outbox() -> None:
    op.create_table(
        "post_outbox",
        sa.Column("post_id", sa.Integer, sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True,
                  autoincrement=False),
        sa.Column("content_hash", sa.String(40), nullable=False),
        sa.Column("queued_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("crawl_runs", "heartbeat_at")  # SQLite >= 3.35 drops a column in place
    op.drop_table("post_outbox")
