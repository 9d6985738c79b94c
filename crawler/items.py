"""Scrapy items the generic spider yields; the storage pipeline and feed
exports (``-O posts.jsonl``) both consume them.

Field meanings are the contract between the spider and ``storage``:
``storage.Store.write_batch`` takes these items as plain dicts.
"""
from __future__ import annotations

from typing import Any

import scrapy


class _Filled:
    """``Item.of(values)``: ``Item(**values)`` at half the cost."""

    @classmethod
    def of(cls, values: dict[str, Any]):
        """An item holding ``values``, whose keys are checked at once (one set comparison)
        rather than field by field: a thread page yields an item per post."""
        if not values.keys() <= cls.fields.keys():
            unknown = sorted(set(values) - set(cls.fields))
            raise KeyError(f"{cls.__name__} does not support field(s): {', '.join(unknown)}")
        item = cls()
        item._values.update(values)
        return item

    def as_dict(self) -> dict[str, Any]:
        """``dict(item)`` without a ``__getitem__`` call per field (the store's writer thread
        turns every item into a dict)."""
        return dict(self._values)


class ThreadItem(_Filled, scrapy.Item):
    """One page of a forum thread as fetched (one per thread page)."""

    site = scrapy.Field()          # site key: scheme://host[:port] of the thread
    thread_url = scrapy.Field()    # canonical URL of the thread's first page (thread identity)
    page_url = scrapy.Field()      # canonical URL of this page of the thread
    page_number = scrapy.Field()   # 1-based page of the thread
    title = scrapy.Field()
    replies = scrapy.Field()       # reply count when a listing showed it, else None
    last_activity = scrapy.Field() # ISO 8601 or None (from the listing entry)
    fetched_at = scrapy.Field()    # ISO 8601 UTC time of the response
    status = scrapy.Field()        # HTTP status
    etag = scrapy.Field()
    last_modified = scrapy.Field()
    content_hash = scrapy.Field()  # sha1 of the response body


class PostItem(_Filled, scrapy.Item):
    """One post of a thread."""

    site = scrapy.Field()
    thread_url = scrapy.Field()    # canonical URL of the thread's first page
    thread_title = scrapy.Field()
    page_url = scrapy.Field()      # the page the post was on ("url" in query output)
    page_number = scrapy.Field()
    position = scrapy.Field()      # 1-based order within the whole thread
    floor = scrapy.Field()         # the site's printed floor number, or None
    post_id = scrapy.Field()       # the site's own id, or None
    author = scrapy.Field()
    published = scrapy.Field()     # ISO 8601 with offset when known, or None
    published_raw = scrapy.Field() # the date string as shown on the page
    text = scrapy.Field()
    html = scrapy.Field()          # sanitised body
    quotes = scrapy.Field()        # list of quoted texts (kept out of text)
    permalink = scrapy.Field()     # the post's own URL when the page gives one
    parent_position = scrapy.Field()  # a comment: position of the post it is under, else None
    language = scrapy.Field()
