"""Board pages of real forum engines (and of the bundled demo forum) are listings of their threads.

The board pages are reached as a reader reaches them: the home page's links whose
text is a board's name, then each board page's next page. Per engine, over all its
boards: entries recall >= 0.95 (the board's threads listed on some page of the
board) and precision >= 0.9 (entries that are a URL of one of the board's
threads); the home page, a list of boards or of recent threads, is a listing too.
Scoring: tests/engines/boards.py; figures: bench/engine_boards.py.
"""
from __future__ import annotations

import pytest

from tests.engines import boards
from tests.engines.fixtures import (  # noqa: F401 - pytest fixtures
    machina_forum, misago_forum, punkweb_forum, spirit_forum)

RECALL_TARGET = 0.95
PRECISION_TARGET = 0.9


def check(home: boards.HomeResult, results: list[boards.BoardResult]) -> None:
    assert all(r.url for r in results), [r.name for r in results if not r.url]
    recall, precision = boards.totals(results)
    detail = boards.table(results) + f"\nwrong: {[u for r in results for u in r.wrong][:10]}"
    assert recall >= RECALL_TARGET, detail
    assert precision >= PRECISION_TARGET, detail
    assert all(p.kind == "listing" for r in results for p in r.pages), detail
    assert home.kind == "listing" and home.entries >= 2, home


@pytest.mark.slow
@pytest.mark.parametrize("fixture", [pytest.param("misago_forum", marks=pytest.mark.postgres),
                                     "spirit_forum", "machina_forum", "punkweb_forum"])
def test_engine_board_pages_list_their_threads(fixture, request):
    forum = request.getfixturevalue(fixture)
    truth = boards.engine_boards(forum)
    assert len(truth) >= 2 and any(len(b.threads) <= 2 for b in truth)   # a board of two threads
    check(*boards.score_forum(forum.base_url + "/", truth))


def test_demo_forum_board_pages_list_their_threads():
    """Five boards in four markups; every board's second page lists one thread."""
    from crawler.demo import serve_bundled
    from crawler.demo.forum import build_forum

    server = serve_bundled()
    try:
        truth = boards.demo_boards(build_forum(), server.url)
        home, results = boards.score_forum(server.url + "/", truth)
    finally:
        server.stop()
    assert sum(len(r.pages) for r in results) > len(results)   # boards over several pages
    check(home, results)
    assert home.board_entries == len(truth)
