"""A comment's parent post (extractor Post.parent) is stored as ``posts.parent_position`` (migration
0007) and printed by ``forumcrawl query --format jsonl`` (issue 8: it was extracted, then dropped)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from crawler.assembly import ThreadAssembly
from extractor.model import Page, Post
from storage import Store, migrate
from storage.engine import make_engine

INFO = {"fetched_at": "2026-01-01T00:00:00+00:00", "status": 200, "etag": None,
        "last_modified": None, "content_hash": "x"}


def qa_page(url: str, next_url: str | None = None) -> Page:
    """A question, an answer and a comment under the answer (page-local parent 2)."""
    posts = [Post(position=1, text=f"question {url}", author="a", post_id=f"q{url}"),
             Post(position=2, text=f"answer {url}", author="b", post_id=f"a{url}"),
             Post(position=3, text=f"comment {url}", author="c", post_id=f"c{url}", parent=2)]
    return Page(url=url, kind="thread", title="Q", posts=posts, next_page_url=next_url)


def test_the_spider_names_the_parent_by_its_position_in_the_thread() -> None:
    threads = ThreadAssembly("http://h")
    second = qa_page("http://h/q/1?page=2")
    threads.park(second, "k2", second.url, INFO)
    first = qa_page("http://h/q/1", second.url)
    reading = threads.read(first, "k1", first.url, INFO, threads.start(first, {}, first.url),
                           lambda page, url: page.next_page_url)
    parents = [(i["position"], i["parent_position"]) for i in reading.items if "text" in i]
    assert parents == [(1, None), (2, None), (3, 2), (4, None), (5, None), (6, 5)]


def test_parent_is_stored_updated_and_printed_as_jsonl(database_url, tmp_path) -> None:
    url = "http://127.0.0.1:8000/q/1"
    posts = [{"site": "http://127.0.0.1:8000", "thread_url": url, "page_url": url, "position": n,
              "post_id": f"p{n}", "author": "a", "text": f"post {n}", "parent_position": parent}
             for n, parent in ((1, None), (2, None), (3, 2))]
    with Store(database_url) as store:
        store.write_batch([], posts)
        posts[2]["parent_position"] = 1   # the page now shows the comment under the question
        result = store.write_batch([], posts)
        assert result.unchanged == 3 and not result.updated   # where a post sits is not an edit
    proc = subprocess.run([str(Path(sys.executable).with_name("forumcrawl")), "query", "--database", database_url,
                           "--format", "jsonl"], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [(r["position"], r["parent_position"]) for r in rows] == [(1, None), (2, None), (3, 1)]


def test_migrations_0007_0008_keep_posts_and_run_twice(database_url) -> None:
    from test_storage_items import thread_with_posts

    engine = make_engine(database_url)
    migrate.upgrade(engine, "0006")
    engine.dispose()
    with Store(database_url, migrate_schema=False) as old:
        with old.engine.begin() as conn:   # written as the 0006 code did: no parent column yet
            assert "parent_position" not in {c["name"] for c in sa.inspect(conn).get_columns("posts")}
    with Store(database_url) as store:
        store.write_batch(*thread_with_posts(1, 2))
        with store.engine.begin() as conn:
            conn.execute(sa.text("UPDATE alembic_version SET version_num = '0006'"))
    with Store(database_url) as store, store.engine.connect() as conn:   # 0007 and 0008 again: no error
        assert migrate.current_revision(conn) == migrate.head_revision()
        indexes = {ix["name"] for ix in sa.inspect(conn).get_indexes("posts")}
        assert "ix_posts_thread_order" in indexes and "ix_posts_thread_position" not in indexes
        assert conn.execute(sa.text("SELECT count(*) FROM posts WHERE parent_position IS NULL")).scalar_one() == 2
