"""Sites of one crawl: each site's own rooms, created on first sight.

One crawl may cover many sites (``forumcrawl crawl URL1 URL2``, ``-a urls=FILE``,
``forumcrawl enqueue URL1 URL2`` into a shared frontier). Scope, template, thread
assembly, learned URL patterns, budget and recrawl plan are facts *of a site*: a
link that is off-site for one forum is the start page of another, and a template
learned on a phpBB board would erase posts on a Discourse one. So every site
gets a :class:`SiteState` holding one instance of each room (docs/crawler.md),
and the spider routes each request and response through the state of its site.

:class:`SiteRegistry` keys the states by site origin (``scheme://host[:port]``)
and creates one on first sight: for a start URL, and (shared frontier) when a
worker first meets a request of a site it has not seen, from the origin carried
in the request's meta (``fc_site``) or else its URL's. One site's failure (its
host unreachable, its budget reached, a trap) is that site's: the others go on.
"""
from __future__ import annotations

import asyncio
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.assembly import ThreadAssembly
from crawler.brokenpages import BrokenPages
from crawler.fetches import PRIORITY_ENTRY, Fetch
from crawler.journal import Frontier
from crawler.patterns import PatternLearner
from crawler.policy import UrlPolicy
from crawler.recrawl import RecrawlPlanner
from crawler.urls import canonicalize, site_of
from crawler.warmup import TemplateWarmup

log = logging.getLogger("crawler.spiders.generic")

Count = Callable[..., None]

#: Spider arguments that may differ from site to site (a line of ``-a urls=FILE``).
SITE_ARGS = ("allow", "deny", "max_pages", "max_depth", "same_domain", "template_pages", "incremental", "full",
             "run_id")


def flag(value: Any) -> bool:
    """A spider argument read as a yes/no flag (``1``, ``true``, ``yes``, ``on``)."""
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def check_site_args(args: dict[str, Any]) -> None:
    """Fail before the crawl on an argument a site cannot use (a bad regex, a non-number)."""
    unknown = sorted(set(args) - set(SITE_ARGS))
    if unknown:
        raise ValueError(f"unknown site argument {unknown[0]!r} (one of {', '.join(SITE_ARGS)})")
    for name in ("allow", "deny"):
        if args.get(name):
            try:
                re.compile(args[name])
            except re.error as exc:
                raise ValueError(f"{name}={args[name]!r} is not a regular expression: {exc}") from None
    for name in ("max_pages", "max_depth", "template_pages", "run_id"):
        if args.get(name) not in (None, ""):
            try:
                int(args[name])
            except (TypeError, ValueError):
                raise ValueError(f"{name}={args[name]!r} is not a number") from None


def read_url_list(text: str) -> list[tuple[str, dict[str, str]]]:
    """The lines of a URL list (``-a urls=FILE``): ``URL [name=value ...]`` each, ``#``
    comments and blank lines ignored; the pairs are that site's own arguments
    (``max_pages=500``, ``allow=/forum/``...), overriding the crawl's."""
    out: list[tuple[str, dict[str, str]]] = []
    for number, line in enumerate(text.splitlines(), 1):
        line = re.split(r"(?:^|\s)#", line, maxsplit=1)[0].strip()
        if not line:
            continue
        url, *pairs = line.split()
        args: dict[str, str] = {}
        for pair in pairs:
            name, sep, value = pair.partition("=")
            if not sep or not name:
                raise ValueError(f"line {number}: {pair!r} should be name=value")
            args[name] = value
        try:
            check_site_args(args)
        except ValueError as exc:
            raise ValueError(f"line {number}: {exc}") from None
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"line {number}: {url!r} is not an http(s) URL")
        out.append((url, args))
    return out


def read_start_list(url: str | None, urls: str | None) -> list[tuple[str, dict[str, str]]]:
    """The crawl's start URLs with their own arguments: ``-a url="URL [URL...]"``, then the
    lines of the file ``-a urls=FILE`` (:func:`read_url_list`); canonical."""
    start = [(canonicalize(u), {}) for u in (url or "").split()]
    if urls:
        try:
            text = Path(urls).read_text(encoding="utf-8")
        except OSError as exc:
            raise ValueError(f"urls={urls}: {exc.strerror or exc}") from None
        start += [(canonicalize(u), a) for u, a in read_url_list(text)]
    return start


