"""``forumcrawl crawl URL -O posts.jsonl``: the CLI runs the generic spider, stores the
posts and writes the same items as a Scrapy feed."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.demo.forum import build_forum
from tests.sites import FAST, LiveForum, _env, post_row_count

pytestmark = pytest.mark.slow


def test_forumcrawl_crawl_writes_db_and_feed(tmp_path) -> None:
    live = LiveForum(build_forum(seed=3, threads_per_board=2))
    database = f"sqlite:///{tmp_path / 'cli.db'}"
    feed = tmp_path / "posts.jsonl"
    try:
        forumcrawl = str(Path(sys.executable).with_name("forumcrawl"))
        cmd = [forumcrawl, "crawl", live.url, "--database", database, "-O", str(feed)]
        for setting in FAST:
            cmd += ["-s", setting]
        proc = subprocess.run(cmd, cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert "Progress:" in proc.stderr or "Finished:" in proc.stderr
        lines = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]
        posts = [item for item in lines if "position" in item]
        threads = [item for item in lines if "page_number" in item and "position" not in item]
        assert posts and threads
        assert len(posts) == post_row_count(database)
        assert {p["thread_url"] for p in posts} <= {t["thread_url"] for t in threads}
        assert all(p["site"] == live.server.url for p in posts)
    finally:
        live.stop()
