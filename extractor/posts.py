"""Split a thread page into its posts, with no per-site rules.

``find_posts`` asks :mod:`extractor.units` for the post units (repeated
date-anchored elements or runs of siblings led by a dated header, posts built
differently found by the others' body element, microdata postings, or a single
post recognised by its anatomy), then builds one :class:`Post` per unit with
:mod:`extractor.fields` (body, author, date, floor, quotes, id, permalink).
schema.org JSON-LD postings
fill in authors and dates when their text agrees with the DOM split, and
replace it when the DOM has no repeated structure or disagrees with them. A
time zone the page states once ("All times are GMT -5") makes wall-clock post
dates aware.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from itertools import compress
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from lxml import etree

from extractor import fields
from extractor.dates import NUMERIC_ORDERS, find_date, match_date, page_zone, weekday_readings
from extractor.dom import ASCII_SPACES, Dom
from extractor.headed import headed_units
from extractor.model import Post
from extractor.post_headers import widen_to_headers
from extractor.scan import match_starts, occurrences, odd_case
from extractor.signatures import strip_repeated_signatures
from extractor.structured import name_from_profile_url
from extractor.units import (_MAX_DATES_PER_POST, _match_units, _normal_sig, _structured_units, _tight_body,
                             choose_units, date_flags,
                             expand_units, find_lead, known_lead_run, layout_mask, node_keys, orphan_units, quote_mask,
                             shown_chars, single_post, text_weights, unit_keys)


def find_posts(dom: Dom, url: str, *, now: datetime, structured: Any = None,
               template_mask: np.ndarray | None = None, region: int | None = None,
               known_units: frozenset[str] = frozenset(), seen_units: set[str] | None = None,
               lone: list[int] | None = None, date_order: str | None = None) -> list[Post]:
    """The posts of a thread page in page order, or [] when the page has none.

    ``known_units``: where the site's thread pages hold their posts (:func:`unit_paths`,
    learnt by the site template from pages with several posts), so a page with a single
    reply under its opening post is still split by the site's own post element.
    ``seen_units`` receives this page's unit paths when it is split into three or more posts.
    ``lone`` receives the element of a single post found by its own anatomy (:func:`single_post`),
    for the caller to judge against what else the page turns out to hold.
    ``date_order``: the site's order of numeric dates (:func:`numeric_date_order` over its pages,
    ``"dmy"`` or ``"mdy"``), for a page whose own dates leave it open.
    """
    return without_shared_ids(_find_posts(dom, url, now=now, structured=structured, template_mask=template_mask,
                                          region=region, known_units=known_units, seen_units=seen_units,
                                          lone=lone, date_order=date_order))


def without_shared_ids(posts: list[Post]) -> list[Post]:
    """The posts, an id carried by different posts of the page dropped from all of them.

    A template may write one constant where a post id belongs (``data-id="111"`` on every
    reply): it names no post, and read as one it would make every reply of a thread the same
    stored post. Posts with the same id and the same text are one post shown twice: their id
    stays (the store keeps the post once).
    """
    texts: dict[str, set[str]] = {}
    for post in posts:
        if post.post_id:
            texts.setdefault(post.post_id, set()).add(post.text)
    shared = {ident for ident, seen in texts.items() if len(seen) > 1}
    if shared:
        for post in posts:
            if post.post_id in shared:
                post.post_id = None
    return posts


def _find_posts(dom: Dom, url: str, *, now: datetime, structured: Any = None,
                template_mask: np.ndarray | None = None, region: int | None = None,
                known_units: frozenset[str] = frozenset(), seen_units: set[str] | None = None,
                lone: list[int] | None = None, date_order: str | None = None) -> list[Post]:
    n = len(dom)
    if n < 3:
        return []
    key = node_keys(dom)
    text_w = text_weights(dom, template_mask)
    dates = date_flags(dom)
    md_units, md_data = _structured_units(dom, structured)
    sub_text = None
    if md_units:
        sub_text = dom.subtree(text_w)
        side = layout_mask(dom)
        # (the site template's lines count on neither side: an answer whose furniture, a hidden
        # comment form and vote labels, is template text is no link list for its short text)
        sub_all = dom.subtree(shown_chars(dom, text_w))
        # marked-up "postings" that are link lists (similar questions) or sit in a sidebar are no posts
        prose = dom.subtree(np.where(dom.own_chars >= 12, text_w, 0))
        md_units = [u for u in md_units if prose[u] > 0 and not side[u] and sub_text[u] >= 0.3 * sub_all[u]]
    spans: dict[int, int] = {}
    sections: list[int] = []   # page sections the units sit in, judged (and rejected) before them
    units = choose_units(dom, unit_keys(dom), text_w, dates, region, url, spans=spans, sections=sections,
                         shown=shown_chars(dom, text_w))
    writers: dict[int, str] = {}
    if len(units) < 2 and not md_units:
        # a JavaScript forum's fallback view: name-headed blocks without dates
        writers = dict(headed_units(dom))
        if writers:
            units, spans, sections = sorted(writers), {}, []
    foreign: set[int] = set()    # units built unlike the others: not used to learn the posts' anatomy
    lead_runs: dict[int, tuple[int, int]] = {}   # an opening post laid out as sibling rows: its run's end, text row
    body_key = units_for_key = None
    chosen = units
    if len(units) >= 2 and known_units and not md_units and not writers and not spans:
        units = _unframed(dom, _risen(dom, units, known_units), known_units, text_w, dates, foreign)
        chosen = units
    if len(units) < 2 and known_units and not md_units and not writers:
        units = _unframed(dom, _known_units(dom, known_units, text_w, dates), known_units, text_w, dates,
                          foreign) or units
    if not units and known_units and not md_units and not writers:
        # a topic without replies, laid out as the site's opening posts are (sibling rows)
        run = known_lead_run(dom, _at_known_paths(dom, known_units), text_w, dates)
        if run is not None:
            units, spans = [run[0]], {run[0]: run[1]}
            lead_runs[run[0]] = run[1:]
    known = units is not chosen or bool(writers)  # the site's post element, even once: a thread page of one post
    if units is not chosen and not spans:
        spans = _known_runs(dom, units, text_w)
    if len(units) >= 2 or known:
        if not spans:
            units = expand_units(dom, units, key)
            units = widen_to_headers(dom, units, spans, dates)
        body_key = _body_key(dom, units, spans, key, text_w, dates)
        units_for_key = list(units)
        extra = orphan_units(dom, units, spans, key, body_key, text_w, dates) if body_key is not None else []
        if extra:
            foreign.update(extra)
            units = sorted(units + extra)
        if not extra or extra[0] != units[0]:
            lead = find_lead(dom, units, text_w, dates, sections, runs=lead_runs)
            if lead is not None:
                units = [lead] + units
                foreign.add(lead)
    sdata: dict[int, dict] = {}
    comments: list[int] = []
    if len(md_units) >= 2:
        matched, one_to_one = _match_units(dom, units, md_units, md_data)
        if len(units) > len(md_units) and one_to_one and len(matched) >= 0.8 * len(md_units):
            sdata = matched            # the DOM found posts the markup left out (often the first)
        else:
            comments = _posting_comments(dom, key, text_w, dates, md_units, units if not one_to_one else [],
                                         sub_text, url)
            units, sdata = md_units, md_data
    elif body_key is not None and len(units) >= 2 and not spans:
        comments = _dom_comments(dom, key, text_w, dates, units, body_key, url)
    if len(units) < 2 and not known:
        posts = _posts_from_jsonld(dom, structured, now, url)
        if posts:
            return posts
        if _lone_posting(dom, md_units, md_data, structured, sub_text, region):
            # a discussion page (QAPage, DiscussionForumPosting) whose markup names one posting
            # holding most of its content: an unanswered question, a thread without replies
            units, sdata = md_units, md_data
        else:
            single = single_post(dom, text_w, dates, url)
            if single is None:
                return []
            units, sdata = [single], {}
            if lone is not None:
                lone.append(single)
    # A DOM split nothing vouches for must show posts' anatomy: a common body or author element;
    # one without it stands only if the page's JSON-LD thread agrees with its texts.
    foreign &= set(units)
    learnt = body_key if units_for_key is not None and units_for_key == [u for u in units if u not in foreign] else _UNSET
    posts = _build_posts(dom, units, key, text_w, dates, url, now, sdata, strict=not sdata, foreign=foreign,
                         holes=comments, spans={**spans, **{u: e for u, (e, _) in lead_runs.items() if u in foreign}},
                         body_key=learnt, texts={u: t for u, (_, t) in lead_runs.items()})
    if not posts and sections and not sdata:
        # units found only after page sections were set aside, without posts' anatomy: the page
        # is read as one with nothing repeated
        single = single_post(dom, text_w, dates, url)
        if single is not None:
            units, foreign, comments, spans = [single], set(), [], {}
            if lone is not None:
                lone.append(single)
            posts = _build_posts(dom, units, key, text_w, dates, url, now, sdata, strict=True, spans=spans)
    if not posts and not sdata and structured is not None and getattr(structured, "is_thread", False):
        loose = _build_posts(dom, units, key, text_w, dates, url, now, sdata, strict=False, foreign=foreign,
                             spans=spans)
        agreed = _merge_jsonld(loose, structured, now)
        posts = loose if agreed is not None and agreed >= 0.5 else []
        if not posts:
            return _posts_from_jsonld(dom, structured, now, url, dom_posts=loose)
    matched = _merge_jsonld(posts, structured, now)
    if not sdata and matched is not None and matched < 0.75:
        # The page's own JSON-LD thread disagrees with the DOM split: trust the JSON-LD
        # when its texts are on the page.
        replacement = _posts_from_jsonld(dom, structured, now, url, dom_posts=posts)
        if replacement:
            return replacement
    if writers and len(posts) == len(units):
        for post, unit in zip(posts, units):
            post.author = post.author or writers[unit]
    parents: dict[int, Post] = {}
    if comments and len(posts) == len(units):
        posts = _with_comments(dom, units, posts, comments, key, text_w, dates, url, now, parents)
    posts = [p for p in posts if p.text or p.quotes]
    for i, post in enumerate(posts, start=1):
        post.position = i
    if parents:
        kept = {id(p) for p in posts}
        for post in posts:
            parent = parents.get(id(post))
            if parent is not None and id(parent) in kept:
                post.parent = parent.position
    zone = _page_zone(dom) if any(p.published is not None and p.published.tzinfo is None for p in posts) else None
    if zone is not None:      # "All times are GMT -5": wall-clock dates are in that zone
        for post in posts:
            if post.published is not None and post.published.tzinfo is None:
                post.published = post.published.replace(tzinfo=zone)
    _settle_numeric_order(posts, structured, now, date_order)
    strip_repeated_signatures(posts)     # signatures no markup names: lines one writer repeats
    if seen_units is not None and len(posts) >= 3 and not sdata and units_for_key is not None:
        # (an opening post built differently too) Units that carry no date or no prose besides
        # it are no posts' elements (the page footer's "your IP, <date>" line, taken into the
        # group): learnt, they would make a page of one reply look like a page of two units.
        # (a unit that is a run's header row holds them in its run)
        quiet = np.concatenate(([0.0], np.cumsum(np.where((dom.own_chars >= 12) & (dates == 0), text_w, 0))))
        dated = np.concatenate(([0], np.cumsum(dates > 0)))
        ends = {u: spans.get(u, int(dom.end[u])) + 1 for u in units}
        seen_units.update(unit_paths(dom, [u for u in units if quiet[ends[u]] > quiet[u] and dated[ends[u]] > dated[u]
                                           or u in lead_runs]))
    return posts


def _normal_paths(dom: Dom) -> list[str]:
    """Per node: the normalised signatures (tag and classes, digits dropped) from the root to it."""
    sigs = [_normal_sig(s)[0] for s in dom.sigs]
    sig_id, parent = dom.as_list("sig_id"), dom.as_list("parent")
    out: list[str] = []
    for i in range(len(dom)):       # (parents come before their children)
        p = parent[i]
        out.append(f"{out[p]}/{sigs[sig_id[i]]}" if p >= 0 else sigs[sig_id[i]])
    return out


def _at_known_paths(dom: Dom, known: frozenset[str]) -> list[int]:
    """DFS indices, in order, of the nodes whose normalised path (:func:`_normal_paths`) is one of
    ``known``. Only the nodes whose own signature can end a known path are traced up to the root:
    the paths of the page's other nodes are never built."""
    if not known:
        return []
    known = frozenset(known)
    memo_key = ("at known paths", known)
    kept = dom.memo.get(memo_key)
    if kept is not None:
        return kept
    ends = _path_suffixes(known)
    sigs = [_normal_sig(s)[0] for s in dom.sigs]
    could = [s in ends for s in sigs]
    sig_id, parent = dom.as_list("sig_id"), dom.as_list("parent")
    made: dict[int, str] = {}
    out: list[int] = []
    for i, sid in enumerate(sig_id):
        if could[sid]:
            chain, j = [], i
            while j >= 0 and j not in made:     # (up to the nearest ancestor whose path is built)
                chain.append(j)
                j = parent[j]
            path = made[j] if j >= 0 else None
            for a in reversed(chain):         # the same string _normal_paths builds top down
                path = made[a] = f"{path}/{sigs[sig_id[a]]}" if path is not None else sigs[sig_id[a]]
            if path in known:
                out.append(i)
    dom.memo[memo_key] = out
    return out


