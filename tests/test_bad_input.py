"""Any bytes at all give a Page: random, mutated, truncated, binary, deep, huge-ish."""
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor import Page, extract

SAMPLE = ("<html><head><meta charset='utf-8'><title>Thread</title></head><body><div class='nav'>"
          "<a href='/'>Home</a></div><div class='post'><div class='author'>alice</div><p>First post "
          "with enough words to be content, really quite a few of them.</p></div><div class='post'>"
          "<div class='author'>bob</div><p>Second post, replying with more words than needed.</p></div>"
          "<script>var x='<div>';</script></body></html>")


def check(page):
    assert isinstance(page, Page)
    assert page.kind in ("thread", "article", "listing", "other")
    assert isinstance(page.text, str)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_random_bytes(data):
    check(extract(data, "http://example.com/t/1"))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("<>/=\"' abcdiv pspanhtmlbody&#;\x00\n\u4e2d")), max_size=800))
def test_random_markup_text(text):
    check(extract(text, "http://example.com/t/1"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(SAMPLE)), st.integers(0, 40),
                          st.sampled_from(["", "<", ">", "</div>", "<div>", "\x00", "&", "\xff", "<p"])),
                max_size=12))
def test_mutated_html(edits):
    html = SAMPLE
    for pos, cut, insert in edits:
        pos = min(pos, len(html))
        html = html[:pos] + insert + html[pos + cut:]
    check(extract(html.encode("utf-8", "surrogateescape"), "http://example.com/t/1"))


def test_truncations_never_raise():
    data = SAMPLE.encode()
    for end in range(0, len(data), 7):
        check(extract(data[:end], "http://example.com/t/1"))


def test_degenerate_documents():
    cases = [b"", b"\x00" * 100, bytes(random.Random(1).randrange(256) for _ in range(5000)),
             b"<div>" * 20000 + b"deep" + b"</div>" * 20000, b"<head><title>t</title></head>",
             b"<p>only a fragment of a page</p>", "caf\u00e9 <b>x</b>".encode("latin-1"),
             b"<html><body>" + b"<p>para</p>" * 20000 + b"</body></html>"]
    for data in cases:
        page = extract(data, "not a url")
        check(page)
    assert extract(b"", "http://x/").warnings
