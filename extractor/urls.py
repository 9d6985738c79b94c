"""``urljoin`` at a lower price: the same result, memoised, and in-page anchors by concatenation.

A thread page joins the same few kinds of links against one page URL for every post
(permalinks "#post-12", the thread's URL itself, profile links), and ``urljoin`` parses
both URLs each time (about 8 microseconds).
"""
from __future__ import annotations

from functools import lru_cache
from urllib.parse import urljoin


def join(base: str, href: str) -> str:
    """``urljoin(base, href)``, exactly."""
    if href[:1] == "#" and len(href) > 1 and "\t" not in href and "\n" not in href and "\r" not in href:
        # an anchor keeps the base's scheme, host, path and query (urljoin re-serialises them once
        # per base) and replaces its fragment; a base urljoin does not resolve against returns it as is
        prefix = _without_fragment(base)
        return href if prefix == "#" else prefix + href
    return _join(base, href)


@lru_cache(maxsize=4096)
def _join(base: str, href: str) -> str:
    return urljoin(base, href)


@lru_cache(maxsize=256)
def _without_fragment(base: str) -> str:
    return urljoin(base, "#")
