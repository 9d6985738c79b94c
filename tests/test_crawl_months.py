"""A whole-site crawl of a forum with a 150-month archive (tests/sites/months.py): the newest
month lists a thread found nowhere else, every other month is empty. The month pattern gave
something new once, so neither "nothing new" nor a unanimous verdict stops it; its answers
rarely yield anything (``rarely_yields``, crawler/patterns.py), so it is stopped long before
the 150 months, and every post is still stored."""
from __future__ import annotations

import re

import pytest

from tests.sites import norm, run_crawl, stored_posts
from tests.sites.months import MONTHS, serve_months

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    site, server = serve_months()
    database = f"sqlite:///{tmp_path_factory.mktemp('months') / 'forumcrawl.db'}"
    try:
        proc = run_crawl(server.url + "/", database, timeout=240)  # default learning settings
    finally:
        server.stop()
    return {"site": site, "base": server.url, "hits": list(server.hits), "database": database, "log": proc.stderr}


def test_every_post_is_stored_once(crawl) -> None:
    want = crawl["site"].expected(crawl["base"])
    got = sorted((p["thread_url"], p["position"], p["author"], norm(p["text"]))
                 for p in stored_posts(crawl["database"], crawl["base"]))
    assert got == want


def test_the_month_archive_stops_after_its_answers_rarely_yield(crawl) -> None:
    months = [h for h in crawl["hits"] if re.fullmatch(r"/archive/\d+/\d+/", h)]
    print(f"\n{len(crawl['hits'])} GETs, {len(months)} of {MONTHS} month pages")
    assert "/archive/2026/12/" in months  # (the month that lists the hidden thread)
    assert len(months) <= 40, len(months)
    assert re.search(r"Learned: URLs like /archive/#/#/ are not fetched any more \(rarely_yields", crawl["log"])


def test_an_incremental_recrawl_still_reads_every_board_page(sqlite_url) -> None:
    # Boards of 24 pages whose threads are all known: on the re-crawl a board page gives no new
    # entry, but it is where its known threads are listed first (the planner decides about them
    # there), which is what new entries were on the first crawl: no board pattern is stopped
    # (three such pages stopped each before, as "nothing new"), and a reply to a thread listed
    # on the last page of a board is found.
    from datetime import datetime

    from crawler.demo.forum import build_forum
    from crawler.urls import canonicalize
    from tests.sites import LiveForum, last_run_stats

    forum = build_forum(seed=5, threads_per_board=48, max_posts=3)
    forum.threads_per_page = 2
    live = LiveForum(forum)
    try:
        run_crawl(live.url, sqlite_url, timeout=300)
        first_hit = len(live.server.hits)
        board = forum.boards[0]
        thread = board.threads[-1]
        live.mutate(lambda f: f.add_reply(thread.id, "latecomer", "A reply on the last board page.",
                                          datetime(2024, 6, 1, 12, 0)))
        proc = run_crawl(live.url, sqlite_url, timeout=300)
        stats = last_run_stats(sqlite_url)
        fetched = {canonicalize(live.server.url + h) for h in live.server.hits[first_hit:]}
        board_pages = {canonicalize(live.server.url + forum.board_url(b, n))
                       for b in forum.boards for n in range(1, forum.board_pages(b) + 1)}
    finally:
        live.stop()
    assert stats.get("forumcrawl/incremental/threads_unchanged", 0) > 100  # (an incremental re-crawl)
    assert stats["forumcrawl/db_posts_inserted"] == 1
    assert "not fetched any more" not in proc.stderr
    assert not board_pages - fetched, sorted(board_pages - fetched)[:5]
