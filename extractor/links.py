"""Every outgoing link of a page, absolute, with its anchor text and role; the next page.

Roles: ``entry`` (an item of a listing), ``pagination`` (pages of this thread
or listing), ``post`` (inside the content: a post or the article body),
``navigation`` (menus, breadcrumbs, header, footer, link-dense boxes) and
``other``. The crawler reads these instead of parsing the page again.

The next page is, in order of trust: ``<link rel=next>``, ``<a rel=next>``,
an anchor whose text says "next" (下一页, ›, », ...) inside a pagination box
or pointing to a page-numbered URL, then the numbered link following the
current page number, then a pager link without text (an icon) whose URL asks
for the page after the current one (shown as "Page 2 of 3", or in the URL).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urldefrag, urljoin, urlsplit

import numpy as np

from extractor import names
from extractor.dom import Dom, collapse_ws
from extractor.model import Entry, Link

_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "about:", "sms:", "callto:", "ftp:")
_NEXT_TEXT_RE = re.compile(
    r"^(?:next(?:\s+page)?|next\s*[›»>]+|[›»>]|older(?:\s+(?:posts|entries))?|"
    r"下一页|下一頁|下页|后页|下一页\s*[>›»]|次へ|次のページ|次ページ|다음|다음\s*페이지|"
    r"следующая|далее|вперед|вперёд|weiter|nächste(?:\s+seite)?|suivant(?:e)?|siguiente|"
    r"successiva|próxima|proxima|volgende|następna|sonraki|tiếp|berikutnya|selanjutnya)"
    r"\s*[›»>→]*$", re.I)
_PREV_TEXT_RE = re.compile(r"^(?:[‹«<]|prev(?:ious)?|上一页|上一頁|前へ|이전|назад|zurück|précédent)", re.I)
_PAGED_URL_RE = re.compile(r"(?:[?&;](?:page|p|pg|pn|start|offset|from|paged|pagenum|pageno|curpage)=\d+)"
                           r"|(?:/page[/\-_]?\d+)|(?:[\-_/]\d{1,4}(?:\.html?)?/?$)|(?:&extra=page%3d\d+)", re.I)
_NUMBER_RE = re.compile(r"^\[?\s*(\d{1,5})\s*\]?$")
# "11–20": a pager of post ranges (each page named by the posts it shows)
_RANGE_RE = re.compile(r"^\[?\s*(\d{1,6})\s*[-–—~]\s*(\d{1,6})\s*\]?$")
# "Page 2 of 3", "2 / 3", "第2页 共3页": the current page stated in words
_PAGE_OF_RE = re.compile(r"^(?:page|pg\.?|seite|página|pagina|страница|第)?\s*(\d{1,5})\s*页?\s*"
                         r"(?:of|/|von|de|di|sur|из|共)\s*\d{1,5}\s*(?:页|pages?)?$", re.I)
# the page number a URL asks for
_URL_PAGE_RE = re.compile(r"[?&;](?:page|p|pg|pn|paged|pagenum|pageno|curpage)=(\d+)|/page[/\-_]?(\d+)", re.I)
# "Newer ›": the next page where a thread reads oldest first (esoTalk), the previous one on a blog
# (WordPress's "Newer Entries »"): next only when its URL asks for a later page than this one's
_NEWER_TEXT_RE = re.compile(r"^(?:newer|later)(?:\s+(?:posts|entries|messages|replies|comments))?\s*[›»>→]*$", re.I)
# "‹ Older", "Newer ›", "Earlier": a link in a sequence of pages, whichever way it goes
SEQUENCE_TEXT_RE = re.compile(r"^[‹«<←]?\s*(?:older|newer|earlier|later)(?:\s+(?:posts|entries|messages|replies|comments))?"
                              r"\s*[›»>→]*$", re.I)
_URL_PAGE_END_RE = re.compile(r"/p(\d{1,4})/?(?:[?#]|$)")
_NAV_TAGS = frozenset({"nav", "header", "footer", "menu", "aside"})


def _absolute(href: str, base: str, origin: str = "") -> str | None:
    href = href.strip()
    if not href or href[0] == "#":
        return None
    if href.startswith(("http://", "https://")) and " " not in href and "/./" not in href and "/../" not in href:
        return href  # already absolute: skip urljoin, the costliest step here
    if origin and href[0] == "/" and not href.startswith("//") and "/." not in href:
        return origin + href
    low = href[:12].lower()
    if low.startswith(_SKIP_SCHEMES):
        return None
    try:
        url = urljoin(base, href) if base else href
    except ValueError:
        return None
    if not url.startswith(("http://", "https://")):
        return None
    return url


def _areas(dom: Dom, flags: np.ndarray) -> np.ndarray:
    n = len(dom)
    if not n or not flags.any():
        return np.zeros(n, dtype=bool)
    delta = np.zeros(n + 1, dtype=np.int32)
    idx = np.nonzero(flags)[0]
    delta += np.bincount(idx, minlength=n + 1)[: n + 1].astype(np.int32)
    delta -= np.bincount(dom.end[idx] + 1, minlength=n + 1)[: n + 1].astype(np.int32)
    return np.cumsum(delta[:n]) > 0


def _flags(n: int, nodes: Sequence[int]) -> np.ndarray:
    flags = np.zeros(n, dtype=bool)
    flags[np.asarray(nodes, dtype=np.int64)] = True
    return flags


def pager_areas(dom: Dom) -> np.ndarray:
    """Bool per node: inside an element named like a pager (pagination, page-nav, ...)."""
    return _areas(dom, (names.node_flags(dom) & names.PAGERBOX) > 0)


def collect(dom: Dom, base_url: str, *, content: tuple[int, int] | None = None,
            navigation: np.ndarray | None = None, entries: list[Entry] | None = None,
            rows: Sequence[int] = (), head_next: str | None = None,
            own_url: str | None = None) -> tuple[list[Link], str | None]:
    """All links with roles, and the next page URL (or None).

    ``content`` is the DFS range of the main content (links there are ``post``),
    ``navigation`` a per-node flag of boilerplate areas, ``rows`` the DFS indices of a
    listing's rows (their links are no pager of the listing: a topic's own page links
    "1 2 3", a reply count linking the thread), ``head_next`` the href of a
    ``<link rel=next>`` read before the head was stripped, ``own_url`` the page's own URL (a
    ``<base href>`` makes ``base_url`` another one) for the range pager's link to this page.
    """
    n = len(dom)
    if not n:
        return [], None
    frames = _frame_links(dom, base_url)
    a_id = dom.tags.index("a") if "a" in dom.tags else -1
    if a_id < 0:
        return frames, _absolute(head_next, base_url) if head_next else None
    pager = pager_areas(dom)
    nav_tag = np.array([t in _NAV_TAGS for t in dom.tags], dtype=bool)
    nav = _areas(dom, nav_tag[dom.tag_id])
    if navigation is not None:
        nav |= navigation
    entry_urls = {e.url for e in entries or ()}
    page_url = urldefrag(base_url)[0] if base_url else ""
    parts = urlsplit(base_url) if base_url else None
    origin = f"{parts.scheme}://{parts.netloc}" if parts and parts.scheme in ("http", "https") else ""

    links: list[Link] = frames
    own = dom.own_text
    ends = dom.end.tolist()
    # plain lists: indexing a numpy array per link costs more than converting it once
    pager_l = pager.tolist()
    nav_l = nav.tolist()
    in_row = _areas(dom, _flags(n, rows)).tolist() if len(rows) else [False] * n
    next_rel = next_text = None
    numbered: list[tuple[int, str, bool]] = []
    url_numbered: list[tuple[int, str, bool]] = []   # pager links without a number as text (icons)
    blank_next = None   # a link with no text at all whose URL numbers the page after this one
    ranges: list[tuple[int, int, str, int]] = []  # post-range links: (first, last, url, index in links)
    for i, href in zip(*dom.anchor_hrefs()):
        if not href or href[0] == "#":
            continue          # (most pages' commonest links, which _absolute turns down too)
        el = dom.nodes[i]
        url = _absolute(href, base_url, origin)
        if url is None:
            continue
        text = own[i] if ends[i] == i else collapse_ws(" ".join(el.itertext()))
        if not text:
            text = collapse_ws(el.get("title") or el.get("aria-label") or "")
        rel = (el.get("rel") or "").lower().split()
        in_pager = pager_l[i]
        role = "other"
        if url in entry_urls:
            role = "entry"
        elif "next" in rel or "prev" in rel or in_pager and (_NUMBER_RE.match(text) or
                                                             _NEXT_TEXT_RE.match(text) or
                                                             _PREV_TEXT_RE.match(text)):
            role = "pagination"
        elif content is not None and content[0] <= i <= content[1]:
            role = "post"
        elif nav_l[i]:
            role = "navigation"
        links.append(Link(url=url, text=text, role=role))
        if text[:1].isdigit() or text[:1] == "[":
            m = _RANGE_RE.match(text)
            if m and int(m.group(1)) < int(m.group(2)):
                ranges.append((int(m.group(1)), int(m.group(2)), url, len(links) - 1))
            elif (m := _NUMBER_RE.match(text)):  # (a last page of one post: "6" after "1–5")
                ranges.append((int(m.group(1)), int(m.group(1)), url, len(links) - 1))

        if url == page_url or url.split("#", 1)[0] == page_url or in_row[i]:
            continue
        if "next" in rel and next_rel is None:
            next_rel = url
        elif next_text is None and _NEXT_TEXT_RE.match(text) and (in_pager or _PAGED_URL_RE.search(url)):
            next_text = url
            if role == "other":
                links[-1].role = "pagination"
        elif next_text is None and _NEWER_TEXT_RE.match(text) and _later_page(url, page_url):
            next_text = url
            links[-1].role = "pagination"
        elif SEQUENCE_TEXT_RE.match(text) and url_page(url) == 1:
            links[-1].role = "pagination"  # ("‹ Older" to /p1: the first page; pagination.earlier_page_url)
        elif not text and blank_next is None and _numbered_after(url, page_url):
            blank_next = url
        m = _NUMBER_RE.match(text)
        if m and (in_pager or _PAGED_URL_RE.search(url)):
            numbered.append((int(m.group(1)), url, in_pager))
        elif in_pager:
            m = _URL_PAGE_RE.search(url)
            if m:
                url_numbered.append((int(m.group(1) or m.group(2)), url, True))

    nxt = None
    if head_next:
        nxt = _absolute(head_next, base_url)
    # (marks the range pager's links in any case; the page's own URL, which a <base> may hide)
    by_range = _next_range(links, ranges, urldefrag(own_url)[0] if own_url else page_url)
    nxt = (nxt or next_rel or next_text or _next_numbered(dom, numbered, pager, base_url)
           or _next_numbered(dom, url_numbered, pager, base_url) or blank_next or by_range)
    return links, nxt


def _next_range(links: list[Link], ranges: list[tuple[int, int, str, int]], page_url: str) -> str | None:
    """A pager naming its pages by the posts they show ("1–10  11–20  21–23", each a link, this
    page's own among them): its links are pagination when some follow on one another (all of them:
    a long pager skips ranges, "1–5 … 16–20 21–23"), and the next page is the range starting right
    after this page's (the link to this page itself)."""
    if len(ranges) == 1 and ranges[0][0] == 1 < ranges[0][1] and \
            _one_number_apart(_order_free(ranges[0][2]), _order_free(page_url)):
        # the pager of a thread of one page, seen from a window at a later post ("1–5" on msg=11.5)
        links[ranges[0][3]].role = "pagination"
        return None
    if len(ranges) < 2 or all(first == last for first, last, _, _ in ranges):
        return None  # (plain page numbers: the numbered pager's)
    starts = {first for first, _, _, _ in ranges}
    run = [r for r in ranges if r[1] + 1 in starts or any(o[1] + 1 == r[0] for o in ranges)]
    if len(run) < 2 or all(first == last for first, last, _, _ in run):
        return None
    for _, _, _, i in ranges:  # (the whole pager: "1–5 … 16–20 21–23" skips some ranges)
        if links[i].role in ("other", "navigation"):
            links[i].role = "pagination"
    own = _order_free(page_url)
    here = [last for _, last, url, _ in run if _order_free(url.split("#", 1)[0]) == own]
    if not here:
        return None
    host = urlsplit(page_url).netloc
    for first, _, url, _ in run:
        if first == here[0] + 1 and urlsplit(url).netloc == host:
            return url
    return None


