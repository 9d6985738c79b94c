"""Full-text search over post text with one meaning on SQLite and PostgreSQL.

Terms are separated by spaces and must all match:

* a term of letters and digits only (``rain``, ``Scrapy``, ``москва``) finds
  posts with a *word that starts with it*, case-insensitively (``rain`` finds
  "rainy"; ``eighbour`` does not find "neighbour");
* a term with CJK characters or punctuation (``天气``, ``温度的影响``,
  ``example.com``, ``北京python``) must occur in the text as written, a
  substring (ASCII letters case-insensitively);
* a term the index cannot narrow (one CJK character, punctuation only, other
  scripts such as Arabic or Thai) is a substring too, found by ``LIKE``.

Both back ends index the same tokens (storage.searchindex): the words of a
post and the pairs of adjacent CJK characters. SQLite keeps them in the FTS5
table ``posts_fts``, PostgreSQL in ``posts_terms`` (a tsvector with a GIN
index; pg_trgm's index on ``posts.text`` serves the LIKE terms when present).
The index narrows the candidates and ``LIKE`` re-checks every term that is
not a plain word match, so results are exact.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from .models import Post
from .searchindex import is_word, term_atoms, tsquery_text

POSTS_FTS = sa.table("posts_fts", sa.column("rowid"))
POSTS_TERMS = sa.table("posts_terms", sa.column("post_id"), sa.column("terms", postgresql.TSVECTOR))


def search_terms(text: str) -> list[str]:
    """The whitespace-separated terms of a query, without empties."""
    return [t for t in text.split() if t]


@dataclass
class TermSearch:
    """A parsed search: what the index can look up, and what LIKE must check."""

    dialect: str
    atoms: list[tuple[str, bool]]  # (token, is_prefix), for the index
    rechecks: list[str]  # terms LIKE checks on the post text

    @classmethod
    def parse(cls, dialect: str, text: str) -> TermSearch:
        atoms: dict[tuple[str, bool], None] = {}
        rechecks = []
        for term in search_terms(text):
            atoms.update(dict.fromkeys(term_atoms(term)))
            if not is_word(term) or term.isascii():
                # non-word terms match as written; ASCII words are re-checked as substrings too, so
                # a post edited outside forumcrawl (stale index) is never returned for a word it lost
                rechecks.append(term)
        return cls(dialect, list(atoms), rechecks)

    @property
    def indexed(self) -> bool:
        """True when the index can narrow the search down."""
        return bool(self.atoms)

    def ids(self) -> sa.Select:
        """The ids of every post the index finds for all atoms (a superset of the hits)."""
        if self.dialect == "sqlite":
            return sa.select(POSTS_FTS.c.rowid).where(self._fts_match())
        return sa.select(POSTS_TERMS.c.post_id).where(self._ts_match())

    def probe(self) -> sa.ColumnElement[bool]:
        """True for a post the index finds: one index look-up per post (for plans that walk posts in order)."""
        if self.dialect == "sqlite":
            found = sa.select(sa.literal(1)).select_from(POSTS_FTS).where(self._fts_match(), POSTS_FTS.c.rowid == Post.id)
        else:
            found = sa.select(sa.literal(1)).select_from(POSTS_TERMS).where(
                POSTS_TERMS.c.post_id == Post.id, self._ts_match())
        return sa.exists(found)

    def text_checks(self) -> list[sa.ColumnElement[bool]]:
        return [contains(term) for term in self.rechecks]

    def _fts_match(self) -> sa.ColumnElement[bool]:
        query = " AND ".join(term_tokens_of(self.atoms))
        return sa.literal_column("posts_fts").op("MATCH")(sa.literal(query))

    def _ts_match(self) -> sa.ColumnElement[bool]:
        query = sa.cast(sa.literal(tsquery_text(self.atoms)), postgresql.TSQUERY)
        return POSTS_TERMS.c.terms.op("@@")(query)


def term_tokens_of(atoms: list[tuple[str, bool]]) -> list[str]:
    return [f'"{token}"' + ("*" if prefix else "") for token, prefix in atoms]


def search_clause(dialect: str, text: str) -> sa.ColumnElement[bool]:
    """A WHERE clause true for posts whose text matches every term of ``text`` (no planning)."""
    search = TermSearch.parse(dialect, text)
    clauses = search.text_checks()
    if search.indexed:
        clauses.insert(0, Post.id.in_(search.ids()))
    return sa.and_(*clauses) if clauses else sa.true()


def contains(term: str) -> sa.ColumnElement[bool]:
    return Post.text.ilike(f"%{escape_like(term)}%", escape="\\")


def escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
