"""Incremental re-crawls: the store's view of known threads (SQLite and PostgreSQL),
and a scheduled re-crawl of the fixture forum after replies were added to three
threads, which fetches only those threads (from their last stored page) and
inserts only the new posts."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from crawler.demo.forum import build_forum
from crawler.schedule import ScheduleService, runs_of_schedule, scrapy_command
from crawler.urls import canonicalize
from storage import Store
from storage.models import CrawlRun, Schedule
from tests.sites import FAST, LiveForum, norm, post_row_count, stored_posts
from test_storage_items import SITE, post_item, thread_item


def test_thread_states_give_the_last_page_offset_and_known_pages(database_url):
    with Store(database_url) as store:
        store.write_batch([thread_item(1), thread_item(1, page=2), thread_item(1, page=3)],
                          [post_item(1, i, page=1 + (i - 1) // 3) for i in range(1, 9)])  # 3 + 3 + 2 posts
        store.write_batch([thread_item(2)], [post_item(2, 1), post_item(2, 2)])
        states = store.thread_states(SITE)
        assert states[f"{SITE}/t/1"]["pages"] == 3 and states[f"{SITE}/t/1"]["last_page_offset"] == 6
        assert states[f"{SITE}/t/2"]["pages"] == 1 and states[f"{SITE}/t/2"]["last_page_offset"] == 0
        assert store.thread_page_urls(SITE) == {f"{SITE}/t/1", f"{SITE}/t/1?page=2", f"{SITE}/t/1?page=3",
                                                f"{SITE}/t/2"}
        assert store.thread_page_urls("http://other.test") == set()


@pytest.mark.slow
def test_scheduled_recrawl_fetches_only_changed_threads(sqlite_url, tmp_path):
    live = LiveForum(build_forum(seed=11, threads_per_board=5))
    forum = live.forum
    fast = [arg for setting in FAST for arg in ("-s", setting)]

    def command(url, args, run_id, db):  # the real scheduled crawl, minus politeness delays
        return scrapy_command(url, args, run_id, db) + fast

    def page_urls(board, thread):
        return [canonicalize(live.server.url + forum.thread_url(board, thread, n))
                for n in range(1, forum.thread_pages(thread) + 1)]

    try:
        with Store(sqlite_url) as store:
            sid = store.add_schedule(live.url, 3600)
            service = ScheduleService(store, log_dir=tmp_path / "logs", poll=0.1, command=command)
            assert service.run(once=True) == 0
            rows = post_row_count(sqlite_url)
            first_hit = len(live.server.hits)

            threads = list(forum.all_threads())
            full_page = next((b, t) for b, t in threads if b.style == "phpbb" and len(t.posts) == 10)
            same_page = next((b, t) for b, t in threads if b.style == "xenforo" and len(t.posts) == 4)
            later_page = next((b, t) for b, t in threads if b.style == "discuz" and 10 < len(t.posts) < 20)
            known = {t.id: page_urls(b, t) for b, t in threads}  # thread pages before the replies
            when = datetime(2024, 6, 1, 12, 0)
            for n, (_, thread) in enumerate((full_page, same_page, later_page)):
                live.mutate(lambda f, t=thread, n=n: f.add_reply(t.id, f"late{n}", f"Reply number {n} came later.",
                                                                 when + timedelta(minutes=n)))
            with store.engine.begin() as conn:  # due again now
                conn.execute(sa.update(Schedule).where(Schedule.id == sid)
                             .values(next_run_at=datetime.now(timezone.utc) - timedelta(minutes=1)))
            assert service.run(once=True) == 0
            runs = runs_of_schedule(store, sid)
            with store.engine.connect() as conn:
                all_runs = conn.execute(sa.select(sa.func.count()).select_from(CrawlRun)).scalar_one()
    finally:
        live.stop()

    # One crawl_runs row per scheduled run, completed by the crawl itself (its stats are there).
    assert all_runs == 2 and [r["status"] for r in runs] == ["finished", "finished"]
    first, second = runs[0]["stats"], runs[1]["stats"]
    assert first["forumcrawl/db_posts_inserted"] == rows and "forumcrawl/incremental/known_threads" not in first

    # Only the three changed threads were fetched: from their last known page on, each page once.
    fetched = sorted(canonicalize(live.server.url + h) for h in live.server.hits[first_hit:])
    every_thread_page = {u for b, t in threads for u in page_urls(b, t)}
    expected = sorted([known[full_page[1].id][-1], page_urls(*full_page)[-1],  # page 1 (was full), new page 2
                       known[same_page[1].id][-1],                             # its only page
                       known[later_page[1].id][-1]])                           # its last page (page 2)
    assert len(page_urls(*full_page)) == 2 and len(known[later_page[1].id]) == 2
    assert [u for u in fetched if u in every_thread_page] == expected, second
    assert second["forumcrawl/incremental/threads_changed"] == 3
    assert second["forumcrawl/incremental/threads_unchanged"] == len(threads) - 3

    # Only the new posts were written, at their positions in their threads.
    assert second["forumcrawl/db_posts_inserted"] == 3
    assert second["forumcrawl/db_posts_updated"] == 0
    assert post_row_count(sqlite_url) == rows + 3
    posts = {(p["thread_url"], p["position"]): p for p in stored_posts(sqlite_url, live.server.url)}
    for n, (board, thread) in enumerate((full_page, same_page, later_page)):
        reply = posts[(page_urls(board, thread)[0], len(thread.posts))]
        assert (reply["author"], norm(reply["text"])) == (f"late{n}", f"Reply number {n} came later.")


@pytest.mark.slow
def test_thread_without_listing_facts_is_revalidated_with_its_etag(sqlite_url):
    from tests.sites import last_run_stats, run_crawl
    from tests.sites.etag import ETagForum
    from storage.models import Thread

    live = ETagForum(build_forum(seed=11, threads_per_board=5))  # (listings of 2 are not recognised as listings)
    try:
        run_crawl(live.url, sqlite_url)
        rows = post_row_count(sqlite_url)
        engine = sa.create_engine(sqlite_url)
        with engine.begin() as conn:  # as if the thread had been reached without its listing entry
            target = conn.execute(sa.select(Thread.url, Thread.etag, Thread.last_page_url)
                                  .where(Thread.pages == 1).order_by(Thread.id).limit(1)).one()
            conn.execute(sa.update(Thread).where(Thread.url == target.url).values(replies=None, last_activity=None))
        engine.dispose()
        first_hit = len(live.hits)
        run_crawl(live.url, sqlite_url)
        stats = last_run_stats(sqlite_url)
    finally:
        live.stop()
    assert target.etag  # the thread's ETag was stored with its last page
    revalidated = [(canonicalize(live.url.rstrip("/") + p), s) for p, s in live.hits[first_hit:] if s == 304]
    assert revalidated == [(target.last_page_url, 304)], (live.hits[first_hit:], stats)
    assert stats["forumcrawl/incremental/not_modified"] == 1
    assert stats["forumcrawl/incremental/threads_changed"] == 1
    assert stats.get("forumcrawl/db_posts_inserted", 0) == 0 and stats.get("forumcrawl/db_posts_updated", 0) == 0
    assert post_row_count(sqlite_url) == rows


@pytest.mark.slow
def test_every_known_thread_is_either_listed_unchanged_or_revalidated(sqlite_url):
    """Boards of two threads are not recognised as listings (no entries to compare), so
    the threads they link are revalidated at the end of the crawl: 304, nothing re-read."""
    from tests.sites import last_run_stats, run_crawl
    from tests.sites.etag import ETagForum

    forum = build_forum(seed=11, threads_per_board=2)
    live = ETagForum(forum)
    try:
        run_crawl(live.url, sqlite_url)
        rows = post_row_count(sqlite_url)
        first_hit = len(live.hits)
        run_crawl(live.url, sqlite_url)
        stats = last_run_stats(sqlite_url)
    finally:
        live.stop()
    base = live.url.rstrip("/")
    thread_pages = {canonicalize(base + forum.thread_url(b, t, n))
                    for b, t in forum.all_threads() for n in range(1, forum.thread_pages(t) + 1)}
    again = [(canonicalize(base + p), s) for p, s in live.hits[first_hit:] if canonicalize(base + p) in thread_pages]
    known = stats["forumcrawl/incremental/known_threads"]
    assert known == len(list(forum.all_threads()))
    assert stats.get("forumcrawl/incremental/threads_unchanged", 0) + stats.get(
        "forumcrawl/incremental/not_modified", 0) == known
    assert all(status == 304 for _, status in again) and len(again) == stats.get("forumcrawl/incremental/not_modified", 0)
    assert stats.get("forumcrawl/db_posts_inserted", 0) == 0 and post_row_count(sqlite_url) == rows
