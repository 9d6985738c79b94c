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