def _frame_links(dom: Dom, base_url: str) -> list[Link]:
    """The pages a frameset loads into its ``<frame>``s (navigation: the site's layout). A frameset
    page has no links of its own (libxml2 drops its ``<noframes>`` fallback): without these a site
    whose front page is a frameset is a dead end."""
    if "frame" not in dom.tags:
        return []
    frame_id = dom.tags.index("frame")
    links = []
    for i in np.nonzero(dom.tag_id == frame_id)[0].tolist():
        el = dom.nodes[i]
        url = _absolute(el.get("src") or "", base_url)
        if url is not None:
            links.append(Link(url=url, text=collapse_ws(el.get("title") or ""), role="navigation"))
    return links


_DIGITS = re.compile(r"\d+")


def _order_free(url: str) -> str:
    """``url`` with its query's pairs in sorted order: a page's pager links the page itself with
    its parameters in its own order (``?webtag=X&msg=5.1``), the crawler fetched it at another
    (``?msg=5.1&webtag=X``, its canonical form)."""
    base, mark, query = url.partition("?")
    return base + mark + "&".join(sorted(query.split("&"))) if mark else url


def _one_number_apart(url: str, page_url: str) -> bool:
    """The two URLs are the same but for one number (the same thread from another post)."""
    a, b = _DIGITS.findall(url), _DIGITS.findall(page_url)
    return (url != page_url and _DIGITS.split(url) == _DIGITS.split(page_url)
            and sum(x != y for x, y in zip(a, b)) == 1)
