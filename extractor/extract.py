"""Orchestration: bytes in, :class:`Page` out, one parse, never an exception.

decode -> parse -> structured data (before scripts are stripped) -> strip
invisible -> DFS numbering -> template mask -> block scores and content
region -> posts / listing entries (the posts helper's modules) -> page kind
-> main text, links, next page, language.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

import numpy as np

from extractor import blocks as blocks_mod
from extractor.classify import (ARTICLE_TYPES, FORUM_TYPES, MIN_ARTICLE_CHARS, decide, is_commented_article,
                               squash, squashed_len)
from extractor.datatables import posts_are_data_tables
from extractor.decode import decode
from extractor.dom import Dom, code_units, collapse_ws, number, strip_invisible
from extractor.language import detect_language
from extractor.links import collect as collect_links, script_next_page
from extractor.listing import find_listing, rows_taken_for_posts
from extractor.model import Page
from extractor.parse import parse, parse_counting
from extractor.posts import find_posts, holds_known_unit
from extractor.structured import read_structured
from extractor.text import render

log = logging.getLogger(__name__)

# Larger inputs are cut: the tail of a 20 MB page is rarely content, and the cut bounds time.
MAX_CHARS = 5_000_000
# ... and so is markup beyond this many tags (real pages have a few thousand elements).
MAX_TAGS = 100_000
# A text longer than this has its tags counted before it is parsed (a text over the tag budget is
# then parsed once, cut); a shorter one's are counted by the parse itself.
COUNT_FIRST_CHARS = 1_000_000
# Region penalty for negative blocks on pages not declared as articles (see blocks.NEG_WEIGHT).
UNDECLARED_ALPHA = 0.15
# ... unless the article region, comments pruned, is this long (characters without spaces).
LONG_ARTICLE_CHARS = 2000
# A thread's text is its posts' unless they hold less than this share of the thread region's text.
MIN_POSTS_SHARE = 0.25


def extract(html: bytes | str, url: str, *, headers: Mapping | None = None,
            template: Any = None, now: datetime | None = None) -> Page:
    """Turn one fetched page into a :class:`Page`. Never raises."""
    page = Page(url=url or "")
    try:
        _extract(page, html, url or "", headers, template, now)
    except Exception as exc:  # the contract: any failure is a warning, not an exception
        log.debug("extraction failed for %s", url, exc_info=True)
        page.kind = "other"
        page.warnings.append(f"extraction failed: {type(exc).__name__}: {exc}"[:300])
    return page


def reference_time(headers: Mapping | None, now: datetime | None) -> datetime:
    """The moment relative dates are counted from: the response's Date header, else now."""
    if headers:
        try:
            for key, val in headers.items():
                k = key.decode("latin-1") if isinstance(key, bytes) else str(key)
                if k.lower() == "date":
                    if isinstance(val, (list, tuple)):
                        val = val[0]
                    if isinstance(val, bytes):
                        val = val.decode("latin-1")
                    when = parsedate_to_datetime(str(val))
                    if when.tzinfo is None:
                        when = when.replace(tzinfo=timezone.utc)
                    return when
        except (TypeError, ValueError, IndexError):
            pass
    return now or datetime.now(timezone.utc)


def post_unit_paths(html: bytes | str, url: str) -> set[str]:
    """Where this page holds its posts (``posts.unit_paths``) when it reads as a thread of three
    or more posts, else nothing: what a site template learns so that its thread pages with a
    single reply are split by the same element."""
    page, seen = Page(url=url or ""), set()
    try:
        _extract(page, html, url or "", None, None, None, seen_units=seen)
    except Exception:
        return set()
    return seen if page.kind == "thread" and page.posts else set()


