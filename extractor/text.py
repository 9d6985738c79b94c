"""Render a subtree as plain text: block elements start new lines, inline ones flow.

Skipped subtrees (boilerplate inside the content region) are left out but
their tails, which belong to the parent's text flow, are kept.
"""
from __future__ import annotations

import re

import numpy as np
from lxml import etree

from extractor.blocks import INLINE_TAGS
from extractor.dom import Dom

_SPACES = r"[ \t\r\f\v\u00a0\u200b\u3000]"
# runs of these spaces fold to one space; lone plain spaces need no change, so they do not match
_SPACE_FIX_RE = re.compile(rf" {_SPACES}+|[\t\r\f\v\u00a0\u200b\u3000]{_SPACES}*")
# white space str.split() knows but _SPACES does not (and \u200b, which only _SPACES knows), "\n" aside
_OTHER_SPACES = "\x1c\x1d\x1e\x1f\x85\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u2028\u2029\u202f\u205f"


def _has_other_space(text: str) -> bool:
    """Whether ``text`` holds one of ``_OTHER_SPACES`` (single-character scans beat a regex class)."""
    if text.isascii():
        return "\x1c" in text or "\x1d" in text or "\x1e" in text or "\x1f" in text
    return any(c in text for c in _OTHER_SPACES)
_LINES_RE = re.compile(r"\n\s*\n\s*(?:\n\s*)*")


def render(dom: Dom, region: int, skip: np.ndarray | None = None) -> str:
    """Text of DFS node ``region`` without the subtrees rooted at ``skip`` nodes."""
    if not len(dom):
        return ""
    root = dom.nodes[region]
    index = dom.index
    parts: list[str] = []
    skip_list = skip.tolist() if skip is not None else None
    walker = etree.iterwalk(root, events=("start", "end"))
    skipped = None
    for event, el in walker:
        tag = el.tag
        if not isinstance(tag, str):
            continue
        if event == "start":
            if skip_list is not None and el is not root:
                i = index.get(el)
                if i is not None and skip_list[i]:
                    walker.skip_subtree()
                    skipped = el
                    continue
            if tag == "br":
                parts.append("\n")
            elif tag not in INLINE_TAGS:
                parts.append("\n")
            if el.text:
                parts.append(el.text)
        else:
            if el is skipped:
                skipped = None
                if el.tail:
                    parts.append(" " if tag in INLINE_TAGS else "\n")
                    parts.append(el.tail)
                continue
            if tag not in INLINE_TAGS:
                parts.append("\n")
            elif tag in ("td", "th"):
                parts.append(" ")
            if el.tail and el is not root:
                parts.append(el.tail)
    return tidy("".join(parts))


def tidy(text: str) -> str:
    """Collapse spaces inside lines and drop empty lines."""
    if not _has_other_space(text):
        # every space character in the text is one _SPACES folds: str.split() does the same, faster
        return "\n".join(line for line in (" ".join(s.split()) for s in text.split("\n")) if line)
    # one pass over the whole text (the runs never span a newline); single spaces are left alone
    text = _SPACE_FIX_RE.sub(" ", text)
    return "\n".join(line for line in map(str.strip, text.split("\n")) if line)
