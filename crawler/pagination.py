"""Where a thread page sits in its thread, from the links the extractor classified.

A thread's posts are numbered across all its pages, so the spider reads each
thread from its first page along ``next_page_url``. A thread page reached any
other way (a page-jump or "last post" link on a listing) must be recognised as
a later page, so it can wait for its chain instead of starting a thread of its own.
"""
from __future__ import annotations

import functools
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from extractor.links import SEQUENCE_TEXT_RE, url_page
from extractor.model import Page

from crawler.urls import canonicalize

_SPACE = re.compile(r"\s+")
# Link texts that point at the first page, or at an earlier page, of a paginated thread.
FIRST_TEXTS = frozenset(
    {"1", "[1]", "first", "first_page", "first page", "go to first page", "« first", "<<", "«", "|<", "首页", "第一页", "第1页", "最前页"}
)
PREV_TEXTS = frozenset(
    {
        "prev", "previous", "‹", "<", "« prev", "‹ prev", "< prev", "« previous", "‹ previous",
        # icon-font ligatures and titles of icon-only pager links (Material icons)
        "chevron_left", "navigate_before", "keyboard_arrow_left", "go to previous page",
        "previous page", "prev page", "上一页", "上页", "前一页", "<上一页", "‹ 上一页",
    }
)


# "1–10": the first page of a pager naming its pages by the posts they show
_FIRST_RANGE = re.compile(r"^\[?1\s*[-–—~]\s*\d{1,6}\]?$")


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text.strip().lower())


def earlier_page_url(page: Page, url: str) -> str | None:
    """The canonical URL of the first (or else an earlier) page of the thread ``page``
    belongs to, when ``page`` is not the thread's first page; None when it is."""
    previous = None
    for link in page.links:
        text = _norm(link.text)
        if link.role != "pagination":
            if not _steps_back(link, text, page, url):
                continue
            previous = previous or canonicalize(link.url)
            continue
        first = text in FIRST_TEXTS or SEQUENCE_TEXT_RE.match(text) is not None and url_page(link.url) == 1 \
            or _FIRST_RANGE.match(text) is not None
        if not first and text not in PREV_TEXTS:
            continue
        target = canonicalize(link.url)
        if target == url or _same_page(target, url) or not target.startswith(("http://", "https://")):
            continue
        if first:
            return target
        previous = previous or target
    return previous or _earlier_by_number(page, url) or next(iter(first_page_aliases(url)), None)


def _steps_back(link, text: str, page: Page, url: str) -> bool:
    """A "‹ Older" / "Newer ›" link outside any pager that is not the page's next page: on a thread
    page (oldest post first) the page before it. (esoTalk shows a thread from any post offset,
    ``/9-slug/18`` from an "unread" link, with only "‹ Older" to ``/9-slug/p4``.) Only to a page
    in the same folder as this one: never another topic's."""
    if SEQUENCE_TEXT_RE.match(text) is None or not link.url or link.url == page.next_page_url:
        return False
    target = canonicalize(link.url)
    return target != url and target.rsplit("/", 1)[0] == url.rsplit("/", 1)[0] and \
        urlsplit(target).netloc == urlsplit(url).netloc


def _earlier_by_number(page: Page, url: str) -> str | None:
    """An earlier page told by its URL alone, for icon-only pager links: the same
    URL with a smaller number in the one query parameter that differs
    (``?page=1`` or no ``page`` at all for ``?page=3``); the smallest wins."""
    here = urlsplit(url)
    here_args = dict(parse_qsl(here.query, keep_blank_values=True))
    numbered = {k: int(v) for k, v in here_args.items() if v.isdigit() and int(v) >= 2}
    if not numbered:
        return None
    best: tuple[int, str] | None = None
    for link in page.links:
        if link.role in ("post", "entry") or not _pager_like(link.text):
            continue
        target = canonicalize(link.url)
        there = urlsplit(target)
        if (there.scheme, there.netloc, there.path) != (here.scheme, here.netloc, here.path):
            continue
        args = dict(parse_qsl(there.query, keep_blank_values=True))
        for key, number in numbered.items():
            rest_here = {k: v for k, v in here_args.items() if k != key}
            rest_there = {k: v for k, v in args.items() if k != key}
            if rest_here != rest_there:
                continue
            value = args.get(key, "0")
            if value.isdigit() and int(value) < number and (best is None or int(value) < best[0]):
                best = (int(value), target)
    return best[1] if best else None


def _pager_like(text: str) -> bool:
    """A link text a pager could show: none (an icon), a number, arrows, "page 2", or a first/previous
    word. A title ("周末去哪里爬山") is another thread's: a list of other topics beside a topic
    (``?id=1``, ``?id=3`` on ``?id=2``) differs from the page only by a number, as a pager does."""
    text = _norm(text)
    return (text in FIRST_TEXTS or text in PREV_TEXTS or _PAGER_TEXT.fullmatch(text) is not None
            or not any(ch.isalpha() for ch in text))


_PAGER_TEXT = re.compile(r"(?:page|第)?\s*\d+\s*页?")