_PAGE_SUFFIX = re.compile(r"[/\-_]2(?=(?:\.html?)?/?(?:[?#]|$))")


def _numbered_after(url: str, page_url: str) -> bool:
    """``url`` names the page after ``page_url`` in the site's own numbering: its last number one
    more (``?t/8/2.html`` -> ``?t/8/3.html``, an id before it), or page 2 added to a page without one
    (``?t/8.html`` -> ``?t/8/2.html``, ``/topic-8.html`` -> ``/topic-8-2.html``). For a button
    whose label did not render, or an icon with no name: never a link to the next topic by id
    (``/t/8.html`` -> ``/t/9.html``), whose only number is the id."""
    if not page_url or urlsplit(url).netloc != urlsplit(page_url).netloc:
        return False
    here, there = _DIGITS.findall(page_url), _DIGITS.findall(url)
    if len(there) == len(here) + 1:
        m = _PAGE_SUFFIX.search(url)
        return m is not None and url[:m.start()] + url[m.end():] == page_url and len(here) >= 1
    if len(there) != len(here) or len(here) < 2 or _DIGITS.split(url) != _DIGITS.split(page_url):
        return False
    return there[:-1] == here[:-1] and int(there[-1]) == int(here[-1]) + 1


def url_page(url: str) -> int | None:
    """The page number ``url`` asks for (``?page=3``, ``/page/3``, ``/p3``), or None."""
    m = _URL_PAGE_RE.search(url) or _URL_PAGE_END_RE.search(url)
    return int(next(g for g in m.groups() if g)) if m else None


