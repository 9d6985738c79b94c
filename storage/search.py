"""Full-text search over post text that works for Chinese as well as English.

SQLite: the FTS5 table ``posts_fts`` uses the trigram tokenizer, which matches
any substring of three or more characters in any script (no word segmentation
needed for Chinese); shorter terms, such as most two-character Chinese words,
fall back to LIKE. PostgreSQL: ILIKE, accelerated by a pg_trgm GIN index for
terms of three or more characters. Terms separated by spaces must all match.
"""
from __future__ import annotations

import sqlalchemy as sa

from .models import Post

FTS_MIN_CHARS = 3  # the trigram tokenizer cannot match anything shorter


def search_terms(text: str) -> list[str]:
    """The whitespace-separated terms of a query, without empties."""
    return [t for t in text.split() if t]


def search_clause(dialect: str, text: str) -> sa.ColumnElement[bool]:
    """A WHERE clause true for posts whose text contains every term of ``text``."""
    terms = search_terms(text)
    if not terms:
        return sa.true()
    clauses = []
    fts_terms = [t for t in terms if len(t) >= FTS_MIN_CHARS] if dialect == "sqlite" else []
    if fts_terms:
        match = " AND ".join('"' + t.replace('"', '""') + '"' for t in fts_terms)
        fts = sa.table("posts_fts", sa.column("rowid"))
        matching = sa.select(fts.c.rowid).where(sa.literal_column("posts_fts").op("MATCH")(match))
        clauses.append(Post.id.in_(matching))
    for term in terms:
        if term in fts_terms:
            continue
        clauses.append(Post.text.ilike(f"%{escape_like(term)}%", escape="\\"))
    return sa.and_(*clauses)


def escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