def _extract(page: Page, html: bytes | str, url: str, headers: Mapping | None,
             template: Any, now: datetime | None, seen_units: set[str] | None = None) -> None:
    decoded = decode(html, headers)
    page.encoding = decoded.encoding
    page.warnings.extend(decoded.warnings)
    text = decoded.text
    utf8 = decoded.utf8     # text's UTF-8 bytes while text is as decoded
    if _looks_binary(text):
        page.warnings.append("content looks binary, not HTML")
        return
    if len(text) > MAX_CHARS:
        page.warnings.append(f"document cut at {MAX_CHARS} characters (was {len(text)})")
        text, utf8 = text[:MAX_CHARS], None
    # Tags over the budget are cut before the parse. A long text's tags are counted first; a
    # shorter one's are counted by the parse (on the bytes libxml2 gets, which it scans anyway),
    # and in the rare case it is over the budget it is cut and parsed again.
    tags = text.count("<") if len(text) > COUNT_FIRST_CHARS else 0
    if tags > MAX_TAGS:
        text, utf8 = _cut_tags(page, text, tags), None
    root, warnings, counted = parse_counting(text, utf8)
    if not tags and counted > MAX_TAGS:
        text = _cut_tags(page, text, counted)
        root, warnings = parse(text)
    page.warnings.extend(warnings)
    page.title = _title(root)
    when = reference_time(headers, now)

    structured = None
    if _may_have_structured(text):
        try:
            structured = read_structured(root, url)
        except Exception as exc:
            page.warnings.append(f"structured data unreadable: {type(exc).__name__}")
    base_url, head_next = _head_links(root, url)
    og_article = _og_article(root)
    strip_invisible(root)
    dom = number(root)
    if len(dom) < 2:
        page.warnings.append("no visible content")
        return
    body = _body_index(dom)

    mask = None
    if template is not None:
        try:
            mask = template.mask(dom)
        except Exception as exc:
            page.warnings.append(f"site template not applied: {type(exc).__name__}")
    blk = blocks_mod.score_blocks(dom, drop=mask, body=body)
    region = blk.region

    posts = []
    lone: list[int] = []   # (the element of a single post read by its own anatomy)
    types = set(getattr(structured, "types", None) or ())
    if not _declared_article(blk, region, types):
        try:
            posts = find_posts(dom, url, now=when, structured=structured, template_mask=mask,
                               region=region, known_units=getattr(template, "post_units", frozenset()),
                               seen_units=seen_units, lone=lone, date_order=getattr(template, "date_order", None))
        except Exception as exc:
            page.warnings.append(f"post splitting failed: {type(exc).__name__}: {exc}"[:200])
    if posts:
        posts = without_bare_headers(posts, _heading(dom, body, page.title))
    rows = None
    try:
        rows = rows_taken_for_posts(dom, url, posts, now=when, template_mask=mask) if posts else None
    except Exception as exc:
        page.warnings.append(f"listing detection failed: {type(exc).__name__}: {exc}"[:200])
    if rows is not None:
        posts = []   # pieces of a board's rows (counts, bylines), not a thread's posts
    elif posts_are_data_tables(posts):
        posts = []   # a statistics page's tables (rankings under column headers), not messages
    elif unsigned_items(posts):
        posts = []   # an activity stream's notices ("A, B and C joined"), not messages
    declared = bool(og_article or types & ARTICLE_TYPES)
    body_total = float(blk.sub_text[body] + blk.sub_link[body]) or 1.0
    link_share = float(blk.sub_link[body]) / body_total
    article_chars = float(blk.sub_text[region])
    # a page declared an article by its meta data counts as one when its posts may be comments
    article_types = (types | {"Article"}) if declared else types
    article_text = None   # rendered only when needed: a thread's text is its posts'
    is_thread = False
    known = getattr(template, "post_units", frozenset())
    if len(posts) == 1 and known:
        # one post at the site's own post element (learnt from its threads): a thread page of one post
        is_thread = holds_known_unit(dom, known, mask)
    if len(posts) >= 2:
        in_comments = replies_in_comments(dom, posts[1:4])
        # posts are comments only on a page declared an article or with replies in comment
        # sections: otherwise the article text is not needed to decide
        is_thread = not (in_comments or article_types & ARTICLE_TYPES)
        if not is_thread:
            article_text = _article_text(dom, blk, region, declared)
            is_thread = not is_commented_article(posts, article_text, article_chars, article_types,
                                                 in_comments)
    if not is_thread and article_text is None:
        article_text = _article_text(dom, blk, region, declared)
    entries = rows.entries if rows is not None else []
    entry_rows = rows.rows if rows is not None else []
    if not is_thread and not entries and _could_be_listing(blk, region, link_share):
        try:
            # a lone row is a listing's entry only on a page with no posts and no article
            listing = find_listing(dom, url, now=when, template_mask=mask,
                                   single=len(posts) < 2 and article_chars < MIN_ARTICLE_CHARS)
            entries, entry_rows = listing.entries, listing.rows
        except Exception as exc:
            page.warnings.append(f"listing detection failed: {type(exc).__name__}: {exc}"[:200])
    if len(posts) == 1 and lone and entry_rows and not is_thread and \
            any(lone[0] < r <= dom.end[lone[0]] for r in entry_rows):
        # the lone "post" holds the listing's rows: a record wrapping the whole view (a CMS page
        # hosting a board through a plugin: WordPress's <article id="post-4">), not a post
        posts = []
    if entry_rows and not is_thread:
        # a listing's rows in the content region (teasers showing a topic's whole text): their
        # prose is the listing's, no article's
        end = int(dom.end[region])
        article_chars = max(0.0, article_chars - sum(float(blk.sub_text[r]) for r in entry_rows if region <= r <= end))
    kind = "thread" if is_thread else decide(
        posts=(), entries=entries, article_text=article_text, article_chars=article_chars,
        link_share=link_share, types=types)
    page.kind = kind
    page.posts = posts
    page.entries = entries
    if kind == "thread":
        page.text = thread_text(posts, _heading(dom, body, page.title))
        wide = blocks_mod.best_region(dom, blk.score, body, UNDECLARED_ALPHA)
        # the region's rendered text has at most its subtree's non-space characters: when the
        # posts hold enough of those, they hold enough of the text, and it need not be rendered
        # (nor the posts counted further: only a count under the bound is shown)
        bound = MIN_POSTS_SHARE * _subtree_chars(dom, wide)
        posts_chars = _squashed_len_upto((line for p in posts for line in (*p.quotes, p.text)), bound)
        wide_text = ""
        if posts_chars < bound:
            wide_text = dedupe_lines(render(dom, wide, blocks_mod.prune(dom, blk, wide)))
        if posts_chars < MIN_POSTS_SHARE * len(squash(wide_text)):
            page.warnings.append(f"posts hold only {posts_chars} characters of a "
                                 f"{len(squash(wide_text))}-character thread region: text taken from the region")
            page.text = wide_text
    else:
        if len(posts) >= 2 and kind == "article":
            # the posts were recognised as reader comments: none of them is article text
            article_text = dedupe_lines(render(dom, region, blocks_mod.prune(
                dom, blk, region, drop_comments="always", declared=declared)))
        elif (not declared and len(posts) < 2
              and len(squash(article_text)) < LONG_ARTICLE_CHARS):
            # neither declared an article (schema.org, og:type) nor shown to carry reader comments: comment-like
            # sections may be answers, keep them, and tolerate more metadata between them
            region = blocks_mod.best_region(dom, blk.score, body, UNDECLARED_ALPHA)
            article_text = dedupe_lines(render(dom, region, blocks_mod.prune(dom, blk, region)))
            # such pages are often forum-like: their heading belongs to the text, as for threads
            heading = _heading(dom, body, page.title)
            if heading and article_text.strip() and squash(heading)[:60] not in squash(article_text[:2000]):
                article_text = f"{heading}\n{article_text}"
        page.text = article_text
        if not article_text:
            page.warnings.append("no main content found")
    content = (region, int(dom.end[region])) if region != body else None
    page.links, page.next_page_url = collect_links(
        dom, base_url, content=content, navigation=blocks_mod.spread(dom, blk.negative),
        entries=entries, rows=entry_rows if kind == "listing" else (), head_next=head_next, own_url=url)
    if page.next_page_url is None and len(page.posts) >= 2 and not shows_first_reply(page.posts):
        # a thread paged by a "load more" script, no pager links (read from the text: scripts are
        # stripped); a topic alone has no replies to load
        page.next_page_url = script_next_page(text, base_url)
    page.language = detect_language(page.text or page.title)


