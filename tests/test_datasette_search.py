"""The Datasette search box (storage/datasette.py, ``forumcrawl datasette``): Datasette's
``?_search=`` on ``posts_search`` finds Chinese terms of any length from two characters up,
with rows that are posts. Before, only ``posts_fts`` was searchable, its rows were index tokens,
and ``温度的影响`` found nothing. The SQL below is what Datasette 0.65 runs for the search box
(filters.py: each term quoted as a phrase, ``fts_pk in (select rowid from fts_table where
fts_table match ...)``), checked against ``forumcrawl query --search``."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from storage import Store, query
from storage.datasette import check_possible

TEXTS = ["今天温度的影响很大 weather rain", "温度很高 the brain drain", "天气预报说温度下降", "neighbourhood watch 罕见的独角兽",
         "温度 的影响 (far apart)", "Rainy day 天气"]
DATASETTE_SEARCH = ("SELECT id, text, author, thread_url, published_utc FROM posts_search WHERE id IN "
                    "(SELECT rowid FROM posts_match WHERE posts_match MATCH :search) ORDER BY id")


def phrases(search: str) -> str:
    """Datasette's escape_fts: every whitespace-separated term becomes a quoted phrase."""
    return " ".join('"' + term.replace('"', '') + '"' for term in re.split(r"\s+", search.strip()) if term)


def forumcrawl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).with_name("forumcrawl")), "datasette", *args],
                          capture_output=True, text=True, timeout=60)


def search_box(url: str, search: str) -> list[str]:
    with Store(url) as store, store.engine.connect() as conn:
        return [row.text for row in conn.execute(sa.text(DATASETTE_SEARCH), {"search": phrases(search)})]


def write(url: str, texts: list[str]) -> None:
    with Store(url) as store:
        store.write_batch([], [{"site": "http://127.0.0.1:8000", "thread_url": "http://127.0.0.1:8000/t/1",
                                "position": n, "author": f"user{n}", "text": text,
                                "published": f"2024-05-0{n}T10:00:00+08:00"}
                               for n, text in enumerate(texts, 1)])


def test_the_search_box_finds_chinese_of_any_length_and_rows_are_posts(sqlite_url, tmp_path) -> None:
    write(sqlite_url, TEXTS)
    proc = forumcrawl("--database", sqlite_url)
    assert proc.returncode == 0, proc.stderr
    name = Path(sqlite_url.split("///", 1)[1]).stem
    meta = json.loads(proc.stdout)["databases"][name]["tables"]["posts_search"]
    assert (meta["fts_table"], meta["fts_pk"]) == ("posts_match", "id")
    for term in ("温度", "温度的", "温度的影响", "罕见的独角兽", "天气预报"):   # 2, 3, 5, 6, 4 characters
        found = search_box(sqlite_url, term)
        assert found == [p["text"] for p in query.posts(sqlite_url, search=term, order="oldest")], term
        assert found and all(term in text for text in found), term
    assert search_box(sqlite_url, "温度的影响") == [TEXTS[0]]          # not "温度 的影响" far apart
    assert search_box(sqlite_url, "rain") == [TEXTS[0], TEXTS[1], TEXTS[5]]   # substrings: "drain", "Rainy"
    assert search_box(sqlite_url, "eighbour") == [TEXTS[3]]
    with Store(sqlite_url) as store, store.engine.connect() as conn:
        row = conn.execute(sa.text(DATASETTE_SEARCH), {"search": phrases("独角兽")}).mappings().one()
        assert (row["author"], row["thread_url"]) == ("user4", "http://127.0.0.1:8000/t/1")
        assert str(row["published_utc"]).startswith("2024-05-04 02:00:00")


def test_the_index_follows_edits_and_deletes_and_drops(sqlite_url) -> None:
    write(sqlite_url, TEXTS)
    assert forumcrawl("--database", sqlite_url).returncode == 0
    write(sqlite_url, ["今天湿度的影响很大 weather rain", *TEXTS[1:]])    # a re-crawl finds post 1 edited
    assert search_box(sqlite_url, "温度的影响") == []
    assert search_box(sqlite_url, "湿度的影响") == ["今天湿度的影响很大 weather rain"]
    write(sqlite_url, TEXTS + ["新的帖子 lighthouse keeper"])           # new posts are indexed as written
    assert search_box(sqlite_url, "lighthouse") == ["新的帖子 lighthouse keeper"]
    with Store(sqlite_url) as store, store.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM posts WHERE text LIKE '%lighthouse%'"))
    assert search_box(sqlite_url, "lighthouse") == []
    assert forumcrawl("--database", sqlite_url).returncode == 0          # again: nothing to do
    assert forumcrawl("--database", sqlite_url, "--drop").returncode == 0
    with Store(sqlite_url) as store, store.engine.connect() as conn:
        names = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master")}
        assert not names & {"posts_trigram", "posts_match", "posts_trigram_ai"}
        assert conn.exec_driver_sql("SELECT count(*) FROM posts").scalar_one() == len(TEXTS)


def test_postgresql_and_old_sqlite_are_refused_in_one_line(postgres_url) -> None:
    proc = forumcrawl("--database", postgres_url)
    assert proc.returncode == 2 and "SQLite" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    try:
        check_possible("sqlite", (3, 31, 1))
    except Exception as err:  # noqa: BLE001 - the message is the point
        assert "3.34" in str(err)
    else:
        raise AssertionError("SQLite 3.31 accepted")
