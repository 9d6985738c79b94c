"""A search box for Datasette that finds Chinese terms of any length (SQLite, opt-in).

Datasette's search box (``?_search=``) runs ``MATCH`` on one FTS table with
each term quoted as a phrase (``"温度的影响"``), tokenized by that table's
own tokenizer. None of SQLite's tokenizers serves every Chinese term:
``unicode61`` keeps a CJK run as one token (so the phrase matches only the
character pairs ``posts_fts`` holds: two characters), ``trigram`` finds any
substring of three or more characters but nothing shorter. Together they do:

* ``posts_trigram``: an FTS5 ``trigram`` index of ``posts.text`` (external
  content, so the text is not stored twice), kept current by triggers on
  ``posts`` whoever writes them;
* ``posts_match``: a view, the union of ``posts_fts`` and ``posts_trigram``
  under one match column; SQLite pushes ``posts_match MATCH ...`` into both,
  so a two-character term is answered by the pairs, a longer one (or any
  substring of three or more characters, English too) by the trigrams.

Datasette is told to search the view ``posts_search`` (one row per post:
text, author, thread, URL, time) through ``posts_match``
(``fts_table``/``fts_pk`` in its metadata, :func:`metadata`).

Opt-in because it is not free: ~0.16 ms of CPU per post written (about
doubling the Store's write cost) and ~1.5 GB per million posts of ~450
characters. ``forumcrawl datasette`` creates (and fills) or drops it.
"""
from __future__ import annotations

import sqlite3

import sqlalchemy as sa

TRIGRAM_MIN_SQLITE = (3, 34, 0)  # the FTS5 trigram tokenizer

CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS posts_trigram USING fts5(text, content='posts', content_rowid='id', "
    "tokenize='trigram', detail=full)",
    "CREATE TRIGGER IF NOT EXISTS posts_trigram_ai AFTER INSERT ON posts BEGIN "
    "INSERT INTO posts_trigram(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER IF NOT EXISTS posts_trigram_ad AFTER DELETE ON posts BEGIN "
    "INSERT INTO posts_trigram(posts_trigram, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER IF NOT EXISTS posts_trigram_au AFTER UPDATE OF text ON posts "
    "WHEN old.text IS NOT new.text BEGIN "
    "INSERT INTO posts_trigram(posts_trigram, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO posts_trigram(rowid, text) VALUES (new.id, new.text); END",
    "CREATE VIEW IF NOT EXISTS posts_match(rowid, posts_match) AS "
    "SELECT rowid, posts_fts FROM posts_fts UNION ALL SELECT rowid, posts_trigram FROM posts_trigram",
)
DROP = (
    "DROP VIEW IF EXISTS posts_match",
    "DROP TRIGGER IF EXISTS posts_trigram_ai",
    "DROP TRIGGER IF EXISTS posts_trigram_ad",
    "DROP TRIGGER IF EXISTS posts_trigram_au",
    "DROP TABLE IF EXISTS posts_trigram",
)


class SearchBoxUnavailable(Exception):
    """The database cannot have the Datasette search box (not SQLite, or SQLite too old)."""


def check_possible(dialect: str, version: tuple[int, ...] = sqlite3.sqlite_version_info) -> None:
    """Raise SearchBoxUnavailable unless this is SQLite with the trigram tokenizer."""
    if dialect != "sqlite":
        raise SearchBoxUnavailable("the Datasette search box is for SQLite databases (Datasette reads SQLite only)")
    if tuple(version) < TRIGRAM_MIN_SQLITE:
        raise SearchBoxUnavailable(f"SQLite {'.'.join(map(str, version))} has no trigram tokenizer "
                                   f"(needs {'.'.join(map(str, TRIGRAM_MIN_SQLITE))} or newer)")


def enabled(conn: sa.Connection) -> bool:
    """Whether the database has the search box."""
    found = conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'posts_match'").first()
    return found is not None


def enable(conn: sa.Connection) -> int:
    """Create and fill the trigram index and the ``posts_match`` view (idempotent); posts indexed.

    Run inside a write transaction: the index is built from every stored post
    (about 3 minutes of CPU per million posts), then triggers keep it current.
    """
    existed = conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'posts_trigram'").first()
    for statement in CREATE:
        conn.exec_driver_sql(statement)
    if existed is None:
        conn.exec_driver_sql("INSERT INTO posts_trigram(posts_trigram) VALUES ('rebuild')")
    return int(conn.exec_driver_sql("SELECT count(*) FROM posts").scalar_one())


def disable(conn: sa.Connection) -> None:
    """Drop the trigram index, its triggers and the view (the posts stay)."""
    for statement in DROP:
        conn.exec_driver_sql(statement)


def metadata(database: str) -> dict:
    """Datasette metadata (``datasette FILE.db -m metadata.json``) for the database named ``database``
    (Datasette names a database after its file, without ``.db``): the search box on
    ``posts_search`` (and ``posts``) searches ``posts_match``."""
    search = {"fts_table": "posts_match", "fts_pk": "id"}
    return {"databases": {database: {"tables": {
        "posts_search": {**search, "description": "One row per post. The search box finds Chinese terms of "
                         "two or more characters and any substring of three or more (English too)."},
        "posts": dict(search),
    }}}}
