"""Per-thread post figures of the extractor on real forum engines run on 127.0.0.1.

    .venv/bin/python bench/engine_posts.py [--engine misago|spirit|all] [--failures 30]

Starts each engine as the tests do (cached virtualenv built from PyPI on first
use, seeded template database copied for this run; Misago needs the PostgreSQL
server of FORUMCRAWL_TEST_POSTGRES_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/postgres),
fetches every page of every seeded thread over HTTP, runs ``extractor.extract``
and prints, per thread and per engine: truth posts, extracted posts, matched,
precision, recall, F1, author and date accuracy over matched posts, whether
``next_page_url`` was right on every page, and the extraction time per page;
then the first failures (missed, spurious, wrong author, wrong date) in detail.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.engines import ENGINES, metrics  # noqa: E402
from tests.engines.server import ForumServer, running_forum  # noqa: E402

PG_URL = os.environ.get("FORUMCRAWL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def fetch(url: str) -> tuple[bytes, dict[str, str]]:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return resp.read(), dict(resp.headers.items())


def measure(forum: ForumServer, show_failures: int) -> metrics.Score:
    from extractor import extract

    print(f"\n== {forum.engine.key}  {forum.base_url}")
    print(f"{'pages':>5} {'truth':>5} {'got':>4} {'match':>5} {'P':>6} {'R':>6} {'F1':>6} {'author':>6} "
          f"{'date':>6} {'next':>4} {'ms/pg':>6}  thread")
    overall = metrics.Score()
    for thread in forum.threads:
        score, next_ok, seconds = metrics.Score(), True, 0.0
        for n, page in enumerate(thread.pages):
            body, headers = fetch(page.url)
            started = time.perf_counter()
            result = extract(body, page.url, headers=headers)
            seconds += time.perf_counter() - started
            score = score + metrics.score_posts(thread.page_posts(page), result.posts, where=page.url,
                                                naive_as=forum.engine.naive_dates_in)
            expected_next = thread.pages[n + 1].url if n + 1 < len(thread.pages) else None
            next_ok &= result.next_page_url == expected_next
        overall = overall + score
        print(f"{len(thread.pages):>5} {score.truth:>5} {score.extracted:>4} {score.matched:>5} "
              f"{score.precision:>6.3f} {score.recall:>6.3f} {score.f1:>6.3f} {score.author_accuracy:>6.3f} "
              f"{score.date_accuracy:>6.3f} {'yes' if next_ok else 'NO':>4} "
              f"{1000 * seconds / len(thread.pages):>6.1f}  {thread.title}")
    print(f"all: {overall.summary()}")
    for failure in overall.failures[:show_failures]:
        print(failure)
    if len(overall.failures) > show_failures:
        print(f"... {len(overall.failures) - show_failures} more failures")
    return overall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", default="all", choices=["all", *ENGINES])
    parser.add_argument("--failures", type=int, default=30, help="how many failures to print per engine")
    args = parser.parse_args()
    names = list(ENGINES) if args.engine == "all" else [args.engine]
    totals = {}
    for name in names:
        started = time.monotonic()
        pg = PG_URL if ENGINES[name].database == "postgres" else None
        with running_forum(name, pg, log=lambda msg, name=name: print(f"[{name}] {msg}")) as forum:
            print(f"[{name}] serving after {time.monotonic() - started:.1f} s")
            totals[name] = measure(forum, args.failures)
    print("\nengine   " + " ".join(f"{k:>7}" for k in ("F1", "P", "R", "author", "date")))
    for name, s in totals.items():
        print(f"{name:8} " + " ".join(f"{v:>7.3f}" for v in (s.f1, s.precision, s.recall, s.author_accuracy,
                                                            s.date_accuracy)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
