"""Stored post HTML is safe to show: hostile markup in a post body never survives sanitising."""
import re

import lxml.html
import pytest

from extractor import extract
from extractor.fields import sanitize

PAGE = "https://forum.example.org/t/9/page-2"
ALLOWED_SCHEMES = ("http", "https", "mailto", "ftp")
ALLOWED_ATTRIBUTES = {"href", "src", "rel"}

# (name, markup of one post body). Each holds at least one script-capable URL, handler or element.
HOSTILE = [
    ("leading space", '<a href=" javascript:alert(1)">x</a>'),
    ("leading space entity", '<a href="&#x20;javascript:alert(1)">x</a>'),
    ("leading tab entity", '<a href="&#9;javascript:alert(1)">x</a>'),
    ("leading newline", '<a href="\njavascript:alert(1)">x</a>'),
    ("tab inside scheme", '<a href="java&#x09;script:alert(1)">x</a>'),
    ("newline inside scheme", '<a href="java&#10;script:alert(1)">x</a>'),
    ("mixed case", '<a href="JaVaScRiPt:alert(1)">x</a>'),
    ("entity-encoded letter", '<a href="&#106;avascript:alert(1)">x</a>'),
    ("entity-encoded colon", '<a href="javascript&#58;alert(1)">x</a>'),
    ("control char before", '<a href="&#x1;javascript:alert(1)">x</a>'),
    ("vbscript", '<a href="vbscript:msgbox(1)">x</a>'),
    ("data html", '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>'),
    ("data html plain", '<a href="data:text/html,<script>alert(1)</script>">x</a>'),
    ("img javascript", '<img src="javascript:alert(1)">'),
    ("img leading space", '<img src=" javascript:alert(1)">'),
    ("img data svg", '<img src="data:image/svg+xml,&lt;svg onload=alert(1)&gt;">'),
    ("lazy img javascript", '<img data-src="javascript:alert(1)">'),
    ("img onerror", '<img src="x.png" onerror="alert(1)">'),
    ("svg xlink", '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>'),
    ("svg onload", '<svg onload="alert(1)"></svg>'),
    ("math mxss", '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>'),
    ("noscript mxss", '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>'),
    ("comment breakout", '<!--<img src="--><img src=x onerror=alert(1)//">'),
    ("iframe srcdoc", '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>'),
    ("object data", '<object data="javascript:alert(1)"></object>'),
    ("embed", '<embed src="javascript:alert(1)"></embed>'),
    ("form action", '<form action="javascript:alert(1)"><button>go</button></form>'),
    ("base href", '<base href="javascript:/">'),
    ("meta refresh", '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'),
    ("style attribute", '<p style="background:url(javascript:alert(1))">x</p>'),
    ("style element", '<style>body{background:url("javascript:alert(1)")}</style>'),
    ("script", '<script>alert(1)</script>'),
    ("event on link", '<a href="https://ok.example/" onmouseover="alert(1)">x</a>'),
    ("formaction", '<button formaction="javascript:alert(1)">x</button>'),
    ("video poster", '<video poster="javascript:alert(1)"></video>'),
    ("area href", '<map><area href="javascript:alert(1)"></map>'),
    ("target blank", '<a href="https://ok.example/" target="_blank">x</a>'),
    ("upper-case data", '<a href="DATA:TEXT/HTML,&lt;script&gt;alert(1)&lt;/script&gt;">x</a>'),
    ("entities without semicolons", '<a href="&#0000106&#0000097vascript:alert(1)">x</a>'),
    ("carriage return inside scheme", '<a href="java&#13;script:alert(1)">x</a>'),
    ("nested in a quote", '<blockquote><p><a href=" javascript:alert(1)">quoted</a></p></blockquote>'),
    ("img srcset", '<img src="/ok.png" srcset="javascript:alert(1) 1x">'),
    ("object param", '<object><param name="src" value="javascript:alert(1)"></object>'),
    ("link element", '<link rel="stylesheet" href="javascript:alert(1)">'),
    ("a inside svg foreignObject", '<svg><foreignObject><a href="javascript:alert(1)">x</a></foreignObject></svg>'),
    ("feed scheme", '<a href="feed:javascript:alert(1)">x</a>'),
]