def unsigned_items(posts) -> bool:
    """Whether the "posts" of a page are items nobody signed: none shows a date or a post id,
    and some show no author either ("A, B and C joined. Welcome!" on an activity page). A
    thread's posts say when they were written or carry their own ids; where a view shows
    neither (a script site's server-rendered fallback), each still names its author."""
    return bool(posts) and all(p.published is None and not p.post_id for p in posts) and \
        any(not p.author for p in posts)


def shows_first_reply(posts) -> bool:
    """Whether the posts, newest first, run down to their thread's first reply (floors that fall
    to 2 or 1): the thread's last page, past which a "load more" script has nothing to load
    (its button is shown on every page). A page oldest first, or without floors, never says so."""
    floors = [p.floor for p in posts if p.floor is not None]
    return len(floors) >= 1 and floors[-1] <= 2 and all(a > b for a, b in zip(floors, floors[1:])) \
        and (len(floors) >= 2 or len(posts) >= 2 and posts[0].floor is None)


def _cut_tags(page: Page, text: str, tags: int) -> str:
    """``text`` cut to about MAX_TAGS tags (it holds ``tags``), with a warning on the page."""
    cut = int(len(text) * MAX_TAGS / tags)
    page.warnings.append(f"document cut at {cut} characters: {tags} tags, budget {MAX_TAGS}")
    return text[:cut]


