"""Text-density scoring over the DFS-numbered tree: where is the content?

Text is attributed to *blocks* (the nearest non-inline element), each block
gets a score (dense prose is positive; short lines and link lists are
negative), and the content region is the subtree with the largest sum of
block scores: with prefix sums over DFS order that is one ``argmax``. Inside
the region, subtrees that are link lists, forms, navigation, or named like
boilerplate (share bars, related stories, footers) are pruned.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import compress

import numpy as np

from extractor import names
from extractor.dom import Dom, code_units

INLINE_TAGS = frozenset(
    "a abbr b bdi bdo big cite code data del dfn em font i img ins kbd label mark nobr q s samp "
    "small span strike strong sub sup time tt u var wbr br".split())
# Table cells are scored with their row (a row of short cells is one line of data), but
# cells holding blocks of their own (layout tables) still start new lines when rendered.
CELL_TAGS = frozenset({"td", "th"})

# Tags that never hold main content.
BOILERPLATE_TAGS = frozenset("nav footer aside form menu dialog header".split())
HARD_TAGS = frozenset("nav aside menu dialog".split())  # never content, however much prose they hold

# Class/id vocabularies live in extractor.names.
# visibility:hidden is left alone: some sites hide the article until a script runs
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none", re.I)

_DATE_PART = (
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?\b(?:,?\s*\d{4})?|"
    r"\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b\.?(?:,?\s*\d{4})?|"
    r"\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b|\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b|\b\d{1,2}:\d{2}(?::\d{2})?\b|"
    r"(?:\d{4}\s*年\s*)?\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|\d{1,2}\s*日")
# A date or time in a line: furniture only when little else is said (a dateline, not a caption).
_DATE_RE = re.compile(_DATE_PART, re.I)
_ANY_DIGIT_RE = re.compile(r"\d")
# Short lines that are a byline, a photo credit, an ad label: article furniture, not article text.
# Two regexes, one test: the alternatives anchored at the line's start are tried there only
# (one regex searched for all of them tried each of them at every position of the line), the
# words anywhere in the line are searched for; a line is furniture when either matches.
_META_WORDS_RE = re.compile(
    r"\b(?:ago|min read|minute read|getty images|associated press|reuters|afp)\b|"
    # ad labels: "story continues below", "İçeriğin devamı aşağıda"
    r"\b(?:(?:story|article|text|content) continues below|continue reading below|scroll to continue)\b", re.I)
_META_START_RE = re.compile(
    r"^\s*(?:updated|published|posted|last updated|photo|image|credit|caption|close|by)\b|"
    r"^\s*i\u00e7eri\u011fin devam\u0131|"
    # Arabic bylines ("written by ...") and comment prompts ("add a comment")
    r"^\s*\u0643\u062a\u0628(?:\u062a)?\s|^\s*\u0627\u0636\u0641 \u062a\u0639\u0644\u064a\u0642|"
    r"^\s*(?:advert|advertisement|sponsored(?: content)?|anzeige|publicit\u00e9|publicidad|pubblicit\u00e0|"
    r"\u5e7f\u544a|\d*\s*comments?|share(?: this)?(?: article| story)?|print|"
    # button labels standing alone on a line
    r"save|email|e-mail|post|like|follow|reply|report|submit|download(?: article)?|copy link|show comments|"
    r"add (?:a |new )?(?:comment|question)|teilen|partager|compartir|condividi|payla\u015f|bagikan|"
    r"\u5206\u4eab(?:\u5230)?|\u6536\u85cf|\u70b9\u8d5e|\u4e3e\u62a5|\u5173\u6ce8|\u8f6c\u53d1|"
    r"\u590d\u5236\u94fe\u63a5|"
    r"\u6253\u5370|\u8bc4\u8bba|\u64ad\u62a5|\u7f16\u8f91|"
    # share targets and reactions
    r"\u670b\u53cb\u5708|\u5fae\u4fe1(?:\u597d\u53cb)?|\u5fae\u535a|qq\u7a7a\u95f4|\u9996\u8d5e|"
    r"share - \w+)\s*[:\uff1a]?\s*$|"
    r"^[\s(\[\uff08\u3010]*(?:\u8d23\u4efb\u7f16\u8f91|\u7f16\u8f91|\u6765\u6e90|\u4f5c\u8005|\u8bb0\u8005|"
    r"\u539f\u6807\u9898|"
    r"\u672c\u6587\u6765\u6e90|\u56fe\u7247\u6765\u6e90|\u8cac\u4efb\u7de8\u8f2f|\u5173\u952e\u5b57|\u5173\u952e\u8bcd|"
    r"\u4e0a\u4e00\u7bc7|\u4e0b\u4e00\u7bc7|previous(?: article| post)?|next(?: article| post)|"
    r"source|sources|\u017ar\u00f3d\u0142o|quelle|fuente|fonte|kaynak|sumber|keywords?|tags?)\s*[:\uff1a]", re.I)
# A line that is only a count: likes, views, comments, votes ("0", "+1", "1.2k", "177万", "(12)").
_COUNTER_RE = re.compile(
    r"^\s*(?:(?:views?|reads?|likes?|comments?|shares?|\u9605\u8bfb\u91cf?|\u6d4f\u89c8\u91cf?|\u70b9\u8d5e\u6570?|"
    r"\u8bc4\u8bba\u6570?|\u6536\u85cf\u6570?)\s*[:\uff1a]?\s*)?"
    r"[(+\[\uff08]*\d(?:[\d,.\s]*\d)?(?:[kKmMwW\u4e07\u5343\u4ebf])?[\s)\]\uff09]*$", re.I)
# what may remain of a dateline once its dates are removed: a name, a place, a source
_DATELINE_REST = 30
FURNITURE_TAGS = frozenset({"figure", "figcaption", "picture", "time", "h1"})

_URL_PREFIXES = ("http://", "https://", "www.")

CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


# Scoring constants (weighted characters; see the module docstring and docs/extractor.md).
LINK_PENALTY = 1.0        # a link character costs as much as a text character earns
LINE_PENALTY = 20.0       # every block pays this: short lines are boilerplate until proven otherwise
CJK_PAGE_WEIGHT = 2.5     # pages whose characters weigh this much are CJK pages ...
CJK_BARE_FACTOR = 0.5     # ... where bare short lines pay 1 + this * (weight - 1) line penalties
NEG_WEIGHT = 0.3          # share of negative block scores counted against an article region
NEG_MAX_SHARE = 0.7       # a boilerplate name on a top-level wrapper holding this much text is ignored
NEG_MAX_DEPTH = 2         # ... when the wrapper is this close to <html>
CLIMB_SHARE = 0.1         # a region climbs to its parent when that adds at most this much negative
COMMENTED_PROSE = 800.0   # article prose that makes comment sections droppable
PROSE_SHARE = 0.35        # a soft boilerplate name on a container with this share of the prose is ignored
CTA_SHARE = 0.3  # a box this much made of call-to-action lines is one
TEASER_LINK_SHARE = 0.1    # a teaser item: its headline link holds at least this share of its text
HIDDEN_CLASS_SHARE = 0.3  # parts named hidden and holding less than this share of the page are hidden
KICKER_CHARS = 24         # a teaser may open with a label this short before its headline link
TEASER_SHARE = 0.7        # a region whose excerpts ("... [more]") hold this share of its text has no text
NEG_AREA_KEEP = 0.1       # positive blocks inside boilerplate keep this share of their score


@dataclass(slots=True)
class Blocks:
    """Per-node block scores and the chosen content region."""

    owner: np.ndarray        # int32: the block each node's own text belongs to
    is_block: np.ndarray     # bool: node is a block (not inline)
    text: np.ndarray         # float: non-link chars attributed to the block
    link: np.ndarray         # float: link chars attributed to the block
    score: np.ndarray        # float: block score (0 for nodes holding no text)
    sub_score: np.ndarray    # float: subtree sums of ``score``
    sub_text: np.ndarray     # float: subtree sums of ``text``
    sub_link: np.ndarray     # float: subtree sums of ``link``
    negative: np.ndarray     # bool: named or tagged like boilerplate
    positive: np.ndarray     # bool: named like content
    hard: np.ndarray         # bool: boilerplate whatever its size (consent, related, ads, nav...)
    legal: np.ndarray        # bool: blocks whose text is a copyright/policy/call-to-action line
    dead: np.ndarray         # bool: hidden or dropped (template) nodes and their subtrees
    region: int              # DFS index of the content region
    char_weight: float       # weight of one character (CJK pages count more per char)


def hints(dom: Dom) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(negative, positive, hidden, hard) flags from tag names, class/id and inline style.

    ``hard`` marks the negatives that stay negative however much prose they hold.
    """
    n = len(dom)
    negative = np.zeros(n, dtype=bool)
    positive = np.zeros(n, dtype=bool)
    hidden = np.zeros(n, dtype=bool)
    hard = np.zeros(n, dtype=bool)
    tag_neg = np.array([t in BOILERPLATE_TAGS for t in dom.tags], dtype=bool)
    tag_hard = np.array([t in HARD_TAGS for t in dom.tags], dtype=bool)
    if n:
        negative |= tag_neg[dom.tag_id]
        hard |= tag_hard[dom.tag_id]
    nf = names.node_flags(dom)
    negative |= (nf & names.NEG) > 0
    positive |= (nf & names.POS) > 0
    hard |= (nf & names.HARDNEG) > 0
    nodes = dom.nodes
    for i in dom.special:
        attrib = nodes[i].attrib
        if "hidden" in attrib or attrib.get("aria-hidden") == "true":
            hidden[i] = True
        style = attrib.get("style")
        if style and _HIDDEN_STYLE_RE.search(style):
            hidden[i] = True
        role = attrib.get("role")
        if role in ("navigation", "banner", "contentinfo", "complementary", "search", "menu"):
            negative[i] = True
        elif role == "main" or attrib.get("itemprop") in ("articleBody", "text", "reviewBody"):
            positive[i] = True
    return negative, positive, hidden, hard


