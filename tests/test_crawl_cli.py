"""``forumcrawl crawl URL -O posts.jsonl``: the CLI runs the generic spider, stores the
posts and writes the same items as a Scrapy feed (here with extraction in two worker
processes, which must store what in-process extraction stores)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.demo.forum import build_forum
from tests.sites import FAST, LiveForum, _env, norm, post_row_count, run_crawl, stored_posts

pytestmark = pytest.mark.slow


def test_forumcrawl_crawl_writes_db_and_feed(tmp_path) -> None:
    live = LiveForum(build_forum(seed=3, threads_per_board=2))
    database = f"sqlite:///{tmp_path / 'cli.db'}"
    feed = tmp_path / "posts.jsonl"
    try:
        forumcrawl = str(Path(sys.executable).with_name("forumcrawl"))
        cmd = [forumcrawl, "crawl", live.url, "--database", database, "-O", str(feed)]
        for setting in (*FAST, "FORUMCRAWL_EXTRACT_PROCESSES=2"):  # also exercises the worker pool
            cmd += ["-s", setting]
        proc = subprocess.run(cmd, cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert "Progress:" in proc.stderr or "Finished:" in proc.stderr
        lines = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]
        posts = [item for item in lines if "position" in item]
        threads = [item for item in lines if "page_number" in item and "position" not in item]
        assert posts and threads, proc.stderr[-3000:]
        assert len(posts) == post_row_count(database)
        assert {p["thread_url"] for p in posts} <= {t["thread_url"] for t in threads}
        assert all(p["site"] == live.server.url for p in posts)
        # The worker pool extracts exactly what the crawler process itself extracts.
        reference = f"sqlite:///{tmp_path / 'reference.db'}"
        run_crawl(live.url, reference)
        assert _rows(stored_posts(reference, live.server.url)) == _rows(stored_posts(database, live.server.url))
    finally:
        live.stop()


def _rows(posts: list[dict]) -> list[tuple]:
    return sorted((p["thread_url"], p["position"], p["author"], norm(p["text"]), p["published"]) for p in posts)
