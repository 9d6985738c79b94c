"""Depth-first numbering of a parsed page and per-node features as numpy arrays.

Every element gets its DFS (pre-order) index ``i`` and the index ``end[i]`` of
its last descendant, so "node j is inside node i" is the range test
``i <= j <= end[i]`` and any per-node quantity summed over a subtree is a
difference of prefix sums. Later steps (template, blocks, classify, posts)
read these arrays instead of walking the tree again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import compress, repeat

import numpy as np
from lxml import etree

from extractor.scan import occurrences

# Elements whose content is never visible page text.
INVISIBLE_TAGS = (
    "script", "style", "noscript", "template", "iframe", "object", "embed",
    "svg", "canvas", "head", "title", "meta", "link", "base", "select", "option",
    "datalist", "textarea", "input", "button",
)



def collapse_ws(text: str | None) -> str:
    """Visible text with runs of white space folded to one space."""
    if not text:
        return ""
    return " ".join(text.split())


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
    attrs: list[str] = field(default_factory=list)  # "class id" text per node (for name hints)
    special: list[int] = field(default_factory=list)  # nodes with style/role/hidden/itemprop attributes
    ids: list[int] = field(default_factory=list)  # nodes with a non-empty id attribute
    more_attrs: list[int] = field(default_factory=list)  # nodes with attributes besides class and id
    name_flags: np.ndarray | None = None  # extractor.names bit flags per node, computed on first use
    texts: dict = field(default_factory=dict)   # text_of() results: the tree is not changed once numbered
    _lists: dict = field(default_factory=dict)  # list copies of arrays, for loops over single nodes
    memo: dict = field(default_factory=dict)    # other per-node results several steps ask for, by name

    def __len__(self) -> int:
        return len(self.nodes)

    def subtree(self, values: np.ndarray) -> np.ndarray:
        """Sum of ``values`` over each node's subtree (the node included), summed as int64.

        The sums of a read-only array (the character counts, the date flags: several steps
        ask for them) are kept and handed out as copies."""
        if values.__class__ is np.ndarray and not values.flags.writeable:
            kept = self.memo.get(("subtree", id(values)))
            if kept is None or kept[0] is not values:
                kept = self.memo[("subtree", id(values))] = (values, self._subtree(values))
            return kept[1].copy()
        return self._subtree(values)

    def _subtree(self, values: np.ndarray) -> np.ndarray:
        n = len(self.nodes)
        after = self.memo.get("end+1")
        if after is None:
            after = self.memo["end+1"] = self.end + 1
        csum = np.empty(n + 1, dtype=np.int64)
        csum[0] = 0
        np.asarray(values).cumsum(dtype=np.int64, out=csum[1:])
        return csum[after] - csum[:n]

    def contains(self, outer: int, inner: int) -> bool:
        """Whether DFS node ``inner`` lies inside (or is) DFS node ``outer``."""
        return outer <= inner <= self.end[outer]

    def children(self, i: int) -> list[int]:
        """DFS indices of the element children of node ``i``."""
        end = self.as_list("end")
        out, j, stop = [], i + 1, end[i]
        while j <= stop:
            out.append(j)
            j = end[j] + 1
        return out

    def text_of(self, i: int) -> str:
        """Collapsed visible text of node ``i``'s subtree in document order."""
        text = self.texts.get(i)
        if text is None:
            # a leaf's text is its own text (its .text; its tail is its parent's), already collapsed
            text = self.texts[i] = self.own_text[i] if self.as_list("end")[i] == i \
                else collapse_ws(" ".join(self.nodes[i].itertext()))
        return text

    def attrs_holding(self, words: tuple[str, ...]) -> list[int]:
        """DFS indices, in order, of the nodes whose "class id" text (``attrs``) holds one of
        ``words``: substring scans of all of them joined, in C, instead of a test per node."""
        joined = self.memo.get("attrs joined")
        if joined is None:
            attrs = self.attrs or [""] * len(self.nodes)
            starts = np.zeros(len(attrs) + 1, dtype=np.int64)
            np.cumsum(np.fromiter(map(len, attrs), dtype=np.int64, count=len(attrs)) + 1, out=starts[1:])
            joined = self.memo["attrs joined"] = ("\n".join(attrs), starts)
        text, starts = joined
        at = occurrences(text, words)
        if not at:
            return []
        return np.unique(np.searchsorted(starts, np.asarray(at), side="right") - 1).tolist()

    def own_lengths(self) -> np.ndarray:
        """Characters of each node's own text (int64, read-only): numbering counts them
        anyway, so the steps that join own texts need not count them again."""
        lengths = self.memo.get("own lengths")
        if lengths is None:
            texts = self.own_text
            lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
            lengths.flags.writeable = False
            self.memo["own lengths"] = lengths
        return lengths

    def anchor_hrefs(self) -> tuple[list[int], list[str | None]]:
        """The DFS indices of the page's ``<a>`` elements and their ``href`` values: the link
        roles and the dead-link count both read every anchor's href, once a page this way."""
        kept = self.memo.get("anchor hrefs")
        if kept is None:
            a_id = self.tags.index("a") if "a" in self.tags else -1
            idx = np.flatnonzero(self.tag_id == a_id).tolist() if a_id >= 0 else []
            kept = self.memo["anchor hrefs"] = (idx, [el.get("href") for el in map(self.nodes.__getitem__, idx)])
        return kept

    def as_list(self, name: str) -> list:
        """A per-node array (``end``, ``tag_id``...) as a Python list: indexing a list with
        one node is several times faster than indexing a numpy array."""
        out = self._lists.get(name)
        if out is None:
            out = self._lists[name] = getattr(self, name).tolist()
        return out


