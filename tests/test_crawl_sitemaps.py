"""Sitemaps end to end (issue 11): the fixture forum with sitemaps on 127.0.0.1.

A re-crawl of an unchanged site with a sitemap costs robots.txt + the sitemaps and no
other GET; a thread whose lastmod moved is re-read from its last page, the others
not; later thread pages listed in a sitemap join their threads; a site without a
sitemap is crawled as before plus one 404; hostile sitemaps cost a warning each.
Also :meth:`Store.seen_times` on both back ends."""
from __future__ import annotations

import gzip
from collections import Counter
from datetime import datetime, timezone

import pytest

from crawler.demo.forum import build_forum
from crawler.urls import canonicalize
from storage import Store
from tests.sites import last_run_stats, norm, post_row_count, run_crawl, stored_posts
from tests.sites.sitemapped import SitemapForum
from test_storage_items import SITE, post_item, thread_item

ROBOTS_AND_INDEX = ["/robots.txt", "/sitemap_index.xml", "/sitemaps/threads-1.xml", "/sitemaps/threads-2.xml.gz"]


def test_seen_times_give_each_thread_its_last_page_fetch(database_url) -> None:
    with Store(database_url) as store:
        store.write_batch([thread_item(1), thread_item(1, page=2, fetched_at="2024-05-02T08:00:00Z"),
                           thread_item(2)],
                          [post_item(1, 1), post_item(1, 11, page=2), post_item(2, 1)],
                          [{"site": SITE, "url": f"{SITE}/board/1", "status": 200, "kind": "listing",
                            "content_hash": "b1", "etag": None, "last_modified": None,
                            "fetched_at": "2024-05-03T00:00:00Z"}])
        times = store.seen_times(SITE)
        assert store.seen_times("http://other.test") == {}
    utc = timezone.utc
    assert times[f"{SITE}/t/1"] == datetime(2024, 5, 2, 8, tzinfo=utc)        # its last page's fetch
    assert times[f"{SITE}/t/1?page=2"] == datetime(2024, 5, 2, 8, tzinfo=utc)
    assert times[f"{SITE}/t/2"] == datetime(2024, 5, 1, 12, tzinfo=utc)
    assert times[f"{SITE}/board/1"] == datetime(2024, 5, 3, tzinfo=utc)


def _thread_hits(live: SitemapForum, since: int) -> list[str]:
    pages = {canonicalize(u) for u in live.thread_urls(pages=True)}
    return sorted(u for u in (canonicalize(live.server.url + h) for h in live.hits[since:]) if u in pages)


@pytest.mark.slow
def test_index_and_gzip_sitemaps_then_unchanged_and_changed_recrawls(sqlite_url) -> None:
    live = SitemapForum(build_forum(seed=11, threads_per_board=5), style="index")
    forum = live.forum
    try:
        run_crawl(live.url, sqlite_url)
        first = last_run_stats(sqlite_url)
        rows = post_row_count(sqlite_url)
        threads = list(forum.all_threads())
        assert rows == len(live.expected_posts())
        assert first["forumcrawl/sitemap/files"] == 3 and first["forumcrawl/sitemap/urls_seen"] == len(threads)
        assert first["forumcrawl/sitemap/urls_used"] + first.get("forumcrawl/sitemap/urls_unchanged", 0) <= len(threads)
        hits = Counter(_thread_hits(live, 0))
        assert set(hits.values()) == {1}                           # every thread page once

        # Unchanged: robots.txt, the index and its two sitemaps; not one other GET.
        before = len(live.hits)
        run_crawl(live.url, sqlite_url)
        unchanged = last_run_stats(sqlite_url)
        assert sorted(live.hits[before:]) == sorted(ROBOTS_AND_INDEX), live.hits[before:]
        assert unchanged["forumcrawl/sitemap/urls_unchanged"] == len(threads)
        assert unchanged["forumcrawl/sitemap/listings_skipped"] == 1 and unchanged["run_status"] == "finished"
        assert post_row_count(sqlite_url) == rows

        # A thread with a full last page got a reply (its lastmod moves): only it is read again,
        # from its last stored page on to the new page.
        board, thread = next((b, t) for b, t in threads if b.style == "phpbb" and len(t.posts) == 10)
        live.mutate(lambda f: f.add_reply(thread.id, "late", "A reply after the first crawl.",
                                          datetime(2024, 6, 1, 12, 0)))
        live.touch(thread.id)
        before = len(live.hits)
        run_crawl(live.url, sqlite_url)
        changed = last_run_stats(sqlite_url)
    finally:
        live.stop()
    # robots.txt, the sitemaps and the changed thread's page: no listing, no link followed
    canon = lambda path: canonicalize(live.server.url + path)  # noqa: E731
    pages = [forum.thread_url(board, thread, n) for n in (1, 2)]
    assert sorted(map(canon, live.hits[before:])) == sorted(map(canon, ROBOTS_AND_INDEX + pages)), live.hits[before:]
    assert changed["forumcrawl/sitemap/urls_unchanged"] == len(threads) - 1
    assert changed["forumcrawl/sitemap/urls_used"] == 1
    assert changed["forumcrawl/db_posts_inserted"] == 1 and changed.get("forumcrawl/db_posts_updated", 0) == 0
    reply = [p for p in stored_posts(sqlite_url, live.server.url) if p["author"] == "late"]
    assert [(p["position"], norm(p["text"])) for p in reply] == [(len(thread.posts), "A reply after the first crawl.")]


