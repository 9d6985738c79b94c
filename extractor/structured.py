"""schema.org data a page carries about itself: JSON-LD and microdata.

Forum engines increasingly describe threads as ``DiscussionForumPosting`` with
``comment`` replies, Q&A sites as ``QAPage``/``Question``/``Answer``, blogs as
``Article``/``BlogPosting``. When present, these give posts with author and
date for free; ``posts.find_posts`` still checks them against the DOM text,
because some sites ship stale or partial structured data.

Read from the tree *before* ``<script>`` elements are stripped. A small parser
on lxml + json is enough here and avoids a dependency (extruct pulls in
several packages for formats we do not use).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

from lxml import etree

from extractor.dom import collapse_ws

# Types whose objects are posts of a discussion.
POSTING_TYPES = {
    "DiscussionForumPosting", "SocialMediaPosting", "Comment", "Answer", "Question",
    "Article", "BlogPosting", "NewsArticle", "Review", "UserComments",
}
THREAD_TYPES = {"DiscussionForumPosting", "QAPage", "Question", "Answer", "Comment", "SocialMediaPosting"}


@dataclass(slots=True)
class StructuredData:
    """What JSON-LD and microdata say about the page."""

    postings: list[dict[str, Any]] = field(default_factory=list)
    types: set[str] = field(default_factory=set)
    headline: str = ""
    breadcrumbs: list[tuple[str, str]] = field(default_factory=list)

    @property
    def is_thread(self) -> bool:
        """Whether the page declares a discussion (forum posting, Q&A, comments)."""
        return bool(self.types & THREAD_TYPES)


def _types(obj: dict) -> list[str]:
    raw = obj.get("@type") or obj.get("type") or []
    if isinstance(raw, str):
        raw = [raw]
    return [t.rsplit("/", 1)[-1] for t in raw if isinstance(t, str)]


def _first(value: Any) -> Any:
    while isinstance(value, list):
        value = value[0] if value else None
    return value


def _name(value: Any) -> str | None:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("name") or value.get("alternateName") or value.get("identifier")
        value = _first(value)
    if isinstance(value, (str, int)):
        text = collapse_ws(str(value))
        return text or None
    return None


def _text(value: Any) -> str:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("text") or value.get("@value") or ""
    if not isinstance(value, str):
        return ""
    if "<" in value and ">" in value:   # some engines put HTML in articleBody
        try:
            value = " ".join(etree.fromstring(f"<x>{value}</x>", etree.HTMLParser()).itertext())
        except (etree.LxmlError, ValueError):
            value = re.sub(r"<[^>]+>", " ", value)
    return collapse_ws(value)


# "1970-01-01T00:00:00+0000": a template's rendering of a missing (zero) timestamp
_EPOCH_ZERO_RE = re.compile(r"^1970-01-01(?:[T ]00:00(?::00(?:\.0+)?)?)?(?:Z|[+-]00:?00)?$")


def _date(value: Any) -> str | None:
    """A posting's date as given, unless it is the Unix epoch's first second (no date)."""
    text = _name(value)
    return None if text and _EPOCH_ZERO_RE.match(text) else text


def _posting(obj: dict, types: list[str], url: str) -> dict[str, Any]:
    link = _first(obj.get("url") or obj.get("@id"))
    ident = _first(obj.get("identifier"))
    if isinstance(ident, dict):
        ident = ident.get("value") or ident.get("@id")
    return {
        "type": types[0] if types else "",
        "text": _text(obj.get("articleBody") or obj.get("text") or obj.get("reviewBody")
                      or obj.get("commentText") or obj.get("description")),
        "author": _name(obj.get("author") or obj.get("creator")),
        "published": _date(obj.get("datePublished") or obj.get("dateCreated") or obj.get("uploadDate")),
        "url": urljoin(url, link) if isinstance(link, str) and not link.startswith("_:") else None,
        "post_id": str(ident) if isinstance(ident, (str, int)) else None,
        "headline": _name(obj.get("headline") or obj.get("name")),
    }


class _Collector:
    """Walks JSON-LD / microdata objects, collecting postings in document order."""

    def __init__(self, url: str):
        self.url = url
        self.data = StructuredData()
        self._seen: set[int] = set()

    def visit(self, obj: Any, element: etree._Element | None = None) -> None:
        if isinstance(obj, list):
            for item in obj:
                self.visit(item)
            return
        if not isinstance(obj, dict) or id(obj) in self._seen:
            return
        self._seen.add(id(obj))
        if element is None:
            element = obj.get("_element")
        types = _types(obj)
        self.data.types.update(types)
        if "BreadcrumbList" in types:
            for item in obj.get("itemListElement") or []:
                if isinstance(item, dict):
                    target = item.get("item")
                    name = _name(item.get("name") or target)
                    href = target.get("@id") if isinstance(target, dict) else target
                    if name:
                        self.data.breadcrumbs.append((name, urljoin(self.url, href) if isinstance(href, str) else ""))
            return
        if set(types) & POSTING_TYPES:
            post = _posting(obj, types, self.url)
            post["source"] = "jsonld" if element is None else "microdata"
            if element is not None:
                post["element"] = element
            if (post["text"] or post["author"] or element is not None) and not self._repeats_last(post):
                self.data.postings.append(post)
            if not self.data.headline and post["headline"] and not set(types) & {"Comment", "Answer"}:
                self.data.headline = post["headline"]
        keys = [k for k in obj if not k.startswith(("@", "_"))] if element is not None else (
            "@graph", "mainEntity", "mainEntityOfPage", "acceptedAnswer", "suggestedAnswer",
            "comment", "hasPart", "itemListElement", "item")
        for key in keys:   # microdata nests items under any property name
            value = obj.get(key)
            if isinstance(value, (dict, list)):
                self.visit(value)


    def _repeats_last(self, post: dict) -> bool:
        """A JSON-LD comment that repeats the posting before it (engines list the opening post
        both as the thread's posting and as its first comment)."""
        if post["source"] != "jsonld" or not post["text"] or not self.data.postings:
            return False
        last = self.data.postings[-1]
        return last["source"] == "jsonld" and last["text"] == post["text"] and last["author"] in (None, post["author"])


def _load_json(raw: str) -> Any:
    raw = raw.strip()
    raw = re.sub(r"^\s*(?:<!--|//\s*<!\[CDATA\[)|(?:-->|//\s*\]\]>)\s*$", "", raw).strip()
    try:
        return json.loads(raw)
    except ValueError:
        try:   # trailing commas and raw newlines inside strings are the usual damage
            return json.loads(re.sub(r",\s*([}\]])", r"\1", raw), strict=False)
        except ValueError:
            return None


def _microdata_value(el: etree._Element, url: str) -> Any:
    tag = el.tag if isinstance(el.tag, str) else ""
    if el.get("content") is not None:
        return el.get("content")
    if tag == "time" and el.get("datetime"):
        return el.get("datetime")
    if tag in ("a", "link", "area") and el.get("href"):
        return urljoin(url, el.get("href"))
    if tag in ("img", "audio", "video", "source", "embed", "iframe") and el.get("src"):
        return urljoin(url, el.get("src"))
    return collapse_ws(" ".join(t for t in el.itertext() if t))


# elements (the root included) carrying the attribute, in document order
_WITH_ITEMSCOPE = etree.XPath("descendant-or-self::*[@itemscope]")
_WITH_ITEMPROP = etree.XPath("descendant-or-self::*[@itemprop]")


def _microdata_items(root: etree._Element, url: str) -> list[tuple[dict, etree._Element]]:
    """Top-level microdata items (nested ones sit inside their parents' properties)."""
    # the elements with the attribute, found by XPath in C: a Python walk over every element of
    # the page (scripts and all) cost more than the rest of reading structured data
    scopes = _WITH_ITEMSCOPE(root)
    if not scopes:
        return []
    items: dict[etree._Element, dict] = {}
    for el in scopes:
        itemtype = (el.get("itemtype") or "").split()
        items[el] = {"@type": [t.rstrip("/").rsplit("/", 1)[-1] for t in itemtype]}
    top: list[tuple[dict, etree._Element]] = []
    for el in scopes:
        owner = el.getparent()
        while owner is not None and owner not in items:
            owner = owner.getparent()
        if owner is None or el.get("itemprop") is None:
            top.append((items[el], el))
    for el in _WITH_ITEMPROP(root):
        prop = el.get("itemprop")
        if not prop:
            continue
        owner = el.getparent()
        while owner is not None and owner not in items:
            owner = owner.getparent()
        if owner is None:
            continue
        value = items[el] if el in items else _microdata_value(el, url)
        names = prop.split()
        if "author" in prop or "creator" in prop:
            if el.tag == "a" and el not in items:
                value = collapse_ws(" ".join(el.itertext())) or value   # the name, not the profile URL
            if _edit_introduced(el):   # "updated 2 days ago by <a itemprop=author>": the last editor
                names = ["_editor" if n in ("author", "creator") else n for n in names]
        for name in names:
            items[owner].setdefault(name, []).append(value)
    for el, item in items.items():      # keep each nested posting's element for DOM matching
        item["_element"] = el
        editors = item.pop("_editor", None)
        if editors and not (item.get("author") or item.get("creator")):
            item["author"] = editors    # no other name: the marked-up one, as it was declared
    return top


# The words right before a name that make it the post's last editor, not its author:
# "updated 7 years ago by", "edited by", "last modified by" (a byline naming both).
_EDITOR_LEAD = re.compile(r"(?:edit|updat|modifi|revis|bearbeit|geändert|编辑|編輯|修改|更新)\w*\b[^\n]{0,30}$",
                          re.I)


def _edit_introduced(el: etree._Element) -> bool:
    """Whether the text right before element ``el`` (its previous sibling's tail, or its
    parent's text) introduces it as an edit's author."""
    prev = el.getprevious()
    before = (prev.tail if prev is not None else el.getparent().text if el.getparent() is not None else "") or ""
    before = collapse_ws(before)[-40:]
    return bool(before) and _EDITOR_LEAD.search(before) is not None


def read_structured(root: etree._Element, url: str) -> StructuredData:
    """JSON-LD and microdata of the page, postings in document order."""
    collector = _Collector(url)
    try:
        for script in root.iter("script"):
            if "ld+json" not in (script.get("type") or "").lower():
                continue
            data = _load_json(script.text or "")
            if data is not None:
                collector.visit(data)
        for item, _element in _microdata_items(root, url):
            collector.visit(item)
    except (RecursionError, AttributeError, TypeError, ValueError):
        pass   # malformed data never breaks extraction
    return collector.data


_GENERIC_PATH_WORDS = frozenset("u user users member members profile profiles people author authors "
                                "index.php showuser viewprofile".split())


def name_from_profile_url(url: str) -> str | None:
    """A user name read from a profile URL ("/members/bob-smith.1234/" -> "bob-smith",
    "/u/ann" -> "ann"), or None when the URL holds only a number or generic words."""
    parts = urlsplit(url)
    segments = [unquote(seg) for seg in parts.path.split("/") if seg]
    for seg in reversed(segments):
        name = _TRAILING_ID_RE.sub("", seg)
        if _SCRIPT_RE.search(name):
            continue          # "member.php", "user_info.pl": the page, not the user
        if name.lower() not in _GENERIC_PATH_WORDS and re.search(r"[^\W\d_]", name):
            return name
    for key, value in parse_qsl(parts.query):
        if key.lower() in ("u", "user", "username", "name", "member") and re.search(r"[^\W\d_]", value):
            return value
    return None


_SCRIPT_RE = re.compile(r"\.(?:php\d?|pl|cgi|aspx?|jsp|py)$", re.I)
_TRAILING_ID_RE = re.compile(r"(?:[.\-_]\d+)?(?:\.html?)?$")
