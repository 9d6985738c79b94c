"""The post-level scoring used by the real-engine tests (tests/engines/metrics.py)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace as P

from tests.engines import metrics

UTC = timezone.utc
CST = timezone(timedelta(hours=8))
T0 = datetime(2024, 3, 14, 9, 26, tzinfo=UTC)

TRUTH = [
    P(author="alice", text="I keep my sourdough starter on the kitchen counter and feed it daily.", published=T0),
    P(author="bob_smith", text="Put it in the fridge, it survives weeks like that.", published=T0 + timedelta(hours=3)),
    P(author="lihua", text="国庆假期想找个离市区不远的地方爬山，最好是一天能来回的路线。", published=T0 + timedelta(hours=5)),
]


def test_tokens_split_words_and_chinese_characters():
    assert metrics.tokens("Hello, World! 爬山路线") == ["hello", "world", "爬", "山", "路", "线"]
    assert metrics.token_f1("a b c", "c b a") == 1.0
    assert metrics.token_f1("a b c d", "a b") == 2 * (1.0 * 0.5) / 1.5
    assert metrics.token_f1("", "a") == 0.0


def test_perfect_extraction_scores_one():
    got = [P(author=t.author, text=t.text, published=t.published.astimezone(CST)) for t in reversed(TRUTH)]
    s = metrics.score_posts(TRUTH, got)
    assert (s.precision, s.recall, s.f1, s.author_accuracy, s.date_accuracy) == (1, 1, 1, 1, 1)
    assert s.failures == []


def test_missed_spurious_wrong_author_and_date_are_counted():
    got = [
        P(author=" Alice ", text=TRUTH[0].text + " Extra", published=T0 + timedelta(seconds=40)),  # ok, ok
        P(author="Posts: 13", text=TRUTH[1].text, published=T0 + timedelta(hours=3, minutes=1)),  # bad, bad
        P(author="x", text="Reply Quote Report", published=None),  # spurious
    ]
    s = metrics.score_posts(TRUTH, got, where="page")
    assert (s.truth, s.extracted, s.matched) == (3, 3, 2)
    assert s.precision == s.recall == 2 / 3
    assert (s.author_ok, s.date_ok) == (1, 1)
    kinds = sorted(f.kind for f in s.failures)
    assert kinds == ["author", "date", "missed", "spurious"]


def test_text_below_threshold_does_not_match():
    half = " ".join(TRUTH[0].text.split()[:5])
    s = metrics.score_posts(TRUTH[:1], [P(author="alice", text=half, published=T0)])
    assert s.matched == 0 and s.f1 == 0.0


def test_each_post_matches_at_most_once():
    got = [P(author="alice", text=TRUTH[0].text, published=T0)] * 2
    s = metrics.score_posts(TRUTH[:1], got)
    assert (s.matched, s.extracted) == (1, 2)


def test_naive_dates_are_wrong_unless_the_site_zone_is_given():
    naive = P(author="alice", text=TRUTH[0].text, published=T0.replace(tzinfo=None))
    assert metrics.score_posts(TRUTH[:1], [naive]).date_ok == 0
    assert metrics.score_posts(TRUTH[:1], [naive], naive_as=UTC).date_ok == 1
    shifted = P(author="alice", text=TRUTH[0].text, published=T0.replace(tzinfo=CST))  # same wall clock, other zone
    assert metrics.score_posts(TRUTH[:1], [shifted]).date_ok == 0


def test_scores_add_up():
    a = metrics.score_posts(TRUTH[:2], [P(author="alice", text=TRUTH[0].text, published=T0)])
    b = metrics.score_posts(TRUTH[2:], [P(author="lihua", text=TRUTH[2].text, published=TRUTH[2].published)])
    s = metrics.total([a, b])
    assert (s.truth, s.extracted, s.matched, s.author_ok, s.date_ok) == (3, 2, 2, 2, 2)
    assert len(s.failures) == 1 and s.failures[0].kind == "missed"


def test_site_score_counts_a_duplicate_as_spurious():
    threads = [P(posts=TRUTH[:2]), P(posts=TRUTH[2:])]
    got = [P(author=t.author, text=t.text, published=t.published) for t in TRUTH] + [
        P(author="alice", text=TRUTH[0].text, published=T0)]
    s = metrics.score_site(threads, got)
    assert (s.truth, s.extracted, s.matched) == (3, 4, 3)
    assert s.recall == 1.0 and s.precision == 0.75
    assert [f.kind for f in s.failures] == ["spurious"]


def test_a_date_a_second_off_across_a_minute_boundary_is_right():
    truth = datetime(2026, 12, 4, 20, 29, 0, tzinfo=timezone.utc)
    assert metrics.same_minute(truth, truth - timedelta(seconds=1))       # "5 秒前" read a second early
    assert metrics.same_minute(truth, truth + timedelta(seconds=59))      # the minute a page shows
    assert not metrics.same_minute(truth, truth - timedelta(seconds=3))
    assert not metrics.same_minute(truth, truth + timedelta(minutes=1))
