"""URL patterns a site has shown to be worth nothing, learned during the crawl.

One part of the URL policy room (docs/crawler.md). Every fetched URL falls
into a *pattern*: its path with digit runs and slugs generalised and its query
reduced to its keys (``/days/2025/03/01`` -> ``/days/#/#/#``;
``/topic/4/bump`` -> ``/topic/#/bump``; ``/viewtopic.php?t=5&start=10`` ->
``/viewtopic.php?start&t``). Each response's outcome is recorded against its
pattern: ``new`` (posts or listing entries not seen before, or an article),
``repeat`` (only posts already stored), ``listed`` (a listing whose entries were all
known: nothing new, but a listing), ``wall`` (a login form, or a redirect
to a login/action URL), ``error`` (HTTP error), ``form`` (a form page with
nothing else), ``empty`` (nothing new). A pattern whose first ``min_samples``
responses gave nothing new, or whose first ``unanimous`` responses all gave the same
one of these (evidence that does not need five witnesses: three login walls, three
copies of known posts), or whose share of useful responses stays under
``trap_ratio`` after ``trap_samples`` (an infinite URL space: calendars, date
archives, filters), or whose answers *yielded* anything (new things, posts, listing
entries) less than ``rare_ratio`` of the time after ``rare_samples`` (date archives,
tag clouds, filters: one useful answer among many that showed nothing at all), is not
fetched any more; the decision is logged once with
its reason and counted. A pattern a thread's chain goes on through (a page
that gave new posts named a URL of it as its next page) is never learned useless:
its pages are where the thread's later posts are, whatever copies of pages already
read under another URL of the same shape answered first; so is that pattern without
a context parameter, the shape the chain goes on in once the parameter is learned
inert (:meth:`PatternLearner.chain`).
Nothing here is about a particular site: the site's own responses decide.
"""
from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

log = logging.getLogger("crawler.spiders.generic")

OUTCOMES = ("new", "repeat", "listed", "wall", "error", "form", "empty")
# What an answer that *yielded* something gave, new or not: posts (a thread page of a re-crawl
# shows known posts) or listing entries (a board page of a re-crawl lists known threads). A
# pattern whose answers rarely yield is stopped; one whose pages show posts or entries is not.
YIELDS = ("new", "repeat", "listed")
_DIGITS = re.compile(r"\d+")
# A page named by a plain word in a folder named by one (``/tag/python/``, ``/badge/view/teacher/``,
# ``/info/about``), without a query: one of a set of named pages, as a slug would be. Each word a
# pattern of its own, a site's tags or badges were never judged together. (With a query, an
# extensionless script's name stays: ``/forum/viewtopic?id=5`` is no ``/forum/viewforum?id=2``.)
_NAMED_PAGE = re.compile(r"^(.*/[A-Za-z]+/)[A-Za-z]+(/?)$")
_HEXISH = re.compile(r"^[0-9a-f]{16,}$", re.I)
# An opaque id: a long run of letters and digits mixed (a base32/base36/base64url hash,
# ``U6RXVYRBNSLLFVBXAEXM2F5TZCLFPRNK``); each would otherwise be a pattern of its own.
_OPAQUE_ID = re.compile(r"^(?=[A-Za-z0-9]{16,}$)(?=.*\d)(?=.*[A-Za-z])")

Count = Callable[..., None]


@functools.lru_cache(maxsize=16_384)
def url_pattern(url: str) -> str:
    """The pattern of ``url``: digits as ``#``, long slugs as ``*``, query keys only.
    (Remembered for recent URLs: a link is judged on every page that shows it.)"""
    parts = urlsplit(url)
    path = _path_pattern(parts.path)
    if not parts.query:
        path = _NAMED_PAGE.sub(r"\1*\2", path)
    if parts.query:
        # a key without "=" is a value in the path's place (Discuz's archive "?tid-8.html"): its digits vary;
        # so do those of a key that carries path-like values before its "=" ("?2,36,printview,page=1":
        # comma-separated arguments, the last one named). A value that is a path is the page's route
        # (a front controller's: ThinkPHP's "index.php?s=/forum/index/detail/id/32.html"): its pattern
        # is part of the URL's, as a path's would be.
        keys = set()
        for pair in parts.query.split("&"):
            if not pair:
                continue
            key, _, value = pair.partition("=")
            key = _DIGITS.sub("#", key.lower())
            if value.startswith("/") or value[:3].upper() == "%2F":
                key += "=" + _path_pattern(unquote(value))
            keys.add(key)
        path += "?" + "&".join(sorted(keys))
    return path


