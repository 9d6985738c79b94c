"""SQLite: one cheaper search index, ``posts_fts`` with unicode61 words and CJK
bigrams, instead of the trigram index plus ``posts_cjk`` (see storage/searchindex.py).

The trigram index cost ~0.25 ms of CPU per post (half of the crawl's write
path). The new ``posts_fts`` is a plain FTS5 table (rowid = posts.id; no
positions, no column sizes) whose text the Store writes for new and edited
posts: the post's non-CJK text, then its distinct CJK bigrams. A delete
trigger keeps it in step with deletions from any tool. Existing posts are
indexed here. PostgreSQL is unchanged (pg_trgm and its ``posts_cjk``).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""
from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from storage.cjk import cjk_bigrams
from storage.searchindex import index_text

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

WORD_INDEX = (
    'CREATE VIRTUAL TABLE posts_fts USING fts5(text, tokenize="unicode61 remove_diacritics 0", '
    "detail=none, columnsize=0)"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in ("posts_fts_ai", "posts_fts_ad", "posts_fts_au", "posts_cjk_ad"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS posts_fts")
    op.execute("DROP TABLE IF EXISTS posts_cjk")
    op.execute(WORD_INDEX)
    op.execute(
        "CREATE TRIGGER posts_fts_ad AFTER DELETE ON posts BEGIN "
        "DELETE FROM posts_fts WHERE rowid = old.id; END"
    )
    _index_existing("INSERT INTO posts_fts(rowid, text) VALUES (:id, :text)", lambda text: index_text(text) or None)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER IF EXISTS posts_fts_ad")
    op.execute("DROP TABLE IF EXISTS posts_fts")
    # revision 0001's trigram index (kept by triggers) and 0003's bigram table, rebuilt
    op.execute(
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
    op.execute("INSERT INTO posts_fts(posts_fts) VALUES ('rebuild')")
    op.execute('CREATE VIRTUAL TABLE posts_cjk USING fts5(grams, tokenize="unicode61")')
    op.execute(
        "CREATE TRIGGER posts_cjk_ad AFTER DELETE ON posts BEGIN "
        "DELETE FROM posts_cjk WHERE rowid = old.id; END"
    )
    _index_existing("INSERT INTO posts_cjk(rowid, grams) VALUES (:id, :text)",
                    lambda text: " ".join(cjk_bigrams(text)) or None)


def _index_existing(insert: str, make: Callable[[str | None], str | None]) -> None:
    """Index the posts already stored, 1,000 at a time (``make`` returns None: nothing to index)."""
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(
            sa.text("SELECT id, text FROM posts WHERE id > :last ORDER BY id LIMIT 1000"), {"last": last}
        ).all()
        if not rows:
            break
        values = [{"id": row.id, "text": text} for row in rows if (text := make(row.text)) is not None]
        if values:
            bind.execute(sa.text(insert), values)
        last = rows[-1].id
