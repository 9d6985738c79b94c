"""A start URL whose host cannot be reached ends the crawl at once, with one line and exit 1
(it used to wait ten minutes on robots.txt, then exit 0 "Finished"); a robots.txt answering
500 keeps its host's pages waiting (RFC 9309), but one SIGTERM still stops the crawl, and the
waiting start URL stays unfinished in the JOBDIR journal, so the next run fetches it."""
from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.sites.stub import SilentServer, StubHandler, serve
from tests.sites import FAST, REPO, _env, crawl_command

pytestmark = pytest.mark.slow

# Generous bounds: the point is "seconds, not the old 600 s", not a timing figure.
BOUND = 60


def forumcrawl(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("forumcrawl")), "crawl", *args,
            *(arg for setting in FAST for arg in ("-s", setting))]


def free_port() -> int:
    """A port with nothing listening on it (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RobotsSite:
    """robots.txt answers 500 until ``healthy`` is set, then ``rules``; one page."""

    def __init__(self, rules: bytes = b"User-agent: *\nAllow: /\n") -> None:
        self.healthy = threading.Event()
        self.pages: list[str] = []
        site = self

        class Handler(StubHandler):
            def do_GET(self):  # noqa: N802 - http.server API
                if self.path == "/robots.txt":
                    status, body = (200, rules) if site.healthy.is_set() \
                        else (500, b"<h1>error</h1>")
                else:
                    site.pages.append(self.path)
                    status, body = 200, b"<html><head><title>t</title></head><body><p>hello</p></body></html>"
                self.reply(status, "text/html" if self.path != "/robots.txt" else "text/plain", body)

        self.server, _, base = serve(Handler)
        self.url = base + "/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robots_500():
    site = RobotsSite()
    yield site
    site.close()


def test_cli_on_a_port_with_nothing_listening_exits_1_with_one_line(tmp_path, sqlite_url) -> None:
    url = f"http://127.0.0.1:{free_port()}/"
    proc = subprocess.run(forumcrawl(url, "--database", sqlite_url), cwd=tmp_path, env=_env(),
                          capture_output=True, text=True, timeout=BOUND)
    assert proc.returncode == 1, proc.stderr[-3000:]
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("forumcrawl crawl: 127.0.0.1:") and "cannot be reached" in last, last
    assert "Connection" in last and "check the URL" in last
    assert "Traceback" not in proc.stderr


def test_scrapy_crawl_closes_with_start_unreachable(tmp_path, sqlite_url) -> None:
    url = f"http://127.0.0.1:{free_port()}/"
    proc = subprocess.run(crawl_command(url, sqlite_url), cwd=REPO, env=_env(),
                          capture_output=True, text=True, timeout=BOUND)
    assert "Spider closed (start_unreachable)" in proc.stderr, proc.stderr[-3000:]
    errors = [line for line in proc.stderr.splitlines() if "[crawler.spiders.generic] ERROR" in line]
    assert len(errors) == 1 and "cannot be reached" in errors[0], errors


def test_sigterm_stops_a_crawl_waiting_on_robots_txt_and_the_page_is_kept(tmp_path, robots_500) -> None:
    database = f"sqlite:///{tmp_path / 'db.sqlite'}"
    jobdir = tmp_path / "job"
    log = tmp_path / "crawl.log"
    cmd = forumcrawl(robots_500.url, "--database", database, "-s", f"JOBDIR={jobdir}",
                     "-s", "FORUMCRAWL_ROBOTSTXT_RETRY_DELAY=30", "-s", "FORUMCRAWL_TEMPLATE_PAGES=0")
    with log.open("w") as err:
        proc = subprocess.Popen(cmd, cwd=tmp_path, env=_env(), stdout=subprocess.DEVNULL, stderr=err)
        try:
            deadline = time.monotonic() + BOUND
            while "its pages wait as disallowed" not in log.read_text() and proc.poll() is None:
                assert time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.2)
            assert proc.poll() is None, log.read_text()[-3000:]
            proc.send_signal(signal.SIGTERM)    # the wait before the next robots.txt try is 30 s
            code = proc.wait(timeout=BOUND)
        finally:
            if proc.poll() is None:
                proc.kill()
    text = log.read_text()
    assert code == 1, text[-3000:]           # documented: an interrupted crawl exits 1
    assert "interrupted before the end" in text.strip().splitlines()[-1]
    assert robots_500.pages == []            # fail closed: no page while robots.txt answered 500
    # The start URL was not fetched, so it is still unfinished: the next run fetches it.
    robots_500.healthy.set()
    proc = subprocess.run(forumcrawl("--database", database, "-s", f"JOBDIR={jobdir}",
                                     "-s", "FORUMCRAWL_TEMPLATE_PAGES=0"),
                          cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=BOUND)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert robots_500.pages == ["/"], proc.stderr[-3000:]


def test_cli_exits_1_when_the_start_url_gave_no_page(tmp_path, sqlite_url) -> None:
    site = RobotsSite(rules=b"User-agent: *\nDisallow: /\n")
    site.healthy.set()
    try:
        proc = subprocess.run(forumcrawl(site.url, "--database", sqlite_url), cwd=tmp_path, env=_env(),
                              capture_output=True, text=True, timeout=BOUND)
    finally:
        site.close()
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert site.pages == []
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith(f"forumcrawl crawl: fetched no page from {site.url}"), last


SilentSite = SilentServer  # a hung server: robots.txt neither fails nor arrives


def test_sigterm_during_a_hanging_robots_txt_download_stops_in_seconds(tmp_path) -> None:
    """Scrapy's close waits for downloads in progress: a robots.txt download from a host that
    never answers held a stop for DOWNLOAD_TIMEOUT x 3 (180 s); it is now cancelled."""
    site = SilentSite()
    log = tmp_path / "crawl.log"
    cmd = crawl_command(site.url, f"sqlite:///{tmp_path / 'db.sqlite'}", "FORUMCRAWL_TEMPLATE_PAGES=0")
    try:
        with log.open("w") as err:
            proc = subprocess.Popen(cmd, cwd=REPO, env=_env(), stdout=subprocess.DEVNULL, stderr=err)
            try:
                assert site.accepted.wait(BOUND), log.read_text()[-3000:]   # robots.txt is being fetched
                time.sleep(1)
                assert proc.poll() is None, log.read_text()[-3000:]
                proc.send_signal(signal.SIGTERM)
                stopped = time.monotonic()
                code = proc.wait(timeout=BOUND)
                took = time.monotonic() - stopped
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
    finally:
        site.close()
    text = log.read_text()
    assert took < 15, (took, text[-3000:])                 # was 180 s (DOWNLOAD_TIMEOUT 60, 2 retries)
    assert "Spider closed (shutdown)" in text, text[-3000:]
    assert "still unknown as the crawl stops" in text       # the host's pages stay unfetched, not refused
    assert "cannot be reached" not in text and "Traceback" not in text, text[-3000:]
    assert code == 0                                        # scrapy crawl: a stop asked for is not a failure


def test_scrapy_crawl_exits_1_when_the_start_url_is_unreachable_or_gave_no_page(tmp_path, sqlite_url) -> None:
    """``scrapy crawl`` (crawler/commands/crawl.py) exited 0 for both."""
    proc = subprocess.run(crawl_command(f"http://127.0.0.1:{free_port()}/", sqlite_url), cwd=REPO, env=_env(),
                          capture_output=True, text=True, timeout=BOUND)
    assert proc.returncode == 1, proc.stderr[-3000:]
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("scrapy crawl: 127.0.0.1:") and "cannot be reached" in last, last
    site = RobotsSite(rules=b"User-agent: *\nDisallow: /\n")
    site.healthy.set()
    try:
        proc = subprocess.run(crawl_command(site.url, sqlite_url), cwd=REPO, env=_env(),
                              capture_output=True, text=True, timeout=BOUND)
    finally:
        site.close()
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert proc.stderr.strip().splitlines()[-1].startswith(f"scrapy crawl: fetched no page from {site.url}")
