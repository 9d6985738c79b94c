"""Saved pages imitating common forum engines split into the expected posts.

Fixtures live in tests/fixtures/engines/ (regenerate with make_fixtures.py):
each <name>.html comes with <name>.json listing the URL, the reference time
for relative dates, and per post its author, floor, date, text snippets that
must (and must not) appear, quotes and post id.
"""
import json
from datetime import datetime
from pathlib import Path

import pytest

from extractor.extract import extract

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "engines"
NAMES = sorted(p.stem for p in FIXTURES.glob("*.json"))


def load(name):
    meta = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    page = extract((FIXTURES / f"{name}.html").read_bytes(), meta["url"],
                   now=datetime.fromisoformat(meta["now"]))
    return meta, page


@pytest.mark.parametrize("name", NAMES)
def test_engine_page_splits_into_expected_posts(name):
    meta, page = load(name)
    expected = meta["posts"]
    assert page.kind == "thread"
    assert [p.author for p in page.posts] == [e["author"] for e in expected]
    assert [p.position for p in page.posts] == list(range(1, len(expected) + 1))
    for post, exp in zip(page.posts, expected):
        assert post.published is not None, post
        assert post.published.isoformat() == datetime.fromisoformat(exp["published"]).isoformat(), post
        if exp.get("floor") is not None:
            assert post.floor == exp["floor"], post
        for snippet in exp["text_contains"]:
            assert snippet in post.text, post
        for snippet in exp["text_excludes"]:
            assert snippet not in post.text, post
        for snippet in exp.get("quotes_contains", []):
            assert any(snippet in q for q in post.quotes), post
        if exp.get("post_id"):
            assert post.post_id == exp["post_id"], post
        assert "<script" not in post.html and "class=" not in post.html


@pytest.mark.parametrize("name", NAMES)
def test_thread_text_is_the_posts_in_order(name):
    meta, page = load(name)
    first, last = meta["posts"][0], meta["posts"][-1]
    assert page.text.index(first["text_contains"][0]) < page.text.index(last["text_contains"][0])
