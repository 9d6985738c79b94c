"""Random markup never breaks post splitting or listing detection."""
from datetime import datetime, timezone

import lxml.html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor.dom import number, strip_invisible
from extractor.listing import find_entries
from extractor.posts import find_posts
from extractor.structured import read_structured

NOW = datetime(2024, 5, 10, 12, 0, tzinfo=timezone.utc)
TAGS = ["div", "p", "span", "a", "li", "ul", "table", "tr", "td", "blockquote", "time", "b", "pre", "article"]
CLASSES = ["post", "post bg1", "post bg2", "author", "quote", "sig", "content", "sidebar", "comment", ""]
TEXTS = ["alice", "bob", "#3", "3楼", "沙发", "2024-05-03 12:30", "3 hours ago", "昨天 12:30", "Reply", "Quote",
         "A sentence of ordinary prose that goes on.", "一段很普通的中文回复内容。", "", "May 3, 2024", "1714739400"]


@st.composite
def element(draw, depth=0):
    tag = draw(st.sampled_from(TAGS))
    cls = draw(st.sampled_from(CLASSES))
    attrs = f' class="{cls}"' if cls else ""
    if tag == "a":
        attrs += draw(st.sampled_from(['', ' href="/u/1"', ' href="/t/2#p3"', ' href="https://x.example/z"']))
    if tag == "time":
        attrs += draw(st.sampled_from(['', ' datetime="2024-05-03T12:30:00Z"', ' datetime="garbage"']))
    children = ""
    if depth < 4:
        children = "".join(draw(st.lists(element(depth + 1), max_size=4)))
    return f"<{tag}{attrs}>{draw(st.sampled_from(TEXTS))}{children}</{tag}>"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(element(), min_size=1, max_size=6))
def test_random_markup_is_handled(parts):
    html = "<html><body>" + "".join(parts) + "</body></html>"
    root = lxml.html.document_fromstring(html)
    structured = read_structured(root, "https://f.example/t/1")
    strip_invisible(root)
    dom = number(root)
    posts = find_posts(dom, "https://f.example/t/1", now=NOW, structured=structured, template_mask=None, region=None)
    assert [p.position for p in posts] == list(range(1, len(posts) + 1))
    assert all(p.text or p.quotes for p in posts)
    entries = find_entries(dom, "https://f.example/t/1", now=NOW, template_mask=None)
    assert all(e.url.startswith("https://") for e in entries)
