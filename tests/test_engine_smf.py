"""A whole-site crawl of Simple Machines Forum 2.1, an engine the crawler was not written for (issue 9).

SMF (PHP + MariaDB, run with ``php -S`` on 127.0.0.1; see tests/engines/smf.py and
docs/engines.md) links every post under many URLs: ``topic=5.0`` and ``topic=5.5``
windows, ``topic=5.msg12#msg12`` and ``?msg=12`` permalinks, print views,
``;prev_next=`` neighbours, profiles, login and action links, ``;``-separated
parameters. One ``scrapy crawl generic`` of its front page must store each of SMF's
messages once (post F1 >= 0.95 against SMF's own messages table, no post twice),
spending at most 3 GETs per thread page; its board pages read as listings of their
topics (SMF's installer board holds one topic whose byline is longer than its title;
``bench/engine_boards.py --engine smf``). Skipped when PHP, the SMF source or the
database server is missing.
"""
from __future__ import annotations

from collections import Counter
from typing import Iterator

import pytest

from tests.engines import metrics
from tests.engines.server import ForumServer
from tests.sites import last_run_stats, norm, run_crawl, stored_posts
from crawler.urls import canonicalize
from tests.test_crawl_engines import AUTHOR_TARGET, DATE_TARGET, SETTINGS, as_scored, check_pages
from tests.test_crawl_php_engines import board_problems

pytestmark = pytest.mark.slow

F1_TARGET = 0.95
GETS_PER_THREAD_PAGE = 3.0


@pytest.fixture(scope="module")
def smf() -> Iterator[ForumServer]:
    from tests.engines import smf

    reason = smf.missing()
    if reason:
        pytest.skip(f"SMF cannot run here: {reason}")
    with smf.running_smf(log=lambda msg: print(f"[smf] {msg}")) as forum:
        yield forum


def test_whole_site_crawl_of_smf(smf: ForumServer, tmp_path) -> None:
    """One test item, so SMF is installed once: pytest-xdist never splits an item across
    workers (it split this module's separate tests, each worker installing SMF)."""
    store = f"sqlite:///{tmp_path / 'forumcrawl.db'}"
    run_crawl(smf.base_url + "/", store, *SETTINGS, timeout=240)
    posts, stats = stored_posts(store, smf.base_url), last_run_stats(store)
    print(f"[smf] {stats.get('downloader/request_method_count/GET')} GETs, "
          f"{stats.get('forumcrawl/thread_pages')} thread pages, {len(posts)} posts stored "
          f"for {len(smf.all_posts())}; {stats.get('forumcrawl/gets_per_thread_page')} GETs per thread page")
    problems = (harness_too_small(smf) + stored_not_once(smf, posts) + check_pages(smf, posts)
                + too_many_fetches(smf, stats) + topics_without_posts(smf, posts) + board_problems(smf))
    assert not problems, "\n".join(problems)


def harness_too_small(smf: ForumServer) -> list[str]:
    """The harness: several boards, multi-page topics, Chinese text, several authors."""
    ok = (len(smf.threads) >= 15 and len({t.board for t in smf.threads}) >= 3
          and any(len(t.pages) >= 3 for t in smf.threads) and any(not t.posts[0].text.isascii() for t in smf.threads)
          and len({p.author for p in smf.all_posts()}) >= 6)
    return [] if ok else [f"the seeded forum is too small to judge: {len(smf.threads)} topics"]


def stored_not_once(smf: ForumServer, posts: list[dict]) -> list[str]:
    """Each of SMF's messages stored once (post F1, authors and dates)."""
    score = metrics.score_site(smf.threads, [as_scored(p) for p in posts], naive_as=smf.engine.naive_dates_in)
    twice = [(k, n) for k, n in Counter(norm(p["text"]) for p in posts).items() if n > 1]
    if (score.f1 >= F1_TARGET and not twice and score.author_accuracy >= AUTHOR_TARGET
            and score.date_accuracy >= DATE_TARGET):
        return []
    return ([f"{len(posts)} stored for {len(smf.all_posts())}: {score.summary()}"]
            + [f"stored {n}x: {k[:70]!r}" for k, n in twice[:10]] + [str(f) for f in score.failures[:10]])


def too_many_fetches(smf: ForumServer, stats: dict) -> list[str]:
    pages = sum(len(t.pages) for t in smf.threads)
    gets = stats["downloader/request_method_count/GET"]
    if gets / pages <= GETS_PER_THREAD_PAGE and stats["forumcrawl/gets_per_thread_page"] <= GETS_PER_THREAD_PAGE:
        return []
    return [f"{gets} GETs for {pages} thread pages ({stats['forumcrawl/gets_per_thread_page']} a thread page read)"]


def topics_without_posts(smf: ForumServer, posts: list[dict]) -> list[str]:
    """Every SMF topic page read as a thread page: each topic has posts stored under it."""
    stored_threads = {canonicalize(p["thread_url"]) for p in posts}
    return [f"topic stored without any post: {t.url}" for t in smf.threads if canonicalize(t.url) not in stored_threads]
