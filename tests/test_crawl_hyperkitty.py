"""A whole-site crawl of HyperKitty, Mailman 3's web archive of mailing lists (issue 9).

A mailing-list archive is a forum whose posts are e-mails: HyperKitty (from PyPI,
in its own virtualenv; tests/engines/hyperkitty_site) archives the corpus through
its own ``add_to_list`` and serves it on 127.0.0.1. It shows every post several
times: on its thread page (the whole thread, one page), on a page of its own per
message, in list overviews, month archives, "recent threads" and search, with
action links (reply, vote, favorite, export as mbox, sign in) on every page. We
crawl the front page into a fresh SQLite store and check what the Django engines
are held to (tests/test_crawl_engines.py): post F1 >= 0.95 over the site, no post
stored twice, authors and dates right, at most 3 GETs per thread page; then a full
re-crawl stores nothing new, and after one edit and one reply a third crawl makes
exactly one update and one insert. No engine-specific code on the crawler's side.
"""
from __future__ import annotations

from typing import Iterator

import pytest

from tests.engines.server import ForumServer
from tests.sites import norm, post_row_count, stored_posts
from tests.test_crawl_engines import FirstCrawl, check_first_crawl, crawl

pytestmark = pytest.mark.slow

GETS_PER_THREAD_PAGE = 3.0


@pytest.fixture(scope="module", params=["hyperkitty"])  # (the parameter names the engine for tests/engines/prebuild.py)
def first_crawl(request, tmp_path_factory) -> Iterator[FirstCrawl]:
    from tests.engines.fixtures import serve_engine

    gen = serve_engine(request.param, None)  # an engine that cannot be installed skips, saying why
    forum: ForumServer = next(gen)
    try:
        store_url = f"sqlite:///{tmp_path_factory.mktemp('engine-hyperkitty') / 'forumcrawl.db'}"
        stats = crawl(forum, store_url)
        crawled = FirstCrawl(forum, store_url, stored_posts(store_url, forum.base_url), post_row_count(store_url))
        crawled.stats = stats  # type: ignore[attr-defined]
        yield crawled
    finally:
        gen.close()


def test_crawl_stores_every_post_of_the_archive_once(first_crawl: FirstCrawl) -> None:
    problems = check_first_crawl(first_crawl.forum, first_crawl.posts)
    assert not problems, "\n".join(problems)
    assert first_crawl.rows == len(first_crawl.posts)


def test_few_fetches_per_thread_page(first_crawl: FirstCrawl) -> None:
    stats = first_crawl.stats  # type: ignore[attr-defined]
    pages = sum(len(t.pages) for t in first_crawl.forum.threads)
    assert stats.get("forumcrawl/thread_pages", 0) >= pages
    assert stats["forumcrawl/gets_per_thread_page"] <= GETS_PER_THREAD_PAGE, (
        f"{stats.get('downloader/request_method_count/GET')} GETs for {stats.get('forumcrawl/thread_pages')} "
        f"thread pages")


def test_recrawl_then_edit_and_reply_through_the_archive(first_crawl: FirstCrawl) -> None:
    forum, store_url, rows = first_crawl.forum, first_crawl.store_url, first_crawl.rows
    assert rows >= len(forum.all_posts()) // 2  # (whether these are the right posts is the test above's business)

    again = crawl(forum, store_url, "full=1")
    assert again["forumcrawl/thread_pages"] >= sum(len(t.pages) for t in forum.threads)  # all read again...
    assert (again["forumcrawl/db_posts_inserted"], again["forumcrawl/db_posts_updated"]) == (0, 0)  # ...unchanged
    assert post_row_count(store_url) == rows

    thread = max(forum.threads, key=lambda t: len(t.posts))  # edit in the middle, reply at the end
    target = thread.posts[len(thread.posts) // 2]
    edited = forum.edit_post(target.post_id, "Edited on the server: proof the crawler notices changes.")
    reply = forum.add_reply(thread, "dmitri", "A late reply to check that re-crawls find new posts.")
    third = crawl(forum, store_url, "full=1")
    assert (third["forumcrawl/db_posts_inserted"], third["forumcrawl/db_posts_updated"]) == (1, 1)
    assert post_row_count(store_url) == rows + 1
    after = {norm(p["text"]): p for p in stored_posts(store_url, forum.base_url)}
    assert norm(edited.text) in after and norm(target.text) not in after
    assert after[norm(reply.text)]["author"] == "dmitri"