def _path_pattern(path: str) -> str:
    """A path's pattern: digits as ``#``, long slugs and hashes as ``*``."""
    segments = []
    for seg in path.split("/"):
        stem, dot, ext = seg.rpartition(".")
        if not dot or not (ext.isalpha() and len(ext) <= 5):
            stem, dot, ext = seg, "", ""
        if "@" in seg:
            stem, dot, ext = "*", "", ""  # an address (a mailing list's, a member's): a name
        elif _HEXISH.match(stem) or _OPAQUE_ID.match(stem) or (("-" in stem or "_" in stem)
                                                             and any(c.isalpha() for c in stem)):
            stem = "*"  # a slug or a hash: the same shape whatever it says
        else:
            stem = _DIGITS.sub("#", stem)
        segments.append(stem + dot + ext)
    return "/".join(segments)


def _without_context(url: str) -> list[str]:
    """``url`` without each of its query parameters whose value is not a number (context
    the page may ignore: a return address, a highlight); a page number or an id stays."""
    parts = urlsplit(url)
    pairs = [p for p in parts.query.split("&") if p]
    out = []
    for i, pair in enumerate(pairs):
        name, eq, value = pair.partition("=")
        if eq and not value.isdigit():
            out.append(parts._replace(query="&".join(pairs[:i] + pairs[i + 1:])).geturl())
    return out


# Verdicts that a pattern gave nothing new (a page of it that did proves them wrong); not "trap" or
# "rarely_yields", which count its useful answers already.
_NOTHING_NEW = frozenset({"nothing_new", "repeats_known_posts", "login_wall", "errors", "forms"})


def _plain(outcome: str) -> str:
    """``listed`` is ``empty`` for the first verdicts (nothing new either way): three answers
    of a pattern listing only known entries, or none, decide it as three empty pages did."""
    return "empty" if outcome == "listed" else outcome


@dataclass
class PatternRecord:
    fetched: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    blocked: str | None = None


