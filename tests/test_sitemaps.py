"""The sitemap room without Scrapy's engine (crawler/sitemaps.py): parsing within
limits (index, gzip, a gzip bomb, malformed XML, an HTML page, entities, hundreds of thousands of
URLs), lastmod decisions, and what the URLs of a sitemap lead to on a first crawl
and on an incremental re-crawl."""
from __future__ import annotations

import gzip
import tracemalloc
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from crawler import sitemaps
from crawler.journal import Frontier
from crawler.policy import UrlPolicy
from crawler.recrawl import RecrawlPlanner
from crawler.sitemaps import (SitemapEntry, SitemapError, SitemapReader, parse_lastmod, parse_sitemap,
                              sitemaps_in_robots, unchanged)

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def urlset(*rows: tuple[str, str | None]) -> bytes:
    body = "".join(f"<url><loc>{loc}</loc>" + (f"<lastmod>{m}</lastmod>" if m else "") + "</url>"
                   for loc, m in rows)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {NS}>{body}</urlset>'.encode()


def test_urlset_index_and_gzip_are_read_with_their_lastmod() -> None:
    plain = parse_sitemap(urlset(("http://h/t/1", "2026-01-02T03:04:05Z"), ("http://h/t/2?a=1&amp;b=2", None),
                                 ("javascript:alert(1)", None)))
    assert plain.kind == "urlset" and not plain.truncated
    assert [(e.url, e.lastmod) for e in plain.entries] == [
        ("http://h/t/1", datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)), ("http://h/t/2?a=1&b=2", None)]
    index = parse_sitemap(gzip.compress(
        f"<sitemapindex {NS}><sitemap><loc>http://h/s1.xml.gz</loc></sitemap></sitemapindex>".encode()))
    assert index.kind == "sitemapindex" and [e.url for e in index.entries] == ["http://h/s1.xml.gz"]


def test_robots_sitemap_lines() -> None:
    robots = b"User-agent: *\nDisallow: /x\nSitemap: /sitemap_index.xml\nsitemap: http://h/b.xml\nSitemap: /sitemap_index.xml\n"
    assert sitemaps_in_robots(robots, "http://h/robots.txt") == ["http://h/sitemap_index.xml", "http://h/b.xml"]
    assert sitemaps_in_robots(b"", "http://h/robots.txt") == []


