"""Finding the post units of a thread page: which repeated elements are the posts.

The post unit is the *element key* (tag + classes, with digits and position or
state classes removed, or tag + digit-stripped id when there is no class)
whose occurrences each carry about one date label and together hold the most
non-link, non-template text of the page. Occurrences may nest (threaded
comments): each unit then owns its subtree minus the nested units. Per-node
text and date counts are numpy arrays summed over DFS ranges, so scoring every
key of the page is linear. The winning group must also look like posts: built
alike, not article teasers, not board rows or date cells. Around that core:
widening to author-column rows, runs of sibling elements led by a dated header
(posts without a container of their own), posts built differently from the
others found by their body element, the opening post built differently from
the replies, microdata postings as units, and a single post recognised by its
anatomy when nothing repeats.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from itertools import compress
from operator import itemgetter
from typing import Any, Sequence
from urllib.parse import urljoin, urlsplit

import numpy as np
from lxml import etree

from extractor import fields
from extractor.blocks import CJK_RE
from extractor.dates import FOREIGN_MONTH_ALT
from extractor.dom import Dom
from extractor.scan import match_starts, occurrences, odd_case

_NOT_UNIT_TAGS = frozenset(
    "a abbr b bdi bdo big br cite code data del dfn em font i img ins kbd label mark nobr q s samp small "
    "span strike strong sub sup time tt u var wbr p h1 h2 h3 h4 h5 h6 pre td th tbody thead tfoot font "
    "html body head blockquote dd dt center".split())
_ALTERNATION = re.compile(r"^(?:(?i:odd|even|alt|alt\d|first|last|thread-odd|thread-even|thread-alt|"
                          r"active|selected|new|unread|read|highlight\w*|focus\w*|online|offline)|is-\w+|has-\w+|"
                          r"(?:is|has)[A-Z]\w*|byuser|bypostauthor|comment-author-\S+|depth-\d+|js-\S+)$")
_DIGITS = re.compile(r"\d+")
# "first-post", "b-post--first", "post_content_firstfloor", "lastpost", "spEven": position marks, not kinds
_FIRST_LAST = re.compile(r"(?:^|[-_])(?:odd|even)(?=$|[-_0-9A-Z])|(?:^|[-_])(?:first|last)|^row(?:odd|even)$|"
                         r"(?<=[a-z])(?:Odd|Even|First|Last)(?=$|[-_0-9A-Z])")
# Two passes keep the scan fast: digit-led forms over all short texts (the regex engine
# skips to digits), word-led forms ("May 3", "an hour ago", "昨天 12:30") over labels only.
_MONTHS_RE = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
# Whitespace inside one label: the labels are scanned joined by newlines, and a date is read within
# one of them (a count ending one, "帖子总数：34", and a name starting the next, "marta", are no "34 Mar").
_SPACE = r"[^\S\n]"
# a number's first digit (not an amount of money), then one of the forms that make it a date, each
# with a word it cannot match without (None: it can match anywhere); written with \s, read as _SPACE
_DIGIT_DATE_FORMS = tuple((form.replace(r"\s", _SPACE), word) for form, word in (
    (r"(?<=[12])\d{3}\s*[-/.年]\s*\d{1,2}(?!\d)", None),
    (r"\d?[./-]\d{1,2}[./-](?:19|20)?\d{2}\b", None),
    (r"\d?:\d{2}(?![\d.])", None),
    # (a count with a tenth: "7.6 years ago"; a unit's letter against the count: "1h ago", "14d ago")
    (r"\d*(?:\.\d)?(?:\s+\w+|\s*[^\W\d_]+)\s+ago\b", "ago"),
    (r"\d*\s*\S{1,3}前\s*(?:$|(?=[•·|｜]))", "前"),
    (r"\d?(?:st|nd|rd|th|\.)?\s+" + _MONTHS_RE, None),
    (r"\d?\s*月\s*\d+\s*日", "月"),
    # (the look-ahead, a word and a year, spares trying the 84 month names after every "12 ")
    (r"(?=\d?\.?\s+(?:de\s+)?\w+\.?,?\s+(?:de\s+)?(?:19|20)\d{2}\b)"
     r"\d?\.?\s+(?:de\s+)?(?:" + FOREIGN_MONTH_ALT + r")\.?,?\s+(?:de\s+)?(?:19|20)\d{2}\b", None),
))
# (every foreign month name is a word: tests/test_units_speed.py checks it)


@lru_cache(maxsize=16)
def _digit_date_re(absent: frozenset[str] = frozenset()) -> re.Pattern:
    """The digit-led date pattern without the forms whose word is in ``absent``: on a page that
    holds no "ago" (in any case), no 前 and no 月, those forms cannot match, and not trying them
    after every number gives the same matches sooner."""
    forms = "|".join(form for form, word in _DIGIT_DATE_FORMS if word not in absent)
    return re.compile(r"\d(?<![\d.£$€¥]\d)(?:" + forms + ")", re.I | re.M)


_QUICK_DIGIT_RE = _digit_date_re()


def _digit_date_re_for(text: str) -> re.Pattern:
    """:func:`_digit_date_re` without the forms ``text`` lacks the word of ("ago" in any case:
    IGNORECASE matches a, g and o with their capitals only)."""
    absent = frozenset(word for _, word in _DIGIT_DATE_FORMS
                       if word is not None and word not in (text.lower() if word == "ago" else text))
    return _digit_date_re(absent)


_QUICK_WORD_RE = re.compile((
    r"\b" + _MONTHS_RE + r"[a-z]*\.?\s+\d{1,2}\b|\ban?\s+\w+\s+ago\b|"
    r"(?:\byesterday\b|\btoday\b|昨天|前天|今天)(?=\s*(?:at\s*)?\d{1,2}[:：]\d{2})|"
    r"^\s*(?:yesterday|today|昨天|前天|今天|刚刚|just now|\d{1,3}\s*(?:s|m|min|h|hr|d|w|mo|y|yr|"
    r"seconds?|minutes?|mins|hours?|hrs|days?|weeks?|months?|years?))\s*$").replace(r"\s", _SPACE),
    re.I | re.M)
_MAX_DATES_PER_POST = 4
FRAMED_LIST_SHARE = 0.8     # of a frame's text in the dated list it holds (a post's header dates: little)
MIN_SHAPE_SIMILARITY = 0.2   # measured: junk pairs < 0.17, real threads mostly > 0.35


@lru_cache(maxsize=65536)
def _normal_sig(sig: str) -> tuple[str, bool]:
    """A signature without digits and position/state classes, and whether it has no class left."""
    tag, _, cls = sig.partition(".")
    tokens = sorted(set(map(_NORMAL_CLASS.__getitem__, cls.split("."))) - _NO_CLASS)
    return tag + ("." + ".".join(tokens) if tokens else ""), not tokens


class _NormalClass(dict):
    """One class of a signature without its digits, or "" for a position or state class
    (those are dropped). Classes repeat across a page's signatures: each is worked out once."""

    def __missing__(self, t: str) -> str:
        norm = _DIGITS.sub("", t) if t and not _ALTERNATION.match(t) and not _FIRST_LAST.search(t) else ""
        if len(self) >= 65536:
            self.clear()
        self[t] = norm
        return norm


_NORMAL_CLASS = _NormalClass()
_NO_CLASS = frozenset({"", "-", "_"})


_CACHE: dict[str, tuple] = {}


def _cached(name: str, dom: Dom, build):
    """Per-page arrays shared by posts and listing (one page at a time)."""
    hit = _CACHE.get(name)
    if hit is not None and hit[0] is dom:
        return hit[1]
    value = build(dom)
    _CACHE[name] = (dom, value)
    return value


# Tags that are never posts themselves but may head a run of siblings that is one (a text
# board's "<dt>1 : name : 2024/05/03 12:00</dt><dd>text</dd>").
_RUN_HEADER_TAGS = frozenset({"dt"})
_LAYOUT_TAGS = frozenset("div span table tbody tr td th font center p".split())


def node_keys(dom: Dom) -> np.ndarray:
    """Per node, an id of its normalised key (see module doc)."""
    return _cached("keys", dom, _node_keys)


