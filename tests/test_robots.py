"""robots.txt failures follow RFC 9309 (crawler/robots.py): a robots.txt that answers 503
keeps the site's pages waiting, as disallowed, until it answers; a 404 means no rules; one
that never answers leaves the whole host disallowed. Scrapy's own middleware allowed
everything in the first and last case, which let a loaded shared crawl fetch a page the
fixture forum's robots.txt disallows."""
from __future__ import annotations

import subprocess
from collections import Counter

import pytest

from tests.sites.stub import StubHandler, serve
from tests.sites import REPO, _env, crawl_command, run_crawl

ROBOTS = b"User-agent: *\nDisallow: /private/\n"
PAGES = {
    "/": '<a href="/a.html">A</a> <a href="/b.html">B</a> <a href="/private/secret.html">S</a>',
    "/a.html": '<p>a</p><a href="/private/other.html">O</a> <a href="/">home</a>',
    "/b.html": '<p>b</p><a href="/">home</a>',
    "/private/secret.html": "<p>secret</p>",
    "/private/other.html": "<p>other</p>",
}


class RobotsSite:
    """Five pages, two under /private/; robots.txt answers ``robots_status`` to the first
    ``failures`` requests (all of them when ``failures`` is None), then 200 with ROBOTS."""

    def __init__(self, robots_status: int, failures: int | None):
        self.hits: Counter = Counter()
        site = self

        class Handler(StubHandler):
            def do_GET(self):  # noqa: N802 - http.server API
                site.hits[self.path] += 1
                if self.path == "/robots.txt":
                    failing = failures is None or site.hits[self.path] <= failures
                    status, ctype, body = (robots_status, "text/html", b"<h1>busy</h1>") if failing \
                        else (200, "text/plain", ROBOTS)
                elif self.path in PAGES:
                    status, ctype = 200, "text/html; charset=utf-8"
                    body = f"<html><head><title>{self.path}</title></head><body>{PAGES[self.path]}</body></html>".encode()
                else:
                    status, ctype, body = 404, "text/html", b"<h1>not found</h1>"
                self.reply(status, ctype, body)

        self.server, _, base = serve(Handler)
        self.url = base + "/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site_factory():
    sites = []

    def make(robots_status: int, failures: int | None) -> RobotsSite:
        sites.append(RobotsSite(robots_status, failures))
        return sites[-1]

    yield make
    for site in sites:
        site.close()


FAST_ROBOTS = ("FORUMCRAWL_ROBOTSTXT_RETRY_DELAY=0.2", "FORUMCRAWL_ROBOTSTXT_RETRY_MAX_DELAY=0.4",
               "RETRY_TIMES=1", "FORUMCRAWL_TEMPLATE_PAGES=0")


def test_pages_wait_while_robots_txt_answers_503_then_obey_it(site_factory, sqlite_url):
    site = site_factory(503, failures=5)  # Scrapy's retry middleware sees 2 per round: 3 rounds fail
    proc = run_crawl(site.url, sqlite_url, *FAST_ROBOTS, timeout=60)
    private = [p for p in site.hits if p.startswith("/private/")]
    assert private == [], proc.stderr[-3000:]
    assert site.hits["/robots.txt"] == 6  # five 503s, then the rules
    assert {"/", "/a.html", "/b.html"} <= set(site.hits)
    assert "robots.txt of 127.0.0.1" in proc.stderr and "unreachable (HTTP 503)" in proc.stderr
    assert "'robotstxt/forbidden': 2" in proc.stderr  # both private links, once the rules were known


def test_a_missing_robots_txt_allows_everything(site_factory, sqlite_url):
    site = site_factory(404, failures=None)
    proc = run_crawl(site.url, sqlite_url, *FAST_ROBOTS, timeout=60)
    assert site.hits["/robots.txt"] == 1
    assert set(PAGES) <= set(site.hits), (dict(site.hits), proc.stderr[-2000:])


def test_a_robots_txt_that_stays_unreachable_disallows_the_host(site_factory, sqlite_url):
    site = site_factory(503, failures=None)
    proc = subprocess.run(crawl_command(site.url, sqlite_url, *FAST_ROBOTS, "FORUMCRAWL_ROBOTSTXT_UNREACHABLE_TIMEOUT=1"),
                          cwd=REPO, env=_env(), capture_output=True, text=True, timeout=60)
    assert set(site.hits) == {"/robots.txt"}, dict(site.hits)
    assert "still unreachable after" in proc.stderr and "treating every page" in proc.stderr
    assert proc.returncode == 1   # scrapy crawl: nothing could be fetched (crawler/commands/crawl.py)
    assert proc.stderr.strip().splitlines()[-1].startswith("scrapy crawl: fetched no page from")


def test_every_request_waiting_for_robots_txt_gets_the_rules():
    """Several requests wait for one host's robots.txt (a shared-frontier worker pops a
    batch at once): each must get the rules. Awaiting the shared Deferred directly gives
    the first waiter the rules and every later one None ("no rules": fetched unchecked)."""
    import asyncio

    from twisted.internet.defer import Deferred

    from crawler.robots import own_waiter

    rules = object()
    loop = asyncio.new_event_loop()
    try:
        direct = Deferred()
        plain = [direct.asFuture(loop) for _ in range(3)]
        direct.callback(rules)
        assert loop.run_until_complete(asyncio.gather(*plain)) == [rules, None, None]  # the trap

        shared = Deferred()
        futures = [own_waiter(shared).asFuture(loop) for _ in range(3)]
        shared.callback(rules)
        assert loop.run_until_complete(asyncio.gather(*futures)) == [rules, rules, rules]
        late = own_waiter(shared).asFuture(loop)  # a request arriving after the rules came
        assert loop.run_until_complete(late) is rules
    finally:
        loop.close()
