"""Sitemaps: a site's own list of its pages, to find threads and skip unchanged ones.

One room of the crawler (docs/crawler.md, issue 11). The sitemaps a site names in
robots.txt (``Sitemap:`` lines), else ``/sitemap.xml``, are read: index files lead
to their sitemaps, gzip-compressed files are decompressed, and each listed URL
(with its ``lastmod``) becomes a decision:

* on a first crawl, a listed URL enters the frontier like a link (the URL policy,
  scope, budget, the trial of its URL pattern and thread assembly still decide);
* on an incremental re-crawl, a URL the store knows whose ``lastmod`` is not after
  the time it was last fetched (minus a margin for clocks) is skipped; a known thread
  listed as changed is revisited from its last stored page (the recrawl planner's
  conditional request); an unknown URL is taken like a link. When the sitemaps list
  (with ``lastmod``) nearly every known thread, the listings are not walked at all.

Sitemaps are input from the network, so every step is bounded and a bad one costs a
warning, never the crawl: the body is decompressed with a size limit
(:func:`scrapy.utils.gz.gunzip`), parsed incrementally (Scrapy's
:class:`~scrapy.utils.sitemap.Sitemap`, an lxml ``iterparse`` without entity
resolution that frees each element once read) up to a URL cap, and the number of
sitemap files per crawl is capped. No Scrapy engine here: the spider builds the
requests from the :class:`~crawler.fetches.Fetch` es returned.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol
from urllib.parse import urlsplit

from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from crawler.fetches import PRIORITY_ENTRY, Fetch
from crawler.urls import canonicalize

log = logging.getLogger("crawler.spiders.generic")

Count = Callable[..., None]

# The sitemaps protocol's own limits are 50,000 URLs and 50 MB (uncompressed) per file.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_URLS = 1_000_000      # URLs read from all sitemaps of one crawl
DEFAULT_MAX_FILES = 200           # sitemap files fetched in one crawl (indexes included)
MAX_URLS_PER_FILE = 50_000        # the protocol's limit; keeps one file's entries small in memory
DEFAULT_MARGIN = 600.0            # seconds: a lastmod this close to the last fetch counts as changed
# The share of known threads the sitemaps must list with a lastmod to stand in for the listings.
COVERAGE = 0.9
GZIP_MAGIC = b"\x1f\x8b"


def _no_count(key: str, count: int = 1) -> None:
    return None


class SitemapError(ValueError):
    """A sitemap that cannot be used (too large, not XML, not a sitemap): one line says why."""


@dataclass
class SitemapEntry:
    """One ``<url>`` (or ``<sitemap>`` of an index): its canonical URL and ``lastmod``."""

    url: str
    lastmod: datetime | None = None


@dataclass
class SitemapFile:
    """What one sitemap file holds: ``kind`` is ``urlset`` or ``sitemapindex``."""

    kind: str
    entries: list[SitemapEntry] = field(default_factory=list)
    truncated: bool = False  # stopped at the URL cap


def sitemaps_in_robots(body: bytes, robots_url: str) -> list[str]:
    """The sitemap URLs a robots.txt names (``Sitemap:`` lines), canonical, in order, once each."""
    urls: list[str] = []
    for url in sitemap_urls_from_robots(body or b"", base_url=robots_url):
        url = canonicalize(url)
        if url.startswith(("http://", "https://")) and url not in urls:
            urls.append(url)
    return urls


def decompress(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The sitemap's XML: gzip bodies (``.xml.gz``) decompressed, at most ``max_bytes``
    either way; raises :class:`SitemapError` beyond (a gzip bomb stops at the limit)."""
    if body[:2] == GZIP_MAGIC:
        try:
            body = gunzip(body, max_size=max_bytes)
        except ValueError:  # scrapy's _DecompressionMaxSizeExceeded (a private subclass)
            raise SitemapError(f"larger than {max_bytes} bytes once decompressed") from None
        except Exception as exc:  # noqa: BLE001 - OSError, EOFError, zlib.error, struct.error
            raise SitemapError(f"broken gzip data ({type(exc).__name__})") from None
    if len(body) > max_bytes:
        raise SitemapError(f"larger than {max_bytes} bytes")
    return body


