"""Per-site order indexes: a ``--site`` page walks only that site's posts, in order, from the index.

A search page with ``--site`` walks posts in the page's order and checks
each (storage/plan.py). With the site outside the order indexes every post
of every site was walked and each row read just to see its site: at 1M posts
in 4 sites ``温度 --site newest`` read ~15,000 rows for a page (PostgreSQL
100-560 ms on a loaded machine; its planner, which cannot estimate the hidden
site check, sometimes chose a sequential scan of the whole table instead).

* ``ix_posts_site_thread_order`` (site_id, thread_id, position, id, published):
  thread order within a site, dates in the entry; it replaces
  ``ix_posts_site_id``, which is its prefix.
* ``ix_posts_site_newest``: newest first within a site. PostgreSQL:
  (site_id, published DESC NULLS LAST, id DESC), the order's own
  direction and NULL placement; SQLite (no NULLS LAST in an index, but its
  NULLs sort first, so a backward scan puts them last): (site_id, published, id).
  Not in storage.models, since it differs by dialect (like 0005's
  ``ix_posts_published_newest``).

Idempotent like 0005-0008: each step checks what exists first.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    indexes = {ix["name"] for ix in sa.inspect(bind).get_indexes("posts")}
    if "ix_posts_site_thread_order" not in indexes:
        op.create_index("ix_posts_site_thread_order", "posts", ["site_id", "thread_id", "position", "id", "published"])
    if "ix_posts_site_newest" not in indexes:
        if bind.dialect.name == "postgresql":
            op.execute("CREATE INDEX ix_posts_site_newest ON posts (site_id, published DESC NULLS LAST, id DESC)")
        else:
            op.create_index("ix_posts_site_newest", "posts", ["site_id", "published", "id"])
    if "ix_posts_site_id" in indexes:
        op.drop_index("ix_posts_site_id", table_name="posts")


def downgrade() -> None:
    op.create_index("ix_posts_site_id", "posts", ["site_id"])
    op.drop_index("ix_posts_site_newest", table_name="posts")
    op.drop_index("ix_posts_site_thread_order", table_name="posts")
