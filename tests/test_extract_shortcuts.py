"""Shortcuts taken for speed give what the long way gives (issue 8's speed work).

Each shortcut reads less than the step it stands for (a prefix of a text, the long pieces
of a page, one cache entry for many ids); these tests build inputs where a wrong shortcut
would show: long subtrees, white space at piece boundaries, multi-byte characters,
digits inside class words.
"""
import random

from lxml import etree

from extractor import names
from extractor.dom import collapse_ws, number, strip_invisible
from extractor.fields import _content_head, _control_line, author_text, text_head
from extractor.parse import _long_tags, cap_attributes, parse, parse_counting


def _dom(html: str):
    root, _ = parse(html)
    strip_invisible(root)
    return number(root)


def test_text_head_is_the_prefix_of_the_whole_text():
    rng = random.Random(7)
    words = ["a", "bb", "  ", "\n", "ccc ", " d", "日本", "é\t", ""]
    for _ in range(40):
        body = "".join(f"<span>{rng.choice(words)}{rng.choice(words)}</span>{rng.choice(words)}"
                       for _ in range(rng.randint(10, 60)))
        dom = _dom(f"<html><body><div id='x'>{body}</div></body></html>")
        i = dom.index[dom.root.find(".//div")]
        for n in (1, 5, 40, 200):
            want = collapse_ws(" ".join(dom.nodes[i].itertext()))[:n]
            fresh = _dom(f"<html><body><div id='x'>{body}</div></body></html>")
            assert text_head(fresh, i, n) == want
            assert _content_head(fresh.nodes[i], n) == collapse_ws("".join(fresh.nodes[i].itertext()))[:n]


def test_long_tags_from_bytes_match_the_string_scan():
    many = " ".join(f"a{k}='v'" for k in range(600))
    pages = [
        "<p>short</p>" * 50,
        f"<div {many}>x</div><p>{'é' * 3000}</p>",            # long text piece, multi-byte
        f"<div {many}<p>no closing bracket</p>",               # a tag ended by the next '<'
        "<p>" + "ü" * 700 + "<b>" + "x" * 1100,                # more bytes than characters
    ]
    for html in pages:
        data = html.encode("utf-8", "replace")
        assert _long_tags(html, data) == _long_tags(html)
    warnings: list[str] = []
    capped = cap_attributes(pages[1], warnings, pages[1].encode("utf-8"))
    assert capped != pages[1] and warnings


def test_class_flags_ignore_digits_and_share_one_entry():
    for raw in ("post-12345 sidebar2", "comment_77 c9", "pagination-3", "article123 content",
                "footer 2024", "ads300 x"):
        names._cache.clear()
        plain = names.flags(raw.replace("0", "").translate(str.maketrans("123456789", "000000000")))
        names._cache.clear()
        assert names.flags(raw) == plain
    names._cache.clear()
    names.flags("post post-101")
    names.flags("post post-202")
    assert "post post-202" not in names._cache and "post post-0" in names._cache


def test_control_line_with_many_words_is_text():
    assert _control_line("Reply Quote Report")
    assert not _control_line("reply quote report share like " * 2)   # ten words: a sentence, not a toolbar


def test_author_text_is_remembered_and_rejects_long_texts():
    dom = _dom("<html><body><div class='p'><b class='u'>ann</b><p>"
               + "x " * 40 + "</p></div></body></html>")
    b = dom.index[dom.root.find(".//b")]
    p = dom.index[dom.root.find(".//p")]
    assert author_text(dom, b) == "ann"
    assert dom.memo["author_text"][b] == "ann"
    assert author_text(dom, p) is None
    el = etree.SubElement(dom.nodes[b], "i")    # the tree is not read again once asked
    el.text = "changed"
    assert author_text(dom, b) == "ann"


def test_tags_counted_while_parsing_are_the_texts():
    texts = ["", "   ", "plain text", "<p>a</p>" * 30, "<p>日本語 <b>é</b> \ud800 <i>x</i>" * 20,
             "<div class='a<b'>x</div>", "&lt;<p>"]
    for text in texts:
        root, warnings, tags = parse_counting(text)
        assert tags == text.count("<")
        assert etree.tostring(root) == etree.tostring(parse(text)[0])


def test_pages_over_the_tag_budget_are_cut_as_counted_in_the_text():
    from extractor.extract import COUNT_FIRST_CHARS, MAX_TAGS, extract
    for pad in (0, COUNT_FIRST_CHARS):     # counted by the parse, and counted before it
        html = ("<html><body>" + " " * pad + "<b>x</b>" * (MAX_TAGS // 2 + 5000) + "<p>" + "tail words " * 50
                + "</p></body></html>")
        tags = html.count("<")
        assert tags > MAX_TAGS
        page = extract(html, "http://example.com/")
        cut = int(len(html) * MAX_TAGS / tags)
        assert [w for w in page.warnings if "document cut" in w] == [
            f"document cut at {cut} characters: {tags} tags, budget {MAX_TAGS}"]
        assert "tail words" not in page.text
    small = extract("<html><body><p>" + "word " * 40 + "</p></body></html>", "http://example.com/")
    assert not any("document cut" in w for w in small.warnings)


def test_repeated_page_work_is_shared_and_gives_the_long_way():
    """Issue 9: the anchors' hrefs are read once, the loose keys are split once per site, the
    template mask picks by text first, and the block scores' subtree sums are kept for a second
    region search; each gives what the plain computation gives."""
    import numpy as np

    from extractor import blocks
    from extractor.fields import _CLASS_WORD_END_RE, loose_keys
    from extractor.template import SiteTemplate
    from extractor.units import text_weights

    html = ("<html><body><div class='nav-bar'><a href='/a'>A</a><a>none</a><a href=''>e</a></div>"
            "<div class='post-1 x'><p class='msg_body'>Hello there, a post.</p><a href='#top'>top</a>"
            "<span class='user-name'>ann</span></div><div class='post-2'><p>Another one.</p>"
            "<a href='javascript:;'>x</a></div><p>Copyright</p></body></html>")
    dom = _dom(html)
    idx, hrefs = dom.anchor_hrefs()
    assert idx == [i for i, el in enumerate(dom.nodes) if el.tag == "a"]
    assert hrefs == [dom.nodes[i].get("href") for i in idx]
    names: dict[str, int] = {}
    plain = [names.setdefault(f"{s.partition('.')[0]}."
                              f"{_CLASS_WORD_END_RE.split(s.partition('.')[2], maxsplit=1)[0] if s.partition('.')[2] else ''}",
                              len(names)) for s in dom.sigs]
    assert loose_keys(dom).tolist() == np.array(plain)[dom.sig_id].tolist()
    keys = {(dom.paths[dom.path_id[i]], t) for i, t in enumerate(dom.own_text) if t in ("Copyright", "ann")}
    keys.add(("/html/body/nowhere", "Another one."))
    mask = SiteTemplate(keys, 2).mask(dom)
    assert np.flatnonzero(mask).tolist() == [i for i, t in enumerate(dom.own_text)
                                            if t and (dom.paths[dom.path_id[i]], t) in keys]
    weights = text_weights(dom, mask)
    assert not weights.flags.writeable     # (read-only: Dom.subtree keeps its sums)
    blk = blocks.score_blocks(dom)
    assert not blk.score.flags.writeable
    again = blocks.best_region(dom, blk.score, 0, 0.3)
    assert again == blocks.best_region(dom, blk.score.copy(), 0, 0.3) == blocks.best_region(dom, blk.score, 0, 0.3)
