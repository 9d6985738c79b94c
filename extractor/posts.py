"""Split a thread page into its posts, with no per-site rules.

The post unit is found as the *element key* (tag + classes, with digits and
odd/even alternation removed, or tag + digit-stripped id when there is no
class) whose occurrences

* each carry about one date label (a post shows when it was written; a
  container of several posts shows several dates, a paragraph none),
* together hold the most non-link, non-template text of the page.

Occurrences may nest (threaded comments): each unit then owns its subtree
minus the nested units. Per-node text and date counts are numpy arrays summed
over DFS ranges, so scoring every key of the page is linear. schema.org
microdata elements, when the page marks its posts up, are taken as the units
directly; JSON-LD postings fill in authors and dates when their text agrees
with the DOM split, and replace it when the DOM has no repeated structure.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit
from datetime import datetime
from functools import lru_cache
from itertools import compress
from typing import Any

import numpy as np
from lxml import etree

from extractor import fields
from extractor.dates import find_date, match_date, page_zone
from extractor.dom import Dom
from extractor.model import Post

# Tags that are never a post unit on their own.
_NOT_UNIT_TAGS = frozenset(
    "a abbr b bdi bdo big br cite code data del dfn em font i img ins kbd label mark nobr q s samp small "
    "span strike strong sub sup time tt u var wbr p h1 h2 h3 h4 h5 h6 pre td th tbody thead tfoot font "
    "html body head blockquote dd dt center".split())
_BLOCK_TAGS_SKIP = frozenset("html body".split())
_ALTERNATION = re.compile(r"^(?:odd|even|alt|alt\d|first|last|thread-odd|thread-even|thread-alt|"
                          r"active|selected|new|unread|read|highlight\w*|focus\w*|is-\w+|has-\w+|"
                          r"byuser|bypostauthor|comment-author-\S+|depth-\d+|js-\S+)$")
_DIGITS = re.compile(r"\d+")
# "first-post", "b-post--first", "post_content_firstfloor", "lastpost", "spEven": position marks, not kinds
_FIRST_LAST = re.compile(r"(?:^|[-_])(?:odd|even)(?=$|[-_0-9A-Z])|(?:^|[-_])(?:first|last)|^row(?:odd|even)$|"
                         r"(?<=[a-z])(?:Odd|Even|First|Last)(?=$|[-_0-9A-Z])")
# Two passes keep the scan fast: digit-led forms over all short texts (the regex engine
# skips to digits), word-led forms ("May 3", "an hour ago", "昨天 12:30") over labels only.
_MONTHS_RE = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
_QUICK_DIGIT_RE = re.compile(
    r"\d(?<![\d.]\d)"   # a number's first digit, then what makes it a date
    r"(?:\d{3}\s*[-/.年]\s*\d{1,2}|\d?[./-]\d{1,2}[./-](?:19|20)?\d{2}\b|\d?:\d{2}(?![\d.])|"
    r"\d*\s+\w+\s+ago\b|\d*\s*\S{1,3}前\s*$|\d?(?:st|nd|rd|th)?\s+" + _MONTHS_RE + r"|\d?\s*月\s*\d+\s*日)",
    re.I | re.M)
_QUICK_WORD_RE = re.compile(
    r"\b" + _MONTHS_RE + r"[a-z]*\.?\s+\d{1,2}\b|\ban?\s+\w+\s+ago\b|"
    r"(?:\byesterday\b|\btoday\b|昨天|前天|今天)(?=\s*(?:at\s*)?\d{1,2}[:：]\d{2})|"
    r"^\s*(?:yesterday|today|昨天|前天|今天|刚刚|just now|\d{1,3}\s*(?:s|m|min|h|hr|d|w|mo|y|yr|"
    r"seconds?|minutes?|mins|hours?|hrs|days?|weeks?|months?|years?))\s*$",
    re.I | re.M)
_QUICK_DATE_RE = re.compile(_QUICK_DIGIT_RE.pattern + "|" + _QUICK_WORD_RE.pattern, re.I | re.M)
_MAX_DATES_PER_POST = 4
MIN_SHAPE_SIMILARITY = 0.2   # measured: junk pairs < 0.17, real threads mostly > 0.35


@lru_cache(maxsize=65536)
def _normal_sig(sig: str) -> tuple[str, bool]:
    """A signature without digits and position/state classes, and whether it has no class left."""
    tag, _, cls = sig.partition(".")
    tokens = sorted({_DIGITS.sub("", t) for t in cls.split(".")
                     if t and not _ALTERNATION.match(t) and not _FIRST_LAST.search(t)} - {"", "-", "_"})
    return tag + ("." + ".".join(tokens) if tokens else ""), not tokens


_CACHE: dict[str, tuple] = {}


def _cached(name: str, dom: Dom, build):
    """Per-page arrays shared by posts and listing (one page at a time)."""
    hit = _CACHE.get(name)
    if hit is not None and hit[0] is dom:
        return hit[1]
    value = build(dom)
    _CACHE[name] = (dom, value)
    return value


def node_keys(dom: Dom) -> np.ndarray:
    """Per node, an id of its normalised key (see module doc)."""
    return _cached("keys", dom, _node_keys)


def _node_keys(dom: Dom) -> np.ndarray:
    norm: dict[str, int] = {}
    by_sig = np.zeros(len(dom.sigs), dtype=np.int32)
    plain = np.zeros(len(dom.sigs), dtype=bool)
    for s, sig in enumerate(dom.sigs):
        name, bare = _normal_sig(sig)
        plain[s] = bare
        by_sig[s] = norm.setdefault(name, len(norm))
    keys = by_sig[dom.sig_id]
    # Elements without classes: an id such as "post123" / "pid_9" still names their kind.
    # (XPath finds the few elements that have an id without a Python pass over all nodes.)
    index = dom.index
    for el in dom.root.xpath("descendant-or-self::*[@id]"):
        i = index.get(el)
        if i is None or not plain[dom.sig_id[i]]:
            continue
        ident = el.get("id")
        if any(c.isdigit() for c in ident):
            name = dom.tags[dom.tag_id[i]] + "#" + _DIGITS.sub("", ident)
            keys[i] = norm.setdefault(name, len(norm))
    return keys


_SIDE_WORDS = frozenset("sidebar sidebars widget widgets related recommend recommended popular trending "
                        "breadcrumb breadcrumbs nav navbar navigation menu footer aside".split())
_PARTS_RE = re.compile(r"[-_\s.]+")


@lru_cache(maxsize=65536)
def _is_side(sig: str) -> bool:
    tag, _, cls = sig.partition(".")
    if tag in ("aside", "nav", "footer"):
        return True
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


def date_flags(dom: Dom) -> np.ndarray:
    """1 where a node's own short text (or a ``<time>`` element) looks like a date."""
    return _cached("dates", dom, _date_flags)


