"""Query parameters a site showed to change nothing (Discuz's ``extra=page%3D1``).

One room of the URL policy. Links of many forums carry context the page ignores
(where the reader came from, a highlight, a return address), so the same thread
page is reached under two or three URLs. Every thread page's posts are noted by
URL: when two URLs that differ only in the *value* of one parameter show the
same posts, that parameter counts one vote; after ``min_votes`` votes, and no
pair with the same parameter showing different posts, it is inert on that path
and dropped from the site's links, so each page is taken on once. A page number
(``page=1`` vs ``page=2``) always shows different posts, so it never qualifies;
presence against absence counts only for a value that is not a number
(``?page=1`` beside the bare URL is no evidence; ``?extra=page%3D1`` is).
A page that declares the URL without the parameter its canonical one, and shows
that URL's posts, says itself that the parameter changes nothing: that one pair
is enough (learned before the other links carrying it are fetched). A URL counts
once, however often it is fetched (a thread read again must not vote twice). The
same posts among a very different number of links is another rendering (a print
view), not the same page: it vetoes. :class:`InertCopies` keeps the copies met while a
parameter is still being judged, and the fetches waiting for that verdict.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

from crawler.fetches import Fetch
from crawler.patterns import url_pattern

MAX_URLS = 20_000  # memory bound on remembered pages
MAX_VALUES = 64    # values of one parameter remembered beside the same other parameters
MAX_KEPT = 64      # copies kept to stand in for their targets (bodies: a few MB at most)


class InertParams:
    """Per path, the query parameters learned inert; votes and vetoes until then."""

    def __init__(self, min_votes: int = 2) -> None:
        self.min_votes = min_votes
        self.inert: dict[str, set[str]] = {}
        self._votes: dict[tuple[str, str], int] = {}
        self._vetoed: set[tuple[str, str]] = set()
        self._seen: dict[tuple[str, str, str], dict[str, _Shown]] = {}  # (path, param, rest) -> value -> posts
        self._bare: dict[tuple[str, str], _Shown] = {}  # (path, query) -> posts
        # (path, query minus param) -> [(param, posts, whether that page declared the query minus param)]
        self._by_rest: dict[tuple[str, str], list[tuple[str, _Shown, bool]]] = {}

    def observe(self, url: str, posts: frozenset, declared: str | None = None,
                links: int | None = None) -> list[tuple[str, str]]:
        """A page at ``url`` showed ``posts`` (hashes) among ``links`` links, declaring ``declared``
        (canonical) its URL; returns the (path, param) learned inert now."""
        if not posts:
            return []
        posts = _Shown(posts, links)
        parts = urlsplit(url)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        names = [name for name, _ in pairs]
        query = urlencode(pairs)
        if (parts.path, query) in self._bare:
            return []  # observed already: one URL, one vote
        named = _declared_query(parts, declared)
        learned = []
        touched = set()
        if len(self._bare) < MAX_URLS:
            self._bare[(parts.path, query)] = posts
        for name, shown, said in self._by_rest.get((parts.path, query), ()):
            touched.add(self._judge((parts.path, name), shown == posts, said))  # seen before with name=<word>
        for i, (name, value) in enumerate(pairs):
            if names.count(name) != 1:
                continue
            key = (parts.path, name)
            if key in self._vetoed or name in self.inert.get(parts.path, ()):
                continue  # decided: no more evidence needed (a thread id would compare every thread)
            rest = urlencode(pairs[:i] + pairs[i + 1:])
            values = self._seen.setdefault((parts.path, name, rest), {})
            for other, shown in values.items():
                if other == value:
                    continue
                if shown == posts:
                    self._votes[key] = self._votes.get(key, 0) + 1
                else:
                    self._vetoed.add(key)
                    break  # (one pair showing other posts settles it)
            if len(self._seen) < MAX_URLS and len(values) < MAX_VALUES:
                values[value] = posts
            if value and not value.isdigit():
                said = named == rest  # this page declares itself the URL without the parameter
                bare = self._bare.get((parts.path, rest))
                if bare is not None:
                    self._judge(key, bare == posts, said)
                if len(self._by_rest) < MAX_URLS:
                    self._by_rest.setdefault((parts.path, rest), []).append((name, posts, said))
            touched.add(key)
        for key in touched:
            path, name = key
            if (key not in self._vetoed and self._votes.get(key, 0) >= self.min_votes
                    and name not in self.inert.get(path, ())):
                self.inert.setdefault(path, set()).add(name)
                learned.append(key)
        return learned

    def undecided(self, url: str, target: str) -> bool:
        """``target`` is ``url`` without some parameters whose values are words (not numbers),
        none of them shown to change the posts yet: what the page at ``url`` says about
        them is evidence still to be weighed (``target``'s posts decide)."""
        u, t = urlsplit(url), urlsplit(target)
        if (u.netloc, u.path) != (t.netloc, t.path):
            return False
        pairs = parse_qsl(u.query, keep_blank_values=True)
        kept = parse_qsl(t.query, keep_blank_values=True)
        dropped = [pair for pair in pairs if pair not in kept]
        return (bool(dropped) and len(dropped) + len(kept) == len(pairs)
                and all(value and not value.isdigit() and (u.path, name) not in self._vetoed
                        and name not in self.inert.get(u.path, ()) for name, value in dropped))

    def _judge(self, key: tuple[str, str], same: bool, declared: bool = False) -> tuple[str, str]:
        if same:
            # the page itself named the URL without the parameter: as good as ``min_votes`` pairs
            self._votes[key] = self._votes.get(key, 0) + (self.min_votes if declared else 1)
        else:
            self._vetoed.add(key)
        return key

    def strip(self, url: str) -> str:
        """``url`` without the parameters learned inert on its path."""
        if not self.inert or "?" not in url:
            return url
        parts = urlsplit(url)
        drop = self.inert.get(parts.path)
        if not drop:
            return url
        pairs = [(n, v) for n, v in parse_qsl(parts.query, keep_blank_values=True) if n not in drop]
        return urlunsplit(parts._replace(query=urlencode(pairs)))

    def __bool__(self) -> bool:
        return bool(self.inert)


class InertCopies:
    """The copies of pages met while a parameter is being judged, and the fetches they hold.

    A link carrying a parameter not judged yet is fetched (it may show another page) and,
    when its page turns out a copy of a page taken on, kept for a while: if the parameter is
    learned inert before that target is fetched, the copy stands in for it (one GET saved).
    Targets of further copies like it wait for the first target's posts (its verdict) rather
    than all being fetched at once. Pages read under their URL without inert parameters are
    remembered, so a request for that URL still queued is not fetched again.
    """

    def __init__(self) -> None:
        self._read: set[str] = set()  # URLs whose page was read from a URL with inert parameters
        self._kept: dict[str, tuple[str, bytes, dict[str, Any]]] = {}  # target -> a copy skipped meanwhile
        self._judging: dict[str, str] = {}  # pattern of copies -> the target whose posts judge their parameter
        self._for_verdict: dict[str, list[Fetch]] = {}  # pattern of copies -> the other targets, waiting

    def note_read(self, url: str) -> None:
        """The page of ``url`` was read from a URL carrying inert parameters."""
        if len(self._read) < MAX_URLS:
            self._read.add(url)

    def was_read(self, url: str) -> bool:
        """Whether ``url``'s page was read already under another URL (see :meth:`note_read`)."""
        return url in self._read

    def keep(self, view: str, target: str, body: bytes, headers: dict[str, Any]) -> None:
        """The page at ``view`` was skipped as a copy of ``target``: kept (the latest few)."""
        while len(self._kept) >= MAX_KEPT:
            del self._kept[next(iter(self._kept))]
        self._kept[target] = (view, body, headers)

    def await_verdict(self, view: str, fetch: Fetch) -> bool:
        """Hold ``fetch`` (a kept copy's target) while an earlier target like it is fetched to
        judge the parameter; the first target of a URL pattern is the judge (False: not held)."""
        pattern = url_pattern(view)
        if pattern not in self._judging:
            self._judging[pattern] = fetch.url
            return False
        self._for_verdict.setdefault(pattern, []).append(fetch)
        return True

    def judged(self, url: str) -> list[Fetch]:
        """The page at ``url`` was read: the targets held for the verdict it brought, released."""
        released: list[Fetch] = []
        for pattern, judge in list(self._judging.items()):
            if judge == url:
                del self._judging[pattern]
                released += self._for_verdict.pop(pattern, [])
        return released

    def stand_in(self, url: str, strip: Callable[[str], str]) -> tuple[bytes, dict[str, Any]] | None:
        """Body and headers of a kept copy of ``url``'s page that ``strip`` (the parameters learned
        inert dropped) turns into ``url`` (then ``url`` is not fetched), or None; forgotten either way."""
        kept = self._kept.pop(url, None)
        if kept is None or strip(kept[0]) != url:
            return None
        self.note_read(url)
        return kept[1], kept[2]

    def release_all(self) -> list[Fetch]:
        """Every held fetch (when nothing else is left: their judge failed or never came)."""
        released = [f for fetches in self._for_verdict.values() for f in fetches]
        self._for_verdict.clear()
        self._judging.clear()
        return released


class _Shown:
    """What a page showed: its posts, and how many links around them. A print view shows the
    same posts in another page (few links): that is no evidence the parameter changes nothing
    (SMF's ``action=printpage`` beside ``topic=5.0``), and ``action`` must stay."""

    __slots__ = ("posts", "links")

    def __init__(self, posts: frozenset, links: int | None) -> None:
        self.posts, self.links = posts, links

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Shown) or self.posts != other.posts:
            return False
        if self.links is None or other.links is None:
            return True
        return abs(self.links - other.links) <= max(3, max(self.links, other.links) // 10)

    __hash__ = None  # type: ignore[assignment]


def _declared_query(url: SplitResult, declared: str | None) -> str | None:
    """The query of ``declared`` (a canonical URL) in :meth:`InertParams.observe`'s form,
    when it is on ``url``'s host and path; else None."""
    if not declared:
        return None
    parts = urlsplit(declared)
    if (parts.netloc, parts.path) != (url.netloc, url.path):
        return None
    return urlencode(parse_qsl(parts.query, keep_blank_values=True))
