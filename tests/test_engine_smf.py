"""A whole-site crawl of Simple Machines Forum 2.1, an engine the crawler was not written for (issue 9).

SMF (PHP + MariaDB, run with ``php -S`` on 127.0.0.1; see tests/engines/smf.py and
docs/engines.md) links every post under many URLs: ``topic=5.0`` and ``topic=5.5``
windows, ``topic=5.msg12#msg12`` and ``?msg=12`` permalinks, print views,
``;prev_next=`` neighbours, profiles, login and action links, ``;``-separated
parameters. One ``scrapy crawl generic`` of its front page must store each of SMF's
messages once (post F1 >= 0.95 against SMF's own messages table, no post twice),
spending at most 3 GETs per thread page. Skipped when PHP, the SMF source or the
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


@pytest.fixture(scope="module")
def crawled(smf: ForumServer, tmp_path_factory) -> tuple[list[dict], dict]:
    """One crawl of the whole forum into SQLite: (stored posts, the run's stats)."""
    store = f"sqlite:///{tmp_path_factory.mktemp('smf') / 'forumcrawl.db'}"
    run_crawl(smf.base_url + "/", store, *SETTINGS, timeout=240)
    posts, stats = stored_posts(store, smf.base_url), last_run_stats(store)
    print(f"[smf] {stats.get('downloader/request_method_count/GET')} GETs, "
          f"{stats.get('forumcrawl/thread_pages')} thread pages, {len(posts)} posts stored "
          f"for {len(smf.all_posts())}; {stats.get('forumcrawl/gets_per_thread_page')} GETs per thread page")
    return posts, stats


def test_the_seeded_forum_is_worth_crawling(smf: ForumServer) -> None:
    """The harness: several boards, multi-page topics, Chinese text, several authors."""
    assert len(smf.threads) >= 15 and len({t.board for t in smf.threads}) >= 3
    assert any(len(t.pages) >= 3 for t in smf.threads)
    assert any(not t.posts[0].text.isascii() for t in smf.threads)
    assert len({p.author for p in smf.all_posts()}) >= 6


def test_every_smf_message_is_stored_once(smf: ForumServer, crawled: tuple[list[dict], dict]) -> None:
    posts, _ = crawled
    score = metrics.score_site(smf.threads, [as_scored(p) for p in posts], naive_as=smf.engine.naive_dates_in)
    report = [f"{len(posts)} stored for {len(smf.all_posts())}: {score.summary()}"]
    twice = [(k, n) for k, n in Counter(norm(p["text"]) for p in posts).items() if n > 1]
    report += [f"stored {n}x: {k[:70]!r}" for k, n in twice[:10]]
    report += [str(f) for f in score.failures[:10]]
    assert score.f1 >= F1_TARGET and not twice, "\n".join(report)
    assert score.author_accuracy >= AUTHOR_TARGET and score.date_accuracy >= DATE_TARGET, "\n".join(report)


def test_smf_posts_sit_in_their_topics_pages(smf: ForumServer, crawled: tuple[list[dict], dict]) -> None:
    """Each post of a multi-page topic under the topic's URL, with a page SMF shows it on."""
    posts, _ = crawled
    problems = check_pages(smf, posts)
    assert not problems, "\n".join(problems)


def test_smf_crawl_spends_few_gets_per_thread_page(smf: ForumServer, crawled: tuple[list[dict], dict]) -> None:
    _, stats = crawled
    pages = sum(len(t.pages) for t in smf.threads)
    gets = stats["downloader/request_method_count/GET"]
    assert gets / pages <= GETS_PER_THREAD_PAGE, f"{gets} GETs for {pages} thread pages"
    assert stats["forumcrawl/gets_per_thread_page"] <= GETS_PER_THREAD_PAGE, stats


def test_every_smf_topic_page_is_read_as_a_thread_page(smf: ForumServer, crawled: tuple[list[dict], dict]) -> None:
    posts, _ = crawled
    stored_threads = {canonicalize(p["thread_url"]) for p in posts}
    missing = [t.url for t in smf.threads if canonicalize(t.url) not in stored_threads]
    assert not missing, f"topics stored without any post: {missing}"