_LEGAL_LITERALS = ("\u00a9", "copyright", "all rights reserved", "\u7248\u6743\u6240\u6709", "icp\u5907",
                   "\u516c\u7f51\u5b89\u5907", "cookie policy", "cookies policy", "cookie settings",
                   "privacy policy", "terms of use", "terms of service", "\u514d\u8d23\u58f0\u660e",
                   "\u7248\u6743\u58f0\u660e", "\u8f6c\u8f7d\u8bf7\u6ce8\u660e", "\u672a\u7ecf\u6388\u6743",
                   # calls to action: newsletters, donations, "you may also like"
                   "sign up for", "subscribe to our", "our newsletter", "newsletters and alerts",
                   "contribute as little", "support our journalism", "editorial standards",
                   "\u731c\u4f60\u559c\u6b22", "\u76f8\u5173\u63a8\u8350", "\u70ed\u95e8\u63a8\u8350",
                   "readers like you", "please donate", "make a donation", "your support",
                   "newsletter subscribers", "unsubscribe", "delivered straight to your inbox",
                   "\u5e73\u53f0\u58f0\u660e",
                   # platform notices under user-uploaded articles
                   "the content above (including", "\u4ee5\u4e0a\u5185\u5bb9\uff08\u5305\u62ec",
                   "\u4ec5\u63d0\u4f9b\u4fe1\u606f\u5b58\u50a8",
                   # "scan the QR code", "comments only represent the views of users"
                   "\u626b\u63cf\u4e8c\u7ef4\u7801", "\u4ec5\u4ee3\u8868\u7f51\u53cb")


