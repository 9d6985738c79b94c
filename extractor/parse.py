"""Text -> lxml tree that always has ``<html>`` with a ``<body>``.

libxml2's HTML parser already recovers from most broken markup; this module
handles what it refuses or mangles: XML declarations in text, NUL and other
control characters, empty or whitespace-only input, and documents whose
content ended up outside ``<body>`` (fragments, pages that start with a bare
``<head>``). Nesting deeper than libxml2's limit (256) is cut there, which
also bounds the work later steps do on hostile input.
"""
from __future__ import annotations

import re
from itertools import compress

import numpy as np
from lxml import etree

_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*>", re.I)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Plain etree elements, not lxml.html's: its per-element Python class lookup
# costs more than the whole numbering pass.
_PARSER = etree.HTMLParser(recover=True, remove_comments=True, remove_pis=True,
                           collect_ids=False, default_doctype=False)
# The text is handed to libxml2 as UTF-8 bytes with the encoding fixed, so a stray
# <meta charset> or XML declaration cannot make it decode a second time.
_BYTES_PARSER = etree.HTMLParser(recover=True, remove_comments=True, remove_pis=True,
                                 collect_ids=False, default_doctype=False, encoding="utf-8")
_CONTROL_BYTES = bytes(c for c in range(32) if c not in (9, 10, 13))

# libxml2 checks each new attribute against all earlier ones of its element, so
# one tag with 150,000 attributes costs minutes. No real page comes near this cap.
MAX_ATTRIBUTES = 512
# Only a tag longer than this can hold more than MAX_ATTRIBUTES attributes (each
# at least " a"). A tag ends at '>' or, for libxml2, at the next '<': both count.
_LONG_TAG = 2 * MAX_ATTRIBUTES
_TAG_NAME = r"[A-Za-z][\w:.-]*"
_LONG_TAG_RE = re.compile(r"<(%s)(\s[^<>]{%d,}+)" % (_TAG_NAME, _LONG_TAG))
_TAG_START_RE = re.compile(_TAG_NAME + r"\s")
_ATTRIBUTE_RE = re.compile(r"""\s*[^\s"'<>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>]*))?""")


def clean_text(html: str) -> str:
    """Drop what libxml2 chokes on: an XML declaration, control characters."""
    html = _XML_DECL_RE.sub("", html, count=1)
    if _CONTROL_RE.search(html):
        html = _CONTROL_RE.sub(" ", html)
    return html


def cap_attributes(html: str, warnings: list[str], data: bytes | None = None,
                   at: np.ndarray | None = None) -> str:
    """Keep the first MAX_ATTRIBUTES attributes of every tag (hostile-page guard).
    ``data``: ``html`` encoded as UTF-8 (with "replace"), if the caller has it; ``at``: the
    offsets of its "<" bytes (:func:`tag_starts`), if the caller has them too."""
    if not any(len(_ATTRIBUTE_RE.findall(tag)) > MAX_ATTRIBUTES for tag in _long_tags(html, data, at)):
        return html
    dropped = 0

    def cut(match: re.Match) -> str:
        nonlocal dropped
        attrs = _ATTRIBUTE_RE.findall(match.group(2))
        if len(attrs) <= MAX_ATTRIBUTES:
            return match.group(0)
        dropped += len(attrs) - MAX_ATTRIBUTES
        return "<" + match.group(1) + "".join(attrs[:MAX_ATTRIBUTES])

    capped = _LONG_TAG_RE.sub(cut, html)
    if dropped:
        warnings.append(f"dropped {dropped} attributes over {MAX_ATTRIBUTES} per element")
    return capped


def tag_starts(data: bytes) -> np.ndarray:
    """Offsets of the "<" bytes of UTF-8 ``data``: as many as the text has "<" characters
    (no byte of a multi-byte UTF-8 sequence is below 128)."""
    return np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 60)     # b"<"