@lru_cache(maxsize=64)
def _path_suffixes(known: frozenset[str]) -> frozenset[str]:
    """Every path of ``known`` and each of its tails after a "/": a node's signature that is none
    of them ends no known path (a signature may hold a "/" itself: "w-1/2")."""
    out: set[str] = set()
    for path in known:
        out.add(path)
        at = path.find("/")
        while at >= 0:
            out.add(path[at + 1:])
            at = path.find("/", at + 1)
    return frozenset(out)


def unit_paths(dom: Dom, units: list[int]) -> set[str]:
    """Where ``units`` sit: each one's path of normalised signatures from the root, the same on
    every thread page a site's template renders."""
    paths = _normal_paths(dom)
    return {paths[u] for u in units}


def holds_known_unit(dom: Dom, known: frozenset[str], template_mask: np.ndarray | None = None) -> bool:
    """Whether the page has an element at one of the site's post paths (a thread page of one post),
    dated, the first row of an opening post laid out as rows, or the name-headed post of a fallback view."""
    if not known:
        return False
    text_w, dates = text_weights(dom, template_mask), date_flags(dom)
    if _known_units(dom, known, text_w, dates) or known_lead_run(dom, _at_known_paths(dom, known), text_w, dates):
        return True
    paths = _normal_paths(dom)
    return any(paths[u] in known for u, _ in headed_units(dom))


