"""One search meaning on SQLite and PostgreSQL (the same cases on both), plans that stop
early giving the same answers as a plain scan, literal filter values, and posts_search."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from storage import Store, plan, query
from test_storage_items import SITE, post_item, thread_item

CORPUS = {
    1: "My neighbour's garden is lovely",
    2: "Neighbourhood watch meeting tonight",
    3: "温度的影响很大，需要注意",
    4: "今天温度很高，影响了大家的心情",  # has 温度 and 影响, not 温度的影响
    5: "天气预报：明天下雨",
    6: "E-mail me: foo@example.com about the weather",
    7: "Café au lait, naïve résumé",
    8: "ПРИВЕТ из Москвы",
    9: "50% off: 100_percent real",
}
CASES = [
    ("eighbour", []),                 # a word term matches the start of a word, never its middle
    ("neighbour", [1, 2]),            # "neighbour's", "Neighbourhood": prefix, any case
    ("NEIGHBOURHOOD", [2]),
    ("温度的影响", [3]),              # CJK: a substring of any length, exactly
    ("温度", [3, 4]),
    ("度的影", [3]),
    ("影响 温度", [3, 4]),            # every term, anywhere
    ("的", [3, 4]),                   # one CJK character: a substring (LIKE)
    ("预报：明天", [5]),              # CJK with punctuation: as written
    ("mail", [6]),                    # "E-mail": words after punctuation are words
    ("example.com", [6]),             # punctuated: a substring
    ("xample.com", [6]),              # ... anywhere, as written
    ("foo@", [6]),
    ("café", [7]),
    ("CAFÉ", [7]),                    # Unicode case folding for word terms
    ("résumé", [7]),
    ("привет", [8]),
    ("москв", [8]),
    ("0%", [9]),                      # LIKE wildcards are literal
    ("100_p", [9]),
    ("_", [9]),
    ('"quoted', []),                  # FTS syntax is literal
    ("weather*", []),
    ("不存在", []),
]


@pytest.fixture
def corpus(database_url):
    posts = [post_item(1, n, text=text, author=f"author{n % 3}") for n, text in CORPUS.items()]
    with Store(database_url) as store:
        store.write_batch([thread_item(1)], posts)
    return database_url


def positions(records) -> list[int]:
    return sorted(r["position"] for r in records)


def test_the_same_cases_give_the_same_posts_on_both_back_ends(corpus):
    found = {term: positions(query.posts(corpus, search=term)) for term, _ in CASES}
    assert found == dict(CASES)


def test_cli_help_states_the_search_semantics(capsys):
    from crawler.cli import main

    with pytest.raises(SystemExit):
        main(["query", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "start of a word" in text and "substring" in text and "SQLite and PostgreSQL" in text


def reference(texts: dict[int, str], author: dict[int, str], term: str, who: str | None) -> list[int]:
    """What the search means, written out by hand for the words of this test."""
    hits = []
    for n, text in texts.items():
        if who is not None and author[n] != who:
            continue
        if all(re.search(rf"(?<![\w]){re.escape(t)}", text, re.IGNORECASE) if t.isalnum() else t in text
               for t in term.split()):
            hits.append(n)
    return hits


@pytest.mark.parametrize("cap, window", [(0, 10), (0, 500), (10_000, 10)])
def test_every_plan_gives_the_same_pages_as_the_meaning(database_url, monkeypatch, cap, window):
    # cap 0: every query walks the posts in order (a window of 10 posts: too short for most
    # pages, so the index and longer windows take over; 500: the whole archive);
    # cap 10,000: every query fetches its rarest filter's or term's posts and sorts them
    monkeypatch.setattr(plan, "DRIVER_CAP", cap)
    monkeypatch.setattr(plan, "WINDOW_MIN", window)
    monkeypatch.setattr(plan, "WINDOW_PER_ROW", 1)
    texts = {n: " ".join(["rain" if n % 3 == 0 else "sun", "天气" if n % 4 == 0 else "风", f"w{n % 7}"])
             for n in range(1, 121)}
    author = {n: f"a{n % 5}" for n in texts}
    posts = [post_item(1 + n % 4, n, text=texts[n], author=author[n],
                       published=f"2024-05-{1 + n % 28:02d}T10:{n % 60:02d}:00+00:00") for n in texts]
    with Store(database_url) as store:
        store.write_batch([thread_item(t) for t in range(1, 5)], posts)
        for term in ("rain", "天气", "rain 天气", "w3", "风 sun"):
            for who in (None, "a2"):
                want = reference(texts, author, term, who)
                for order in ("thread", "newest", "oldest"):
                    page = query.posts(store, search=term, author=who, order=order, limit=7, offset=2)
                    everything = query.posts(store, search=term, author=who, order=order, limit=0)
                    assert sorted(r["position"] for r in everything) == want, (term, who, order)
                    assert [r["position"] for r in page] == [r["position"] for r in everything][2:9]
        since = query.posts(store, search="rain", since="2024-05-20", order="newest", limit=5)
        assert [r["published"] for r in since] == sorted((r["published"] for r in since), reverse=True)
        assert all(r["published"] >= "2024-05-20" for r in since) and len(since) == 5


def test_site_author_and_thread_values_are_literal(database_url):
    with Store(database_url) as store:
        store.write_batch([thread_item(1)], [post_item(1, 1, author="a%b"), post_item(1, 2, author="a_b")])
        assert query.posts(store, site="%") == []
        assert query.posts(store, site="forum%") == []
        assert query.posts(store, site="_orum.test") == []
        assert positions(query.posts(store, site="forum.test")) == [1, 2]
        assert positions(query.posts(store, site=SITE)) == [1, 2]
        assert positions(query.posts(store, author="a%b")) == [1]
        assert positions(query.posts(store, author="a_b")) == [2]
        assert query.posts(store, author="a%") == []
        assert query.posts(store, thread=f"{SITE}/t/%") == []


def test_posts_search_view_has_one_row_per_post_with_its_thread(corpus):
    with Store(corpus) as store, store.engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT id, text, author, thread_title, thread_url, published_utc, site, url FROM posts_search "
            "WHERE text LIKE '%温度的影响%'")).mappings().all()
    assert len(rows) == 1
    assert rows[0]["text"] == CORPUS[3] and rows[0]["thread_url"] == f"{SITE}/t/1"
    assert rows[0]["author"] == "author0" and rows[0]["site"] == SITE and rows[0]["thread_title"] == "Thread 1"


def test_migration_0005_can_run_again_over_its_own_objects(corpus):
    from storage import migrate

    with Store(corpus) as store:
        with store.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0004'")
        migrate.upgrade(store.engine)  # every step of 0005 finds its objects there already
        with store.engine.connect() as conn:
            assert migrate.current_revision(conn) == migrate.head_revision()
            if store.dialect == "postgresql":
                assert conn.exec_driver_sql("SELECT count(*) FROM posts_terms").scalar_one() == len(CORPUS)
        assert positions(query.posts(store, search="温度的影响")) == [3]
        assert positions(query.posts(store, search="neighbour")) == [1, 2]


def test_bench_shapes_give_the_same_pages_on_every_plan_and_site(database_url, monkeypatch):
    # the benchmark's query shapes (storage.bench: --site/--author/--since, every order) on a
    # small archive of its kind (4 sites, Zipf words, dates over three years, some undated posts):
    # a page is the first rows of the whole answer (a plain query the database plans), whichever
    # plan serves it (walk in order with short or long windows, fetch and sort)
    from storage import bench

    threads, items = [], []
    for thread, posts in bench.synthetic(600, per_thread=15):
        threads.append(thread)
        items.extend(posts)
    for item in items[::23]:
        item["published"] = None
    site, since = bench.SITES[1], "2023-06-01"
    with Store(database_url) as store:
        store.write_batch(threads, items)
        shapes = []
        for term in ("weather", "天气", "harbour", "温度", "forum 论坛", "wea", "独角兽"):
            for extra in ({}, {"site": site}, {"author": "user7"}, {"since": since},
                          {"site": site, "since": since}):
                for order in ("thread", "newest", "oldest"):
                    shapes.append(dict(search=term, order=order, **extra))
        whole = {i: query.posts(store, limit=0, **shape) for i, shape in enumerate(shapes)}
        assert any(len(rows) > 30 for rows in whole.values()) and any(0 < len(rows) < 12 for rows in whole.values())
        for cap, window in ((0, 10), (0, 10_000), (20, 10), (10_000, 10)):
            monkeypatch.setattr(plan, "DRIVER_CAP", cap)
            monkeypatch.setattr(plan, "WINDOW_MIN", window)
            monkeypatch.setattr(plan, "WINDOW_PER_ROW", 1)
            for i, shape in enumerate(shapes):
                page = query.posts(store, limit=12, offset=3, **shape)
                want = whole[i][3:15]
                assert [r["post_key"] for r in page] == [r["post_key"] for r in want], (cap, window, shape)
