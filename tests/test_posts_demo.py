"""Every page of the bundled demo forum (four engine styles) splits into its posts.

The demo forum (crawler/demo/forum.py) renders phpBB-, vBulletin-, XenForo-
and Discuz!-style thread pages, including pages that show a single post; the
extractor must return exactly the posts the forum says each page shows.
"""
from collections import defaultdict

import pytest

from crawler.demo.forum import build_forum
from extractor.extract import extract

FORUM = build_forum()


def pages():
    expected = defaultdict(list)
    for post in FORUM.expected_posts():
        expected[(post["thread_path"], post["page_number"])].append(post)
    urls = {}
    for board in FORUM.boards:
        for thread in board.threads:
            for n in range(1, FORUM.thread_pages(thread) + 1):
                urls[(FORUM.thread_url(board, thread, 1), n)] = FORUM.thread_url(board, thread, n)
    return [(urls[k], sorted(v, key=lambda p: p["position"])) for k, v in expected.items()]


@pytest.mark.parametrize("path, posts", pages(), ids=lambda x: x if isinstance(x, str) else "")
def test_demo_page_posts(path, posts):
    status, ctype, body = FORUM.route(path)
    assert status == 200
    page = extract(body, "http://127.0.0.1:8000" + path, headers={"Content-Type": ctype})
    assert [p.author for p in page.posts] == [p["author"] for p in posts]
    for got, want in zip(page.posts, posts):
        assert want["text"].split(". ")[0] in got.text
        assert got.published is not None and got.published.replace(tzinfo=None) == want["posted"]