def _known_units(dom: Dom, known: frozenset[str], text_w: np.ndarray, dates: np.ndarray) -> list[int]:
    """The elements at a site's known post paths that carry prose and one to a few dates, outermost
    only (a post element never holds another)."""
    sub_text, sub_dates = dom.subtree(text_w), dom.subtree(dates)
    found: list[int] = []
    for i in _at_known_paths(dom, known):
        if 1 <= sub_dates[i] <= _MAX_DATES_PER_POST and not (found and i <= dom.end[found[-1]]) \
                and (sub_text[i] > 0 or _text_follows(dom, i, sub_text)):
            found.append(i)
    return found


def _text_follows(dom: Dom, i: int, sub_text: np.ndarray) -> bool:
    """Whether the element after ``i`` (its next sibling) holds text: a dated header row whose own
    words are all the site template's (the author's name, rank and post count as other pages show
    them) heads the post in the rows after it (:func:`_known_runs`)."""
    nxt = int(dom.end[i]) + 1
    return nxt < len(dom) and int(dom.parent[nxt]) == int(dom.parent[i]) and sub_text[nxt] > 0


def _risen(dom: Dom, units: list[int], known: frozenset[str]) -> list[int]:
    """Chosen units that lie inside the site's known post elements, one to an element (a post's text
    column beside its author column: ``div.row > div.col-xs-10``), give way to those elements: the
    post is the whole element, its author with it. Only when two or more units rise."""
    at_known = _at_known_paths(dom, known)
    if not at_known:
        return units
    end = dom.end
    inside: dict[int, list[int]] = {}
    for u in units:
        # the nearest known element holding u (at_known is in document order: an ancestor comes before)
        for a in reversed(at_known[:bisect_right(at_known, u - 1)]):
            if end[a] >= end[u]:
                inside.setdefault(a, []).append(u)
                break
    rise = {us[0]: a for a, us in inside.items() if len(us) == 1 and a not in units}
    if len(rise) < 2:
        return units
    return sorted({rise.get(u, u) for u in units})


def _unframed(dom: Dom, units: list[int], known: frozenset[str], text_w: np.ndarray, dates: np.ndarray,
              foreign: set[int]) -> list[int]:
    """Chosen units that are frames of the site's known post elements (a comment section holding its
    one comment, under its heading and a reply form's links) give way to those elements: a post
    element never holds another, and the frame's own text is not a post's. The other units (an
    opening post built unlike the comments) are then ``foreign``: the comments show the posts' anatomy."""
    at_known = _at_known_paths(dom, known)
    sub_text, sub_dates = dom.subtree(text_w), dom.subtree(dates)
    out: list[int] = []
    for u in units:
        inner: list[int] = []
        for j in at_known[bisect_right(at_known, u):bisect_right(at_known, int(dom.end[u]))]:   # (u, end of u]
            if sub_text[j] > 0 and 1 <= sub_dates[j] <= _MAX_DATES_PER_POST \
                    and not (inner and j <= dom.end[inner[-1]]):
                inner.append(j)
        if inner and sub_text[u] - sum(float(sub_text[j]) for j in inner) < _FRAME_SHARE * sub_text[u]:
            out.extend(inner)
        else:
            out.append(u)
    if len(out) > len(units) or not set(out) <= set(units):
        foreign.update(u for u in out if u in units)
    return out


_FRAME_SHARE = 0.25   # a unit holding known post elements with under this share of text of its own is their frame


# A header row holds under this share of its run's text: the share units._header_runs allows a
# group of runs (an old board's header row carries the author's rank, post count and join date
# beside the date: 0.4 of a short post's run)
_RUN_HEADER_SHARE = 0.5


def _known_runs(dom: Dom, units: list[int], text_w: np.ndarray) -> dict[int, int]:
    """Run ends for known post elements that are a post's header row (date, permalink) with the
    post in the sibling elements after it (bbPress, an old board's table rows): found alone on a
    page, the header holds under half the text up to the next unit or its parent's end, and that
    run is the post (a post element of its own holds most of that text: no run)."""
    sub_text = dom.subtree(text_w)
    starts = set(units)
    runs: dict[int, int] = {}
    for u in units:
        parent = int(dom.parent[u])
        if parent < 0:
            continue
        after = [c for c in dom.children(parent) if c > u]
        stop = next((k for k, c in enumerate(after) if c in starts), len(after))
        if not stop:
            continue
        end = int(dom.end[after[stop - 1]])
        run = float(sub_text[u]) + sum(float(sub_text[c]) for c in after[:stop])
        if float(sub_text[u]) < _RUN_HEADER_SHARE * run:
            runs[u] = end
    return runs