@pytest.mark.slow
def test_later_thread_pages_listed_in_a_sitemap_join_their_threads(sqlite_url) -> None:
    live = SitemapForum(build_forum(seed=11, threads_per_board=5), style="plain", later_pages=True)
    try:
        run_crawl(live.url, sqlite_url)
        stats = last_run_stats(sqlite_url)
        expected = live.expected_posts()
        hits = Counter(_thread_hits(live, 0))
    finally:
        live.stop()
    later = len(live.thread_urls(pages=True)) - len(live.thread_urls())
    assert later >= 5 and stats["forumcrawl/sitemap/urls_seen"] == len(live.thread_urls(pages=True))
    assert set(hits.values()) == {1}
    stored = {(p["thread_url"], p["position"]): (p["author"], norm(p["text"]))
              for p in stored_posts(sqlite_url, live.server.url)}
    assert stored == {(canonicalize(e["thread_url"]), e["position"]): (e["author"], e["text"]) for e in expected}
    assert not stats.get("forumcrawl/thread_pages_orphaned")


@pytest.mark.slow
def test_site_without_a_sitemap_is_crawled_as_before_plus_one_404(sqlite_url, tmp_path) -> None:
    live = SitemapForum(build_forum(seed=11, threads_per_board=5), style="none")
    try:
        run_crawl(live.url, sqlite_url)
        with_probe = list(live.hits)
        rows = post_row_count(sqlite_url)
        other = f"sqlite:///{tmp_path / 'off.db'}"
        run_crawl(live.url, other, "FORUMCRAWL_SITEMAPS=0")
        without = live.hits[len(with_probe):]
    finally:
        live.stop()
    assert with_probe.count("/sitemap.xml") == 1 and "/sitemap.xml" not in without
    assert sorted(h for h in with_probe if h != "/sitemap.xml") == sorted(without)
    assert rows == post_row_count(other) == len(live.expected_posts())
    assert not any(k.startswith("forumcrawl/sitemap/") for k in last_run_stats(sqlite_url))


@pytest.mark.slow
def test_hostile_sitemaps_cost_a_warning_each_and_nothing_else(sqlite_url) -> None:
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    huge = (f"<urlset {ns}>" + "".join(f"<url><loc>http://elsewhere.invalid/t/{i}</loc></url>"
                                       for i in range(200_000)) + "</urlset>").encode()
    hostile = {
        "/bomb.xml.gz": ("application/x-gzip", gzip.compress(b" " * (80 * 1024 * 1024))),
        "/huge.xml": ("application/xml", huge),
        "/broken.xml": ("application/xml", f"<urlset {ns}><url><loc>http://elsewhere.invalid/a</loc></url><url><lo".encode()),
        "/page.xml": ("text/html", b"<!doctype html><html><body><h1>Not found</h1></body></html>"),
    }
    live = SitemapForum(build_forum(seed=11, threads_per_board=5), style="none", hostile=hostile)
    try:
        proc = run_crawl(live.url, sqlite_url, "FORUMCRAWL_SITEMAP_MAX_URLS=1000")
        stats = last_run_stats(sqlite_url)
    finally:
        live.stop()
    log = proc.stderr
    assert "Sitemap %s/bomb.xml.gz ignored: larger than" % live.server.url in log
    assert "Sitemap %s/page.xml ignored: not a sitemap (an HTML page)" % live.server.url in log
    assert "stopped reading at 1000 URLs" in log and "Traceback" not in log
    assert stats["forumcrawl/sitemap/invalid"] == 2 and stats["forumcrawl/sitemap/capped"] >= 1
    assert stats["forumcrawl/sitemap/urls_seen"] <= 1001            # the cap, plus the broken file's one
    assert stats["forumcrawl/links_skipped/offsite"] >= 1 and not stats.get("forumcrawl/sitemap/urls_used")
    assert "/sitemap.xml" not in live.hits                          # robots.txt named sitemaps
    assert post_row_count(sqlite_url) == len(live.expected_posts()) and stats["run_status"] == "finished"


@pytest.mark.slow
def test_pages_a_sitemap_lists_wait_for_their_patterns_verdict(sqlite_url) -> None:
    """A sitemap of pages of another kind (WordPress's ``wp-sitemap-users-1.xml`` of member pages)
    beside the threads: its URLs are on trial as links are, so three useless ones (here: not
    found, an HTTP 404 each) stop the others (all ten were fetched at once, before any verdict,
    and a 404 taught its pattern nothing)."""
    live = SitemapForum(build_forum(seed=11, threads_per_board=5), style="none")
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    shelves = "".join(f"<url><loc>{live.url.rstrip('/')}/shelf/{n}/</loc></url>" for n in range(1, 11))
    live.hostile["/shelves.xml"] = ("application/xml", f"<urlset {ns}>{shelves}</urlset>".encode())
    try:
        proc = run_crawl(live.url, sqlite_url)
    finally:
        live.stop()
    fetched = [h for h in live.hits if h.startswith("/shelf/")]
    assert "Learned: URLs like /shelf/#/ are not fetched any more" in proc.stderr
    assert 3 <= len(fetched) <= 4, fetched   # (three decide; one more may be in flight)
    assert post_row_count(sqlite_url) == len(live.expected_posts())