def _later_page(url: str, page_url: str) -> bool:
    """``url`` asks for a later page (by its number) than ``page_url``, a page without a number being page 1."""
    there = url_page(url)
    return there is not None and there > (url_page(page_url) or 1)


def _current_page(dom: Dom, pager: np.ndarray, url: str) -> int | None:
    """The page number the page itself shows: a non-link number in the pager, else the URL's."""
    shown = np.nonzero(pager & ~dom.in_link)[0].tolist()
    for i in shown:
        m = _NUMBER_RE.match(dom.own_text[i])
        if m:
            return int(m.group(1))
    for i in shown:
        m = _PAGE_OF_RE.match(dom.own_text[i])
        if m:
            return int(m.group(1))
    m = _URL_PAGE_RE.search(url)
    if m:
        return int(m.group(1) or m.group(2))
    return None


def _next_numbered(dom: Dom, numbered: list[tuple[int, str, bool]], pager: np.ndarray,
                   url: str) -> str | None:
    """The link numbered one past the current page (numbers from link texts, or from pager URLs)."""
    if not numbered:
        return None
    current = _current_page(dom, pager, url)
    if current is None:
        # first page of a paged thread usually links pages 2, 3, ... but not 1
        nums = {k for k, _, _ in numbered}
        current = 1 if 1 not in nums and 2 in nums else None
    if current is None:
        return None
    for k, link, _ in numbered:
        if k == current + 1 and urlsplit(link).netloc == urlsplit(url).netloc:
            return link
    return None


