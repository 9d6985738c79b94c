"""Regex scans that try a pattern only where one of its matches can start.

Python's regex engine tries a pattern without a literal prefix at every position of the
text, tens of nanoseconds each even where nothing can match: scanning a page's short
labels joined (a few KB) for word-led dates cost more than the rest of the date flags.
When every match of a pattern starts at one of a few substrings that ``str.find`` locates
in C, trying the pattern at those places only, in order and never before the end of the
previous match, gives exactly the match starts ``finditer`` gives.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

# characters that IGNORECASE matches with an ASCII letter although ``str.lower`` does not
# turn them into it (U+0130 also lower-cases to two characters, which would move offsets)
CASE_ODD = "\u0130\u0131\u017f\u212a"


def occurrences(text: str, words: Iterable[str]) -> list[int]:
    """Offsets of every occurrence of each of ``words`` in ``text`` (overlaps included)."""
    out: list[int] = []
    find = text.find
    for word in words:
        at = find(word)
        while at >= 0:
            out.append(at)
            at = find(word, at + 1)
    return out


def match_starts(regex: re.Pattern, text: str, starts: Iterable[int]) -> list[int] | None:
    """The start offsets of ``regex.finditer(text)``, given offsets ``starts`` that hold all
    of them; None when the pattern matched an empty string (the caller then scans)."""
    out: list[int] = []
    last = 0
    match = regex.match
    for at in sorted(set(starts)):
        if at < last:
            continue        # inside the previous match: finditer resumes after it
        m = match(text, at)
        if m is not None:
            end = m.end()
            if end == at:
                return None
            out.append(at)
            last = end
    return out


def odd_case(text: str) -> bool:
    """Whether ``text`` holds a character that IGNORECASE folds unlike ``str.lower``."""
    return any(c in text for c in CASE_ODD)