_ZONE_HINT_RE = re.compile(r"times are|time ?zone|时区|時區|^\s*(?:utc|gmt)\s*[+-]\s*\d|"
                           r"zeiten sind|zeitangaben|zeitzone|heures sont|fuseau horaire|horas son|"
                           r"zona horaria|orari sono|fuso orario", re.I | re.M)


# what every match of _ZONE_HINT_RE holds once lower-cased; characters that IGNORECASE matches
# with a Latin letter but lower() does not turn into it ("\u0130" lower-cases to two characters)
_ZONE_WORDS = ("time", "时区", "時區", "utc", "gmt", "zeit", "heures", "fuseau", "horas", "horaria", "orari", "fuso")
_CASE_ODD = "\u0130\u0131\u017f\u212a"


def _may_state_zone(text: str) -> bool:
    """Cheap test before the zone-hint regex: most pages never name a time zone."""
    low = text.lower()
    return any(w in low for w in _ZONE_WORDS) or any(c in text for c in _CASE_ODD)


# where a match of _ZONE_HINT_RE can start, lower-cased (a "^ UTC+1" line starts with its zone)
_ZONE_HINT_STARTS = ("time", "时区", "時區", "utc", "gmt", "zeit", "heures", "fuseau", "horas", "zona", "orari", "fuso")


def _zone_hint_starts(texts: list[str], joined: str, starts: np.ndarray) -> list[int] | None:
    """The match starts of _ZONE_HINT_RE in ``joined`` (``texts`` joined by newlines), the pattern
    tried only where a match can start; None: scan it all."""
    if odd_case(joined):
        return None
    cand = occurrences(joined.lower(), _ZONE_HINT_STARTS)
    cand += [at for at, t in zip(starts.tolist(), texts) if t[0].isspace()]
    return match_starts(_ZONE_HINT_RE, joined, cand)


def _page_zone(dom: Dom):
    """The zone the page states for its times, read from the few short texts that mention one."""
    keep = (dom.own_chars > 0) & (dom.own_chars <= 200)
    idx = np.nonzero(keep)[0]
    if not len(idx):
        return None
    texts = list(compress(dom.own_text, keep.tolist()))
    joined = "\n".join(texts)
    if not _may_state_zone(joined):
        return None
    starts = np.concatenate(([0], np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + 1)[:-1]))
    hits = _zone_hint_starts(texts, joined, starts)
    if hits is None:
        hits = [m.start() for m in _ZONE_HINT_RE.finditer(joined)]
    if not hits:
        return None
    nodes = idx[np.searchsorted(starts, np.asarray(hits), side="right") - 1]
    # the label and its value may sit in different elements: read the label's parent too
    candidates = []
    for i in dict.fromkeys(nodes.tolist()):
        candidates.append(dom.text_of(i))
        if dom.parent[i] >= 0:
            candidates.append(dom.text_of(int(dom.parent[i]))[:200])
    return page_zone(candidates)


# A numeric date with slashes or dashes: 01/05/2024, 1-5-24 (the label a post's date was read from)
_NUM_DATE_RE = re.compile(r"(?<!\d)(\d{1,2})([/-])(\d{1,2})\2(?:\d{4}|\d{2})(?!\d)")


def numeric_date_order(texts: Iterable[str]) -> tuple[int, int]:
    """How many numeric dates (``24/04/2024``, ``4-30-2024``) among ``texts`` only read day first,
    and how many only read month first: what a site's pages say of the order it shows all its
    dates in (a thread page whose days are all 12 or less cannot tell)."""
    day_first = month_first = 0
    for text in texts:
        if len(text) < 6 or len(text) > 200 or not any(c in text for c in "/-"):
            continue
        for m in _NUM_DATE_RE.finditer(text):
            a, b = int(m.group(1)), int(m.group(3))
            if 12 < a <= 31 and 1 <= b <= 12:
                day_first += 1
            elif 12 < b <= 31 and 1 <= a <= 12:
                month_first += 1
    return day_first, month_first


def _settle_numeric_order(posts: list[Post], structured: Any, now: datetime, date_order: str | None = None) -> None:
    """Read a page's ambiguous numeric dates day first when the page, or else the site, says its
    order is so.

    ``01/05/2024`` reads month first (the US order) unless that is impossible; a site shows all its
    dates in one format, so the page settles it: another date of the same page that only reads day
    first (``24/04/2024``), or, with none either way, the site's order learnt from its other pages
    (``date_order``, the site template's), or the page's structured data (JSON-LD
    ``datePublished``) naming the days the day-first reading gives and not the others."""
    if _settle_weekday_order(posts, now):
        return
    ambiguous: list[tuple[Post, int, int]] = []
    day_first = month_first = False
    for post in posts:
        m = _NUM_DATE_RE.search(post.published_raw or "") if post.published is not None else None
        if m is None:
            continue
        a, b = int(m.group(1)), int(m.group(3))
        if a > 12 >= b:
            day_first = True
        elif b > 12 >= a:
            month_first = True
        elif a != b and a <= 12 and b <= 12 and (post.published.month, post.published.day) == (a, b):
            ambiguous.append((post, a, b))
    if not ambiguous or month_first:
        return
    if not day_first and date_order == "mdy":
        return
    if not day_first and date_order != "dmy":
        if structured is None:
            return
        shown = []
        for sd in structured.postings:
            when = match_date(sd.get("published"), now=now) if sd.get("published") else None
            if when is not None:
                shown.append(when[0].replace(tzinfo=None))
        if not shown:
            return

        def near(when: datetime) -> bool:     # (a day either way: the markup's zone may not be the page's)
            naive = when.replace(tzinfo=None)
            return any(abs((naive - s).total_seconds()) <= 86_400 for s in shown)

        swapped = [near(post.published.replace(month=b, day=a)) for post, a, b in ambiguous]
        kept = [near(post.published) for post, _, _ in ambiguous]
        if not any(swapped) or any(kept):
            return
    for post, a, b in ambiguous:
        post.published = post.published.replace(month=b, day=a)