# A string literal in a script that a page number is appended to: "index.php?c=read&id=10&page=" + n
# (a "load more" button fetching the next page by script; the pager has no links).
# Found from its end (``=" +``), then read back to its opening quote: one pass over a script.
_SCRIPT_LITERAL_END = re.compile(r"""=(["'])\s*\+""")
_SCRIPT_PAGE_LITERAL = re.compile(r"""[^"'\s<>]*[?&](?:page|p|pg|pn|paged|pagenum|pageno|curpage)=""", re.I)
_SCRIPT_PAGE_KEY = re.compile(r"[?&](?:page|p|pg|pn|paged|pagenum|pageno|curpage)$", re.I)  # (just before the "=")


def script_next_page(html: str, url: str) -> str | None:
    """The next page a page's own script asks for, or None.

    Some engines page a thread only through a "load more" button (HadSky): a script appends
    a page number to the page's own URL, its page number cut off (``"...&page=" + n``), and no
    pager link exists. Only such a literal counts: resolved against ``url`` it must name the
    same path and the same query but for the page parameter, which it leaves last and empty;
    the next page is then this page's number (1 when ``url`` names none) plus one.
    Read from the document's text (scripts are stripped before the DOM is numbered): one
    regular-expression pass, no walk of the tree."""
    if not url:
        return None
    here = None
    for end in _SCRIPT_LITERAL_END.finditer(html):
        if not _SCRIPT_PAGE_KEY.search(html, max(0, end.start() - 8), end.start()):
            continue  # (most such ends are other strings: read back only from a page key)
        opening = html.rfind(end.group(1), max(0, end.start() - 500), end.start())
        literal = html[opening + 1:end.start() + 1]
        if opening < 0 or not _SCRIPT_PAGE_LITERAL.fullmatch(literal):
            continue
        target = _absolute(literal, url)
        if target is None:
            continue
        here = here or urlsplit(url)
        there = urlsplit(target)
        if (there.scheme, there.netloc, there.path) != (here.scheme, here.netloc, here.path):
            continue
        pairs = [p.partition("=") for p in there.query.split("&") if p]
        key = pairs[-1][0]
        own = [p.partition("=") for p in here.query.split("&") if p]
        current = [v for k, _, v in own if k == key]
        if sorted((k, v) for k, _, v in pairs[:-1]) != sorted((k, v) for k, _, v in own if k != key):
            continue
        if current and not current[0].isdigit():
            continue
        return target + str(int(current[0]) + 1 if current else 2)
    return None