def _article_text(dom: Dom, blk: blocks_mod.Blocks, region: int, declared: bool) -> str:
    """The content region's text with boilerplate and reader-comment sections pruned."""
    skip = blocks_mod.prune(dom, blk, region, drop_comments=True, declared=declared)
    return dedupe_lines(render(dom, region, skip))


def _squashed_len_upto(texts: Iterable[str], bound: float) -> int:
    """``squashed_len`` of ``texts`` joined, counted text by text until it reaches ``bound``
    (a thread's posts hold most of its region's characters: the first few posts tell)."""
    total = 0
    for text in texts:
        if text:
            total += squashed_len(text)
            if total >= bound:
                break
    return total


def _subtree_chars(dom: Dom, i: int) -> int:
    """Non-space characters of node ``i``'s subtree (its tail aside): an upper bound on the
    length of any rendering of it once white space is squashed."""
    return int(dom.own_chars[i:int(dom.end[i]) + 1].sum())


_STRUCTURED_MARKERS = ("ld+json", "LD+JSON", "Ld+Json", "ld+JSON", "itemscope", "itemtype", "itemprop",
                       "ITEMSCOPE", "ITEMTYPE", "ITEMPROP", "itemScope", "itemType", "itemProp")


# the markers by a substring each of them holds: most pages hold none of those, so three scans
# of the page instead of thirteen
_MARKER_GROUPS = tuple((key, tuple(m for m in _STRUCTURED_MARKERS if key in m)) for key in ("+", "item", "ITEM"))


# each group's markers with the offset of the key in them
_MARKER_OFFSETS = tuple((key, tuple((m, m.index(key)) for m in group)) for key, group in _MARKER_GROUPS)
# past this many places of a key, the group's markers are looked for with a scan each
_MAX_KEY_PLACES = 64


def _may_have_structured(text: str) -> bool:
    """Cheap substring test before walking the tree for JSON-LD or microdata.

    A page holds a key ("+" in a script, "item" in a class name) a few times, so the markers are
    tried at those places only: one scan of the page per key instead of one per marker as well."""
    find, starts = text.find, text.startswith
    for key, group in _MARKER_OFFSETS:
        at = find(key)
        places = 0
        while at >= 0:
            places += 1
            if places > _MAX_KEY_PLACES:
                if any(marker in text for marker, _ in group):
                    return True
                break
            for marker, offset in group:
                if at >= offset and starts(marker, at - offset):
                    return True
            at = find(key, at + 1)
    return False


def _declared_article(blk: blocks_mod.Blocks, region: int, types: set) -> bool:
    """A page that declares itself an article (schema.org) and has a long prose region:
    post splitting would only find reader comments, so it is skipped (the costliest step)."""
    if not types & ARTICLE_TYPES or types & FORUM_TYPES:
        return False
    text, link = float(blk.sub_text[region]), float(blk.sub_link[region])
    return text >= 1500 * blk.char_weight and link < 0.2 * text


