"""Listing pages: a blog index becomes its articles, a forum board its threads.

A listing is a run of sibling elements of one key (tag + classes, as for
posts) that each lead with a link to a different page of the site. Per
entry: the link (title, URL), the date shown (for boards with several dates,
the latest one: the last activity), an excerpt when the entry carries prose,
and the reply count when a number is labelled as replies. Sidebars and
navigation are skipped, like for posts.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import unquote_plus, urljoin, urlsplit

import numpy as np

from extractor import fields
from extractor.blocks import CJK_RE
from extractor.classify import squash
from extractor.dates import match_date
from extractor.dom import Dom, collapse_ws
from extractor.model import Entry
from extractor.units import date_flags, layout_mask, node_keys, tag_is

_NOT_ENTRY_TAGS = frozenset("a abbr b br em font i img span strong small label time p h1 h2 h3 h4 h5 h6 "
                            "html body head option select".split())
_REPLIES_RE = re.compile(r"(\d[\d,.]*\s*[kKwW万]?)\s*(?:replies|reply|comments?|answers?|posts?|回复|回帖|评论|条回复|个回答)"
                         r"|(?:replies|reply|comments?|answers?|回复|回帖|评论)\s*[:：]?\s*(\d[\d,.]*\s*[kKwW万]?)", re.I)
_REPLY_HINT_RE = re.compile(r"repl|comment|answer|回复|posts?(?:$|[\s_\-])|count", re.I)
_DIGIT_RE = re.compile(r"\d")
_NUMBER_RE = re.compile(r"^\d[\d,.]*\s*[kKwW万]?$")
_SKIP_HREF_RE = re.compile(r"^(?:javascript:|mailto:|#)|[?&](?:action|mod)=(?:profile|space|login|register)|"
                           r"/(?:members?|users?|profile|u)/|uid=|/page/\d+/?$", re.I)
# A link ending in "page=N" is a pager's, unless it opens another page's first page: a
# topic linked as "read.php?id=8&page=1" is a row's title (a pager's "1" leads to this page).
_PAGE_END_RE = re.compile(r"[?&]page=(\d+)$", re.I)
# A post anchor naming its post by a number ("#postid-78", "#p55", "#post_12", "#msg9").
_POST_ANCHOR_RE = re.compile(r"^[a-z_-]{0,12}(\d+)$", re.I)


def topic_at_post(href: str) -> str:
    """The page part of a link that opens a topic at one of its posts (``/topic/slug/#postid-78``,
    an "unread" or "new posts" list's rows), else "". The anchor's number must not be in the
    page part: ``/discussion/comment/12/#Comment_12`` is a post's own permalink (a date link in
    a thread's post header), no topic's."""
    page, _, anchor = href.partition("#")
    m = _POST_ANCHOR_RE.match(anchor)
    if not page or m is None:
        return ""
    parts = urlsplit(page)
    named = _ESCAPE_RE.sub("", f"{parts.path}?{parts.query}")  # (a slug's %e4 escapes name no number)
    return "" if m.group(1) in _DIGIT_RUN_RE.findall(named) else page


_DIGIT_RUN_RE = re.compile(r"\d+")
_ESCAPE_RE = re.compile(r"%[0-9a-f]{2}", re.I)


def _count(raw: str) -> int | None:
    raw = raw.strip().replace(",", "")
    mult = 1
    if raw[-1:] in "kK":
        mult, raw = 1000, raw[:-1]
    elif raw[-1:] in "wW万":
        mult, raw = 10000, raw[:-1]
    try:
        return int(float(raw.strip()) * mult)
    except ValueError:
        return None


@dataclass
class Listing:
    """A listing's entries and, parallel to them, the DFS index of each entry's element (its row)."""

    entries: list[Entry] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)


def find_entries(dom: Dom, url: str, *, now: datetime, template_mask: np.ndarray | None = None,
                 single: bool = False) -> list[Entry]:
    """The entries of a listing page in page order, or [] when the page lists nothing.

    ``single``: the page has no posts and no article, so one lone row that carries a title
    link, a date and a reply count is an entry too (the last page of a board).
    """
    return find_listing(dom, url, now=now, template_mask=template_mask, single=single).entries


def find_listing(dom: Dom, url: str, *, now: datetime, template_mask: np.ndarray | None = None,
                 single: bool = False, min_rows: int = 2) -> Listing:
    """:func:`find_entries` with the entries' elements; only listings of ``min_rows`` rows or more."""
    n = len(dom)
    if n < 8:
        return Listing()
    key = node_keys(dom)
    side = layout_mask(dom)
    if template_mask is not None and len(template_mask) == n:
        side = side | np.asarray(template_mask, dtype=bool)
    ok_tag = np.array([t not in _NOT_ENTRY_TAGS for t in dom.tags], dtype=bool)
    link_sub = dom.subtree(dom.own_link_chars)
    all_sub = dom.subtree(dom.own_chars)
    cand = np.nonzero(ok_tag[dom.tag_id] & ~side & (link_sub >= 2) & (dom.parent >= 0))[0]
    if not len(cand):
        return Listing()
    scan = _Scan(dom, url, now)
    section = 0.4 * float(all_sub[0] or 1)
    depth = dom.depth
    best: tuple[float, Listing] | None = None
    for members in _groups(dom, key, cand, link_sub, max(2, min_rows)):
        if float(all_sub[members].max()) > section and not _small_page_rows(scan, members, depth):
            continue          # page sections (header, content, footer, columns), not items
        found = scan.entries(members, min_share=0.7)
        entries = [e for e, _ in found]
        if len(entries) < max(2, min_rows) or len(entries) < 0.7 * len(members):
            continue
        urls = {e.url for e in entries}
        titles = {subject(e.title) for e in entries}
        if len(urls) < 0.8 * len(entries) or len(titles) < 0.8 * len(entries):
            continue          # the same "Report" link in every post, or "Topic" and "Re: Topic": no listing
        if not _shared_url_shape(entries):
            continue          # header, menu, notice and footer links side by side: page sections
        dated = sum(1 for e in entries if e.published is not None)
        described = sum(1 for e in entries if e.published is not None or e.excerpt or e.replies is not None)
        if described < 0.5 * len(entries):
            continue          # bare link lists (menus, tag clouds) carry no dates, excerpts or counts
        if len(entries) == 2 and sum(1 for e in entries if e.published is not None or e.replies is not None) < 2:
            continue          # two rows are a listing only when both show a date or a count
        value = len(entries) * (1.0 + dated / len(entries)) * float(np.mean([title_weight(e.title) for e in entries])) ** 0.5
        if best is None or value > best[0]:
            best = (value, Listing(entries, [m for _, m in found]))
    if best is not None:
        return best[1]
    if single:
        return _lone_row(dom, scan, cand, all_sub)
    return Listing()


_DIGIT_RUN = re.compile(r"\d+")


def _url_shape(url: str) -> tuple[int, str, str]:
    """A link's shape: its path's depth, its last segment (a script name as it is, digit runs
    as ``#``; a name or slug without a file extension as ``*``) and its query's keys:
    ``/viewtopic.php?id=4`` -> (1, "viewtopic.php", "id"); ``/2024/05/compost`` and
    ``/sport/2024/05/a-b`` -> (3 or 4, "*", "")."""
    parts = urlsplit(url)
    segments = [seg for seg in parts.path.split("/") if seg]
    last = segments[-1] if segments else ""
    stem, dot, ext = last.rpartition(".")
    if dot and ext.isalpha():  # a file: a script's name stays, an article's slug does not
        if any(c.isalpha() for c in stem) and ("-" in stem or "_" in stem or len(stem) > 24):
            last = "*." + ext
    elif any(c.isalpha() for c in last):
        last = "*"
    # a bare value in the query ("news.php?extend.3", "read.php?2,36") is an argument, not a key name:
    # its digit runs differ from entry to entry as a path's do
    keys = sorted({_DIGIT_RUN.sub("#", pair.partition("=")[0]) for pair in parts.query.split("&") if pair})
    return len(segments), _DIGIT_RUN.sub("#", last), "&".join(keys)


def _shared_url_shape(entries: Sequence) -> bool:
    """Rows of a listing lead to pages of one kind: of three or more entries, at least two
    share a URL shape (``viewtopic.php?id=#``). A board page's header, menu, notice and footer,
    each with a link and some text, lead to as many kinds of page as there are of them."""
    if len(entries) < 3:
        return True
    shapes = [_url_shape(e.url) for e in entries]
    return len(set(shapes)) < len(shapes)


# sibling groups and section groups read per page (the likeliest first)
_GROUPS_TRIED = 6
_SECTION_GROUPS_TRIED = 3
# a lone row is a row, not a page section: at most this many characters
_LONE_ROW_CHARS = 600


def _groups(dom: Dom, key: np.ndarray, cand: np.ndarray, link_sub: np.ndarray, min_rows: int) -> list[np.ndarray]:
    """Candidate rows, the likeliest first (many members with much link text): siblings of one
    key, and rows of one key split into sections (a board index's categories, a board's
    announcements above its topics), whose parents share a key and an ancestor 1-3 levels up."""
    width = int(key.max()) + 1
    parent = dom.parent
    passes = [(parent[cand].astype(np.int64) * width + key[cand], cand, False)]
    # rows named by their ids only, differently by their kind (tbody#stickthread_5 above
    # tbody#normalthread_7): siblings of one tag, when their ids differ
    named = _id_named(dom, cand)
    if len(named) >= 2:
        passes.append((parent[named].astype(np.int64) * len(dom.tags) + dom.tag_id[named], named, "ids"))
    up = parent[cand]
    keys = key[cand].astype(np.int64) * width + key[np.maximum(up, 0)]
    for _ in range(3):
        up = np.where(up >= 0, parent[np.maximum(up, 0)], -1)
        ok = up >= 0
        if not ok.any():
            break
        passes.append((up[ok].astype(np.int64) * (width * width) + keys[ok], cand[ok], True))
    pools: list[np.ndarray] = []
    in_sections: list[bool] = []
    scored: list[tuple[float, int, int, int]] = []
    for sig, members_of, sections in passes:
        order = np.argsort(sig, kind="stable")
        m, s = members_of[order], sig[order]
        starts = np.concatenate(([0], np.nonzero(np.diff(s))[0] + 1))
        sizes = np.diff(np.append(starts, len(s)))
        keep = sizes >= min_rows
        if sections:
            # rows under one parent (of one key) are the sibling group already: a section group
            # spans parents, an id group spans keys
            split = parent[m] if sections is True else key[m]
            turns = np.concatenate(([0], (np.diff(split) != 0).astype(np.int64)))
            turns[starts] = 0
            keep &= np.add.reduceat(turns, starts) >= 1
        if not keep.any():
            continue
        mean_link = np.add.reduceat(link_sub[m].astype(np.float64), starts) / sizes
        score = sizes * np.sqrt(mean_link)
        pools.append(m)
        in_sections.append(sections)
        for k in np.nonzero(keep)[0][np.argsort(-score[keep], kind="stable")][:2 * _GROUPS_TRIED].tolist():
            scored.append((float(score[k]), len(pools) - 1, int(starts[k]), int(starts[k] + sizes[k])))
    scored.sort(key=lambda x: -x[0])
    # the likeliest sibling groups, and the likeliest section groups that are not the same rows
    siblings, sections, seen = [], [], set()
    for score, pool, lo, hi in scored:
        members = np.sort(pools[pool][lo:hi])
        sig3 = (int(members[0]), int(members[-1]), len(members))
        if sig3 in seen:
            continue
        seen.add(sig3)
        bucket, cap = (sections, _SECTION_GROUPS_TRIED) if in_sections[pool] else (siblings, _GROUPS_TRIED)
        if len(bucket) < cap:
            bucket.append((score, members))
    return [m for _, m in sorted(siblings + sections, key=lambda x: -x[0])]


def _id_named(dom: Dom, cand: np.ndarray) -> np.ndarray:
    """The candidates without a class whose id holds a number (their key is their id)."""
    if not dom.ids:
        return cand[:0]
    ids = np.asarray(dom.ids, dtype=np.int64)
    named = cand[np.isin(cand, ids)]
    nodes = dom.nodes
    keep = [i for i in named.tolist() if not nodes[i].get("class") and _DIGIT_RE.search(nodes[i].get("id") or "")]
    return np.asarray(keep, dtype=cand.dtype)


def _small_page_rows(scan: "_Scan", members: np.ndarray, depth: np.ndarray) -> bool:
    """Two rows holding most of a small page's text (a board of two threads), rather than two
    page sections (columns, header and footer): not children of <body>, and each with at
    most three links that may be titles (a column lists many)."""
    if len(members) > 2 or int(depth[members].min()) <= 2:
        return False
    for m in members.tolist():
        titles: set[str] = set()
        for a in scan.links_in(m):
            text = scan.title_of(a)
            if text:
                titles.add(text)
                if len(titles) > 3:
                    return False
    return True


def _lone_row(dom: Dom, scan: "_Scan", cand: np.ndarray, all_sub: np.ndarray) -> Listing:
    """The one row of a listing page that lists one thread: the outermost element holding one
    title link, a date and a reply count, and no heading or prose longer than that title (a
    row under a board's column headers may carry a byline or a line longer than its title)."""
    sub_dates = dom.subtree(scan.dates)
    rows = cand[(sub_dates[cand] > 0) & (all_sub[cand] <= _LONE_ROW_CHARS)]
    for m in rows[:200].tolist():
        if len({scan.title_of(a) for a in scan.links_in(m)} - {""}) != 1:
            continue
        found = scan.entries(np.array([m]))
        if not found or found[0][0].published is None or found[0][0].replies is None:
            continue
        entry = found[0][0]
        if _longest_heading(dom, m) > len(entry.title):
            continue          # a page's own post or question under a link back to its list
        if len(entry.excerpt) > len(entry.title) and (len(entry.excerpt) > _LONE_ROW_LABEL_CHARS
                                                      or not under_column_headers(dom, m)):
            continue          # a post's text, not a row's byline ("Started by ...") under a board's headers
        return Listing([entry], [m])
    return Listing()


# a lone row's text longer than its title is a byline or a one-line description, not a post
_LONE_ROW_LABEL_CHARS = 80
# column headers name a count column and hold only labels: no number, no date, a few words
_COUNT_COLUMN_RE = re.compile(r"(?<![a-z])(?:replies|views|answers|comments|hits)(?![a-z])|回复|回帖|查看|浏览|评论|点击",
                              re.I)
_HEADER_CHARS = 200
_HEADER_SPLIT_RE = re.compile(r"[\s/|·•,]+")


def under_column_headers(dom: Dom, m: int, levels: int = 4) -> bool:
    """Whether row ``m`` stands under a board's column headers ("Subject / Started by | Replies /
    Views | Last post", a table's ``<thead>``): the nearest non-empty element before the row or
    one of its ``levels`` nearest ancestors holds labels only (no digit), one naming a count
    column. A thread's post has none above it: a thread's head shows numbers ("Views: 38")."""
    el = dom.nodes[m]
    for _ in range(levels + 1):
        if el is None or el.tag in ("body", "html"):
            return False
        before, text = el.getprevious(), ""
        while before is not None:
            if isinstance(before.tag, str) and before.tag not in ("script", "style"):
                text = _short_text(before, _HEADER_CHARS)
                if text:
                    break
            before = before.getprevious()
        if text and _column_headers(text):
            return True
        el = el.getparent()
    return False


def _short_text(el, limit: int) -> str:
    """The element's text, white space collapsed; ``limit + 1`` characters at most (a header row
    is short: a long sibling is read only that far)."""
    pieces, size = [], 0
    for piece in el.itertext():
        pieces.append(piece)
        size += len(piece)
        if size > 2 * limit:
            break
    return collapse_ws(" ".join(pieces))[:limit + 1]


def _column_headers(text: str) -> bool:
    """Labels of a board's columns: a few words, no digit, one naming a count column."""
    return (len(text) <= _HEADER_CHARS and not _DIGIT_RE.search(text) and bool(_COUNT_COLUMN_RE.search(text))
            and len([w for w in _HEADER_SPLIT_RE.split(text) if w]) >= 3)


_HEADINGS = frozenset(("h1", "h2", "h3", "h4"))


def _longest_heading(dom: Dom, m: int) -> int:
    """Length of the longest heading text inside node ``m`` outside links (0 when none)."""
    best = 0
    for i in range(m, int(dom.end[m]) + 1):
        if dom.tags[dom.tag_id[i]] in _HEADINGS and not dom.in_link[i]:
            best = max(best, len(dom.text_of(i)))
    return best


_REPLY_PREFIX_RE = re.compile(r"^(?:\s*(?:re|aw|sv|回复|答复)\s*(?:\[\d+\]|\^\d+)?\s*[:：])+\s*", re.I)


def subject(title: str) -> str:
    """A title without its reply prefixes ("Re: Re[2]: Topic" -> "Topic"): a thread's posts
    carry the topic's subject, each reply with a prefix, so two of them are no two listing rows."""
    return _REPLY_PREFIX_RE.sub("", title)


def title_weight(text: str) -> int:
    """Characters of a title, white space aside, CJK characters counting two (a Chinese
    title of five characters says as much as a Latin one of ten letters)."""
    return len(text) - text.count(" ") + len(CJK_RE.findall(text))


def posts_are_rows(dom: Dom, listing: Listing, posts: Sequence, url: str = "", titles_apart: bool = False) -> bool:
    """Whether the posts found on a page are made of its listing's rows rather than a thread's
    posts: pieces of rows (a reply count and an icon label, a board's description and counts)
    or groups of rows (a forum index's categories). There are at least about as many rows as
    posts, and 80% of the text of 80% of the posts is lines shown in the rows.

    A row titled by a post's byline is no row: a link the post finder read as a post's author
    that marks itself a byline (``class="author"``, ``rel="author"``) or a member page by its
    name (``/who?n=farid``: an href unlike a profile's, whose link a listing finder takes for
    a title) is that post's byline, not a topic's title. (Board rows whose titles were read as
    authors, ``<a class="forum-link" href="/forum/2/">``, and a news index's heading links,
    :func:`titles_taken_for_authors`, are titles.) A link that says nothing of a member (an
    href by number, ``/who?id=7``) is a byline by its place: see :func:`_byline_by_place`
    (``url``, the page's, tells a board's sub-boards, linked in the page's own shape).

    ``titles_apart`` (posts longer than rows' excerpts: items of a stream): a row counts only
    when its title is shown apart from the posts' texts, as a stream item's "ann replied to
    <a href=/t/4>Copper kettles</a>" above its excerpt is; a thread's replies that link other
    threads show those links inside their text."""
    if len(listing.entries) < 2 or len(listing.entries) < 0.8 * len(posts):
        return False
    bylines = {collapse_ws(p.author) for p in posts if p.author}
    if bylines:
        verdicts = [_byline_title(dom, r, e, bylines, url) for e, r in zip(listing.entries, listing.rows)]
        if sum(1 for v in verdicts if v == _BY_PLACE) < 0.8 * len(verdicts):
            # a thread's bylines stand alike in every post: a few name-like titles among phrases
            # ("Sourdough") are titles
            verdicts = [v if v != _BY_PLACE else "" for v in verdicts]
        titled = sum(1 for v in verdicts if not v)
        if titled < 2 or titled < 0.8 * len(posts):
            return False
    if titles_apart:
        texts = [collapse_ws(p.text or "") for p in posts]
        apart = sum(1 for e in listing.entries if not any(collapse_ws(e.title) in t for t in texts))
        if apart < 2 or apart < 0.8 * len(posts):
            return False
    rows = "\n".join(squash(dom.text_of(r)) for r in listing.rows)
    held = 0
    for post in posts:
        lines = [squash(line) for line in (post.text or "").split("\n")]
        total = sum(len(line) for line in lines)
        inside = sum(len(line) for line in lines if line and line in rows)
        if inside >= 0.8 * total:
            held += 1
    return held >= 0.8 * len(posts)


_BY_NAME, _BY_PLACE = "name", "place"


def _byline_title(dom: Dom, row: int, entry: Entry, bylines: set[str], url: str = "") -> str:
    """Whether the title link of listing row ``row`` (its entry ``entry``) is a post's byline: its
    text is a post's author, and the link is no heading's and says it names a member
    (:func:`_names_member`: ``_BY_NAME``) or stands where a byline does (:func:`_byline_by_place`:
    ``_BY_PLACE``); "" when it is a title."""
    text = collapse_ws(entry.title)
    if text not in bylines:
        return ""
    link = -1
    for i in range(row, int(dom.end[row]) + 1):
        tag = dom.tags[dom.tag_id[i]]
        if tag in _HEADINGS and collapse_ws(dom.text_of(i)) == text:
            return ""       # the row's heading: a title read as a byline (a news index)
        if tag != "a":
            continue
        shown = collapse_ws(dom.text_of(i))
        if shown == text:
            if link < 0:
                link = i
        elif shown and _member_link(dom.nodes[i]):
            return ""       # the row names its member elsewhere ("Most recent by <a href=/profile/..>")
    if link < 0:
        return ""
    if _names_member(dom.nodes[link], text):
        return _BY_NAME
    return _BY_PLACE if _byline_by_place(dom, row, link, entry, url) else ""


# A byline's text: a member's name, one or two words of at most this weight (CJK characters
# count two), no sentence punctuation; a topic's title is mostly a phrase
_NAME_WEIGHT = 24
_NOT_NAME_RE = re.compile(r"[?!:;,\"“”«»()\[\]|/]|\.\s|\.$")
# a post's head (its byline and date) holds at most this many characters besides the name
_HEAD_EXTRA_CHARS = 60


def _byline_by_place(dom: Dom, row: int, link: int, entry: Entry, url: str) -> bool:
    """Whether the link ``link`` of row ``row``, whose text a post's author is, stands where a
    byline does when nothing in it says so (``<a href="/who?id=7">farid</a>``): its text is
    name-like (one or two words, no sentence punctuation), the link leads to pages of another shape than the page's own (a board's sub-boards are linked
    as the board is, ``/forum/5/`` from ``/forum/2/``), and it sits in a small head beside a
    date, apart from the row's text: a post's "farid · 2025-06-01 10:00" above its body. A
    board's row shows its title beside its counts and last post, a forum index's board name above
    its description; a topic list's title is a phrase."""
    if not _name_like(collapse_ws(entry.title)):
        return False
    if url and _link_shape(url) == _link_shape(urljoin(url, dom.nodes[link].get("href") or "")):
        return False
    dates = date_flags(dom)
    end, parent, chars = dom.end, dom.parent, dom.own_chars
    name_chars = int(chars[link:int(end[link]) + 1].sum())
    a = int(parent[link])
    while a > row:
        span = slice(a, int(end[a]) + 1)
        if dates[span].any():
            # the head: the link's nearest ancestor holding a date, nothing more than a byline line
            return int(chars[span].sum()) - name_chars <= _HEAD_EXTRA_CHARS
        a = int(parent[a])
    return False


def _name_like(text: str) -> bool:
    """A member's name as shown: one or two words, short, no sentence punctuation."""
    return (0 < title_weight(text) <= _NAME_WEIGHT and len(text.split()) <= 2
            and not _NOT_NAME_RE.search(text) and not text.isdigit())


def _link_shape(url: str) -> tuple[str, str]:
    """A URL's path with digit runs as ``#`` and its query's keys: ``/who?id=7`` -> ("/who", "id")."""
    parts = urlsplit(url)
    keys = sorted({pair.partition("=")[0] for pair in parts.query.split("&") if pair})
    return _DIGIT_RUN.sub("#", parts.path.rstrip("/")), "&".join(keys)


# A link's own class, id, rel or itemprop naming it a byline ("author", "username", "poster");
# a title's ("topic-title", "thread-link") says otherwise
_BYLINE_HINT_RE = re.compile(r"author|user|poster|member|nick|byline|creator|owner", re.I)
_TITLE_HINT_RE = re.compile(r"title|subject|topic|thread|forum|board|categor|headline|entry", re.I)
_HREF_PART_RE = re.compile(r"[/?&=;#]")


def _names_member(el, text: str) -> bool:
    """Whether link ``el`` showing ``text`` names a member: its own attributes say it is a byline,
    or its href carries the name as a whole path segment or query value (``/who?n=farid``,
    ``/people/farid``), as member pages by name do and topic pages (by number or slug) do not."""
    hint = _hint(el)
    if _TITLE_HINT_RE.search(hint):
        return False        # class="Title": a topic's link, its slug the title itself
    if _BYLINE_HINT_RE.search(hint):
        return True
    href = unquote_plus(el.get("href") or "")
    return text in _HREF_PART_RE.split(href)


def _hint(el) -> str:
    return " ".join(el.get(k) or "" for k in ("class", "id", "rel", "itemprop"))


def _member_link(el) -> bool:
    """Whether a link is a member's by its href (a profile's) or its own attributes."""
    href = el.get("href") or ""
    if href and fields.is_profile_href(href):
        return True
    hint = _hint(el)
    return bool(hint) and _BYLINE_HINT_RE.search(hint) is not None and not _TITLE_HINT_RE.search(hint)


def rows_taken_for_posts(dom: Dom, url: str, posts: Sequence, *, now: datetime,
                         template_mask: np.ndarray | None = None) -> Listing | None:
    """The listing whose rows the posts found on a page are pieces of, else None.

    A board's rows carry dates and authors like posts do, and the post finder may take a
    piece of each row (its reply count and icon label, its description and counts) for a
    post; the rows' title links to other pages of the site tell that they are a listing.
    Only short posts are checked (a cheap test first): a thread's posts carry prose.
    """
    if len(posts) < 2:
        return None
    short = short_posts(posts)
    if not (short or titles_taken_for_authors(dom, posts) or stream_items(posts)):
        return None
    listing = find_listing(dom, url, now=now, template_mask=template_mask, min_rows=int(np.ceil(0.8 * len(posts))))
    return listing if posts_are_rows(dom, listing, posts, url, titles_apart=not short) else None


def stream_items(posts: Sequence) -> bool:
    """Whether the posts may be the items of a stream (recent activity, "latest replies" with
    whole excerpts): none carries a post id of its own. Each item then shows a link to the
    thread it was taken from above its excerpt, and the items are the rows of a listing; a
    thread's posts, ids or not, show no such title link apart from their text (a cheap test
    before the listing's)."""
    return all(not p.post_id for p in posts)


def titles_taken_for_authors(dom: Dom, posts: Sequence) -> bool:
    """Whether the posts' authors are the texts of heading links (``<h2><a href=..>News Item 3</a></h2>``):
    a news or blog index showing each item whole under its title, the title read as a byline.
    A thread's authors are names, not its page's headings (a cheap test before the listing's:
    most pages have a few headings)."""
    named = [collapse_ws(p.author) for p in posts if p.author]
    # items' titles differ from item to item; a thread's authors mostly repeat
    if len(named) < 0.8 * len(posts) or len(set(named)) < len(named):
        return False
    heading_ids = [k for k, tag in enumerate(dom.tags) if tag in _HEADINGS]
    if not heading_ids:
        return False
    wanted, linked = set(named), set()
    nodes = dom.nodes
    for h in np.flatnonzero(np.isin(dom.tag_id, heading_ids)).tolist():
        link = next(nodes[h].iter("a"), None)
        href = (link.get("href") or "").strip() if link is not None else ""
        if not href or _SKIP_HREF_RE.search(href) or fields.is_profile_href(href):
            continue          # no link, or a name heading (a post's author: a profile, a menu's "#")
        text = collapse_ws(dom.text_of(h))
        if text in wanted and collapse_ws(" ".join(link.itertext())) == text:   # the heading is the link
            linked.add(text)
    return sum(1 for a in named if a in linked) >= 0.8 * len(posts)


def short_posts(posts: Sequence) -> bool:
    """Posts whose texts are mostly no longer than a listing's excerpts (median under
    ``ROW_POST_CHARS``): only then may they be a listing's rows (a cheap test first)."""
    # only which side of the bound each text falls on counts: a long post's squashed length is
    # at least that of its first 2 * ROW_POST_CHARS characters squashed
    lengths = sorted(_squashed_len_to(p.text or "", ROW_POST_CHARS) for p in posts)
    return bool(lengths) and lengths[len(lengths) // 2] < ROW_POST_CHARS


def _squashed_len_to(text: str, bound: int) -> int:
    """``len(squash(text))``, or a number >= ``bound`` standing for any length >= ``bound``."""
    if len(text) > 2 * bound:
        head = len(squash(text[:2 * bound]))
        if head >= bound:
            return head
    return len(squash(text))


ROW_POST_CHARS = 200


class _Scan:
    """One page's rows read into entries; what a link is worth is worked out once per link,
    as the groups tried overlap (a row, its inner table, the same rows split by sections)."""

    def __init__(self, dom: Dom, url: str, now: datetime) -> None:
        self.dom, self.url, self.now = dom, url, now
        parts = urlsplit(url)
        self.host = parts.netloc
        self.origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
        self.here = f"{parts.netloc}{parts.path}" + (f"?{parts.query}" if parts.query else "")
        self.resolved: dict[str, str] = {}
        self.dates = date_flags(dom)
        self.dates_l = self.dates.tolist()
        a_id = dom.tags.index("a") if "a" in dom.tags else -1
        self.links = np.nonzero(dom.tag_id == a_id)[0]
        self.titles: dict[int, str] = {}

    def links_in(self, m: int) -> list[int]:
        """DFS indices of the ``<a>`` elements inside node ``m``."""
        lo, hi = np.searchsorted(self.links, [m, int(self.dom.end[m]) + 1])
        return self.links[lo:hi].tolist()

    def title_of(self, i: int) -> str:
        """The text of link ``i`` when it may be a row's title, else "": a link to another page
        of the site, not an anchor, a profile, a button, a floor label, a date or a number."""
        text = self.titles.get(i)
        if text is None:
            text = self.titles[i] = self._title_of(i)
        return text

    def _title_of(self, i: int) -> str:
        el = self.dom.nodes[i]
        href = el.get("href") or ""
        # A link to an anchor (a post's permalink "#p123") is no entry; a topic opened at a post
        # is one (by the topic's URL)
        if "#" in href:
            href = topic_at_post(href)
        if not href:
            return ""
        text = self.dom.text_of(i)
        if title_weight(text) < 4 or _NUMBER_RE.match(text):
            return ""
        if _SKIP_HREF_RE.search(href) or fields.is_profile_href(href) or self._pager_href(href):
            return ""
        if fields.BUTTON_LINE_RE.match(text) or fields.floor_of(text) is not None:
            return ""
        if self._here(self.resolve(href)):
            return ""    # a link to this very page
        found = match_date(text, now=self.now)
        if found is not None and (len(found[1]) >= 0.6 * len(text) or _DIGIT_RE.search(found[1])):
            return ""    # a date label, or a link showing one ("May 3, 2024", "Title 2020-09-27");
        return text      # a title opening with a day word is a title ("Yesterday I fixed my bike")

    def _pager_href(self, href: str) -> bool:
        """Whether a link ending in ``page=N`` is a pager's: a page past the first, or a page
        of this very page's (its URL but for the page number)."""
        m = _PAGE_END_RE.search(href)
        if m is None:
            return False
        if m.group(1) != "1":
            return True
        bare = _PAGE_END_RE.sub("", self.resolve(href).partition("://")[2])
        return bare.rstrip("?") == _PAGE_END_RE.sub("", self.here).rstrip("?")

    def resolve(self, href: str) -> str:
        """The absolute URL of a link (no fragment: links with one are no titles)."""
        link = self.resolved.get(href)
        if link is None:
            if "/." in href or href != href.strip():
                link = urljoin(self.url, href)     # dot segments, white space: the library's way
            elif href.startswith(("http://", "https://")):
                link = href
            elif href.startswith("/") and not href.startswith("//") and self.origin:
                link = self.origin + href
            else:
                link = urljoin(self.url, href)
            self.resolved[href] = link
        return link

    def _here(self, link: str) -> bool:
        """Whether an absolute URL is this page (scheme and an empty query aside)."""
        return link.partition("://")[2].rstrip("?") == self.here

    @staticmethod
    def netloc(link: str) -> str:
        return link.partition("://")[2].partition("/")[0].partition("?")[0] if "://" in link else ""

    def entries(self, members: np.ndarray, min_share: float = 0.0) -> list[tuple[Entry, int]]:
        """The entry of each member that has a title link, with the member; stops early (and
        returns what it has) once fewer than ``min_share`` of the members can have one."""
        dom = self.dom
        # plain lists for the walk over every node of a row (indexing numpy per node costs more)
        dates, in_link, end, is_time = self.dates_l, dom.as_list("in_link"), dom.as_list("end"), tag_is(dom, "time")
        out: list[tuple[Entry, int]] = []
        allowed = len(members) - min_share * len(members)
        missing = 0
        for m in members.tolist():
            title_el, title = -1, ""
            for a in self.links_in(m):
                text = self.title_of(a)
                if title_weight(text) > title_weight(title):
                    title_el, title = a, text
            link = self.resolve(dom.nodes[title_el].get("href").partition("#")[0]) if title_el >= 0 else ""
            if title_el < 0 or title_weight(title) < 4 or self.netloc(link) not in (self.host, ""):
                missing += 1
                if missing > allowed:
                    return out
                continue
            when = None
            replies = None
            excerpt = ""
            title_end = end[title_el]
            for i in range(m, end[m] + 1):
                own = dom.own_text[i]
                el = dom.nodes[i]
                # a date label's machine-readable form (datetime, title) beats its short text
                found = None
                if dates[i] or is_time[i] and el.tag == "time":
                    for raw in (el.get("datetime"), el.get("title")):
                        found = match_date(raw, now=self.now) if raw else None
                        if found:
                            break
                    if found is None and own:
                        shown = dom.text_of(i) if end[i] - i <= 3 else own
                        found = match_date(shown, now=self.now)
                        if (found and title_el <= i <= title_end and len(found[1]) < 0.6 * len(shown)
                                and not _DIGIT_RE.search(found[1])):
                            found = None   # the title's words, not a date ("今天天气真好", "Yesterday I...")
                if found and (when is None or _later(found[0], when)):
                    when = found[0]
                if replies is None and own:
                    replies = _replies(el, own)
                if own and not in_link[i] and len(own) > len(excerpt) and len(own) >= 20 and not dates[i]:
                    excerpt = own
            out.append((Entry(title=title, url=link, published=when, excerpt=excerpt[:500], replies=replies), m))
        return out


_REPLIES_LABEL_RE = re.compile(r"(?:^|\s)(?:replies|reply|comments?|answers?|回复|回帖|评论|回答)\s*[:：]?\s*$", re.I)


def _replies(el, own: str) -> int | None:
    """The reply count an element shows: "12 replies", "Replies: 12", a bare number in an
    element named so (``td.replies``), or a bare number right after a "Replies" label (a
    ``<dt>Replies</dt><dd>12</dd>`` pair, "Replies: <a>12</a>")."""
    if not _DIGIT_RE.search(own):
        return None
    mt = _REPLIES_RE.search(own)
    if mt:
        return _count(mt.group(1) or mt.group(2))
    if not _NUMBER_RE.match(own):
        return None
    if _REPLY_HINT_RE.search(fields.words(el) + " " + (el.get("title") or "")):
        return _count(own)
    before = el.getprevious()
    if before is not None:
        label = collapse_ws(" ".join(before.itertext())) + " " + collapse_ws(before.tail or "")
    else:
        parent = el.getparent()
        label = collapse_ws(parent.text or "") if parent is not None else ""
    if _REPLIES_LABEL_RE.search(label[-40:]) or _REPLIES_LABEL_RE.search(_column_label(el)):
        return _count(own)
    return None


def _column_label(el) -> str:
    """The header text of a table cell's column: a bare ``<td>12</td>`` under a "Replies"
    header (``<th>Replies</th>``, FluxBB, phpBB, SMF boards) is a reply count."""
    row = el.getparent()
    if el.tag != "td" or row is None or row.tag != "tr":
        return ""
    cells = [c for c in row if c.tag in ("td", "th")]
    column = cells.index(el)
    table = row.getparent()
    while table is not None and table.tag != "table":
        table = table.getparent()
    if table is None:
        return ""
    header = table.find("thead/tr")
    if header is None:
        first = table.find(".//tr")
        header = first if first is not None and first is not row and first.find("th") is not None else None
    if header is None:
        return ""
    labels = [c for c in header if c.tag in ("td", "th")]
    return collapse_ws(" ".join(labels[column].itertext())) if column < len(labels) else ""


def _later(a: datetime, b: datetime) -> bool:
    """a > b, comparing naive and aware dates by their wall-clock values."""
    return a.replace(tzinfo=None) > b.replace(tzinfo=None)
