"""Parsing always yields html > body, whatever the input looks like."""
import pytest

from extractor.parse import parse


@pytest.mark.parametrize("html", [
    "", "   ", "just text", "<p>fragment</p>", "<head><title>t</title></head><p>body text</p>",
    '<?xml version="1.0" encoding="utf-8"?><html><body><p>x</p></body></html>',
    "\x00\x01<p>control</p>", "<html></html>", "<div>" * 3000 + "deep" + "</div>" * 3000,
    "<frameset><frame src=a></frameset>", "<table><tr><td>cell",
])
def test_always_html_with_body(html):
    root, warnings = parse(html)
    assert root.tag == "html"
    assert root.find("body") is not None
    assert isinstance(warnings, list)


def test_head_first_document_keeps_body_text():
    root, _ = parse("<head><title>T</title></head><p>Visible paragraph</p>")
    assert "Visible paragraph" in "".join(root.find("body").itertext())


def test_empty_input_is_reported():
    _, warnings = parse("")
    assert warnings == ["empty document"]


def test_element_with_huge_attribute_count_is_capped():
    """150,000 distinct attributes made libxml2 work for minutes (quadratic)."""
    from extractor.parse import MAX_ATTRIBUTES

    attrs = " ".join(f"a{i}=x" for i in range(150_000))
    root, warnings = parse(f"<html><body><div id=d {attrs}>kept text</div><p>after</p></body></html>")
    div = root.find(".//div")
    assert len(div.attrib) == MAX_ATTRIBUTES
    assert div.get("id") == "d" and div.text == "kept text"
    assert root.find(".//p").text == "after"
    assert any("attributes" in w for w in warnings)


def test_long_attribute_values_are_not_capped():
    """A long data: URL or JSON attribute is one attribute, not many."""
    blob = "A" * 200_000
    root, warnings = parse(f'<p class="c" data-x=\'{{"k": 1}}\'>t</p><img alt="x > y" src="data:{blob}">')
    assert root.find(".//img").get("src") == "data:" + blob
    assert root.find(".//p").get("data-x") == '{"k": 1}'
    assert not any("attributes" in w for w in warnings)


def test_huge_tag_ended_by_the_next_tag_is_capped():
    """libxml2 also ends a tag at the next '<': the same quadratic cost without a '>'."""
    from extractor.parse import MAX_ATTRIBUTES

    attrs = " ".join(f"a{i}=x" for i in range(100_000))
    root, warnings = parse(f"<html><body><div {attrs}<p>after</p></body></html>")
    assert 0 < len(root.find(".//div").attrib) <= MAX_ATTRIBUTES
    assert any("attributes" in w for w in warnings)
