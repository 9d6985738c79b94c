"""Board pages of the PHP engines (Discuz! X 3.5, FluxBB, SMF 2.1) are listings of their threads (issue 8).

As tests/test_engine_boards.py does for the Python engines: the home page's links
whose text is a board's name, then each board page's next page; over all boards,
entries recall >= 0.95 and precision >= 0.9, and every board page read is a
listing (a next page that is a thread page, taken from a row's own page links or
reply count, would show as a page of another kind). SMF's installer board holds
one topic whose byline is longer than its title; Discuz's last board page links
each topic's reply count with ``&extra=page%3D2``. The home pages are not checked
here (one board on Discuz and FluxBB). Figures: ``bench/engine_boards.py --engine
discuz|fluxbb|smf``. Skips when PHP, the engine source or the database server is missing.
"""
from __future__ import annotations

from typing import Iterator

import pytest

from tests.engines import boards
from tests.test_crawl_php_engines import _skip_or_fail
from tests.test_engine_boards import PRECISION_TARGET, RECALL_TARGET

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=["discuz", "fluxbb", "smf"])
def php_forum(request) -> Iterator:
    if request.param == "smf":
        from tests.engines import smf

        reason = smf.missing()
        if reason:
            pytest.skip(f"SMF cannot run here: {reason}")
        with smf.running_smf(log=lambda msg: print(f"[smf] {msg}")) as forum:
            yield forum
        return
    from tests.engines.php import discuz, fluxbb, missing, source_dir

    engine = discuz if request.param == "discuz" else fluxbb
    reason = missing(request.param, engine.PHP_MODULES, True)
    if reason:
        _skip_or_fail(reason)
    running = discuz.running_discuz if request.param == "discuz" else fluxbb.running_fluxbb
    with running(source_dir(request.param)) as forum:
        yield forum


def test_php_engine_board_pages_list_their_threads(php_forum) -> None:
    home, results = boards.score_forum(php_forum.base_url + "/", boards.engine_boards(php_forum))
    recall, precision = boards.totals(results)
    detail = boards.table(results) + f"\nwrong: {[u for r in results for u in r.wrong][:10]}"
    print(f"\n{detail}\nrecall {recall:.3f} precision {precision:.3f}")
    assert all(r.url for r in results), [r.name for r in results if not r.url]
    assert recall >= RECALL_TARGET and precision >= PRECISION_TARGET, detail
    assert all(p.kind == "listing" for r in results for p in r.pages), detail