def _settle_weekday_order(posts: list[Post], now: datetime) -> bool:
    """Read a page's numeric dates that show their weekday ("24/04/25(Thu)") in the one order
    that fits the weekday of every one of them; True when the page's dates are of that kind.

    One date may fall on its weekday in two orders (2024-04-25 and 2025-04-24 are both
    Thursdays); a page shows all its dates in one format, so its other dates settle the order
    (the preferred order of :data:`extractor.dates.NUMERIC_ORDERS` when they all fit several)."""
    readings = [(post, weekday_readings(post.published_raw, now)) for post in posts
                if post.published is not None and post.published_raw]
    readings = [(post, fits) for post, fits in readings if fits]
    if not readings:
        return False
    common = [order for order in NUMERIC_ORDERS if all(order in fits for _, fits in readings)]
    if common:
        for post, fits in readings:
            when = fits[common[0]]
            post.published = when.replace(tzinfo=post.published.tzinfo) if when.tzinfo is None else when
    return True


MAX_UNITS = 2000   # a page with more repeated posts than this is cut (bounded time)


def _owned_nodes(owner: np.ndarray, k: int) -> list[np.ndarray]:
    """Per unit, the sorted DFS indices of the nodes it owns (its subtree minus nested units)."""
    order = np.argsort(owner, kind="stable")
    order.flags.writeable = False      # (the units' node lists may be shared: read only)
    counts = np.bincount(owner[owner >= 0], minlength=k)
    first = int(np.searchsorted(owner[order], 0))
    bounds = first + np.concatenate(([0], np.cumsum(counts)))
    return [order[bounds[j]:bounds[j + 1]] for j in range(k)]


_UNSET = object()


def _ownership(dom: Dom, units: list[int], spans: dict[int, int], holes: list[int] = ()) -> tuple[np.ndarray, list[np.ndarray]]:
    """Per node the index of the unit owning it (-1: none), and per unit its nodes. A unit owns
    its subtree (or its run of siblings, ``spans``) minus nested units and ``holes``."""
    # find_posts learns the body key from the units it then builds posts from: asked twice
    memo_key = ("ownership", tuple(units), tuple(sorted(spans.items())), tuple(holes))
    kept = dom.memo.get(memo_key)
    if kept is not None:
        return kept
    owner = np.full(len(dom), -1, dtype=np.int32)
    for ui, u in enumerate(units):
        owner[u:spans.get(u, int(dom.end[u])) + 1] = ui
    for h in holes:
        owner[h:dom.end[h] + 1] = -1
    owner.flags.writeable = False      # (shared: read only)
    kept = dom.memo[memo_key] = (owner, _owned_nodes(owner, len(units)))
    return kept


def _date_nodes(dom: Dom, owner: np.ndarray, k: int, dates: np.ndarray) -> list[int | None]:
    """Per unit (``owner``: the unit index owning each node, of ``k`` units), its first date
    label that is not a join/registration date. One pass over the page's date labels.

    find_posts asks twice for the same units (learning the body key, then building the posts):
    the answer is kept on the page with the arrays it was read from."""
    memo_key = ("date_nodes", id(owner), id(dates), k)
    kept = dom.memo.get(memo_key)
    if kept is not None and kept[0] is owner and kept[1] is dates:
        return list(kept[2])
    out: list[int | None] = [None] * k
    labels = np.flatnonzero(dates > 0)
    for i, ui in zip(labels.tolist(), owner[labels].tolist()):
        if ui >= 0 and out[ui] is None and not fields.is_meta_date(dom, i):
            out[ui] = i
    dom.memo[memo_key] = (owner, dates, out)    # (the arrays kept too: their ids stay theirs)
    return list(out)


def _body_key(dom: Dom, units: list[int], spans: dict[int, int], key: np.ndarray, text_w: np.ndarray,
              dates: np.ndarray) -> int | None:
    """The key of the posts' body element, learnt from the units (None: no common one)."""
    owner, owned = _ownership(dom, units[:MAX_UNITS], spans)
    return fields.pick_body_key(dom, units[:MAX_UNITS], owned, key, text_w,
                                _date_nodes(dom, owner, len(owned), dates), dates,
                                quote_mask(dom))


