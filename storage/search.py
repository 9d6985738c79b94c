"""Full-text search over post text that works for Chinese as well as English.

SQLite: the FTS5 table ``posts_fts`` uses the trigram tokenizer, which matches
any substring of three or more characters in any script (no word segmentation
needed for Chinese). PostgreSQL: ILIKE, accelerated by a pg_trgm GIN index for
terms of three or more characters. Two-character CJK terms, the commonest
length of a Chinese word, go through the CJK bigram index of migration 0003
on both back ends (then ILIKE re-checks); other short terms (one character,
two Latin letters) scan with LIKE. Terms separated by spaces must all match.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from .cjk import is_cjk_pair
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
    trigram = [t for t in terms if len(t) >= FTS_MIN_CHARS] if dialect == "sqlite" else []
    if trigram:
        clauses.append(Post.id.in_(_fts_rowids("posts_fts", trigram)))
    pairs = [t for t in terms if is_cjk_pair(t)]
    if pairs and dialect == "sqlite":
        clauses.append(Post.id.in_(_fts_rowids("posts_cjk", pairs)))
    elif pairs and dialect == "postgresql":
        cjk = sa.table("posts_cjk", sa.column("post_id"), sa.column("grams", postgresql.ARRAY(sa.Text)))
        wanted = sa.cast(postgresql.array(pairs), postgresql.ARRAY(sa.Text))
        clauses.append(Post.id.in_(sa.select(cjk.c.post_id).where(cjk.c.grams.contains(wanted))))
    for term in terms:
        if term in trigram:
            continue
        # the final word for everything else, and a re-check of bigram hits (the bigram index
        # of a post edited outside forumcrawl may be stale; this keeps results exact)
        clauses.append(Post.text.ilike(f"%{escape_like(term)}%", escape="\\"))
    return sa.and_(*clauses)


def _fts_rowids(table: str, terms: list[str]) -> sa.Select:
    """rowids of an FTS5 table matching every term as a quoted phrase."""
    match = " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)
    fts = sa.table(table, sa.column("rowid"))
    return sa.select(fts.c.rowid).where(sa.literal_column(table).op("MATCH")(match))


def escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