def legal_nodes(dom: Dom, literals: tuple[str, ...] = _LEGAL_LITERALS, max_len: int = 400,
                page: dict | None = None) -> np.ndarray:
    """Nodes whose own (short) text is a copyright / policy / call-to-action line.

    Plain substring scans of the lower-cased text of the nodes shorter than ``max_len``
    (much faster than one case-insensitive regex alternation; a thread's long post bodies
    can never be such a line, so they are not scanned), mapped back to nodes by offsets.
    ``page`` caches those texts across calls on one page.
    """
    n = len(dom)
    flags = np.zeros(n, dtype=bool)
    # the texts of the length asked for (the long ones of the consent scan would only slow the many
    # literals of the legal scan down: page texts are two-byte strings wherever one character is)
    limit = max_len
    found = page.get(limit) if page is not None else None
    if found is None:
        found = page_text(dom, limit)
        if page is not None:
            page[limit] = found
    low, starts, nodes = found
    if not len(nodes):
        return flags
    texts = dom.own_text
    for lit in literals:
        pos = low.find(lit)
        while pos >= 0:
            k = int(np.searchsorted(starts, pos, side="right")) - 1
            i = int(nodes[k])
            if len(texts[i]) < max_len:
                flags[i] = True
            pos = low.find(lit, int(starts[k + 1]))
    return flags



def page_text(dom: Dom, max_len: int = 1 << 62) -> tuple[str, np.ndarray, np.ndarray]:
    """The own texts shorter than ``max_len`` lower-cased and joined by newlines, each one's
    start offset (and the end of the last), and their nodes."""
    texts = dom.own_text
    sizes = dom.own_lengths()
    keep = (sizes > 0) & (sizes < max_len)
    nodes = np.flatnonzero(keep)
    picked = list(compress(texts, keep.tolist()))    # (in C: no index per node)
    low = "\n".join(picked).lower()
    starts = np.zeros(len(picked) + 1, dtype=np.int64)
    if picked:
        np.cumsum(sizes[nodes] + 1, out=starts[1:])
        if len(low) != starts[-1] - 1:   # lower-casing changed a length ("\u0130" -> "i\u0307")
            np.cumsum([len(t.lower()) + 1 for t in picked], out=starts[1:])
    return low, starts, nodes


# Words of consent dialogs (cookies, partners, the IAB framework, data protection) in a few languages.
_CONSENT_LITERALS = ("cookie", "iab", "gdpr", "rgpd", "dsgvo", "rodo", "consent", "partner", "privacy",
                     "datenschutz", "einwillig", "vie priv\u00e9e", "privacidad", "riservatezza", "prywatno",
                     "zgod", "\u00e7erez", "kvkk", "\u0441\u043e\u0433\u043b\u0430\u0441", "\u9690\u79c1")
CONSENT_BLOCKS = 5        # a box with this many lines about cookies and consent ...
CONSENT_SHARE = 0.25      # ... holding this share of its text is a consent dialog