def unit_keys(dom: Dom) -> np.ndarray:
    """:func:`node_keys` with class-less layout elements told apart by their path of keys
    from the root: the keys post units are grouped by.

    A bare tag names no kind (every <div> or <table> of the page: the layout table around
    the posts and the header table inside each of them); its place does (the post tables
    of a class-less board share their path). Only layout tags: a custom element such as
    <shreddit-comment>, or an <article> or <li>, names its kind by its tag, and threaded
    comments nest at many paths. (Post bodies keep the plain keys: in threaded comments
    they sit at as many paths as the comments.)
    """
    return _cached("unit_keys", dom, _unit_keys)


def _unit_keys(dom: Dom) -> np.ndarray:
    keys = node_keys(dom).copy()
    plain = dom.memo["plain_sigs"]
    layout_tag = np.array([t in _LAYOUT_TAGS for t in dom.tags], dtype=bool)
    bare = plain[dom.sig_id] & layout_tag[dom.tag_id]
    for i in dom.ids:       # a digit-bearing id ("post123") names the kind already
        if bare[i] and _has_digit(dom.nodes[i].get("id")):
            bare[i] = False
    if not bare.any():
        return keys
    # The path of keys from the root (the tag path with classes, so a sidebar's table rows and
    # the thread's rows at the same tag depth differ). Only needed where a group of units can
    # form: dated subtrees (their set holds every ancestor of its members) and their children
    # (undated siblings of posts); one pass over those in page order, parents first.
    dated = dom.subtree(date_flags(dom)) > 0
    near = dated.copy()
    near[1:] |= dated[dom.parent[1:]]
    parent, key_l = dom.as_list("parent"), keys.tolist()
    path = [-1] * (len(dom) + 1)     # (the last slot, never set, is the root's parent's: -1)
    ids: dict[tuple[int, int], int] = {}
    for i in np.nonzero(near)[0].tolist():
        path[i] = ids.setdefault((path[parent[i]], key_l[i]), len(ids))
    todo = np.nonzero(bare & near)[0]
    if len(todo):
        base = int(keys.max()) + 1
        keys[todo] = base + np.fromiter((path[i] for i in todo.tolist()), dtype=np.int64, count=len(todo))
    return keys


_ASCII_DIGIT_RE = re.compile(r"[0-9]")


def _has_digit(text: str) -> bool:
    """``any(c.isdigit() for c in text)``, in C for ASCII text (ids such as "post123")."""
    if text.isascii():
        return _ASCII_DIGIT_RE.search(text) is not None
    return any(c.isdigit() for c in text)


def _node_keys(dom: Dom) -> np.ndarray:
    norm: dict[str, int] = {}
    normal = list(map(_normal_sig, dom.sigs))
    by_sig = np.fromiter([norm.setdefault(name, len(norm)) for name, _ in normal], dtype=np.int32, count=len(normal))
    plain = np.fromiter([bare for _, bare in normal], dtype=bool, count=len(normal))
    keys = by_sig[dom.sig_id]
    dom.memo["plain_sigs"] = plain      # (unit_keys reads it)
    # Elements without classes: an id such as "post123" / "pid_9" still names their kind.
    # (numbering listed the few elements that have an id)
    sig_id, plain_l, nodes, tag_id = dom.as_list("sig_id"), plain.tolist(), dom.nodes, dom.as_list("tag_id")
    for i in dom.ids:
        if not plain_l[sig_id[i]]:
            continue
        ident = nodes[i].get("id")
        if _has_digit(ident):
            name = dom.tags[tag_id[i]] + "#" + _DIGITS.sub("", ident)
            keys[i] = norm.setdefault(name, len(norm))
    return keys


_SIDE_WORDS = frozenset("sidebar sidebars widget widgets related recommend recommended popular trending "
                        "breadcrumb breadcrumbs nav navbar navigation menu footer aside".split())
_PARTS_RE = re.compile(r"[-_\s.]+")
_SIDE_WORD_RE = re.compile("|".join(sorted(_SIDE_WORDS)))


@lru_cache(maxsize=65536)
def _is_side(sig: str) -> bool:
    tag, _, cls = sig.partition(".")
    if tag in ("aside", "nav", "footer"):
        return True
    if tag == "main":
        return False          # the page's main content by definition ("main right-sidebar-xs": a layout)
    # a part that is a side word (case aside) leaves that word in the lower-cased classes:
    # most signatures have none, and are settled by one scan
    if not _SIDE_WORD_RE.search(cls.lower()):
        return False
    return any(part.lower() in _SIDE_WORDS for part in _PARTS_RE.split(cls) if part)


def layout_mask(dom: Dom) -> np.ndarray:
    """True inside sidebars, widgets, navigation and footers: their dated lists are no posts."""
    return _cached("layout", dom, _layout_mask)


def _layout_mask(dom: Dom) -> np.ndarray:
    bad_sig = np.array([_is_side(sig) for sig in dom.sigs], dtype=bool)
    roots = np.nonzero(bad_sig[dom.sig_id])[0]
    mask = np.zeros(len(dom), dtype=bool)
    chars = dom.subtree(dom.own_chars)
    half = 0.5 * float(chars[0])
    last = -1
    for r in roots.tolist():
        if r <= last or chars[r] > half:
            continue          # a "widget" holding most of the page is the page's main module
        last = int(dom.end[r])
        mask[r:last + 1] = True
    return mask


@lru_cache(maxsize=65536)
def _is_quote_sig(sig: str) -> bool:
    tag, _, cls = sig.partition(".")
    if tag == "blockquote":
        return True
    for token in cls.split("."):
        low = token.lower()
        if ("quote" in low or "citation" in low) and not low.startswith(("js-", "js_")) \
                and not fields._QUOTE_ACTION_RE.search(low):
            return True
    return False


def quote_mask(dom: Dom) -> np.ndarray:
    """True inside quote blocks: their "On May 3, bob wrote:" dates are not the post's."""
    return _cached("quotes", dom, _quote_mask)


def _quote_mask(dom: Dom) -> np.ndarray:
    bad_sig = np.array([_is_quote_sig(sig) for sig in dom.sigs], dtype=bool)
    mask = np.zeros(len(dom), dtype=bool)
    last = -1
    for r in np.nonzero(bad_sig[dom.sig_id])[0].tolist():
        if r <= last:
            continue
        last = int(dom.end[r])
        mask[r:last + 1] = True
    return mask


def _unquoted(dom: Dom, dates: np.ndarray) -> np.ndarray:
    """``dates`` zeroed inside quote blocks. For the page's own date flags it is built once and
    read-only, so that :meth:`Dom.subtree` keeps its sums for the steps that ask again."""
    hit = _CACHE.get("dates")
    if hit is not None and hit[0] is dom and hit[1] is dates:
        return _cached("unquoted_dates", dom, _unquoted_flags)
    return np.where(quote_mask(dom), 0, dates)


def _unquoted_flags(dom: Dom) -> np.ndarray:
    quoted = quote_mask(dom)
    if not quoted.any():
        return date_flags(dom)     # (the same read-only array: its subtree sums are kept once)
    out = np.where(quoted, 0, date_flags(dom))
    out.flags.writeable = False
    return out


def date_flags(dom: Dom) -> np.ndarray:
    """1 where a node's own short text (or a ``<time>`` element) looks like a date."""
    return _cached("dates", dom, _date_flags)


def _date_flags(dom: Dom) -> np.ndarray:
    n = len(dom)
    flags = np.zeros(n, dtype=np.int32)
    chars = dom.own_chars
    keep = (chars > 0) & (chars <= 150)
    idx = np.nonzero(keep)[0]
    if len(idx):
        # the word pass's labels (up to 40 characters) are a subset of the digit pass's: their
        # texts and lengths are picked from the ones listed for it, not listed again
        texts = list(compress(dom.own_text, keep.tolist()))
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + 1
        _flag_matches(flags, idx, texts, lengths, _QUICK_DIGIT_RE)
        short = chars[idx] <= 40
        if short.any():
            _flag_matches(flags, idx[short], list(compress(texts, short.tolist())), lengths[short],
                          _QUICK_WORD_RE)
    if "time" in dom.tags:
        t = dom.tags.index("time")
        flags[dom.tag_id == t] = 1
        inner = np.nonzero(flags)[0]            # a <time> holding its own text counts once
        parents = dom.parent[inner]
        ok = parents >= 0
        dup = inner[ok][(dom.tag_id[parents[ok]] == t) & (flags[parents[ok]] > 0)]
        flags[dup] = 0
    flags.flags.writeable = False   # shared by every step: Dom.subtree keeps its sums
    return flags