def _build_posts(dom: Dom, units: list[int], key: np.ndarray, text_w: np.ndarray, dates: np.ndarray,
                 url: str, now: datetime, sdata: dict[int, dict], strict: bool = False,
                 foreign: set[int] = frozenset(), holes: list[int] = (),
                 spans: dict[int, int] | None = None, body_key: Any = _UNSET,
                 texts: dict[int, int] | None = None) -> list[Post]:
    """One post per unit; ``holes`` are subtrees (comments under a posting) no unit owns;
    ``foreign`` units (an opening post built differently) do not vote on the posts' anatomy;
    ``texts``: the text row of a unit that is an opening post laid out as rows (its body,
    even where a date it quotes keeps its prose from counting)."""
    n = len(dom)
    units = units[:MAX_UNITS]
    spans = spans or {}
    owner, owned = _ownership(dom, units, spans, holes)
    nested: list[list[int]] = [[] for _ in units]
    for j, u in enumerate(units):
        p = dom.parent[u]
        if p >= 0 and owner[p] >= 0:
            nested[int(owner[p])].append(u)
    date_node = _date_nodes(dom, owner, len(units), dates)
    # The keys come from the replies; an opening post built differently (foreign) follows them
    # where it can and falls back to its densest part and a marked author otherwise.
    core = [ui for ui, u in enumerate(units) if u not in foreign] if foreign else list(range(len(units)))
    if body_key is _UNSET:     # (find_posts learnt it already from the same units, unless given others)
        body_key = fields.pick_body_key(dom, [units[i] for i in core], [owned[i] for i in core], key, text_w,
                                        [date_node[i] for i in core], dates, quote_mask(dom))
    named: list[str | None] = []

    def opener() -> str | None:
        # an opening post whose markup names nobody (a Q&A page's question): the page's card
        # headed "发起人" / "Topic starter" outside the posts names its author (looked up once)
        if not named:
            end = dom.as_list("end")
            inside = [(u, end[u]) for u in units]
            named.append(fields.starter_name(dom, lambda i: not any(lo <= i <= hi for lo, hi in inside)))
        return named[0]

    if body_key is None and len(core) == 2 and core[0] == 0 and opener() is not None:
        # a question built unlike its one answer, its asker named in a card: the answer alone
        # shows the posts' body element (the question then takes its densest part)
        body_key = fields.pick_body_key(dom, [units[core[1]]], [owned[core[1]]], key, text_w,
                                        [date_node[core[1]]], dates, quote_mask(dom))
    declared = _declared_bodies(dom, owned) if sdata else {}

    bodies: list[int] = []
    keyed = [False] * len(units)     # whether the unit holds the posts' common body element
    excluded = np.zeros(n, dtype=bool)
    prose = dom.subtree(np.where((dom.own_chars >= 12) & (dates == 0), text_w, 0))
    owned_l = [o.tolist() for o in owned]
    end_l = dom.as_list("end")
    if body_key is not None:
        key_l, prose_l = key.tolist(), prose.tolist()
    texts = texts or {}
    for ui, u in enumerate(units):
        body = declared.get(ui, texts.get(u, u))
        if body == u and body_key is not None:
            hit = [i for i in owned_l[ui] if i > u and key_l[i] == body_key]
            if hit:      # the occurrence holding the prose (a "By bob on <date>" <p> may come first)
                body = max(hit, key=prose_l.__getitem__)    # (the first of equals, as argmax)
                keyed[ui] = True
            else:   # a post unlike the others (the opening post): its densest part
                body = _tight_body(dom, u, owned[ui], prose, spans.get(u))
        bodies.append(body)
        if body != u:   # only this post's own nodes: replies nested in the body keep theirs
            lo, hi = bisect_left(owned_l[ui], body), bisect_left(owned_l[ui], end_l[body] + 1)
            excluded[owned[ui][lo:hi]] = True
    akey = fields.loose_keys(dom)
    author_key = fields.pick_author_key(dom, [units[i] for i in core], [owned[i] for i in core], akey, excluded, url)
    if author_key is None and len(core) >= 2 and core[0] == 0 and opener() is not None:
        # the opener named by that card: the replies alone show where the posts name their authors
        author_key = fields.pick_author_key(dom, [units[i] for i in core[1:]], [owned[i] for i in core[1:]], akey,
                                            excluded, url)
    if strict and body_key is None and author_key is None:
        return []             # page sections that merely share a class and carry a date each

    sub_chars = dom.subtree(dom.own_chars)
    reject = lambda i: fields.is_meta_date(dom, i)  # noqa: E731
    posts: list[Post] = []
    included_l, akey_l, own_text = (~excluded).tolist(), akey.tolist(), dom.own_text

    for ui, u in enumerate(units):
        body = bodies[ui]
        mine = owned_l[ui]
        outside = list(compress(mine, map(included_l.__getitem__, mine)))   # (in C)
        author_node, author = None, None
        if author_key is not None:
            for i in outside:
                if i != u and akey_l[i] == author_key and own_text[i]:
                    author = fields.author_text(dom, i)
                    if author:
                        author_node = i
                        break
        if author is None:
            section = not sdata and u not in foreign and not keyed[ui] and author_key is not None
            if section and ui == 0:
                author = opener()     # a question whose markup names nobody, its asker in a card
            if author is None:
                if section:
                    continue      # neither the posts' body nor their author element: a page section
                author_node, author = fields.fallback_author(dom, [i for i in outside if i != u])
        # The post's date: outside its body first (a date quoted in the text is not the post's)
        published, raw = find_date(dom, u, u, now=now, nodes=outside, reject=reject)
        if published is None:
            published, raw = find_date(dom, u, u, now=now, nodes=mine, reject=reject)
        floor, floor_node = fields.find_floor(dom, outside)
        lo, hi = bisect_left(mine, body), bisect_left(mine, end_l[body] + 1)
        in_body = owned[ui][lo:hi]
        quotes = fields.quote_roots(dom, body, in_body, sub_chars)
        sigs = fields.signature_roots(dom, in_body)
        skip: set = {dom.nodes[q] for q in quotes} | {dom.nodes[s] for s in sigs}
        skip |= {dom.nodes[j] for j in nested[ui]}
        skip |= {dom.nodes[h] for h in holes if u < h <= dom.end[u]}
        if body == u:
            for node in (author_node, floor_node, date_node[ui]):
                if node is not None and node != u:
                    skip.add(dom.nodes[node])
        if body == u and u in spans:    # a run of siblings without a body element of its own
            rendered = "\n".join(filter(None, (_render(dom.nodes[c], skip) for c in _run_elements(dom, u, spans[u]))))
        else:
            rendered = _render(dom.nodes[body], skip)
        text = fields.clean_lines(rendered)
        if not text and body != u and _is_whole_reply(rendered):
            text = rendered   # a post that says only "Thanks", "+1" or "顶" is a post, not a button
        quote_texts = _join_quote_headers([_render(dom.nodes[q], set()) for q in quotes])
        post_id = fields.find_post_id(dom, u, mine)
        date_anchor = _node_with_text(dom, mine, raw) if published is not None else None
        permalink = fields.find_permalink(dom, outside, url, post_id, (floor_node, date_anchor))
        if post_id is None and permalink:
            post_id = fields.anchor_post_id(dom, permalink)
        post = Post(position=ui + 1, text=text, floor=floor, author=author or None, published=published,
                    published_raw=raw, html=fields.sanitize(dom.nodes[body], url, skip - {dom.nodes[q] for q in quotes}),
                    post_id=post_id, quotes=quote_texts, url=permalink)
        sd = sdata.get(u)
        if sd:
            _fill_from(post, sd, now, prefer=True)
        posts.append(post)
    if posts and posts[0].author is None and posts[0].position == 1:
        posts[0].author = opener()
    return posts


def _run_elements(dom: Dom, first: int, stop: int) -> list[int]:
    """The sibling elements of a run, from its first element to the one ending at ``stop``."""
    out, i = [], first
    while i <= stop:
        out.append(i)
        i = int(dom.end[i]) + 1
    return out


def _is_whole_reply(text: str) -> bool:
    """Whether a post body's whole text is one short line (a one-word reply), not a
    column of control labels ("Reply / Quote / Report")."""
    return bool(text) and "\n" not in text and len(text) <= 40