def parse_sitemap(body: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, max_urls: int = DEFAULT_MAX_URLS) -> SitemapFile:
    """Read one sitemap file (plain or gzip) into its entries, at most ``max_urls``.

    Malformed XML is read as far as lxml's recovering parser gets; a body that is not
    a sitemap at all (an HTML page under the sitemap's URL, plain text) raises
    :class:`SitemapError`, and so does one over ``max_bytes``.
    """
    xml = decompress(body, max_bytes).lstrip()
    if not xml:
        raise SitemapError("empty body")
    head = xml[:1024].lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        raise SitemapError("not a sitemap (an HTML page)")
    try:
        sitemap = Sitemap(xml)
    except Exception as exc:  # lxml raises XMLSyntaxError on bodies it cannot even start
        raise SitemapError(f"not XML ({type(exc).__name__})") from None
    if sitemap.type not in ("urlset", "sitemapindex"):
        raise SitemapError(f"not a sitemap (root element <{sitemap.type or '?'}>)")
    found = SitemapFile(sitemap.type)
    try:
        for item in sitemap:
            url = _page_url(item.get("loc"))
            if url is None:
                continue
            if len(found.entries) >= max_urls:
                found.truncated = True
                break
            found.entries.append(SitemapEntry(url, parse_lastmod(item.get("lastmod"))))
    except Exception as exc:  # a recovering parse that still gives up midway: keep what was read
        log.debug("Sitemap parse stopped early: %s: %s", type(exc).__name__, exc)
    return found


def _page_url(loc: Any) -> str | None:
    if not isinstance(loc, str):
        return None
    loc = loc.strip()
    if not loc.startswith(("http://", "https://")) or len(loc) > 2000:
        return None
    try:
        return canonicalize(loc)
    except ValueError:
        return None


def parse_lastmod(text: str | None) -> datetime | None:
    """A sitemap ``lastmod`` (W3C datetime) as an aware UTC time; None when absent or unreadable.

    A date without a time means "some time that day" (in an unknown zone): it is taken
    as the end of the day, so a thread fetched that same day is not thought unchanged.
    """
    if not text:
        return None
    text = text.strip()
    try:
        if len(text) <= 10:  # YYYY, YYYY-MM, YYYY-MM-DD
            parts = [int(p) for p in text.split("-")] + [1, 1]
            return datetime(parts[0], parts[1], parts[2], tzinfo=timezone.utc) + timedelta(days=1)
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc)


def unchanged(lastmod: datetime | None, seen: datetime | None, margin: float = DEFAULT_MARGIN) -> bool:
    """True when a page listed with ``lastmod`` cannot have changed since it was fetched
    at ``seen``: ``lastmod`` at least ``margin`` seconds before (server clocks and the
    time between a fetch and its commit are not exact). Unknown either side: False."""
    if lastmod is None or seen is None:
        return False
    if seen.tzinfo is None:
        seen = seen.replace(tzinfo=timezone.utc)
    return lastmod <= seen - timedelta(seconds=margin)


class KnownThreads(Protocol):
    """What the sitemap room asks the recrawl planner (:class:`crawler.recrawl.RecrawlPlanner`)."""

    known: dict[str, dict[str, Any]]
    revisited: set[str]

    def revisit(self, thread_url: str, entry: Any, depth: int) -> list[Fetch]: ...


