"""SQLite's contentless ``posts_fts`` (migration 0010): every entry stays deletable and current.

A contentless FTS5 table deletes an entry only when told the text it was
built from, so these tests compare the index with what a fresh index of the
stored posts would hold, after writes, edits and deletes by the Store and by
plain SQL, and check FTS5's own integrity check.
"""
from __future__ import annotations

import sqlalchemy as sa

from storage import Store, query
from storage.searchindex import index_text
from test_storage_items import thread_item, thread_with_posts

TERMS = ("天气", "下雨", "晴天", "weather", "rain", "sunny", "post", "北京")


def hits(conn: sa.Connection, term: str) -> set[int]:
    rows = conn.exec_driver_sql("SELECT rowid FROM posts_fts WHERE posts_fts MATCH ?", (f'"{term}"*',))
    return {row[0] for row in rows}


def expected_hits(conn: sa.Connection, term: str) -> set[int]:
    """The ids a freshly built index of the stored posts' texts would return for ``term``."""
    conn.exec_driver_sql("CREATE VIRTUAL TABLE IF NOT EXISTS temp.fresh_fts USING fts5(text, tokenize=\"unicode61 "
                         "remove_diacritics 0\", detail=none, columnsize=0)")
    conn.exec_driver_sql("DELETE FROM fresh_fts")
    rows = conn.exec_driver_sql("SELECT id, text FROM posts").all()
    conn.exec_driver_sql("INSERT INTO fresh_fts(rowid, text) VALUES (?, ?)", [(i, index_text(t)) for i, t in rows])
    found = conn.exec_driver_sql("SELECT rowid FROM fresh_fts WHERE fresh_fts MATCH ?", (f'"{term}"*',))
    return {row[0] for row in found}


def assert_index_current(store: Store, by_hand: bool = False) -> None:
    """The index holds what a fresh index of the posts would (but for a post inserted by hand)."""
    with store.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO posts_fts(posts_fts) VALUES ('integrity-check')")
        for term in TERMS:
            expected = expected_hits(conn, term)
            if by_hand:
                expected -= {conn.exec_driver_sql("SELECT id FROM posts WHERE post_key = 'by-hand'").scalar_one()}
            assert hits(conn, term) == expected, term


def test_index_follows_store_edits_and_deletes_from_any_tool(sqlite_url) -> None:
    with Store(sqlite_url) as store:
        threads, posts = thread_with_posts(1, 4)
        posts[0]["text"] = "今天北京天气很好 weather"
        posts[1]["text"] = "rain all day"
        posts[2]["text"] = "下雨了 rain"
        store.write_batch(threads, posts)
        assert_index_current(store)
        with store.engine.connect() as conn:  # only the post whose indexed text is not its own text
            assert conn.exec_driver_sql("SELECT id FROM posts ORDER BY position").scalars().all() == [1, 2, 3, 4]
            assert conn.exec_driver_sql("SELECT count(text) FROM posts_fts_text").scalar_one() == 2
        # edits by the Store: CJK to other CJK, English to CJK, CJK to English, same text other html
        edited = [dict(posts[0], text="明天晴天"), dict(posts[1], text="北京下雨"),
                  dict(posts[2], text="sunny now"), dict(posts[3], html="<p>other</p>")]
        result = store.write_batch([thread_item(1)], edited)
        assert len(result.updated) == 4
        assert_index_current(store)
        assert [p["position"] for p in query.posts(store, search="下雨")] == [2]
        assert [p["position"] for p in query.posts(store, search="sunny")] == [3]
        assert query.posts(store, search="天气") == []
        with store.engine.begin() as conn:  # another tool inserts, edits and deletes posts with plain SQL
            conn.exec_driver_sql(
                "INSERT INTO posts (post_key, site_id, thread_id, position, text, content_hash, first_seen, "
                "last_seen) SELECT 'by-hand', site_id, thread_id, 9, 'rain by hand 今天下雨', 'h', first_seen, "
                "last_seen FROM posts LIMIT 1")
            conn.exec_driver_sql("UPDATE posts SET text = 'weather report' WHERE position = 1")
            conn.exec_driver_sql("DELETE FROM posts WHERE position = 2")
            assert conn.exec_driver_sql("SELECT count(text) FROM posts_fts_text").scalar_one() == 0
            assert hits(conn, "rain") == set()  # not indexed: the Store indexes what it writes
        assert_index_current(store, by_hand=True)
        with store.engine.begin() as conn:  # its text edited by hand: indexed from then on
            conn.exec_driver_sql("UPDATE posts SET text = 'rain by hand' WHERE position = 9")
        assert_index_current(store)
        with store.engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM posts WHERE position = 9")
            conn.exec_driver_sql(
                "INSERT INTO posts (post_key, site_id, thread_id, position, text, content_hash, first_seen, "
                "last_seen) SELECT 'by-hand', site_id, thread_id, 9, 'rain 今天下雨', 'h', first_seen, "
                "last_seen FROM posts LIMIT 1")
            conn.exec_driver_sql("DELETE FROM posts WHERE position = 9")  # never indexed: nothing to delete
        assert_index_current(store)
        store.write_batch([thread_item(1)], [dict(posts[1], text="又下雨了"), dict(posts[1], post_id="x")])
        assert_index_current(store)  # back, with the ids SQLite gives (max + 1: 5, 6)
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT id FROM posts ORDER BY id").scalars().all() == [1, 3, 4, 5, 6]
        assert [p["position"] for p in query.posts(store, search="下雨")] == [2]