@dataclass
class SiteSettings:
    """What every site's rooms are built from: crawl-wide settings and arguments."""

    journal: Frontier
    count: Count                               # the crawl's stats (Scrapy's inc_value)
    shared_frontier: bool = False
    template_pages: int = 6
    max_pages: int = 0                         # FORUMCRAWL_MAX_PAGES (a site's default budget)
    min_samples: int = 5
    unanimous: int = 3                         # FORUMCRAWL_LEARN_UNANIMOUS: outcomes that decide a pattern early
    trap_samples: int = 200
    trap_ratio: float = 0.02
    rare_samples: int = 20                     # FORUMCRAWL_LEARN_RARE_SAMPLES / _RATIO: a pattern whose
    rare_ratio: float = 0.1                    # answers rarely yield anything is stopped
    jobdir: Path | None = None                 # saves each site's template (journaled crawls)
    claim: Callable[[str], bool] | None = None  # shared frontier: the chain board's claim
    known_threads: Callable[[SiteState], dict[str, dict[str, Any]]] | None = None  # the store's state of a site
    args: dict[str, Any] = field(default_factory=dict)  # the crawl's spider arguments (defaults of every site)
    refetch_broken: int = 2                    # FORUMCRAWL_REFETCH_BROKEN: a broken answer fetched again, per URL
    refetch_broken_max: int = 20               # FORUMCRAWL_REFETCH_BROKEN_MAX: ... per site
    refetch_broken_delay: float = 2.0          # FORUMCRAWL_REFETCH_BROKEN_DELAY: seconds before (doubled after)

    @classmethod
    def from_settings(cls, settings, **kwargs: Any) -> SiteSettings:
        """The crawl's ``FORUMCRAWL_*`` settings (template pages, budget, pattern learning, traps)
        with ``kwargs`` (journal, count...)."""
        return cls(template_pages=settings.getint("FORUMCRAWL_TEMPLATE_PAGES", 6),
                   max_pages=settings.getint("FORUMCRAWL_MAX_PAGES", 0),
                   min_samples=settings.getint("FORUMCRAWL_LEARN_MIN_SAMPLES", 5),
                   unanimous=settings.getint("FORUMCRAWL_LEARN_UNANIMOUS", 3),
                   trap_samples=settings.getint("FORUMCRAWL_TRAP_SAMPLES", 200),
                   trap_ratio=settings.getfloat("FORUMCRAWL_TRAP_RATIO", 0.02),
                   rare_samples=settings.getint("FORUMCRAWL_LEARN_RARE_SAMPLES", 20),
                   rare_ratio=settings.getfloat("FORUMCRAWL_LEARN_RARE_RATIO", 0.1),
                   refetch_broken=settings.getint("FORUMCRAWL_REFETCH_BROKEN", 2),
                   refetch_broken_max=settings.getint("FORUMCRAWL_REFETCH_BROKEN_MAX", 20),
                   refetch_broken_delay=settings.getfloat("FORUMCRAWL_REFETCH_BROKEN_DELAY", 2.0), **kwargs)