class SitemapReader:
    """One site's sitemaps in one crawl: which files to fetch, and what their URLs lead to.

    ``seen`` maps the URLs the store knows to the time each was last fetched (a thread's
    URL to the fetch of its last stored page); empty on a first crawl.
    """

    def __init__(self, site: str, *, seen: dict[str, datetime] | None = None,
                 max_bytes: int = DEFAULT_MAX_BYTES, max_urls: int = DEFAULT_MAX_URLS,
                 max_files: int = DEFAULT_MAX_FILES, margin: float = DEFAULT_MARGIN,
                 count: Count = _no_count) -> None:
        self.site = site.rstrip("/")
        self.host = urlsplit(self.site).netloc
        self.seen = dict(seen or {})
        self.max_bytes, self.max_urls, self.max_files, self.margin = max_bytes, max_urls, max_files, margin
        self.count = count
        self.requested: set[str] = set()
        self.pending = 0           # sitemap files requested and not answered yet
        self.urls_read = 0
        self.capped = False
        self.found_any = False     # at least one usable sitemap file was read
        self.listed: set[str] = set()   # known URLs listed with a lastmod (the coverage of known threads)
        self.robots_named: list[str] = []

    # -- which files ---------------------------------------------------------------------------
    def from_robots(self, body: bytes, robots_url: str) -> list[str]:
        """Remember the sitemaps robots.txt names for this site's host."""
        self.robots_named = sitemaps_in_robots(body, robots_url)
        return self.robots_named

    def first_files(self) -> list[str]:
        """The sitemaps to read first: those robots.txt names, else ``/sitemap.xml``."""
        return self.robots_named or [f"{self.site}/sitemap.xml"]

    def take_file(self, url: str, in_scope: Callable[[str], bool]) -> bool:
        """Whether to fetch the sitemap file ``url`` (new, in scope, under the file cap)."""
        if url in self.requested:
            return False
        if not in_scope(url):
            self.count("forumcrawl/sitemap/files_offsite")
            log.info("Sitemap %s is not on the crawled site: not read", url)
            return False
        if len(self.requested) >= self.max_files:
            self._cap(f"{self.max_files} sitemap files (FORUMCRAWL_SITEMAP_MAX_FILES)")
            return False
        self.requested.add(url)
        self.pending += 1
        return True

    def answered(self) -> bool:
        """One requested file answered (read, failed or refused); True when none is pending."""
        self.pending = max(0, self.pending - 1)
        return self.pending == 0

    # -- what a file holds ---------------------------------------------------------------------
    def read(self, url: str, body: bytes) -> SitemapFile | None:
        """Parse one fetched sitemap file within the limits; None (with a warning) if unusable."""
        left = self.max_urls - self.urls_read
        if left <= 0:
            self._cap(f"{self.max_urls} URLs (FORUMCRAWL_SITEMAP_MAX_URLS)")
            return None
        try:
            found = parse_sitemap(body, max_bytes=self.max_bytes, max_urls=min(left, MAX_URLS_PER_FILE))
        except SitemapError as exc:
            self.count("forumcrawl/sitemap/invalid")
            log.warning("Sitemap %s ignored: %s", url, exc)
            return None
        self.found_any = True
        self.count("forumcrawl/sitemap/files")
        self.urls_read += len(found.entries)
        if found.truncated and left > MAX_URLS_PER_FILE:
            self.capped = True  # (so the sitemaps never stand in for the listings)
            self.count("forumcrawl/sitemap/capped")
            log.warning("Sitemap %s lists more than %d URLs (the sitemaps protocol's limit): the rest "
                        "of it is not read", url, MAX_URLS_PER_FILE)
        elif found.truncated:
            self._cap(f"{self.max_urls} URLs (FORUMCRAWL_SITEMAP_MAX_URLS)")
        return found

    def _cap(self, what: str) -> None:
        if not self.capped:
            self.capped = True
            log.warning("Sitemaps of %s: stopped reading at %s; the rest of the site is found "
                        "through its links", self.site, what)
        self.count("forumcrawl/sitemap/capped")

    def plan(self, entries: Iterable[SitemapEntry], *, take: Callable[[str, int, dict[str, Any]], bool],
             allowed: Callable[[str], bool], known: KnownThreads | None = None,
             register: Callable[[Fetch], Fetch] = lambda f: f,
             hold: Callable[[Fetch], bool] = lambda f: False) -> list[Fetch]:
        """What a urlset's entries lead to (see the module docstring).

        ``take(url, priority, meta)`` / ``allowed(url)``: the URL policy's (budget, scope,
        skip rules and learned patterns); ``known``: the recrawl planner on a re-crawl;
        ``register``: records a revisit decided here as taken on; ``hold(fetch)``: the URL
        policy keeps a URL taken on back while its pattern is on trial (True), as it does a
        link's: a sitemap lists member pages, tags and archives beside threads (WordPress's
        ``wp-sitemap-users-1.xml``: every author page was fetched at once, before three empty
        ones could stop the rest).
        """
        fetches: list[Fetch] = []
        threads = known.known if known is not None else {}
        tally = {"urls_seen": 0, "urls_unchanged": 0, "urls_used": 0}  # (counted once per file)
        for entry in entries:
            url = entry.url
            tally["urls_seen"] += 1
            seen = self.seen.get(url)
            if seen is not None and entry.lastmod is not None:
                self.listed.add(url)
            if seen is not None and unchanged(entry.lastmod, seen, self.margin):
                tally["urls_unchanged"] += 1
                if url in threads and known is not None:
                    known.revisited.add(url)  # decided: a listing showing it later changes nothing
                continue
            if url in threads and known is not None:
                if url in known.revisited:
                    continue
                revisits = known.revisit(url, None, 1) if entry.lastmod is not None else []
                if revisits:
                    tally["urls_used"] += 1
                    fetches += [register(f) for f in revisits]
                continue  # (no lastmod: the listings decide, as without a sitemap)
            if not allowed(url):
                continue
            meta: dict[str, Any] = {"fc_depth": 1}
            if take(url, PRIORITY_ENTRY, meta):
                tally["urls_used"] += 1
                fetch = Fetch(url, PRIORITY_ENTRY, meta)
                if not hold(fetch):
                    fetches.append(fetch)
        for name, n in tally.items():
            if n:
                self.count(f"forumcrawl/sitemap/{name}", n)
        return fetches

    def covers(self, known_threads: Iterable[str]) -> bool:
        """Whether the sitemaps read list (with a lastmod) nearly every known thread, so
        they can stand in for the listings on a re-crawl."""
        threads = list(known_threads)
        if not threads or not self.found_any or self.capped:
            return False
        listed = sum(1 for url in threads if url in self.listed)
        return listed >= COVERAGE * len(threads)

    def unlisted(self, known_threads: Iterable[str]) -> list[str]:
        """Known threads the sitemaps did not list (with a lastmod)."""
        return [url for url in known_threads if url not in self.listed]
