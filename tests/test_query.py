"""Query side on real SQLite and PostgreSQL: filters, Chinese/English search, CLI formats."""
from __future__ import annotations

import csv
import io
import json

import pytest

from crawler.cli import main
from storage import Store, query
from test_storage_items import SITE, post_item, thread_item

TEXTS = {
    1: "今天天气很好，我们去公园散步吧。",
    2: "北京的天气预报说明天下雨。",
    3: "Python 爬虫教程：如何抓取论坛帖子",
    4: "The Weather in London is rainy.",
    5: "I love crawling forums with Scrapy.",
    6: "Discount: 100_percent off, no % sign here",
}
PUBLISHED = {
    1: "2024-05-01T23:30:00+08:00",  # 15:30Z
    2: "2024-05-01T10:00:00-05:00",  # 15:00Z
    3: "2024-05-02T00:30:00+09:00",  # 2024-05-01 15:30Z
    4: "2024-04-30T12:00:00+00:00",
    5: None,
    6: "2024-05-03T08:00:00+05:30",
}


@pytest.fixture
def filled(database_url):
    posts = [
        post_item(1 if n <= 3 else 2, n, text=TEXTS[n], published=PUBLISHED[n], author="alice" if n % 2 else "bob")
        for n in TEXTS
    ]
    with Store(database_url) as store:
        store.write_batch([thread_item(1), thread_item(2)], posts)
    return database_url


def positions(records):
    return sorted(r["position"] for r in records)


SEARCHES = [
    ("天气", [1, 2]),         # 2-character Chinese word: the CJK bigram index
    ("天气预报", [2]),        # longer: its bigrams (SQLite) / pg_trgm, then an exact re-check
    ("公园散步", [1]),
    ("雨", [2]),
    ("爬虫 论坛", [3]),       # every term must occur
    ("weather", [4]),         # case-insensitive
    ("rain", [4]),            # start of "rainy"
    ("ainy", []),             # ... but not its middle: word terms match word starts, on both back ends
    ("scrapy forums", [5]),
    ("python 教程", [3]),
    ("100_p", [6]),           # LIKE wildcards are literal
    ("0%", []),
    ('"quoted', []),          # FTS syntax characters are literal
    ("不存在的词", []),
]


def test_search_chinese_and_english(filled):
    # one database per back end for all cases keeps this fast
    found = {text: positions(query.posts(filled, search=text)) for text, _ in SEARCHES}
    assert found == dict(SEARCHES)


MIXED = {
    1: "用Python写爬虫很简单，e-mail me at foo@example.com",
    2: "Москва: the weather today",
    3: "北京天气",
}


def test_search_words_in_chinese_text_and_punctuated_terms(database_url):
    posts = [post_item(3, n, text=text) for n, text in MIXED.items()]
    with Store(database_url) as store:
        store.write_batch([thread_item(3)], posts)
        found = {term: positions(query.posts(store, search=term)) for term in (
            "python", "PYTHON", "写爬虫", "python写", "爬虫很简", "example.com", "mail", "foo@", "Москва",
            "北京天", "京天气", "天气 北京", "the weather", "eather", "北京python")}
        store.write_batch([thread_item(3)], [dict(posts[1], text="snow in москва")])  # an edit reindexes
        edited = {term: positions(query.posts(store, search=term)) for term in ("weather", "snow", "МОСКВА")}
    assert found == {
        "python": [1], "PYTHON": [1], "写爬虫": [1], "python写": [1], "爬虫很简": [1], "example.com": [1],
        "mail": [1], "foo@": [1], "Москва": [2], "北京天": [3], "京天气": [3], "天气 北京": [3],
        "the weather": [2], "北京python": [],
        "eather": [],  # a word term matches the start of words, on both back ends
    }
    assert edited == {"weather": [], "snow": [2], "МОСКВА": [2]}  # Unicode case folding on both


