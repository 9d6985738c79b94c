"""What the crawler's rooms decide to fetch, and how urgently: plain data, no Scrapy.

The spider turns each :class:`Fetch` into a ``scrapy.Request``; rooms never build
requests themselves, so they can be driven by tests without an engine.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Request priorities (higher first): finish the thread being read before discovering more.
PRIORITY_SAMPLE = 110    # a page the site template is learned from (held pages wait for them)
PRIORITY_CHAIN = 100     # next page of a thread being read
PRIORITY_FIRST = 90      # first page of a thread whose later page arrived first
PRIORITY_ENTRY = 50      # a thread or article listed on a listing
PRIORITY_LISTING_NEXT = 30
PRIORITY_PAGINATION = 20
PRIORITY_NAVIGATION = 0
PRIORITY_OTHER = -10
PRIORITY_IN_POST = -20
ROLE_PRIORITY = {
    "entry": PRIORITY_ENTRY,
    "pagination": PRIORITY_PAGINATION,
    "navigation": PRIORITY_NAVIGATION,
    "other": PRIORITY_OTHER,
    "post": PRIORITY_IN_POST,
}


@dataclass
class Fetch:
    """One page to request: URL, priority, the meta it carries, and whether the
    scheduler's own dupefilter must let it through (a continuation already journaled)."""

    url: str
    priority: int
    meta: dict[str, Any] = field(default_factory=dict)
    dont_filter: bool = False
    headers: dict[str, str] | None = None
