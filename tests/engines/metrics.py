"""Post-level scores: extracted (or crawled) posts against a forum's known posts.

Posts are matched one to one by the similarity of their texts (token-bag F1;
Chinese characters count as one token each, other text as lower-cased words),
greedily from the most similar pair down, a pair counting only at or above
``threshold``. Over the matched pairs we check the author (exact after trimming
and case folding) and the date (same minute; an aware datetime is compared as
an instant; a naive one is wrong unless the caller says which zone the site
shows, ``naive_as``).

Both sides are duck-typed: anything with ``text``, ``author`` and ``published``
attributes (an ``extractor.Post``, a truth post, a stored row) can be scored.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from typing import Any, Iterable, Sequence

DEFAULT_THRESHOLD = 0.8
_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]|[^\W_]+", re.UNICODE)


def tokens(text: str | None) -> list[str]:
    """Words (lower-cased) and single CJK characters; punctuation is ignored."""
    return _TOKEN.findall((text or "").casefold())


def token_f1(a: str | None, b: str | None) -> float:
    """F1 of the two texts' token bags: 1.0 for the same words in any order."""
    return _bag_f1(Counter(tokens(a)), Counter(tokens(b)))


def _bag_f1(ta: Counter, tb: Counter) -> float:
    if not ta or not tb:
        return 0.0
    common = sum((ta & tb).values())
    if not common:
        return 0.0
    precision = common / sum(tb.values())
    recall = common / sum(ta.values())
    return 2 * precision * recall / (precision + recall)


def same_author(truth: str | None, got: str | None) -> bool:
    return bool(truth) and bool(got) and truth.strip().casefold() == got.strip().casefold()


def same_minute(truth: datetime, got: datetime | None, naive_as: tzinfo | None = None) -> bool:
    """True when ``got`` names the same minute as the aware ``truth``, or is within two seconds of
    it: a fresh post shown as "5 秒前" is dated from the page's Date header, a second off either
    way (seen as 20:28:59 for 20:29:00 on Carbon Forum, a "wrong minute")."""
    if got is None:
        return False
    if got.tzinfo is None or got.utcoffset() is None:
        if naive_as is None:
            return False
        got = got.replace(tzinfo=naive_as)
    if abs((got - truth).total_seconds()) <= 2:
        return True
    t = truth.astimezone(timezone.utc).replace(second=0, microsecond=0)
    g = got.astimezone(timezone.utc).replace(second=0, microsecond=0)
    return t == g


@dataclass
class Failure:
    """One thing that went wrong, described for a human fixing the extractor."""

    kind: str  # "missed", "spurious", "author", "date"
    where: str  # page URL or thread
    truth: str = ""
    got: str = ""
    note: str = ""

    def __str__(self) -> str:
        return f"{self.kind:8} {self.where}\n    truth: {self.truth}\n    got:   {self.got}" + (
            f"\n    note:  {self.note}" if self.note else "")


@dataclass
class Score:
    """Counts over one page, one thread or a whole site; add them up with ``+``."""

    truth: int = 0
    extracted: int = 0
    matched: int = 0
    author_ok: int = 0
    date_ok: int = 0
    naive_dates: int = 0
    failures: list[Failure] = field(default_factory=list)

    def __add__(self, other: "Score") -> "Score":
        return Score(self.truth + other.truth, self.extracted + other.extracted, self.matched + other.matched,
                     self.author_ok + other.author_ok, self.date_ok + other.date_ok,
                     self.naive_dates + other.naive_dates, self.failures + other.failures)

    @property
    def precision(self) -> float:
        return self.matched / self.extracted if self.extracted else (1.0 if not self.truth else 0.0)

    @property
    def recall(self) -> float:
        return self.matched / self.truth if self.truth else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def author_accuracy(self) -> float:
        return self.author_ok / self.matched if self.matched else 0.0

    @property
    def date_accuracy(self) -> float:
        return self.date_ok / self.matched if self.matched else 0.0

    def summary(self) -> str:
        return (f"posts {self.truth} extracted {self.extracted} matched {self.matched} "
                f"P {self.precision:.3f} R {self.recall:.3f} F1 {self.f1:.3f} "
                f"author {self.author_accuracy:.3f} date {self.date_accuracy:.3f}"
                + (f" (naive dates: {self.naive_dates})" if self.naive_dates else ""))