class PatternLearner:
    """Outcomes per URL pattern, and the patterns no longer fetched."""

    def __init__(self, *, min_samples: int = 5, unanimous: int = 3, trap_samples: int = 200,
                 trap_ratio: float = 0.02, rare_samples: int = 20, rare_ratio: float = 0.1,
                 max_patterns: int = 10_000, count: Count | None = None) -> None:
        self.min_samples = min_samples
        self.unanimous = min(unanimous, min_samples) if unanimous > 0 else min_samples
        self.trap_samples = trap_samples
        self.trap_ratio = trap_ratio
        self.rare_samples = rare_samples  # 0: no "rarely yields" verdict
        self.rare_ratio = rare_ratio
        self.max_patterns = max_patterns  # memory bound: beyond it, new patterns are not tracked
        self.count = count or (lambda *a, **k: None)
        self.records: dict[str, PatternRecord] = {}
        self.vouched: set[str] = set()  # patterns of pages other pages named the real one
        self.chained: set[str] = set()  # patterns of thread pages a chain goes on through
        self._chain_urls: set[str] = set()  # patterns of next-page URLs named (each expanded once)

    def vouch(self, url: str) -> None:
        """Another page declared ``url`` the real one (a view's target): its pattern is not
        useless, however many of its URLs were copies (on a query-routed engine a topic's
        pages and its "jump to post" windows share one pattern, ``/index.php?topic``)."""
        pattern = url_pattern(url)
        if pattern in self.vouched or len(self.vouched) >= self.max_patterns:
            return
        self.vouched.add(pattern)
        self._unblock(pattern, "pages of it were named the real ones")

    def chain(self, url: str) -> None:
        """A thread page that gave new posts named ``url`` its next page: the pattern of ``url``
        carries the thread's later pages, so it is not useless, however many duplicates of it
        (pages already read under another URL of the same shape: a pager link without a
        tracking parameter, a "page=1" alias) answered before the first of them was read.
        So is the pattern of ``url`` without one of its context parameters (a value that is
        not a number, Discuz's ``extra=page%3D1``): once such a parameter is learned inert and
        dropped from links, the threads' later pages go on under that shorter pattern, whose
        first answers may well be copies. Blocked already, a pattern is fetched again (the
        chain's page would be lost with it)."""
        own = url_pattern(url)
        if own in self._chain_urls or len(self._chain_urls) >= self.max_patterns:
            return
        self._chain_urls.add(own)
        for pattern in (own, *(url_pattern(u) for u in _without_context(url))):
            if pattern in self.chained:
                continue
            self.chained.add(pattern)
            if self._unblock(pattern, "threads' next pages are of it"):
                self.count("forumcrawl/patterns_unlearned/chain")

    def _unblock(self, pattern: str, why: str) -> bool:
        """Fetch URLs of ``pattern`` again if it was learned useless; True if it was."""
        record = self.records.get(pattern)
        if record is None or not record.blocked:
            return False
        log.info("Unlearned: URLs like %s are fetched again (%s)", pattern, why)
        record.blocked = None
        return True

    def forget(self, pattern: str, why: str) -> None:
        """What ``pattern``'s answers taught is void (they were judged on a wrong premise): its
        outcomes are dropped, and it is fetched again if it was blocked."""
        self._unblock(pattern, why)
        if pattern in self.records:
            self.records[pattern] = PatternRecord()

    def blocked(self, url: str) -> str | None:
        """Why ``url`` is not to be fetched (its pattern was learned useless), or None."""
        if not self.min_samples:
            return None
        record = self.records.get(url_pattern(url))
        return record.blocked if record is not None else None

    def verdict_room(self, pattern: str) -> int | None:
        """How many more answers of ``pattern``, useful once already, its "rarely yields"
        verdict still waits for (at least 1), or None when none: judged already, or off. Fetched
        all at once, a pattern's links would be downloaded long before that verdict stops them."""
        record = self.records.get(pattern)
        if not self.min_samples or not self.rare_samples or record is None or record.blocked \
                or record.fetched >= self.rare_samples or pattern in self.vouched or pattern in self.chained:
            return None
        return self.rare_samples - record.fetched

    def record(self, url: str, outcome: str) -> None:
        """One response of ``url`` gave ``outcome`` (one of :data:`OUTCOMES`)."""
        pattern = url_pattern(url)
        record = self.records.get(pattern)
        if record is None:
            if len(self.records) >= self.max_patterns:
                return
            record = self.records[pattern] = PatternRecord()
        record.fetched += 1
        record.outcomes[outcome] = record.outcomes.get(outcome, 0) + 1
        self.count(f"forumcrawl/pattern_outcomes/{outcome}")
        if outcome == "new" and record.blocked in _NOTHING_NEW:
            # Its first answers gave nothing new, but a page of it fetched before that verdict
            # did (a Q&A site's answer links redirect to their question, whose own URLs share
            # the pattern): the verdict was wrong; the pattern has been useful, it is not blocked
            # again for giving nothing new.
            if self._unblock(pattern, "a page of it gave new posts or entries after all"):
                self.count("forumcrawl/patterns_unlearned/new")
        if record.blocked is None and self.min_samples:
            self._decide(pattern, record)

    def _decide(self, pattern: str, record: PatternRecord) -> None:
        if pattern in self.vouched or pattern in self.chained:
            return
        useful = record.outcomes.get("new", 0)
        reason = None
        if useful == 0 and (record.fetched >= self.min_samples
                            or (record.fetched >= self.unanimous and len(set(map(_plain, record.outcomes))) == 1)):
            reason = "nothing_new"
            worst = max((o for o in OUTCOMES if o != "new"), key=lambda o: record.outcomes.get(o, 0))
            if record.outcomes.get(worst, 0) * 2 > record.fetched and worst not in ("empty", "listed"):
                reason = {"repeat": "repeats_known_posts", "wall": "login_wall",
                          "error": "errors", "form": "forms"}[worst]
        elif record.fetched >= self.trap_samples and useful < self.trap_ratio * record.fetched:
            reason = "trap"
        elif self.rare_samples and record.fetched >= self.rare_samples and \
                sum(record.outcomes.get(o, 0) for o in YIELDS) < self.rare_ratio * record.fetched:
            reason = "rarely_yields"
        if reason is None:
            return
        self._block(pattern, record, reason)

    def _block(self, pattern: str, record: PatternRecord, reason: str, why: str | None = None) -> None:
        record.blocked = reason
        self.count(f"forumcrawl/patterns_learned/{reason}")
        summary = ", ".join(f"{n} {o}" for o, n in sorted(record.outcomes.items(), key=lambda x: -x[1]))
        log.info("Learned: URLs like %s are not fetched any more (%s: %s)", pattern, reason,
                 why or f"{record.fetched} fetched: {summary}")

    def block(self, url: str, reason: str, why: str) -> None:
        """``url``'s pattern is useless for ``reason``, which its answers so far showed beyond
        doubt (``why``: two URLs of it redirected to one page); not a pattern that gave something
        new, that other pages named the real one, or that threads' next pages are of."""
        pattern = url_pattern(url)
        record = self.records.get(pattern)
        if record is None or record.blocked or record.outcomes.get("new") or not self.min_samples \
                or pattern in self.vouched or pattern in self.chained:
            return
        self._block(pattern, record, reason, why)

    def learned(self) -> dict[str, str]:
        """Blocked patterns and why."""
        return {p: r.blocked for p, r in self.records.items() if r.blocked}