class SiteState:
    """One site of the crawl and its rooms; see the module docstring.

    ``counts`` holds this site's own share of the ``forumcrawl/*`` stats (for its
    ``crawl_runs`` row); ``answered`` whether any page of it came back; ``failed`` why
    it cannot be crawled (its host unreachable), once known.
    """

    def __init__(self, origin: str, config: SiteSettings, args: dict[str, Any] | None = None,
                 start_urls: list[str] | None = None) -> None:
        self.origin = origin
        self.host = urlsplit(origin).netloc
        self.args = {**config.args, **(args or {})}
        self.start_urls = list(start_urls or [])
        self.counts: Counter = Counter()
        self._count_total = config.count
        self.shared_frontier = config.shared_frontier
        self.journal = config.journal
        self.answered = False
        self.failed: str | None = None
        self.run_id: int | None = int(self.args["run_id"]) if self.args.get("run_id") not in (None, "") else None
        a = self.args
        explicit_budget = a.get("max_pages") not in (None, "")
        self.policy = UrlPolicy(
            config.journal, start_url=origin + "/", count=self.count,
            patterns=PatternLearner(min_samples=config.min_samples, unanimous=config.unanimous,
                                    trap_samples=config.trap_samples,
                                    trap_ratio=config.trap_ratio, rare_samples=config.rare_samples,
                                    rare_ratio=config.rare_ratio, count=self.count),
            allow=a.get("allow") or None, deny=a.get("deny") or None,
            same_domain=flag(a["same_domain"]) if a.get("same_domain") not in (None, "") else False,
            max_pages=int(a["max_pages"]) if explicit_budget else config.max_pages,
            max_depth=int(a["max_depth"]) if a.get("max_depth") not in (None, "") else None)
        self.policy.trial = not config.shared_frontier
        # pages this site took on in an earlier run of a resumed journal (not the whole crawl's)
        self.policy.taken = sum(1 for u in config.journal.seen if origin_of(u) == origin) if config.journal.seen else 0
        pages = int(a["template_pages"]) if a.get("template_pages") not in (None, "") else config.template_pages
        self.warmup = TemplateWarmup(pages, jobdir=config.jobdir, name=origin)
        self.threads = ThreadAssembly(origin, titles=self.warmup.titles, count=self.count)
        # thread pages answered broken (an error page, half a page) are fetched again
        self.broken = BrokenPages(per_url=config.refetch_broken, per_site=config.refetch_broken_max,
                                  delay=config.refetch_broken_delay, count=self.count)
        self.learned: asyncio.Event | None = None   # set once the template is learned (warm-up)
        self.sample: list[dict[str, Any]] = []       # warm-up pages the template is learned from
        self.template_ref: Any = None                # the template as the extractor pool knows it
        known = config.known_threads(self) if config.known_threads is not None else {}
        self.recrawl = RecrawlPlanner(known, count=self.count, claim=config.claim)
        if known:
            self.counts["forumcrawl/incremental/known_threads"] = len(known)

    def count(self, key: str, count: int = 1) -> None:
        """Count ``key`` for the crawl and for this site."""
        self.counts[key] += count
        self._count_total(key, count)

    def count_page(self, page) -> None:
        """Count an extracted page by kind; a failed extraction is counted and logged."""
        self.count("forumcrawl/pages")
        self.count(f"forumcrawl/pages/{page.kind}")
        if any(w.startswith("extraction failed") for w in page.warnings):
            self.count("forumcrawl/extraction_failures")
            log.warning("Extraction failed for %s: %s", page.url, "; ".join(page.warnings)[:300])

    @property
    def incremental(self) -> bool:
        return self.recrawl.active

    def incremental_wanted(self) -> bool | None:
        """``incremental``/``full`` arguments: None (decide from the store), True or False."""
        if self.args.get("full") not in (None, "") and flag(self.args["full"]):
            return False
        value = self.args.get("incremental")
        return None if value in (None, "") else flag(value)

    def start_fetches(self) -> list[Fetch]:
        """This site's start URLs as entries at depth 0, taken on (budget) and journaled
        (the caller flushes the journal once it has turned them into requests)."""
        fetches = [Fetch(url, PRIORITY_ENTRY, {"fc_depth": 0}) for url in self.start_urls]
        for fetch in fetches:
            self.policy.taken += 1
            self.journal.add(fetch.url, fetch.priority, fetch.meta)
        return fetches

    def owns(self, url: str) -> bool:
        """Whether ``url`` is this site's (its host, or a sibling host with ``same_domain``)."""
        return self.policy.in_scope(url)

    def crawl_args(self) -> dict[str, Any]:
        """This site's arguments as recorded in its ``crawl_runs`` row."""
        args = {k: v for k, v in self.args.items() if v is not None and k not in ("run_id", "url", "urls")}
        args["url"] = self.start_urls[0] if self.start_urls else self.origin + "/"
        return args

    def __repr__(self) -> str:
        return f"<SiteState {self.origin}>"


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a canonical URL, cheaply (the registry's key; a
    request's URL is canonical already)."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme}{sep}{rest.split('/', 1)[0].split('?', 1)[0]}"


class SiteRegistry:
    """The sites of a crawl by origin, each created on first sight (see the module docstring)."""

    def __init__(self, config: SiteSettings, *, on_new: Callable[[SiteState], None] | None = None) -> None:
        self.config = config
        self.on_new = on_new
        self.sites: dict[str, SiteState] = {}

    def add(self, url: str, args: dict[str, Any] | None = None) -> SiteState:
        """A start URL of the crawl: its site (created, or given one more start URL)."""
        url = canonicalize(url)
        site = self.find(url)
        if site is None:
            site = self._create(site_of(url), args, [url])
        elif url not in site.start_urls:
            site.start_urls.append(url)
        return site

    def find(self, url: str, meta: dict[str, Any] | None = None) -> SiteState | None:
        """The known site of a request (``meta["fc_site"]``) or URL, or None."""
        origin = (meta or {}).get("fc_site") or origin_of(url)
        site = self.sites.get(origin)
        if site is not None:
            return site
        origin = site_of(url)  # (the canonical form, for a URL written unusually)
        if origin in self.sites:
            return self.sites[origin]
        for site in self.sites.values():  # a sibling host of a same_domain site
            if site.owns(url):
                return site
        return None

    def of(self, url: str, meta: dict[str, Any] | None = None) -> SiteState:
        """The site of a request, created on first sight (a shared frontier's worker meets
        the sites other workers and ``forumcrawl enqueue`` brought in)."""
        site = self.find(url, meta)
        if site is None:
            site = self._create((meta or {}).get("fc_site") or site_of(url), None, [])
        return site

    def _create(self, origin: str, args: dict[str, Any] | None, start_urls: list[str]) -> SiteState:
        site = SiteState(origin, self.config, args, start_urls)
        self.sites[origin] = site
        log.info("Site %s: crawled with its own scope, template, thread assembly and URL policy%s",
                 origin, f" ({len(self.sites)} sites in this crawl)" if len(self.sites) > 1 else "")
        if self.on_new is not None:
            self.on_new(site)
        return site

    # -- queued requests and redirects, asked by the scope middleware (crawler/scope.py) -----
    def refuse_redirect(self, origin: str, target: str) -> str | None:
        """Why the redirect of ``origin`` to ``target`` is not followed (the rules of links of
        ``origin``'s site), or None."""
        site = self.find(canonicalize(origin))
        return site.policy.refuse_redirect(origin, target) if site is not None else None

    def refuse_queued(self, url: str) -> str | None:
        """Why a queued request is dropped, counted: its pattern was learned useless, or it is
        another URL of a page taken on (a parameter learned inert); or None."""
        site = self.find(url)
        reason = site.policy.refuse_queued(url) if site is not None else None
        if reason:
            site.count(f"forumcrawl/links_skipped/{reason}")
        return reason

    def stand_in(self, url: str) -> tuple[bytes, dict[str, Any]] | None:
        """Body and headers of the copy that stands in for a queued ``url`` instead of a download
        (its page was fetched already under a URL with parameters learned inert since), counted;
        the headers without ``Content-Encoding``/``Content-Length``: the body is kept decoded."""
        return self._kept(url, "stand_in", "forumcrawl/links_skipped/inert_duplicate")

    def view_again(self, url: str) -> tuple[bytes, dict[str, Any]] | None:
        """Body and headers of a skipped view revived because its target proved hollow, kept
        since it was skipped (read from memory, not downloaded again; counted), or None."""
        return self._kept(url, "view_again", "forumcrawl/views_read_from_memory")

    def _kept(self, url: str, policy_method: str, stat: str) -> tuple[bytes, dict[str, Any]] | None:
        """A page body the site's policy kept for ``url`` (``policy_method``), counted under
        ``stat``, with headers fit for a decoded body; None when it kept none."""
        site = self.find(url)
        kept = getattr(site.policy, policy_method)(canonicalize(url)) if site is not None else None
        if kept is None:
            return None
        body, headers = kept
        site.count(stat)
        return body, {k: v for k, v in headers.items() if k.lower() not in ("content-encoding", "content-length")}

    @property
    def first(self) -> SiteState | None:
        return next(iter(self.sites.values()), None)

    def __iter__(self) -> Iterator[SiteState]:
        return iter(list(self.sites.values()))

    def __len__(self) -> int:
        return len(self.sites)


class SiteRuns:
    """One ``crawl_runs`` row per site of the crawl (this process's share of it).

    A row is started when the site is first met (or, for a run that ``forumcrawl
    schedule`` recorded beforehand, ``run_id``, claimed), its heartbeat renewed with
    :meth:`beat`, and closed by :meth:`close` with the site's own status (``failed``
    when its host never answered, whatever happened to the other sites) and stats:
    the crawl's when it has one site, else the site's own ``forumcrawl/*`` counts.
    ``given_run_id`` (``FORUMCRAWL_RUN_ID``) is the row of the first site.
    """

    def __init__(self, database_url: str | None, *, given_run_id: int | None = None) -> None:
        self.store = None
        self.given_run_id = given_run_id
        self.runs: dict[str, int] = {}  # site origin -> run id
        self.heartbeat = None  # the looping call of beat() while the crawl runs
        try:
            from storage import Store, resolve_database_url

            self.store = Store(resolve_database_url(database_url))
        except Exception as exc:  # a run record is bookkeeping: never stop the crawl for it
            log.error("Could not record the crawl runs: %s", _first_line(exc))

    def open(self, site: SiteState) -> None:
        """Record the start of ``site``'s run (or claim the one recorded for it)."""
        if self.store is None or site.origin in self.runs:
            return
        given = site.run_id or (self.given_run_id if not self.runs else None)
        try:
            if given:
                self.store.heartbeat(given, claim=True)
                run_id = given
            else:
                run_id = self.store.start_run(site.origin, site.crawl_args())
        except Exception as exc:
            log.error("Could not record the crawl run of %s: %s", site.origin, _first_line(exc))
            return
        site.run_id = self.runs[site.origin] = run_id

    def start_beating(self, interval: float) -> None:
        """Renew the heartbeats every ``interval`` seconds, off the reactor thread."""
        from twisted.internet import task, threads

        self.heartbeat = task.LoopingCall(lambda: threads.deferToThread(self.beat))
        self.heartbeat.start(interval, now=False)

    def stop_beating(self) -> None:
        if self.heartbeat is not None and self.heartbeat.running:
            self.heartbeat.stop()

    def beat(self) -> None:
        """Renew every open run's heartbeat (call off the reactor thread)."""
        for run_id in list(self.runs.values()):
            try:
                self.store.heartbeat(run_id)
            except Exception as exc:  # noqa: BLE001 - the next beat tries again
                log.debug("Could not renew the heartbeat of run %s: %s", run_id, exc)

    def close(self, sites: list[SiteState], reason: str, stats: dict[str, Any]) -> None:
        """Record the end of every site's run and close the store."""
        from storage.runs import run_status

        if self.store is None:
            return
        single = len(sites) == 1
        for site in sites:
            run_id = self.runs.get(site.origin)
            if run_id is None:
                continue
            status = run_status(reason, unsaved=bool(stats.get("forumcrawl/db_unsaved_items")))
            if site.failed:
                status = "failed"
            row = dict(stats) if single else {k: v for k, v in site.counts.items()}
            row["finish_reason"] = reason
            if site.failed:
                row["site_failed"] = site.failed
            if not single:
                row["crawl_sites"] = len(sites)
            try:
                self.store.finish_run(run_id, stats=row, status=status, site=site.origin)
            except Exception as exc:
                log.error("Could not record the end of crawl run %s (%s): %s", run_id, site.origin, _first_line(exc))
        self.store.close()
        self.store = None


def _first_line(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text.splitlines()[0][:200]}" if text else type(exc).__name__
