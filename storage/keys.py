"""Stable identities: which stored post an item is, and whether its content changed."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

from .timeutil import parse_datetime, split_offset


def post_key(post: Mapping) -> str:
    """The stable key of a post item.

    The site's own post id when the page has one (scoped to the thread, since
    some engines number posts per thread), else the post's 1-based position in
    the thread. The same post crawled again always gets the same key.
    """
    thread = post.get("thread_url") or post.get("page_url")
    if not thread:
        raise ValueError("a post needs thread_url (or page_url) to be keyed")
    post_id = post.get("post_id")
    if post_id not in (None, ""):
        return f"{thread}#id={post_id}"
    position = post.get("position")
    if position is None:
        raise ValueError(f"post of {thread} has neither post_id nor position")
    return f"{thread}#pos={int(position)}"


_UNPARSED = object()


def content_hash(post: Mapping, published=_UNPARSED) -> str:
    """sha1 over the fields whose change counts as an edit: text, html, author, published.

    ``published``: the post's published time already parsed to naive UTC
    (``split_offset(parse_datetime(...))[0]``), when the caller has it.
    """
    if published is _UNPARSED:
        published, _ = split_offset(parse_datetime(post.get("published")))
    if published and relative_date(post.get("published_raw")):
        published = None   # "7.6 years ago" read a minute later is another instant, not an edit
    parts = (
        post.get("text") or "",
        post.get("html") or "",
        post.get("author") or "",
        published.isoformat() if published else "",
    )
    digest = hashlib.sha1()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


# A date written relative to when the page was read ("3 hours ago", "7.6 years ago", "2 天前",
# "vor 3 Tagen", "hace 2 días", "il y a 3 jours", "yesterday 12:30"): resolved against each
# fetch's clock, so it moves between crawls of an unchanged post.
_RELATIVE_RAW = re.compile(r"\bago\b|前|\bvor\s+\d|\bhace\s|\bil y a\b|\bhá\s|\bjust now\b|"
                           r"\btoday\b|\byesterday\b|今天|昨天|刚刚|刚才", re.I)


def relative_date(raw: str | None) -> bool:
    """Whether a post's date as the page wrote it is relative to the reading time."""
    return bool(raw) and _RELATIVE_RAW.search(raw) is not None