def index_as_0009(store, conn, texts, edited) -> None:
    """What the Store wrote up to revision 0009: the entry and, in posts_fts's own table, its text."""
    conn.exec_driver_sql("INSERT OR REPLACE INTO posts_fts(rowid, text) VALUES (?, ?)",
                         [(post_id, index_text(text)) for post_id, text in texts.items()])


def test_migration_0010_keeps_every_entry(sqlite_url, monkeypatch) -> None:
    from storage import migrate
    from storage.engine import make_engine

    engine = make_engine(sqlite_url)
    migrate.upgrade(engine, "0009")
    engine.dispose()
    with monkeypatch.context() as patch, Store(sqlite_url, migrate_schema=False) as old:  # written at 0009
        patch.setattr(Store, "_index_search", index_as_0009)
        threads, posts = thread_with_posts(1, 3)
        posts[0]["text"] = "北京天气"
        old.write_batch(threads, posts)
        with old.engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM posts_fts WHERE rowid = (SELECT id FROM posts WHERE position = 3)")
    with Store(sqlite_url) as store:
        with store.engine.connect() as conn:
            assert migrate.current_revision(conn) == migrate.head_revision()
        assert_index_current(store)  # the post that had no entry was indexed too
        assert [p["position"] for p in query.posts(store, search="天气")] == [1]
        with store.engine.begin() as conn:
            conn.execute(sa.text("UPDATE alembic_version SET version_num = '0009'"))
    with Store(sqlite_url) as store:  # 0010 again over its own table: nothing changes
        assert_index_current(store)
    engine = make_engine(sqlite_url)
    migrate.downgrade(engine, "0009")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM posts_fts WHERE posts_fts MATCH '天气'").scalar_one() == 1
        assert conn.exec_driver_sql("SELECT count(*) FROM posts_fts").scalar_one() == 3
    engine.dispose()


def test_index_text_holds_every_pair_of_each_cjk_run_and_the_other_words() -> None:
    from storage.searchindex import bigrams

    assert bigrams("天气") == "天气"
    assert bigrams("今天北京天气很好明天下雨了") == "今天 天北 北京 京天 天气 气很 很好 好明 明天 天下 下雨 雨了"
    assert bigrams("한국어입니다가나다라") == "한국 국어 어입 입니 니다 다가 가나 나다 다라"
    text = "Rain in 北京 today, 今天北京天气很好明天下雨了天气 and 東京 e-mail 日"
    tokens = index_text(text).split()
    assert set(tokens) == {"Rain", "in", "today,", "and", "e-mail", "北京", "東京", "今天", "天北", "京天", "天气",
                           "气很", "很好", "好明", "明天", "天下", "下雨", "雨了", "了天"}
