"""What SQLite's search index ``posts_fts`` holds for a post, and how a search
term becomes an FTS5 query on it (migration 0004).

Why not the trigram tokenizer any more: it cost ~0.25 ms of CPU per post of
~3 KB, half of the crawl's whole write path. ``posts_fts`` now uses FTS5's
``unicode61`` tokenizer (words, Unicode case folding, no positions:
``detail=none``), which costs a fifth of that, and Chinese, Japanese and
Korean text, which has no spaces between words, is indexed as the distinct
pairs of adjacent characters (storage.cjk). SQLite's own tokenizer cannot be
told to split CJK text (its category table of 3.40 puts most ideographs among
letters), so the Store writes the indexed text itself: the post's text with
its CJK runs taken out, then the CJK bigrams, space-separated.

Search semantics on SQLite (storage.search builds the WHERE clause):

* a term of letters and digits only (``rain``, ``Scrapy``, ``москва``) finds
  posts with a *word that starts with it*, case-insensitively (``rain`` finds
  "rainy", ``ather`` does not find "weather");
* any other term (with CJK characters or punctuation: ``天气``, ``天气预报``,
  ``100_p``, ``北京python``) must occur in the text as written (a substring,
  ASCII case-insensitive): the index narrows the candidates (each CJK bigram,
  each word of the term that follows punctuation or CJK, by prefix) and
  ``LIKE`` re-checks them;
* a term the index cannot narrow (one CJK character, punctuation only, other
  scripts without a Latin/Greek/Cyrillic word) scans with ``LIKE``.
"""
from __future__ import annotations

import array
import functools
import operator
import re
import sys
import unicodedata
from collections.abc import Collection

import sqlalchemy as sa

from .cjk import CJK_RANGES

CJK_CHARS = re.compile(f"[{CJK_RANGES}]+")
# UTF-8 lead bytes of U+3000-U+DFFF and U+F000-U+FFFF, the only places CJK_RANGES can be: finding
# them with memchr is ~10x faster than a regex scan of a text that has no CJK at all (most posts)
CJK_LEAD_BYTES = tuple(bytes([b]) for b in (*range(0xE3, 0xEE), 0xEF))
WORD_CATEGORIES = frozenset(("Lu", "Ll", "Lt", "Nd"))
WORD_LIMIT = 0x0530  # Latin, IPA, Greek, Cyrillic: scripts unicode61 is known to treat as word characters
WORD_RUN = re.compile(r"[^\W_]+")  # letters and digits (categories L*, N*): unicode61's word characters
WORD_MAX = 200  # characters of a word kept in PostgreSQL's index (a tsvector lexeme stops at 2 KB)
TSVECTOR_BUDGET = 900_000  # bytes of lexemes per post (a tsvector stops at 1 MB)
_UCS4 = next(code for code in "IL" if array.array(code).itemsize == 4)  # one code point per item
_UTF32 = "utf-32-le" if sys.byteorder == "little" else "utf-32-be"  # the arrays' byte order, no BOM


def index_text(text: str | None) -> str:
    """The text ``posts_fts`` indexes for a post: non-CJK text as is, then the pairs of its CJK runs.

    A pair that occurs twice is written twice: FTS5 keeps one entry per token
    and post anyway (detail=none), and its tokenizer skips a repeat for less
    CPU than Python spends to find it.
    """
    if not text:
        return ""
    if not may_have_cjk(text):
        return text
    runs = CJK_CHARS.findall(text)
    if not runs:
        return text
    return " ".join([CJK_CHARS.sub(" ", text), *(bigrams(run) for run in runs if len(run) > 1)])


def bigrams(run: str) -> str:
    """The pairs of adjacent characters of ``run`` (BMP characters), space-separated: "abcd" -> "ab bc cd".

    A long run is interleaved as arrays of code points (C loops), which costs
    a fifth of making one Python string per pair.
    """
    pairs = len(run) - 1
    if pairs < 8:
        return " ".join(map(operator.add, run, run[1:]))
    chars = array.array(_UCS4)
    chars.frombytes(run.encode(_UTF32))
    out = array.array(_UCS4, (32,)) * (3 * pairs - 1)
    out[0::3] = chars[:-1]
    out[1::3] = chars[1:]
    return out.tobytes().decode(_UTF32)


def may_have_cjk(text: str) -> bool:
    """False when ``text`` surely has no CJK character (cheap: no regex scan)."""
    if text.isascii():
        return False
    data = text.encode("utf-8", "surrogatepass")
    return any(lead in data for lead in CJK_LEAD_BYTES)


def is_word_char(char: str) -> bool:
    """True for characters that unicode61 surely keeps inside a word (ASCII alnum, Latin/Greek/Cyrillic letters)."""
    if char.isascii():
        return char.isalnum()
    return ord(char) < WORD_LIMIT and unicodedata.category(char) in WORD_CATEGORIES


def is_cjk(char: str) -> bool:
    return CJK_CHARS.fullmatch(char) is not None


def is_word(term: str) -> bool:
    """A term matched by word prefix (letters and digits only)."""
    return bool(term) and all(map(is_word_char, term))