def total(scores: Iterable[Score]) -> Score:
    out = Score()
    for s in scores:
        out = out + s
    return out


def match(truth: Sequence[Any], got: Sequence[Any], threshold: float = DEFAULT_THRESHOLD
          ) -> list[tuple[int, int, float]]:
    """One-to-one (truth index, got index, similarity) pairs, most similar first."""
    got_bags = [Counter(tokens(g.text)) for g in got]
    pairs = []
    for i, t in enumerate(truth):
        bag = Counter(tokens(t.text))
        for j, g in enumerate(got_bags):
            sim = _bag_f1(bag, g)
            if sim >= threshold:
                pairs.append((sim, i, j))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    used_t: set[int] = set()
    used_g: set[int] = set()
    out = []
    for sim, i, j in pairs:
        if i not in used_t and j not in used_g:
            used_t.add(i)
            used_g.add(j)
            out.append((i, j, sim))
    return out


def score_posts(truth: Sequence[Any], got: Sequence[Any], *, where: str = "", threshold: float = DEFAULT_THRESHOLD,
                naive_as: tzinfo | None = None) -> Score:
    """Score one page's (or one thread's) posts against the truth."""
    pairs = match(truth, got, threshold)
    score = Score(truth=len(truth), extracted=len(got), matched=len(pairs))
    for i, j, _ in pairs:
        t, g = truth[i], got[j]
        if same_author(t.author, g.author):
            score.author_ok += 1
        else:
            score.failures.append(Failure("author", where, repr(t.author), repr(g.author), _clip(t.text)))
        published = getattr(g, "published", None)
        if published is not None and published.tzinfo is None:
            score.naive_dates += 1
        if same_minute(t.published, published, naive_as):
            score.date_ok += 1
        else:
            raw = getattr(g, "published_raw", None)
            score.failures.append(Failure("date", where, t.published.isoformat(),
                                          published.isoformat() if published else "None",
                                          f"raw {raw!r}; post: {_clip(t.text)}"))
    matched_t = {i for i, _, _ in pairs}
    matched_g = {j for _, j, _ in pairs}
    for i, t in enumerate(truth):
        if i not in matched_t:
            best, j = _best(t.text, got, matched_g)
            score.failures.append(Failure("missed", where, _clip(t.text),
                                          _clip(got[j].text) if j is not None else "",
                                          f"best unmatched similarity {best:.2f}"))
    for j, g in enumerate(got):
        if j not in matched_g:
            best, i = _best(g.text, truth, set())
            score.failures.append(Failure("spurious", where, _clip(truth[i].text) if i is not None else "",
                                          _clip(g.text), f"closest truth post similarity {best:.2f}"))
    return score


def _best(text: str, others: Sequence[Any], skip: set[int]) -> tuple[float, int | None]:
    best, at = 0.0, None
    for k, o in enumerate(others):
        if k in skip:
            continue
        sim = token_f1(text, o.text)
        if sim > best:
            best, at = sim, k
    return best, at


def _clip(text: str | None, n: int = 90) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def score_site(threads: Sequence[Any], got: Sequence[Any], *, threshold: float = DEFAULT_THRESHOLD,
               naive_as: tzinfo | None = None) -> Score:
    """Score everything a crawl stored against every post of a forum, wherever it was found.

    ``threads`` are the truth threads (each with ``posts``); a post shown on two
    pages (Misago repeats a page's last post atop the next) counts once. A post
    stored twice counts once as matched and once as spurious, so duplicates
    lower precision.
    """
    truth = [p for t in threads for p in t.posts]
    return score_posts(truth, got, where="site", threshold=threshold, naive_as=naive_as)
