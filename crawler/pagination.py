"""Where a thread page sits in its thread, from the links the extractor classified.

A thread's posts are numbered across all its pages, so the spider reads each
thread from its first page along ``next_page_url``. A thread page reached any
other way (a page-jump or "last post" link on a listing) must be recognised as
a later page, so it can wait for its chain instead of starting a thread of its own.
"""
from __future__ import annotations

import re

from extractor.model import Page

from crawler.urls import canonicalize

_SPACE = re.compile(r"\s+")
# Link texts that point at the first page, or at an earlier page, of a paginated thread.
FIRST_TEXTS = frozenset(
    {"1", "[1]", "first", "« first", "first page", "<<", "«", "|<", "首页", "第一页", "第1页", "最前页"}
)
PREV_TEXTS = frozenset(
    {
        "prev", "previous", "‹", "<", "« prev", "‹ prev", "< prev", "« previous", "‹ previous",
        "previous page", "prev page", "上一页", "上页", "前一页", "<上一页", "‹ 上一页",
    }
)


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text.strip().lower())


def earlier_page_url(page: Page, url: str) -> str | None:
    """The canonical URL of the first (or else an earlier) page of the thread ``page``
    belongs to, when ``page`` is not the thread's first page; None when it is."""
    previous = None
    for link in page.links:
        if link.role != "pagination":
            continue
        text = _norm(link.text)
        if text not in FIRST_TEXTS and text not in PREV_TEXTS:
            continue
        target = canonicalize(link.url)
        if target == url or not target.startswith(("http://", "https://")):
            continue
        if text in FIRST_TEXTS:
            return target
        previous = previous or target
    return previous