def test_since_until_respect_offsets(filled):
    assert positions(query.posts(filled, since="2024-05-01T15:15:00Z", until="2024-05-01T23:59:59Z")) == [1, 3]
    assert positions(query.posts(filled, since="2024-05-01T23:15:00+08:00", until="2024-05-02")) == [1, 3]
    assert positions(query.posts(filled, until="2024-05-01T15:00:00+00:00")) == [2, 4]
    assert positions(query.posts(filled, since="2024-05-03")) == [6]
    record = query.posts(filled, since="2024-05-01T15:15:00Z", limit=1, order="oldest")[0]
    assert record["published"] in ("2024-05-01T23:30:00+08:00", "2024-05-02T00:30:00+09:00")


def test_filters_order_and_limit(filled):
    assert positions(query.posts(filled, author="alice")) == [1, 3, 5]
    assert positions(query.posts(filled, thread=f"{SITE}/t/2")) == [4, 5, 6]
    assert positions(query.posts(filled, site="forum.test")) == [1, 2, 3, 4, 5, 6]
    assert query.posts(filled, site="other.test") == []
    newest = query.posts(filled, order="newest")
    assert [r["position"] for r in newest] == [6, 3, 1, 2, 4, 5]  # 1 and 3: same instant, newer row first; undated last
    assert len(query.posts(filled, limit=2)) == 2 and len(query.posts(filled, limit=0)) == 6


def test_threads_and_stats(filled):
    listed = {t["url"]: t for t in query.threads(filled)}
    assert listed[f"{SITE}/t/1"]["posts"] == 3 and listed[f"{SITE}/t/2"]["title"] == "Thread 2"
    report = query.stats(filled)
    assert report["totals"]["posts"] == 6 and report["totals"]["threads"] == 2
    assert report["sites"] == [dict(report["sites"][0], site=SITE, threads=2, posts=6)]


def run_cli(capsys, *argv) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def test_cli_jsonl_has_the_documented_fields(filled, capsys):
    out = run_cli(capsys, "query", "--database", filled, "--search", "天气", "--format", "jsonl")
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["position"] for r in records] == [1, 2]
    first = records[0]
    for name in ("site", "thread_url", "thread_title", "position", "author", "published", "published_raw",
                 "text", "url"):
        assert name in first
    assert first == dict(first, site=SITE, thread_url=f"{SITE}/t/1", thread_title="Thread 1", author="alice",
                         published="2024-05-01T23:30:00+08:00", text=TEXTS[1], url=f"{SITE}/t/1")


def test_cli_csv_table_threads_stats(filled, capsys):
    rows = list(csv.DictReader(io.StringIO(run_cli(capsys, "query", "--database", filled, "--format", "csv",
                                                   "--author", "bob"))))
    assert [int(r["position"]) for r in rows] == [2, 4, 6] and rows[0]["text"] == TEXTS[2]
    table = run_cli(capsys, "query", "--database", filled, "--thread", f"{SITE}/t/1")
    assert table.splitlines()[0].split() == ["thread_title", "position", "author", "published", "text"]
    assert len(table.splitlines()) == 2 + 3 and "公园散步" in table
    threads_out = run_cli(capsys, "threads", "--database", filled, "--format", "jsonl")
    assert sorted(json.loads(x)["posts"] for x in threads_out.splitlines()) == [3, 3]
    stats = json.loads(run_cli(capsys, "stats", "--database", filled, "--format", "json"))
    assert stats["totals"]["posts"] == 6


def test_cli_reports_missing_database_and_bad_dates(tmp_path, capsys, sqlite_url):
    assert main(["query", "--database", str(tmp_path / "none.db")]) == 1
    assert "no database" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()
    Store(sqlite_url).close()
    assert main(["query", "--database", sqlite_url, "--since", "last week"]) == 2
    assert "ISO 8601" in capsys.readouterr().err


