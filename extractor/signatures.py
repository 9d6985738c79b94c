"""Signatures that no markup names: the lines a writer repeats under each of their posts.

A forum appends the same signature to every post of a member. When the page marks it up
(``class="signature"``) the fields step leaves it out already; when it does not, the
signature shows itself by repetition: the same last lines under two or more posts of
one author, that are not the whole post. Those lines are taken off. The posts are the
page's own (``Post`` objects with ``author`` and ``text``), in page order.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Sequence

MAX_SIGNATURE_LINES = 6
MAX_SIGNATURE_CHARS = 400
MIN_SIGNATURE_CHARS = 20      # two posts ending in "Thanks!" share a word, not a signature


def repeated_tail(texts: Sequence[str]) -> int:
    """The number of last lines all ``texts`` share (each keeps at least one line of its own,
    and what they keep is not the same text)."""
    split = [t.split("\n") for t in texts]
    shortest = min(len(lines) for lines in split)
    n = 0
    while n < min(shortest - 1, MAX_SIGNATURE_LINES):
        line = split[0][-1 - n]
        if not line.strip() or any(lines[-1 - n] != line for lines in split[1:]):
            break
        n += 1
    if n and len({tuple(lines[:-n]) for lines in split}) < 2:
        return 0          # the same post twice (sent again): its lines are text, not a signature
    size = sum(len(line) for line in split[0][-n:]) if n else 0
    return n if MIN_SIGNATURE_CHARS <= size <= MAX_SIGNATURE_CHARS else 0


def strip_repeated_signatures(posts: Sequence) -> None:
    """Take off, in place, the last lines that every post of one author repeats."""
    by_author: dict[str, list] = defaultdict(list)
    for post in posts:
        if getattr(post, "author", None) and getattr(post, "text", ""):
            by_author[post.author].append(post)
    for own in by_author.values():
        if len(own) < 2:
            continue
        n = repeated_tail([p.text for p in own])
        if n:
            for post in own:
                post.text = "\n".join(post.text.split("\n")[:-n])