def term_atoms(term: str) -> list[tuple[str, bool]]:
    """(token, is_prefix) pairs every post containing ``term`` has in the search index.

    For a word term: the term as a word prefix. Otherwise: the bigrams of its
    CJK runs (exact tokens), and the prefix of each word that begins after
    punctuation or a CJK character (such a word begins a word of the post
    wherever the term occurs; a word at the start of the term may be the end
    of a longer word). Empty when the index cannot narrow the term down.
    """
    if is_word(term):
        return [(term, True)]
    atoms: dict[tuple[str, bool], None] = {}
    for run in CJK_CHARS.findall(term):
        for i in range(len(run) - 1):
            atoms[(run[i:i + 2], False)] = None
    i, n = 0, len(term)
    while i < n:
        if not is_word_char(term[i]):
            i += 1
            continue
        start = i
        while i < n and is_word_char(term[i]):
            i += 1
        before = term[start - 1] if start else None
        if before is not None and (is_cjk(before) or (before.isascii() and not before.isalnum())):
            atoms[(term[start:i], True)] = None
    return list(atoms)


def term_tokens(term: str) -> list[str]:
    """FTS5 query atoms (quoted; ``*`` for a prefix) for ``term`` on ``posts_fts``."""
    return [f'"{token}"' + ("*" if prefix else "") for token, prefix in term_atoms(term)]


def index_tokens(text: str | None) -> list[str]:
    """The distinct lexemes PostgreSQL's ``posts_terms`` holds for a post (migration 0005).

    The same words and CJK bigrams as ``posts_fts`` on SQLite: runs of letters
    and digits outside CJK text (what unicode61 calls a word), lower-cased and
    cut at WORD_MAX characters, then the CJK bigrams. A post whose lexemes
    would pass PostgreSQL's tsvector limit (1 MB) keeps the first ones that fit.
    """
    if not text:
        return []
    tokens: dict[str, None] = {}
    rest = text
    runs: list[str] = []
    if may_have_cjk(text):
        runs = CJK_CHARS.findall(text)
        rest = CJK_CHARS.sub(" ", text)
    for word in WORD_RUN.findall(rest.lower()):
        tokens[word[:WORD_MAX]] = None
    for run in runs:
        if len(run) > 1:
            tokens.update(dict.fromkeys(map(operator.add, run, run[1:])))
    found = list(tokens)
    size = sum(len(t.encode("utf-8")) + 8 for t in found)
    while size > TSVECTOR_BUDGET:
        size -= len(found.pop().encode("utf-8")) + 8
    return found


def tsquery_text(atoms: list[tuple[str, bool]]) -> str:
    """A PostgreSQL tsquery (input syntax, no parser or dictionary) that all ``atoms`` match."""
    quoted = []
    for token, prefix in atoms:
        token = token.lower()[:WORD_MAX].replace("\\", "\\\\").replace("'", "''")
        quoted.append(f"'{token}'" + (":*" if prefix else ""))
    return " & ".join(quoted)


def write_index(
    conn: sa.Connection, dialect: str, texts: dict[int, str | None], edited: Collection[int] = ()
) -> None:
    """(Re)index posts (``{posts.id: text}``; ``edited``: the ids among them stored before) in one
    transaction: SQLite ``posts_fts`` (index_text), PostgreSQL ``posts_terms`` (index_tokens as a tsvector)."""
    if dialect == "sqlite":
        _write_fts(conn, texts, edited)
        return
    conn.execute(sa.text("DELETE FROM posts_terms WHERE post_id = :id"), [{"id": i} for i in texts])
    rows = [{"id": i, "tokens": tokens} for i, text in texts.items() if (tokens := index_tokens(text))]
    if rows:
        conn.execute(sa.text(
            "INSERT INTO posts_terms(post_id, terms) VALUES (:id, array_to_tsvector(CAST(:tokens AS text[])))"
        ), rows)


def _write_fts(conn: sa.Connection, texts: dict[int, str | None], edited: Collection[int]) -> None:
    """SQLite: write the posts' entries in the contentless ``posts_fts`` (migration 0010).

    A post has an entry exactly when it has a ``posts_fts_text`` row, and the
    entry was built from ``coalesce(posts_fts_text.text, posts.text)``: a
    contentless table must be told an entry's text to delete it (a wrong one
    corrupts the index). An edited post's entry (whatever the update trigger
    left) is deleted with that text first.
    """
    if edited:
        conn.exec_driver_sql(
            "INSERT INTO posts_fts(posts_fts, rowid, text) SELECT 'delete', x.id, coalesce(x.text, p.text) "
            "FROM posts_fts_text x JOIN posts p ON p.id = x.id WHERE x.id = ?", [(post_id,) for post_id in edited]
        )
    entries, rows = [], []
    for post_id, text in texts.items():
        indexed = index_text(text)
        entries.append((post_id, indexed))
        rows.append((post_id, None if indexed is text or indexed == (text or "") else indexed))
    conn.exec_driver_sql("INSERT INTO posts_fts(rowid, text) VALUES (?, ?)", entries)
    conn.exec_driver_sql("INSERT OR REPLACE INTO posts_fts_text(id, text) VALUES (?, ?)", rows)


@functools.lru_cache(maxsize=256)
def _ignoring_case(term: str) -> re.Pattern:
    return re.compile(re.escape(term), re.IGNORECASE)


def has_word_prefix(text: str | None, term: str | None) -> int:
    """1 when ``text`` has a word (as indexed: letters and digits; CJK text is a boundary)
    starting with ``term``, ignoring case (SQLite function forumcrawl_word_prefix)."""
    if not text or not term:
        return 0
    for found in _ignoring_case(term).finditer(text):
        start = found.start()
        if start == 0:
            return 1
        before = text[start - 1]
        if not before.isalnum() or is_cjk(before):
            return 1
    return 0


def register_functions(dbapi_connection) -> None:
    """Give a sqlite3 connection the functions storage.search uses to check posts one by one."""
    dbapi_connection.create_function("forumcrawl_word_prefix", 2, has_word_prefix, deterministic=True)