def _date_flags(dom: Dom) -> np.ndarray:
    n = len(dom)
    flags = np.zeros(n, dtype=np.int32)
    for regex, limit in ((_QUICK_DIGIT_RE, 150), (_QUICK_WORD_RE, 40)):
        keep = (dom.own_chars > 0) & (dom.own_chars <= limit)
        idx = np.nonzero(keep)[0]
        if not len(idx):
            continue
        texts = list(compress(dom.own_text, keep.tolist()))
        joined = "\n".join(texts)
        lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        hits = [m.start() for m in regex.finditer(joined)]
        if hits:
            flags[idx[np.searchsorted(starts, np.asarray(hits), side="right") - 1]] = 1
    if "time" in dom.tags:
        t = dom.tags.index("time")
        flags[dom.tag_id == t] = 1
        inner = np.nonzero(flags)[0]            # a <time> holding its own text counts once
        parents = dom.parent[inner]
        ok = parents >= 0
        dup = inner[ok][(dom.tag_id[parents[ok]] == t) & (flags[parents[ok]] > 0)]
        flags[dup] = 0
    return flags


def text_weights(dom: Dom, template_mask: np.ndarray | None) -> np.ndarray:
    """Non-link own characters per node, zero inside template blocks."""
    w = (dom.own_chars - dom.own_link_chars).astype(np.int64)
    w[w < 0] = 0
    if template_mask is not None and len(template_mask) == len(w):
        w[np.asarray(template_mask, dtype=bool)] = 0
    return w