def test_hostile_bodies_are_refused_with_a_reason_not_a_crash() -> None:
    bomb = gzip.compress(b" " * (60 * 1024 * 1024))  # 60 MB of spaces in ~60 KB
    assert len(bomb) < 100_000
    tracemalloc.start()
    with pytest.raises(SitemapError, match="decompressed"):
        parse_sitemap(bomb)                           # the default limit: 50 MB
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 120 * 1024 * 1024
    with pytest.raises(SitemapError, match="decompressed"):
        parse_sitemap(gzip.compress(urlset(("http://h/t/1", None)) * 50), max_bytes=1000)
    with pytest.raises(SitemapError, match="larger than"):
        parse_sitemap(urlset(*[(f"http://h/t/{i}", None) for i in range(100)]), max_bytes=1000)
    with pytest.raises(SitemapError, match="broken gzip"):
        parse_sitemap(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(SitemapError, match="an HTML page"):
        parse_sitemap(b"<!doctype html><html><body><a href='http://h/t/1'>t</a></body></html>")
    with pytest.raises(SitemapError):
        parse_sitemap(b"http://h/t/1\nhttp://h/t/2\n")  # a text sitemap: not XML
    with pytest.raises(SitemapError, match="empty"):
        parse_sitemap(b"   ")
    # Entities are never expanded (no billion laughs, no file reads).
    laughs = (b'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY a "aaaaaaaaaa">'
              b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
              b'<!ENTITY x SYSTEM "file:///etc/passwd">]>'
              b'<urlset ' + NS.encode() + b'><url><loc>http://h/&c;&x;</loc></url><url><loc>http://h/ok</loc></url></urlset>')
    found = parse_sitemap(laughs)
    assert all("aaaa" not in e.url and "root" not in e.url for e in found.entries)
    assert "http://h/ok" in [e.url for e in found.entries]


def test_malformed_xml_gives_what_could_be_read() -> None:
    body = urlset(*[(f"http://h/t/{i}", None) for i in range(5)])
    found = parse_sitemap(body[: body.index(b"http://h/t/4")])  # cut mid-document
    assert [e.url for e in found.entries][:4] == [f"http://h/t/{i}" for i in range(4)]


def test_hundreds_of_thousands_of_urls_stop_at_the_caps(monkeypatch) -> None:
    rows = "".join(f"<url><loc>http://h/t/{i}</loc></url>" for i in range(200_000))
    body = f"<urlset {NS}>{rows}</urlset>".encode()
    read = []   # the URLs looked at (canonicalized): reading stops at the cap, not at the file's end
    page_url = sitemaps._page_url
    monkeypatch.setattr(sitemaps, "_page_url", lambda loc: read.append(loc) or page_url(loc))
    found = parse_sitemap(body, max_urls=1000)
    assert found.truncated and len(found.entries) == 1000
    assert len(read) == 1001
    monkeypatch.undo()
    reader = SitemapReader("http://h", seen={"http://h/t/1": T0})  # one file: at most the protocol's 50,000
    found = reader.read("http://h/sitemap.xml", body)
    assert len(found.entries) == 50_000 and found.truncated and reader.capped
    reader.plan(found.entries[:5], take=lambda *a: False, allowed=lambda u: True)
    assert "http://h/t/1" not in reader.listed and not reader.covers({"http://h/t/1": {}})


def test_lastmod_forms_and_the_unchanged_rule() -> None:
    assert parse_lastmod("2026-01-02T03:04:05+02:00") == datetime(2026, 1, 2, 1, 4, 5, tzinfo=timezone.utc)
    assert parse_lastmod("2026-01-02T03:04Z") == datetime(2026, 1, 2, 3, 4, tzinfo=timezone.utc)
    assert parse_lastmod("2026-01-02") == datetime(2026, 1, 3, tzinfo=timezone.utc)  # some time that day
    assert parse_lastmod("2026") == datetime(2026, 1, 2, tzinfo=timezone.utc)
    assert parse_lastmod("yesterday") is None and parse_lastmod("") is None and parse_lastmod(None) is None
    assert unchanged(T0, T0 + timedelta(hours=1))
    assert not unchanged(T0, T0 + timedelta(minutes=5))     # within the margin: fetched again
    assert unchanged(T0, T0 + timedelta(minutes=5), margin=0)
    assert not unchanged(T0 + timedelta(hours=2), T0 + timedelta(hours=1))
    assert not unchanged(None, T0) and not unchanged(T0, None)
    assert unchanged(T0, (T0 + timedelta(hours=1)).replace(tzinfo=None))  # naive: UTC


def test_first_crawl_takes_listed_urls_like_links() -> None:
    stats: Counter = Counter()
    count = lambda key, n=1: stats.update({key: n})  # noqa: E731
    policy = UrlPolicy(Frontier(None), start_url="http://h/", deny="/private", count=count)
    reader = SitemapReader("http://h", count=count)
    entries = [SitemapEntry("http://h/t/1"), SitemapEntry("http://h/t/1?page=2"), SitemapEntry("http://other/t/3"),
               SitemapEntry("http://h/private/t/4"), SitemapEntry("http://h/login.php"), SitemapEntry("http://h/t/1")]
    fetches = reader.plan(entries, take=policy.take, allowed=policy.allowed)
    assert [f.url for f in fetches] == ["http://h/t/1", "http://h/t/1?page=2"]
    assert all(f.meta == {"fc_depth": 1} for f in fetches)
    assert stats["forumcrawl/sitemap/urls_seen"] == 6 and stats["forumcrawl/sitemap/urls_used"] == 2
    assert stats["forumcrawl/links_skipped/offsite"] == 1 and stats["forumcrawl/links_skipped/denied"] == 1
    assert reader.plan([SitemapEntry("http://h/t/2")], take=policy.take, allowed=policy.allowed)  # budget: none set


def test_recrawl_skips_unchanged_revisits_changed_and_takes_new() -> None:
    state = {"posts": 12, "replies": 11, "pages": 2, "last_page_url": "http://h/t/1?page=2",
             "last_page_offset": 10, "etag": '"v1"'}
    known = {"http://h/t/1": dict(state), "http://h/t/2": dict(state, last_page_url="http://h/t/2?page=2"),
             "http://h/t/3": dict(state, pages=1, last_page_url="http://h/t/3")}
    seen = {url: T0 for url in known} | {"http://h/board/1": T0, "http://h/t/1?page=2": T0}
    planner = RecrawlPlanner(known)
    frontier = Frontier(None)
    frontier.seen.update({"http://h/t/1", "http://h/t/1?page=2", "http://h/t/2", "http://h/t/2?page=2", "http://h/t/3"})
    policy = UrlPolicy(frontier, start_url="http://h/")
    stats: Counter = Counter()
    reader = SitemapReader("http://h", seen=seen, count=lambda key, n=1: stats.update({key: n}))
    later = (T0 + timedelta(hours=3)).isoformat()
    found = reader.read("http://h/sitemap.xml", urlset(("http://h/t/1", "2025-12-31T00:00:00Z"),     # unchanged
                                 ("http://h/t/1?page=2", "2025-12-31T00:00:00Z"),
                                 ("http://h/t/2", later),                       # a new reply
                                 ("http://h/t/9", later),                       # a new thread
                                 ("http://h/board/1", later)))                  # a listing that changed
    fetches = reader.plan(found.entries, take=policy.take, allowed=policy.allowed, known=planner,
                          register=policy.register)
    assert [f.url for f in fetches] == ["http://h/t/2?page=2", "http://h/t/9", "http://h/board/1"]
    revisit = fetches[0]
    assert revisit.headers == {"If-None-Match": '"v1"'} and revisit.meta["fc_thread"]["offset"] == 10
    assert "http://h/t/1" in planner.revisited                      # a listing showing it changes nothing
    assert planner.intercept("http://h/t/1", object(), 1) is None
    assert stats["forumcrawl/sitemap/urls_unchanged"] == 2 and stats["forumcrawl/sitemap/urls_used"] == 3
    # t/3 was not listed: 2 of 3 known threads is under the 90 % the listings may be skipped for
    assert not reader.covers(known) and reader.unlisted(known) == ["http://h/t/3"]
    reader.plan([SitemapEntry("http://h/t/3", T0 - timedelta(days=1))], take=policy.take,
                allowed=policy.allowed, known=planner, register=policy.register)
    assert reader.covers(known) and reader.unlisted(known) == []


def test_known_thread_without_lastmod_is_left_to_the_listings() -> None:
    planner = RecrawlPlanner({"http://h/t/1": {"posts": 3, "pages": 1, "last_page_url": "http://h/t/1"}})
    reader = SitemapReader("http://h", seen={"http://h/t/1": T0})
    policy = UrlPolicy(Frontier(None), start_url="http://h/")
    policy.journal.seen.add("http://h/t/1")
    assert reader.plan([SitemapEntry("http://h/t/1")], take=policy.take, allowed=policy.allowed,
                       known=planner) == []
    assert "http://h/t/1" not in planner.revisited and not reader.covers(planner.known)


def test_files_and_urls_are_capped_across_a_crawl(caplog) -> None:
    stats: Counter = Counter()
    reader = SitemapReader("http://h", max_files=2, max_urls=3, count=lambda key, n=1: stats.update({key: n}))
    in_scope = lambda url: url.startswith("http://h/")  # noqa: E731
    assert reader.first_files() == ["http://h/sitemap.xml"]
    reader.from_robots(b"Sitemap: /a.xml\n", "http://h/robots.txt")
    assert reader.first_files() == ["http://h/a.xml"]
    assert reader.take_file("http://h/a.xml", in_scope) and not reader.take_file("http://h/a.xml", in_scope)
    assert not reader.take_file("http://cdn/b.xml", in_scope) and stats["forumcrawl/sitemap/files_offsite"] == 1
    assert reader.take_file("http://h/b.xml", in_scope) and not reader.take_file("http://h/c.xml", in_scope)
    assert reader.pending == 2
    first = reader.read("http://h/a.xml", urlset(*[(f"http://h/t/{i}", None) for i in range(5)]))
    assert len(first.entries) == 3 and first.truncated and not reader.answered()
    assert reader.read("http://h/b.xml", urlset(("http://h/t/9", None))) is None and reader.answered()
    assert reader.read("http://h/x.xml", b"<html></html>") is None
    assert stats["forumcrawl/sitemap/capped"] >= 2 and stats["forumcrawl/sitemap/files"] == 1
    assert sum("stopped reading" in r.getMessage() for r in caplog.records) == 1  # one warning
    assert not reader.covers({"http://h/t/1": {}})  # a capped read never replaces the listings
