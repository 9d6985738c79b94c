"""Crawl a freshly installed PHP engine several times under CPU load: failures that show only on a
busy machine (a page answered broken, a race in the crawl) are counted and kept for reading.

    .venv/bin/python bench/engine_repeats.py hybbs --runs 10 --hogs 1 [--out /tmp/engine-repeats]

Each run installs and seeds the engine anew (tests/test_crawl_php_engines.py's runner), starts
``--hogs`` busy processes, crawls the site with the test's settings at LOG_LEVEL=DEBUG and an HTTP
cache, and prints the post score against the engine's own tables, GETs, broken-page refetches and
any engine thread stored under two threads (or two under one).
Under ``--out``: ``<engine><n>.db`` (the store), ``.log`` (the crawl's log) and ``cache<n>/`` (every
response as the crawler got it). Needs PHP, MariaDB and the engine's source (docs/crawl-engines.md).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from datetime import timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]


def crawl_once(forum, out: Path, name: str, run: int, hogs: int) -> str:
    """One crawl of ``forum`` under ``hogs`` busy processes; its one-line summary."""
    from tests.sites import _env, crawl_command, last_run_stats, stored_posts
    from tests.test_crawl_php_engines import SETTINGS, as_scored, metrics, thread_identity_problems

    store = f"sqlite:///{out}/{name}{run}.db"
    command = crawl_command(forum.base_url + "/", store, *SETTINGS, "LOG_LEVEL=DEBUG", "HTTPCACHE_ENABLED=True",
                            f"HTTPCACHE_DIR={out}/cache{run}",
                            # (a server error is not kept: a retry asks the server again, not the cache)
                            "HTTPCACHE_IGNORE_HTTP_CODES=500,502,503,504")
    busy = [subprocess.Popen([sys.executable, "-c", "while 1: pass"]) for _ in range(hogs)]
    try:
        proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300, env=_env())
    finally:
        for hog in busy:
            hog.kill()
    (out / f"{name}{run}.log").write_text(proc.stderr)
    posts = stored_posts(store, forum.base_url)
    score = metrics.score_site(forum.threads, [as_scored(p) for p in posts], naive_as=timezone.utc)
    stats = last_run_stats(store)
    split = thread_identity_problems(forum, posts)
    return (f"{run} exit {proc.returncode} GETs {stats.get('downloader/request_method_count/GET')} "
            f"refetched {stats.get('forumcrawl/refetched_broken', 0)}: {score.summary()}"
            + (f"; threads split or mixed: {split}" if split else ""))


def main(argv: list[str] | None = None) -> int:
    from tests.test_crawl_php_engines import ENGINES, source_dir

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("engine", choices=sorted(ENGINES))
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--hogs", type=int, default=1, help="busy processes during each crawl")
    parser.add_argument("--out", type=Path, default=Path("/tmp/engine-repeats"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    running = ENGINES[args.engine][2]
    for run in range(args.runs):
        try:
            with running(source_dir(args.engine.split("-")[0])) as forum:
                print(crawl_once(forum, args.out, args.engine, run, args.hogs), flush=True)
        except Exception as exc:  # noqa: BLE001 - an engine's setup under load may fail: not counted
            print(f"{run} setup or crawl failed: {str(exc)[:200]}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
