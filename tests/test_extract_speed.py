"""The extractor's speed shortcuts give the same answers as the plain computations they replace."""
from __future__ import annotations

import random

import numpy as np

from extractor import blocks
from extractor.classify import squash, squashed_len
from extractor.dom import _char_counts, code_units, number, strip_invisible
from extractor.extract import _STRUCTURED_MARKERS, _may_have_structured
from extractor.parse import parse

# white space of every kind str.split() knows, punctuation, Latin-1, CJK, astral, a lone surrogate
_ALPHABET = (" \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u1680\u2000\u200a\u200b\u2028\u2029\u202f\u205f\u3000"
             "ab,.;:!?\"'()-\u3002\uff0c\u201c\u2026\u00e9\u0130\u4e2d\u203a\U0001F600\ud800")


def _texts(rng: random.Random, count: int) -> list[str]:
    out = []
    for _ in range(count):
        text = "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 24)))
        if rng.random() < 0.3:
            text = text.encode("latin-1", "ignore").decode("latin-1")   # the Latin-1 code path
        out.append(text)
    return out


def test_squashed_len_counts_what_squash_keeps():
    rng = random.Random(7)
    for text in _texts(rng, 3000):
        assert squashed_len(text) == len(squash(text)), repr(text)


def test_char_counts_match_a_per_character_count():
    rng = random.Random(11)
    for _ in range(300):
        texts = [" ".join(t.split()) for t in _texts(rng, rng.randint(0, 8))]   # own texts are collapsed
        chars, punct, units = _char_counts(texts)
        assert chars.tolist() == [len(t) - t.count(" ") for t in texts]
        assert units.tolist() == (code_units("".join(texts)).tolist() if any(texts) else [])
        assert punct.tolist() == [sum(c in ".,;:!?\u3002\uff0c\uff1b\uff1a\uff01\uff1f\u3001\u201c\u201d\u2018"
                                      "\u2019\"'()\uff08\uff09\u2026-" for c in t) for t in texts]


