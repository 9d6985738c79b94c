"""Thread assembly: which thread a page belongs to, the order of its pages, post positions.

One room of the crawler (docs/crawler.md). A thread's posts are numbered across
all its pages, so a thread is read from its first page along ``next_page_url``
with a running post offset (the *context*: thread URL, page number, offset,
title...). A later page reached before its chain is *parked* until the chain
arrives; a page whose posts were all emitted already (the same page under a
second URL) is a duplicate. A parked page that no chain reached by the end is
not given up: its thread's chain is fetched again from the page it points back
to (a *re-chain*, :meth:`ThreadAssembly.rechain_starts`), and only what that
cannot reach is stored after the thread's last known post. The room returns
decisions (:class:`Reading`: items to emit, the next page to fetch, pages
finished); it never fetches or journals.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from crawler.items import PostItem, ThreadItem
from crawler.titles import TitleCleaner

Count = Callable[..., None]


def _no_count(key: str, count: int = 1) -> None:
    return None


def identity_key(post) -> int | None:
    """A post's identity across the URLs that show it: its site id with its text (on some
    engines ids are only unique within a thread: floor anchors c1, c2...), else its author,
    time and text (an opening post often has no anchor of its own); None when too little is
    known to tell it from another post. (An in-memory key of this crawl: Python's hash is
    enough, and far cheaper than a digest of the text.)"""
    if post.post_id:
        return hash((post.post_id, post.text))
    text = " ".join((post.text or "").split())
    if not text or not (post.author or post.published_raw or len(text) >= 80):
        return None
    return hash((post.author or "", post.published_raw or "", text))


# A chain whose pages in a row show only posts stored under other threads ends here (a list of the
# latest posts read as a thread: its next pages copy more of them). One such page is not enough: a
# thread's page 1 reached after its copy (an archive view read first) still leads to its later pages.
COPIED_PAGES_END_CHAIN = 2
# An article whose lines (of MIN_LINE_CHARS or more) are this share of stored posts' lines copies them.
COPIED_TEXT_SHARE = 0.6
MIN_LINE_CHARS = 20
MAX_POST_LINES = 500_000   # hashes kept (tens of MB at most), then forgotten


@dataclass
class Parked:
    """A later thread page waiting for its chain."""

    page: Any
    key: str
    info: dict[str, Any]
    rid: str | None = None
    earlier: str | None = None


@dataclass
class Reading:
    """What reading a thread page (and the parked pages following it) decided.

    ``items``: thread and post items to emit; ``pages``: (page URL, key, item count)
    of every page read; ``next``: (URL, context) of the page the chain needs next,
    or None at the thread's end; ``kept``: (URL, request id, context) of parked pages
    the chain read, so a shared frontier can record the context they were read with.
    """

    items: list[Any] = field(default_factory=list)
    pages: list[tuple[str, str, int]] = field(default_factory=list)
    next: tuple[str, dict[str, Any]] | None = None
    kept: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    new_posts: int = 0

    def extend(self, other: Reading) -> None:
        self.items += other.items
        self.pages += other.pages
        self.kept += other.kept
        self.new_posts += other.new_posts


class ThreadAssembly:
    """Chains, parked pages and emitted posts of one crawl; see the module docstring."""

    def __init__(self, site: str | None = None, *, titles: TitleCleaner | None = None,
                 count: Count = _no_count) -> None:
        self.site = site
        self.titles = titles or TitleCleaner()
        self.count = count
        self.chains: dict[str, dict[str, Any]] = {}  # URL -> thread context waiting for it
        self.parked: dict[str, Parked] = {}          # later thread pages waiting for their chain
        self.alias: Callable[[str], str] = _same      # a URL's key among parked pages (see rekey)
        self.emitted: set[int] = set()                # keys of posts emitted by this crawl
        self.post_lines: set[int] = set()             # hashes of their longer lines (copies_posts)
        self.identities: dict[int, int] = {}          # post identity -> hash of (thread, position) it was stored at
        self.threads_read: dict[str, list[int]] = {}  # thread URL -> [pages read, last position]
        self.thread_of: dict[str, str] = {}           # page URL -> its thread's URL
        self.views: dict[str, str] = {}               # page skipped as a view -> the page it named
        self.openers: dict[str, tuple[int, int]] = {}  # thread URL -> its first post's (author, text) hashes
        self.rechained: set[str] = set()              # parked URLs whose chain was fetched again (once)
        self.rechains: dict[str, set[str]] = {}       # re-chained thread URL -> pages its chain covers

    # -- which thread -----------------------------------------------------------------------
    def context_for(self, meta: dict[str, Any], key: str, url: str) -> dict[str, Any] | None:
        """The chain context this page is read with: carried by its request, or left by a
        chain that found the page already queued or in flight."""
        return meta.get("fc_thread") or self.chains.pop(key, None) or self.chains.pop(url, None)

    def start(self, page, meta: dict[str, Any], url: str) -> dict[str, Any]:
        """The context of a thread whose first page is ``page``."""
        entry = meta.get("fc_entry") or {}
        return {"thread_url": url, "page": 1, "offset": 0,
                "title": entry.get("title") or self.titles.clean(page.title),
                "replies": entry.get("replies"), "last_activity": entry.get("last_activity"),
                "depth": meta.get("fc_depth", 0)}

    def claim(self, url: str, ctx: dict[str, Any]) -> None:
        """The chain's next page is already queued or in flight: it reads on with ``ctx``."""
        self.chains[url] = ctx

    def note_view(self, url: str, target: str) -> None:
        """``url`` was skipped as a view of ``target`` (``rel=canonical``, "full version"...): in a
        chain, and as a parked page's earlier page, it stands for ``target`` from now on."""
        if url != target:
            self.views[url] = target

    def standing_for(self, url: str) -> str:
        """The page ``url`` stands for: itself, or the page it was skipped as a view of. (esoTalk's
        pages ``/9-slug/p2`` each name an offset ``/9-slug/5`` canonical: its "Newer" links lead
        a chain to pages read only under the URLs they name.)"""
        for _ in range(4):  # (a view of a view; never a loop)
            target = self.views.get(url)
            if target is None:
                break
            url = target
        return url

    def forget(self, key: str) -> None:
        """A page that failed: no chain reads on from it."""
        self.chains.pop(key, None)

    def copies_posts(self, text: str) -> bool:
        """Whether a page's text (an article's, no posts of its own) is mostly lines of posts this
        crawl stored: a list of the latest posts whose last page holds too few to read as a
        thread, a member's posts. Such a page is a repeat, not something new of its pattern."""
        known = total = 0
        for line in _long_lines(text):
            total += len(line)
            if hash(line) in self.post_lines:
                known += len(line)
        return total > 0 and known >= COPIED_TEXT_SHARE * total

    def _note_lines(self, text: str) -> None:
        if len(self.post_lines) >= MAX_POST_LINES:
            self.post_lines.clear()  # memory bound: an older copy then reads as new
        self.post_lines.update(map(hash, _long_lines(text)))

    def already_emitted(self, page) -> bool:
        """Every post of ``page`` was emitted from another URL of the same page."""
        # most pages are new: their first post answers, without keying the rest
        if not page.posts or identity_key(page.posts[0]) not in self.emitted:
            return False
        keys = [identity_key(p) for p in page.posts]
        return all(k is not None and k in self.emitted for k in keys)

    # -- reading -------------------------------------------------------------------------------
    def read(self, page, key: str, url: str, info: dict[str, Any], ctx: dict[str, Any],
             next_page: Callable[[Any, str], str | None]) -> Reading:
        """Items of this thread page and of every parked page that follows it, and the
        page the chain needs next (``next_page(page, url)``: its canonical URL, or None)."""
        reading = Reading()
        while True:
            items, new = self._items(page, url, info, ctx)
            reading.items += items
            reading.new_posts += new
            reading.pages.append((url, key, len(items)))
            copied = ctx.get("copied", 0) + 1 if page.posts and not new else 0
            if copied >= COPIED_PAGES_END_CHAIN:
                # its pages only show posts stored under other threads: a list of the site's
                # latest posts or a member's posts, read as a thread; its next pages copy more
                self.count("forumcrawl/chains_ended/copies")
                return reading
            nxt = next_page(page, url)
            if nxt is None:
                return reading
            nxt = self.standing_for(nxt)
            next_ctx = {**ctx, "page": ctx["page"] + 1, "offset": ctx["offset"] + len(self._placed(page, ctx)),
                        "copied": copied}
            parked = self.parked.pop(self.alias(nxt), None)
            if parked is None:
                reading.next = (nxt, next_ctx)
                return reading
            page, key, url, info, ctx = parked.page, parked.key, nxt, parked.info, next_ctx
            if parked.rid:
                reading.kept.append((url, parked.rid, ctx))

    def park(self, page, key: str, url: str, info: dict[str, Any], rid: str | None = None,
             earlier: str | None = None, rechain: bool = False) -> None:
        """Hold a later thread page until its chain arrives (``earlier``: its thread's
        earlier page, which is fetched meanwhile; ``rechain``: this page was fetched by a
        re-chain, which goes on from ``earlier``)."""
        self.parked[self.alias(url)] = Parked(page, key, info, rid, earlier)
        if rechain:
            self.rechained.add(url)
        self.count("forumcrawl/thread_pages_parked")

    def rekey(self, alias: Callable[[str], str]) -> None:
        """Parked pages are found by ``alias(url)`` from now on (the site's URLs without the
        query parameters learned inert): a page parked under ``?extra=&page=3`` is the one
        a chain reaches as ``?page=3``. Of two parked copies of one page the first is kept."""
        self.alias = alias
        rekeyed: dict[str, Parked] = {}
        for url, parked in self.parked.items():
            rekeyed.setdefault(alias(url), parked)
        self.parked = rekeyed

    def resume(self, found: dict[str, dict[str, Any]],
                   next_page: Callable[[Any, str], str | None]) -> list[Reading]:
        """Read on the parked pages whose chain (read by another worker) reached them:
        one :class:`Reading` per chain (each may need a next page)."""
        readings = []
        for url, ctx in found.items():
            parked = self.parked.pop(url, None)
            if parked is None:  # read meanwhile along a chain of this worker
                continue
            self.count("forumcrawl/chain_resumed")
            readings.append(self.read(parked.page, parked.key, url, parked.info, ctx, next_page))
        return readings

    # -- re-chains ----------------------------------------------------------------------------
    def rechain_starts(self) -> list[str]:
        """Pages to fetch again so that the chains of parked pages reach them, once per
        parked page: the page each points back to (its thread's first page, or an earlier
        one). Pages whose posts were all emitted already are left to :meth:`leftovers`
        (duplicates); so are pages re-chained once already (their first page may be
        unreachable)."""
        starts: list[str] = []
        for url, p in sorted(self.parked.items()):
            if url in self.rechained:
                continue
            self.rechained.add(url)
            if p.earlier and not self.already_emitted(p.page) and p.earlier not in starts:
                starts.append(p.earlier)
        if starts:
            self.count("forumcrawl/rechains", len(starts))
        return starts

    def rechain(self, start: str, url: str) -> None:
        """The page fetched for a re-chain from ``start`` arrived as ``url``: if it begins a
        thread, its chain fetches every page itself until the parked pages are read."""
        covered = self.rechains.setdefault(url, set())
        covered.update((start, url))

    def fetch_ahead(self, nxt: str, ctx: dict[str, Any]) -> bool:
        """Whether a re-chain must fetch ``nxt`` itself (it is not parked here): while pages
        parked here still wait for this thread's chain. Other chains (and a re-chain past
        its parked pages) hand the page over as usual; a page visited twice ends it."""
        covered = self.rechains.get(ctx["thread_url"])
        if covered is None or nxt in covered:
            return False
        waiting = any(p.earlier in covered for p in self.parked.values())
        if waiting:
            covered.add(nxt)
        return waiting

    def leftovers(self) -> tuple[list[str], list[str], Reading, list[Parked]]:
        """At the end, parked pages no chain reached, not even a re-chain: ``(duplicates,
        rescued, reading, parked)``, and forget them. Those whose posts were all emitted from another URL of
        the same page (``?page=1``) are duplicates; the others are *rescued*: no post is
        dropped for its page being reached "from outside" - their new posts are stored
        under the thread of the page they point back to, after its last known post."""
        duplicates: list[str] = []
        rescued: list[str] = []
        reading = Reading()
        pages = list(self.parked.values())
        parked, self.parked = self.parked, {}
        for url, p in sorted(parked.items()):
            if self.already_emitted(p.page):
                duplicates.append(url)
                continue
            earlier = self.standing_for(p.earlier) if p.earlier else None
            thread = self.thread_of.get(earlier or "") or earlier or url
            read, last = self.threads_read.get(thread, [0, 0])
            ctx = {"thread_url": thread, "page": read + 1, "offset": last, "title": None, "depth": 0}
            items, new = self._items(p.page, url, p.info, ctx)
            if not new:
                duplicates.append(url)
                continue
            rescued.append(url)
            reading.items += items
            reading.new_posts += new
            reading.pages.append((url, p.key, len(items)))
        return duplicates, rescued, reading, pages

    # -- items -------------------------------------------------------------------------------
    def _placed(self, page, ctx: dict[str, Any]) -> list:
        """The posts of ``page`` that take a place in its thread: all but the thread's opening
        post shown again above a later page's replies (HYBBS, and topic-on-every-page layouts:
        the same author and text as page 1's first post; its shown date may be relative,
        "40秒前", and differ from page to page, so :func:`identity_key` alone can miss it).
        A later page that shows it without its author's name (HadSky leaves the name empty
        past page 1) repeats it all the same: the same text, no other author."""
        posts = page.posts
        if posts and ctx["page"] > 1:
            opener, again = self.openers.get(ctx["thread_url"]), _opener_key(posts[0])
            if opener is not None and again is not None and opener[1] == again[1] \
                    and (opener[0] == again[0] or not posts[0].author):
                return posts[1:]
        return posts

    def _items(self, page, url: str, info: dict[str, Any], ctx: dict[str, Any]) -> tuple[list[Any], int]:
        """The thread and post items of one page, and how many of its posts are new: a post
        already stored under another thread (a copy on another URL) is left out."""
        self.emitted.update(k for k in map(identity_key, page.posts) if k is not None)
        thread_url, number, offset = ctx["thread_url"], ctx["page"], ctx["offset"]
        self.thread_of[url] = thread_url
        thread_hash = hash(thread_url)
        title = ctx.get("title") or self.titles.clean(page.title)
        items: list[Any] = [ThreadItem.of(dict(
            site=self.site, thread_url=thread_url, page_url=url, page_number=number, title=title,
            replies=ctx.get("replies"), last_activity=ctx.get("last_activity"),
            fetched_at=info["fetched_at"], status=info["status"], etag=info["etag"],
            last_modified=info["last_modified"], content_hash=info["content_hash"],
        ))]
        if number == 1 and page.posts and (opener := _opener_key(page.posts[0])) is not None:
            self.openers[thread_url] = opener
        placed = self._placed(page, ctx)
        shift = len(page.posts) - len(placed)  # (a post's parent is counted among the page's posts)
        if shift:
            self.count("forumcrawl/posts_opener_repeated")
        new = 0
        for index, post in enumerate(placed, 1):
            identity = identity_key(post)
            if identity is not None:
                place = hash((thread_hash, offset + index))
                stored = self.identities.setdefault(identity, place)
                if stored != place:  # stored already, under another thread or position
                    self.count("forumcrawl/posts_duplicate")
                    continue
            new += 1
            self._note_lines(post.text or "")
            items.append(PostItem.of(dict(
                site=self.site, thread_url=thread_url, thread_title=title, page_url=url,
                page_number=number, position=offset + index, floor=post.floor, post_id=post.post_id,
                author=post.author,
                published=post.published.isoformat() if post.published else None,
                published_raw=post.published_raw, text=post.text, html=post.html,
                quotes=list(post.quotes), permalink=post.url, language=page.language,
                parent_position=(offset + post.parent - shift if post.parent > shift else 1) if post.parent else None,
            )))
        if not new:
            return [], 0  # every post is stored already: no thread of its own either
        self.count("forumcrawl/thread_pages")
        if number == 1:
            self.count("forumcrawl/threads")
        self.count("forumcrawl/posts", new)
        progress = self.threads_read.setdefault(thread_url, [0, 0])
        progress[0] = max(progress[0], number)
        progress[1] = max(progress[1], items[-1]["position"])
        return items, new


def _long_lines(text: str) -> list[str]:
    """A text's lines long enough to tell a post by (whitespace collapsed)."""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return [line for line in lines if len(line) >= MIN_LINE_CHARS]


def _opener_key(post) -> tuple[int, int] | None:
    """A first post's author and text, as hashes (None: it has no text)."""
    text = " ".join((post.text or "").split())
    return (hash(post.author or ""), hash(text)) if text else None


def _same(url: str) -> str:
    return url
