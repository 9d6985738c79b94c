"""Depth-first numbering of a parsed page and per-node features as numpy arrays.

Every element gets its DFS (pre-order) index ``i`` and the index ``end[i]`` of
its last descendant, so "node j is inside node i" is the range test
``i <= j <= end[i]`` and any per-node quantity summed over a subtree is a
difference of prefix sums. Later steps (template, blocks, classify, posts)
read these arrays instead of walking the tree again.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from lxml import etree

# Elements whose content is never visible page text.
INVISIBLE_TAGS = (
    "script", "style", "noscript", "template", "iframe", "object", "embed",
    "svg", "canvas", "head", "title", "meta", "link", "base", "select", "option",
    "datalist", "textarea", "input", "button",
)

_WS_RE = re.compile(r"\s+")
_PUNCT_RE = re.compile(r"[.,;:!?\u3002\uff0c\uff1b\uff1a\uff01\uff1f\u3001\u201c\u201d\u2018\u2019\"'()\uff08\uff09\u2026-]")


def collapse_ws(text: str | None) -> str:
    """Visible text with runs of white space folded to one space."""
    if not text:
        return ""
    return _WS_RE.sub(" ", text).strip()


@dataclass(slots=True)
class Dom:
    """A page's elements in DFS order with their features.

    Arrays are indexed by DFS number. ``own_*`` counts cover only the text that
    sits directly in the element (its ``.text`` and its children's tails);
    use :meth:`subtree` for whole-subtree totals.
    """

    root: etree._Element
    nodes: list[etree._Element]
    parent: np.ndarray          # int32, -1 for the root
    end: np.ndarray             # int32, DFS index of the last descendant
    depth: np.ndarray           # int32
    tag_id: np.ndarray          # int32 index into ``tags``
    path_id: np.ndarray         # int32 index into ``paths`` (root-to-node tag path)
    sig_id: np.ndarray          # int32 index into ``sigs`` (tag + sorted classes)
    own_text: list[str]         # collapsed own text per node
    own_chars: np.ndarray       # int32 non-space characters of own text
    own_link_chars: np.ndarray  # int32 own characters that sit inside an <a>
    own_punct: np.ndarray       # int32 punctuation marks in own text
    in_link: np.ndarray         # bool, node is an <a> or inside one
    tags: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    sigs: list[str] = field(default_factory=list)
    index: dict = field(default_factory=dict)  # element -> DFS index

    def __len__(self) -> int:
        return len(self.nodes)

    def subtree(self, values: np.ndarray) -> np.ndarray:
        """Sum of ``values`` over each node's subtree (the node included)."""
        csum = np.concatenate(([0], np.cumsum(values, dtype=np.int64)))
        return csum[self.end + 1] - csum[np.arange(len(self.nodes))]

    def contains(self, outer: int, inner: int) -> bool:
        """Whether DFS node ``inner`` lies inside (or is) DFS node ``outer``."""
        return outer <= inner <= self.end[outer]

    def children(self, i: int) -> list[int]:
        """DFS indices of the element children of node ``i``."""
        out, j, stop = [], i + 1, self.end[i]
        while j <= stop:
            out.append(j)
            j = self.end[j] + 1
        return out

    def text_of(self, i: int) -> str:
        """Collapsed visible text of node ``i``'s subtree in document order."""
        return collapse_ws(" ".join(self.nodes[i].itertext()))


def strip_invisible(root: etree._Element) -> None:
    """Remove comments, processing instructions and invisible elements, keeping tails."""
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, *INVISIBLE_TAGS,
                         with_tail=False)


def _tag_name(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return "#"
    if tag[0] == "{":
        tag = tag.rsplit("}", 1)[1]
    return tag.lower()


def number(root: etree._Element) -> Dom:
    """Number ``root``'s elements depth-first and compute their features.

    The tree should already have had :func:`strip_invisible` applied; the caller
    decides, because structured data is read from ``<script>`` first.
    """
    nodes: list[etree._Element] = [el for el in root.iter() if isinstance(el.tag, str)]
    n = len(nodes)
    index = {el: i for i, el in enumerate(nodes)}
    parent = np.full(n, -1, dtype=np.int32)
    depth = np.zeros(n, dtype=np.int32)
    tag_id = np.zeros(n, dtype=np.int32)
    path_id = np.zeros(n, dtype=np.int32)
    sig_id = np.zeros(n, dtype=np.int32)
    own_chars = np.zeros(n, dtype=np.int32)
    own_link = np.zeros(n, dtype=np.int32)
    own_punct = np.zeros(n, dtype=np.int32)
    in_link = np.zeros(n, dtype=bool)
    own_text: list[str] = [""] * n

    tags: dict[str, int] = {}
    paths: dict[tuple[int, int], int] = {}
    path_names: list[str] = []
    sigs: dict[str, int] = {}

    for i, el in enumerate(nodes):
        name = _tag_name(el)
        t = tags.setdefault(name, len(tags))
        tag_id[i] = t
        p = index.get(el.getparent(), -1) if i else -1
        parent[i] = p
        if p >= 0:
            depth[i] = depth[p] + 1
            key = (int(path_id[p]), t)
            parent_path = path_names[path_id[p]]
            in_link[i] = in_link[p] or name == "a"
        else:
            key = (-1, t)
            parent_path = ""
            in_link[i] = name == "a"
        pid = paths.get(key)
        if pid is None:
            pid = paths[key] = len(path_names)
            path_names.append(f"{parent_path}/{name}")
        path_id[i] = pid
        cls = el.get("class")
        sig = name + "." + ".".join(sorted(cls.split())) if cls else name
        sig_id[i] = sigs.setdefault(sig, len(sigs))

        pieces = [el.text] if el.text else []
        for child in el:
            if child.tail:
                pieces.append(child.tail)
        if pieces:
            text = collapse_ws(" ".join(pieces))
            if text:
                own_text[i] = text
                chars = len(text) - text.count(" ")
                own_chars[i] = chars
                own_punct[i] = len(_PUNCT_RE.findall(text))
                if in_link[i]:
                    own_link[i] = chars

    end = np.arange(n, dtype=np.int32)
    for i in range(n - 1, 0, -1):
        p = parent[i]
        if end[i] > end[p]:
            end[p] = end[i]

    return Dom(
        root=root, nodes=nodes, parent=parent, end=end, depth=depth, tag_id=tag_id,
        path_id=path_id, sig_id=sig_id, own_text=own_text, own_chars=own_chars,
        own_link_chars=own_link, own_punct=own_punct, in_link=in_link,
        tags=list(tags), paths=path_names, sigs=list(sigs), index=index,
    )