def _posting_comments(dom: Dom, key: np.ndarray, text_w: np.ndarray, dates: np.ndarray, md_units: list[int],
                      inside: list[int], sub_text: np.ndarray, url: str) -> list[int]:
    """Comments listed under marked-up postings (a Q&A page's question and answers): repeated
    dated units inside the postings, outside their declared text."""
    if inside:
        found = _comments_in(dom, inside, md_units, sub_text)
        if found:
            return found
    n = len(dom)
    idx = np.arange(n)
    allowed = np.zeros(n, dtype=bool)
    for m in md_units:
        allowed[m + 1:int(dom.end[m]) + 1] = True
    for i in _declared_bodies(dom, [np.arange(m, int(dom.end[m]) + 1) for m in md_units]).values():
        allowed[i:int(dom.end[i]) + 1] = False
        allowed[(idx <= i) & (dom.end >= i)] = False      # the body and what holds it are the post
    if not allowed.any():
        return []
    tw = np.where(allowed & (dom.own_chars >= 12), text_w, 0)   # prose: user cards weigh nothing
    dated = np.where(allowed, dates, 0)
    found = choose_units(dom, unit_keys(dom), tw, dated, None, url, exclude=~allowed, min_share=0.0,
                         shown=shown_chars(dom, text_w))
    if len(found) < 2:
        return _lone_comments(dom, md_units, allowed, dated)
    return _comments_in(dom, _comment_items(dom, key, found, dated), md_units, None)


def _lone_comments(dom: Dom, md_units: list[int], allowed: np.ndarray, dated: np.ndarray) -> list[int]:
    """Comments nothing repeats on the page (one under one answer): the largest blocks inside the
    postings, outside and after their declared text, each dated once or twice and saying something
    besides its names and dates; at most one a posting."""
    parent, end, own, in_link = dom.as_list("parent"), dom.as_list("end"), dom.as_list("own_chars"), dom.in_link.tolist()
    sub_dated = dom.subtree(dated)
    said = dom.subtree(np.where(allowed & (dated == 0) & ~dom.in_link, dom.own_chars, 0))
    bodies = _declared_bodies(dom, [np.arange(m, end[m] + 1) for m in md_units])
    out: list[int] = []
    per_posting: dict[int, int] = {}
    for i in np.flatnonzero(allowed & (sub_dated > 0) & (said >= MIN_COMMENT_WORDS_CHARS)).tolist():
        if parent[i] >= 0 and allowed[parent[i]]:
            continue                       # not the largest such block
        if not 1 <= sub_dated[i] <= 2:
            continue
        owner = max((k for k, m in enumerate(md_units) if m < i <= end[m]), default=None)
        body = bodies.get(owner) if owner is not None else None
        if body is None or i <= end[body]:
            continue                       # a comment follows its posting's text
        if max((own[j] for j in range(i, end[i] + 1) if not dated[j] and not in_link[j]),
               default=0) < MIN_LONE_COMMENT_CHARS:
            continue                       # no sentence: a status note, an IP line, an author card
        per_posting[owner] = per_posting.get(owner, 0) + 1
        out.append(i)
    if not out or any(count > 1 for count in per_posting.values()):
        return []
    return _comments_in(dom, out, md_units, None)


def _comment_items(dom: Dom, key: np.ndarray, found: list[int], dated: np.ndarray) -> list[int]:
    """A list of comments per posting may win over its items: then the items (children
    of one key, each dated once or twice) are the comments."""
    sub_dates = dom.subtree(dated)
    kids = [c for u in found for c in dom.children(u) if sub_dates[c]]
    if len(kids) > len(found) and len({int(key[c]) for c in kids}) == 1 and all(sub_dates[c] <= 2 for c in kids):
        return kids
    return found


MIN_COMMENT_WORDS_CHARS = 20   # a comment says something: an "edited by bob; <date>" note does not
MIN_LONE_COMMENT_CHARS = 40    # ...and one that nothing repeats says it in a sentence of its own


def _dom_comments(dom: Dom, key: np.ndarray, text_w: np.ndarray, dates: np.ndarray, units: list[int],
                  body_key: int, url: str) -> list[int]:
    """Comments listed under the posts of a Q&A page without schema.org markup: repeated
    dated units inside the posts, after the post's body element (the text), each saying
    something besides its name and date; not signatures."""
    n = len(dom)
    allowed = np.zeros(n, dtype=bool)
    prose = dom.subtree(np.where(dom.own_chars >= 12, text_w, 0))
    # each post's body: the occurrence of the body key below it with the most prose (the first of
    # equals), its occurrences found by bisection in the page's list of them
    end, keyed, prose_l = dom.as_list("end"), np.flatnonzero(key == body_key).tolist(), prose.tolist()
    for u in units:
        stop = end[u]
        lo, hi = bisect_right(keyed, u), bisect_right(keyed, stop)
        if lo == hi:
            continue
        body = max(keyed[lo:hi], key=prose_l.__getitem__)
        allowed[end[body] + 1:stop + 1] = True       # after the text, inside the post
    for u in units:                                            # posts nested in posts stay posts
        if allowed[u]:
            allowed[u:int(dom.end[u]) + 1] = False
    if not allowed.any():
        return []
    dated = np.where(allowed, dates, 0)
    if np.count_nonzero(dated) < 2:
        return []             # (most forums: nothing dated after the posts' text)
    tw = np.where(allowed & (dom.own_chars >= 12), text_w, 0)
    found = choose_units(dom, unit_keys(dom), tw, dated, None, url, exclude=~allowed, min_share=0.0,
                         shown=shown_chars(dom, text_w))
    if len(found) < 2:
        return []
    found = _comment_items(dom, key, found, dated)
    said = dom.subtree(np.where((dates == 0) & ~dom.in_link, dom.own_chars, 0))
    if _median_of([float(said[c]) for c in found]) < MIN_COMMENT_WORDS_CHARS:
        return []
    # comments say different things; "Last edited by a moderator:" under every post is a label
    says = [" ".join(dom.own_text[i] for i in range(c, int(dom.end[c]) + 1)
                     if dom.own_text[i] and not dates[i] and not dom.in_link[i]) for c in found]
    if len(set(says)) < 0.6 * len(says):
        return []
    for c in found:
        el = dom.nodes[c]
        if el.attrib and fields.SIGNATURE_RE.search(fields.words(el)):
            return []
    return found


