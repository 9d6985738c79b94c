"""``posts.parent_position``: the position (in the same thread) of the post a comment is under.

Q&A pages put comments under an answer; the extractor records which
(``extractor.model.Post.parent``) and the spider turns it into the parent's
position in the thread. NULL for ordinary posts and for everything stored before.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Idempotent, like 0005 and 0006: a database stamped back to an older revision runs it again."""
    if "parent_position" not in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("posts")}:
        op.add_column("posts", sa.Column("parent_position", sa.Integer, nullable=True))


def downgrade() -> None:
    op.drop_column("posts", "parent_position")  # SQLite >= 3.35 drops a column in place