def _same_page(target: str, url: str) -> bool:
    """The two URLs differ only by a first-page number one of them adds
    (``?page=1``, ``&start=0``): both show the thread's first page."""
    t, u = urlsplit(target), urlsplit(url)
    if (t.scheme, t.netloc, t.path) != (u.scheme, u.netloc, u.path):
        return False
    t_args = set(parse_qsl(t.query, keep_blank_values=True))
    u_args = set(parse_qsl(u.query, keep_blank_values=True))
    differ = t_args ^ u_args
    one_sided = not (t_args - u_args) or not (u_args - t_args)
    if not one_sided or len(differ) != 1:
        return False
    name, value = next(iter(differ))
    return value in {"0", "1"} and bool(_PAGE_PARAM.match(name))


# Query parameters that number pages (or count items skipped) in paginated URLs.
_PAGE_PARAM = re.compile(r"^(?:\w*page\w*|pg|pn|p|start|offset|from|begin|o)$", re.IGNORECASE)


def first_page_aliases(url: str) -> list[str]:
    """``url`` without each page-numbering query parameter whose value is 0 or 1
    (``?page=1``, ``&start=0``): the page it may repeat under its bare URL."""
    if "?" not in url:
        return []
    return list(_first_page_aliases(url))


def thread_of_page(url: str) -> str | None:
    """``url`` without its one page-numbering query parameter (``/t?id=9&page=4`` ->
    ``/t?id=9``, ``viewtopic.php?t=5&start=20`` -> ``viewtopic.php?t=5``): the first page of
    the thread this page belongs to, as its URL's shape says. Only when another parameter
    stays (the thread's id) and the number is a page's or an offset's, never ``p`` (a post's
    id or a route: ``viewtopic.php?p=55``, ``?p=12``); else None."""
    if "?" not in url:
        return None
    parts = urlsplit(url)
    args = parse_qsl(parts.query, keep_blank_values=True)
    paged = [i for i, (name, value) in enumerate(args)
             if value.isdigit() and name.lower() != "p" and _PAGE_PARAM.match(name)]
    if len(paged) != 1 or len(args) < 2:
        return None
    i = paged[0]
    return urlunsplit(parts._replace(query=urlencode(args[:i] + args[i + 1:])))


def is_page_one_of(target: str, url: str) -> bool:
    """``target`` is ``/t/8-1`` (an id, then page 1 in its last path segment, or as a segment of
    its own: ``/t/8/1.html``, ``/9-slug/p1``, also as a front controller's route ``/?t/8/1.html``)
    and ``url`` is ``/t/8`` or a later page ``/t/8-2``, ``/9-slug/p2``: the thread's first page under the URL its pager gives
    it. Only a thread's own pages say so (elsewhere ``/x/2024-1`` may be a page of its own),
    and a slug such as ``/hello-1`` (a letter before the ``-1``) never counts."""
    t, u = urlsplit(target), urlsplit(url)
    if (t.scheme, t.netloc) != (u.scheme, u.netloc):
        return False
    t_path, u_path = _routed(t.path, t.query), _routed(u.path, u.query)
    if t_path is None or u_path is None:
        return False
    m = _PATH_PAGE_ONE.match(t_path) or _PATH_PAGE_ONE_NAMED.match(t_path)
    if m is None:
        return False
    base, ext = m.group(1), m.group(2) or ""
    return u_path == base + ext or (u_path.startswith(base) and u_path.endswith(ext)
                                    and _LATER_PAGE.fullmatch(u_path[len(base):len(u_path) - len(ext)]) is not None)


def _routed(path: str, query: str) -> str | None:
    """The path a page is named by: its own, or the route its query holds on a front controller
    (``/?t/8/1.html``: ``/t/8/1.html``, as :mod:`crawler.urls` reads it); None with other parameters."""
    if not query:
        return path
    if "=" in query or "&" in query or "/" not in query:
        return None
    return path.rstrip("/") + (query if query.startswith("/") else "/" + query)


# "/t/8-1", "/thread-12-1.html", "/t/8/1.html": an id, then page 1 in the last path segment
_PATH_PAGE_ONE = re.compile(r"^(.*/[^/]*\d)[-_/]1(\.[A-Za-z]{2,5})?$")
# ...or named in a segment of its own after the id segment: "/9-slug/p1", "/t/8/page-1" (esoTalk's "‹ Older")
_PATH_PAGE_ONE_NAMED = re.compile(r"^(.*/[^/]*\d[^/]*)/(?:p|page)[-_]?1(\.[A-Za-z]{2,5})?$", re.I)
_LATER_PAGE = re.compile(r"[-_/]\d+|/(?:p|page)[-_]?\d+", re.I)


@functools.lru_cache(maxsize=16_384)
def _first_page_aliases(url: str) -> tuple[str, ...]:
    """(Remembered for recent URLs: every link of every page is checked.)"""
    parts = urlsplit(url)
    args = parse_qsl(parts.query, keep_blank_values=True)
    return tuple(
        urlunsplit(parts._replace(query=urlencode(args[:i] + args[i + 1:])))
        for i, (name, value) in enumerate(args) if value in {"0", "1"} and _PAGE_PARAM.match(name)
    )
