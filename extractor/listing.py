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
from datetime import datetime
from urllib.parse import urljoin, urlsplit

import numpy as np

from extractor import fields
from extractor.dates import match_date
from extractor.dom import Dom, collapse_ws
from extractor.model import Entry
from extractor.units import date_flags, layout_mask, node_keys

_NOT_ENTRY_TAGS = frozenset("a abbr b br em font i img span strong small label time p h1 h2 h3 h4 h5 h6 "
                            "html body head option select".split())
_REPLIES_RE = re.compile(r"(\d[\d,.]*\s*[kKwW万]?)\s*(?:replies|reply|comments?|answers?|posts?|回复|回帖|评论|条回复|个回答)"
                         r"|(?:replies|reply|comments?|answers?|回复|回帖|评论)\s*[:：]?\s*(\d[\d,.]*\s*[kKwW万]?)", re.I)
_REPLY_HINT_RE = re.compile(r"repl|comment|answer|回复|posts?(?:$|[\s_\-])|count", re.I)
_NUMBER_RE = re.compile(r"^\d[\d,.]*\s*[kKwW万]?$")
_SKIP_HREF_RE = re.compile(r"^(?:javascript:|mailto:|#)|[?&](?:action|mod)=(?:profile|space|login|register)|"
                           r"/(?:members?|users?|profile|u)/|uid=|page=\d+$|/page/\d+/?$", re.I)


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


def find_entries(dom: Dom, url: str, *, now: datetime, template_mask: np.ndarray | None = None) -> list[Entry]:
    """The entries of a listing page in page order, or [] when the page lists nothing."""
    n = len(dom)
    if n < 8:
        return []
    key = node_keys(dom)
    side = layout_mask(dom)
    if template_mask is not None and len(template_mask) == n:
        side = side | np.asarray(template_mask, dtype=bool)
    ok_tag = np.array([t not in _NOT_ENTRY_TAGS for t in dom.tags], dtype=bool)
    link_sub = dom.subtree(dom.own_link_chars)
    all_sub = dom.subtree(dom.own_chars)
    cand = np.nonzero(ok_tag[dom.tag_id] & ~side & (link_sub >= 4) & (dom.parent >= 0))[0]
    if len(cand) < 3:
        return []
    # group siblings of one key: (parent, key)
    group = dom.parent[cand].astype(np.int64) * (int(key.max()) + 1) + key[cand]
    order = np.argsort(group, kind="stable")
    cand, group = cand[order], group[order]
    bounds = np.nonzero(np.diff(group))[0] + 1
    scored = []
    for members in np.split(cand, bounds):
        if len(members) < 3:
            continue
        scored.append((len(members) * float(np.median(link_sub[members])) ** 0.5, members))
    if not scored:
        return []
    scored.sort(key=lambda x: -x[0])
    host = urlsplit(url).netloc
    page_key = _page_key(url)
    best: tuple[float, list[Entry]] | None = None
    dates = date_flags(dom)
    for _, members in scored[:6]:
        entries = _entries(dom, members, url, host, page_key, now, dates, all_sub)
        if len(entries) < 3 or len(entries) < 0.7 * len(members):
            continue
        urls = {e.url for e in entries}
        titles = {e.title for e in entries}
        if len(urls) < 0.8 * len(entries) or len(titles) < 0.8 * len(entries):
            continue          # the same "Report" link in every post is no listing
        if float(all_sub[members].max()) > 0.4 * float(all_sub[0] or 1):
            continue          # page sections (header, content, footer), not items
        dated = sum(1 for e in entries if e.published is not None)
        described = sum(1 for e in entries if e.published is not None or e.excerpt or e.replies is not None)
        if described < 0.5 * len(entries):
            continue          # bare link lists (menus, tag clouds) carry no dates, excerpts or counts
        value = len(entries) * (1.0 + dated / len(entries)) * float(np.mean([len(e.title) for e in entries])) ** 0.5
        if best is None or value > best[0]:
            best = (value, entries)
    return best[1] if best else []


def _page_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}?{parts.query}"


def _entries(dom: Dom, members: np.ndarray, url: str, host: str, page_key: str, now: datetime,
             dates: np.ndarray, all_sub: np.ndarray) -> list[Entry]:
    out: list[Entry] = []
    for m in members.tolist():
        stop = int(dom.end[m])
        title_el, title = None, ""
        for i in range(m, stop + 1):
            el = dom.nodes[i]
            if el.tag != "a":
                continue
            href = el.get("href") or ""
            if not href or _SKIP_HREF_RE.search(href) or fields.PROFILE_HREF_RE.search(href):
                continue
            # A link to an anchor (a post's permalink "#p123") or to this very page is no entry.
            if "#" in href or _page_key(urljoin(url, href)) == page_key:
                continue
            text = collapse_ws(el.text_content()) if hasattr(el, "text_content") else dom.text_of(i)
            if fields.BUTTON_LINE_RE.match(text) or fields.floor_of(text) is not None:
                continue
            if len(text) > len(title) and match_date(text, now=now) is None and not _NUMBER_RE.match(text):
                title_el, title = el, text
        if title_el is None or len(title) < 4:
            continue
        link = urljoin(url, title_el.get("href"))
        if urlsplit(link).netloc not in (host, ""):
            continue
        when = None
        replies = None
        excerpt = ""
        for i in range(m, stop + 1):
            own = dom.own_text[i]
            el = dom.nodes[i]
            # a date label's machine-readable form (datetime, title) beats its short text
            found = None
            if dates[i] or el.tag == "time":
                for raw in (el.get("datetime"), el.get("title")):
                    found = match_date(raw, now=now) if raw else None
                    if found:
                        break
                if found is None and own:
                    found = match_date(dom.text_of(i) if dom.end[i] - i <= 3 else own, now=now)
            if found and (when is None or _later(found[0], when)):
                when = found[0]
            if replies is None and own:
                mt = _REPLIES_RE.search(own)
                if mt:
                    replies = _count(mt.group(1) or mt.group(2))
                elif _NUMBER_RE.match(own) and _REPLY_HINT_RE.search(fields.words(el) + " " + (el.get("title") or "")):
                    replies = _count(own)
            if own and not dom.in_link[i] and len(own) > len(excerpt) and len(own) >= 20 and not dates[i]:
                excerpt = own
        out.append(Entry(title=title, url=link, published=when, excerpt=excerpt[:500], replies=replies))
    return out


def _later(a: datetime, b: datetime) -> bool:
    """a > b, comparing naive and aware dates by their wall-clock values."""
    return a.replace(tzinfo=None) > b.replace(tzinfo=None)
