"""DFS numbering: ranges, parents and subtree sums agree with the tree itself."""
import lxml.html
import numpy as np

from extractor.dom import number, strip_invisible

HTML = """<html><head><title>t</title><script>var x = "no";</script></head><body>
<div id="a"><p>Hello <b>bold</b> world.</p><!-- c --><p><a href="/x">link text</a> tail</p></div>
<div id="b"><span>second</span></div></body></html>"""


def build():
    root = lxml.html.document_fromstring(HTML)
    strip_invisible(root)
    return number(root)


def test_ranges_match_tree_structure():
    dom = build()
    for i, el in enumerate(dom.nodes):
        descendants = [dom.index[d] for d in el.iterdescendants() if isinstance(d.tag, str)]
        assert dom.end[i] == max([i, *descendants])
        for j in descendants:
            assert dom.contains(i, j)
        if i:
            assert dom.nodes[dom.parent[i]] is el.getparent()


def test_invisible_text_removed_and_tails_kept():
    dom = build()
    text = dom.text_of(0)
    assert "var x" not in text and "t Hello" not in text
    assert "Hello bold world." in text
    assert "link text tail" in text


def test_subtree_sums_and_link_chars():
    dom = build()
    total = dom.subtree(dom.own_chars)
    assert total[0] == int(np.sum(dom.own_chars))
    a = next(i for i, el in enumerate(dom.nodes) if el.get("id") == "a")
    assert total[a] == len("Hellobold world.linktext tail".replace(" ", ""))
    link = dom.subtree(dom.own_link_chars)
    assert link[a] == len("linktext")
    assert [dom.nodes[c].tag for c in dom.children(a)] == ["p", "p"]
