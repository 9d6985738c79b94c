"""Views of a thread under other URLs: what a page says it is a copy of.

Part of thread assembly (docs/crawler.md). Forums show a post under many URLs:
archive ("lite") and print views, single-post permalinks, "jump to post"
windows, mobile views. A page tells which URL is the real one by
``<link rel="canonical">``, ``<meta property="og:url">``, or a "view full
version / full thread" link. A thread page that names another page of the
site is a *view*: its posts are not stored under its URL; the page it names
is fetched instead (if not already). Declarations that cannot mean "this is a
copy" are ignored: one naming the page itself (or its first-page alias), one
naming an earlier page of the same thread (paginated threads often declare
page 1), one naming the site's front page, or another site.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

from crawler.pagination import earlier_page_url, first_page_aliases
from crawler.urls import canonicalize

_HEAD_BYTES = 65536
_LINK = re.compile(rb"<link\b[^>]*>", re.I)
_META = re.compile(rb"<meta\b[^>]*>", re.I)
_ATTR = re.compile(rb"""([a-zA-Z:_-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
# Link texts that point from a copy to the full thread (seed list; the page's own link decides where).
FULL_VIEW_TEXT = re.compile(
    r"\b(?:view|see|show|read)\s+(?:the\s+)?full\s+(?:version|thread|topic|discussion|post)s?\b"
    r"|^\s*full\s+(?:version|thread|topic)\b|查看完整版本|完整版本|完整版|查看完整",
    re.I,
)


def _attrs(tag: bytes) -> dict[str, str]:
    out = {}
    for name, a, b, c in _ATTR.findall(tag):
        out[name.decode("latin-1").lower()] = (a or b or c).decode("utf-8", "replace").strip()
    return out


def declared_url(body: bytes, url: str) -> str | None:
    """The canonical URL a page declares in its head (rel=canonical, else og:url), absolute."""
    head = body[:_HEAD_BYTES]
    end = head.lower().find(b"</head>")
    if end > 0:
        head = head[:end]
    for tag in _LINK.findall(head):
        attrs = _attrs(tag)
        if "canonical" in attrs.get("rel", "").lower().split() and attrs.get("href"):
            return urljoin(url, attrs["href"])
    for tag in _META.findall(head):
        attrs = _attrs(tag)
        if attrs.get("property", attrs.get("name", "")).lower() == "og:url" and attrs.get("content"):
            return urljoin(url, attrs["content"])
    return None


def view_target(page, url: str, declared: str | None, in_scope: Callable[[str], bool]) -> str | None:
    """The canonical URL of the page ``page`` (at canonical ``url``) is a view of, or None
    when it stands for itself."""
    candidates = []
    if declared:
        candidates.append(canonicalize(declared))
    candidates += [canonicalize(link.url) for link in page.links
                   if link.text and FULL_VIEW_TEXT.search(link.text)]
    candidates += _parent_thread(page, url)
    if not candidates:
        return None
    own = {url, *first_page_aliases(url)}
    earlier = None
    for target in candidates:
        if target in own or not target.startswith(("http://", "https://")) or not in_scope(target):
            continue
        if urlsplit(target).path in ("", "/") and not urlsplit(target).query:
            continue  # "everything is the front page": a broken declaration
        if _fewer_params(target, url):
            continue  # the same path with page parameters dropped: this thread's first page
        if earlier is None:
            earlier = earlier_page_url(page, url) or ""
        if target == earlier:
            continue  # a later page declaring its thread's first page
        return target
    return None


_POST_INDEX = re.compile(r"^/\d+/?$")
_SPACES = re.compile(r"\s+")


def _parent_thread(page, url: str) -> list[str]:
    """A "jump to post N" window (``/topic/4/slug/45``: posts around the 45th) names its
    thread by a link to its URL minus the post index, titled with the thread's title."""
    here = urlsplit(url)
    if here.query or page.next_page_url:
        return []
    title = _SPACES.sub(" ", page.title or "").strip().lower()
    found = []
    for link in page.links:
        text = _SPACES.sub(" ", link.text or "").strip().lower()
        if len(text) < 4 or not title.startswith(text):
            continue
        target = canonicalize(link.url)
        there = urlsplit(target)
        if there.netloc != here.netloc or there.query or not there.path.strip("/"):
            continue
        rest = here.path[len(there.path.rstrip("/")):] if here.path.startswith(there.path.rstrip("/") + "/") else ""
        if rest and _POST_INDEX.match(rest):
            found.append(target)
    return found


def _fewer_params(target: str, url: str) -> bool:
    """``target`` is ``url``'s path with some of its query parameters (a page number) dropped."""
    t, u = urlsplit(target), urlsplit(url)
    if (t.netloc, t.path) != (u.netloc, u.path):
        return False
    t_pairs = set(t.query.split("&")) - {""}
    return t_pairs < (set(u.query.split("&")) - {""})
