"""SQLite: ``posts_fts`` keeps no copy of the indexed text (FTS5 ``content=''``).

Since 0004 ``posts_fts`` stored the text it indexed (the post's text plus its
CJK bigrams) in its own content table, which nothing reads: searches use the
index and ``posts.text``. That copy was a third of the bytes a crawl wrote
(52 of 154 MB on the throughput bench's forum) and ~0.03 ms of CPU per post.

A contentless table cannot find an entry's tokens by itself: the ``'delete'``
command must be given the text the entry was built from, and a wrong text
corrupts the index (FTS5 even reports "database disk image is malformed" when
its token counts go below zero). ``posts_fts_text`` (id, text) has one row per
post that has an entry: ``text`` is the indexed text where it is not
``posts.text`` (posts with CJK runs, whose pairs are indexed), else NULL. So an
entry exists exactly when its row does, and was built from
``coalesce(posts_fts_text.text, posts.text)``. The Store writes both for new
and edited posts; triggers keep them true whoever writes ``posts``: a delete
removes the entry (if any), an update of the text swaps it for the new text's
(the Store then re-indexes an edited post's pairs). There is no insert
trigger: FTS5 flushes its pending writes at each statement savepoint, so a
per-row trigger costs several times the Store's one insert per batch; a post
inserted by another tool stays out of the index until its text is updated.
The entries are copied from the old table, so the migration reads no post
text in Python except for posts that had no entry.

Idempotent: it does nothing when ``posts_fts`` is already contentless.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.searchindex import index_text

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# the text a post's entry was built from, for posts that have one (a row in posts_fts_text)
DELETE_ENTRY = (
    "INSERT INTO posts_fts(posts_fts, rowid, text) SELECT 'delete', x.id, coalesce(x.text, {post}.text) "
    "FROM posts_fts_text x WHERE x.id = {post}.id"
)
TOKENIZE = 'tokenize="unicode61 remove_diacritics 0"'
CONTENTLESS = f"CREATE VIRTUAL TABLE {{name}} USING fts5(text, {TOKENIZE}, content='', detail=none, columnsize=0)"
WITH_CONTENT = f"CREATE VIRTUAL TABLE posts_fts USING fts5(text, {TOKENIZE}, detail=none, columnsize=0)"
TRIGGERS = (
    "CREATE TRIGGER posts_fts_ad AFTER DELETE ON posts BEGIN "
    f"{DELETE_ENTRY.format(post='old')}; DELETE FROM posts_fts_text WHERE id = old.id; END",
    "CREATE TRIGGER posts_fts_au AFTER UPDATE OF text ON posts WHEN old.text IS NOT new.text BEGIN "
    f"{DELETE_ENTRY.format(post='old')}; "
    "DELETE FROM posts_fts_text WHERE id = old.id; "  # (OR REPLACE in a trigger yields to the outer statement)
    "INSERT INTO posts_fts_text(id, text) VALUES (new.id, NULL); "
    "INSERT INTO posts_fts(rowid, text) VALUES (new.id, new.text); END",
)


def is_contentless(bind: sa.Connection) -> bool:
    sql = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'posts_fts'").scalar()
    return sql is not None and "content=''" in sql.replace(" ", "")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite" or is_contentless(bind):
        return
    op.execute("DROP TABLE IF EXISTS posts_fts_text")
    op.execute("CREATE TABLE posts_fts_text (id INTEGER PRIMARY KEY, text TEXT)")
    op.execute("DROP TABLE IF EXISTS posts_fts_new")
    op.execute(CONTENTLESS.format(name="posts_fts_new"))
    # the old entries as they are (even where posts.text was edited since by another tool)
    op.execute("INSERT INTO posts_fts_new(rowid, text) SELECT rowid, text FROM posts_fts")
    op.execute(
        "INSERT INTO posts_fts_text(id, text) SELECT f.rowid, CASE WHEN f.text IS NOT coalesce(p.text, '') "
        "THEN f.text END FROM posts_fts f LEFT JOIN posts p ON p.id = f.rowid"
    )
    missing = bind.exec_driver_sql(
        "SELECT id, text FROM posts WHERE id NOT IN (SELECT rowid FROM posts_fts)"
    ).all()
    for start in range(0, len(missing), 1000):
        rows = [(post_id, text, index_text(text)) for post_id, text in missing[start:start + 1000]]
        bind.exec_driver_sql("INSERT INTO posts_fts_new(rowid, text) VALUES (?, ?)", [(i, t) for i, _, t in rows])
        bind.exec_driver_sql("INSERT INTO posts_fts_text(id, text) VALUES (?, ?)",
                             [(i, t if t != (text or "") else None) for i, text, t in rows])
    for trigger in ("posts_fts_ad", "posts_fts_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE posts_fts")
    op.execute("ALTER TABLE posts_fts_new RENAME TO posts_fts")
    for trigger in TRIGGERS:
        op.execute(trigger)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite" or not is_contentless(bind):
        return
    for trigger in ("posts_fts_ad", "posts_fts_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE posts_fts")
    op.execute(WITH_CONTENT)
    op.execute(
        "INSERT INTO posts_fts(rowid, text) SELECT p.id, coalesce(x.text, p.text, '') "
        "FROM posts p LEFT JOIN posts_fts_text x ON x.id = p.id"
    )
    op.execute("DROP TABLE posts_fts_text")
    op.execute("CREATE TRIGGER posts_fts_ad AFTER DELETE ON posts BEGIN "
               "DELETE FROM posts_fts WHERE rowid = old.id; END")