def consent_boxes(dom: Dom, owner: np.ndarray, weight: np.ndarray,
                  page: dict | None = None) -> np.ndarray:
    """Containers whose lines largely talk about cookies, partners and consent: consent dialogs.

    Recognised by what they say, since their class names are often obfuscated.
    """
    n = len(dom)
    hit = legal_nodes(dom, _CONSENT_LITERALS, 2000, page)
    if hit.sum() < CONSENT_BLOCKS:
        return np.zeros(n, dtype=bool)
    blocks_hit = np.zeros(n, dtype=bool)
    blocks_hit[owner[hit]] = True
    count = dom.subtree(blocks_hit.astype(np.float64))
    chars = dom.subtree(np.where(blocks_hit, weight, 0.0))
    total = dom.subtree(weight)
    return (count >= CONSENT_BLOCKS) & (chars >= CONSENT_SHARE * total) & (dom.depth >= 2)


def codepoints(text: str) -> np.ndarray:
    """The text's code points as a numpy array (for vectorised script counts)."""
    return np.frombuffer(text.encode("utf-32-le", "replace"), dtype=np.uint32)


def cjk_weight(dom: Dom) -> float:
    """How many Latin characters one character is worth on this page (CJK text is denser)."""
    units = dom.memo.get("code units")
    if units is not None:      # numbering joined the own texts already: their first 20,000 characters
        cp = units[:20000]
        if not len(cp):
            return 1.0
        cjk = int(np.count_nonzero(((cp >= 0x3040) & (cp <= 0x9FFF)) | ((cp >= 0xAC00) & (cp <= 0xD7AF))))
        ratio = cjk / max(1, len(cp) - int(np.count_nonzero(cp == 32)))
        return 1.0 + 2.0 * min(1.0, ratio * 2)
    parts, size = [], 0
    for t in dom.own_text:     # the first 20,000 characters: the rest of the page is not joined
        if t:
            parts.append(t)
            size += len(t)
            if size >= 20000:
                break
    sample = "".join(parts)[:20000]
    if not sample:
        return 1.0
    cp = code_units(sample)    # code points capped at U+FFFF: the ranges counted lie below it
    cjk = int(np.count_nonzero(((cp >= 0x3040) & (cp <= 0x9FFF)) | ((cp >= 0xAC00) & (cp <= 0xD7AF))))
    ratio = cjk / max(1, len(sample) - sample.count(" "))
    return 1.0 + 2.0 * min(1.0, ratio * 2)