def test_structured_marker_prefilter_agrees_with_the_full_scan():
    rng = random.Random(3)
    pieces = ["a", "item", "ITEM", "+", "ld", "json", "Scope", "type", "prop", "LD+JSON", "itemprop",
              "ITEMTYPE", "Ld+Json", "itemScope"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        assert _may_have_structured(text) == any(m in text for m in _STRUCTURED_MARKERS), text


def _dom(html: str):
    root, _ = parse(html)
    strip_invisible(root)
    return number(root)


def test_legal_lines_are_found_in_short_texts_only():
    long_para = "Copyright law is discussed at length here. " * 20     # 860 characters: prose, not a notice
    dom = _dom(f"<html><body><p>{long_para}</p><div>\u0130stanbul \u00a9 2024 Example Ltd</div>"
               "<footer>All Rights Reserved</footer><p>privacy policy</p></body></html>")
    flags = blocks.legal_nodes(dom)
    flagged = {dom.own_text[i] for i in np.nonzero(flags)[0]}
    # the dotted capital I lower-cases to two characters: offsets after it must still map right
    assert flagged == {"\u0130stanbul \u00a9 2024 Example Ltd", "All Rights Reserved", "privacy policy"}


def test_subtree_sums_truncate_like_before():
    dom = _dom("<html><body><div><p>a</p><p>b</p></div><span>c</span></body></html>")
    values = np.array([0.5, 1.7, 2.2, 3.9, 1.0, 0.4, 2.0][:len(dom)])
    expected = [int(sum(int(v) for v in values[i:int(dom.end[i]) + 1])) for i in range(len(dom))]
    assert dom.subtree(values).tolist() == expected


def test_word_date_and_zone_scans_find_what_finditer_finds():
    from extractor.posts import _ZONE_HINT_RE, _zone_hint_starts
    from extractor.units import _QUICK_WORD_RE, _word_date_starts

    pieces = ["Jan", "jan 5", "Today", "today", "at", "12:30", "12", "days", "d", "yesterday", "昨天",
              "前天 10:22", "刚刚", "just now", "May", "Sept. 30", "a", "few", "ago", "٣ days", "\u017fep 3",
              "user1", "Top", "All times are UTC", "utc", "+ 5", "GMT -5, 2024-5-10", "时区", "Zeitzone",
              "zona horaria", "T\u0130MES ARE", "fuso orario"]
    rng = random.Random(5)
    for _ in range(3000):
        texts = [rng.choice(pieces) for _ in range(rng.randint(1, 6))]
        joined = "\n".join(texts)
        starts = np.concatenate(([0], np.cumsum([len(t) + 1 for t in texts])[:-1]))
        for regex, scan in ((_QUICK_WORD_RE, _word_date_starts), (_ZONE_HINT_RE, _zone_hint_starts)):
            got = scan(texts, joined, starts)
            assert got is None or got == [m.start() for m in regex.finditer(joined)], (regex.pattern[:20], joined)


def test_url_join_is_urljoin():
    from urllib.parse import urljoin

    from extractor.urls import join

    for base in ("http://a.b/c/d?x=1#f", "http://a.b", "https://a.b/", "", "ftp://x/y", "mailto:a@b",
                 "http://a.b/p;q?r", "http://a.b/c?", "weird", "//a.b/c"):
        for href in ("#", "#x", "#p12", "##", "#a#b", "#\tx", "#x y", "x", "/y", "../z", "?q", " #x"):
            assert join(base, href) == urljoin(base, href), (base, href)


def test_attrs_holding_is_a_test_per_node():
    root, _ = parse("<html><body><div class='sig x' id='a'><p class='post'>x</p><span id='Sig1'>y</span>"
                    "<blockquote class='quote'>q</blockquote><i>no</i><b class='ci'>t</b></div></body></html>")
    strip_invisible(root)
    dom = number(root)
    for words in (("sig", "Sig", "SIG"), ("uot", "cit"), ("zz",)):
        assert dom.attrs_holding(words) == [k for k, a in enumerate(dom.attrs) if any(w in a for w in words)]


def test_long_ascii_lines_fold_like_split():
    from extractor.posts import _fold_split

    rng = random.Random(1)
    for _ in range(3000):
        line = "".join(rng.choice("abcdefgh ") if rng.random() < 0.97 else rng.choice("ab c\t\x0b\x0c\r\x1c\x1f\x00\x7f\x85\xa0")
                       for _ in range(rng.choice([5, 150, 250, 400])))
        assert _fold_split(line) == " ".join(line.split()), repr(line)


def test_ascii_words_split_like_the_word_regex():
    from extractor import language

    rng = random.Random(3)
    for _ in range(3000):
        head = "".join(rng.choice("ab Zq_1\t\n.,;'\"-\x00\x7f") for _ in range(rng.randint(0, 60))).lower()
        assert head.encode("ascii").translate(language._ASCII_NOT_LETTER).decode("ascii").split() == \
            language._WORD_RE.findall(head)


def test_cjk_weight_from_numbering_matches_a_fresh_count():
    rng = random.Random(9)
    for _ in range(200):
        body = "".join(f"<p>{t}</p>" for t in _texts(rng, rng.randint(0, 6)) if "\ud800" not in t)
        root, _ = parse(f"<html><body>{body}</body></html>")
        strip_invisible(root)
        dom = number(root)
        fresh = blocks.cjk_weight(dom)
        dom.memo.pop("code units", None)
        assert fresh == blocks.cjk_weight(dom)


def test_label_word_prefilters_agree_with_the_regexes():
    from extractor.fields import EDIT_LABEL_RE, META_DATE_RE, _edit_label, _meta_label

    pieces = ["Joined", "REGISTERED", "Member Since", "last seen", "Last  seen", "LAST VISIT", "Birthday", "inscrit",
              "Mitglied seit", "beigetreten", "Se unió", "SE UNIÓ", "lid sinds", "注册", "最后登录", "edited", "Edit",
              "xedit", "bearbeitet", "GEÄNDERT", "modifié", "编辑", "T\u0130ME", "\u017fince", "J\u0131n", "\u212a",
              "author", "post-date", " ", ":", "2024", "bob"]
    rng = random.Random(13)
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 5)))
        assert _meta_label(text) == bool(META_DATE_RE.search(text)), text
        assert _edit_label(text) == bool(EDIT_LABEL_RE.search(text)), text


def test_bare_header_with_a_lettered_heading_agrees_with_the_full_test():
    from extractor.extract import _bare_header, _bare_header_lettered
    rng = random.Random(23)
    headings = ["Help me", "Ünïcode topic", "第一 帖", "x"]
    pieces = ["23", " 1,024 ", "\ue60c 7", "Help  me", "help me", "ÜNÏCODE topic", "第一帖", "X", "",
              " ", "body text", "2024", "_-_", "a1"]
    for _ in range(4000):
        text = "\n".join(rng.choice(pieces) for _ in range(rng.randint(0, 5)))
        for raw in headings:
            want = squash(raw).lower()
            assert _bare_header_lettered(text, want) == _bare_header(text, want), (text, want)


