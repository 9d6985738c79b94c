"""Post-range pagers: threads whose pages are named by the posts they start at.

A pager that reads ``1–5  6–10  11–15`` (URLs ``msg=8.1``, ``msg=8.6``, ``msg=8.11``) shows the
thread from any post at the same URL with that post's number: ``msg=8.10`` (an "In reply to"
link) or ``msg=3.2`` (a listing's "last post" link) is a window over posts the thread's pages
show, not a page of its own. One room of the URL policy (crawler/policy.py): it learns each
pager's grid (which number is the post, where pages start, posts a page) for its URL pattern
and answers whether a URL is such a window and which page holds its post.
"""
from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable

from crawler.patterns import url_pattern
from crawler.urls import canonicalize
from crawler.views import id_numbers

log = logging.getLogger("crawler.spiders.generic")

MAX_GRIDS = 100  # URL patterns with a grid learned, per site

_POST_RANGE = re.compile(r"^\[?\s*(\d{1,6})\s*[-–—~]\s*(\d{1,6})\s*\]?$")

# (index of the post number among the URL's numbers, how many numbers, the first page's post, posts a page)
Grid = tuple[int, int, int, int]


class PostGrid:
    """The post-range pagers a site's thread pages showed, by URL pattern."""

    def __init__(self) -> None:
        self.grids: dict[str, Grid] = {}

    def __bool__(self) -> bool:
        return bool(self.grids)

    def learn(self, page, canon: Callable[[str], str] = canonicalize) -> set[str]:
        """A thread page's links into its thread at posts where its post-range pager starts no
        page (:func:`post_windows`); the pager's grid learned for its URL pattern (also from
        pages skipped as views: their pagers tell it before any page is read)."""
        windows, grid = post_windows(page, canon)
        if grid is not None and grid[0] not in self.grids and len(self.grids) < MAX_GRIDS:
            self.grids[grid[0]] = grid[1]
            log.info("Learned: %s names pages by post ranges (a page every %d posts): links of it to "
                     "other posts are windows over posts its pages show; not followed", grid[0], grid[1][3])
        return windows

    def window(self, url: str) -> bool:
        """``url`` opens a thread at a post where no page of its post-range pager starts (a
        listing's "last post" link ``msg=3.2`` where pages start at posts 1, 6, 11): a window over
        posts its thread's pages show, learned from the pagers seen."""
        grid = self.grids.get(url_pattern(url)) if self.grids else None
        if grid is None:
            return False
        k, count, base, step = grid
        numbers = id_numbers(url)
        if len(numbers) != count:
            return False
        post = int(numbers[k])
        return post > base and (post - base) % step != 0

    def start_of(self, page, url: str, strip: Callable[[str], str]) -> str | None:
        """For ``page`` at ``url``, a window at a post where no page starts (:meth:`window`), the
        page of its thread holding that post as its pager links it (``msg=11.5`` -> the ``1–5``
        link ``msg=11.1``), or None: its posts are stored from that page. ``strip`` drops the
        site's inert parameters from a canonical URL."""
        grid = self.grids.get(url_pattern(url))
        if grid is None:
            return own_range_start(page, url, strip)
        if not self.window(url):
            return None
        k, _, base, step = grid
        numbers = id_numbers(url)
        post = int(numbers[k])
        wanted = numbers[:k] + (str(base + (post - base) // step * step),) + numbers[k + 1:]
        for link in page.links:
            if link.role == "pagination":
                there = strip(canonicalize(link.url))
                if id_numbers(there) == wanted and url_pattern(there) == url_pattern(url):
                    return there
        return None


def own_range_start(page, url: str, strip: Callable[[str], str]) -> str | None:
    """Before any grid is learned (no pager of two ranges read yet: the first threads read were
    one page long), a window tells itself: its pager's range holding its post links another URL
    of its pattern, the same but for that number, which is the range's first post ("1–5" linking
    ``msg=11.1`` on ``msg=11.5``). That URL, or None. A thread's own page links itself at its range."""
    numbers = id_numbers(url)
    pattern = None
    for link in page.links:
        if link.role != "pagination":
            continue
        m = _POST_RANGE.match(link.text)
        if m is None:
            continue
        there = strip(canonicalize(link.url))
        if there == url:
            continue
        other = id_numbers(there)
        if len(other) != len(numbers):
            continue
        differ = [k for k in range(len(numbers)) if numbers[k] != other[k]]
        if len(differ) != 1:
            continue
        first, last, post = int(m.group(1)), int(m.group(2)), int(numbers[differ[0]])
        if int(other[differ[0]]) == first and first < post <= last:
            pattern = pattern or url_pattern(url)
            if url_pattern(there) == pattern:
                return there
    return None


def post_windows(page, canon: Callable[[str], str] = canonicalize) -> tuple[set[str], tuple[str, Grid] | None]:
    """Links into this thread at a post where its pager starts no page: a thread page whose pager
    names its pages by post ranges (``1–5  6–10``: the URLs ``msg=8.1``, ``msg=8.6``) shows the thread
    from any post at the same URL with that post's number (``msg=8.10``, an "In reply to" link): a window
    over posts its pages show. Such a link has the pager URLs' pattern and all their numbers but the last.
    Also the pager's grid, for links elsewhere (:meth:`PostGrid.window`): (pattern, grid), or None."""
    pager = [canon(link.url) for link in page.links if link.role == "pagination" and _POST_RANGE.match(link.text)]
    if len(pager) < 2 or len({url_pattern(u) for u in pager}) != 1:
        return set(), None
    numbered = [id_numbers(u) for u in pager]
    if len({len(n) for n in numbered}) != 1:
        return set(), None
    varying = [k for k in range(len(numbered[0])) if len({n[k] for n in numbered}) > 1]
    if len(varying) != 1:  # (the post number alone tells the pages apart)
        return set(), None
    k, pattern, starts = varying[0], url_pattern(pager[0]), set(pager)
    fixed = numbered[0][:k] + numbered[0][k + 1:]
    windows = set()
    for link in page.links:
        if link.role in ("pagination", "entry"):
            continue
        target = canon(link.url)
        numbers = id_numbers(target)
        if target not in starts and len(numbers) == len(numbered[0]) and url_pattern(target) == pattern \
                and numbers[:k] + numbers[k + 1:] == fixed:
            windows.add(target)
    posts = sorted({int(n[k]) for n in numbered})
    step = math.gcd(*(b - a for a, b in zip(posts, posts[1:])))
    grid = (pattern, (k, len(numbered[0]), posts[0], step)) if step > 1 and posts[0] <= step else None
    return windows, grid
