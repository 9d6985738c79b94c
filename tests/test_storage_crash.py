"""A writer killed with SIGKILL leaves only whole committed batches; a restart never duplicates."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import sqlalchemy as sa

from storage import Store
from storage.models import Post

BATCH = 300
BATCHES = 5
HANG_AT = 3  # the writer stops inside this batch's transaction, after its INSERTs, before COMMIT

WRITER = textwrap.dedent(
    """
    import sys, time
    from sqlalchemy import event
    sys.path.insert(0, {tests!r})
    from storage import Store
    from test_storage_items import post_item, thread_item

    url, batch, batches, hang_at = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    store = Store(url)
    done = 0

    @event.listens_for(store.engine, "commit")
    def before_commit(conn):
        if hang_at and done + 1 == hang_at:
            print("inside", done + 1, flush=True)
            time.sleep(60)

    for b in range(1, batches + 1):
        posts = [post_item(b, i) for i in range(1, batch + 1)]
        store.write_batch([thread_item(b)], posts)
        done = b
        print("committed", b, flush=True)
    """
)


def writer(url: str, hang_at: int) -> subprocess.Popen:
    code = WRITER.format(tests=str(Path(__file__).parent))
    return subprocess.Popen(
        [sys.executable, "-c", code, url, str(BATCH), str(BATCHES), str(hang_at)],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parent.parent,
    )


def stored_threads(url: str) -> dict[int, int]:
    with Store(url) as store, store.engine.connect() as conn:
        rows = conn.execute(sa.select(Post.thread_id, sa.func.count()).group_by(Post.thread_id)).all()
    return {thread: n for thread, n in rows}


def test_sigkill_mid_batch_keeps_whole_batches_and_restart_does_not_duplicate(database_url):
    Store(database_url).close()  # migrate first, so the child only writes
    child = writer(database_url, HANG_AT)
    lines = []
    try:
        for line in child.stdout:
            lines.append(line.split())
            if line.startswith("inside"):
                os.kill(child.pid, signal.SIGKILL)
                break
    finally:
        child.kill()
        child.wait(timeout=30)
    assert lines[-1] == ["inside", str(HANG_AT)], lines
    counts = stored_threads(database_url)
    assert sorted(counts.values()) == [BATCH] * (HANG_AT - 1)  # committed batches whole, the open one gone
    rerun = writer(database_url, 0)
    out, _ = rerun.communicate(timeout=120)
    assert rerun.returncode == 0 and out.split()[-2:] == ["committed", str(BATCHES)]
    assert sorted(stored_threads(database_url).values()) == [BATCH] * BATCHES
