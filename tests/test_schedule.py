"""Recurring crawls: periods, the CLI, and the service starting due crawls one
at a time per site and recording every run in crawl_runs (real SQLite and
PostgreSQL; the crawl is a small recording script standing in for scrapy)."""
from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta, timezone

import pytest

from crawler.cli import main
from crawler.schedule import ScheduleService, parse_every, parse_spider_args, run_status, runs_of_schedule, scrapy_command
from storage import Store

FAKE_CRAWL = """
import json, sys, time
url, run_id, marks, code = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
with open(marks, "a") as fh:
    fh.write(json.dumps({"url": url, "run": run_id, "at": time.time(), "event": "start"}) + "\\n")
time.sleep(0.3)
with open(marks, "a") as fh:
    fh.write(json.dumps({"url": url, "run": run_id, "at": time.time(), "event": "end"}) + "\\n")
sys.exit(code)
"""


def test_parse_every_and_spider_args():
    assert parse_every("6h") == 21600
    assert parse_every("1h30m") == 5400
    assert parse_every("90") == 90
    assert parse_every("1d") == 86400 and parse_every("2w") == 1209600
    for bad in ("", "6x", "h", "0", "6h fish"):
        with pytest.raises(ValueError):
            parse_every(bad)
    assert parse_spider_args(["max_pages=10", "allow=/t/?a=b"]) == {"max_pages": "10", "allow": "/t/?a=b"}
    with pytest.raises(ValueError):
        parse_spider_args(["novalue"])
    cmd = scrapy_command("http://f.test/", {"max_pages": "5"}, 7, "sqlite:///x.db")
    assert cmd[1:5] == ["-m", "scrapy", "crawl", "generic"]
    assert "url=http://f.test/" in cmd and "max_pages=5" in cmd and "FORUMCRAWL_RUN_ID=7" in cmd


def test_cli_add_list_remove(sqlite_url, capsys):
    assert main(["schedule", "add", "http://f.test/forum", "--every", "6h", "-a", "max_pages=100",
                 "--database", sqlite_url]) == 0
    assert "every 6h" in capsys.readouterr().out
    assert main(["schedule", "list", "--format", "jsonl", "--database", sqlite_url]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["url"], r["every_seconds"], r["args"]) for r in rows] == [
        ("http://f.test/forum", 21600, {"max_pages": "100"})]
    assert main(["schedule", "--database", sqlite_url, "remove", str(rows[0]["id"])]) == 0
    assert main(["schedule", "remove", str(rows[0]["id"]), "--database", sqlite_url]) == 1
    assert main(["schedule", "add", "http://f.test/", "--every", "soon", "--database", sqlite_url]) == 2


def test_service_runs_due_crawls_one_at_a_time_per_site(database_url, tmp_path):
    script = tmp_path / "fake_crawl.py"
    script.write_text(FAKE_CRAWL)
    marks = tmp_path / "marks.jsonl"

    def command(url, args, run_id, db):
        return [sys.executable, str(script), url, str(run_id), str(marks), args.get("exit", "0")]

    past = datetime.now(timezone.utc) - timedelta(minutes=1)
    with Store(database_url) as store:
        a1 = store.add_schedule("http://a.test/forum", 3600, next_run_at=past)
        a2 = store.add_schedule("http://a.test/other", 3600, next_run_at=past)
        b = store.add_schedule("http://b.test/", 3600, {"exit": "3"}, next_run_at=past)
        later = store.add_schedule("http://c.test/", 3600, next_run_at=past + timedelta(days=1))
        service = ScheduleService(store, log_dir=tmp_path / "logs", poll=0.1, command=command)
        assert service.run(once=True) == 0

        events = [json.loads(line) for line in marks.read_text().splitlines()]
        ran = sorted({e["url"] for e in events})
        assert ran == ["http://a.test/forum", "http://a.test/other", "http://b.test/"]
        spans = {}
        for e in events:
            spans.setdefault(e["url"], {})[e["event"]] = e["at"]
        first, second = sorted((spans["http://a.test/forum"], spans["http://a.test/other"]), key=lambda s: s["start"])
        assert first["end"] <= second["start"]  # never two crawls of one site at once

        by_id = {s["id"]: s for s in store.schedules()}
        for sid in (a1, a2, b):
            runs = runs_of_schedule(store, sid)
            assert len(runs) == 1 and by_id[sid]["last_run_id"] == runs[0]["id"]
            assert datetime.fromisoformat(by_id[sid]["next_run_at"]) > datetime.now(timezone.utc) + timedelta(minutes=50)
        assert run_status(store, runs_of_schedule(store, a1)[0]["id"]) == "finished"
        failed = runs_of_schedule(store, b)[0]
        assert failed["status"] == "failed" and failed["stats"]["exit_code"] == 3
        assert failed["args"]["trigger"] == "schedule" and failed["site"] == "http://b.test"
        assert runs_of_schedule(store, later) == [] and by_id[later]["last_run_id"] is None
        assert len(list((tmp_path / "logs").glob("schedule-*-run-*.log"))) == 3
