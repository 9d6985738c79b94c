"""An index of CJK character pairs, so two-character Chinese words are searched
through an index, not a scan (see storage/cjk.py).

``posts_cjk`` holds, per post with CJK text, the distinct pairs of adjacent CJK
characters; the Store writes it for new and edited posts and it follows post
deletions by itself. SQLite: an FTS5 table (rowid = posts.id, grams separated
by spaces, unicode61 tokenizer) plus a delete trigger. PostgreSQL: a table
(post_id -> posts.id ON DELETE CASCADE, grams text[]) with a GIN index.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.cjk import cjk_bigrams

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    if postgres:
        op.execute(
            "CREATE TABLE posts_cjk (post_id integer PRIMARY KEY REFERENCES posts(id) ON DELETE CASCADE, "
            "grams text[] NOT NULL)"
        )
        op.execute("CREATE INDEX ix_posts_cjk_grams ON posts_cjk USING gin (grams)")
        insert = sa.text("INSERT INTO posts_cjk(post_id, grams) VALUES (:id, :grams)")
    else:
        op.execute('CREATE VIRTUAL TABLE posts_cjk USING fts5(grams, tokenize="unicode61")')
        op.execute(
            "CREATE TRIGGER posts_cjk_ad AFTER DELETE ON posts BEGIN "
            "DELETE FROM posts_cjk WHERE rowid = old.id; END"
        )
        insert = sa.text("INSERT INTO posts_cjk(rowid, grams) VALUES (:id, :grams)")
    last = 0
    while True:  # index the posts stored before this migration
        rows = bind.execute(
            sa.text("SELECT id, text FROM posts WHERE id > :last ORDER BY id LIMIT 1000"), {"last": last}
        ).all()
        if not rows:
            break
        values = []
        for row in rows:
            grams = cjk_bigrams(row.text)
            if grams:
                values.append({"id": row.id, "grams": grams if postgres else " ".join(grams)})
        if values:
            bind.execute(insert, values)
        last = rows[-1].id


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS posts_cjk_ad")
    op.execute("DROP TABLE IF EXISTS posts_cjk")