def score_blocks(dom: Dom, *, drop: np.ndarray | None = None, body: int = 0) -> Blocks:
    """Score every block and pick the region with the largest subtree sum.

    ``drop`` marks nodes whose own text is known not to be content (template
    lines of the site); hidden subtrees count for nothing either.
    """
    n = len(dom)
    inline_tag = np.array([t in INLINE_TAGS or t in CELL_TAGS for t in dom.tags], dtype=bool)
    is_block = ~inline_tag[dom.tag_id] if n else np.zeros(0, dtype=bool)
    if n:
        is_block[0] = True
    # owner = nearest block ancestor-or-self, by pointer jumping (log(depth) numpy steps)
    owner = np.where(is_block, np.arange(n, dtype=np.int32), dom.parent) if n else np.zeros(0, np.int32)
    if n:
        owner[owner < 0] = 0
        for _ in range(64):
            up = owner[owner]
            pending = ~is_block[owner]
            if not pending.any():
                break
            owner = np.where(pending, up, owner)

    negative, positive, hidden, hard = hints(dom)
    raw = dom.own_chars
    # a class saying "hidden" on a part of the page (the next pages of a paged article, a closed
    # panel): a script may reveal it, but it is not what the page shows. On a wrapper holding much
    # of the page it is a placeholder the page's script removes.
    cls_hidden = (names.node_flags(dom) & names.HIDDEN) > 0
    if cls_hidden.any():
        sub_raw = dom.subtree(raw.astype(np.float64))
        hidden |= cls_hidden & (sub_raw < HIDDEN_CLASS_SHARE * float(sub_raw[body]))
    dead = spread(dom, hidden)
    if n and raw[dead].sum() > 0.5 * raw.sum():
        # a page hiding most of its text (tabs, script-revealed articles) is not hiding boilerplate
        dead = np.zeros(n, dtype=bool)
    gone = dead.copy()  # nodes whose own text counts for nothing
    if drop is not None and drop.any():
        gone |= drop
        # a subtree made only of template lines is skipped whole when rendering
        own_total = dom.subtree(raw)
        own_template = dom.subtree(np.where(drop, raw, 0))
        dead |= (own_total > 0) & (own_template == own_total)

    w = cjk_weight(dom)
    own_chars = dom.own_chars.astype(np.float64) * w
    own_link = dom.own_link_chars.astype(np.float64) * w
    # a pasted URL is what someone wrote, not a menu entry: its characters count as text
    urls = [i for i in np.nonzero(own_link)[0].tolist() if dom.own_text[i].startswith(_URL_PREFIXES)]
    if urls:
        own_link[urls] = 0
    own_chars[gone] = 0
    own_link[gone] = 0
    text = np.bincount(owner, weights=own_chars - own_link, minlength=n)
    link = np.bincount(owner, weights=own_link, minlength=n)
    punct = np.bincount(owner, weights=dom.own_punct.astype(np.float64), minlength=n)
    has = (text + link) > 0
    legal = np.zeros(n, dtype=bool)
    page: dict = {}   # the page's short texts, shared with consent_boxes()
    legal[owner[legal_nodes(dom, page=page)]] = True
    # On a CJK page a line of ten characters is as short as a Latin line of ten words: lines
    # without any punctuation that are not paragraphs (headline lists, player controls) pay more.
    line_penalty = np.full(n, LINE_PENALTY)
    if n and w >= CJK_PAGE_WEIGHT:
        bare = punct == 0
        if "p" in dom.tags:
            bare &= dom.tag_id != dom.tags.index("p")
        line_penalty[bare] *= 1.0 + CJK_BARE_FACTOR * (w - 1.0)
    score = np.where(
        has,
        text - LINK_PENALTY * link - line_penalty + np.minimum(punct, text / 20.0) * 4.0,
        0.0)
    score = np.where(legal, -(text + link) - LINE_PENALTY, score)
    # a boilerplate name on a container holding most of the page is a false alarm
    # (body classes such as "has-sidebar"); so is one on a named content container
    raw_sub = dom.subtree(text + link) if n else text
    total = float(raw_sub[body]) if n else 0.0
    big = raw_sub >= NEG_MAX_SHARE * total
    # prose: long, link-poor blocks. A soft-negative name ("rail", "sidebar", a page-wide
    # <form>) on a container holding much of the page's prose is a false alarm.
    prose = np.where((text >= 100 * w) & (link < 0.3 * text), text, 0.0)
    sub_prose = dom.subtree(prose) if n else prose
    prose_total = float(sub_prose[body]) if n else 0.0
    soft_false = (~hard) & (sub_prose > PROSE_SHARE * prose_total) & (prose_total > 0)
    negative = (negative & ~(big & (dom.depth <= NEG_MAX_DEPTH))
                & ~(positive & (raw_sub > 0.2 * total)) & ~soft_false)
    consent = consent_boxes(dom, owner, text + link, page)
    if consent.any():
        negative |= consent
        hard |= consent
    neg_area = spread(dom, negative)
    score = np.where(neg_area & (score > 0), score * NEG_AREA_KEEP, score)
    score = np.where(neg_area & (score <= 0), score * 1.5, score)
    score.flags.writeable = False    # (shared: best_region keeps its sums)
    sub_score = dom.subtree(np.maximum(score, 0) + NEG_WEIGHT * np.minimum(score, 0)) if n else score
    sub_text = dom.subtree(text) if n else text
    sub_link = dom.subtree(link) if n else link
    region = best_region(dom, score, body, NEG_WEIGHT)
    return Blocks(owner=owner, is_block=is_block, text=text, link=link, score=score,
                  sub_score=sub_score, sub_text=sub_text, sub_link=sub_link,
                  negative=negative, positive=positive, hard=hard & negative, legal=legal, dead=dead, region=region, char_weight=w)


def best_region(dom: Dom, score: np.ndarray, body: int, alpha: float) -> int:
    """The node maximising (positive block scores + alpha * negative ones) in its subtree.

    A small ``alpha`` tolerates the metadata between posts of a thread; a larger
    one keeps an article's region tight around its prose. The winner then climbs
    to its parent while the parent adds only a little negative material, so a
    region is a whole container rather than its longest paragraph.
    """
    n = len(dom)
    if not n:
        return body
    # a thread page asks twice (the content region, then the wide one) with the same read-only
    # scores: their subtree sums are kept on the page
    kept = dom.memo.get(("region sums", id(score)))
    if kept is not None and kept[0] is score:
        pos, neg = kept[1], kept[2]
    else:
        pos = dom.subtree(np.maximum(score, 0))
        neg = dom.subtree(np.minimum(score, 0))
        if not score.flags.writeable:
            dom.memo[("region sums", id(score))] = (score, pos, neg)
    sub = pos + alpha * neg
    lo, hi = body, int(dom.end[body]) + 1
    best = lo + int(np.argmax(sub[lo:hi]))
    while best > body:
        up = int(dom.parent[best])
        if up < body or neg[up] - neg[best] < -CLIMB_SHARE * pos[best]:
            break
        best = up
    return best