def _flag_matches(flags: np.ndarray, idx: np.ndarray, texts: list[str], lengths: np.ndarray,
                  regex: re.Pattern) -> None:
    """Set ``flags`` at the nodes ``idx`` whose text (``texts``, of ``lengths`` plus one each)
    holds a match of ``regex``, found in one scan of the texts joined by newlines."""
    joined = "\n".join(texts)
    if regex is _QUICK_DIGIT_RE:
        regex = _digit_date_re_for(joined)
    starts = np.zeros(len(texts), dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    hits = _word_date_starts(texts, joined, starts) if regex is _QUICK_WORD_RE else None
    if hits is None:
        hits = [m.start() for m in regex.finditer(joined)]
    if hits:
        flags[idx[np.searchsorted(starts, np.asarray(hits), side="right") - 1]] = 1


# Where a match of _QUICK_WORD_RE can start: a month name, "today" / "yesterday" or their Chinese
# words, or (a whole label, "^") the start of a label led by a digit or by one of these letters;
# "a(n) ... ago" matches are found by the full scan, which texts with "ago" get.
_WORD_DATE_STARTS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
                     "today", "yesterday", "昨天", "前天", "今天")
_WORD_DATE_LEADS = frozenset("yYtTjJ昨前今刚")


class _LeadChar(dict):
    """Whether a label led by this character may be a whole-label word date: one of
    ``_WORD_DATE_LEADS``, a digit or a space (a dict: a page's labels start with few characters)."""

    def __missing__(self, c: str) -> bool:
        ok = c in _WORD_DATE_LEADS or c.isdecimal() or c.isspace()
        if len(self) >= 4096:
            self.clear()
        self[c] = ok
        return ok


_WORD_DATE_LEAD = _LeadChar()


def _word_date_starts(texts: list[str], joined: str, starts: np.ndarray) -> list[int] | None:
    """The match starts of _QUICK_WORD_RE in ``joined`` (``texts`` joined by newlines, each starting
    at ``starts``), trying the pattern only where a match can start; None: scan it all."""
    if odd_case(joined):
        return None
    low = joined.lower()
    if "ago" in low:
        return None
    cand = occurrences(low, _WORD_DATE_STARTS)
    cand += compress(starts.tolist(), map(_WORD_DATE_LEAD.__getitem__, map(itemgetter(0), texts)))
    return match_starts(_QUICK_WORD_RE, joined, cand)


def text_weights(dom: Dom, template_mask: np.ndarray | None) -> np.ndarray:
    """Non-link own characters per node, zero inside template blocks."""
    w = (dom.own_chars - dom.own_link_chars).astype(np.int64)
    w[w < 0] = 0
    if template_mask is not None and len(template_mask) == len(w):
        w[np.asarray(template_mask, dtype=bool)] = 0
    w.flags.writeable = False    # shared by the post finder's steps: Dom.subtree keeps its sums
    return w


def shown_chars(dom: Dom, text_w: np.ndarray) -> np.ndarray:
    """Own characters per node as :func:`text_weights` counts them: its non-link text (none on the
    site template's lines) and its link text. What a unit's prose is measured against: a template
    line inside a post (its hidden comment form, its vote labels) is no content and no link
    either, and does not make the post look like a box of labels. Without a template, every own
    character (as :class:`_RangeSums` counts them). ``text_w``: the page's :func:`text_weights`
    (not a share of them narrowed to prose)."""
    return text_w + dom.own_link_chars


_DEAD_LINKS = etree.XPath("//a[normalize-space(@href) = '#' or starts-with(translate(normalize-space(@href), "
                          "'JAVASCRIPT', 'javascript'), 'javascript:')]")


# what _DEAD_LINKS asks of an href, in Python: XPath's normalize-space() (XML white space only),
# then "#", or "javascript:" with translate() lower-casing only that word's capital letters
_XML_SPACE_RE = re.compile(r"[ \t\r\n]+")
_JS_LOWER = str.maketrans("JAVSCRIPT", "javscript")
_DEAD_STARTS = "# \t\r\njJ"     # (and "": an empty href, which is neither)


def _dead_href(href: str) -> bool:
    norm = _XML_SPACE_RE.sub(" ", href).strip(" ")
    return norm == "#" or norm[:11].translate(_JS_LOWER) == "javascript:"


def dead_link_chars(dom: Dom) -> np.ndarray:
    """Own characters per node inside links that lead nowhere (``href="#"``, ``javascript:``):
    menu items and toggles, zero elsewhere (an ``<a>`` without href, a script's button, stays a
    link). Kept in the DOM's memo."""
    kept = dom.memo.get("dead link chars")
    if kept is not None:
        return kept
    out = np.zeros(len(dom), dtype=np.int64)
    end, nodes = dom.end, dom.nodes
    # the page's <a> elements are known from numbering: a look at each href (most start with
    # neither "#" nor "j") costs less than the XPath's walk over the page
    for a, href in zip(*dom.anchor_hrefs()):
        if href is not None and href[:1] in _DEAD_STARTS and nodes[a].tag == "a" and _dead_href(href):
            out[a:int(end[a]) + 1] = dom.own_chars[a:int(end[a]) + 1]
    out.flags.writeable = False
    dom.memo["dead link chars"] = out
    return out


def _nested(members: np.ndarray, end: np.ndarray) -> bool:
    """Whether one of ``members`` (DFS indices in order) lies inside another."""
    return len(members) >= 2 and bool(np.any(members[1:] <= end[members[:-1]]))


def _exclusive(members: np.ndarray, end: np.ndarray, values: np.ndarray, nested: bool | None = None) -> np.ndarray:
    """Subtree sums of ``values`` at members minus those of members nested inside them
    (``nested``: :func:`_nested` of the members, when the caller knows it)."""
    out = values[members].astype(np.int64).copy()
    if not (_nested(members, end) if nested is None else nested):
        return out
    stack: list[int] = []
    for j, m in enumerate(members.tolist()):
        while stack and m > end[members[stack[-1]]]:
            stack.pop()
        if stack:
            out[stack[-1]] -= values[m]
        stack.append(j)
    return out


def _holder(dom: Dom, members: np.ndarray) -> int:
    """The innermost element holding all of ``members`` (DFS indices in page order)."""
    first, last = int(members[0]), int(members[-1])
    top = first
    while top > 0 and dom.end[top] < last:
        top = int(dom.parent[top])
    return top


