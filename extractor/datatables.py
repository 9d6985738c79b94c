"""Data tables taken for posts: a statistics page's rankings ("Rank / Topic / Replies / Started by"),
as tables or as lists of figures.

A page of several tables of one build (a forum's statistics: top topics by replies, by views, top
posters), each in a panel of its own, looks to the post finder like a run of posts: the panels
repeat, each names a user and shows a date. But each "post" is nothing but a table under a header
row of ``<th>`` cells: figures in columns, not a message. A forum message may hold a table, but
with words of its own around it; the body of a post that is a table and nothing else, on a page
where most posts are such tables, is no message.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

_OPENS_WITH_TABLE_RE = re.compile(r"\s*(?:<(?:div|section|article|span|p|center)\b[^>]*>\s*)*<table\b", re.I)
_TABLE_RE = re.compile(r"<table\b.*</table\s*>", re.I | re.S)
_TAG_RE = re.compile(r"<[^>]*>")
_HEADER_CELL_RE = re.compile(r"<th[\s>]", re.I)
_ROW_RE = re.compile(r"<tr[\s>]", re.I)
_ENTITY_SPACE_RE = re.compile(r"&nbsp;|&#160;|\s", re.I)

# a data table: a header row and at least this many rows under it
MIN_DATA_ROWS = 2


def is_data_table(html: str) -> bool:
    """Whether a post's body HTML is a table with a header row of ``<th>`` cells and rows under
    it, with no text outside the table."""
    if not _OPENS_WITH_TABLE_RE.match(html) or not _HEADER_CELL_RE.search(html):
        return False     # (the anchored test first: a message's body seldom opens with a table)
    table = _TABLE_RE.search(html)
    if table is None or len(_ROW_RE.findall(table.group(0))) < 1 + MIN_DATA_ROWS:
        return False
    outside = html[:table.start()] + html[table.end():]
    return not _ENTITY_SPACE_RE.sub("", _TAG_RE.sub("", outside))


# a figures list: at least this many lines, a third of them figures alone, none longer than a label
MIN_FIGURE_LINES = 6
MAX_LABEL_CHARS = 60
# a figure alone on its line: "17", "1.00", "48%", "3,204", "0m" (a count with a unit letter or two)
_FIGURE_RE = re.compile(r"^[+\-]?\d[\d.,:/]*\s*(?:%|[^\W\d_]{1,2})?$")


def is_figures_list(text: str) -> bool:
    """Whether a post's text is figures under labels or names and nothing else: a statistics
    panel laid out as ``<dl>`` lists or ``<div>`` rows, no ``<table>`` ("Total Members: 6",
    "Top 10 Posters" with a count under each name). At least :data:`MIN_FIGURE_LINES` lines, at
    least a third of them a figure alone, and no line a sentence: a message's words run longer."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if len(lines) < MIN_FIGURE_LINES or any(len(line) > MAX_LABEL_CHARS for line in lines):
        return False
    return 3 * sum(1 for line in lines if _FIGURE_RE.match(line)) >= len(lines)


def posts_are_data_tables(posts: Sequence) -> bool:
    """Whether the posts found on a page are its data tables: two or more, and at least 80% of
    them nothing but a table under a header row (:func:`is_data_table`) or a list of figures
    (:func:`is_figures_list`)."""
    if len(posts) < 2:
        return False
    misses, allowed = 0, 0.2 * len(posts)
    for post in posts:
        if not is_data_table(post.html or "") and not is_figures_list(post.text or ""):
            misses += 1
            if misses > allowed:
                return False   # (a thread's posts: decided after its first post or few)
    return True
