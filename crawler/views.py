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

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from crawler.assembly import identity_key
from crawler.pagination import earlier_page_url, first_page_aliases
from crawler.patterns import url_pattern
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
    """A tag's attributes, their values HTML-unescaped (``href="t.php?id=9&amp;p=2"`` is
    ``t.php?id=9&p=2``, as a browser reads it)."""
    out = {}
    for name, a, b, c in _ATTR.findall(tag):
        out[name.decode("latin-1").lower()] = html.unescape((a or b or c).decode("utf-8", "replace")).strip()
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


_TITLE_NOISE = re.compile(r"[\W_]+")


def another_thread(page, url: str, declared: str | None, chain_title: str | None,
                   clean: Callable[[str | None], str | None], in_scope: Callable[[str], bool]) -> str | None:
    """For a page fetched as a thread chain's next page: the canonical URL it declares, when the
    page says it is another thread's page; else None. Some forums give ``<link rel=next>`` (the
    chain's most trusted next page) to the next *topic* (ElkArte's ``topic=10.0;prev_next=next``
    serves the neighbouring topic, declaring ``topic=8.15`` canonical): read on the chain, that
    topic's posts would be stored under this one. Both must say so: the page declares another
    page its canonical one (:func:`view_target`: not itself, nor an earlier page of its own
    thread), and its title does not name the chain's thread (neither title holds the other's
    words). A later page declaring its first page, or a site naming every page by one title,
    stays on its chain."""
    if not declared or not chain_title:
        return None
    target = view_target(page, url, declared, in_scope)
    if target is None or target != canonicalize(declared):
        return None
    here = _TITLE_NOISE.sub("", (clean(page.title) or "").lower())
    chain = _TITLE_NOISE.sub("", chain_title.lower())
    if not here or not chain or chain in here or here in chain:
        return None
    return target


# A path segment numbering a page or a post offset: "0", "5", "p2", "page-3", "s_20".
_PAGE_SEGMENT = re.compile(r"^(?:[a-z]{1,5}[-_]?)?\d+$", re.I)


def names_same_page(url: str, target: str) -> bool:
    """``target``, the canonical URL the page at ``url`` declares, names the same page by
    another page or post-offset segment of the same thread path, with the same query: the
    thread URL and its first page's offset (esoTalk's ``/9-slug`` naming ``/9-slug/0``), or a
    page number and the offset of its first post (``/9-slug/p2`` naming ``/9-slug/5``). Such a
    page is read where it is, standing for ``target`` (never fetched then): it is ``target``
    in another URL's words, not a print, archive or "jump to post" view of another layout
    (those live under another path: ``/archiver/?tid-7.html``, ``printthread.php``), nor a
    window naming its thread's bare URL (``/topic/4/slug/45`` naming ``/topic/4/slug``)."""
    u, t = urlsplit(url), urlsplit(target)
    if u.netloc != t.netloc or u.query != t.query:
        return False
    here, there = u.path.rstrip("/").split("/"), t.path.rstrip("/").split("/")
    if len(there) == len(here) + 1 and there[:-1] == here:
        return _names_thread(here) and bool(_PAGE_SEGMENT.match(there[-1]))
    return (len(here) == len(there) and here[:-1] == there[:-1] and here[-1] != there[-1]
            and _names_thread(here[:-1]) and bool(_PAGE_SEGMENT.match(here[-1]) and _PAGE_SEGMENT.match(there[-1])))


def _names_thread(segments: list[str]) -> bool:
    """The shared path names one thread by an id (a segment with a digit: ``9-slug``, ``t5``):
    ``/t/5`` naming ``/t/6`` is another thread, not another page of one."""
    return any(any(c.isdigit() for c in segment) for segment in segments)


def standing_for(page, url: str, declared: str | None, in_scope: Callable[[str], bool]) -> str | None:
    """The page ``page`` (a thread page at canonical ``url``) stands for: the canonical URL it
    declares when that names the same page (:func:`names_same_page`) and counts as a view
    target (:func:`view_target`: not the page itself, nor an earlier page of its thread);
    else None."""
    if not declared:
        return None
    target = canonicalize(declared)
    if target == url or not names_same_page(url, target):
        return None
    return target if view_target(page, url, declared, in_scope) == target else None


def copy_of(page, url: str, declared: str | None, in_scope: Callable[[str], bool]) -> str | None:
    """For a page without posts: the page it copies, or None. A page that declares another
    one (``rel=canonical``, ``og:url``) is a copy of it (the print view of a topic the
    extractor could not split); a page read as an article may also name its thread by a
    "full version" link (an archive page). Never a listing: its entries are what it gives."""
    if page.posts or page.entries:
        return None
    target = view_target(page, url, declared, in_scope)
    if target is None:
        return None
    if declared and target == canonicalize(declared):
        return target
    return target if page.kind == "article" else None