def _exclusive(members: np.ndarray, end: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Subtree sums of ``values`` at members minus those of members nested inside them."""
    out = values[members].astype(np.int64).copy()
    if len(members) < 2 or not np.any(members[1:] <= end[members[:-1]]):
        return out
    stack: list[int] = []
    for j, m in enumerate(members.tolist()):
        while stack and m > end[members[stack[-1]]]:
            stack.pop()
        if stack:
            out[stack[-1]] -= values[m]
        stack.append(j)
    return out


def choose_units(dom: Dom, key: np.ndarray, text_w: np.ndarray, dates: np.ndarray,
                 region: int | None, url: str = "") -> list[int]:
    """DFS indices of the post units, in page order ([] when the page has none)."""
    sub_text = dom.subtree(text_w)
    sub_date = dom.subtree(np.where(quote_mask(dom), 0, dates))   # quoted posts' dates don't count
    sub_all = dom.subtree(dom.own_chars)
    # text that is neither a link nor a date: a board's rows have little besides their title link
    sub_plain = dom.subtree(np.where(dates == 0, text_w, 0))
    sub_link = dom.subtree(dom.own_link_chars)
    total = int(sub_text[0]) or 1
    unit_ok = np.ones(len(dom.tags), dtype=bool)
    for t, name in enumerate(dom.tags):
        if name in _NOT_UNIT_TAGS or name.startswith("#"):
            unit_ok[t] = False
    cand = np.nonzero(unit_ok[dom.tag_id] & (sub_text > 0) & ~layout_mask(dom))[0]
    if len(cand) < 2:
        return []
    order = np.argsort(key[cand], kind="stable")
    cand = cand[order]
    bounds = np.nonzero(np.diff(key[cand]))[0] + 1
    scored: list[tuple[float, np.ndarray]] = []
    for allm in np.split(cand, bounds):
        if len(allm) < 2 or np.count_nonzero(sub_date[allm]) < 2:
            continue
        ex_text = _exclusive(allm, dom.end, sub_text)
        ex_date = _exclusive(allm, dom.end, sub_date)
        good = (ex_date >= 1) & (ex_date <= _MAX_DATES_PER_POST) & (ex_text > 0)
        kg = int(good.sum())
        if kg < 2:
            continue
        members = allm[good]
        if float(sub_plain[members].sum()) < float(sub_link[members].sum()):
            continue          # rows of title links with counts and dates: a listing
        if np.count_nonzero(sub_plain[members] > 0) < 0.5 * len(members):
            continue          # date cells: nothing but the date
        if float(sub_text[allm].sum()) < 0.5 * float(sub_all[allm].sum()):
            continue          # mostly link text: a list of threads or related questions
        if int(dom.depth[allm].max()) <= 2:
            continue          # page-level wrappers (header, main, footer) are no posts
        texts = ex_text[good]
        cap = 12.0 * max(float(np.median(texts)), 40.0)   # one huge member is a container, not a post
        text_good = float(np.minimum(texts, cap).sum())
        frac = kg / max(1, int((ex_text > 0).sum()))
        score = text_good * frac
        # Most members dated: the undated ones are widgets sharing the class ("Loading...");
        # otherwise an undated member is kept when it has a post's amount of text.
        if frac >= 0.8 or frac < 0.5:
            keep = good
        else:
            keep = good | (ex_text >= 0.25 * float(np.median(ex_text[good])))
        scored.append((score, allm[keep]))
    scored.sort(key=lambda x: -x[0])
    base = float(sub_text[region]) if region is not None and 0 <= region < len(dom) else total
    for score, units in scored[:1]:   # runners-up of a rejected best are mostly widgets too
        covered = float(sum(int(sub_text[u]) for u in _outermost(units, dom.end)))
        if covered < 0.45 * min(base, total) and covered < 0.3 * total:
            break             # the best remaining group is too small to be the page's thread
        if shape_similarity(dom, key, units) < MIN_SHAPE_SIMILARITY:
            continue
        if teaser_share(dom, units, url, dates) >= 0.6:
            continue          # cards of other articles: title link, author, date, excerpt
        return units.tolist()
    return []


def teaser_share(dom: Dom, units: np.ndarray, url: str, dates: np.ndarray, sample: int = 12) -> float:
    """Share of units that lead with a link to another page before any prose (article teasers)."""
    if not len(units):
        return 0.0
    page_path = urlsplit(url).path.rstrip("/")
    sub_dates = dom.subtree(dates)
    titles: list[str] = []
    picked = units[:sample].tolist()
    for u in picked:
        i, stop = u, int(dom.end[u])
        while i <= stop:
            el = dom.nodes[i]
            if el.tag == "a":
                href = (el.get("href") or "").strip()
                text = dom.text_of(i)
                other = (href and not href.startswith(("#", "javascript:", "mailto:"))
                         and urlsplit(urljoin(url, href)).path.rstrip("/") != page_path
                         and not fields.PROFILE_HREF_RE.search(href))
                if other and len(text.replace(" ", "")) >= 12 and not sub_dates[i]:
                    titles.append(text.lower())
                    break
                i = int(dom.end[i]) + 1
                continue
            if not dom.in_link[i] and dom.own_chars[i] >= 12 and not dates[i]:
                break         # prose first: a post
            i += 1
    # Teasers have titles of their own; replies repeat the thread's ("Re: What did you dream...")
    distinct = len({re.sub(r"^\W*re\W+", "", t) for t in titles})
    if distinct < 0.8 * len(titles):
        return 0.0
    return len(titles) / len(picked)


_FORUM_PROFILE_RE = re.compile(r"member|profile|space|/u/|uid=|/users?/|viewprofile|home\.php", re.I)
_POST_BUTTON_RE = re.compile(r"^(?:quote|reply|reply with quote|multi-?quote|\+ ?quote|report|回复|引用|举报)$", re.I)


def single_post(dom: Dom, text_w: np.ndarray, dates: np.ndarray) -> int | None:
    """The one post of a thread page that shows a single post (no replies yet, or the
    last page), or None.

    With nothing repeated to compare, the post must show a forum post's own
    anatomy: an element carrying a post id (``id="p123"``, ``post_123``,
    ``data-post-id``) that holds a date label and prose, plus at least one of a
    member-profile link, a printed floor label, or a Quote/Reply button. Blog
    articles (``id="post-123"`` with an ``/author/`` link) have none of those.
    """
    side = layout_mask(dom)
    index = dom.index
    found: list[int] = []
    xpath = ("descendant-or-self::*[@id or @data-post-id or @data-postid or @data-pid or @data-field "
             "or @data-content]")
    for el in dom.root.xpath(xpath):
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
        for j in range(i, stop + 1):
            node = dom.nodes[j]
            own = dom.own_text[j]
            if node.tag == "a" and _FORUM_PROFILE_RE.search(node.get("href") or ""):
                signals |= 1
            if own and len(own) <= 30:
                if fields.floor_of(own) is not None:
                    signals |= 2
                if _POST_BUTTON_RE.match(own):
                    signals |= 4
        if signals:
            found.append(i)
    return found[0] if len(found) == 1 else None


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
                        r"toolbar|pagination|pager|search|login|userbar)(?:$|[\s_\-])", re.I)


def find_lead(dom: Dom, units: list[int], text_w: np.ndarray, dates: np.ndarray) -> int | None:
    """The opening post when its markup differs from the replies' (a question before its answers).

    Looked for among the elements just before the first reply, at the replies'
    common container and up to five levels above it: the nearest one that
    carries a date and enough non-link prose to be a post.
    """
    first, last = units[0], units[-1]
    prose = np.where(dom.own_chars >= 12, text_w, 0)
    for h in ("h1", "h2", "h3"):      # a thread title above the replies is no post
        if h in dom.tags:
            for i in np.nonzero(dom.tag_id == dom.tags.index(h))[0].tolist():
                prose[i:dom.end[i] + 1] = 0
    sub_text = dom.subtree(prose)
    sub_date = dom.subtree(dates)
    sub_all = dom.subtree(dom.own_chars)
    ancestors = []
    p = int(dom.parent[first])
    while p > 0:
        ancestors.append(p)
        p = int(dom.parent[p])
    start = next((k for k, a in enumerate(ancestors) if dom.end[a] >= last), None)
    if start is None:
        return None
    median = float(np.median([sub_text[u] for u in units]))
    for a in ancestors[start:start + 6]:
        if dom.tags[dom.tag_id[a]] in ("body", "html"):
            break
        best = None
        for c in dom.children(a):
            if dom.end[c] >= first:
                break
            tag = dom.tags[dom.tag_id[c]]
            if tag in ("nav", "header", "footer", "aside", "form", "menu") or _LAYOUT_RE.search(fields.words(dom.nodes[c])):
                continue
            if not (1 <= sub_date[c] <= 6) or sub_text[c] < max(30.0, 0.25 * median):
                continue
            if sub_text[c] < 0.6 * sub_all[c]:
                continue          # mostly short labels and links (a calendar, a profile card)
            best = c            # the nearest qualifying element before the replies
        if best is not None:
            return best
    return None


def _tight_body(dom: Dom, node: int, nodes: np.ndarray, prose: np.ndarray) -> int:
    """The smallest of ``nodes`` (inside ``node``) that still holds most of its prose."""
    total = prose[node]
    if total <= 0:
        return node
    cand = nodes[(nodes > node) & (prose[nodes] >= 0.78 * total)]
    if not len(cand):
        return node
    sizes = dom.end[cand] - cand
    return int(cand[int(np.argmin(sizes))]) if sizes.min() < dom.end[node] - node else node


def shape_similarity(dom: Dom, key: np.ndarray, members: np.ndarray, sample: int = 6) -> float:
    """Mean Jaccard similarity of the element keys inside consecutive members.

    Posts of one thread are built alike (name box, date, body, buttons); two
    unrelated blocks that merely share a class and a date are not.
    """
    members = members[:sample]
    sets = [set(np.unique(key[m + 1:dom.end[m] + 1]).tolist()) for m in members.tolist()]
    sims = []
    for a, b in zip(sets, sets[1:]):
        union = len(a | b)
        sims.append(len(a & b) / union if union else 1.0)
    return float(np.mean(sims)) if sims else 0.0


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


def find_posts(dom: Dom, url: str, *, now: datetime, structured: Any = None,
               template_mask: np.ndarray | None = None, region: int | None = None) -> list[Post]:
    """The posts of a thread page in page order, or [] when the page has none."""
    n = len(dom)
    if n < 3:
        return []
    key = node_keys(dom)
    text_w = text_weights(dom, template_mask)
    dates = date_flags(dom)
    md_units, md_data = _structured_units(dom, structured)
    sub_text = dom.subtree(text_w)
    side = layout_mask(dom)
    sub_all = dom.subtree(dom.own_chars)
    # marked-up "postings" that are link lists (similar questions) or sit in a sidebar are no posts
    prose = dom.subtree(np.where(dom.own_chars >= 12, text_w, 0))
    md_units = [u for u in md_units if prose[u] > 0 and not side[u] and sub_text[u] >= 0.3 * sub_all[u]]
    units = choose_units(dom, key, text_w, dates, region, url)
    if len(units) >= 2:
        units = expand_units(dom, units, key)
        lead = find_lead(dom, units, text_w, dates)
        if lead is not None:
            units = [lead] + units
    else:
        lead = None
    sdata: dict[int, dict] = {}
    if len(md_units) >= 2:
        matched, one_to_one = _match_units(dom, units, md_units, md_data)
        if len(units) > len(md_units) and one_to_one and len(matched) >= 0.8 * len(md_units):
            sdata = matched            # the DOM found posts the markup left out (often the first)
        else:
            units, sdata = md_units, md_data
    if len(units) < 2:
        posts = _posts_from_jsonld(dom, structured, now, url)
        if posts:
            return posts
        single = single_post(dom, text_w, dates)
        if single is None:
            return []
        units, sdata = [single], {}
    # A DOM split nothing vouches for must show posts' anatomy: a common body or author element;
    # one without it stands only if the page's JSON-LD thread agrees with its texts.
    skip = 1 if lead is not None and units and units[0] == lead else 0
    posts = _build_posts(dom, units, key, text_w, dates, url, now, sdata, strict=not sdata, lead=skip)
    if not posts and not sdata and structured is not None and getattr(structured, "is_thread", False):
        loose = _build_posts(dom, units, key, text_w, dates, url, now, sdata, strict=False, lead=skip)
        agreed = _merge_jsonld(loose, structured, now)
        posts = loose if agreed is not None and agreed >= 0.5 else []
        if not posts:
            return _posts_from_jsonld(dom, structured, now, url)
    matched = _merge_jsonld(posts, structured, now)
    if not sdata and matched is not None and matched < 0.75:
        # The page's own JSON-LD thread disagrees with the DOM split: trust the JSON-LD
        # when its texts are on the page.
        replacement = _posts_from_jsonld(dom, structured, now, url)
        if replacement:
            return replacement
    posts = [p for p in posts if p.text or p.quotes]
    for i, post in enumerate(posts, start=1):
        post.position = i
    zone = _page_zone(dom) if any(p.published is not None and p.published.tzinfo is None for p in posts) else None
    if zone is not None:      # "All times are GMT -5": wall-clock dates are in that zone
        for post in posts:
            if post.published is not None and post.published.tzinfo is None:
                post.published = post.published.replace(tzinfo=zone)
    return posts


_ZONE_HINT_RE = re.compile(r"times are|time ?zone|时区|時區|^\s*(?:utc|gmt)\s*[+-]\s*\d", re.I | re.M)


def _page_zone(dom: Dom):
    """The zone the page states for its times, read from the few short texts that mention one."""
    keep = (dom.own_chars > 0) & (dom.own_chars <= 200)
    idx = np.nonzero(keep)[0]
    if not len(idx):
        return None
    texts = list(compress(dom.own_text, keep.tolist()))
    joined = "\n".join(texts)
    hits = [m.start() for m in _ZONE_HINT_RE.finditer(joined)]
    if not hits:
        return None
    starts = np.concatenate(([0], np.cumsum([len(t) + 1 for t in texts])[:-1]))
    nodes = idx[np.searchsorted(starts, np.asarray(hits), side="right") - 1]
    # the label and its value may sit in different elements: read the label's parent too
    candidates = []
    for i in dict.fromkeys(nodes.tolist()):
        candidates.append(dom.text_of(i))
        if dom.parent[i] >= 0:
            candidates.append(dom.text_of(int(dom.parent[i]))[:200])
    return page_zone(candidates)


MAX_UNITS = 2000   # a page with more repeated posts than this is cut (bounded time)


def _owned_nodes(owner: np.ndarray, k: int) -> list[np.ndarray]:
    """Per unit, the sorted DFS indices of the nodes it owns (its subtree minus nested units)."""
    order = np.argsort(owner, kind="stable")
    counts = np.bincount(owner[owner >= 0], minlength=k)
    first = int(np.searchsorted(owner[order], 0))
    bounds = first + np.concatenate(([0], np.cumsum(counts)))
    return [order[bounds[j]:bounds[j + 1]] for j in range(k)]


def _build_posts(dom: Dom, units: list[int], key: np.ndarray, text_w: np.ndarray, dates: np.ndarray,
                 url: str, now: datetime, sdata: dict[int, dict], strict: bool = False,
                 lead: int = 0) -> list[Post]:
    n = len(dom)
    units = units[:MAX_UNITS]
    owner = np.full(n, -1, dtype=np.int32)
    for ui, u in enumerate(units):
        owner[u:dom.end[u] + 1] = ui
    owned = _owned_nodes(owner, len(units))
    nested: list[list[int]] = [[] for _ in units]
    for j, u in enumerate(units):
        p = dom.parent[u]
        if p >= 0 and owner[p] >= 0:
            nested[int(owner[p])].append(u)
    date_node: list[int | None] = []
    for ui in range(len(units)):
        o = owned[ui]
        hit = [i for i in o[dates[o] > 0].tolist() if not fields.is_meta_date(dom, i)]
        date_node.append(hit[0] if hit else None)
    # The keys come from the replies; an opening post built differently (lead) follows them
    # where it can and falls back to its densest part and a marked author otherwise.
    body_key = fields.pick_body_key(dom, units[lead:], owned[lead:], key, text_w, date_node[lead:], dates,
                                    quote_mask(dom))
    declared = _declared_bodies(dom, owned) if sdata else {}

    bodies: list[int] = []
    excluded = np.zeros(n, dtype=bool)
    prose = dom.subtree(np.where((dom.own_chars >= 12) & (dates == 0), text_w, 0))
    for ui, u in enumerate(units):
        body = declared.get(ui, u)
        if body == u and body_key is not None:
            o = owned[ui]
            hit = o[(o > u) & (key[o] == body_key)]
            if len(hit):      # the occurrence holding the prose (a "By bob on <date>" <p> may come first)
                body = int(hit[int(np.argmax(prose[hit]))])
            else:   # a post unlike the others (the opening post): its densest part
                body = _tight_body(dom, u, owned[ui], prose)
        bodies.append(body)
        if body != u:   # only this post's own nodes: replies nested in the body keep theirs
            o = owned[ui]
            lo, hi = np.searchsorted(o, [body, int(dom.end[body]) + 1])
            excluded[o[lo:hi]] = True
    akey = fields.loose_keys(dom)
    author_key = fields.pick_author_key(dom, units[lead:], owned[lead:], akey, excluded, url)
    if strict and body_key is None and author_key is None:
        return []             # page sections that merely share a class and carry a date each

    sub_chars = dom.subtree(dom.own_chars)
    reject = lambda i: fields.is_meta_date(dom, i)  # noqa: E731
    posts: list[Post] = []
    for ui, u in enumerate(units):
        body = bodies[ui]
        mine = owned[ui].tolist()
        outside = [i for i in mine if not excluded[i]]
        author_node, author = None, None
        if author_key is not None:
            for i in outside:
                if i != u and akey[i] == author_key and dom.own_text[i]:
                    author = fields.author_text(dom, i)
                    if author:
                        author_node = i
                        break
        if author is None:
            author_node, author = fields.fallback_author(dom, [i for i in outside if i != u])
        # The post's date: outside its body first (a date quoted in the text is not the post's)
        published, raw = find_date(dom, u, u, now=now, nodes=outside, reject=reject)
        if published is None:
            published, raw = find_date(dom, u, u, now=now, nodes=mine, reject=reject)
        floor, floor_node = fields.find_floor(dom, outside)
        lo, hi = np.searchsorted(owned[ui], [body, int(dom.end[body]) + 1])
        in_body = owned[ui][lo:hi]
        quotes = fields.quote_roots(dom, body, in_body, sub_chars)
        sigs = fields.signature_roots(dom, in_body)
        skip: set = {dom.nodes[q] for q in quotes} | {dom.nodes[s] for s in sigs}
        skip |= {dom.nodes[j] for j in nested[ui]}
        if body == u:
            for node in (author_node, floor_node, date_node[ui]):
                if node is not None and node != u:
                    skip.add(dom.nodes[node])
        text = fields.clean_lines(_render(dom.nodes[body], skip))
        quote_texts = _join_quote_headers([_render(dom.nodes[q], set()) for q in quotes])
        post_id = fields.find_post_id(dom, u, mine)
        date_anchor = _node_with_text(dom, mine, raw) if published is not None else None
        permalink = fields.find_permalink(dom, outside, url, post_id, (floor_node, date_anchor))
        post = Post(position=ui + 1, text=text, floor=floor, author=author or None, published=published,
                    published_raw=raw, html=fields.sanitize(dom.nodes[body], url, skip - {dom.nodes[q] for q in quotes}),
                    post_id=post_id, quotes=quote_texts, url=permalink)
        sd = sdata.get(u)
        if sd:
            _fill_from(post, sd, now, prefer=True)
        posts.append(post)
    return posts


_BODY_PROPS = ("text", "articleBody", "commentText", "reviewBody", "description")


def _declared_bodies(dom: Dom, owned: list[np.ndarray]) -> dict[int, int]:
    """Per unit, the element its microdata marks as the post text (``itemprop="text"``)."""
    out: dict[int, int] = {}
    for ui, nodes in enumerate(owned):
        for i in nodes.tolist()[1:]:
            prop = dom.nodes[i].get("itemprop")
            if prop and any(p in _BODY_PROPS for p in prop.split()):
                out[ui] = i
                break
    return out


def _node_with_text(dom: Dom, nodes: list[int], raw: str | None) -> int | None:
    if not raw:
        return None
    for i in nodes:
        if dom.own_text[i] and raw in dom.own_text[i]:
            return i
    return None


def _join_quote_headers(quotes: list[str]) -> list[str]:
    """A short "bob wrote:" block followed by the quoted text becomes one quote."""
    out: list[str] = []
    carry = ""
    for q in quotes:
        if not q:
            continue
        if len(q) < 80 and q.rstrip().endswith((":", "：")):
            carry = q + "\n"
            continue
        out.append(carry + q)
        carry = ""
    return out


_BLOCK_BREAK = frozenset("p div br li ul ol tr table blockquote pre h1 h2 h3 h4 h5 h6 dd dt dl section "
                         "article header footer hr figure figcaption".split())
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b\u3000]+")


_KEEP = str.maketrans({"\n": "\x03", " ": "\x04", "\t": "\x04\x04\x04\x04"})
_RESTORE = str.maketrans({"\x03": "\n", "\x04": " "})


def _render(root: etree._Element, skip: set) -> str:
    """Plain text of ``root``: block elements on their own lines, ``skip`` subtrees left out.

    Inside ``<pre>`` (code, logs) line breaks and indentation are kept.
    """
    parts: list[str] = []
    walker = etree.iterwalk(root, events=("start", "end"))
    skipped = None
    pre = 0
    for event, el in walker:
        tag = el.tag
        if not isinstance(tag, str):
            continue
        if event == "start":
            if el is not root and el in skip:
                walker.skip_subtree()
                skipped = el
                continue
            if tag in _BLOCK_BREAK:
                parts.append("\n")
            elif tag in ("td", "th"):
                parts.append(" ")
            if tag == "pre":
                pre += 1
            if el.text:
                parts.append(el.text.strip("\n").translate(_KEEP) if pre else el.text)
        else:
            if el is skipped:
                skipped = None
            else:
                if tag == "pre":
                    pre -= 1
                if tag in _BLOCK_BREAK:
                    parts.append("\n")
            if el.tail and el is not root:
                parts.append(el.tail.translate(_KEEP) if pre else el.tail)
    lines = []
    for line in "".join(parts).split("\n"):
        line = _SPACES.sub(" ", line).strip()
        if line:
            lines.append(line.translate(_RESTORE).rstrip())
    return "\n".join(lines)


def _fill_from(post: Post, sd: dict, now: datetime, prefer: bool = False) -> None:
    """Copy author/date/url/id from a structured-data posting where ours is missing (or when preferred)."""
    if sd.get("author") and (prefer or not post.author) and not sd["author"].startswith("http"):
        post.author = sd["author"]
    if sd.get("published"):
        when = match_date(sd["published"], now=now)
        if when and (prefer or post.published is None):
            post.published = when[0]
            if not post.published_raw:
                post.published_raw = sd["published"]
    if sd.get("url") and not post.url:
        post.url = sd["url"]
    if sd.get("post_id") and not post.post_id:
        post.post_id = sd["post_id"]


def _norm(text: str) -> str:
    return re.sub(r"\W+", "", text.lower())[:60]


def _merge_jsonld(posts: list[Post], structured: Any, now: datetime) -> float | None:
    """Fill fields from JSON-LD postings whose text matches a DOM post's text.

    Returns the share of (thread) postings that matched a DOM post, or None
    when the page has fewer than two such postings.
    """
    if structured is None or not posts:
        return None
    postings = [p for p in structured.postings if p.get("source") == "jsonld" and p.get("text")]
    if not postings:
        return None
    heads = [(_norm(p["text"])[:40], p) for p in postings]
    used: set[int] = set()
    for post in posts:
        body = _norm(post.text)
        full = _norm(" ".join([*post.quotes, post.text]))   # JSON-LD texts often include the quotes
        for n, (head, sd) in enumerate(heads):
            if len(head) >= 8 and (head[:30] in body[:60] or body[:30] in head or head[:30] in full[:60]):
                _fill_from(post, sd, now, prefer=post.author is None)
                used.add(n)
                break
    thread = [n for n, p in enumerate(postings) if p.get("type") not in ("Article", "NewsArticle", "BlogPosting")]
    if len(thread) < 2:
        return None
    return len(used & set(thread)) / len(thread)


def _posts_from_jsonld(dom: Dom, structured: Any, now: datetime, url: str) -> list[Post]:
    """Posts straight from JSON-LD when the DOM agrees that their texts are on the page."""
    if structured is None:
        return []
    postings = [p for p in structured.postings
                if p.get("source") == "jsonld" and p.get("text") and p.get("type") not in ("Article", "NewsArticle", "BlogPosting")]
    if len(postings) < 2:
        return []
    # The postings must be this page's thread, not recommendations of other pages.
    first_url = postings[0].get("url")
    if first_url and urlsplit(first_url).path.rstrip("/") != urlsplit(url).path.rstrip("/"):
        return []
    if not first_url and not (structured.types & {"DiscussionForumPosting", "QAPage"}):
        return []
    page = _norm_full(dom.text_of(0))
    if sum(1 for p in postings if _norm(p["text"])[:30] in page) < 0.8 * len(postings):
        return []
    out = []
    for i, sd in enumerate(postings):
        post = Post(position=i + 1, text=sd["text"])
        _fill_from(post, sd, now, prefer=True)
        out.append(post)
    return out


def _norm_full(text: str) -> str:
    return re.sub(r"\W+", "", text.lower())
