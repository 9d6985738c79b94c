"""Post HTML that is safe to show: an allow-list sanitiser over a post body.

Stored post HTML is shown by whoever reads the database (Datasette, a web
page), so it must not carry script. Prefix checks on attribute values miss
what browsers accept (``" javascript:"``, ``java&#9;script:``, ``vbscript:``,
``data:text/html``), so the last word is nh3, the binding of the Rust ammonia
sanitiser: it parses with html5ever as a browser does, keeps only the tags,
attributes and URL schemes allowed here and reads URLs by the WHATWG rules.

Before it, one pass over the lxml body does what only the extractor knows:
leave out the nodes the post splitter skipped (signatures, nested replies,
the author line), take lazy-loaded image sources, and make URLs absolute
against the page URL.
"""
from __future__ import annotations

import re

import nh3
from lxml import etree

from extractor.urls import join

# Kept as they are; any other tag is unwrapped (its text kept).
SAFE_TAGS = frozenset("p br b strong i em u s a img ul ol li blockquote pre code h1 h2 h3 h4 h5 h6 "
                      "table thead tbody tr td th hr sub sup del ins figure figcaption".split())
# Left out with everything inside them.
DROPPED_TAGS = frozenset("script style noscript iframe object embed form input button select textarea "
                         "svg math canvas template".split())
ATTRIBUTES = {"a": {"href"}, "img": {"src"}}
URL_SCHEMES = frozenset({"http", "https", "mailto", "ftp"})
# Where lazy-loading boards keep an image's real source, in order of preference.
IMAGE_SOURCES = ("src", "data-src", "file", "data-original")

_CLEANER = nh3.Cleaner(tags=set(SAFE_TAGS), clean_content_tags=set(DROPPED_TAGS) - set(SAFE_TAGS),
                       attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
                       url_schemes=set(URL_SCHEMES), strip_comments=True)
# What a browser drops from a URL before reading it (WHATWG URL parsing): leading and
# trailing C0 controls and spaces, and tabs and newlines anywhere.
_URL_EDGES = "".join(map(chr, range(0x21)))
_URL_TABS_NEWLINES = re.compile(r"[\t\n\r]")
# Characters an lxml attribute cannot hold (XML-incompatible controls).
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def post_html(el: etree._Element, url: str, skip: set) -> str:
    """Safe HTML of the post body ``el`` without the nodes in ``skip``, URLs absolute, in a ``<div>``."""
    try:
        copy = _copy(el, url, skip)
        if copy is None:
            return ""
        inner = etree.tostring(copy, encoding="unicode", method="html", with_tail=False)
    except (ValueError, etree.LxmlError):
        return ""
    return "<div>" + clean_html(inner) + "</div>"


def clean_html(html: str) -> str:
    """``html`` with only the allowed tags, attributes and URL schemes (nh3)."""
    return _CLEANER.clean(html)


def absolute_url(value: str, base: str) -> str:
    """``value`` read as a browser reads it, made absolute against ``base``."""
    value = _URL_TABS_NEWLINES.sub("", value.strip(_URL_EDGES))
    try:
        return join(base, value)
    except ValueError:      # a malformed base or value (e.g. an invalid IPv6 host)
        return value


def _copy(src: etree._Element, url: str, skip: set) -> etree._Element | None:
    """A bare copy of ``src`` (tag, text, href/src) without skipped or dropped subtrees."""
    tag = src.tag if isinstance(src.tag, str) else None
    if tag is None or tag in DROPPED_TAGS:
        return None
    out = etree.Element(tag if tag in SAFE_TAGS else "span")
    if tag == "a":
        _set_url(out, "href", src.get("href"), url)
    elif tag == "img":
        _set_url(out, "src", next((v for v in map(src.get, IMAGE_SOURCES) if v and v.strip()), None), url)
    out.text = src.text
    for child in src:
        copy = None if child in skip else _copy(child, url, skip)
        if copy is not None:
            copy.tail = child.tail
            out.append(copy)
        elif child.tail:
            _append_text(out, child.tail)
    return out


def _set_url(out: etree._Element, name: str, value: str | None, base: str) -> None:
    if value:
        out.set(name, _NOT_XML.sub("", absolute_url(value, base)))


def _append_text(el: etree._Element, text: str) -> None:
    if len(el):
        el[-1].tail = (el[-1].tail or "") + text
    else:
        el.text = (el.text or "") + text