def is_digest(page, url: str) -> bool:
    """``page`` gathers posts that live on other pages ("recent posts", search results,
    portal streams, an imageboard's index of thread teasers): most of its posts link to a
    post anchor on another page (``index.php?topic=5.msg12#msg12``). Their posts are stored
    from those pages, never from the digest (which would store them twice, out of
    their threads). A permalink to this very page under its page-1 name counts as its
    own (PunkwebBB's first page ``/thread/<id>/`` links each post as ``?page=1#post-..``:
    read as a digest, every first page was lost and its later pages became threads).

    A post with an id of its own counts only when the posts with ids point at two or more
    other paths (``res/23.html#32``, ``res/14.html#14``: teasers of several threads): a
    thread page's posts may each link a permalink of their own (``viewtopic.php?p=12#p12``,
    ``/t/slug/5/3``), all under one path once a trailing post index is dropped."""
    own = {url, *first_page_aliases(url)}
    own_path = urlsplit(url).path
    elsewhere = 0
    other_paths: list[str] = []
    for post in page.posts:
        link = post.url or ""
        if "#" not in link:
            continue
        target = canonicalize(link)
        if target in own or url in first_page_aliases(target):
            continue
        if not post.post_id:
            elsewhere += 1
            continue
        path = _POST_INDEX_TAIL.sub("", urlsplit(target).path) or "/"
        if path != own_path:
            other_paths.append(path)
    if len(set(other_paths)) >= 2:
        elsewhere += len(other_paths)
    return elsewhere >= 2 and elsewhere * 2 > len(page.posts)


_POST_INDEX_TAIL = re.compile(r"/\d+/?$")
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
    """``target`` is ``url``'s path with some of its query parameters dropped, one of them
    numbering pages (``/t?id=4&page=3`` declaring ``/t?id=4``, also beside a tracking
    parameter: Discuz!'s ``extra=page%3D1&page=2&tid=7`` declaring ``tid=7``): this
    thread's first page, ``url`` a later one. Dropped parameters that number nothing
    (``action=printpage``, ``view=print``, an empty ``extra=``) make ``url`` another view
    of ``target``; on query-routed engines (``index.php?...``) every page shares one path."""
    t, u = urlsplit(target), urlsplit(url)
    if (t.netloc, t.path) != (u.netloc, u.path):
        return False
    t_pairs = set(t.query.split("&")) - {""}
    u_pairs = set(u.query.split("&")) - {""}
    return t_pairs < u_pairs and any(_numbers_something(pair) for pair in u_pairs - t_pairs)


def _numbers_something(pair: str) -> bool:
    """A query pair whose value is a number (``page=3``, ``start=20``, ``topic=5.15``)."""
    value = pair.partition("=")[2]
    return bool(value) and _NUMERIC_VALUE.match(value) is not None


_NUMERIC_VALUE = re.compile(r"^[\d.,_-]+$")


# -- learned: which URLs are views of which pages ---------------------------------------------
_NUMBER = re.compile(r"\d+")
Signature = tuple[str, str, tuple[str, ...]]


def id_numbers(url: str) -> tuple[str, ...]:
    """The numbers in ``url`` that may name things: the path's digit runs, then the
    query values' (in the canonical order of the keys)."""
    parts = urlsplit(url)
    numbers = _NUMBER.findall(parts.path)
    if parts.query:
        for pair in sorted(parts.query.split("&")):
            numbers += _NUMBER.findall(pair.partition("=")[2])
    return tuple(numbers)


def signature(url: str) -> Signature:
    """What names a page whatever its slug says: host, URL pattern and numbers
    (``/topic/4/fixing-the-tap?page=2`` -> ``(host, "/topic/#/*?page", ("4", "2"))``)."""
    return urlsplit(url).netloc, url_pattern(url), id_numbers(url)


@dataclass
class _Relation:
    target: tuple[str, str]   # the pages named: host and URL pattern
    sources: list[set[int]]   # for each of their numbers, the view's numbers it may be
    votes: int = 1
    misses: int = 0


