"""The default NLP handler: language, token count and keywords of each post,
stored beside the post in ``post_annotations`` (handler ``default``).

Keywords are TF-IDF terms (scikit-learn) of the post against a rolling
background corpus: the posts this process has seen, primed from the latest
stored posts, so a batch of one still gets sensible weights. Chinese keywords
are words from a real segmenter (jieba, see ``text.tokens``): 路由器, 预算,
not the character pairs 由器 or 果预 that straddle words.

Two ways to run it:

* ``forumcrawl nlp-worker --group nlp --handler crawler.nlp.handler:handle``
  (the default handler of the worker), reading the Redis Stream;
* in-process, without Redis: ``annotate_in_process(store, posts)`` from the
  storage pipeline after a commit.
"""
from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Mapping, Sequence

from .text import detect_language, token_count, tokens

logger = logging.getLogger(__name__)

HANDLER_NAME = "default"
TOP_KEYWORDS = 8


class KeywordModel:
    """TF-IDF keywords of new posts against a rolling background of recent posts."""

    def __init__(self, background: int = 2000, top: int = TOP_KEYWORDS):
        self.background: deque[list[str]] = deque(maxlen=background)
        self.top = top

    def prime(self, token_lists: Sequence[list[str]]) -> None:
        """Add documents to the background without scoring them."""
        self.background.extend(t for t in token_lists if t)

    def keywords(
        self,
        token_lists: Sequence[list[str]],
        texts: Sequence[str] | None = None,
        titles: Sequence[str] | None = None,
    ) -> list[list[str]]:
        """Top terms of each document, best first; the documents join the background.

        TF-IDF weights, lifted up to 30% for terms that come early in the post
        (openings name the topic) and by half for terms of the thread title;
        ties, common in short posts, thus favour the topic over the aside.
        ``texts`` (the posts' raw text) is accepted for callers of the bigram
        version and no longer needed.
        """
        from sklearn.feature_extraction.text import TfidfVectorizer

        docs = [list(t) for t in token_lists]
        if not any(docs):
            return [[] for _ in docs]
        corpus = [*self.background, *docs]
        vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True)
        matrix = vectorizer.fit_transform(corpus).tocsr()
        terms = vectorizer.get_feature_names_out()
        first = len(corpus) - len(docs)
        out = []
        for i, doc in enumerate(docs):
            row = matrix.getrow(first + i)
            position = {}
            for p, term in enumerate(doc):
                position.setdefault(term, p)
            title = set(tokens(titles[i])) if titles is not None and titles[i] else set()
            scored = []
            for weight, j in zip(row.data, row.indices):
                term = terms[j]
                lift = 1 + 0.3 * (1 - position.get(term, len(doc)) / max(len(doc), 1))
                scored.append((weight * lift * (1.5 if term in title else 1.0), term))
            scored.sort(key=lambda p: (-p[0], p[1]))
            out.append([term for _, term in scored[: self.top]])
        self.prime(docs)
        return out


def _identity(doc: list[str]) -> list[str]:
    return doc


def annotate(posts: Sequence[Mapping], model: KeywordModel | None = None) -> list[dict]:
    """Annotation rows ``{post_key, handler, language, keywords, tokens}`` for posts
    (stream entries or post items); pure, touches no database."""
    from storage import post_key

    model = model or _model()
    keys, texts, langs, toks = [], [], [], []
    for post in posts:
        text = post.get("text") or ""
        lang = post.get("language") or detect_language(text)
        if lang in ("", "None"):
            lang = detect_language(text)
        keys.append(post.get("post_key") or post_key(post))
        texts.append(text)
        langs.append(lang)
        toks.append(tokens(text, lang))
    titles = [post.get("thread_title") or "" for post in posts]
    keywords = model.keywords(toks, texts, titles)
    return [
        {"post_key": k, "handler": HANDLER_NAME, "language": lang, "keywords": kw, "tokens": token_count(text)}
        for k, lang, kw, text in zip(keys, langs, keywords, texts)
    ]


def annotate_in_process(store, posts: Sequence[Mapping]) -> int:
    """Annotate committed posts and save them through ``store`` (no Redis).

    For the storage pipeline: call after ``store.write_batch`` with the posts
    whose keys are in ``result.inserted + result.updated``. Returns rows saved.
    """
    if not posts:
        return 0
    with _LOCK:
        _prime_once(store)
        rows = annotate(posts)
    return store.save_annotations(rows)


def handle(entries: list[dict]) -> int:
    """The ``forumcrawl nlp-worker`` default handler: annotate stream entries and
    save them to the database of ``FORUMCRAWL_DATABASE_URL``/``DATABASE_URL``."""
    return annotate_in_process(_store(), entries)


# -- per-process state -------------------------------------------------------------
_LOCK = threading.Lock()
_MODEL: KeywordModel | None = None
_STORE = None
_PRIMED: set[str] = set()


def _model() -> KeywordModel:
    global _MODEL
    if _MODEL is None:
        _MODEL = KeywordModel()
    return _MODEL


def _store():
    global _STORE
    if _STORE is None:
        from storage import Store, resolve_database_url

        _STORE = Store(resolve_database_url())
    return _STORE


def _prime_once(store, limit: int = 1000) -> None:
    """Fill the keyword background with the latest stored posts, once per database."""
    if store.url in _PRIMED:
        return
    _PRIMED.add(store.url)
    try:
        from storage.query import posts as stored_posts

        recent = stored_posts(store, limit=limit, order="newest")
    except Exception as exc:  # noqa: BLE001 - priming only improves weights
        logger.warning("Could not prime keyword background from %s: %s", store, exc)
        return
    _model().prime([tokens(p.get("text"), p.get("language")) for p in recent])
