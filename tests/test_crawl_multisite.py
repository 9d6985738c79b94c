"""N sites, one crawl (crawler/sites.py): each site with its own scope, template, thread
assembly, URL policy and crawl_runs row, in one process (``forumcrawl crawl U1 U2``,
``-a urls=FILE``) and over a shared Redis frontier (``forumcrawl enqueue U1 U2 ...`` and
N workers). The bundled sample forum is served on several ports and hosts (localhost,
127.0.0.1, 127.0.0.2); every site must store what a single-site crawl of it stores, once."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from crawler.demo import load_bundled, path_key
from crawler.demo.server import ForumServer
from crawler.journal import Frontier
from crawler.sites import SiteRegistry, SiteSettings, read_url_list
from crawler.warmup import template_file
from storage.models import CrawlRun
from tests.frontier_support import free_port
from tests.sites import FAST, REPO, _env, run_crawl, stored_posts

FORUMCRAWL = os.path.join(os.path.dirname(sys.executable), "forumcrawl")


# -- the rooms of each site, without Scrapy -----------------------------------------------------

def _registry(**args) -> SiteRegistry:
    return SiteRegistry(SiteSettings(journal=Frontier(), count=lambda k, n=1: None, args=args))


def test_each_site_has_its_own_rooms_and_scope() -> None:
    sites = _registry()
    a = sites.add("http://127.0.0.1:8001/forum/")
    b = sites.add("http://localhost:8001/")
    assert sites.add("http://127.0.0.1:8001/other") is a and a.start_urls == [
        "http://127.0.0.1:8001/forum/", "http://127.0.0.1:8001/other"]
    assert a is not b and a.policy is not b.policy and a.threads is not b.threads and a.warmup is not b.warmup
    assert (a.origin, b.origin) == ("http://127.0.0.1:8001", "http://localhost:8001")
    # a link to the other site is off-site for this one (it is crawled from its own start URL)
    assert a.policy.refusal("http://localhost:8001/t/1") == "offsite"
    assert a.policy.refusal("http://127.0.0.1:8002/t/1") == "offsite"      # another port, another site
    assert b.policy.refusal("http://localhost:8001/t/1") is None
    # a request routes by the site in its meta, else by its URL's origin; unknown sites are created
    assert sites.find("http://localhost:8001/t/9") is b
    assert sites.of("http://127.0.0.2:9/x", {"fc_site": "http://localhost:8001"}) is b
    c = sites.of("http://127.0.0.2:9/x")
    assert c.origin == "http://127.0.0.2:9" and len(sites) == 3 and c.start_urls == []
    # counts go to the crawl and to the site
    a.count("forumcrawl/posts", 3)
    assert a.counts["forumcrawl/posts"] == 3 and not b.counts


def test_site_arguments_override_the_crawls() -> None:
    sites = _registry(max_pages="100", deny="/print/")
    a = sites.add("http://a.test/")
    b = sites.add("http://b.test/", {"max_pages": "5", "same_domain": "1"})
    assert (a.policy.max_pages, b.policy.max_pages) == (100, 5)
    assert a.policy.deny is not None and b.policy.deny is not None
    assert b.owns("http://www.b.test/t/1") and not a.owns("http://www.a.test/t/1")
    assert sites.find("http://forum.b.test/x") is b  # a sibling host of a same_domain site


def test_url_list_lines() -> None:
    text = "# forums\nhttp://a.test/\n\n  https://b.test/forum/ max_pages=50 allow=/forum/   # big one\n"
    assert read_url_list(text) == [("http://a.test/", {}),
                                   ("https://b.test/forum/", {"max_pages": "50", "allow": "/forum/"})]
    for bad, said in (("a.test/", r"line 2: .* is not an http\(s\) URL"), ("http://a.test/ max_pages", "name=value"),
                      ("http://a.test/ colour=red", "unknown site argument"),
                      ("http://a.test/ max_pages=lots", "not a number"), ("http://a.test/ allow=(", "regular")):
        with pytest.raises(ValueError, match=said):
            read_url_list("http://ok.test/\n" + bad)


def test_template_files_per_site() -> None:
    assert template_file(None) == "site-template.pickle"
    assert template_file("http://127.0.0.1:8001") != template_file("http://127.0.0.2:8001")
    assert template_file("http://forum.example:8080") == "site-template-http-forum.example-8080.pickle"


# -- real crawls -----------------------------------------------------------------------------------

class DemoSite:
    """The bundled sample forum on ``host`` (``localhost`` listens on 127.0.0.1)."""

    pages = None

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        if DemoSite.pages is None:
            DemoSite.pages = load_bundled()
        self.server = ForumServer(self._route, host="127.0.0.1" if host == "localhost" else host, port=port).start()
        self.origin = f"http://{host}:{self.server.server_address[1]}"
        self.url = self.origin + "/"

    def _route(self, path: str):
        found = self.pages.get(path_key(path.split("#", 1)[0]))
        if found is None:
            return 404, "text/html; charset=utf-8", b"<html><body><h1>Not found</h1></body></html>"
        return 200, found[0], found[1]

    def page_hits(self) -> Counter:
        return Counter(h for h in self.server.hits if not h.startswith("/robots.txt"))

    def stop(self) -> None:
        self.server.stop()


def _relative(posts: list[dict]) -> list[tuple]:
    """Stored posts without their site: (thread path, position, author, text)."""
    return sorted((urlsplit(p["thread_url"])._replace(scheme="", netloc="").geturl(), p["position"],
                   p["author"], p["text"]) for p in posts)


@pytest.fixture(scope="module")
def single_site_posts(tmp_path_factory) -> list[tuple]:
    """What a crawl of the sample forum alone stores (the reference of every site)."""
    site = DemoSite()
    database = f"sqlite:///{tmp_path_factory.mktemp('single') / 'one.db'}"
    try:
        run_crawl(site.url, database)
        posts = _relative(stored_posts(database, site.origin))
    finally:
        site.stop()
    assert len(posts) > 300 and len(posts) == len({p[:2] for p in posts})
    return posts


def _runs(database: str) -> list[tuple[str, str]]:
    engine = sa.create_engine(database)
    try:
        with engine.connect() as conn:
            return sorted(conn.execute(sa.select(CrawlRun.site, CrawlRun.status)).all())
    finally:
        engine.dispose()


@pytest.mark.slow
def test_one_process_crawls_every_site(single_site_posts, tmp_path) -> None:
    """``forumcrawl crawl U1 -a urls=FILE``: every site complete; a site whose budget is hit
    and a site that never answers stop nobody else."""
    sites = [DemoSite("127.0.0.1"), DemoSite("127.0.0.2"), DemoSite("localhost")]
    dead = f"http://127.0.0.1:{free_port()}/"
    listing = tmp_path / "urls.txt"
    listing.write_text(f"{sites[1].url}\n{sites[2].url} max_pages=4\n{dead}\n")
    database = f"sqlite:///{tmp_path / 'multi.db'}"
    try:
        proc = subprocess.run([FORUMCRAWL, "crawl", sites[0].url, "-a", f"urls={listing}", "--database", database,
                               *[a for s in FAST for a in ("-s", s)]],
                              cwd=REPO, env=_env(), capture_output=True, text=True, timeout=180)
        stored = [_relative(stored_posts(database, s.origin)) for s in sites]
        hits = [s.page_hits() for s in sites]
    finally:
        for s in sites:
            s.stop()
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert "1 site(s) could not be crawled" in proc.stderr.splitlines()[-1]
    assert stored[0] == single_site_posts and stored[1] == single_site_posts
    assert sum(hits[2].values()) <= 4 + 1  # its own budget (4 pages taken on; robots.txt aside)
    assert all(max(h.values()) == 1 for h in hits)
    dead_origin = dead.rstrip("/")
    assert _runs(database) == sorted([(sites[0].origin, "finished"), (sites[1].origin, "finished"),
                                      (sites[2].origin, "finished"), (dead_origin, "failed")])


def _workers(n: int, redis_url: str, key: str, database: str, tmp_path, concurrency: int = 2):
    env = {**_env(), "REDIS_URL": redis_url}
    settings = [a for s in (*FAST, f"DATABASE_URL={database}", f"FRONTIER_KEY={key}", "FRONTIER_HEARTBEAT=0.5",
                            f"CONCURRENT_REQUESTS={concurrency}") for a in ("-s", s)]
    logs = [tmp_path / f"w{i}.log" for i in range(n)]
    return logs, [subprocess.Popen([sys.executable, "-m", "scrapy", "crawl", "generic", *settings], cwd=REPO, env=env,
                                   stdout=subprocess.DEVNULL, stderr=open(log, "wb")) for log in logs]


def _shared_crawl(sites: list[DemoSite], workers: int, redis_url: str, tmp_path,
                  extra: tuple[str, ...] = ()) -> tuple[list, list, list, str]:
    """``forumcrawl enqueue`` every site (and ``extra`` URLs), then ``workers`` URL-less workers to the end."""
    import redis

    key = f"fctest:{uuid.uuid4().hex[:10]}"
    database = f"sqlite:///{tmp_path / 'shared.db'}"
    client = redis.Redis.from_url(redis_url)
    procs = []
    try:
        enqueue = subprocess.run([FORUMCRAWL, "enqueue", "--key", key, *[s.url for s in sites], *extra], cwd=REPO,
                                 env={**_env(), "REDIS_URL": redis_url}, capture_output=True, text=True, timeout=60)
        n = len(sites) + len(extra)
        assert enqueue.returncode == 0 and f"queued {n} of {n}" in enqueue.stdout, enqueue.stderr
        logs, procs = _workers(workers, redis_url, key, database, tmp_path)
        deadline = time.monotonic() + 400
        while any(p.poll() is None for p in procs):
            assert time.monotonic() < deadline, [log.read_text()[-2000:] for log in logs]
            time.sleep(0.5)
        codes = [p.returncode for p in procs]
        texts = [log.read_text() for log in logs]
        assert codes == [0] * workers, [t[-3000:] for t in texts]
        assert all("no worker holds work: finishing" in t for t in texts)
        assert not any("Traceback" in t for t in texts), [t[t.find("Traceback"):][:3000] for t in texts]
        stored = [_relative(stored_posts(database, s.origin)) for s in sites]
        hits = [s.page_hits() for s in sites]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        for s in sites:
            s.stop()
        for k in client.scan_iter(match=f"{key}*"):
            client.delete(k)
    return stored, hits, texts, database


@pytest.mark.redis
@pytest.mark.slow
def test_two_sites_two_workers(single_site_posts, redis_url, tmp_path) -> None:
    sites = [DemoSite("localhost"), DemoSite("127.0.0.1")]
    dead = f"http://127.0.0.2:{free_port()}"  # a third site whose host never answers
    stored, hits, texts, database = _shared_crawl(sites, 2, redis_url, tmp_path, extra=(dead + "/",))
    assert [len(s) for s in stored] == [len(single_site_posts)] * 2
    assert all(s == single_site_posts for s in stored)  # each complete, and each post once
    assert all(h and max(h.values()) == 1 for h in hits), [[p for p, c in h.items() if c > 1] for h in hits]
    # a worker holds work of both sites, and records a run row for each site it crawled
    assert any(t.count("crawled with its own scope") == 2 for t in texts)
    runs = _runs(database)
    assert {site for site, _ in runs} == {s.origin for s in sites} | {dead}
    assert {st for site, st in runs if site != dead} == {"finished"}
    assert {st for site, st in runs if site == dead} == {"failed"}  # that site alone


@pytest.mark.redis
@pytest.mark.slow
def test_eight_sites_four_workers(single_site_posts, redis_url, tmp_path) -> None:
    hosts = ["localhost", "127.0.0.1", "127.0.0.2"]
    sites = [DemoSite(hosts[i % 3]) for i in range(8)]
    stored, hits, _, database = _shared_crawl(sites, 4, redis_url, tmp_path)
    complete = [s == single_site_posts for s in stored]
    assert complete == [True] * 8, [(len(s), len(single_site_posts)) for s in stored]
    assert all(h and max(h.values()) == 1 for h in hits), [[p for p, c in h.items() if c > 1] for h in hits]
    assert {site for site, _ in _runs(database)} == {s.origin for s in sites}


@pytest.mark.slow
def test_schedule_runs_due_sites_as_one_crawl(single_site_posts, tmp_path) -> None:
    """``forumcrawl schedule run --once``: the due sites go through the multi-site path, one
    process, a crawl_runs row per schedule with that site's own stats."""
    from datetime import datetime, timedelta, timezone

    from crawler.schedule import ScheduleService, runs_of_schedule
    from storage import Store

    sites = [DemoSite("127.0.0.1"), DemoSite("127.0.0.2")]
    database = f"sqlite:///{tmp_path / 'scheduled.db'}"
    past = datetime.now(timezone.utc) - timedelta(minutes=1)
    fast = [a for s in FAST for a in ("-s", s)]
    try:
        with Store(database) as store:
            ids = [store.add_schedule(sites[0].url, 3600, next_run_at=past),
                   store.add_schedule(sites[1].url, 3600, {"max_pages": "20"}, next_run_at=past)]
            service = ScheduleService(store, log_dir=tmp_path / "logs", poll=0.1, env=_env(),
                                      batch_command=lambda path, db: [
                                          sys.executable, "-m", "scrapy", "crawl", "generic", "-a", f"urls={path}",
                                          "-s", f"DATABASE_URL={db}", *fast])
            assert service.run(once=True) == 0
            runs = [runs_of_schedule(store, sid) for sid in ids]
            # due again: each site's re-crawl is incremental, from what the store knows of that site
            for sid in ids:
                store.set_schedule(sid, next_run_at=past)
            assert service.run(once=True) == 0
            again = [runs_of_schedule(store, sid)[-1] for sid in ids]
        stored = [_relative(stored_posts(database, s.origin)) for s in sites]
    finally:
        for s in sites:
            s.stop()
    logs = list((tmp_path / "logs").glob("*.log"))
    assert len(logs) == 2 and all("2 sites in this crawl" in log.read_text() for log in logs)  # one process each
    assert [len(r) for r in runs] == [1, 1] and [r[0]["status"] for r in runs] == ["finished", "finished"]
    assert [r[0]["site"] for r in runs] == [s.origin for s in sites]
    assert stored[0] == single_site_posts                      # complete
    assert 0 < len(stored[1]) < len(single_site_posts)         # its own budget, max_pages=20 per run
    assert runs[0][0]["stats"]["forumcrawl/posts"] == len(single_site_posts)  # each row: its site's stats
    assert 0 < runs[1][0]["stats"]["forumcrawl/posts"] < len(stored[1])       # (the second run went further)
    assert [r["status"] for r in again] == ["finished", "finished"]
    # both sites' re-crawls are incremental (not only the first site met)
    assert all(r["stats"]["forumcrawl/incremental/known_threads"] > 0 for r in again)
    assert not again[0]["stats"].get("forumcrawl/posts")  # the complete site: nothing new, nothing twice