def spread(dom: Dom, flags: np.ndarray) -> np.ndarray:
    """Flags extended from each flagged node to its whole subtree (DFS ranges)."""
    n = len(dom)
    if not n or not flags.any():
        return flags.copy()
    delta = np.zeros(n + 1, dtype=np.int32)
    idx = np.nonzero(flags)[0]
    delta += np.bincount(idx, minlength=n + 1)[: n + 1].astype(np.int32)
    delta -= np.bincount(dom.end[idx] + 1, minlength=n + 1)[: n + 1].astype(np.int32)
    return np.cumsum(delta[:n]) > 0


def comment_sections(dom: Dom, lo: int, hi: int) -> np.ndarray:
    """DFS indices in ``[lo, hi)`` of containers named like reader comments."""
    nf = names.node_flags(dom)[lo:hi]
    return lo + np.nonzero(nf & names.COMMENT)[0]


def furniture(dom: Dom, blocks: Blocks, lo: int, hi: int) -> np.ndarray:
    """Figures, captions and short date/byline/credit lines inside ``[lo, hi)``."""
    n = len(dom)
    out = np.zeros(n, dtype=bool)
    fig = np.array([t in FURNITURE_TAGS for t in dom.tags], dtype=bool)[dom.tag_id[lo:hi]]
    out[lo + np.nonzero(fig)[0]] = True
    w = blocks.char_weight
    total = blocks.sub_text[lo:hi] + blocks.sub_link[lo:hi]
    small = blocks.is_block[lo:hi] & (total > 0) & (total < 90 * w) & ((dom.end[lo:hi] - np.arange(lo, hi)) < 12)
    # a subtree's visible text is at least its non-space characters long: 90 or more cannot match
    csum = np.concatenate(([0], np.cumsum(dom.own_chars, dtype=np.int64)))
    small &= (csum[dom.end[lo:hi] + 1] - csum[lo:hi]) < 90
    end, own_text = dom.end, dom.own_text
    # prune() runs two or three times per page over overlapping regions: a node's verdict is
    # the same each time, so it is kept for the page's next call
    if _LINE_VERDICTS[0] is not blocks:
        _LINE_VERDICTS[:] = [blocks, {}]
    known = _LINE_VERDICTS[1]
    for i in (lo + np.nonzero(small)[0]).tolist():
        if out[i]:
            continue
        hit = known.get(i)
        if hit is None:
            # a leaf's text is its own (collapsed) text: no tree walk
            text = own_text[i] if end[i] == i else dom.text_of(i)
            hit = known[i] = bool(len(text) < 90 and (is_meta_line(text) or is_dateline(text)
                                                        or _COUNTER_RE.match(text)))
        if hit:
            out[i] = True
    return out


# (the Blocks of the last page furniture() saw, {node: is a furniture line})
_LINE_VERDICTS: list = [None, {}]


def is_meta_line(text: str) -> bool:
    """A byline, a photo credit, an ad label or a button label: article furniture."""
    return bool(_META_START_RE.match(text) or _META_WORDS_RE.search(text))


def is_dateline(text: str) -> bool:
    """A line made of a date or time and a few words (a source, a place), not a sentence with a date."""
    # every form of _DATE_RE holds a digit: a line without one is settled by a quick scan
    if not _ANY_DIGIT_RE.search(text) or not _DATE_RE.search(text):
        return False
    rest = _DATE_RE.sub("", text)
    weight = 3 if CJK_RE.search(rest) else 1
    return len("".join(rest.split())) * weight <= _DATELINE_REST


_META_ITEMPROPS = frozenset({
    "image", "publisher", "logo", "author", "url", "width", "height", "datepublished", "datemodified",
    "thumbnailurl", "contenturl", "dateline", "creator", "sourceorganization", "copyrightholder",
})


def metadata_items(dom: Dom, lo: int, hi: int) -> np.ndarray:
    """Microdata properties that describe the page (image, publisher, author, dates) rather than tell it."""
    out = np.zeros(len(dom), dtype=bool)
    nodes = dom.nodes
    for i in dom.special:
        if lo <= i < hi:
            prop = nodes[i].get("itemprop")
            if prop and prop.split()[0].lower() in _META_ITEMPROPS:
                out[i] = True
    return out