def _long_tags(html: str, data: bytes | None = None, at: np.ndarray | None = None) -> list[str]:
    """Start tags of over _LONG_TAG characters. The pieces between two '<' that are long
    enough are found in C: by numpy on the UTF-8 bytes when given (a piece has at least as
    many bytes as characters; no string is made for the short ones), else by splitting on
    '<' and picking the long pieces with map and compress (a regex scan from every '<' or a
    Python loop over every piece cost 2-5 ms and 0.5 ms on a 170 KB page)."""
    if data is not None:
        if at is None:
            at = tag_starts(data)
        bounds = np.concatenate(([-1], at, [len(data)]))
        long = np.flatnonzero(np.diff(bounds) - 1 > _LONG_TAG)
        # a piece with a ">" among its first _LONG_TAG bytes (so characters) is a short tag and
        # text: most long pieces are, and a bounded bytes.find spares decoding them
        chunks = [data[s:e].decode("utf-8", "replace")
                  for s, e in zip((bounds[long] + 1).tolist(), bounds[long + 1].tolist())
                  if data.find(b">", s, s + _LONG_TAG + 1) < 0]
    else:
        chunks = html.split("<")
    tags = []
    for chunk in compress(chunks, map(_LONG_TAG.__lt__, map(len, chunks))):
        if chunk[:1].isalpha() and _TAG_START_RE.match(chunk):
            end = chunk.find(">")
            if end < 0 or end > _LONG_TAG:
                tags.append(chunk if end < 0 else chunk[:end])
    return tags


def _has_control_bytes(data: bytes) -> bool:
    """Whether ``data`` holds a byte of ``_CONTROL_BYTES`` (below 32, tab, LF and CR aside)."""
    arr = np.frombuffer(data, dtype=np.uint8)
    low = arr < 32
    low &= arr != 9
    low &= arr != 10
    low &= arr != 13
    return bool(low.any())


def parse(html: str) -> tuple[etree._Element, list[str]]:
    """Parse HTML text; returns the ``<html>`` root and warnings. Never raises."""
    root, warnings, _ = parse_counting(html)
    return root, warnings


def parse_counting(html: str, utf8: bytes | None = None) -> tuple[etree._Element, list[str], int]:
    """:func:`parse`, and how many "<" the text holds: the bytes handed to libxml2 are scanned
    for them anyway, so a caller with a tag budget need not count them in the text first.
    ``utf8``: ``html`` encoded as UTF-8, when the caller has those bytes (the page as fetched)."""
    warnings: list[str] = []
    root = None
    tags = 0
    if html.strip():
        data = utf8 if utf8 is not None else html.encode("utf-8", "replace")
        at = tag_starts(data)
        tags = len(at)
        capped = cap_attributes(html, warnings, data, at)
        if capped is not html:
            data = capped.encode("utf-8", "replace")
        # control characters (NUL first of all) stop libxml2; C-speed byte deletion, when there
        # are any (a vectorised test costs less than half the deletion pass, and pages rarely have them)
        if _has_control_bytes(data):
            data = data.translate(None, _CONTROL_BYTES)
        try:
            root = etree.fromstring(data, parser=_BYTES_PARSER)
        except (etree.ParserError, ValueError, etree.XMLSyntaxError) as exc:
            warnings.append(f"parser refused the document: {exc}")
        if root is None and not warnings:
            warnings.append("parser found no document")
    else:
        warnings.append("empty document")
    if root is None:
        root = etree.fromstring("<html><body></body></html>", parser=_PARSER)
    root = _ensure_html_body(root, warnings)
    return root, warnings, tags


def _ensure_html_body(root: etree._Element, warnings: list[str]) -> etree._Element:
    """Make the tree ``html > (head?, body)`` with every visible node inside body."""
    if not isinstance(root.tag, str) or root.tag.lower() != "html":
        html = etree.Element("html")
        body = etree.SubElement(html, "body")
        body.append(root)
        warnings.append("document had no <html> root")
        return html
    body = root.find("body")
    if body is None:
        # frameset pages, or content libxml2 left directly under <html>
        body = etree.Element("body")
        moved = False
        for child in list(root):
            if isinstance(child.tag, str) and child.tag.lower() in ("head",):
                continue
            body.append(child)
            moved = True
        if root.text and root.text.strip():
            body.text = root.text
            root.text = None
            moved = True
        root.append(body)
        if not moved:
            warnings.append("document has no <body> content")
    return root
