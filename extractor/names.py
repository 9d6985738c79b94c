"""What an element's class and id say about it: boilerplate, content, comments, pager.

Names are lower-cased and split into words (on anything not a letter or digit), adjacent
words are also joined ("side-bar" -> "sidebar"), and the words are looked up
in small vocabularies. Results are cached across pages: class strings repeat
on every page of a site.
"""
from __future__ import annotations

import re

import numpy as np

_TOKEN_RE = re.compile(r"[a-z0-9]+")

NEGATIVE = frozenset("""
nav navbar navigation menu menus footer foot sidebar aside share sharing sharebar social socials related
breadcrumb breadcrumbs crumb crumbs ad ads adsbygoogle advert adverts advertisement banner newsletter subscribe
subscription popup modal widget widgets masthead toolbar pagination pager tag tags tagcloud print skip
copyright login signup outbrain taboola trending popular disclaimer hidden hide rating ratings vote votes
respond consent onetrust gdpr cmp notice notices report dialog overlay lightbox dropdown offcanvas drawer
megamenu topbar bottombar sidenav rail morestories mostpopular authorbio commentform replyform sronly
visuallyhidden screenreader siteheader sitefooter relatedposts relatedpost rightrail leftrail bylineshare
caption captions credit credits byline bylines dateline gallery slideshow carousel latest topstories
partner partners keypoints bio contact mostactive mostread mostviewed mostcommented morenews
mplayer videoplayer audioplayer playercontrol playercontrols controlbar jwplayer thumbplayer
rightbar leftbar rightcol leftcol rightcolumn sidecol sidebox
util utils utility utilbar toolbox tts fontsize pay payment checkout wallet
""".split())
NEGATIVE_PREFIXES = ("recommend", "advert", "promo", "cookie", "sponsor", "recirc", "footer", "sidebar",
                     "breadcrumb", "newsletter", "navbar", "ads", "subscribe")
HARD = frozenset("""
cookie cookies consent onetrust gdpr popup modal newsletter subscribe copyright disclaimer footer nav navbar
navigation breadcrumb breadcrumbs masthead notice notices morestories related relatedposts relatedpost
outbrain taboola trending popular mostpopular ad ads adsbygoogle advertisement caption captions credit
credits byline bylines dateline banner latest mostactive mostread mostviewed mostcommented morenews
cookiebanner cookienotice cookieconsent cookiebar cookielaw sronly
visuallyhidden screenreader commentform replyform sitefooter pagefooter globalfooter siteheader
""".split())
HARD_PREFIXES = ("cookie", "footer", "breadcrumb", "newsletter", "recommend", "recirc", "sponsor", "promo", "advert",
                 "ads", "subscribe")
POSITIVE = frozenset("""
article articlebody articlecontent post postbody postcontent posttext entry entrycontent content main story
storybody body text blog message reply answer question thread topic postmessage detail tf commentbody
""".split())
COMMENTS = frozenset("""
comment comments replies discussion commentlist commentarea commentsection commentsarea commentthread
commentwrap commentcontainer usercomments usercomment respond
""".split())
COMMENTS_PREFIXES = ("disqus", "livefyre")
PAGER = frozenset("""
pagination pager paging pagenav pagenavi pagelinks pagelist pagenumbers pages multipage pgs pn navlinks pagebar
pnav pagenumber
""".split())
PAGER_PREFIXES = ("paginat",)
# boxes about the writer (name, role, biography): not article text, though a forum post's author line may be
AUTHOR = frozenset("""
author authors authorbox authorinfo aboutauthor authorbio authorcard authorprofile writer writers
""".split())

NEG, POS, HARDNEG, COMMENT, PAGERBOX, AUTHORBOX, HIDDEN = 1, 2, 4, 8, 16, 32, 64
# a class saying its element is hidden ("page_hidden", "is-hidden", "d-none"); not a responsive
# one ("hidden-xs", Tailwind's "hidden md:block" shows it on larger screens)
_HIDDEN_CLASS_RE = re.compile(r"(?:^|[-_])(?:hidden|invisible)$|^d-none$|^is-hidden$")

class _FlagCache(dict):
    """Flags by "class id" string; a name not seen yet is worked out by :func:`flags`."""

    def __missing__(self, names: str) -> int:
        return flags(names)


_cache: dict[str, int] = _FlagCache({"": 0})
_DIGITS_RE = re.compile(r"[0-9]+")
_CACHE_MAX = 200_000


