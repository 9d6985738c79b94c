"""Exit codes and run statuses from a crawl's close reason (crawler/cli/crawl.py, storage/runs.py):
a crawl that lost its shared frontier or its database, or never reached its start URL, fails;
one stopped on purpose is interrupted (resumable)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from crawler.cli.crawl import crawl_outcome
from storage.runs import run_status


def crawler(reason: str, **stats) -> SimpleNamespace:
    collected = {"finish_reason": reason, "forumcrawl/start_requested": 1, "forumcrawl/pages": 3, **stats}
    return SimpleNamespace(spider=object(), stats=SimpleNamespace(get_stats=lambda: collected))


@pytest.mark.parametrize("reason", ["frontier_lost", "start_unreachable", "database_error"])
def test_failed_close_reasons_exit_1_from_both_commands_and_record_failed(reason) -> None:
    for strict in (True, False):
        code, message = crawl_outcome(crawler(reason), {}, strict=strict)
        assert code == 1 and message
    assert run_status(reason) == "failed"


def test_a_stop_asked_for_is_interrupted_and_only_forumcrawl_crawl_exits_1() -> None:
    assert crawl_outcome(crawler("shutdown"), {}, strict=True)[0] == 1
    assert crawl_outcome(crawler("shutdown"), {}, strict=False) == (0, None)
    assert run_status("shutdown") == "interrupted"
    assert run_status("finished") == "finished"
    assert run_status("finished", unsaved=True) == "failed"


def test_a_crawl_that_fetched_nothing_exits_1() -> None:
    nothing = crawler("finished", **{"forumcrawl/pages": 0, "forumcrawl/skipped/refused": 1})
    for strict in (True, False):
        code, message = crawl_outcome(nothing, {}, url="http://127.0.0.1:1/", strict=strict)
        assert code == 1 and message.startswith("fetched no page from http://127.0.0.1:1/")
    assert crawl_outcome(crawler("finished"), {}, strict=False) == (0, None)
    unchanged = crawler("finished", **{"forumcrawl/pages": 0, "forumcrawl/incremental/not_modified": 1})
    assert crawl_outcome(unchanged, {}, strict=True) == (0, None)   # a re-crawl that found nothing new