def body_html(markup: str) -> str:
    """The sanitised HTML of a post body holding ``markup`` (the same call the post splitter makes)."""
    root = lxml.html.document_fromstring(f"<html><body><div class='body'>{markup} words</div></body></html>")
    body = root.find(".//div[@class='body']")
    return sanitize(body, PAGE, set())


def whatwg_scheme(url: str) -> str | None:
    """The scheme a browser reads in ``url`` (leading/trailing C0 and spaces stripped, tabs and newlines removed)."""
    url = re.sub(r"[\t\n\r]", "", url.strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
                                           "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "))
    m = re.match(r"([a-zA-Z][a-zA-Z0-9+.\-]*):", url)
    return m.group(1).lower() if m else None


def assert_safe(html: str) -> None:
    assert "<script" not in html.lower()
    tree = lxml.html.fragment_fromstring(html, create_parent="div") if html else None
    if tree is None:
        return
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        assert el.tag not in ("script", "style", "svg", "math", "iframe", "object", "embed", "form", "base",
                              "meta", "noscript", "button", "video", "area", "map"), html
        for name, value in el.attrib.items():
            assert name in ALLOWED_ATTRIBUTES, html
            if name in ("href", "src"):
                scheme = whatwg_scheme(value)
                assert scheme in ALLOWED_SCHEMES, (value, html)


@pytest.mark.parametrize("name, markup", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_markup_is_neutralised(name, markup):
    html = body_html(markup)
    assert_safe(html)
    assert "onerror" not in html and "onload" not in html and "onmouseover" not in html
    assert "javascript:" not in html.lower() and "vbscript" not in html.lower()
    assert "words" in html   # the post's own text is kept


def test_safe_markup_and_relative_urls_are_kept_absolute():
    html = body_html('<p>Hi <b>bold</b> <a href="../u/7">ann</a> <a href="mailto:a@example.org">mail</a> '
                     '<img data-src="/img/cat.png"> <a href=" /t/10 ">spaced</a></p><blockquote>quoted</blockquote>'
                     '<ul><li>one</li></ul><pre><code>x = 1</code></pre>')
    assert 'href="https://forum.example.org/t/u/7"' in html
    assert 'href="mailto:a@example.org"' in html
    assert 'src="https://forum.example.org/img/cat.png"' in html
    assert 'href="https://forum.example.org/t/10"' in html
    for tag in ("<p>", "<b>", "<blockquote>", "<ul>", "<li>", "<pre>", "<code>"):
        assert tag in html
    assert html.startswith("<div>") and html.endswith("</div>")


def test_unknown_tags_keep_their_text_and_dropped_ones_do_not():
    html = body_html('<font color="red">red text</font><custom-tag>custom</custom-tag>'
                     '<textarea>typed</textarea><template>hidden</template>')
    assert "red text" in html and "custom" in html
    assert "typed" not in html and "hidden" not in html
    assert "font" not in html and "custom-tag" not in html


def test_skipped_elements_are_left_out_with_their_tail_kept():
    root = lxml.html.fragment_fromstring("<div>before <span class='sig'>signature</span> after</div>")
    sig = root.find("span")
    html = sanitize(root, PAGE, {sig})
    assert "signature" not in html and "before" in html and "after" in html


def test_hostile_posts_through_extract():
    posts = "".join(f"<div class='post'><b class='name'>user{i}</b> <span class='when'>2024-05-0{i % 9 + 1} 10:00</span>"
                    f"<div class='msg'>{markup} post number {i} says something</div></div>"
                    for i, (_, markup) in enumerate(HOSTILE))
    page = extract(f"<html><body><div id='posts'>{posts}</div></body></html>".encode(), PAGE)
    assert len(page.posts) >= len(HOSTILE) - 2
    for post in page.posts:
        assert_safe(post.html)
        assert "javascript:" not in post.html.lower()
