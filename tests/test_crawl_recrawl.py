"""End to end: a full re-crawl (``-a full=1``) stores nothing new; an edited post and a
new reply on the server become exactly one update and one insert (SQLite and PostgreSQL).
The default incremental re-crawl is tests/test_crawl_incremental.py's."""
from __future__ import annotations

from datetime import datetime

import pytest

from crawler.demo.forum import build_forum
from crawler.urls import canonicalize
from tests.sites import LiveForum, last_run_stats, norm, post_row_count, run_crawl, stored_posts

pytestmark = pytest.mark.slow


def test_recrawl_then_edit_and_reply(database_url) -> None:
    live = LiveForum(build_forum(seed=11, threads_per_board=5))
    try:
        run_crawl(live.url, database_url)
        first = last_run_stats(database_url)
        rows = post_row_count(database_url)
        # (whether these are exactly the forum's posts is test_crawl_forum's business)
        assert rows == first["forumcrawl/db_posts_inserted"] > len(live.expected_posts()) // 2

        run_crawl(live.url, database_url, args=("full=1",))
        again = last_run_stats(database_url)
        assert again["forumcrawl/posts"] == rows  # everything was read again...
        assert again["forumcrawl/db_posts_inserted"] == 0  # ...and nothing was new
        assert again["forumcrawl/db_posts_updated"] == 0
        assert post_row_count(database_url) == rows

        # One edit in the GBK section's longest thread (page 2), one reply to a phpBB thread.
        edited_board, edited = max(((b, t) for b, t in live.forum.all_threads() if b.style == "discuz"),
                                   key=lambda bt: len(bt[1].posts))
        # (a thread whose last page keeps several posts: single-post pages are the extractor's weak spot)
        replied_board, replied = next((b, t) for b, t in live.forum.all_threads()
                                      if b.style == "phpbb" and len(t.posts) == 4)
        live.mutate(lambda f: f.edit_post(edited.id, 12, "编辑过的内容：这个回答已经更新了。"))
        live.mutate(lambda f: f.add_reply(replied.id, "newcomer", "A brand new reply at the end.",
                                          datetime(2024, 6, 1, 12, 30)))
        run_crawl(live.url, database_url, args=("full=1",))
        third = last_run_stats(database_url)
        assert third["forumcrawl/db_posts_inserted"] == 1
        assert third["forumcrawl/db_posts_updated"] == 1
        assert post_row_count(database_url) == rows + 1

        posts = stored_posts(database_url, live.server.url)
        edited_url = canonicalize(live.server.url + live.forum.thread_url(edited_board, edited))
        replied_url = canonicalize(live.server.url + live.forum.thread_url(replied_board, replied))
        by_key = {(p["thread_url"], p["position"]): p for p in posts}
        assert norm(by_key[(edited_url, 12)]["text"]) == "编辑过的内容：这个回答已经更新了。"
        reply = by_key[(replied_url, len(replied.posts))]
        assert (reply["author"], norm(reply["text"])) == ("newcomer", "A brand new reply at the end.")
    finally:
        live.stop()