def test_cli_uses_environment_database(filled, capsys, monkeypatch):
    monkeypatch.setenv("FORUMCRAWL_DATABASE_URL", filled)
    out = run_cli(capsys, "query", "--format", "jsonl", "--search", "Scrapy")
    assert [json.loads(x)["position"] for x in out.splitlines()] == [5]


def test_posts_view_shows_local_published_like_the_api(filled):
    import sqlalchemy as sa

    with Store(filled) as store, store.engine.connect() as conn:
        view = {r.position: r for r in conn.execute(sa.text("SELECT * FROM posts_view"))}
        api = {r["position"]: r for r in query.posts(store, limit=0)}
    assert sorted(view) == sorted(api)
    for position, record in api.items():
        assert view[position].published == record["published"]
        assert (view[position].site, view[position].thread_title, view[position].url) == (
            record["site"], record["thread_title"], record["url"])
    assert view[6].published == "2024-05-03T08:00:00+05:30" and view[5].published is None


def test_two_character_chinese_terms_use_the_bigram_index_and_follow_edits(database_url):
    import sqlalchemy as sa

    from storage.search import search_clause
    from storage.models import Post

    with Store(database_url) as store:
        posts = [post_item(7, 1, text="今天天气很好"), post_item(7, 2, text="明天下雨")]
        store.write_batch([thread_item(7)], posts)
        assert positions(query.posts(store, search="天气")) == [1]
        store.write_batch([thread_item(7)], [dict(posts[0], text="今天下雨了"), posts[1]])
        assert positions(query.posts(store, search="天气")) == []
        assert positions(query.posts(store, search="下雨")) == [1, 2]
        plan_query = sa.select(Post.id).where(search_clause(store.dialect, "下雨"))
        with store.engine.connect() as conn:
            if store.dialect == "postgresql":
                conn.exec_driver_sql("SET enable_seqscan = off")
                plan = conn.execute(sa.text("EXPLAIN " + str(plan_query.compile(
                    conn, compile_kwargs={"literal_binds": True})))).scalars().all()
                assert any("ix_posts_terms" in line for line in plan), plan
            else:
                compiled = plan_query.compile(conn, compile_kwargs={"literal_binds": True})
                plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
                assert any("posts_fts" in str(row) for row in plan), plan
                conn.exec_driver_sql("DELETE FROM posts WHERE position = 2")  # as a sqlite3 user might
                left = conn.exec_driver_sql("SELECT count(*) FROM posts_fts WHERE posts_fts MATCH '下雨'")
                assert left.scalar_one() == 1


def test_thread_dates_show_the_zone_their_posts_used(database_url):
    with Store(database_url) as store:
        store.write_batch([thread_item(1), thread_item(2), thread_item(3)], [
            post_item(1, 1, published="2024-05-01T10:00:00+08:00"), post_item(1, 2, published="2024-05-02T10:00:00+08:00"),
            post_item(2, 1, published="2024-05-01T10:00:00"),
            post_item(3, 1, published="2024-05-01T10:00:00+08:00"), post_item(3, 2, published="2024-05-01T10:00:00-05:00"),
        ])
        listed = {t["url"].rsplit("/", 1)[1]: t for t in query.threads(store)}
    assert (listed["1"]["first_published"], listed["1"]["last_published"]) == (
        "2024-05-01T10:00:00+08:00", "2024-05-02T10:00:00+08:00")
    assert listed["2"]["last_published"] == "2024-05-01T10:00:00"  # the page gave no zone
    assert listed["3"]["last_published"] == "2024-05-01T15:00:00+00:00"  # mixed zones: UTC


def test_iter_posts_streams_in_slices(database_url, monkeypatch):
    import types

    monkeypatch.setattr(query, "STREAM_ROWS", 7)  # several fetches for 20 posts
    with Store(database_url) as store:
        store.write_batch([thread_item(9)], [post_item(9, i) for i in range(1, 21)])
        stream = query.iter_posts(store, limit=0)
        assert isinstance(stream, types.GeneratorType)
        assert [r["position"] for r in stream] == list(range(1, 21))