def words(names: str) -> set[str]:
    """Lower-case words of a class/id string plus joined neighbour pairs ("side-bar" -> "sidebar")."""
    toks = _TOKEN_RE.findall(names.lower())
    out = set(toks)
    if len(toks) > 1:
        out.update(map(str.__add__, toks, toks[1:]))
    return out


def _word_bits() -> dict[str, int]:
    bits: dict[str, int] = {}
    for vocab, bit in ((NEGATIVE, NEG), (HARD, HARDNEG), (POSITIVE, POS), (COMMENTS, COMMENT), (PAGER, PAGERBOX),
                       (AUTHOR, AUTHORBOX)):
        for word in vocab:
            bits[word] = bits.get(word, 0) | bit
    return bits


def _prefix_bits() -> dict[str, int]:
    bits: dict[str, int] = {}
    for prefixes, bit in ((NEGATIVE_PREFIXES, NEG), (HARD_PREFIXES, HARDNEG),
                          (COMMENTS_PREFIXES, COMMENT), (PAGER_PREFIXES, PAGERBOX)):
        for prefix in prefixes:
            bits[prefix] = bits.get(prefix, 0) | bit
    return bits


_WORD_BITS = _word_bits()
_PREFIX_BITS = _prefix_bits()
_PREFIX_RE = re.compile(r"(?<![a-z0-9])(%s)" % "|".join(sorted(_PREFIX_BITS, key=len, reverse=True)))


class _TokenBits(dict):
    """Bits of one word of a name: its vocabulary bits and those of a prefix it starts with.

    A prefix counts only at the start of a word (``_PREFIX_RE``), and then the first of the
    prefixes (longest first) that the word starts with, as a scan of the whole name finds it.
    Words repeat across the names of a page and of a site, so each is worked out once.
    """

    def __missing__(self, tok: str) -> int:
        bits = _WORD_BITS.get(tok, 0)
        m = _PREFIX_RE.match(tok)
        if m:
            bits |= _PREFIX_BITS[m.group(1)]
        if len(self) >= _CACHE_MAX:
            self.clear()
        self[tok] = bits
        return bits


_TOKEN_BITS = _TokenBits()


def flags(names: str) -> int:
    """Bit flags (NEG, POS, HARDNEG, COMMENT, PAGERBOX, AUTHORBOX, HIDDEN) for a "class id" string."""
    if not names:
        return 0
    hit = _cache.get(names)
    if hit is not None:
        return hit
    # Digits say nothing here (no word of the vocabularies has one, and a run of them stays a
    # run of word characters): "post-12345 p12345" is looked up as "post-0 p0", so the
    # per-post ids of a page share one entry instead of each being worked out.
    key = _DIGITS_RE.sub("0", names)
    if key is not names:
        hit = _cache.get(key)
        if hit is not None:
            return hit
        names = key
    low = names.lower()
    toks = _TOKEN_RE.findall(low)
    get = _WORD_BITS.get
    f = 0
    for tok in toks:
        f |= _TOKEN_BITS[tok]
    for a, b in zip(toks, toks[1:]):
        f |= get(a + b, 0)
    if f & POS and "__" in low and f & NEG:
        # BEM: in "detail-content__recommend" the element is a "recommend" box inside a
        # "detail-content" block; the block's content word says nothing about the element
        if not any(get(t, 0) & POS for cls in low.split() for t in _TOKEN_RE.findall(cls.rsplit("__", 1)[-1])):
            f &= ~POS
    if "hid" in low or "none" in low or "invisible" in low:
        classes = low.split()
        if any(_HIDDEN_CLASS_RE.search(c) for c in classes) and not any(":" in c for c in classes):
            f |= HIDDEN
    if not f & NEG:
        f &= ~HARDNEG   # hard is a kind of boilerplate, never on its own
    if len(_cache) >= _CACHE_MAX:
        _cache.clear()
        _cache[""] = 0
    _cache[names] = f
    return f


def node_flags(dom) -> np.ndarray:
    """Per-node name flags of a :class:`~extractor.dom.Dom`, computed once and kept on it."""
    if dom.name_flags is None or len(dom.name_flags) != len(dom):
        attrs = dom.attrs or [""] * len(dom)
        # known names are looked up in C; the cache works out the others
        dom.name_flags = np.fromiter(map(_cache.__getitem__, attrs), dtype=np.int32, count=len(attrs))
    return dom.name_flags