def teasers(dom: Dom, blocks: Blocks, lo: int, hi: int) -> np.ndarray:
    """Runs of four or more same-signature items that open with a link: other stories' teasers.

    An item is short, its first text is inside a link (the headline) and it is not a
    paragraph; paragraphs with links mid-sentence are article text.
    """
    n = len(dom)
    out = np.zeros(n, dtype=bool)
    if hi - lo < 16:
        return out
    idx = np.arange(lo, hi)
    total = blocks.sub_text[idx] + blocks.sub_link[idx]
    w = blocks.char_weight
    p_id = dom.tags.index("p") if "p" in dom.tags else -1
    cand = (blocks.sub_link[idx] > 0) & (total < 500 * w) & (blocks.sub_link[idx] >= TEASER_LINK_SHARE * total)
    cand &= dom.tag_id[idx] != p_id
    cand_idx = idx[cand]
    if len(cand_idx) < 4:
        return out
    chars = dom.own_chars
    in_link = dom.in_link
    texts = dom.own_text
    cjk = w > 1.5
    groups: dict[tuple[int, int], list[int]] = {}
    for i in cand_idx.tolist():
        # first node with text in the item's subtree must sit in a link
        j, stop = i, int(dom.end[i])
        while j <= stop and chars[j] == 0:
            j += 1
        if j <= stop and not in_link[j] and len(texts[j]) <= KICKER_CHARS:
            # a short label ("Featured", "Opinion") before the headline link: a kicker
            j += 1
            while j <= stop and chars[j] == 0:
                j += 1
        if j > stop or not in_link[j]:
            continue   # the item does not open with a link
        if not any(in_link[k] and ((len(texts[k]) >= 8) if cjk else (texts[k].count(" ") >= 2))
                   for k in range(j, stop + 1)):
            continue   # no headline-sized link: an author or a category only (a post, not a teaser)
        groups.setdefault((int(dom.parent[i]), int(dom.sig_id[i])), []).append(i)
    for items in groups.values():
        if len(items) >= 4:
            out[items] = True
    return out


# The link that closes a teaser: "[more]", "Read more", "[详细]", "阅读全文"...
_MORE_LINK_RE = re.compile(
    r"^[\s\[\(<\u3010\uff08\u00ab]*(?:read more|more|continue reading|full story|weiterlesen|mehr|lire la suite|"
    r"leer m\u00e1s|leia mais|continua a leggere|devam\u0131|selengkapnya|"
    r"\u043f\u043e\u0434\u0440\u043e\u0431\u043d\u0435\u0435|"
    r"\u8be6\u7ec6|\u8be6\u60c5|\u66f4\u591a|\u5168\u6587|\u9605\u8bfb\u5168\u6587|\u67e5\u770b\u5168\u6587|"
    r"\u7d9a\u304d\u3092\u8aad\u3080)"
    r"[\s\]\)>\u3011\uff09\u00bb.\u2026]*$", re.I)


_CLOSING = " \t\r\n\u00a0])>\u3011\uff09\u00bb.\u2026|"


def read_more_teasers(dom: Dom, blocks: Blocks, lo: int, hi: int) -> np.ndarray:
    """Short blocks that end with a "more" link: excerpts of other pages, not this page's text."""
    out = np.zeros(len(dom), dtype=bool)
    chars = dom.own_chars
    cand = dom.in_link[lo:hi] & (chars[lo:hi] > 0) & (chars[lo:hi] <= 20)
    texts, nodes, end = dom.own_text, dom.nodes, dom.end
    w = blocks.char_weight
    for i in (lo + np.nonzero(cand)[0]).tolist():
        if not _MORE_LINK_RE.match(texts[i]):
            continue
        b = int(blocks.owner[i])
        if b < lo or blocks.sub_text[b] + blocks.sub_link[b] > 600 * w or blocks.sub_text[b] < 20 * w:
            continue
        if chars[i + 1:int(end[b]) + 1].sum() > 0:
            continue   # text follows the link: it does not close the block
        j, tail = i, False
        while j != b and j >= 0:
            if (nodes[j].tail or "").strip(_CLOSING):
                tail = True
                break
            j = int(dom.parent[j])
        if not tail:
            out[b] = True
    return out


# Headings that open the tail of a page: other stories, references, reading lists.
_TAIL_HEADING_RE = re.compile(
    r"^\s*(?:related(?: articles| stories| posts| news)?|recommended(?: for you)?|more (?:from|stories|news)\b.*|"
    r"you may also like|you might also like|read next|references|bibliography|further reading|"
    r"\u63a8\u8350\u9605\u8bfb|\u76f8\u5173\u9605\u8bfb|\u76f8\u5173\u65b0\u95fb|\u76f8\u5173\u6587\u7ae0|"
    r"\u5ef6\u4f38\u9605\u8bfb|\u53c2\u8003\u8d44\u6599|\u53c2\u8003\u6587\u732e|\u70ed\u95e8\u63a8\u8350|"
    r"\u731c\u4f60\u559c\u6b22)\s*[:\uff1a]?\s*$", re.I)


