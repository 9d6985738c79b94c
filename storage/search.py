"""Full-text search over post text that works for Chinese as well as English.

SQLite: the FTS5 table ``posts_fts`` (migration 0004, storage/searchindex.py)
indexes words (unicode61) and the bigrams of CJK text; a term of letters and
digits matches words that start with it, any other term must occur as
written, the index narrowing and ``LIKE`` re-checking the candidates.
PostgreSQL: ILIKE (substring), accelerated by a pg_trgm GIN index for terms of
three or more characters, and by the CJK bigram table ``posts_cjk`` of
migration 0003 for two-character CJK terms. Short terms the indexes cannot
answer scan with LIKE. Terms separated by spaces must all match.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from .cjk import is_cjk_pair
from .models import Post
from .searchindex import is_word, term_tokens


def search_terms(text: str) -> list[str]:
    """The whitespace-separated terms of a query, without empties."""
    return [t for t in text.split() if t]


def search_clause(dialect: str, text: str) -> sa.ColumnElement[bool]:
    """A WHERE clause true for posts whose text contains every term of ``text``."""
    terms = search_terms(text)
    if not terms:
        return sa.true()
    if dialect == "sqlite":
        return _sqlite_clause(terms)
    clauses = []
    pairs = [t for t in terms if is_cjk_pair(t)]
    if pairs and dialect == "postgresql":
        cjk = sa.table("posts_cjk", sa.column("post_id"), sa.column("grams", postgresql.ARRAY(sa.Text)))
        wanted = sa.cast(postgresql.array(pairs), postgresql.ARRAY(sa.Text))
        clauses.append(Post.id.in_(sa.select(cjk.c.post_id).where(cjk.c.grams.contains(wanted))))
    # the final word for every term, and a re-check of bigram hits (the bigram index
    # of a post edited outside forumcrawl may be stale; this keeps results exact)
    clauses.extend(_contains(term) for term in terms)
    return sa.and_(*clauses)


def _sqlite_clause(terms: list[str]) -> sa.ColumnElement[bool]:
    """posts_fts narrows (or, for word terms, decides); LIKE re-checks the rest."""
    atoms: dict[str, None] = {}
    clauses = []
    for term in terms:
        atoms.update(dict.fromkeys(term_tokens(term)))
        if not is_word(term) or term.isascii():
            # non-word terms match as written; ASCII words are re-checked as substrings too, so
            # a post edited outside forumcrawl (stale index) is never returned for a word it lost
            clauses.append(_contains(term))
    if atoms:
        fts = sa.table("posts_fts", sa.column("rowid"))
        match = sa.literal_column("posts_fts").op("MATCH")(" AND ".join(atoms))
        clauses.insert(0, Post.id.in_(sa.select(fts.c.rowid).where(match)))
    return sa.and_(*clauses)


def _contains(term: str) -> sa.ColumnElement[bool]:
    return Post.text.ilike(f"%{escape_like(term)}%", escape="\\")


def escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