def test_squashes_to_is_squash_lower_equal():
    from extractor.extract import _squashes_to
    rng = random.Random(29)
    for _ in range(5000):
        line = "".join(rng.choice(_ALPHABET + "AB\u0130") for _ in range(rng.randint(0, 30)))
        for want in (squash(line).lower(), squash(line[:5]).lower(), "ab", "", "a" * 40):
            assert _squashes_to(line, want) == (squash(line).lower() == want), (line, want)


def test_structured_markers_tried_at_key_places_agree_with_substring_scans():
    from extractor.extract import _MARKER_GROUPS, _may_have_structured
    rng = random.Random(31)
    pieces = ["+", "ld+json", "LD+JSON", "Ld+Json", "ld+JSON", "LD+json", "d+json", "item", "itemscope",
              "itemType", "ITEMPROP", "ITEM", "Itemscope", "ite", "mscope", "x", " ", "ld", "+json"]
    for count in (3, 40, 200):      # beyond _MAX_KEY_PLACES places of a key too
        for _ in range(1500):
            text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, count)))
            want = any(key in text and any(m in text for m in group) for key, group in _MARKER_GROUPS)
            assert _may_have_structured(text) == want, text


def test_decoded_bytes_handed_to_the_parser_are_the_text_encoded():
    import codecs

    from extractor.decode import decode
    for data, headers in ((b"<p>plain ascii</p>", None), ("<p>caf\u00e9 \u4e2d\u6587 \U0001F600</p>".encode(), None),
                          ("<p>caf\u00e9</p>".encode(), {"Content-Type": "text/html; charset=iso-8859-1"})):
        decoded = decode(data, headers)
        assert decoded.utf8 is data and decoded.text.encode("utf-8") == data
    for data in (codecs.BOM_UTF8 + b"<p>x</p>", "<p>caf\u00e9</p>".encode("cp1252"), b"<p>\xff\xfe broken \xe9</p>"):
        assert decode(data).utf8 is None
    assert decode("<p>text</p>").utf8 is None


def test_control_characters_counted_by_table_as_the_regex_counts_them():
    from extractor.extract import _CONTROL_RE, _looks_binary
    rng = random.Random(37)
    alphabet = _ALPHABET + "\x00\x01\x07\x0c\x1b\ufffd\ufffe\uffff<p>"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        head = text[:8192]
        assert _looks_binary(text) == (bool(head) and len(_CONTROL_RE.findall(head)) > 0.05 * len(head)), text


def test_leaf_text_from_numbering_is_the_text_lxml_gives():
    from extractor.dom import collapse_ws
    root, _ = parse("<div> a <b>bold\n text</b> tail <i></i><span>  </span><p>x<br>y</p>"
                    "<a href='#'>\u4e2d  \u6587 </a>" + "<em>" + "long word " * 20 + "</em></div>")
    strip_invisible(root)
    dom = number(root)
    for i in range(len(dom)):
        assert dom.text_of(i) == collapse_ws(" ".join(dom.nodes[i].itertext())), i


def test_posts_counted_up_to_a_bound_count_what_the_joined_text_holds():
    from extractor.extract import _squashed_len_upto
    rng = random.Random(43)
    for _ in range(2000):
        texts = _texts(rng, rng.randint(0, 6))
        full = squashed_len("".join(texts))
        bound = rng.choice([0, 1, 5, 20, 1000, full, full + 1, 0.25 * full])
        got = _squashed_len_upto(iter(texts), bound)
        assert got == full if full < bound else got >= bound, (texts, bound)


def test_dead_links_found_in_python_are_the_xpath_ones():
    from extractor.units import _DEAD_LINKS, dead_link_chars
    rng = random.Random(47)
    hrefs = ["#", " # ", "\t#\n", "#top", "# x", "javascript:", "JavaScript:void(0)", " JAVASCRIPT:x", "javascript :",
             "java script:", "\u00a0#", "#\u00a0", "jAvAsCrIpT:;", "j", "/page", "", "x#", "\njavascript:a", "\u0130"]
    for _ in range(300):
        links = "".join(f"<a href='{rng.choice(hrefs)}'>l{k} <b>in</b></a>" if rng.random() < 0.9 else f"<a>n{k}</a>"
                        for k in range(rng.randint(0, 8)))
        root, _ = parse(f"<div><p>text {links}</p><a href='#'><a href='/x'>nested</a></a></div>")
        strip_invisible(root)
        dom = number(root)
        want = np.zeros(len(dom), dtype=np.int64)
        for el in _DEAD_LINKS(dom.root):
            a = dom.index[el]
            want[a:int(dom.end[a]) + 1] = dom.own_chars[a:int(dom.end[a]) + 1]
        assert dead_link_chars(dom).tolist() == want.tolist(), links