def strip_invisible(root: etree._Element) -> None:
    """Remove comments, processing instructions and invisible elements, keeping tails.

    A ``<noscript>`` block that holds more text than the rest of the page is kept (as a
    ``<div>``): the page is a JavaScript application's shell, and the block is the
    server-rendered view of its content (forums built on Ember or React serve their
    thread to crawlers that way). A short block counts when it links several pages: a
    shell's list of threads is a few titles, far under a thread's text; so does one holding
    headed text (a heading and text beside it): a thread of one short post.
    """
    shown = [el for el in root.iter("noscript")
             if _text_chars(el) >= MIN_NOSCRIPT_CHARS or _linked_pages(el) >= MIN_NOSCRIPT_LINKS
             or _headed_text(el)]
    for el in shown:
        el.tag = _KEPT_NOSCRIPT     # spared by the strip below, judged after it
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, *INVISIBLE_TAGS,
                         with_tail=False)
    if shown:
        inside = [_text_chars(el) for el in shown]
        outside = _text_chars(root) - sum(inside)
        for el, chars in zip(shown, inside):
            if chars > outside:
                el.tag = "div"
                el.set(FALLBACK_ATTR, "1")   # (extractor/headed.py reads posts shown there without dates)
            else:
                el.tag = "noscript"
        etree.strip_elements(root, "noscript", with_tail=False)


# A <noscript> block with less text than this is a tracking pixel or a "please enable
# JavaScript" notice, never a page's content.
MIN_NOSCRIPT_CHARS = 200
# ...unless it links at least this many pages (with link text): a notice links one help page.
MIN_NOSCRIPT_LINKS = 3
_KEPT_NOSCRIPT = "fc-noscript"
# Marks a kept <noscript> block: a JavaScript application's server-rendered fallback view.
FALLBACK_ATTR = "data-fc-fallback"


