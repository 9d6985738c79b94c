"""CPU cost of the store's writes on a real crawl's batches: ``python -m storage.replaybench CAPTURE``.

``CAPTURE`` is written by ``bench/throughput.py`` with ``FORUMCRAWL_BENCH_CAPTURE=FILE``:
every ``Store.write_batch`` call of the crawl (threads, posts, pages, options),
pickled one after the other. They are written again, in order, into a fresh
store (a throw-away SQLite file unless ``--database``), twice: the first pass is
a first crawl, the second a re-crawl of unchanged pages. Prints this process's
CPU time per post of each pass, which other jobs on a shared machine disturb
much less than wall time, without the crawl around it.
"""
from __future__ import annotations

import argparse
import pickle
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from .store import Store


def read_capture(path: str) -> Iterator[tuple]:
    """The (threads, posts, pages, options) of each captured call (a file this project wrote: pickle)."""
    with open(path, "rb") as fh:
        while True:
            try:
                yield pickle.load(fh)
            except EOFError:
                return


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("capture")
    parser.add_argument("--database", help="SQLAlchemy URL of an empty database (default: a temporary SQLite file)")
    args = parser.parse_args(argv)
    batches = list(read_capture(args.capture))
    posts = sum(len(posts) for _, posts, _, _ in batches) or 1
    with tempfile.TemporaryDirectory() as tmp:
        with Store(args.database or f"sqlite:///{Path(tmp) / 'replay.db'}") as store:
            for label in ("first write", "unchanged again"):
                cpu = time.process_time()
                for threads, items, pages, options in batches:
                    options = {k: v for k, v in options.items() if k != "clear_outbox"}  # marks of another db
                    store.write_batch(threads, items, pages, **options)
                cpu = time.process_time() - cpu
                print(f"{label}: {len(batches)} batches, {posts} posts, CPU {1000 * cpu / posts:.3f} ms/post")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
