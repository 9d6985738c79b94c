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
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MAX_URLS = 20_000  # memory bound on remembered pages


class InertParams:
    """Per path, the query parameters learned inert; votes and vetoes until then."""

    def __init__(self, min_votes: int = 2) -> None:
        self.min_votes = min_votes
        self.inert: dict[str, set[str]] = {}
        self._votes: dict[tuple[str, str], int] = {}
        self._vetoed: set[tuple[str, str]] = set()
        self._seen: dict[tuple[str, str, str], dict[str, frozenset]] = {}  # (path, param, rest) -> value -> posts
        self._bare: dict[tuple[str, str], frozenset] = {}  # (path, query) -> posts
        self._by_rest: dict[tuple[str, str], list[tuple[str, frozenset]]] = {}  # (path, query minus param) -> [(param, posts)]

    def observe(self, url: str, posts: frozenset) -> list[tuple[str, str]]:
        """A page at ``url`` showed ``posts`` (hashes); returns the (path, param) learned inert now."""
        if not posts:
            return []
        parts = urlsplit(url)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        names = [name for name, _ in pairs]
        learned = []
        touched = set()
        if len(self._bare) < MAX_URLS:
            self._bare[(parts.path, urlencode(pairs))] = posts
        for name, shown in self._by_rest.get((parts.path, urlencode(pairs)), ()):
            touched.add(self._judge((parts.path, name), shown == posts))  # seen before with name=<word>
        for i, (name, value) in enumerate(pairs):
            if names.count(name) != 1:
                continue
            key = (parts.path, name)
            rest = urlencode(pairs[:i] + pairs[i + 1:])
            values = self._seen.setdefault((parts.path, name, rest), {})
            for other, shown in values.items():
                if other == value:
                    continue
                if shown == posts:
                    self._votes[key] = self._votes.get(key, 0) + 1
                else:
                    self._vetoed.add(key)
            if len(self._seen) < MAX_URLS:
                values[value] = posts
            if value and not value.isdigit():
                bare = self._bare.get((parts.path, rest))
                if bare is not None:
                    self._judge(key, bare == posts)
                if len(self._by_rest) < MAX_URLS:
                    self._by_rest.setdefault((parts.path, rest), []).append((name, posts))
            touched.add(key)
        for key in touched:
            path, name = key
            if (key not in self._vetoed and self._votes.get(key, 0) >= self.min_votes
                    and name not in self.inert.get(path, ())):
                self.inert.setdefault(path, set()).add(name)
                learned.append(key)
        return learned

    def _judge(self, key: tuple[str, str], same: bool) -> tuple[str, str]:
        if same:
            self._votes[key] = self._votes.get(key, 0) + 1
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