def _median(values: np.ndarray) -> float:
    """``float(np.median(values))`` for a short non-empty integer array, without numpy's
    general machinery (it cost more than the rest of scoring a group)."""
    ordered = np.sort(values).tolist()
    n = len(ordered)
    if n % 2:
        return float(ordered[n // 2])
    return (float(ordered[n // 2 - 1]) + float(ordered[n // 2])) / 2.0


def choose_units(dom: Dom, key: np.ndarray, text_w: np.ndarray, dates: np.ndarray,
                 region: int | None, url: str = "", exclude: np.ndarray | None = None,
                 min_share: float = 0.3, spans: dict[int, int] | None = None,
                 sections: list[int] | None = None, shown: np.ndarray | None = None) -> list[int]:
    """DFS indices of the post units, in page order ([] when the page has none).

    ``exclude`` marks nodes that cannot be units and ``min_share`` is the share of the page's
    text the units must cover (both used to look for comments inside postings). When the
    posts are runs of sibling elements led by a header (no container per post), each unit is
    the run's first element and ``spans`` (if given) receives the DFS index where its run ends.
    ``sections`` (if given) receives the page sections the units were found inside, when a group
    of them was judged first (they are no opening post either).
    ``shown``: the own characters that count beside the text (:func:`shown_chars`: the site
    template's lines left out); every own character when not given.
    """
    sub_text = dom.subtree(text_w)
    unquoted = _unquoted(dom, dates)
    sub_date = dom.subtree(unquoted)   # quoted posts' dates don't count
    sub_all = dom.subtree(dom.own_chars if shown is None else shown)
    # text that is neither a link nor a date: a board's rows have little besides their title link
    sub_plain = dom.subtree(np.where(dates == 0, text_w, 0))
    sub_link = dom.subtree(dom.own_link_chars)
    sub_dead = None    # (built when a group's links would reject it)
    total = int(sub_text[0]) or 1
    unit_ok = np.ones(len(dom.tags), dtype=bool)
    run_only = np.zeros(len(dom.tags), dtype=bool)
    for t, name in enumerate(dom.tags):
        if name in _NOT_UNIT_TAGS or name.startswith("#"):
            unit_ok[t] = False
            run_only[t] = name in _RUN_HEADER_TAGS
    ok = (unit_ok | run_only)[dom.tag_id] & ~layout_mask(dom)
    if exclude is not None:
        ok &= ~exclude
    # Dated elements with no text of their own besides the site template's lines (a board's header
    # row: the author's name, rank and post count as other pages show them, and the date) may head
    # a run of rows: kept aside by key for the runs only.
    bare = ok & (sub_text == 0) & (sub_date != 0)
    ok &= (sub_text > 0) | bare
    cand = np.nonzero(ok)[0]
    if len(cand) < 2:
        return []
    order = np.argsort(key[cand], kind="stable")
    cand = cand[order]
    starts = np.concatenate(([0], np.nonzero(np.diff(key[cand]))[0] + 1))
    stops = np.append(starts[1:], len(cand))
    # a key needs two members with a date: most keys of a page are single or undated elements
    dated = np.add.reduceat((sub_date[cand] != 0).astype(np.int64), starts)
    scored: list[tuple[float, np.ndarray, dict[int, int] | None]] = []
    ranges = None      # prefix sums for runs of siblings, built when a group looks like one
    for lo, hi in zip(starts[dated >= 2].tolist(), stops[dated >= 2].tolist()):
        allm = cand[lo:hi]
        extra = allm[bare[allm]]
        if len(extra):
            allm = allm[~bare[allm]]
            if not len(allm):
                allm = extra[:0]
        nested = _nested(allm, dom.end)
        ex_text = _exclusive(allm, dom.end, sub_text, nested)
        ex_date = _exclusive(allm, dom.end, sub_date, nested)
        good = (ex_date >= 1) & (ex_date <= _MAX_DATES_PER_POST) & (ex_text > 0)
        kg = int(good.sum())
        heads = np.sort(np.concatenate((allm[good], extra))) if len(extra) else allm[good]
        if len(heads) < 2:
            continue
        if ranges is None:
            ranges = _RangeSums(dom, text_w, unquoted)
        runs = _header_runs(dom, heads, sub_text, ranges, _nested(heads, dom.end) if len(extra) else nested)
        if runs is not None:
            scored.append(runs)
        if kg < 2:
            continue
        if run_only[dom.tag_id[allm[0]]]:
            continue          # a <dt> heads a run (name and time above a <dd>), it is no post itself
        members = allm[good]
        plain, link = float(sub_plain[members].sum()), float(sub_link[members].sum())
        text, chars = float(sub_text[allm].sum()), float(sub_all[allm].sum())
        if plain < link or text < 0.5 * chars:
            # labels in links that lead nowhere (a post's menus: "Joined: ...", "Posts: 12" as
            # dropdown items with href="#") are neither a row's title links nor prose
            if sub_dead is None:
                sub_dead = dom.subtree(dead_link_chars(dom))
            link -= float(sub_dead[members].sum())
            chars -= float(sub_dead[allm].sum())
        if plain < link:
            continue          # rows of title links with counts and dates: a listing
        if np.count_nonzero(sub_plain[members] > 0) < 0.5 * len(members):
            continue          # date cells: nothing but the date
        if text < 0.5 * chars:
            continue          # mostly link text: a list of threads or related questions
        if int(dom.depth[allm].max()) <= 2:
            continue          # page-level wrappers (header, main, footer) are no posts
        texts = ex_text[good]
        cap = 12.0 * max(_median(texts), 40.0)   # one huge member is a container, not a post
        text_good = float(np.minimum(texts, cap).sum())
        frac = kg / max(1, int((ex_text > 0).sum()))
        score = text_good * frac
        # Most members dated: the undated ones are widgets sharing the class ("Loading...");
        # otherwise an undated member is kept when it has a post's amount of text and sits in the
        # element holding the dated ones (a board's header box above the thread, sharing a grid
        # class with the posts' columns, is no post).
        if frac >= 0.8 or frac < 0.5:
            keep = good
        else:
            top = _holder(dom, allm[good])
            keep = good | ((ex_text >= 0.25 * _median(ex_text[good])) & (allm > top) & (allm <= dom.end[top]))
        # A post whose text names many days (a biography, a timeline) has more date labels than
        # a post's header: it is kept when it sits among the other posts and holds none of them.
        many = np.nonzero(~keep & (ex_date > _MAX_DATES_PER_POST))[0]
        if len(many):
            beside = set(dom.parent[allm[good]].tolist())
            for j in many.tolist():
                m = allm[j]
                alone = j + 1 >= len(allm) or allm[j + 1] > dom.end[m]
                if alone and int(dom.parent[m]) in beside and (j == 0 or dom.end[allm[j - 1]] < m):
                    keep[j] = True
        scored.append((score, allm[keep], None))
    scored.sort(key=lambda x: -x[0])
    has_region = region is not None and 0 <= region < len(dom)
    base = float(sub_text[region]) if has_region else total
    # The best group is the thread unless rejected; a rejected best ends the search (the
    # runners-up of a widget are mostly widgets too), except a list of other pages' cards
    # (similar threads, related articles): its text is no content of this page, so it is
    # taken off the page's text and the next group is judged without it.
    wrappers = inside = None   # a rejected group of page sections (header, content) the next group sits in
    for score, units, run_ends in scored[:1 + MAX_TEASER_LISTS]:
        if wrappers is not None:
            if not _inside(units, wrappers, dom.end):
                break
            wrappers, inside = None, wrappers
        if run_ends is not None:
            covered = float(sum(ranges.text(u, run_ends[u]) for u in units.tolist()))
        else:
            covered = float(sum(int(sub_text[u]) for u in _outermost(units, dom.end)))
        if covered < 1.5 * min_share * min(base, total) and covered < min_share * total:
            # short replies under a long opening post built differently from them: several,
            # and together not negligible beside it (a news story's two comments are no thread)
            lead = find_lead(dom, units.tolist(), text_w, dates) if min_share > 0 and len(units) >= 3 else None
            if lead is not None and covered >= 0.3 * float(sub_text[lead]):
                covered += float(sub_text[lead])
            if covered < 1.5 * min_share * min(base, total) and covered < min_share * total \
                    and not (min_share > 0 and forum_replies(dom, units, run_ends)):
                break         # the best remaining group is too small to be the page's thread
        if run_ends is None and _frames_a_list(dom, units, key, sub_date, sub_text):
            # one member holds no date of its own, only a list of dated items alike (a "replies"
            # panel beside the opening post's panel): these are the page's sections, and the list
            # inside is judged on its own, with the opening post found as for any replies
            continue
        if shape_similarity(dom, node_keys(dom), units) < MIN_SHAPE_SIMILARITY:
            # Unlike blocks that each hold a date: page sections (a header with today's date, the
            # content holding a short thread's one or two posts). A group inside them is judged
            # on its own: the few posts of a short thread outscore nothing else.
            wrappers = units
            continue
        if teaser_share(dom, units, url, dates) >= 0.6:
            total = max(total - covered, 1)
            if has_region:
                base = max(base - sum(float(sub_text[u]) for u in _outermost(units, dom.end)
                                      if region <= u <= dom.end[region]), 1.0)
            continue          # cards of other pages: title link, author, date, excerpt
        if run_ends is not None and spans is not None:
            spans.update(run_ends)
        if inside is not None and sections is not None:
            sections.extend(inside.tolist())
        return units.tolist()
    return []


MAX_RUN_LIKENESS = 0.5
MAX_TEASER_LISTS = 2   # lists of other pages' cards set aside before the thread is judged


class _RangeSums:
    """Sums of per-node quantities over DFS ranges (a run of sibling subtrees is one range)."""

    def __init__(self, dom: Dom, text_w: np.ndarray, dates: np.ndarray):
        def cum(values: np.ndarray) -> np.ndarray:
            out = np.zeros(len(values) + 1, dtype=np.int64)
            np.cumsum(values, dtype=np.int64, out=out[1:])
            return out
        self._text = cum(text_w)
        # (characters of the site template's lines left out: a run whose author column is template
        # text is no "mostly links" run; without a template this is every own character)
        self._all = cum(shown_chars(dom, text_w))
        self._plain = cum(np.where(dates == 0, text_w, 0))
        self._link = cum(dom.own_link_chars)
        self._dated = cum((dates != 0).astype(np.int64))

    def text(self, start: int, stop: int) -> int:
        return int(self._text[stop + 1] - self._text[start])

    def of(self, name: str, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
        cum = getattr(self, "_" + name)
        return cum[stops + 1] - cum[starts]


def _follower_likeness(dom: Dom, first: np.ndarray, last: np.ndarray) -> float:
    """Median Jaccard similarity of the element keys inside each run's first element and
    inside the rest of the run: a header and a body are built differently, two posts of
    alternating classes alike."""
    keys = node_keys(dom)
    sims = []
    for f, stop in zip(first[:8].tolist(), last[:8].tolist()):
        head = set(keys[f:dom.end[f] + 1].tolist())
        rest = set(keys[dom.end[f] + 1:stop + 1].tolist())
        sims.append(len(head & rest) / len(head | rest) if head | rest else 0.0)
    return _median(np.asarray(sims)) if sims else 0.0


def _header_runs(dom: Dom, members: np.ndarray, sub_text: np.ndarray, ranges: _RangeSums,
                 group_nested: bool = True) -> tuple[float, np.ndarray, dict[int, int]] | None:
    """Posts without a container of their own: a dated header element (name and time) and
    the sibling elements after it, up to the next header (table rows of an old board,
    ``<dt>``/``<dd>`` pairs of a text board). Returns the scored group of runs
    (score, first elements, run ends) or None.

    The headers are siblings, spaced regularly (every second or third child), each holds a
    minority of its run's text (in a group of ordinary posts with spacers between them the
    posts hold nearly all of it), and the elements after them are built unlike the headers
    (posts whose classes alternate, ``Alt`` or not, are built alike).
    """
    if group_nested and _nested(members, dom.end):
        # (members of a group none of which nest need no test) Rows of a layout table share their
        # key with the rows of the small tables inside them (a header row's date line in a table
        # of its own): the runs are of the outer rows, the rows inside them take no part.
        members = np.asarray(_outermost(members, dom.end), dtype=members.dtype)
    if len(members) < 2:
        return None
    parents = dom.parent[members]
    tally = Counter(parents.tolist())     # the most common parent (the lowest of equals, as np.unique's)
    most = max(tally.values())
    if most < 2 or most < 0.8 * len(members):
        return None
    top = min(p for p, c in tally.items() if c == most)
    kids = np.asarray(dom.children(top))
    pos = np.searchsorted(kids, members[parents == top])
    step = int(np.bincount(np.diff(pos)).argmax())
    if step < 2:
        return None           # consecutive siblings: each is a post of its own
    accepted = [int(pos[0])]
    for q in pos[1:].tolist():
        if q - accepted[-1] >= step:     # a dated line inside a post's text starts no post
            accepted.append(q)
    if len(accepted) < 2:
        return None
    nxt = accepted[1:] + [min(accepted[-1] + step, len(kids))]
    first = kids[accepted]
    last = dom.end[kids[np.asarray(nxt) - 1]].astype(np.int64)
    run_text = ranges.of("text", first, last)
    if _median(sub_text[first] / np.maximum(run_text, 1)) >= 0.5:
        return None           # the "headers" hold the posts' text: ordinary posts
    if _follower_likeness(dom, first, last) >= MAX_RUN_LIKENESS \
            and np.count_nonzero(ranges.of("dated", dom.end[first] + 1, last)) >= 0.5 * len(first):
        # the elements after the "header" are built like it and dated too: posts of alternating
        # classes. (Undated followers built alike are a post's body and footer rows: rows of one
        # layout table, each holding small tables of links and icons as the header row does.)
        return None
    if ranges.of("plain", first, last).sum() < ranges.of("link", first, last).sum():
        return None           # rows of title links: a listing
    if ranges.of("text", first, last).sum() < 0.5 * ranges.of("all", first, last).sum():
        return None
    if int(dom.depth[first].max()) <= 2:
        return None
    cap = 12.0 * max(_median(run_text), 40.0)
    score = float(np.minimum(run_text, cap).sum())
    return score, first, dict(zip(first.tolist(), last.tolist()))


def forum_replies(dom: Dom, units: np.ndarray, run_ends: dict[int, int] | None = None) -> bool:
    """Whether a group too small beside the page's other text is still a thread's posts: three
    or more, nearly each linking its author to a member profile (``/member/``, ``uid=``,
    ``viewprofile``...: a forum's, not a blog commenter's home page), and not inside a
    section named like reader comments. A long notice or rules text above them is then
    no article."""
    if len(units) < 3:
        return False
    from extractor import names
    flags = names.node_flags(dom)
    hits = 0
    for u in units.tolist():
        stop = run_ends.get(u, int(dom.end[u])) if run_ends else int(dom.end[u])
        p = u
        while p >= 0:
            if flags[p] & names.COMMENT:
                return False
            p = int(dom.parent[p])
        is_a = tag_is(dom, "a")
        links = (dom.nodes[i] for i in range(u, stop + 1) if is_a[i] and dom.nodes[i].tag == "a")
        if any(_FORUM_PROFILE_RE.search(el.get("href") or "") for el in links):
            hits += 1
    return hits >= 0.8 * len(units)


def tag_is(dom: Dom, name: str) -> list[bool]:
    """Per node, whether its tag normalises to ``name`` (a list, for loops over single nodes).
    Reading ``el.tag`` builds a new string each time: a node whose tag is exactly ``name`` is
    among these, so ``is_tag[i] and dom.nodes[i].tag == name`` is ``dom.nodes[i].tag == name``
    with the string built for those few nodes only."""
    key = ("tag is", name)
    out = dom.memo.get(key)
    if out is None:
        t = dom.tags.index(name) if name in dom.tags else -1
        out = dom.memo[key] = (dom.tag_id == t).tolist()
    return out


def teaser_share(dom: Dom, units: np.ndarray, url: str, dates: np.ndarray, sample: int = 12) -> float:
    """Share of units that lead with a link to another page before any prose (article teasers).

    Another page by its path, or by its query without a post anchor (``index.php?c=read&id=5``
    on ``index.php?c=home``: a site routed by query strings; ``index.php?topic=5.msg12#msg12`` is
    a post's permalink); a title of 12 characters, CJK ones counting two."""
    if not len(units):
        return 0.0
    page_path = _link_path(url, "")
    page_route = _link_route(url, "")
    sub_dates = dom.subtree(dates)
    titles: list[str] = []
    picked = units[:sample].tolist()
    end, in_link, chars, dates_l = dom.as_list("end"), dom.as_list("in_link"), dom.as_list("own_chars"), dates.tolist()
    is_a = tag_is(dom, "a")
    for u in picked:
        i, stop = u, end[u]
        while i <= stop:
            if is_a[i] and dom.nodes[i].tag == "a":
                el = dom.nodes[i]
                href = (el.get("href") or "").strip()
                other = (href and not href.startswith(("#", "javascript:", "mailto:"))
                         and (_link_path(url, href) != page_path
                              or "#" not in href and _link_route(url, href) != page_route)
                         and not fields.is_profile_href(href))
                if other and not sub_dates[i]:
                    text = dom.text_of(i)
                    if len(text.replace(" ", "")) + len(CJK_RE.findall(text)) >= 12:
                        titles.append(text.lower())
                        break
                i = end[i] + 1
                continue
            if not in_link[i] and chars[i] >= 12 and not dates_l[i]:
                break         # prose first: a post
            i += 1
    # Teasers have titles of their own; replies repeat the thread's ("Re: What did you dream...")
    distinct = len({re.sub(r"^\W*re\W+", "", t) for t in titles})
    if distinct < 0.8 * len(titles):
        return 0.0
    return len(titles) / len(picked)


@lru_cache(maxsize=16384)
def _link_path(url: str, href: str) -> str:
    """The path a link leads to, without its trailing slash (the same hrefs recur in every post)."""
    return urlsplit(urljoin(url, href)).path.rstrip("/")


@lru_cache(maxsize=16384)
def _link_route(url: str, href: str) -> str:
    """The query a link leads to (on one script, the page it names)."""
    return urlsplit(urljoin(url, href)).query


_FORUM_PROFILE_RE = re.compile(r"member|profile|space|/u/|uid=|/uid/|/users?/|viewprofile|home\.php", re.I)
_POST_BUTTON_RE = re.compile(r"^(?:quote|reply|reply with quote|multi-?quote|\+ ?quote|report|回复|引用|举报)$", re.I)


# elements that may carry a post id, compiled once (compiling the expression cost as much as
# evaluating it)
_POST_ID_CARRIERS = etree.XPath("descendant-or-self::*[@id or @data-post-id or @data-postid or @data-pid "
                                "or @data-field or @data-content]")


def single_post(dom: Dom, text_w: np.ndarray, dates: np.ndarray, url: str = "") -> int | None:
    """The one post of a thread page that shows a single post (no replies yet, or the
    last page), or None.

    With nothing repeated to compare, the post must show a forum post's own
    anatomy: an element carrying a post id (``id="p123"``, ``post_123``,
    ``data-post-id``) that holds a date label and prose, plus at least one of a
    member-profile link, a printed floor label, a Quote/Reply button, or a link to
    another page carrying the post's id (its permalink, ``?msg=123``, shown even to
    guests under a guest's post). Blog articles (``id="post-123"`` with an
    ``/author/`` link) have none of those: their own links lead to the article itself.
    """
    side = layout_mask(dom)
    index = dom.index
    found: list[int] = []
    for el in _POST_ID_CARRIERS(dom.root):
        i = index.get(el)
        if i is None or side[i] or (found and i <= dom.end[found[-1]]):
            continue
        if dom.tags[dom.tag_id[i]] in _NOT_UNIT_TAGS or not fields.post_id_of(el):
            continue
        stop = int(dom.end[i])
        if not dates[i:stop + 1].any():
            continue
        prose = np.where(dom.own_chars[i:stop + 1] >= 12, text_w[i:stop + 1], 0)
        if not prose.any():
            continue
        signals = 0
        digits = _DIGITS.findall(fields.post_id_of(el))
        if digits and not digits[-1].strip("0"):
            continue  # id 0 names no record (WordPress's ``post-0`` wrapper of a page made by a plugin)
        # a permalink vouches only for an element named as a post: a board index's category
        # block (FluxBB ``id="idx1"``) links its board ``?id=1`` and is no post
        own_id = re.compile(rf"(?<!\d){digits[-1]}(?!\d)") if digits and _named_as_post(el) else None
        for j in range(i, stop + 1):
            node = dom.nodes[j]
            own = dom.own_text[j]
            if node.tag == "a":
                href = node.get("href") or ""
                if _FORUM_PROFILE_RE.search(href):
                    signals |= 1
                elif own_id and url and own_id.search(href) and _permalink_elsewhere(url, href):
                    signals |= 8
            if own and len(own) <= 30:
                if fields.floor_of(own) is not None:
                    signals |= 2
                if _POST_BUTTON_RE.match(own):
                    signals |= 4
            if signals:
                break         # one sign is enough (a big container need not be read to its end)
        if signals:
            found.append(i)
    if len(found) != 1 or _holds_records(dom, found[0]) or _has_peer(dom, found[0]):
        return None
    return _inner_record(dom, found[0], text_w, dates)


def _has_peer(dom: Dom, unit: int) -> bool:
    """Whether another element of the same tag outside ``unit`` has an id of its numbered form
    (``<article id="post-1">`` beside ``<article id="post-12">``: an archive of several records,
    of which only one happened to show a post's signs)."""
    form = _id_form(dom.nodes[unit].get("id"))
    if form is None:
        return False
    tag, stop = dom.nodes[unit].tag, int(dom.end[unit])
    return any(not unit <= j <= stop and dom.nodes[j].tag == tag and _id_form(dom.nodes[j].get("id")) == form
               for j in dom.ids)


def _holds_records(dom: Dom, outer: int) -> bool:
    """Whether ``outer`` holds three or more elements whose ids share one numbered form
    (``bbp-topic-38``, ``bbp-topic-41``...) other than its own: the rows of a list of records
    (a board's topics in a wrapper named after the board), not one post."""
    own = _id_form(dom.nodes[outer].get("id"))
    stop = int(dom.end[outer])
    forms = Counter(f for j in dom.ids if outer < j <= stop
                    for f in (_id_form(dom.nodes[j].get("id")),) if f is not None and f != own)
    return bool(forms) and max(forms.values()) >= 3


def _inner_record(dom: Dom, outer: int, text_w: np.ndarray, dates: np.ndarray) -> int:
    """The post inside ``outer`` when ``outer`` is a page wrapper named after the same record.

    A CMS theme wraps a whole page in an element carrying the id of the record shown
    (WordPress ``<article id="post-5">`` around a forum topic whose own post header is
    ``<div id="post-5">`` again): the outer element also holds breadcrumbs, notices and
    forms. When exactly one element inside ``outer`` has an id of the same form (``post-44``
    inside ``post-38`` on a topic's later page: the wrapper keeps the topic's id), the post is
    the smallest element from that one up that holds the date and prose beyond the
    repeating element itself (a header carrying the id beside the post's body)."""
    form = _id_form(dom.nodes[outer].get("id"))
    if form is None:
        return outer
    stop = int(dom.end[outer])
    inner = [j for j in dom.ids if outer < j <= stop and _id_form(dom.nodes[j].get("id")) == form]
    if len(inner) != 1:
        return outer
    j = inner[0]
    parent = dom.parent
    prose_w = np.where((dom.own_chars >= 12) & ~dates.astype(bool), text_w, 0)  # (a date line is no prose)
    while j != outer and j >= 0:
        end = int(dom.end[j])
        if dates[j:end + 1].any() and prose_w[j:end + 1].any():
            return j
        j = int(parent[j])
    return outer


def _id_form(ident: str | None) -> str | None:
    """An id with its digits masked (``post-#``), or None for an id without digits."""
    if not ident or not any(c.isdigit() for c in ident):
        return None
    return re.sub(r"\d+", "#", ident.strip())


_POST_NAMED_ID = re.compile(r"(?:^|[-_])(?:msg|message|post|p|pid|reply|comment|entry)[-_]?\d+$", re.I)


def _named_as_post(el) -> bool:
    """The element's id says "post" (``msg12``, ``p83``, ``post_5``, ``comment-7``), or a
    ``data-post-id``-like attribute carries it."""
    if el.get("data-post-id") or el.get("data-postid") or el.get("data-pid"):
        return True
    return _POST_NAMED_ID.search(el.get("id") or "") is not None


def _permalink_elsewhere(url: str, href: str) -> bool:
    """Whether a link leads to another address of the page's site than the page's own and its
    continuations (``/articles/12/2``, ``?page=2``: an article's next pages); fragments aside,
    and a share button's link to another site is no permalink."""
    if href.startswith(("#", "javascript:", "mailto:")):
        return False
    target = urljoin(url, href).partition("#")[0].rstrip("/")
    page = url.partition("#")[0].rstrip("/")
    if target.startswith(page) and target[len(page):len(page) + 1] in ("", "/", "?", "&", ";"):
        return False
    return urlsplit(target).netloc == urlsplit(url).netloc


def expand_units(dom: Dom, units: list[int], key: np.ndarray, max_levels: int = 4) -> list[int]:
    """Widen each unit to its ancestor when that ancestor holds only this post and the
    ancestors are sibling elements of one key: a table row whose first cell is the
    author column, around the dated inner table that was found first."""
    arr = np.asarray(units)
    if len(arr) < 2 or np.any(arr[1:] <= dom.end[arr[:-1]]):
        return units          # nested comment trees keep their units
    best = units
    cur = units
    for _ in range(max_levels):
        parents = [int(dom.parent[u]) for u in cur]
        if min(parents) < 0 or len(set(parents)) != len(parents):
            break             # two posts meet: above here is the thread's container
        tag = dom.tags[dom.tag_id[parents[0]]]
        if tag in ("body", "html"):
            break
        cur = parents
        siblings = len({int(dom.parent[p]) for p in parents}) == 1
        if siblings and len({int(key[p]) for p in parents}) == 1 and tag not in ("td", "th", "tbody"):
            best = parents
    return best


_LAYOUT_RE = re.compile(r"(?:^|[\s_\-])(?:nav\w*|menu|header|sidebar|breadcrumbs?|crumbs?|footer|banner|"
                        r"toolbar|pagination|pager|search|login|userbar|notice|alert)(?:$|[\s_\-])", re.I)


def find_lead(dom: Dom, units: list[int], text_w: np.ndarray, dates: np.ndarray,
              skip: Sequence[int] = (), runs: dict[int, tuple[int, int]] | None = None) -> int | None:
    """The opening post when its markup differs from the replies' (a question before its answers).

    Looked for among the elements just before the first reply, at the replies'
    common container and up to five levels above it: the nearest one that
    carries a date and enough non-link prose to be a post, and is none of the
    page sections ``skip`` (see :func:`choose_units`).

    With ``runs`` given, an opening post laid out as sibling rows (its author
    and title in one, its text in the next, its date in a third: HadSky) is
    found too where no single element qualifies: the run's first element is
    returned and ``runs`` maps it to the run's last and its text row (see :func:`_lead_run`).
    """
    first, last = units[0], units[-1]
    prose = np.where(dom.own_chars >= 12, text_w, 0)
    for h in ("h1", "h2", "h3"):      # a thread title above the replies is no post
        if h in dom.tags:
            for i in np.nonzero(dom.tag_id == dom.tags.index(h))[0].tolist():
                prose[i:dom.end[i] + 1] = 0
    sub_text = dom.subtree(prose)
    sub_date = dom.subtree(dates)
    sub_all = dom.subtree(shown_chars(dom, text_w))
    parent, end, tag_id = dom.as_list("parent"), dom.as_list("end"), dom.as_list("tag_id")
    # units after the replies that hold no post (the page footer's "your IP, <date>", its
    # undated disclaimer) do not widen their container up to the page's body: the last reply
    # is the last unit with a date and prose besides it
    quiet = dom.subtree(np.where((dom.own_chars >= 12) & (dates == 0), prose, 0))
    last = next((u for u in reversed(units) if quiet[u] > 0 and sub_date[u] > 0), last)
    ancestors = []
    p = parent[first]
    while p > 0:
        ancestors.append(p)
        p = parent[p]
    start = next((k for k, a in enumerate(ancestors) if end[a] >= last), None)
    if start is None:
        return None
    median = _median(sub_text[units])
    for a in ancestors[start:start + 6]:
        if dom.tags[tag_id[a]] in ("body", "html"):
            break
        best = None
        for c in dom.children(a):
            if end[c] >= first:
                break
            if c in skip:
                continue
            tag = dom.tags[tag_id[c]]
            if tag in ("nav", "header", "footer", "aside", "form", "menu") or _LAYOUT_RE.search(fields.words(dom.nodes[c])):
                continue
            if not (1 <= sub_date[c] <= 6) or sub_text[c] < max(30.0, 0.25 * median):
                continue
            if sub_text[c] < 0.6 * sub_all[c]:
                continue          # mostly short labels and links (a calendar, a profile card)
            best = c            # the nearest qualifying element before the replies
        if best is not None:
            return best
        if runs is not None:
            run = _lead_run(dom, [c for c in dom.children(a) if end[c] < first and c not in skip],
                            sub_text, quiet, sub_date, sub_all, median)
            if run is not None:
                runs[run[0]] = run[1:]
                return run[0]
    return None


_LEAD_RUN_SIDE = 2   # rows looked at on each side of an opening post's text row


def known_lead_run(dom: Dom, at_known: list[int], text_w: np.ndarray, dates: np.ndarray) -> tuple[int, int, int] | None:
    """A topic without replies whose opening post is a run of sibling rows (:func:`_lead_run`)
    that starts at one of ``at_known``, the elements at the site's learnt post paths (the
    run's first row was learnt where the topic had replies). Its first and last element, its text row."""
    if not at_known:
        return None
    prose = np.where(dom.own_chars >= 12, text_w, 0)
    sub_text, sub_date, sub_all = dom.subtree(prose), dom.subtree(dates), dom.subtree(shown_chars(dom, text_w))
    quiet = dom.subtree(np.where((dom.own_chars >= 12) & (dates == 0), prose, 0))
    for i in at_known:
        if sub_text[i] >= 30 or sub_date[i]:
            continue     # (an element that is a post of its own is _known_units')
        p = int(dom.parent[i])
        if p < 0:
            continue
        row = dom.children(p)
        k = row.index(i)
        window = row[k:k + 2 * _LEAD_RUN_SIDE + 1]
        run = _lead_run(dom, window, sub_text, quiet, sub_date, sub_all, 0.0)
        if run is not None and run[0] == i:
            return run
    return None


def _lead_run(dom: Dom, before: list[int], sub_text: np.ndarray, quiet: np.ndarray, sub_date: np.ndarray,
              sub_all: np.ndarray, median: float) -> tuple[int, int, int] | None:
    """An opening post split over sibling rows: the text row nearest the replies (prose enough
    for a post; a date it quotes is not the post's) with the rows next to it that carry little prose of their own (its
    header with the author, its footer with the date), taken out from it until the run holds
    a date and no further. The rows around the text must name its author (a profile link):
    an article's title, picture and lead paragraph above reader comments are no post. ``before``: the siblings before the replies' branch, in order. Its
    first and last element and the text row, or None when no text row has a dated header or footer. ``quiet``:
    subtree prose without date labels (a footer row's "posted <date>" is little prose)."""
    tag_id = dom.as_list("tag_id")

    def plain(c: int) -> bool:   # a layout row, no page section (menus, forms) and no other text block
        tag = dom.tags[tag_id[c]]
        return tag not in ("nav", "header", "footer", "aside", "form", "menu") \
            and not _LAYOUT_RE.search(fields.words(dom.nodes[c]))

    for k in range(len(before) - 1, -1, -1):
        b = before[k]
        if sub_date[b] > _MAX_DATES_PER_POST or sub_text[b] < max(30.0, 0.25 * median) \
                or sub_text[b] < 0.6 * sub_all[b] or not plain(b):
            continue
        lo = hi = k
        dated = 0
        for step in (-1, 1):      # the header rows above the text, then the footer rows below it
            j, seen = k + step, 0
            while 0 <= j < len(before) and seen < _LEAD_RUN_SIDE and not dated:
                c = before[j]
                if sub_all[c] == 0:      # an empty anchor or spacer
                    j += step
                    continue
                if not plain(c) or quiet[c] >= 0.5 * sub_text[b] or sub_date[c] > _MAX_DATES_PER_POST:
                    break
                seen += 1
                dated += int(sub_date[c])
                if step < 0:
                    lo = j
                else:
                    hi = j
                j += step
        named = any(fields.is_profile_href(a.get("href") or "")
                    for c in before[lo:hi + 1] if c != b for a in dom.nodes[c].iter("a"))
        if dated and named:
            return before[lo], int(dom.end[before[hi]]), b
        return None     # (the text row nearest the replies decides)
    return None


MAX_ORPHAN_LEVELS = 5   # how far above the posts' common container posts built differently are looked for


def orphan_units(dom: Dom, units: list[int], spans: dict[int, int], key: np.ndarray, body_key: int,
                 text_w: np.ndarray, dates: np.ndarray) -> list[int]:
    """Posts built differently from the others, found by their body element.

    The opening post (a topic box above the reply list), a moderator's or the thread
    starter's post (an extra class such as ``staff`` or ``isOriginalPoster``) carry the same
    body element as the other posts but a container of another key. Each occurrence of
    the posts' body key outside every unit, near the posts (inside their common container
    or a few levels above it) and outside sidebars and quotes, is widened to its largest
    ancestor that holds no other post and at most a post's number of date labels; it is a
    post when that ancestor carries a date.
    """
    n = len(dom)
    ends = [spans.get(u, int(dom.end[u])) for u in units]
    covered = np.zeros(n, dtype=np.int64)
    for u, e in zip(units, ends):
        covered[u:e + 1] = 1
    scope = int(dom.parent[units[0]])
    while scope > 0 and dom.end[scope] < ends[-1]:
        scope = int(dom.parent[scope])
    for _ in range(MAX_ORPHAN_LEVELS):
        up = int(dom.parent[scope]) if scope > 0 else -1
        if up <= 0 or dom.tags[dom.tag_id[up]] in ("body", "html"):
            break
        scope = up
    if scope <= 0:
        return []
    lo, hi = scope, int(dom.end[scope])
    cand = lo + np.nonzero(key[lo:hi + 1] == body_key)[0]
    if not len(cand):
        return []
    # (the body element may itself be a <blockquote>: only a quote around it blocks it)
    blocked = covered[cand].astype(bool) | layout_mask(dom)[cand] | quote_mask(dom)[dom.parent[cand]]
    sub_text = dom.subtree(text_w)
    cand = cand[~blocked & (sub_text[cand] > 0)]
    if not len(cand):
        return []
    # a body made of several paragraphs (the key is a bare <p>) counts once, by its first one
    parents = dom.parent[cand]
    cand = cand[np.concatenate(([True], parents[1:] != parents[:-1]))]
    marks = np.zeros(n, dtype=np.int64)
    marks[cand] = 1
    sub_marks = dom.subtree(marks)
    sub_covered = dom.subtree(covered)
    sub_dates = dom.subtree(_unquoted(dom, dates))
    found: list[int] = []
    for b in cand.tolist():
        if found and b <= dom.end[found[-1]]:
            continue          # inside the post found just before
        a = b
        while True:
            p = int(dom.parent[a])
            if p < lo or dom.tags[dom.tag_id[p]] in ("body", "html"):
                break
            if sub_covered[p] or sub_marks[p] > 1 or sub_dates[p] > _MAX_DATES_PER_POST:
                break         # it would hold another post, or it is the page around them
            a = p
        if a != b and 1 <= sub_dates[a] <= _MAX_DATES_PER_POST:
            found.append(a)
    if found:
        # built like the posts inside (name, date, body, buttons), not a notice box around a paragraph
        keys = node_keys(dom)
        shapes = [set(np.unique(keys[u + 1:e + 1]).tolist()) for u, e in zip(units[:6], ends[:6])]
        found = [a for a in found if _best_overlap(set(np.unique(keys[a + 1:dom.end[a] + 1]).tolist()), shapes)
                 >= MIN_ORPHAN_SIMILARITY]
    return found


MIN_ORPHAN_SIMILARITY = 0.35   # measured: orphan posts 0.62-0.85 alike with the posts, a notice box 0.13


def _best_overlap(shape: set, shapes: list[set]) -> float:
    """The highest Jaccard similarity of ``shape`` with one of ``shapes``."""
    return max((len(shape & s) / len(shape | s) for s in shapes if shape | s), default=0.0)


def _tight_body(dom: Dom, node: int, nodes: np.ndarray, prose: np.ndarray, stop: int | None = None) -> int:
    """The smallest of ``nodes`` (inside ``node``, or its run of siblings ending at ``stop``)
    that still holds most of its prose."""
    if stop is None:
        stop = int(dom.end[node])
        total = prose[node]
    else:
        total, i = 0, node
        while i <= stop:
            total += prose[i]
            i = int(dom.end[i]) + 1
    if total <= 0:
        return node
    cand = nodes[(nodes > node) & (prose[nodes] >= 0.78 * total)]
    if not len(cand):
        return node
    sizes = dom.end[cand] - cand
    return int(cand[int(np.argmin(sizes))]) if sizes.min() < stop - node else node


def shape_similarity(dom: Dom, key: np.ndarray, members: np.ndarray, sample: int = 6) -> float:
    """Mean Jaccard similarity of the element keys inside consecutive members.

    Posts of one thread are built alike (name box, date, body, buttons); two
    unrelated blocks that merely share a class and a date are not.
    """
    members = members[:sample]
    end = dom.as_list("end")
    sets = [set(key[m + 1:end[m] + 1].tolist()) for m in members.tolist()]
    sims = []
    for a, b in zip(sets, sets[1:]):
        union = len(a | b)
        sims.append(len(a & b) / union if union else 1.0)
    return sum(sims) / len(sims) if sims else 0.0   # (np.mean's sum of under 8 floats, in order)


def _frames_a_list(dom: Dom, units: np.ndarray, key: np.ndarray, sub_date: np.ndarray,
                   sub_text: np.ndarray) -> bool:
    """Whether some members of ``units`` are posts and others frames around a list of posts (the
    opening post's panel beside a "replies" panel): a frame holds every date it has inside two
    or more sibling elements of one key, each dated, that hold most of its text too. A post's
    own date sits in its header, outside any list its text holds (an answer's comments, a
    changelog's dated rows); a header's list of dates ("answered ...", "edited ...") holds little
    of the post's text. Posts that are all laid out as such rows (a header row and a body row,
    each dated) are no frames: every member is one alike."""
    # every unit's dated inner nodes at once, grouped by (unit, parent and key): a frame is a unit
    # with a group of two or more holding all of its dates and most of its text (a loop over the
    # units with an np.unique each cost 0.2 ms a page)
    end, parent = dom.end, dom.parent
    members = np.asarray(units, dtype=np.int64)
    starts = members + 1
    lens = end[members].astype(np.int64) + 1 - starts
    total = int(lens.sum()) if len(members) else 0
    if total < 2:
        return False
    owner = np.repeat(np.arange(len(members)), lens)
    inner = np.arange(total, dtype=np.int64) + np.repeat(starts - (np.cumsum(lens) - lens), lens)
    dated = sub_date[inner] > 0
    inner, owner = inner[dated], owner[dated]
    if len(inner) < 2:
        return False
    pairs = parent[inner].astype(np.int64) * (int(key.max()) + 1) + key[inner]
    order = np.lexsort((pairs, owner))
    inner, owner, pairs = inner[order], owner[order], pairs[order]
    first = np.flatnonzero(np.concatenate(([True], (owner[1:] != owner[:-1]) | (pairs[1:] != pairs[:-1]))))
    counts = np.diff(np.append(first, len(inner)))
    dates_in = np.add.reduceat(sub_date[inner], first)
    text_in = np.add.reduceat(sub_text[inner], first)
    unit = members[owner[first]]
    framed = (counts >= 2) & (dates_in == sub_date[unit]) & \
        (text_in.astype(np.float64) >= FRAMED_LIST_SHARE * sub_text[unit].astype(np.float64))
    hit = owner[first][framed]     # (sorted: the units framing a list, each once per group)
    frames = int(np.count_nonzero(hit[1:] != hit[:-1])) + 1 if len(hit) else 0
    return 0 < frames < len(members)


def _inside(units: np.ndarray, wrappers: np.ndarray, end: np.ndarray) -> bool:
    """Whether every unit lies strictly inside one of ``wrappers``."""
    for u in units.tolist():
        if not any(w < u <= end[w] for w in wrappers.tolist()):
            return False
    return True


def _outermost(units: np.ndarray, end: np.ndarray) -> list[int]:
    out: list[int] = []
    for u in units.tolist():
        if out and u <= end[out[-1]]:
            continue
        out.append(u)
    return out


def _match_units(dom: Dom, units: list[int], md_units: list[int],
                 md_data: dict[int, dict]) -> tuple[dict[int, dict], bool]:
    """Structured postings keyed by the DOM unit that contains them or that they contain.

    Also says whether the match is one-to-one: when one marked-up post holds
    several DOM units, those units are parts of posts (comments under an
    answer), and the markup's split is the right one.
    """
    out: dict[int, dict] = {}
    one_to_one = True
    for m in md_units:
        hits = [u for u in units if u <= m <= dom.end[u] or m <= u <= dom.end[m]]
        if len(hits) > 1:
            one_to_one = False
        if hits:
            out.setdefault(hits[0], md_data[m])
    return out, one_to_one


def _structured_units(dom: Dom, structured: Any) -> tuple[list[int], dict[int, dict]]:
    """Microdata posting elements still in the tree, as units, with their data."""
    if structured is None:
        return [], {}
    found: dict[int, dict] = {}
    for post in getattr(structured, "postings", []):
        el = post.get("element")
        i = dom.index.get(el) if el is not None else None
        if i is not None and post.get("type") not in ("Article", "NewsArticle", "BlogPosting"):
            found.setdefault(i, post)
    return sorted(found), found
