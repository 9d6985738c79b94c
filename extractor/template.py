"""A site's template learned from a handful of its pages (cross-page comparison).

Navigation bars, footers, sidebars and boilerplate lines repeat on every page
of a site with the same tag path and the same text; content does not. A
:class:`SiteTemplate` remembers the (tag path, text) pairs seen on at least
``min_share`` of the pages it learned from; :meth:`SiteTemplate.mask` marks
the nodes of another page that carry such a pair, and the extractor drops
their text before scoring. Pages of one thread (or one listing) repeat their own
title and header as a site's menus do; told as one chain, they count once.
"""
from __future__ import annotations

import json
import math
from itertools import compress
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from extractor.decode import decode
from extractor.dom import Dom, number, strip_invisible
from extractor.parse import parse

# Lines shorter than this are too common to mean anything ("1", "Reply", "»").
MIN_TEXT_CHARS = 2


def _keys(dom: Dom) -> set[tuple[str, str]]:
    paths, texts, pid = dom.paths, dom.own_text, dom.as_list("path_id")
    return {(paths[pid[i]], text) for i, text in enumerate(texts) if text and len(text) >= MIN_TEXT_CHARS}


def _dom_of(page: Any) -> Dom | None:
    html = page[0] if isinstance(page, tuple) else page
    if isinstance(html, (bytes, bytearray)):
        html = decode(bytes(html)).text
    if not isinstance(html, str):
        return None
    root, _ = parse(html)
    strip_invisible(root)
    return number(root)


_TEXTS: dict[int, tuple[set, frozenset[str]]] = {}


def _texts_of(keys: set[tuple[str, str]]) -> frozenset[str]:
    """The (non-empty) texts of a template's keys, worked out once per template."""
    kept = _TEXTS.get(id(keys))
    if kept is None or kept[0] is not keys:
        if len(_TEXTS) >= 16:
            _TEXTS.clear()
        kept = _TEXTS[id(keys)] = (keys, frozenset(text for _, text in keys if text))
    return kept[1]


@dataclass(slots=True)
class SiteTemplate:
    """The (tag path, text) pairs that recur across a site's pages."""

    keys: set[tuple[str, str]] = field(default_factory=set)
    pages: int = 0
    # where the site's thread pages hold their posts (extractor.posts.unit_paths), learnt from
    # pages of three or more posts: a thread page with one reply is split by the same element
    post_units: frozenset[str] = frozenset()
    # the order the site shows numeric dates in ("dmy", "mdy" or None: not told), from dates on its
    # pages that read only one way (``30-4-2024``): a thread page whose days are all 12 or less
    # cannot tell it (extractor.posts.numeric_date_order)
    date_order: str | None = None

    @classmethod
    def learn(cls, pages: Iterable[Any], *, min_share: float = 0.5) -> "SiteTemplate":
        """Learn from HTML pages (bytes, str, ``(html, url)`` or ``(html, url, chain)``); never raises
        on bad pages.

        A pair counts as template when it occurs on at least two pages and on at
        least ``min_share`` of them. Fewer than two pages give an empty template.
        Pages given the same ``chain`` (pages of one thread or one listing, as the crawler
        tells them) count as one page: what they repeat because they are pages of one
        thing (its title, its header box, a question shown above every page) is not the
        site's (unless every page is of one chain: then each page counts).
        """
        counts: Counter = Counter()
        by_chain: dict[Any, set[tuple[str, str]]] = {}
        n = 0
        post_units: set[str] = set()
        day_first = month_first = 0
        for page in pages:
            try:
                dom = _dom_of(page)
            except Exception:
                dom = None
            if dom is None or len(dom) < 2:
                continue
            n += 1
            from extractor.posts import numeric_date_order   # (posts imports modules that import this one)
            d, m = numeric_date_order(dom.own_text)
            day_first, month_first = day_first + d, month_first + m
            keys = _keys(dom)
            counts.update(keys)
            if isinstance(page, tuple) and len(page) > 2 and page[2] is not None:
                chain: Any = ("chain", page[2])
            else:
                chain = ("page", n)
            by_chain.setdefault(chain, set()).update(keys)
            if isinstance(page, tuple) and len(page) > 1 and isinstance(page[1], str):
                from extractor.extract import post_unit_paths   # (extract imports this module's users)
                post_units |= post_unit_paths(page[0], page[1])
        # (one way only: a site showing both orders, or none, leaves each page to itself)
        order = "dmy" if day_first and not month_first else "mdy" if month_first and not day_first else None
        if n < 2:
            return cls(set(), n, frozenset(post_units), order)
        if 2 <= len(by_chain) < n:   # a chain counts once
            counts = Counter(k for keys in by_chain.values() for k in keys)
            need = max(2, math.ceil(min_share * len(by_chain)))
        else:
            need = max(2, math.ceil(min_share * n))
        return cls({k for k, c in counts.items() if c >= need}, n, frozenset(post_units), order)

    def mask(self, dom: Dom) -> np.ndarray:
        """Bool per DFS node: its own text is a template line of this site."""
        out = np.zeros(len(dom), dtype=bool)
        if not self.keys:
            return out
        keys, paths, pid, own = self.keys, dom.paths, dom.as_list("path_id"), dom.own_text
        # the few nodes whose text is one of the template's texts, picked in C; then their paths
        hits = [i for i in compress(range(len(own)), map(_texts_of(keys).__contains__, own))
                if (paths[pid[i]], own[i]) in keys]
        if hits:
            out[hits] = True
        return out

    def __len__(self) -> int:
        return len(self.keys)

    def to_json(self) -> str:
        """Serialised form, so a crawler can keep a site's template between runs."""
        return json.dumps({"pages": self.pages, "keys": sorted(self.keys), "post_units": sorted(self.post_units),
                           "date_order": self.date_order}, ensure_ascii=False)

    @classmethod
    def from_json(cls, data: str) -> "SiteTemplate":
        obj = json.loads(data)
        return cls({(p, t) for p, t in obj.get("keys", [])}, int(obj.get("pages", 0)),
                   frozenset(obj.get("post_units", [])), obj.get("date_order"))