def tail_sections(dom: Dom, blocks: Blocks, region: int, lo: int, hi: int) -> np.ndarray:
    """A heading such as "Related stories" or "References" and everything after it in its container."""
    out = np.zeros(len(dom), dtype=bool)
    chars, texts, parent, end = dom.own_chars, dom.own_text, dom.parent, dom.end
    cand = (chars[lo:hi] > 0) & (chars[lo:hi] <= 30) & ~dom.in_link[lo:hi]   # not a table-of-contents entry
    for i in (lo + np.nonzero(cand)[0]).tolist():
        if not _TAIL_HEADING_RE.match(texts[i]):
            continue
        c = i
        # climb while the node is the last thing in its parent (a heading wrapped in a title box)
        for _ in range(3):
            if int(parent[c]) <= region or int(end[c]) != int(end[int(parent[c])]):
                break
            c = int(parent[c])
        p = int(parent[c])
        if p < region:
            continue
        stop = int(end[p])
        tail = []
        j = c
        while j <= stop:
            if int(parent[j]) == p:
                tail.append(j)
                j = int(end[j]) + 1
            else:
                j += 1
        held = float((blocks.sub_text[tail] + blocks.sub_link[tail]).sum()) if tail else 0.0
        if held < 0.5 * float(blocks.sub_text[region] + blocks.sub_link[region]):
            out[tail] = True   # a tail, not a heading placed before the article
    return out


def prune(dom: Dom, blocks: Blocks, region: int, keep: np.ndarray | None = None, *,
          drop_comments: bool | str = False, declared: bool = False) -> np.ndarray:
    """Nodes inside ``region`` to skip when rendering: link lists, boilerplate, hidden.

    Returns a bool array over all nodes marking the *roots* of skipped subtrees.
    With ``drop_comments`` (an article, not a thread) reader-comment sections go
    too, unless they hold most of the region's text; ``drop_comments="always"``
    drops them whatever their size (the comments were recognised as such).
    ``declared``: the page declares itself an article, so blocks closed by "more"
    links are its own format (a slideshow, a summary), not other pages' teasers.
    """
    n = len(dom)
    skip = np.zeros(n, dtype=bool)
    lo, hi = region + 1, int(dom.end[region]) + 1
    if lo >= hi:
        return skip
    idx = np.arange(lo, hi)
    st = blocks.sub_text[idx]
    sl = blocks.sub_link[idx]
    total = st + sl
    w = blocks.char_weight
    link_heavy = (total > 0) & (sl > 0.5 * total) & (st < 300 * w)
    # subtrees of short lines and links that score clearly negative, e.g. share bars
    negative_small = (blocks.sub_score[idx] < -60) & (st < 80 * w) & (sl > 0)
    named = blocks.negative[idx] & ((st < 600 * w) | blocks.hard[idx])
    named &= ~(blocks.positive[idx] & (st > 200 * w) & ~blocks.hard[idx])
    legal = blocks.legal[idx] & (total < 400 * w)
    # a box whose lines are largely calls to action (donate, subscribe, sign up) goes whole
    legal_text = np.where(blocks.legal, blocks.text + blocks.link, 0.0)
    sub_legal = dom.subtree(legal_text)[idx]
    legal |= (sub_legal >= CTA_SHARE * total) & (total < 1500 * w) & (total > 0)
    cand = link_heavy | negative_small | named | legal
    cand &= blocks.is_block[idx]  # only block elements start a pruned subtree
    cand |= blocks.dead[idx]
    skip[idx[cand]] = True
    skip |= furniture(dom, blocks, lo, hi)
    skip |= tail_sections(dom, blocks, region, lo, hi)
    skip |= metadata_items(dom, lo, hi)
    skip |= teasers(dom, blocks, lo, hi)
    # excerpts closed by "more" links; on a page declared an article they are its own format
    # (a slideshow, a summary with a "continue" link), on others other pages' teasers
    more = read_more_teasers(dom, blocks, lo, hi) if not declared else None
    if more is not None and more.any():
        skip |= more
        held = float((blocks.sub_text[more] + blocks.sub_link[more]).sum())
        if held >= TEASER_SHARE * float(blocks.sub_text[region] + blocks.sub_link[region]):
            # a region made of other pages' excerpts is a listing: none of it is this page's text
            skip[lo:hi] = True
    # a writer box (name, role, biography) is not article text; on pages that may be forums
    # only one that also says it is boilerplate ("author-bio"): post authors are named "author" too
    nf = names.node_flags(dom)[lo:hi]
    author = (nf & names.AUTHORBOX) > 0
    if not drop_comments:
        author &= (nf & names.NEG) > 0
    author &= blocks.is_block[idx] & (st < 1000 * w) & ~blocks.positive[idx]
    skip[idx[author]] = True
    if drop_comments:
        com = comment_sections(dom, lo, hi)
        if len(com):
            # outermost comment sections only; together they must not be most of the region
            outer, last_end = [], -1
            for c in com.tolist():
                if c > last_end:
                    outer.append(c)
                    last_end = int(dom.end[c])
            outer = np.asarray(outer, dtype=np.int64)
            rest = blocks.sub_text[region] - blocks.sub_text[outer].sum()
            if (drop_comments == "always" or rest >= COMMENTED_PROSE * blocks.char_weight
                    or rest >= blocks.sub_text[outer].sum()):
                skip[outer] = True
    if keep is not None:
        skip &= ~keep
    return skip