def _could_be_listing(blk: blocks_mod.Blocks, region: int, link_share: float) -> bool:
    """Cheap gate before listing detection: a long link-poor prose region is an article."""
    text, link = float(blk.sub_text[region]), float(blk.sub_link[region])
    if text >= 1500 * blk.char_weight and link <= 0.25 * text and link_share < 0.6:
        return False   # a long prose region on a page not dominated by links
    return link_share >= 0.3 or text < 1500 * blk.char_weight or link > 0.25 * text


def replies_in_comments(dom: Dom, replies: list) -> bool:
    """Whether most of the given posts sit inside sections named like reader comments."""
    from extractor import names
    nf = names.node_flags(dom)
    comment_area = blocks_mod.spread(dom, (nf & names.COMMENT) > 0)
    votes = hits = 0
    texts = dom.own_text
    for post in replies:
        probe = next((line.strip() for line in (post.text or "").split("\n") if len(line.strip()) >= 8), "")
        if not probe:
            continue
        probe = probe[:30]
        votes += 1
        for i, t in enumerate(texts):
            if t and probe in t:
                hits += bool(comment_area[i])
                break
    return votes > 0 and hits * 2 > votes


def _og_article(root) -> bool:
    """Whether the page's meta data say it is an article: Open Graph type ``article`` or
    ``news``, else a ``publishdate`` meta (news sites without Open Graph)."""
    head = root.find("head")
    if head is None:
        return False
    dated = False
    for el in head.iter("meta"):
        key = (el.get("property") or el.get("name") or "").lower()
        if key == "og:type":
            return (el.get("content") or "").strip().lower() in ("article", "news")
        if key in ("publishdate", "pubdate", "publish_date"):
            dated = True
    return dated


def _head_links(root, url: str) -> tuple[str, str | None]:
    """The base URL for relative links (``<base href>``) and a ``<link rel=next>`` href."""
    base = url
    nxt = None
    head = root.find("head")
    if head is not None:
        for el in head.iter("base", "link"):
            href = el.get("href")
            if not href:
                continue
            if el.tag == "base":
                if base == url:
                    try:
                        base = urljoin(url, href.strip()) if url else href.strip()
                    except ValueError:
                        pass
            elif nxt is None and "next" in (el.get("rel") or "").lower().split():
                nxt = href
    return base, nxt


def dedupe_lines(text: str, min_len: int = 40) -> str:
    """Drop repeats of a line already seen (responsive layouts render blocks twice)."""
    seen: set[str] = set()
    out = []
    for line in text.split("\n"):
        if len(line) >= min_len:
            if line in seen:
                continue
            seen.add(line)
        out.append(line)
    return "\n".join(out)


_COUNTER_LINE_RE = re.compile(r"[\W_]*\d[\W\d_]*")   # "23", "\ue60c 23" (an icon font's glyph and a count)


def without_bare_headers(posts: list, heading: str) -> list:
    """The posts but a thread's header shown without its text: a block that reads only the
    thread's heading and counters (replies, views), as an engine repeats the opening post's
    header box on each later page and leaves its text to the first. Taken for a post it would
    be the opening post again (or, keyed by an id, overwrite it). The posts left are numbered
    again; a page with nothing else keeps its posts."""
    want = squash(heading).lower()
    if not want:
        return posts
    # a heading with a letter is never a counter line's text squashed and lowercased (no
    # character \W, \d or _ lowercases to a letter), so no line counts both ways
    bare = _bare_header_lettered if any(c.isalpha() for c in want) else _bare_header
    kept = [p for p in posts if not bare(p.text, want)]
    if len(kept) == len(posts) or not kept:
        return posts
    for n, post in enumerate(kept, start=1):
        post.position = n
    return kept


def _bare_header(text: str, heading: str) -> bool:
    lines = [line.strip() for line in (text or "").split("\n") if line.strip()]
    titled = [line for line in lines if squash(line).lower() == heading]
    counters = [line for line in lines if _COUNTER_LINE_RE.fullmatch(line)]
    return bool(titled and counters) and len(titled) + len(counters) == len(lines)