class ViewMap:
    """How a site's views name their real page, learned from the views it served.

    After two views of one URL pattern named their page the same way (the archive
    ``/archive/t-4.html`` names ``/topic/4/<slug>``; the window ``/topic/4/<slug>/45``
    names ``/topic/4/<slug>``; the slug-less ``/topic/4?page=2`` names
    ``/topic/4/<slug>?page=2``), the page another URL of that pattern stands for is
    known without fetching it: :meth:`predict` gives its :func:`signature`, and a
    link whose page is already taken on need not be fetched. A pattern whose views
    do not name their page by their own numbers (single-post permalinks) never
    predicts; one that contradicts itself stops predicting.
    """

    def __init__(self, min_votes: int = 2) -> None:
        self.min_votes = min_votes
        self.relations: dict[str, _Relation] = {}
        self.predicting: set[str] = set()  # patterns whose relation is confirmed
        self.pages: dict[int, str] = {}  # first post of each thread page read -> its URL

    def read(self, page, url: str) -> None:
        """``page`` was read as a thread page at ``url``: a page showing the same posts
        later, with nothing to say which page it copies, is a view of this one."""
        key = identity_key(page.posts[0]) if page.posts else None
        if key is not None:
            self.pages.setdefault(key, url)

    def original(self, page) -> str | None:
        """The URL of the page read first with the same posts as ``page``, if any."""
        key = identity_key(page.posts[0]) if page.posts else None
        return self.pages.get(key) if key is not None else None

    def learn(self, view: str, target: str) -> bool:
        """``view`` showed ``target``'s posts; True when its pattern now predicts. A first
        page's alias (``?page=1``) teaches about its bare URL: the page number would
        otherwise seem not to matter."""
        aliases = first_page_aliases(view)
        if aliases:
            view = aliases[-1]
            target = (first_page_aliases(target) or [target])[-1]
        if view == target:
            return bool(self.predicting)
        pattern = url_pattern(view)
        self._learn(pattern, view, target)
        if self._confirmed(self.relations.get(pattern)):
            self.predicting.add(pattern)
            return True
        self.predicting.discard(pattern)
        return False

    def _learn(self, pattern: str, view: str, target: str) -> None:
        numbers = id_numbers(view)
        named = id_numbers(target)
        sources = [{i for i, n in enumerate(numbers) if n == want} for want in named]
        relation = self.relations.get(pattern)
        if not sources or not all(sources):
            if relation is None:
                self.relations[pattern] = relation = _Relation(("", ""), [], votes=0)
            relation.misses += 1
            return
        there = urlsplit(target).netloc, url_pattern(target)
        if relation is None or not relation.votes:
            misses = relation.misses if relation is not None else 0
            self.relations[pattern] = _Relation(there, sources, misses=misses)
            return
        joint = [a & b for a, b in zip(relation.sources, sources)]
        if relation.target != there or len(relation.sources) != len(sources) or not all(joint):
            relation.misses += 1
            return
        relation.sources = joint
        relation.votes += 1

    def _confirmed(self, relation: _Relation | None) -> bool:
        return relation is not None and relation.votes >= self.min_votes and relation.misses * 2 < relation.votes

    def predict(self, url: str) -> Signature | None:
        """The signature of the page ``url`` is a view of, when its pattern predicts; else,
        for a URL with a query, when the same URL without its query predicts a page without
        one: that page with this query (``/topic/4?page=2`` after ``/topic/4`` was shown to
        stand for ``/topic/4/<slug>``: ``/topic/4/<slug>?page=2``)."""
        pattern = url_pattern(url)
        if pattern in self.predicting:
            return self._apply(self.relations[pattern], id_numbers(url))
        path, mark, _ = pattern.partition("?")
        if not mark or path not in self.predicting:
            return None
        relation = self.relations[path]
        if "?" in relation.target[1]:
            return None
        parts = urlsplit(url)
        base = self._apply(relation, tuple(_NUMBER.findall(parts.path)))
        if base is None:
            return None
        query = id_numbers(url)[len(_NUMBER.findall(parts.path)):]
        return base[0], base[1] + "?" + pattern.partition("?")[2], base[2] + query

    @staticmethod
    def _apply(relation: _Relation, numbers: tuple[str, ...]) -> Signature | None:
        picks = [min(s) for s in relation.sources]
        if max(picks) >= len(numbers):
            return None
        return relation.target[0], relation.target[1], tuple(numbers[i] for i in picks)

    def forget(self, pattern: str) -> None:
        """``pattern``'s pages were no views after all (the page they name shows no posts): it
        never predicts again."""
        self.predicting.discard(pattern)
        self.relations[pattern] = _Relation(("", ""), [], votes=0, misses=1_000_000)

    def __bool__(self) -> bool:
        return bool(self.predicting)