def _median_of(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0.0


def _comments_in(dom: Dom, units: list[int], md_units: list[int], sub_text: np.ndarray | None) -> list[int]:
    """The units that are parts of a marked-up posting outside its text (and, given
    ``sub_text``, small beside it), or [] when one of them is not."""
    out = []
    for u in units:
        # the innermost posting holding the unit (answers sit inside a question's element)
        m = max((m for m in md_units if m < u <= dom.end[m]), default=None)
        if m is None or sub_text is not None and sub_text[u] >= 0.5 * sub_text[m]:
            return []          # units as big as the postings are the posts themselves
        declared_text = False
        for i in range(m, u):
            prop = dom.nodes[i].get("itemprop")
            if prop and any(p in _BODY_PROPS for p in prop.split()):
                if dom.end[i] >= u:
                    return []  # inside the posting's declared text: part of the post
                declared_text = True
        if not declared_text and _declares_text(dom, u, int(dom.end[m])):
            return []          # before the posting's text: its header (name, badge, date), not a comment
        for i in range(u, int(dom.end[u]) + 1):
            prop = dom.nodes[i].get("itemprop")
            if prop and any(p in _BODY_PROPS for p in prop.split()):
                return []      # holding a posting's text: the unit is the post
        out.append(u)
    return out


def _declares_text(dom: Dom, start: int, stop: int) -> bool:
    """Whether an element in DFS range ``start..stop`` carries a posting-text itemprop."""
    for i in range(start, stop + 1):
        prop = dom.nodes[i].get("itemprop")
        if prop and any(p in _BODY_PROPS for p in prop.split()):
            return True
    return False


def _with_comments(dom: Dom, units: list[int], posts: list[Post], comments: list[int], key: np.ndarray,
                   text_w: np.ndarray, dates: np.ndarray, url: str, now: datetime,
                   parents: dict[int, Post]) -> list[Post]:
    """The postings' posts with the comments under each of them, in page order.

    A Q&A page marks up its question and answers (schema.org) and lists short dated
    comments under each; they are part of the discussion, so they become posts too, and
    ``parents`` receives, by ``id()`` of each comment's post, the post it comments on.
    """
    extra = _build_posts(dom, comments, key, text_w, dates, url, now, {}, strict=False)
    if len(extra) != len(comments):
        return posts
    by_unit = dict(zip(units, posts))
    for c, post in zip(comments, extra):
        # the innermost posting holding the comment is the post it comments on
        holder = max((u for u in units if u < c <= dom.end[u]), default=None)
        if holder is not None:
            parents[id(post)] = by_unit[holder]
    merged = sorted(zip(units, posts), key=lambda x: x[0]) + list(zip(comments, extra))
    merged.sort(key=lambda x: x[0])
    return [p for _, p in merged]


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
    text = "".join(parts)
    # without other white space than _SPACES folds, str.split() folds the same, faster than the regex
    fold = _fold_split if not _has_other_space(text) else (lambda s: _SPACES.sub(" ", s).strip())
    restore = "\x03" in text or "\x04" in text    # only <pre> text has them (translate is slow)
    for line in text.split("\n"):
        line = fold(line)
        if line:
            lines.append((line.translate(_RESTORE) if restore else line).rstrip())
    return "\n".join(lines)


def _fold_split(line: str) -> str:
    """``line`` with white space runs folded to one space and stripped (``str.split()`` white space)."""
    if "  " not in line and line[:1] != " " and line[-1:] != " " and (
            not any(c in line for c in ASCII_SPACES) if len(line) > 200 and line.isascii() else line.isprintable()):
        # printable (or, a long ASCII line, without white space but the space, in a few scans
        # in C): no white space but single inner spaces, nothing to fold
        return line
    return " ".join(line.split())


def _has_other_space(text: str) -> bool:
    """Whether ``text`` holds white space _SPACES does not fold (single-character scans beat the regex)."""
    if text.isascii():
        return "\x1c" in text or "\x1d" in text or "\x1e" in text or "\x1f" in text
    return any(c in text for c in _OTHER_SPACES)


# white space str.split() knows but _SPACES does not (and \u200b, which only _SPACES knows), "\n" aside
_OTHER_SPACES = "\x1c\x1d\x1e\x1f\x85\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u2028\u2029\u202f\u205f"


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
    # postings too short to be matched by their opening ("Thanks") neither agree nor disagree
    thread = [n for n, p in enumerate(postings)
              if p.get("type") not in ("Article", "NewsArticle", "BlogPosting") and len(heads[n][0]) >= 8]
    if len(thread) < 2:
        return None
    return len(used & set(thread)) / len(thread)


def _lone_posting(dom: Dom, md_units: list[int], md_data: dict[int, dict], structured: Any,
                  sub_text: np.ndarray | None, region: int | None) -> bool:
    """Whether the page is one marked-up posting: it declares a discussion (``QAPage``,
    ``DiscussionForumPosting``), its markup names one opening posting (not a lone comment or
    answer), and that posting holds at least half of the content region's text (a question
    whose answers carry no markup is more than its question)."""
    if len(md_units) != 1 or sub_text is None or structured is None:
        return False
    if not structured.types & {"DiscussionForumPosting", "QAPage"}:
        return False
    if md_data.get(md_units[0], {}).get("type") in ("Comment", "Answer"):
        return False
    return region is None or sub_text[md_units[0]] >= 0.5 * sub_text[region]


def _posts_from_jsonld(dom: Dom, structured: Any, now: datetime, url: str,
                       dom_posts: list[Post] = ()) -> list[Post]:
    """Posts straight from JSON-LD when the DOM agrees that their texts are on the page;
    ``dom_posts`` (the DOM's own split) lend their authors and dates (see :func:`_with_dom_fields`)."""
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
    return _with_dom_fields(out, postings, dom_posts)


def _with_dom_fields(posts: list[Post], postings: list[dict], dom_posts: list[Post]) -> list[Post]:
    """JSON-LD posts take the author and date of the DOM post with the same text where the
    markup gives none: it often dates only the first posting and names writers by their
    profile URL only. A name read from that URL is the last resort."""
    heads = [(_norm(p.text)[:30], p) for p in dom_posts if p.text]
    for post, sd in zip(posts, postings):
        body = _norm(post.text)
        twin = next((p for head, p in heads
                     if len(head) >= 8 and (head in body[:60] or (len(body) >= 8 and body[:30] in _norm(p.text)[:60]))),
                    None)
        if twin is not None:
            if post.author is None and twin.author:
                post.author = twin.author
            if post.published is None and twin.published is not None:
                post.published, post.published_raw = twin.published, twin.published_raw
        if post.author is None and (sd.get("author") or "").startswith("http"):
            post.author = name_from_profile_url(sd["author"])
    return posts


def _norm_full(text: str) -> str:
    return re.sub(r"\W+", "", text.lower())
