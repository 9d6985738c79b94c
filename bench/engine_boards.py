"""Board pages of real forum engines and of the demo forum: are they listings of their threads?

    .venv/bin/python bench/engine_boards.py [--engine all|demo|misago|spirit|machina|discuz|fluxbb|smf] [--wrong 10]

For each engine (started as the tests do: cached virtualenv built from PyPI on
first use, seeded template database copied for this run; Misago needs the
PostgreSQL server of FORUMCRAWL_TEST_POSTGRES_URL, default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres) and for the bundled demo
forum (``crawler/demo``, served from its static pages), and for the PHP
engines Discuz! X 3.5, FluxBB and SMF 2.1 (installed and seeded as their tests
do, tests/engines/php/ and tests/engines/smf.py; skipped with one line saying
why when PHP, MariaDB or the engine's source is missing), it fetches the home
page, follows the home page's links whose text is a board name of the ground
truth, and each board page's own next page (``Page.next_page_url``), runs
``extractor.extract`` on every page and prints, per board: the pages read,
their kinds, the entries found, the board's threads in the truth, recall (the
board's threads listed on some page) and precision (entries whose URL is a URL
of one of the board's threads: its first page, another page, or a post; a
thread listed twice on one page counts once); then the home page's kind and
how many of its entries are board links; then one line per engine. Scoring
rules: ``tests/engines/boards.py``. Issue 8's target: recall >= 0.95 and
precision >= 0.9 on every engine.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.engines import ENGINES, boards  # noqa: E402

PG_URL = os.environ.get("FORUMCRAWL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PHP_ENGINES = ["discuz", "fluxbb", "smf"]
NAMES = ["demo", *ENGINES, *PHP_ENGINES]
Measured = "tuple[boards.HomeResult, list[boards.BoardResult]]"


def php_missing(name: str) -> str | None:
    """Why a PHP engine cannot run here, or None."""
    if name == "smf":
        from tests.engines import smf

        return smf.missing()
    from tests.engines.php import discuz, fluxbb, missing

    return missing(name, (discuz if name == "discuz" else fluxbb).PHP_MODULES, True)


def measure_php(name: str) -> Measured:
    """A PHP engine installed, seeded and served for this run."""
    log = lambda msg: print(f"[{name}] {msg}")  # noqa: E731
    if name == "smf":
        from tests.engines import smf

        with smf.running_smf(log=log) as forum:
            return boards.score_forum(forum.base_url + "/", boards.engine_boards(forum))
    from tests.engines.php import discuz, fluxbb, source_dir

    running = discuz.running_discuz if name == "discuz" else fluxbb.running_fluxbb
    with running(source_dir(name)) as forum:
        log(f"installed and seeded at {forum.base_url}: {len(forum.threads)} threads")
        return boards.score_forum(forum.base_url + "/", boards.engine_boards(forum))


def measure(name: str) -> Measured:
    if name in PHP_ENGINES:
        return measure_php(name)
    if name == "demo":
        from crawler.demo import serve_bundled
        from crawler.demo.forum import build_forum

        server = serve_bundled()
        try:
            base = server.url
            return boards.score_forum(base + "/", boards.demo_boards(build_forum(), base))
        finally:
            server.stop()
    from tests.engines.server import running_forum

    pg = PG_URL if ENGINES[name].database == "postgres" else None
    with running_forum(name, pg, log=lambda msg: print(f"[{name}] {msg}")) as forum:
        return boards.score_forum(forum.base_url + "/", boards.engine_boards(forum))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", default="all", choices=["all", *NAMES])
    parser.add_argument("--wrong", type=int, default=10, help="how many wrong entry URLs to print per engine")
    args = parser.parse_args()
    names = NAMES if args.engine == "all" else [args.engine]
    summary = []
    for name in names:
        reason = php_missing(name) if name in PHP_ENGINES else None
        if reason:
            print(f"\n== {name}  skipped: {reason}")
            continue
        started = time.monotonic()
        home, results = measure(name)
        print(f"\n== {name}  ({time.monotonic() - started:.1f} s)")
        print(boards.table(results))
        print(f"home page: kind {home.kind}, {home.entries} entries, {home.board_entries} of them board links")
        wrong = [u for r in results for u in r.wrong]
        for url in wrong[:args.wrong]:
            print(f"  wrong entry: {url}")
        missed = [r.name for r in results if r.url is None]
        if missed:
            print(f"  boards without a link on the home page: {', '.join(missed)}")
        recall, precision = boards.totals(results)
        summary.append((name, len(results), sum(r.truth for r in results), sum(r.entries for r in results),
                        recall, precision, home))
    print(f"\n{'engine':<8} {'boards':>6} {'threads':>7} {'entries':>7} {'recall':>6} {'prec':>6}  home")
    for name, n, truth, entries, recall, precision, home in summary:
        print(f"{name:<8} {n:>6} {truth:>7} {entries:>7} {recall:>6.3f} {precision:>6.3f}  "
              f"{home.kind} ({home.entries} entries, {home.board_entries} boards)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
