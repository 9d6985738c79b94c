"""Bigrams of CJK text, so two-character Chinese (Japanese, Korean) words are
found through an index instead of a scan.

Trigram indexes (SQLite FTS5 trigram, PostgreSQL pg_trgm) cannot match terms
shorter than three characters, yet most Chinese words are two characters
long. Every pair of adjacent CJK characters of a post is indexed as a token;
a two-character CJK search term then is one index lookup (table ``posts_cjk``,
migration 0003).
"""
from __future__ import annotations

import re

CJK_RANGES = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
CJK_RUN = re.compile(f"[{CJK_RANGES}]{{2,}}")
CJK_PAIR = re.compile(f"[{CJK_RANGES}]{{2}}")


def cjk_bigrams(text: str | None) -> list[str]:
    """Distinct pairs of adjacent CJK characters in ``text``, in order of first appearance."""
    seen: dict[str, None] = {}
    for run in CJK_RUN.findall(text or ""):
        for i in range(len(run) - 1):
            seen[run[i:i + 2]] = None
    return list(seen)


def is_cjk_pair(term: str) -> bool:
    """True for a search term of exactly two CJK characters (what the bigram index answers)."""
    return CJK_PAIR.fullmatch(term) is not None