def _bare_header_lettered(text: str, heading: str) -> bool:
    """:func:`_bare_header` for a heading with a letter: a line is a counter or the heading
    (not both), so the first line that is neither decides, and a post body's lines after it
    are never squashed."""
    titled = counters = False
    for line in (text or "").split("\n"):
        line = line.strip()
        if not line:
            continue
        if _COUNTER_LINE_RE.fullmatch(line):
            counters = True
        elif _squashes_to(line, heading):
            titled = True
        else:
            return False
    return titled and counters


def _squashes_to(line: str, want: str) -> bool:
    """``squash(line).lower() == want``, a long line (a post body on one line) given up after
    ``len(want)`` words: each word adds a character at least, and lowercasing shortens nothing."""
    words = line.split(None, len(want))
    return len(words) <= len(want) and "".join(words).lower() == want


def thread_text(posts: list, heading: str) -> str:
    """A thread's text: its heading (the page's <h1>), then every post's quotes and text in order."""
    # a reply's quotes are shown on the page as part of it (Post.text leaves them out)
    text = "\n".join(line for p in posts for line in (*p.quotes, p.text) if line)
    if heading and squash(heading)[:60] not in squash(text[:2000]):
        text = f"{heading}\n{text}"
    return text


_TITLE_SPLIT_RE = re.compile(r"\s+[-|\u2013\u2014\u00bb:\u00b7/]+\s+|_|\s*\|\s*")


def _heading(dom: Dom, body: int, title: str = "") -> str:
    """The page's own title as shown: the <h1> that the <title> repeats, else the first <h1>;
    without one, the longest part of the <title> once the site name is split off. An <h1>
    that is only the site's name (the short part of the <title>) gives way to a heading
    showing the longest part."""
    h1 = dom.tags.index("h1") if "h1" in dom.tags else -1
    key = squash(title).lower()
    parts = [p.strip() for p in _TITLE_SPLIT_RE.split(title or "") if p and p.strip()]
    longest = max(parts, key=len) if parts else ""
    first = ""
    if h1 >= 0:
        for i in np.nonzero(dom.tag_id[body:int(dom.end[body]) + 1] == h1)[0].tolist():
            t = dom.text_of(body + i)
            if t and key and squash(t).lower() in key:
                if len(parts) > 1 and squash(t).lower() != squash(longest).lower() and len(t) < len(longest):
                    own = _heading_showing(dom, body, longest)
                    if own:
                        return own     # the <h1> is the site's name; the thread's title is elsewhere
                return t
            first = first or t
    if first:
        return first
    return longest


def _heading_showing(dom: Dom, body: int, text: str) -> str:
    """The text of the first h1-h3 element reading ``text`` (white space and case aside)."""
    want = squash(text).lower()
    ids = [dom.tags.index(h) for h in ("h1", "h2", "h3") if h in dom.tags]
    if not want or not ids:
        return ""
    for i in np.nonzero(np.isin(dom.tag_id[body:int(dom.end[body]) + 1], ids))[0].tolist():
        t = dom.text_of(body + i)
        if squash(t).lower() == want:
            return t
    return ""


_CONTROL_CHARS = "".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r\f") + "\ufffd"
_CONTROL_RE = re.compile("[" + re.escape(_CONTROL_CHARS) + "]")
# the same characters by code point (code_units caps the others at U+FFFF, not one of them)
_CONTROL_TABLE = np.zeros(0x10000, dtype=bool)
_CONTROL_TABLE[[ord(c) for c in _CONTROL_CHARS]] = True


def _looks_binary(text: str) -> bool:
    """Many control or replacement characters near the start: an image, archive or junk."""
    head = text[:8192]
    if not head:
        return False
    # a table lookup per character in numpy: the regex scan of 8 K characters cost 0.05 ms a page
    bad = int(np.count_nonzero(_CONTROL_TABLE.take(code_units(head))))
    return bad > 0.05 * len(head)


def _title(root) -> str:
    el = root.find("head/title")
    if el is None:
        el = root.find(".//title")
    if el is not None:
        t = collapse_ws(" ".join(el.itertext()))
        if t:
            return t
    for h in root.iter("h1"):
        t = collapse_ws(" ".join(h.itertext()))
        if t:
            return t
    return ""


def _body_index(dom: Dom) -> int:
    for i, el in enumerate(dom.nodes[:3]):
        if el.tag == "body":
            return i
    return 0
