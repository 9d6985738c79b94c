"""Page kind: thread, article, listing or other.

The evidence is what the other steps found: posts (repeated post structure),
listing entries, and the dense-text region. A page whose densest paragraph
sits inside one of its posts is a thread (the first post carries the
topic); posts that all come after an article's body are reader comments
under an article. Many entries with little prose make a listing.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from extractor.dom import code_units
from extractor.model import Entry, PageKind, Post


MIN_ARTICLE_CHARS = 150   # weighted characters of prose for an article
MIN_LISTING_ENTRIES = 5
MIN_COMMENTED_ARTICLE_CHARS = 600  # below this, prose outside the posts is not an article


def squash(text: str) -> str:
    """Text without white space, for comparisons that ignore layout."""
    # str.split() splits on exactly the characters \s matches, several times faster than re.sub
    return "".join(text.split())


# white space as str.split() knows it, by code point (all of it lies below U+3001)
_SPACE_TABLE = np.zeros(0x10000, dtype=bool)
_SPACE_TABLE[[c for c in range(0x3001) if chr(c).isspace()]] = True


def squashed_len(text: str) -> int:
    """``len(squash(text))`` without building the squashed text: one numpy count of the
    white space characters (a thread's text is tens of thousands of characters)."""
    return len(text) - int(np.count_nonzero(_SPACE_TABLE.take(code_units(text))))


def longest_line(text: str) -> str:
    """The longest line of a rendered text (the densest paragraph)."""
    best = ""
    for line in text.split("\n"):
        if len(line) > len(best):
            best = line
    return best


FORUM_TYPES = frozenset({"DiscussionForumPosting", "QAPage", "Question", "Answer", "SocialMediaPosting"})
ARTICLE_TYPES = frozenset({"Article", "NewsArticle", "BlogPosting", "ReportageNewsArticle",
                           "AnalysisNewsArticle", "OpinionNewsArticle", "TechArticle", "Recipe"})


def share_in(texts: Sequence[str], haystack: str) -> float:
    """Share of the characters of ``texts`` whose opening is found in ``haystack``."""
    hay = squash(haystack)
    total = found = 0
    for t in texts:
        key = squash(t)
        if not key:
            continue
        total += len(key)
        if key[:50] in hay:
            found += len(key)
    return found / total if total else 0.0


def _opening_only(first: str, article_text: str, replies_in_comments: bool) -> bool:
    """The first "post" is only the opening of a long article whose replies sit in comment
    sections (a blog post's first paragraph taken for a lead post): the article, not a topic."""
    return replies_in_comments and 2 * len(squash(first)) < len(squash(article_text))


def is_commented_article(posts: Sequence[Post], article_text: str, article_chars: float,
                         types: frozenset | set = frozenset(), replies_in_comments: bool = False) -> bool:
    """Posts that are reader comments under an article rather than a thread's posts.

    The article region (with comment sections pruned) is long and holds few of
    the replies, and the replies sit in sections named like comments or the page
    declares itself an article; a page declaring a forum posting or Q&A is never one.
    """
    if types & FORUM_TYPES:
        return False
    if article_chars < MIN_COMMENTED_ARTICLE_CHARS:
        return False
    if len(squash(article_text)) < MIN_ARTICLE_CHARS:
        # with the comment sections pruned the region holds no article: the "comments" are the
        # content (a forum whose posts are marked up as comments), not remarks under an article
        return False
    replies = [p.text for p in posts[1:] if p.text]
    if share_in(replies, article_text) > 0.3:
        return False
    if posts and share_in([posts[0].text], article_text) >= 0.5 and not types & ARTICLE_TYPES \
            and not _opening_only(posts[0].text, article_text, replies_in_comments):
        # the region is the first post: a topic and its replies, not an article and its comments
        return False
    return replies_in_comments or bool(types & ARTICLE_TYPES)


def decide(*, posts: Sequence[Post], entries: Sequence[Entry], article_text: str,
           article_chars: float, link_share: float, types: frozenset | set = frozenset(),
           replies_in_comments: bool = False) -> PageKind:
    """The page kind from the posts, entries and article region found."""
    if len(posts) >= 2 and not is_commented_article(posts, article_text, article_chars, types,
                                                    replies_in_comments):
        return "thread"
    if len(entries) >= MIN_LISTING_ENTRIES and (link_share >= 0.5 or article_chars < 4 * MIN_ARTICLE_CHARS):
        return "listing"
    if article_chars >= MIN_ARTICLE_CHARS:
        return "article"
    if entries:   # a lone entry is found only on a page with neither posts nor an article
        return "listing"
    return "other"
