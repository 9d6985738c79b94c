"""The fixture forum with sitemaps, served on 127.0.0.1 (tests/test_crawl_sitemaps.py).

``style`` decides what the site publishes:

* ``"plain"``: ``/sitemap.xml``, a urlset of every thread, not named in robots.txt;
* ``"index"``: robots.txt names ``/sitemap_index.xml``, an index of two sitemaps, the
  second gzip-compressed (``/sitemaps/threads-2.xml.gz``);
* ``"none"``: no sitemap (``/sitemap.xml`` answers 404).

Each thread is listed with a ``lastmod``: a fixed past time until :meth:`touch` sets
it to now (what a forum engine does when a reply is posted). ``later_pages`` also
lists every thread's later pages. ``hostile`` (path -> (content type, body)) serves
extra bodies, and robots.txt then names them as sitemaps too.
"""
from __future__ import annotations

import gzip
from datetime import datetime, timezone

from crawler.demo.forum import Forum
from tests.sites import LiveForum

PAST = datetime(2024, 1, 1, tzinfo=timezone.utc)
XML = "application/xml"


class SitemapForum(LiveForum):
    """A :class:`LiveForum` that also serves sitemaps; ``hits`` are the server's request paths."""

    def __init__(self, forum: Forum | None = None, *, style: str = "plain", later_pages: bool = False,
                 lastmod: bool = True, hostile: dict[str, tuple[str, bytes]] | None = None) -> None:
        self.style, self.later_pages, self.with_lastmod = style, later_pages, lastmod
        self.hostile = dict(hostile or {})
        self.modified: dict[int, datetime] = {}
        super().__init__(forum)

    @property
    def hits(self) -> list[str]:
        return self.server.hits

    def touch(self, thread_id: int, when: datetime | None = None) -> None:
        """The thread changed now: its sitemap ``lastmod`` moves."""
        self.modified[thread_id] = when or datetime.now(timezone.utc)

    def thread_urls(self, pages: bool = False) -> list[str]:
        base = self.server.url
        urls = []
        for board, thread in self.forum.all_threads():
            last = self.forum.thread_pages(thread) if pages else 1
            urls += [base + self.forum.thread_url(board, thread, n) for n in range(1, last + 1)]
        return urls

    def _urlset(self, part: int | None) -> bytes:
        rows = []
        threads = list(self.forum.all_threads())
        if part is not None:  # two halves for the index
            half = len(threads) // 2
            threads = threads[:half] if part == 1 else threads[half:]
        for board, thread in threads:
            when = self.modified.get(thread.id, PAST).strftime("%Y-%m-%dT%H:%M:%S+00:00")
            last = self.forum.thread_pages(thread) if self.later_pages else 1
            for n in range(1, last + 1):
                loc = (self.server.url + self.forum.thread_url(board, thread, n)).replace("&", "&amp;")
                lastmod = f"<lastmod>{when}</lastmod>" if self.with_lastmod else ""
                rows.append(f"<url><loc>{loc}</loc>{lastmod}</url>")
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                + "".join(rows) + "</urlset>").encode()

    def _route(self, path: str):
        with self._lock:
            if path in self.hostile:
                ctype, body = self.hostile[path]
                return 200, ctype, body
            if path == "/robots.txt":
                status, ctype, body = self.forum.route(path)
                named = ["/sitemap_index.xml"] if self.style == "index" else []
                lines = "".join(f"Sitemap: {self.server.url}{p}\n" for p in named + list(self.hostile))
                return status, ctype, body + lines.encode()
            if self.style == "plain" and path == "/sitemap.xml":
                return 200, XML, self._urlset(None)
            if self.style == "index" and path == "/sitemap_index.xml":
                body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                        f"<sitemap><loc>{self.server.url}/sitemaps/threads-1.xml</loc></sitemap>"
                        f"<sitemap><loc>{self.server.url}/sitemaps/threads-2.xml.gz</loc>"
                        "<lastmod>2024-01-01</lastmod></sitemap></sitemapindex>")
                return 200, XML, body.encode()
            if self.style == "index" and path == "/sitemaps/threads-1.xml":
                return 200, XML, self._urlset(1)
            if self.style == "index" and path == "/sitemaps/threads-2.xml.gz":
                return 200, "application/x-gzip", gzip.compress(self._urlset(2))
            if path.startswith("/sitemap"):
                return 404, "text/plain", b"not found"
            return self.forum.route(path)
