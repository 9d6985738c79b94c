"""What a response is, before and after extraction: usable or not, its record, what it gave.

Plain functions over a Scrapy response's status, headers and body, used by the
spider; no state.
"""
from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from crawler.fetches import Fetch
from crawler.patterns import url_pattern
from crawler.views import declared_url

HTML_TYPES = (b"text/html", b"application/xhtml+xml", b"application/xml", b"text/xml")
_PASSWORD_INPUT = re.compile(rb"<input\b[^>]*\btype\s*=\s*[\"']?password", re.I)
_FORM_FIELD = re.compile(rb"<textarea\b", re.I)
PROSE_LINE_CHARS = 40
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
# An RSS/Atom/RDF feed served as text/xml (as many engines serve theirs): its items are copies
# of posts, each with a link as its only "author" line, so read as a page they are stored twice.
_FEED_ROOT = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*|<!--.*?-->\s*|<\?xml-stylesheet[^>]*>\s*)*"
                        rb"<(?:rss|feed|rdf:RDF)\b", re.S)


def unusable(response, max_page_bytes: int) -> str | None:
    """Why a response cannot be extracted (non-HTML, too large, undecodable), or None."""
    ctype = response.headers.get(b"Content-Type", b"") or b""
    ctype = ctype.split(b";", 1)[0].strip().lower()
    body = response.body
    if ctype and ctype not in HTML_TYPES:
        return f"non_html ({ctype.decode('latin-1')})"
    if not ctype and not body.lstrip()[:1] == b"<":
        return "non_html (no content type, body is not markup)"
    if _FEED_ROOT.match(body[:4096]):
        return "feed (an RSS/Atom document: copies of posts, not a page)"
    if len(body) > max_page_bytes:
        return f"too_large ({len(body)} bytes > FORUMCRAWL_MAX_PAGE_BYTES={max_page_bytes})"
    head = body[:4096]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "undecodable (binary bytes in an HTML response)"
    return None


def url_host(url: str) -> str:
    """The host of ``url`` without port (Scrapy's ``allowed_domains``)."""
    return urlsplit(url).netloc.split(":", 1)[0]


def response_info(response, url: str) -> dict[str, Any]:
    headers = response.headers
    return {
        "url": url,
        "fetched_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "status": response.status,
        "etag": _header(headers, b"ETag"),
        "last_modified": _header(headers, b"Last-Modified"),
        "content_hash": hashlib.sha1(response.body).hexdigest(),
        "declared": declared_url(response.body, response.url),
    }


def form_facts(body: bytes) -> dict[str, bool]:
    """``wall`` (a password field) and ``form`` (a text area), for :func:`plain_outcome`:
    two scans of the whole body, so only for pages without posts (the spider)."""
    return {"wall": bool(_PASSWORD_INPUT.search(body)), "form": bool(_FORM_FIELD.search(body))}


def plain_outcome(page, url: str, fetches: list[Fetch], info: dict[str, Any]) -> str:
    """What a page without posts gave: new entries, an article, or links to new kinds of
    page are new; else a listing of known entries (``listed``: a board page of a re-crawl, whose
    threads are all known, is still a listing), a login wall, a form, or nothing at all
    (``info`` with :func:`form_facts`)."""
    if (page.kind == "article" and has_prose(getattr(page, "text", ""))) or fetched_new(url, fetches):
        return "new"
    if any(e.url for e in getattr(page, "entries", ())):
        return "listed"
    if info.get("wall"):
        return "wall"
    if info.get("form"):
        return "form"
    return "empty"


def has_prose(text: str | None) -> bool:
    """Whether an article's text holds a line of prose (``PROSE_LINE_CHARS`` characters, a CJK
    character counting two), not only headings and labels: an empty tag or section page, whose
    "article" is what its sidebars' headings left, gives nothing new."""
    for line in (text or "").splitlines():
        line = " ".join(line.split())
        if len(line) + len(_CJK.findall(line)) >= PROSE_LINE_CHARS:
            return True
    return False


def reader_comments(page) -> bool:
    """Whether a page's posts are reader comments under an article (the extractor read the page
    as an article and its two or more posts as comments on it: a blog post and its comments).
    The crawler stores forum threads; such a page is kept as an article, its comments unstored."""
    return page.kind == "article" and len(page.posts) >= 2


def fetched_new(url: str, fetches: list[Fetch]) -> bool:
    """Whether a page's links, taken on now, were new: a listing's entries, or pages of
    another kind (URL pattern) than its own."""
    if any("fc_entry" in f.meta for f in fetches):
        return True
    own = url_pattern(url)
    return any(url_pattern(f.url) != own for f in fetches)


def _header(headers, name: bytes) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1") if value else None


def page_record(site: str | None, info: dict[str, Any], kind: str) -> dict[str, Any]:
    return {"site": site, "url": info["url"], "status": info["status"], "kind": kind,
            "content_hash": info["content_hash"], "etag": info["etag"],
            "last_modified": info["last_modified"], "fetched_at": info["fetched_at"]}
