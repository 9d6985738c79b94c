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

import functools
import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from .cjk import CJK_RANGES, is_cjk_pair
from .models import Post
from .searchindex import is_word, term_atoms, tsquery_text, has_word_prefix

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
    rechecks: list[str]  # terms LIKE checks on the post text (the index only narrows them)
    words: list[str]  # word terms (matched by word prefix)
    pairs: list[str]  # two-character CJK terms (exact in the index)

    @classmethod
    def parse(cls, dialect: str, text: str) -> TermSearch:
        atoms: dict[tuple[str, bool], None] = {}
        rechecks, words, pairs = [], [], []
        for term in search_terms(text):
            found = term_atoms(term)
            atoms.update(dict.fromkeys(found))
            if found and is_word(term):
                words.append(term)
            elif found and is_cjk_pair(term):
                pairs.append(term)
            else:
                # the index answers a word or a CJK pair exactly; anything else it narrows
                # (or cannot narrow), and LIKE decides
                rechecks.append(term)
        return cls(dialect, list(atoms), rechecks, words, pairs)

    @property
    def indexed(self) -> bool:
        """True when the index can narrow the search down."""
        return bool(self.atoms)

    def matches(self, text: str) -> bool:
        """Whether ``text`` matches every term: the same answer as the index and LIKE give."""
        for term in self.words:
            if not has_word_prefix(text, term):
                return False
        for term in (*self.pairs, *self.rechecks):
            if not text_contains(text, term, self.dialect):
                return False
        return True

    def ids(self) -> sa.Select:
        """The ids of every post the index finds for all atoms (a superset of the hits)."""
        if self.dialect == "sqlite":
            return sa.select(POSTS_FTS.c.rowid).where(self._fts_match())
        return sa.select(POSTS_TERMS.c.post_id).where(self._ts_match())

    @property
    def has_prefixes(self) -> bool:
        return any(prefix for _, prefix in self.atoms)

    def whole_word_ids(self) -> sa.Select:
        """SQLite: like :meth:`ids` with each word prefix taken as a whole word (a subset).

        FTS5 streams whole-word lists (a capped count stops early) but merges
        every word of a prefix before its first row (~0.5 s for a word in every
        post of a million): counting whole words first tells a common term cheaply.
        """
        query = " AND ".join(fts_quote(token) for token, _ in self.atoms)
        return sa.select(POSTS_FTS.c.rowid).where(sa.literal_column("posts_fts").op("MATCH")(sa.literal(query)))

    def row_checks(self) -> list[sa.ColumnElement[bool]]:
        """Checks on each post's own text that decide every term (for plans that walk posts in order)."""
        checks = [contains(term, self.dialect) for term in (*self.pairs, *self.rechecks)]
        for term in self.words:
            checks.append(word_prefix_check(term, self.dialect))
        return checks

    def text_checks(self) -> list[sa.ColumnElement[bool]]:
        return [contains(term, self.dialect) for term in self.rechecks]

    def _fts_match(self) -> sa.ColumnElement[bool]:
        query = " AND ".join(fts_quote(token) + ("*" if prefix else "") for token, prefix in self.atoms)
        return sa.literal_column("posts_fts").op("MATCH")(sa.literal(query))

    def _ts_match(self) -> sa.ColumnElement[bool]:
        return self.terms_match(POSTS_TERMS)

    def terms_match(self, terms: sa.FromClause) -> sa.ColumnElement[bool]:
        """PostgreSQL: ``terms`` (posts_terms or an alias) has every atom (what :meth:`ids` finds)."""
        query = sa.cast(sa.literal(tsquery_text(self.atoms)), postgresql.TSQUERY)
        return terms.c.terms.op("@@")(query)


def fts_quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def text_contains(text: str, term: str, dialect: str) -> bool:
    """What :func:`contains` decides in SQL, for one text in Python."""
    if term.lower() == term.upper():
        return term in text
    return _substring_pattern(term, dialect == "sqlite").search(text) is not None


@functools.lru_cache(maxsize=256)
def _substring_pattern(term: str, ascii_case: bool) -> re.Pattern:
    """``term`` ignoring case: ASCII letters only (SQLite's LIKE) or all (PostgreSQL's ILIKE)."""
    return re.compile(re.escape(term), re.IGNORECASE | (re.ASCII if ascii_case else 0))


def word_prefix_check(term: str, dialect: str) -> sa.ColumnElement[bool]:
    """The post has a word starting with ``term`` (a word: letters and digits outside CJK text).

    SQLite: a function the Store's connections have (storage.wordmatch); PostgreSQL: a
    case-insensitive regular expression with the same word boundary.
    """
    if dialect == "sqlite":
        return sa.func.forumcrawl_word_prefix(Post.text, term) == 1
    return Post.text.op("~*")(f"(^|[^[:alnum:]]|[{CJK_RANGES}]){re.escape(term)}")


def search_clause(dialect: str, text: str) -> sa.ColumnElement[bool]:
    """A WHERE clause true for posts whose text matches every term of ``text`` (no planning)."""
    search = TermSearch.parse(dialect, text)
    clauses = search.text_checks()
    if search.indexed:
        clauses.insert(0, Post.id.in_(search.ids()))
    return sa.and_(*clauses) if clauses else sa.true()


def contains(term: str, dialect: str) -> sa.ColumnElement[bool]:
    """The post text contains ``term``, ASCII letters in any case.

    SQLite's LIKE already ignores ASCII case (and only that); on PostgreSQL
    ILIKE, which lower-cases every text it reads (~25 us per post), is kept
    for terms that have letters with a case at all.
    """
    pattern = f"%{escape_like(term)}%"
    if dialect == "sqlite" or term.lower() == term.upper():
        return Post.text.like(pattern, escape="\\")
    return Post.text.ilike(pattern, escape="\\")


def escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
