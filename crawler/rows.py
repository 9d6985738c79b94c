"""A listing row's links besides its entry: which lead into that entry's thread.

A board lists each thread in a row: its title (the *entry*) and around it page-jump links
(``1 2 … 7``), a link to its last post, a reply's title in a "recent replies" box. Each leads
into a thread the entry's chain reads anyway. Pure functions of an extracted listing page, used
by the URL policy's discovery (crawler/policy.py).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from crawler.patterns import url_pattern
from crawler.urls import canonicalize
from crawler.views import id_numbers

# a path segment that is a number (a post's, in /topic/4/slug/45)
_NUMBER_SEGMENT = re.compile(r"\d{1,9}/?")


def page_jumps(page, canon: Callable[[str], str] = canonicalize) -> dict[str, str]:
    """A listing's page-jump links: pagination links between an entry and the next one that
    go to the same thread (the same first path segment and a number in common), mapped to
    that entry's URL. (Links after the last entry may be the listing's own pager.)"""
    jumps: dict[str, str] = {}
    entry = None
    pending: list[str] = []
    for link in page.links:
        if link.role == "entry":
            if entry is not None:
                for url in pending:
                    if _same_thread(url, entry):
                        jumps[url] = entry
            entry, pending = canon(link.url), []
        elif link.role == "pagination" and entry is not None:
            pending.append(canon(link.url))
    return jumps


def row_windows(page, canon: Callable[[str], str] = canonicalize) -> dict[str, str]:
    """A listing's links into a thread beside its entry (a row's "last post" link), mapped to
    that entry's URL: after an entry and before the next one, its URL with one number greater
    (``msg=3.2`` beside ``msg=3.1``) or one number more at the end of its path
    (``/topic/4/slug/45`` beside ``/topic/4/slug``). Such a link opens the thread at a later
    post: a later page, or a window over posts its pages show."""
    windows: dict[str, str] = {}
    entry: str | None = None
    for link in page.links:
        if link.role == "entry":
            entry = canon(link.url)
            continue
        if entry is None or link.role == "pagination":
            continue
        target = canon(link.url)
        if target != entry and _later_post_of(target, entry):
            windows[target] = entry
    return windows


def _later_post_of(url: str, entry: str) -> bool:
    """``url`` is ``entry`` opened at a later post: one of its numbers greater, the rest the same
    (the same URL pattern), or its path with a number segment added."""
    a, b = urlsplit(url), urlsplit(entry)
    if a.netloc != b.netloc:
        return False
    if a.query == b.query and a.path.startswith(b.path.rstrip("/") + "/"):
        return bool(_NUMBER_SEGMENT.fullmatch(a.path[len(b.path.rstrip("/")) + 1:]))
    mine, theirs = id_numbers(url), id_numbers(entry)
    if len(mine) != len(theirs) or url_pattern(url) != url_pattern(entry):
        return False
    differ = [(m, t) for m, t in zip(mine, theirs) if m != t]
    return len(differ) == 1 and int(differ[0][0]) > int(differ[0][1])


def titled_as_entries(page, entries: dict[str, Any], canon: Callable[[str], str]) -> set[str]:
    """Links of a listing, not entries, whose text is an entry's title after a short label
    (``Answer: How many replicates``, ``Re: Topic``) and whose URL is another: a reply's own
    link into that thread (a "recent replies" box). Titles shorter than ``_TITLE_MATCH_CHARS``
    match too much to tell."""
    titles = {}
    for url, entry in entries.items():
        title = _title_key(entry.title or "")
        if len(title) >= _TITLE_MATCH_CHARS:
            titles[title] = url
    if not titles:
        return set()
    found = set()
    for link in page.links:
        if link.role == "entry" or not link.text:
            continue
        listed = titles.get(_title_key(_LABEL.sub("", link.text)))
        if listed is not None:
            target = canon(link.url)
            if target != listed and target not in entries:
                found.add(target)
    return found


def _title_key(text: str) -> str:
    return " ".join(text.split()).casefold()


# A short label before a title: one or two words and a colon ("Answer:", "Re:", "Comment:", "回复:").
_LABEL = re.compile(r"^\s*(?:[^\s:：]{1,12}(?:\s[^\s:：]{1,12})?\s*[:：]\s*)+")
_TITLE_MATCH_CHARS = 12


def extends_entry(url: str, entries: dict[str, Any]) -> bool:
    """Whether ``url`` is one of ``entries`` with query parameters added (same path, every
    parameter of the entry kept): a link into that entry's page, not a page of its own."""
    path, _, query = url.partition("?")
    if not query:
        return False
    pairs = set(query.split("&"))
    for entry in entries:
        entry_path, _, entry_query = entry.partition("?")
        if entry_path == path and entry_query and set(entry_query.split("&")) < pairs:
            return True
    return False


def _same_thread(url: str, entry: str) -> bool:
    a, b = urlsplit(url), urlsplit(entry)
    if a.netloc != b.netloc or a.path.split("/")[:2] != b.path.split("/")[:2]:
        return False
    return bool(set(id_numbers(url)) & set(id_numbers(entry)))
