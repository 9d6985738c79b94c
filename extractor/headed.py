"""Posts of a JavaScript forum's server-rendered fallback view: a writer's name as a heading over each body.

A single-page forum application serves crawlers and readers without JavaScript a plain
view of the thread inside ``<noscript>`` (kept by :func:`extractor.dom.strip_invisible`,
which marks it with ``FALLBACK_ATTR``). Such a view often leaves out every date: each
post is only a block whose first child is a short heading naming its writer, followed by
the body. The date-anchored unit search finds nothing there; this module finds those
blocks, only inside a fallback view, where a heading over prose is no article section.
"""
from __future__ import annotations

from lxml import etree

from extractor.dom import FALLBACK_ATTR, Dom

_HEADINGS = frozenset("h2 h3 h4 h5 h6".split())
MAX_NAME_CHARS = 40         # a writer's name, not a sentence
_SENTENCE_ENDS = tuple(".?!。？！：:")


def _heading_name(el: etree._Element) -> str | None:
    """The text of ``el`` when it reads as a name (short, one line, no sentence end), else None."""
    text = " ".join("".join(el.itertext()).split())
    if not text or len(text) > MAX_NAME_CHARS or text.endswith(_SENTENCE_ENDS) or len(text.split()) > 4:
        return None
    return text


def _headed(el: etree._Element) -> str | None:
    """The name heading ``el``, when its first child element is a name heading and text follows it."""
    children = [c for c in el if isinstance(c.tag, str)]
    if len(children) < 2 or children[0].tag not in _HEADINGS or (children[0].text or "").strip() == "" and \
            not "".join(children[0].itertext()).strip():
        return None
    if any(c.tag in _HEADINGS for c in children[1:]):
        return None       # a section holding sub-sections, not one post
    if not any("".join(c.itertext()).strip() for c in children[1:]):
        return None
    return _heading_name(children[0])


def headed_units(dom: Dom) -> list[tuple[int, str]]:
    """(DFS index, writer) of the posts of the page's fallback view, in page order; [] when there are none.

    The posts are the largest group of siblings that are all name-headed blocks (one block when
    the thread has one post); a block holding another such block is the page's wrapper (its
    heading is the thread's title).
    """
    index = {el: i for i, el in enumerate(dom.nodes)}
    best: list[tuple[int, str]] = []
    for root in (el for el in dom.nodes[:1][0].iter() if isinstance(el.tag, str) and el.get(FALLBACK_ATTR)):
        found = {el: name for el in root.iter() if isinstance(el.tag, str) and el in index
                 for name in [_headed(el)] if name}
        inner = {el: name for el, name in found.items()
                 if not any(d in found for d in el.iterdescendants() if isinstance(d.tag, str))}
        groups: dict[etree._Element, list[etree._Element]] = {}
        for el in inner:
            groups.setdefault(el.getparent(), []).append(el)
        for parent, members in groups.items():
            siblings = [c for c in parent if isinstance(c.tag, str) and c.tag == members[0].tag]
            if len(siblings) != len(members) or len(members) <= len(best):
                continue          # every block of that kind there must be one
            best = [(index[el], inner[el]) for el in members]
    return sorted(best)
