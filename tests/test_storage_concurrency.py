"""Several writer processes on one database (issue 4's shared SQLite file or PostgreSQL):
overlapping batches in different orders all commit, and every post is stored once."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import sqlalchemy as sa

from storage import Store
from storage.models import Post

WRITERS = 3
THREADS = 12
PER_THREAD = 25

WRITER = textwrap.dedent(
    """
    import random, sys, time
    sys.path.insert(0, {tests!r})
    from storage import Store
    from test_storage_items import post_item, thread_item

    url, seed, start_at = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    order = list(range(1, {threads} + 1))
    random.Random(seed).shuffle(order)
    inserted = 0
    with Store(url) as store:
        time.sleep(max(0.0, start_at - time.time()))  # all writers begin together
        for start in range(0, len(order), 3):
            chunk = order[start:start + 3]
            posts = [post_item(t, i) for t in chunk for i in range(1, {per_thread} + 1)]
            random.Random(seed + start).shuffle(posts)
            inserted += len(store.write_batch([thread_item(t) for t in chunk], posts).inserted)
    print(inserted)
    """
)


def test_concurrent_writers_store_each_post_once(database_url):
    Store(database_url).close()
    code = WRITER.format(tests=str(Path(__file__).parent), threads=THREADS, per_thread=PER_THREAD)
    start_at = time.time() + 3  # after every child has imported and opened its store
    procs = [
        subprocess.Popen([sys.executable, "-c", code, database_url, str(seed), str(start_at)],
                         stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for seed in range(WRITERS)
    ]
    results = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0] * WRITERS, [err[-2000:] for _, err in results]
    reported = sum(int(out.split()[-1]) for out, _ in results)
    with Store(database_url) as store, store.engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(Post)).scalar_one()
        distinct = conn.execute(sa.select(sa.func.count(sa.distinct(Post.post_key)))).scalar_one()
    assert total == distinct == THREADS * PER_THREAD
    if database_url.startswith("sqlite"):  # writers take turns: the counts are exact
        assert reported == THREADS * PER_THREAD
    else:  # each post reported inserted by at least one writer (more only when two raced on it)
        assert THREADS * PER_THREAD <= reported <= WRITERS * THREADS * PER_THREAD
    print(f"posts reported inserted by the {WRITERS} writers together: {reported}")