def _headed_text(el: etree._Element) -> bool:
    """True when a block holds a heading and as much text again outside its headings."""
    headings = [h for h in el.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    inside = sum(_text_chars(h) for h in headings)
    return bool(headings) and inside > 0 and _text_chars(el) - inside >= max(inside, 20)


def _linked_pages(el: etree._Element) -> int:
    """Distinct pages a block links to by text links (fragments and scripts are no pages)."""
    hrefs = {(a.get("href") or "").split("#")[0] for a in el.iter("a")
             if _text_chars(a) and not (a.get("href") or "").lower().startswith(("javascript:", "#"))}
    return len(hrefs - {""})


def _text_chars(el: etree._Element) -> int:
    """Non-space characters of an element's text (tails of its children included)."""
    return sum(len(t) - t.count(" ") - t.count("\n") - t.count("\t") for t in el.itertext())


def _tag_name(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return "#"
    if tag[0] == "{":
        tag = tag.rsplit("}", 1)[1]
    return tag.lower()


_SPECIAL_ATTRS = frozenset({"style", "role", "hidden", "aria-hidden", "itemprop"})
_PUNCT_CHARS = ".,;:!?\u3002\uff0c\uff1b\uff1a\uff01\uff1f\u3001\u201c\u201d\u2018\u2019\"'()\uff08\uff09\u2026-"
# punctuation lookup by code point (all of them are in the BMP; larger code points map to U+FFFF, not one)
_PUNCT_TABLE = np.zeros(0x10000, dtype=bool)
_PUNCT_TABLE[[ord(c) for c in _PUNCT_CHARS]] = True


def _char_counts(texts: list[str], spaces: list[int] | None = None,
                 lengths: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Non-space characters and punctuation marks per text, for all texts in one numpy pass,
    and the code units of the texts joined (see :func:`code_units`; the script counts of
    :func:`extractor.blocks.cjk_weight` read them too).

    Punctuation is sparse: its positions in the joined text are mapped to their texts
    (a cumulative sum over every character of the page cost more than the rest of numbering).
    ``spaces``: the spaces of each text, when the caller counted them while folding them;
    ``lengths``: the texts' lengths (int64), when the caller has them.
    """
    n = len(texts)
    if lengths is None:
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    if not n or not lengths.any():
        return np.zeros(n, dtype=np.int32), np.zeros(n, dtype=np.int32), np.zeros(0, dtype=np.uint8)
    if spaces is None:
        spaces = np.fromiter(map(str.count, texts, repeat(" ")), dtype=np.int64, count=n)
    else:
        spaces = np.array(spaces, dtype=np.int64)
    units = code_units("".join(texts))
    marks = np.flatnonzero(_PUNCT_TABLE.take(units))
    owner = np.searchsorted(np.cumsum(lengths), marks, side="right")
    own_chars = (lengths - spaces).astype(np.int32)
    own_punct = np.bincount(owner, minlength=n)[:n].astype(np.int32)
    return own_chars, own_punct, units


def code_units(text: str) -> np.ndarray:
    """One number per character of ``text``, its code point capped at U+FFFF, in the narrowest
    dtype the text allows (a Latin-1 page needs a quarter of the memory of UTF-32)."""
    try:
        return np.frombuffer(text.encode("latin-1"), dtype=np.uint8)
    except UnicodeEncodeError:
        pass
    data = text.encode("utf-16-le", "surrogatepass")
    if len(data) == 2 * len(text):     # no character beyond the BMP: one unit per character
        return np.frombuffer(data, dtype=np.uint16)
    return np.minimum(np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32), 0xFFFF)


# white space str.split() knows in ASCII, the space aside
ASCII_SPACES = ("\n", "\t", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")


def _folded(text: str) -> bool:
    """Whether a long ASCII text has nothing for white space folding to do (single inner spaces
    only): a few substring scans, much cheaper than splitting a post body into its words."""
    return (len(text) > 80 and text.isascii() and text[0] != " " and text[-1] != " " and "  " not in text
            and not any(c in text for c in ASCII_SPACES))


# (parent path id, tag id) -> one int key; a page has far fewer distinct tags than this
_PATH_KEY = 1 << 40


def _kind(tag: str, ppath: int, cls: str | None, tags: dict[str, int], paths: dict[int, int],
          path_names: list[str], sigs: dict[str, int]) -> tuple[int, int, int]:
    """(tag id, path id, signature id) of an element with this raw tag, parent path and class
    attribute, registering new tags, paths and signatures."""
    norm = tag.lower() if tag[0] != "{" else tag.rsplit("}", 1)[1].lower()
    t = tags.get(norm)
    if t is None:
        t = tags[norm] = len(tags)
    key = ppath * _PATH_KEY + t   # (parent path, tag) as one int: t < _PATH_KEY always
    pid = paths.get(key)
    if pid is None:
        pid = paths[key] = len(path_names)
        path_names.append((path_names[ppath] if ppath >= 0 else "") + "/" + norm)
    sig = norm + "." + ".".join(sorted(cls.split())) if cls else norm
    sid = sigs.get(sig)
    if sid is None:
        sid = sigs[sig] = len(sigs)
    return t, pid, sid


def number(root: etree._Element) -> Dom:
    """Number ``root``'s elements depth-first and compute their features.

    The tree should already have had :func:`strip_invisible` applied; the caller
    decides, because structured data is read from ``<script>`` first.
    One pass over the elements (start events only), parents found by a dict
    lookup, so the cost is a few microseconds per element.
    """
    # elements only (comments and PIs are filtered in C), in document order; a node's parent is
    # numbered before it, and a tail is parent text after this child, so it is added here too
    nodes: list[etree._Element] = list(root.iter(etree.Element))
    n = len(nodes)
    index: dict = dict(zip(nodes, range(n)))      # element -> DFS index
    parent_l: list[int] = [-1] * n
    path_l: list[int] = [-1] * n
    kind_l: list[int] = [0] * n      # per node: its kind, the (raw tag, parent path, class) it has
    raw_text: list = [""] * n        # el.text, or a list of pieces once tails arrive
    attr_text: list[str] = [""] * n
    special: list[int] = []   # DFS indices of elements with style/role/hidden/itemprop/aria-hidden
    id_nodes: list[int] = []  # DFS indices of elements with a non-empty id
    more_attrs: list[int] = []  # DFS indices of elements with attributes besides class and id

    tags: dict[str, int] = {}
    paths: dict[int, int] = {}
    path_names: list[str] = []
    sigs: dict[str, int] = {}
    # (raw tag, parent path id, class attribute) -> kind number; per kind its tag, path and
    # signature ids: one dict lookup per element finds all three (pages repeat few kinds)
    kinds: dict[tuple, int] = {}
    kind_ids: list[tuple[int, int, int]] = []
    kind_path: list[int] = []
    ppath = -1
    for i, el in enumerate(nodes):
        if i:
            p = parent_l[i] = index[el.getparent()]
            ppath = path_l[p]
            tail = el.tail
            if tail:
                cur = raw_text[p]
                if cur.__class__ is list:
                    cur.append(tail)
                else:
                    raw_text[p] = [cur, tail] if cur else [tail]
        keys = el.keys()
        if keys:
            # a list test is cheaper than an attribute lookup that finds nothing
            cls = el.get("class") if "class" in keys else None
            ident = el.get("id") if "id" in keys else None
            if ident:
                id_nodes.append(i)
                attr_text[i] = f"{cls} {ident}" if cls else ident
            elif cls:
                attr_text[i] = cls
            if len(keys) > (cls is not None) + (ident is not None):
                more_attrs.append(i)
                if not _SPECIAL_ATTRS.isdisjoint(keys):
                    special.append(i)
        else:
            cls = None
        kkey = (el.tag, ppath, cls)
        k = kinds.get(kkey)
        if k is None:
            k = kinds[kkey] = len(kind_ids)
            kind_ids.append(_kind(kkey[0], ppath, cls, tags, paths, path_names, sigs))
            kind_path.append(kind_ids[k][1])
        kind_l[i] = k
        path_l[i] = kind_path[k]
        text = el.text
        if text:
            raw_text[i] = text

    # last descendant of each node: children come after their parent, so one backward pass
    end_l = list(range(n))
    for i in range(n - 1, 0, -1):
        p = parent_l[i]
        if end_l[i] > end_l[p]:
            end_l[p] = end_l[i]

    # own text folded (str.split(): \s+), and its spaces counted on the way: a split text has
    # one fewer than its words (a str.count per text cost as much as the folding)
    own_text: list[str] = [""] * n
    spaces: list[int] = [0] * n
    for i in compress(range(n), raw_text):
        raw = raw_text[i]
        if raw.__class__ is list:
            raw = " ".join(raw)
        if len(raw) > 80 and _folded(raw):
            own_text[i] = raw
            spaces[i] = raw.count(" ")
        else:
            words = raw.split()
            if words:
                own_text[i] = " ".join(words)
                spaces[i] = len(words) - 1

    own_lengths = np.fromiter(map(len, own_text), dtype=np.int64, count=n)
    own_chars, own_punct, units = _char_counts(own_text, spaces, own_lengths)
    end_a = np.array(end_l, dtype=np.int32)
    kind_a = np.array(kind_ids, dtype=np.int32).reshape(-1, 3)[np.array(kind_l, dtype=np.intp)]
    tag_a = np.ascontiguousarray(kind_a[:, 0])
    # depth = number of proper ancestors; in_link = inside an <a> (or is one): both from DFS ranges
    delta = np.zeros(n + 1, dtype=np.int32)
    if n:
        delta[1:] += 1
        delta -= np.bincount(end_a + 1, minlength=n + 1)[: n + 1].astype(np.int32)
        depth = np.cumsum(delta[:n], dtype=np.int32)
    else:
        depth = np.zeros(0, dtype=np.int32)
    in_link = np.zeros(n, dtype=bool)
    a_id = tags.get("a")
    if n and a_id is not None:
        anchors = np.nonzero(tag_a == a_id)[0]
        if len(anchors):
            d2 = np.zeros(n + 1, dtype=np.int32)
            d2 += np.bincount(anchors, minlength=n + 1)[: n + 1].astype(np.int32)
            d2 -= np.bincount(end_a[anchors] + 1, minlength=n + 1)[: n + 1].astype(np.int32)
            in_link = np.cumsum(d2[:n]) > 0
    own_link = np.where(in_link, own_chars, 0).astype(np.int32)
    own_chars.flags.writeable = False   # shared by every step: Dom.subtree keeps their sums
    own_link.flags.writeable = False

    dom = Dom(
        root=root, nodes=nodes, parent=np.array(parent_l, dtype=np.int32),
        end=end_a, depth=depth, tag_id=tag_a, path_id=np.array(path_l, dtype=np.int32),
        sig_id=np.ascontiguousarray(kind_a[:, 2]), own_text=own_text, own_chars=own_chars,
        own_link_chars=own_link, own_punct=own_punct, in_link=in_link,
        tags=list(tags), paths=path_names, sigs=list(sigs), index=index,
    )
    dom.attrs = attr_text
    dom.special = special
    dom.ids = id_nodes
    dom.more_attrs = more_attrs
    dom.memo["code units"] = units     # of the own texts joined, in page order
    own_lengths.flags.writeable = False
    dom.memo["own lengths"] = own_lengths
    return dom
