"""A newcomer's mistakes get one line on stderr ("what, and what to do"), exit 2 for a usage
mistake and 1 for a runtime failure, and no traceback unless ``--debug`` or ``-L DEBUG``.
The CLI runs as a subprocess, as a user types it."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from storage import Store
from tests.sites import _env

FORUMCRAWL = str(Path(sys.executable).with_name("forumcrawl"))


def forumcrawl(*argv: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([FORUMCRAWL, *argv], cwd=cwd, env=env or _env(), capture_output=True, text=True,
                          timeout=60)


def assert_one_line(proc: subprocess.CompletedProcess, code: int, *words: str) -> str:
    err = proc.stderr.strip()
    assert proc.returncode == code, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert len(err.splitlines()) == 1, proc.stderr
    assert err.startswith("forumcrawl"), err
    for word in words:
        assert word in err, err
    return err


@pytest.mark.parametrize("argv, code, words", [
    (("stats", "--database", "notaurl://x"), 2, ("notaurl://x", "SQLite or PostgreSQL")),
    (("query", "--database", "mysql://u@host/x"), 2, ("mysql://u@host/x", "SQLite or PostgreSQL")),
    (("threads", "--database", "postgresql+nosuchdriver://u@h/x"), 2, ("nosuchdriver",)),
    (("crawl", "forum.example"), 2, ("no scheme", "https://forum.example")),
    (("crawl", "http://"), 2, ("no valid host",)),
    (("crawl", "http://host:99999/"), 2, ("not a valid URL",)),
    (("crawl", "ftp://forum.example/"), 2, ("only http",)),
    (("crawl", "https://forum.example/", "--database", "notaurl://x"), 2, ("notaurl",)),
    (("crawl", "https://forum.example/", "-s", "NOEQUALS"), 2, ("NAME=VALUE",)),
    (("crawl", "https://forum.example/", "-L", "LOUD"), 2, ("log level",)),
    (("crawl", "-a", "url=forum.example"), 2, ("no scheme",)),
    (("query", "--limit", "99999999999999999999999"), 2, ("--limit", "too large")),
    (("query", "--limit", "-1"), 2, ("--limit", "negative")),
    (("query", "--offset", "-5"), 2, ("--offset", "negative")),
    (("query", "--limit", "ten"), 2, ("--limit", "not a whole number")),
    (("threads", "--limit", "-1"), 2, ("--limit",)),
    (("stats", "--runs", "-1"), 2, ("--runs",)),
    (("query", "--nosuchoption"), 2, ("unrecognized arguments",)),
    (("nosuchcommand",), 2, ("invalid choice",)),
    (("schedule", "add", "forum.example", "--every", "6h"), 2, ("no scheme", "https://forum.example")),
    (("nlp-publish", "--redis", "localhost:6379"), 2, ("not a Redis URL",)),
    (("query",), 1, ("no database", "--database")),
    (("query", "--database", "postgresql://nobody@127.0.0.1:9/x"), 1, ("database unavailable", "running")),
    (("extract", "no-such-file.html"), 1, ("cannot read",)),
])
def test_mistakes_give_one_line(tmp_path, argv, code, words):
    assert_one_line(forumcrawl(*argv, cwd=tmp_path), code, *words)
    assert not (tmp_path / "forumcrawl.db").exists()   # no database created by a refused command


@pytest.mark.parametrize("spider_args, words", [
    (("url=forum.example",), ("no scheme", "https://forum.example")),
    (("url=http://[::1",), ("not a valid URL",)),
    (("url=ftp://forum.example/",), ("only http",)),
    (("url=https://forum.example/", "max_pages=abc"), ("max_pages", "not a number")),
    (("url=https://forum.example/", "allow=(unclosed"), ("allow", "regular expression")),
])
def test_scrapy_crawl_generic_mistakes_give_one_line(tmp_path, spider_args, words):
    """``scrapy crawl generic -a ...`` checks its arguments as ``forumcrawl crawl`` does: these
    used to end in a traceback from inside the crawl (or a crawl of a URL it could not read)."""
    argv = [sys.executable, "-m", "scrapy", "crawl", "generic", "-s", f"DATABASE_URL=sqlite:///{tmp_path / 'f.db'}"]
    for arg in spider_args:
        argv += ["-a", arg]
    proc = subprocess.run(argv, cwd=Path(__file__).resolve().parent.parent, env=_env(), capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("scrapy crawl: "), last
    for word in words:
        assert word in last, last
    assert not (tmp_path / "f.db").exists()   # refused before the crawl opened its store


def test_enqueue_refuses_what_is_not_a_url(tmp_path, redis_url):
    env = dict(_env(), REDIS_URL=redis_url)
    proc = forumcrawl("enqueue", "--key", "forumcrawl:test:cli-errors", "not a url", cwd=tmp_path, env=env)
    assert_one_line(proc, 2, "'not a url'", "https://HOST/PATH")
    proc = forumcrawl("enqueue", "--key", "forumcrawl:test:cli-errors", "forum.example", cwd=tmp_path, env=env)
    assert_one_line(proc, 2, "https://forum.example")
    proc = forumcrawl("enqueue", "--redis", "redis://127.0.0.1:9/0", "https://forum.example/", cwd=tmp_path)
    assert_one_line(proc, 1, "Redis unreachable")


def test_bad_dates_are_usage_errors(tmp_path):
    database = f"sqlite:///{tmp_path / 'f.db'}"
    Store(database).close()
    assert_one_line(forumcrawl("query", "--database", database, "--since", "last week", cwd=tmp_path), 2,
                    "ISO 8601")


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_large_limits_and_zero_work_on_both_databases(tmp_path, backend, request):
    database = (f"sqlite:///{tmp_path / 'f.db'}" if backend == "sqlite"
                else request.getfixturevalue("postgres_url"))
    Store(database).close()
    for argv in (("--limit", str(2**63 - 1)), ("--offset", str(2**63 - 1)), ("--limit", "0", "--offset", "0")):
        proc = forumcrawl("query", "--database", database, "--format", "jsonl", *argv, cwd=tmp_path)
        assert proc.returncode == 0 and proc.stdout == "", proc.stderr[-2000:]
    for argv in (("--limit", "-1"), ("--offset", "-5")):
        assert_one_line(forumcrawl("query", "--database", database, *argv, cwd=tmp_path), 2, "negative")


def test_debug_shows_the_traceback(tmp_path):
    for argv in (("--debug", "stats", "--database", "notaurl://x"), ("stats", "--database", "notaurl://x", "--debug")):
        proc = forumcrawl(*argv, cwd=tmp_path)
        assert proc.returncode == 1 and "Traceback" in proc.stderr and "UnsupportedDatabase" in proc.stderr


def test_crawl_with_debug_log_level_shows_the_traceback(tmp_path):
    proc = forumcrawl("crawl", "forum.example", "-L", "DEBUG", cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" in proc.stderr and "UsageError" in proc.stderr


def test_a_handler_that_cannot_be_imported_is_a_usage_error(tmp_path):
    env = dict(_env(), REDIS_URL="redis://127.0.0.1:9/0")
    proc = forumcrawl("nlp-worker", "--group", "g", "--handler", "no_such_module_xyz:handle", cwd=tmp_path, env=env)
    assert_one_line(proc, 2, "no_such_module_xyz", "MODULE:FUNCTION")


def test_help_still_works(tmp_path):
    proc = forumcrawl("--help", cwd=tmp_path)
    assert proc.returncode == 0 and "COMMAND" in proc.stdout
    proc = forumcrawl(cwd=tmp_path)
    assert proc.returncode == 2


@pytest.fixture(autouse=True)
def _no_database_env(monkeypatch):
    for name in ("FORUMCRAWL_DATABASE_URL", "DATABASE_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    yield
    assert os.environ.get("FORUMCRAWL_DATABASE_URL") is None
