"""End to end: ``scrapy crawl generic`` against the fixture forum on 127.0.0.1 stores
exactly the forum's posts, on SQLite and on PostgreSQL.

One crawl per back end (module-scoped); the assertions are split by engine-like
section so a failure names the markup that did not come out right.
"""
from __future__ import annotations

import uuid
from collections import Counter

import pytest

from crawler.demo.forum import PREFIX, STYLES, build_forum
from crawler.urls import canonicalize
from tests.sites import LiveForum, last_run_stats, norm, run_crawl, stored_posts

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def forum():
    content = build_forum()
    content.odd_pages = True
    live = LiveForum(content)
    yield live
    live.stop()


@pytest.fixture(scope="module")
def module_postgres_url(postgres_server_url):
    import sqlalchemy as sa

    name = f"fc_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield postgres_server_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def crawl(request, forum, tmp_path_factory):
    """Crawl the forum once into a fresh database; returns (database URL, fetched paths)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('crawl') / 'forumcrawl.db'}"
    else:
        url = request.getfixturevalue("module_postgres_url")
    first_hit = len(forum.server.hits)
    run_crawl(forum.url, url, "FORUMCRAWL_MAX_PAGE_BYTES=300000")
    return url, list(forum.server.hits[first_hit:])


def _by_style(posts: list[dict], base: str, style: str) -> list[dict]:
    prefix = base + PREFIX[style] + "/"
    return [p for p in posts if p["thread_url"].startswith(prefix)]


@pytest.mark.parametrize("style", STYLES)
def test_every_post_stored_exactly(crawl, forum, style) -> None:
    database, _ = crawl
    base = forum.server.url
    expected = _by_style(forum.expected_posts(), base, style)
    stored = _by_style(stored_posts(database, base), base, style)
    want = sorted((canonicalize(p["thread_url"]), p["position"], p["author"], p["text"]) for p in expected)
    got = sorted((p["thread_url"], p["position"], p["author"], norm(p["text"])) for p in stored)
    missing = sorted(set(want) - set(got))[:5]
    extra = sorted(set(got) - set(want))[:5]
    assert got == want, f"{style}: {len(got)} stored vs {len(want)} expected; missing e.g. {missing}; extra e.g. {extra}"


@pytest.mark.parametrize("style", STYLES)
def test_thread_titles(crawl, forum, style) -> None:
    database, _ = crawl
    base = forum.server.url
    want = {canonicalize(p["thread_url"]): p["thread_title"] for p in _by_style(forum.expected_posts(), base, style)}
    got = {p["thread_url"]: p["thread_title"] for p in _by_style(stored_posts(database, base), base, style)}
    assert got, "no thread stored"  # (which threads are missing is the test above's business)
    assert got == {url: want.get(url) for url in got}


def test_each_page_fetched_once_and_no_action_urls(crawl, forum) -> None:
    _, hits = crawl
    counts = Counter(canonicalize(forum.server.url + path) for path in hits)
    assert counts, "nothing was fetched"
    twice = {url: n for url, n in counts.items() if n > 1}
    assert not twice, f"fetched more than once: {twice}"
    for url in counts:
        assert not any(word in url for word in ("posting.php", "ucp.php", "memberlist", "newreply", "search.php",
                                                  "calendar", "mod=space", "/reply")), url
    every_thread_page = {
        canonicalize(forum.server.url + forum.forum.thread_url(board, thread, n))
        for board, thread in forum.forum.all_threads() for n in range(1, forum.forum.thread_pages(thread) + 1)
    }
    assert every_thread_page <= set(counts), sorted(every_thread_page - set(counts))[:5]


def test_unusable_responses_are_counted_and_skipped(crawl) -> None:
    database, _ = crawl
    stats = last_run_stats(database)
    assert stats["forumcrawl/skipped/non_html"] == 1        # the PDF
    assert stats["forumcrawl/skipped/too_large"] == 1       # 400 KB > FORUMCRAWL_MAX_PAGE_BYTES
    assert stats["forumcrawl/skipped/undecodable"] == 1     # binary bytes labelled text/html
    assert stats["run_status"] == "finished"
    assert stats["forumcrawl/pages"] >= stats["forumcrawl/thread_pages"] > 0
