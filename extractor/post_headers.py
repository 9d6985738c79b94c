"""Post headers beside the post unit: a unit found as the post's body wrapper whose name and
date sit in a header element just before it.

Some engines build a post as ``<div class="header">name, date</div><div class="body-wrap">
text, date again</div>``: the dated body wrapper repeats and wins as the unit, and the header
with the author is left outside every post. When (nearly) every unit, the first included, has
such a preceding sibling built alike (a class word in common), short, carrying a date or a
profile link, and the headers link their writers' profiles where most units do not, each unit
becomes the run from its header to its end (a ``spans`` run, as for posts without a container
of their own).
"""
from __future__ import annotations

import re
from collections import Counter

import numpy as np

from extractor import fields
from extractor.dom import Dom

MAX_HEADER_CHARS = 400      # a header holds a name, a title, counters and a date, not prose
MIN_HEADER_SHARE = 0.8      # of the units that have one, the first included
_DIGITS = re.compile(r"\d+")
MAX_EMPTY_BETWEEN = 2       # text-less elements (a clearing <div>, an anchor) between header and unit


def _previous_sibling(dom: Dom, i: int) -> int | None:
    """DFS index of the element sibling just before node ``i`` (None: it is the first child)."""
    parent = int(dom.parent[i])
    j = i - 1
    while j > parent and int(dom.parent[j]) != parent:
        j = int(dom.parent[j])
    return j if j > parent else None


def _header_of(dom: Dom, u: int, sub_chars: np.ndarray) -> int | None:
    """The nearest preceding sibling of unit ``u`` that has text, over a few text-less ones."""
    j = _previous_sibling(dom, u)
    for _ in range(MAX_EMPTY_BETWEEN):
        if j is None or sub_chars[j] > 0:
            break
        j = _previous_sibling(dom, j)
    return j if j is not None and sub_chars[j] > 0 else None


def _has_profile_link(dom: Dom, h: int) -> bool:
    for a in dom.nodes[h].iter("a"):
        if fields.is_profile_href(a.get("href") or ""):
            return True
    return False


def widen_to_headers(dom: Dom, units: list[int], spans: dict[int, int], dates: np.ndarray) -> list[int]:
    """``units`` with each unit widened to the run from its post header (see module doc);
    ``spans`` receives the runs' ends. Unchanged when the units nest, are runs already, or
    too few of them have a header."""
    if len(units) < 2 or spans:
        return units
    arr = np.asarray(units)
    if np.any(arr[1:] <= dom.end[arr[:-1]]):
        return units          # threaded comments: nested units keep their subtrees
    sub_chars = dom.subtree(dom.own_chars)
    sub_date = dom.subtree(dates)
    headers: dict[int, int] = {}
    prev_end = -1
    for u in units:
        h = _header_of(dom, u, sub_chars)
        if h is not None and h > prev_end and sub_chars[h] <= MAX_HEADER_CHARS \
                and (sub_date[h] > 0 or _has_profile_link(dom, h)):
            headers[u] = h
        prev_end = int(dom.end[u])
    if units[0] not in headers:
        return units
    # built alike: one tag and a class word they share ("Item-Header" beside "CommentHeader"
    # in the replies and "DiscussionHeader" in the opening post)
    kinds = {u: _kind_words(dom.nodes[h]) for u, h in headers.items()}
    votes = Counter(w for words in kinds.values() for w in words)
    kind, count = votes.most_common(1)[0]
    if count < max(2, MIN_HEADER_SHARE * len(units)) or kind not in kinds[units[0]]:
        return units
    if not _header_adds(dom, [u for u in units if u in headers and kind in kinds[u]], headers):
        return units
    out = []
    for u in units:
        h = headers.get(u)
        if h is not None and kind in kinds[u]:
            spans[h] = int(dom.end[u])
            out.append(h)
        else:
            out.append(u)
    return out


def _kind_words(el) -> set[str]:
    """The tag with each of the element's classes (digits dropped), or the bare tag."""
    classes = {_DIGITS.sub("", c) for c in (el.get("class") or "").split()} - {""}
    return {f"{el.tag}.{c}" for c in classes} or {el.tag}


def _header_adds(dom: Dom, units: list[int], headers: dict[int, int]) -> bool:
    """Whether the headers name the writers where the units do not: a profile link in (nearly)
    every header, in fewer than half of the units. A unit that holds its writer's name already
    keeps to itself (its header is an avatar with the member's rank and post count)."""
    linked = sum(1 for u in units if _has_profile_link(dom, headers[u]))
    return linked >= MIN_HEADER_SHARE * len(units) and \
        sum(1 for u in units if _has_profile_link(dom, u)) < 0.5 * len(units)
