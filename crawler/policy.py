"""URL policy: which links a crawl follows, and why not the others.

One room of the crawler (docs/crawler.md): scope (host, ``allow``/``deny``,
sibling hosts), the generic skip rules of :mod:`crawler.urls`, the depth limit
and the page budget, and the choice of links to follow on a page with their
priorities. It owns the count of pages taken on and writes every accepted URL
to the frontier journal; every refusal is counted under
``forumcrawl/links_skipped/<reason>``. It builds no requests: it returns
:class:`~crawler.fetches.Fetch` decisions.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from crawler.inert import InertCopies, InertParams
from crawler.hollow import HollowViews
from crawler.fetches import PRIORITY_ENTRY, PRIORITY_LISTING_NEXT, PRIORITY_OTHER, ROLE_PRIORITY, Fetch
from crawler.journal import Frontier
from crawler.pagination import first_page_aliases, is_page_one_of
from crawler.patterns import PatternLearner, url_pattern
from crawler.postgrid import PostGrid
from crawler.rows import extends_entry, page_jumps, row_windows, titled_as_entries
from crawler.urls import ProfileAreas, RouteKeys, canonicalize, same_site, site_of, skip_reason
from crawler.views import ViewMap, id_numbers, is_digest, signature

Count = Callable[..., None]
log = logging.getLogger("crawler.spiders.generic")

# A fragment naming one post: #p123, #post123, #post-123, #pid123, #msg123, #comment-5, #reply_9
_POST_ANCHOR = re.compile(r"#(?:p|post|pid|postid|msg|message|comment|reply|entry|r)[-_]?\d+$", re.I)


class KnownThreads(Protocol):
    """What discovery asks the recrawl planner (:class:`crawler.recrawl.RecrawlPlanner`)."""

    def intercept(self, url: str, entry: Any, depth: int) -> list[Fetch] | None: ...


def _no_count(key: str, count: int = 1) -> None:
    return None


class UrlPolicy:
    """Scope, skip rules, depth and page budget of one crawl; see the module docstring."""

    def __init__(self, journal: Frontier, *, start_url: str | None = None, allow: str | None = None,
                 deny: str | None = None, same_domain: bool = False, max_pages: int = 0,
                 max_depth: int | None = None, patterns: PatternLearner | None = None,
                 count: Count = _no_count, parallel_trials: int = 1) -> None:
        self.journal = journal
        self.allow = re.compile(allow) if allow else None
        self.deny = re.compile(deny) if deny else None
        self.same_domain = same_domain
        self.max_pages = max_pages
        self.max_depth = max_depth
        self.count = count
        self.patterns = patterns or PatternLearner(min_samples=0)
        self.taken = len(journal.seen)
        self.budget_reached = False
        # URLs of patterns not yet shown useful: a few are fetched first, ``parallel_trials``
        # at a time, the rest wait for their verdict (journaled as taken, so a resume still has them).
        self.parallel_trials = max(1, parallel_trials)
        self.on_trial: dict[str, int] = {}
        self.in_flight: dict[str, int] = {}  # trial fetches released and not answered yet
        self.waiting: dict[str, list[Fetch]] = {}
        self.waiting_urls: set[str] = set()
        # taken on, then left unfetched (their pattern learned useless): a thread's chain that
        # needs one fetches it after all (crawler/chains.py)
        self.unfetched: set[str] = set()
        self.shelved: dict[str, list[Fetch]] = {}  # pattern -> its entries left unfetched (_shelve)
        self.trial = True  # off under a shared frontier: a waiting link lives in one worker's memory
        self.late_entries: dict[str, dict[str, Any]] = {}  # pending URL -> listing entry found after it was taken
        self.held_jumps: dict[str, list[tuple[str, int, int]]] = {}  # entry URL -> its row's page-jump links left to its chain
        self.redirect_targets: dict[str, str] = {}  # URL pattern -> the known page a URL of it last redirected to
        self.row_entries: dict[str, str] = {}  # a row's link opening its entry at a later post -> the entry's URL
        self.held_rows: dict[str, tuple[int, int, bool]] = {}  # such links held for their entries' chains -> (priority, depth, refused)
        # Views (archive, slug-less, "jump to post" URLs) and the pages they stand for, learned;
        # once a pattern predicts, a link whose page is taken on already is not fetched.
        self.views = ViewMap()
        # Query parameters the site's pages showed to change nothing, dropped from its links.
        self.inert = InertParams()
        self.copies = InertCopies()  # copies met while a parameter is judged
        self.routes = RouteKeys()  # query keys that route the site's pages (?qa=user, ?qa=feed)
        self.profiles = ProfileAreas()  # folders of member pages, learned from thread pages' author links
        self.page_one_suffixes: set[str] = set()  # what this site's pagers add to a thread's URL for page 1
        # Pages without posts that listed known threads first in this re-crawl (the planner
        # decided about them there): what their new entries were on the first crawl.
        self.listed_known: set[str] = set()
        self._observed: list[str] = []
        # canonical URLs whose page was read under another URL naming the same page (read_for)
        self.read_elsewhere: set[str] = set()
        self._canonical: dict[str, str] = {}  # raw link -> canonical URL (bounded)
        # URL patterns of pages fetched as a chain's next page: [times another thread's page (a
        # next-topic link given as rel=next), times the chain's own]; one pattern per shape
        self.next_shapes: dict[str, list[int]] = {}
        self._known: set[int] | None = None  # hashes of the signatures of URLs taken on (built lazily)
        # Hollow targets: URL patterns of pages views declared the real ones that showed no posts
        # (a frameset around the view), and the views waiting on their targets (crawler/hollow.py)
        self.hollow = HollowViews()
        self.grid = PostGrid()  # post-range pagers seen: links to posts where no page starts are windows
        self.host = self.site = None
        if start_url:
            self.set_site(start_url)

    def set_site(self, url: str) -> None:
        """The crawl's site is ``url``'s (scheme, host and port)."""
        self.host, self.site = urlsplit(url).netloc, site_of(url)

    # -- single URLs ------------------------------------------------------------------------
    def in_scope(self, url: str) -> bool:
        """On the crawl's host (or its sibling hosts with ``same_domain``)."""
        return self.host is None or same_site(url, self.host, same_domain=self.same_domain)

    def allowed(self, url: str, *, learned: bool = True) -> bool:
        """Whether ``url`` may be fetched at all (skip rules, scope, allow/deny, and with
        ``learned`` the URL patterns this site showed to give nothing new); counted."""
        reason = self.refusal(url)
        if reason is None and learned:
            blocked = self.patterns.blocked(url)
            reason = f"learned_{blocked}" if blocked else None
        if reason is not None:
            self.count(f"forumcrawl/links_skipped/{reason}")
            return False
        return True

    def refusal(self, url: str) -> str | None:
        """Why ``url`` is out of bounds (skip rules, scope, allow/deny), or None."""
        reason = skip_reason(url) or self.routes.refusal(url) or self.profiles.refusal(url)
        if reason is None and not self.in_scope(url):
            reason = "offsite"
        if reason is None and self.allow is not None and not self.allow.search(url):
            reason = "not_allowed"
        if reason is None and self.deny is not None and self.deny.search(url):
            reason = "denied"
        return reason

    def refuse_redirect(self, origin: str, target: str) -> str | None:
        """Why a redirect from ``origin`` to ``target`` is not followed (the rules of links),
        or None. A redirect to an action page (login) teaches ``origin``'s pattern a wall.
        Its target teaches the site's routing keys as a link does: a login form reached only
        by redirects (``index.php?c=login&referer=...``, linked nowhere but in scripts) names
        the key its member pages and forms are routed by (``c=user``, ``c=edit``)."""
        self.routes.learn(target)
        reason = self.refusal(canonicalize(target))
        if reason is None:
            return None
        self.count(f"forumcrawl/redirects_refused/{reason}")
        if reason == "action":
            self.patterns.record(canonicalize(origin), "wall")
        return reason

    def take(self, url: str, priority: int, meta: dict[str, Any]) -> bool:
        """Take ``url`` on (journaled); False if already known or over ``max_pages``."""
        if url in self.journal.seen:
            return False
        if self.max_pages and self.taken >= self.max_pages:
            self.count("forumcrawl/links_skipped/max_pages")
            if not self.budget_reached:
                self.budget_reached = True
                log.warning("Page budget reached: %d pages taken on (-a max_pages=N or "
                            "-s FORUMCRAWL_MAX_PAGES=N raises it, 0 removes it); no new URL is taken "
                            "on from here", self.max_pages)
            return False
        self.taken += 1
        if self._known is not None:
            self._known.add(hash(signature(url)))
        return self.journal.add(url, priority, meta)

    def register(self, fetch: Fetch) -> Fetch:
        """Record a fetch decided elsewhere (a start URL, a revisit) as taken on."""
        self.journal.seen.add(fetch.url)
        self.taken += 1
        if self._known is not None:
            self._known.add(hash(signature(fetch.url)))
        self.journal.add(fetch.url, fetch.priority, fetch.meta)
        return fetch

    def seen_alias(self, url: str) -> str:
        """``url``, or its bare first-page alias when that is taken on already
        (``?page=1`` of a thread whose bare URL is known); without the parameters learned inert."""
        url = self.inert.strip(url)
        if url not in self.journal.seen:
            for alias in first_page_aliases(url):
                if alias in self.journal.seen:
                    return alias
            return self.known_first_page(url) or url
        return url

    def first_page_here(self, url: str, earlier: str) -> bool:
        """Whether ``url`` (``?page=1``, reached before its thread) is read as its thread's first
        page rather than parked for ``earlier``, its bare first-page alias: only while that alias
        is not taken on (then it is marked taken, the same page under a second URL, never fetched).
        A thread linked only with ``&page=1`` (HadSky) was fetched twice, under both URLs."""
        if earlier not in first_page_aliases(url) or earlier in self.journal.seen:
            return False
        self.journal.seen.add(earlier)
        self.count("forumcrawl/first_page_alias_joined")
        return True

    def first_page_named(self, alias: str | None, first: str, url: str) -> bool:
        """A thread's page 2 (``url``, read on the chain that began at ``first``) names its page 1
        ``alias`` (its pager's "1", "first" or "previous" link): when that is another URL of the same
        path as ``first`` or ``url`` (``/topic/5/?part=1`` beside ``/topic/5/``, ``read.php?2,53,page=1``
        beside ``read.php?2,53``), it is the first page again, whatever the name of its page
        parameter: marked taken, never fetched (it was once per thread on Asgaros Forum and Phorum).
        The thread's own pager says so; no word list does."""
        if not alias or alias in (first, url) or alias in self.journal.seen:
            return False
        a = urlsplit(alias)
        if (a.scheme, a.netloc) != urlsplit(first)[:2] or a.path not in (urlsplit(first).path, urlsplit(url).path):
            return False
        self.journal.seen.add(alias)
        self.count("forumcrawl/first_page_alias_learned")
        suffix = alias[len(first):] if alias.startswith(first) else ""
        if _PAGE_ONE_SUFFIX.fullmatch(suffix) and suffix not in self.page_one_suffixes \
                and len(self.page_one_suffixes) < 16:
            self.page_one_suffixes.add(suffix)
            log.info("Learned: a thread's URL followed by %r is its first page again; not fetched", suffix)
        return True

    def earlier_taken(self, earlier: str, url: str) -> str:
        """The page ``url``, a later page parked for its thread, waits for, given ``earlier``, the
        page 1 its pager names: :meth:`seen_alias`, or a page taken on already that ``earlier``
        extends with a short page-1 suffix whose parameter numbers ``url`` too
        (``read.php?2,53`` for ``read.php?2,53,page=1`` on ``read.php?2,53,page=5``; never
        ``viewtopic.php?f=2`` for ``viewtopic.php?f=2&t=1``). The chain from that page reaches
        the parked one, and page 1 is not fetched a second time (Phorum: once per thread)."""
        alias = self.seen_alias(earlier)
        if alias != earlier or earlier in self.journal.seen:
            return alias
        m = _PAGE_ONE_TAIL.search(earlier)
        if m is None or earlier[:m.start()] not in self.journal.seen:
            return earlier
        numbered = earlier[:-1]  # (the base, the separator, the parameter's name and its "=")
        if url.startswith(numbered) and url[len(numbered):].isdigit():
            self.count("forumcrawl/first_page_alias_joined")
            return earlier[:m.start()]
        return earlier

    def known_first_page(self, url: str) -> str | None:
        """The thread's first page taken on already that ``url`` names again with a suffix this
        site's pagers showed to mean page 1 (``/topic/7/?part=1`` once ``/topic/5/?part=1`` was
        learned, :meth:`first_page_named`), or None: the other threads' first pages under a second
        URL, also when a later page is reached before its thread's page 2 (then parked, it would
        fetch them as its earlier page)."""
        for suffix in self.page_one_suffixes:
            if url.endswith(suffix) and url[:-len(suffix)] in self.journal.seen:
                return url[:-len(suffix)]
        return None

    def redirected_to_known(self, url: str, target: str) -> list[Fetch]:
        """``url`` answered with a redirect to ``target``, requested already (the request dropped
        as a duplicate): a fetch that gave nothing but a known page. Its pattern learns a repeat, so
        "newer/older topic" links (Phorum's ``read.php?2,N,newer``) stop after three; without an
        outcome they were held on trial and all fetched at the crawl's end. Two URLs of a pattern
        redirected to one and the same page stop it at once (``redirects_to_one_page``: Biostar's
        ``/info/about/`` and ``/info/faq/`` both lead to the front page). A target out of bounds
        (a login page another redirect led to first, refused then) is left as before: no outcome,
        its trial still counted in flight until the crawl is idle. (Taught a wall, or only freeing
        the trial, ThinkSAAS's ``index.php?app=my`` let its router's pattern ``/index.php?app``
        try its sections sooner, each then linking pages not yet taken: 33 GETs instead of 29.)"""
        if self.refusal(canonicalize(target)) is not None:
            self.count("forumcrawl/redirects_to_known/refused")
            return []
        self.count("forumcrawl/redirects_to_known/page")
        target, pattern = canonicalize(target), url_pattern(url)
        if self.redirect_targets.get(pattern) == target:
            # a second URL of the pattern led to the same page (Biostar's /info/about/, /info/faq/ -> /):
            # every URL of it gives that one page
            self.patterns.block(url, "redirects_to_one_page", f"two of its URLs redirected to {target}")
        elif len(self.redirect_targets) < _REDIRECT_PATTERNS:
            self.redirect_targets[pattern] = target
        return self.learn(url, "repeat")

    # -- views -------------------------------------------------------------------------------
    def learn_view(self, view: str, target: str) -> None:
        """The page at ``view`` showed ``target``'s posts (a declared or linked copy)."""
        self.patterns.vouch(target)
        if self.views.learn(view, target) and self._known is None:
            self._known = {hash(signature(u)) for u in self.journal.seen}

    def skipped_view(self, view: str, target: str, depth: int, body: bytes = b"",
                     headers: dict[str, Any] | None = None) -> None:
        """``view`` was skipped for ``target``, not read yet: kept until it is (bounded); its page
        (``body``, ``headers``) too, the latest few: if ``target`` proves hollow, the view is read
        from memory instead of being fetched a second time."""
        self.hollow.skipped(view, target, depth, body, headers)

    def target_read(self, url: str) -> list[Fetch]:
        """``url``'s page showed posts: the views skipped for it were right to be; the declared
        targets of its pattern held to judge it are fetched now (:meth:`hold_target`)."""
        return self.hollow.target_read(url)

    def hold_target(self, fetch: Fetch) -> bool:
        """Whether a view's declared target waits while another of its URL pattern is fetched to
        tell whether that pattern's pages show posts (not under a shared frontier: a held fetch
        would live in one worker's memory)."""
        return self.trial and self.hollow.hold_target(fetch)

    def view_again(self, url: str) -> tuple[bytes, dict[str, Any]] | None:
        """Body and headers of the skipped view at ``url`` kept for its revival (forgotten now),
        or None: then it is fetched again."""
        return self.hollow.body(url)

    def declares_hollow(self, declared: str | None) -> bool:
        """``declared`` (a page's canonical URL) is of a pattern whose pages showed no posts when
        fetched for their views: the declaration says nothing about where the posts are."""
        return self.hollow.declared(declared)

    def learn_hollow(self, url: str, why: str) -> list[Fetch]:
        """Pages of ``url``'s pattern show no posts though pages name them the real ones (a frameset
        or a shell around the page that shows them): their links are not followed, a chain's
        next page of that pattern is taken as the page with the same numbers the page links
        in its pager (:meth:`next_page`), declarations naming them are ignored."""
        learned = self.hollow.learn(url)
        if learned is None:
            return []
        views, held = learned
        for fetch in held:  # (held targets: not fetched, their views read)
            self.journal.done(fetch.url)
            self.count("forumcrawl/links_skipped/hollow")
        self.count("forumcrawl/hollow_patterns_learned")
        log.info("Learned: pages like %s show no posts (%s): a frameset or a shell; not fetched, "
                 "the pages declaring them are read where they are", url_pattern(url), why)
        return self._revive(views)  # the views skipped for any page of the pattern

    def _framed(self, page, hollow: str) -> str | None:
        """The page a chain's hollow next page ``hollow`` wraps: the pager link of ``page`` with
        the same numbers (``index.php?msg=9.21`` -> ``messages.php?msg=9.21``), or None."""
        numbers = id_numbers(hollow)
        for link in page.links:
            if link.role != "pagination":
                continue
            there = self.inert.strip(canonicalize(link.url))
            if id_numbers(there) == numbers and not self.hollow.holds(there):
                return there
        return None

    def hollow_target(self, url: str) -> list[Fetch]:
        """The page at ``url`` showed no posts: if views were skipped for it (their posts to be
        stored from it), its pattern is learned hollow (the site's declarations name a frameset
        or a shell around the page), those views' patterns are no views any more, and the views,
        and the links dropped as views of known pages, are fetched to be read where they are."""
        if not self.hollow.waits_on(url):
            return []
        return self.learn_hollow(url, "declared canonical by the pages showing the posts")

    def _revive(self, views: list[tuple[str, int]]) -> list[Fetch]:
        """Views skipped for hollow pages: fetched again to be read where they are, with the links
        their pattern lost to the views' verdicts."""
        revived: dict[str, int] = {}
        for view, depth in views:
            view_pattern = url_pattern(view)
            # (a pattern learned to repeat known posts was judged by views skipped for hollow pages:
            # the links that verdict left unfetched are fetched; not those of pages found empty)
            repeats = self.patterns.blocked(view) == "repeats_known_posts"
            self.views.forget(view_pattern)
            self.patterns.forget(view_pattern, "its pages hold the posts their declared pages do not show")
            revived.setdefault(view, depth)
            for dropped, dropped_depth in self.hollow.dropped_like(view_pattern):
                revived.setdefault(dropped, dropped_depth)
            for stuck in [u for u in self.unfetched if repeats and url_pattern(u) == view_pattern]:
                self.unfetched.discard(stuck)
                if stuck in self.row_entries:  # (a row's "last post" link: held for its entry's chain)
                    self._hold_row(stuck, PRIORITY_OTHER, depth, refused=True)
                else:
                    revived.setdefault(stuck, depth)
        for window in [u for u in revived if self.grid.window(u)]:
            # (a "last post" window, skipped for its thread's first page or dropped: its posts
            # come from the thread's pages, read where they are now; read first, it was a thread)
            del revived[window]
            self.hollow.body(window)
            self.count("forumcrawl/links_skipped/post_window")
        self.count("forumcrawl/views_read_again", len(revived))
        fetches = []
        for view, depth in revived.items():
            kept = self.hollow.has_body(view)
            fetch = Fetch(view, PRIORITY_ENTRY, {"fc_depth": depth, **({"fc_kept_view": True} if kept else {})},
                          dont_filter=True)
            # (read from memory, a view costs nothing; fetched again, its pattern, judged anew, is on
            # trial: "larger font" links declaring the frameset canonical too give nothing)
            if kept or not self._wait(fetch):
                fetches.append(fetch)
        return fetches

    def view_of_known(self, url: str) -> bool:
        """``url`` is, as this site's views showed, a view of a page taken on already."""
        if self._known is None or not self.views:
            return False
        predicted = self.views.predict(url)
        return predicted is not None and hash(predicted) in self._known

    def next_page(self, page, url: str) -> str | None:
        """The canonical URL of ``page``'s next page, when it may be fetched."""
        if not page.next_page_url:
            return None
        nxt = self.inert.strip(canonicalize(page.next_page_url))
        if self.hollow.holds(nxt):
            nxt = self._framed(page, nxt)
            if nxt is None:
                return None
        if nxt == url or not self.allowed(nxt, learned=False):
            return None
        if _no_step(url, nxt):
            # (a "next topic" link given as the next page: the same numbers, a word added)
            self.count("forumcrawl/links_skipped/next_without_step")
            return None
        seen = self.next_shapes.get(url_pattern(nxt))
        if seen is not None and seen[0] >= 2 and not seen[1]:
            # pages of its shape were other threads' each time, never the chain's own: the thread ends here
            self.count("forumcrawl/links_skipped/next_is_another_thread")
            return None
        return nxt

    def next_was(self, url: str, *, own: bool) -> None:
        """The page at ``url``, fetched as a chain's next page, was the chain's own (``own``) or
        another thread's: two of a shape that were never a chain's own stop chains fetching it
        (:meth:`next_page`)."""
        self.next_shapes.setdefault(url_pattern(url), [0, 0])[1 if own else 0] += 1

    # -- a page's links -----------------------------------------------------------------------
    def canonical(self, url: str) -> str:
        """``canonicalize(url)``, remembered: most links of a page (navigation, boards, the
        pager) are on every page, and their canonical form was computed already."""
        found = self._canonical.get(url)
        if found is None:
            if len(self._canonical) >= 50_000:
                self._canonical.clear()  # memory bound; the busiest links come back at once
            found = self._canonical[url] = self.inert.strip(canonicalize(url))
        return found

    def refuse_queued(self, url: str) -> str | None:
        """Why a request queued before what the site taught since is not fetched after all
        (``links_skipped/<reason>``), or None. Its URL pattern was learned useless; or, with
        the parameters learned inert dropped, it names a page taken on or read already
        (``inert_duplicate``). A request carrying inert parameters whose page is not taken on
        yet stands for it: the page is taken on, and read under that URL (:meth:`read_as`).
        A routing key learned since may name it an action page (a member's profile taken from
        a thread page before the login redirect told the key: ``routing_action``)."""
        stripped = self.inert.strip(url)
        blocked = self.patterns.blocked(stripped)
        if blocked:
            # left unfetched like the links it held back: a chain may still need it, and the pattern
            # may be unlearned (its views' declared pages proved hollow), when such links are fetched
            self._left_unfetched(canonicalize(url))
            return f"learned_{blocked}"
        if self.routes.refusal(url) is not None:
            return "routing_action"
        if self.hollow.holds(stripped):
            return "hollow"       # (a frameset or shell learned since: its pages are linked directly)
        if self.grid.window(stripped):
            return "post_window"  # (a "last post" link queued before a post-range pager was seen)
        if self.profiles.refusal(url) is not None:
            return "profile"      # (a member's page taken on before the site's author links taught its folder)
        if stripped != url:
            if self.seen_alias(stripped) in self.journal.seen:  # (or its thread's bare first page)
                return "inert_duplicate"
            self.journal.seen.add(stripped)
        elif self.copies.was_read(url):
            return "inert_duplicate"
        elif url in self.read_elsewhere:
            return "canonical_read"
        return None

    def _left_unfetched(self, url: str) -> None:
        """``url`` was taken on and then not fetched: a thread's chain that needs it fetches it."""
        if len(self.unfetched) < _UNFETCHED_BOUND:
            self.unfetched.add(url)

    def read_as(self, url: str) -> str:
        """The URL a page fetched at ``url`` is read under: without the parameters learned
        inert. That URL is taken on then, and a request for it still queued is not fetched."""
        stripped = self.inert.strip(url)
        if stripped != url:
            self.journal.seen.add(stripped)
            self.copies.note_read(stripped)
        return stripped

    def read_for(self, url: str, target: str) -> None:
        """The page at ``url`` was read standing for ``target``, the canonical URL it declares
        (:func:`crawler.views.standing_for`): ``target`` counts as fetched, taken on so that no
        link reaches it and, queued already, not fetched after all (``canonical_read``)."""
        self.journal.seen.add(target)
        if len(self.read_elsewhere) >= 50_000:
            self.read_elsewhere.clear()  # memory bound: a late copy is read as a duplicate
        self.read_elsewhere.add(target)

    def keep_view(self, view: str, target: str, body: bytes, headers: dict[str, Any]) -> None:
        """The page at ``view`` was skipped as a copy of ``target``, the parameters that tell their
        URLs apart not judged yet: kept, to stand in for ``target`` (:class:`InertCopies`)."""
        self.copies.keep(view, target, body, headers)

    def await_verdict(self, view: str, fetch: Fetch) -> bool:
        """Hold ``fetch``, the target of a copy at ``view``, until an earlier target like it
        has judged the parameter (True: held; see :class:`InertCopies`)."""
        # (not under a shared frontier: a held fetch would live in one worker's memory)
        return self.trial and self.copies.await_verdict(view, fetch)

    def judged(self, url: str) -> list[Fetch]:
        """The page at ``url`` was read: the targets held for the verdict it brought, released."""
        return self.copies.judged(url)

    def stand_in(self, url: str) -> tuple[bytes, dict[str, Any]] | None:
        """Body and headers of a copy that stands in for ``url``'s page, or None."""
        return self.copies.stand_in(url, self.inert.strip)

    def observe_posts(self, url: str, page, declared: str | None = None) -> bool:
        """A thread page's posts, shown at ``url`` (declaring ``declared`` its canonical URL):
        may teach that a query parameter is inert (then True: what is keyed by URL elsewhere,
        parked pages, is keyed anew)."""
        posts = frozenset(hash(p.text) for p in page.posts if p.text)
        if len(self._observed) < 20_000:
            self._observed.append(url)
        learned = self.inert.observe(url, posts, canonicalize(declared) if declared else None, len(page.links))
        for path, name in learned:
            self._canonical.clear()
            # the pages read before: their URLs without the parameter are taken on already
            self.journal.seen.update(self.inert.strip(u) for u in self._observed)
            self.count("forumcrawl/params_learned_inert")
            log.info("Learned: the parameter %r of %s changes nothing; dropped from links", name, path)
        return bool(learned)

    def discover(self, page, meta: dict[str, Any], url: str, *, shared_frontier: bool = False,
                 known: KnownThreads | None = None, entry_trial: bool = True) -> list[Fetch]:
        """The page's links not taken on yet, with their priorities (journaled here); with
        ``entry_trial``, a listing's entries of an unjudged pattern a few at a time (:meth:`_wait_entry`)."""
        depth = meta.get("fc_depth", 0) + 1
        if self.max_depth is not None and depth > self.max_depth:
            return []
        fetches: list[Fetch] = []
        thread_like = bool(page.posts)
        canon = self.canonical
        entries = {canon(e.url): e for e in page.entries if e.url}
        candidates: list[tuple[str, int]] = []
        if page.next_page_url and not thread_like:
            candidates.append((page.next_page_url, PRIORITY_LISTING_NEXT))
        for link in page.links:
            # A thread's own pages also come along its chain; reached here first, they wait (parked).
            # With a shared frontier, the chain's reader alone fetches them.
            if thread_like and shared_frontier and link.role == "pagination":
                continue
            candidates.append((link.url, ROLE_PRIORITY.get(link.role, PRIORITY_OTHER)))
        for entry_url in entries:
            candidates.append((entry_url, PRIORITY_ENTRY))
        seen = self.journal.seen
        here = urlsplit(url).path
        for raw, _ in candidates:
            self.routes.learn(raw)
        if thread_like:
            folder = self.profiles.learn(url, page.links, [p.author for p in page.posts])
            if folder is not None:
                self.count("forumcrawl/profile_folders_learned")
                log.info("Learned: %s holds member pages (posts' author links); not followed", folder)
        targets = [(raw, canon(raw), priority) for raw, priority in candidates]
        linked = {target for _, target, _ in targets}
        own_next = canon(page.next_page_url) if page.next_page_url else None
        views = bool(self.views) and self._known is not None
        jumps = page_jumps(page, canon) if page.entries and not thread_like and not shared_frontier else {}
        permalinks = _post_permalinks(page, url, canon) if thread_like else set()
        # a thread page's pager linking this very URL with a page-1 suffix (Phorum's "1" on
        # read.php?2,53 is read.php?2,53,page=1), a listing row's page-jump "1" to its entry's URL
        # with one: that thread's first page again
        own_page_one = _page_one_links(page, url, entries, canon)
        windows = self.grid.learn(page, canon) if thread_like else set()
        into_entries = titled_as_entries(page, entries, canon) if entries else set()
        if entries and not thread_like:
            self._note_row_windows(row_windows(page, canon))
        for raw, target, priority in targets:
            if target != own_next and ("?" in target and any(a == url or a in linked or a in seen
                                                              for a in first_page_aliases(target))
                                        or thread_like and is_page_one_of(target, url)
                                        or self.page_one_suffixes and self.known_first_page(target)
                                        or target in own_page_one):
                # "?page=1" beside the bare thread URL, or "/t/8-1" on a page of thread /t/8, or a
                # known thread's URL with the suffix its pagers showed for page 1: the same first
                # page under a second URL
                self.count("forumcrawl/links_skipped/first_page_alias")
                continue
            if target in into_entries:
                # "Answer: <a listed question's title>", "Re: <a listed topic's title>" (a recent
                # replies box): a link into a thread this listing shows, which its chain reads
                self.count("forumcrawl/links_skipped/titled_as_entry")
                seen.add(target)  # (decided here, also where it shows again without the listing)
                continue
            if target in windows or self.grid.window(target):
                # the thread from another post on ("In reply to 8.10" on a pager of 1–5 6–10 11–15): a window
                # over posts its pages show
                self.count("forumcrawl/links_skipped/post_window")
                continue
            if target in permalinks:
                # a post's own page ("Permalink for this message": /message/<id>/), a copy of a
                # post this thread page shows and stores
                self.count("forumcrawl/links_skipped/permalink")
                continue
            if known is not None:
                revisits = known.intercept(target, entries.get(target), depth)
                if revisits is not None and target in entries and not thread_like:
                    self._listed_known(url)
                if revisits is not None:
                    fetches += [self.register(f) for f in revisits]
                    continue
            if target in seen:
                if target in entries and target in self.waiting_urls:
                    promoted = self._promote(target, entries[target], depth, entry_trial)
                    if promoted is not None:
                        fetches.append(promoted)
                elif target in entries and not self.journal.is_done(target):
                    # taken from another link (or a warm-up page's rougher listing) before a
                    # listing showed it: what the entry says still reaches its thread
                    self.late_entries[target] = _entry_meta(entries[target])
                continue
            if "#" in raw and (_POST_ANCHOR.search(raw) or ((thread_like or page.kind == "article")
                                                            and urlsplit(target).path == here)):
                # a link to one post (showthread.php?p=5#post5, "last post" links): a thread page
                # under another URL, which the thread's own chain reaches anyway; on an article, its
                # own path with a query and an anchor (a comment's "?replytocom=5#respond" form)
                self.count("forumcrawl/links_skipped/permalink")
                continue
            if jumps.get(target) in entries or jumps.get(target) in seen:
                # a listing row's page-jump link ("1 2 ... 7" beside the thread's title): the
                # thread's chain reads that page from the row's entry, taken on here
                self.count("forumcrawl/links_skipped/page_jump")
                self._hold_jump(jumps[target], target, priority, depth)
                continue
            if "#" in raw and not thread_like and target not in entries and extends_entry(target, entries):
                # a listing row's link to one post of its thread (``?qa=5&show=9#a9``: the
                # entry's URL and a parameter more, anchored): the thread's chain reads that post
                self.count("forumcrawl/links_skipped/permalink")
                continue
            if self.hollow.holds(target):
                # a frameset or shell around pages linked here too (policy.learn_hollow)
                self.count("forumcrawl/links_skipped/hollow")
                seen.add(target)
                continue
            if views and target not in entries and self.view_of_known(target):
                # a view (archive, slug-less or "jump to post" URL) of a page already taken on
                self.count("forumcrawl/links_skipped/view_of_known")
                seen.add(target)
                self.hollow.dropped(target, depth)
                self._left_unfetched(target)  # (a thread's chain may still name it its next page)
                continue
            if not self.allowed(target):
                seen.add(target)  # decided once; never reconsidered
                if self.patterns.blocked(target):
                    # (but for a learned verdict, which unlearning a pattern undoes, and which a
                    # thread's chain that needs the page overrides)
                    self._left_unfetched(target)
                continue
            if self.row_entries.get(target) in entries and not shared_frontier:
                # a listing row's "last post" link beside its entry (msg=3.2 beside msg=3.1): a page
                # the entry's chain reads, or a window over posts it reads; held until the end
                self.count("forumcrawl/links_held/row_window")
                self._hold_row(target, priority, depth)
                continue
            child: dict[str, Any] = {"fc_depth": depth}
            entry = entries.get(target)
            if entry is not None:
                priority = max(priority, PRIORITY_ENTRY)
                child["fc_entry"] = _entry_meta(entry)
            if self.take(target, priority, child):
                fetch = Fetch(target, priority, child)
                if priority >= PRIORITY_ENTRY:
                    if not (entry_trial and self._wait_entry(fetch)):
                        fetches.append(fetch)
                elif not self._wait(fetch):
                    fetches.append(fetch)
        return fetches

    def _listed_known(self, url: str) -> None:
        if len(self.listed_known) >= 10_000:
            self.listed_known.clear()  # memory bound: a page's flag is taken right after its links
        self.listed_known.add(url)

    def took_known_entries(self, url: str) -> bool:
        """Whether the page at ``url`` (without posts) was the first listing of known threads
        in this incremental re-crawl: a board page doing its job, though nothing on it is new
        (its threads unchanged). Asked once, after its links were followed."""
        if url in self.listed_known:
            self.listed_known.discard(url)
            return True
        return False

    def _note_row_windows(self, windows: dict[str, str]) -> None:
        for window, entry in windows.items():
            self.row_entries.setdefault(window, entry)
        while len(self.row_entries) > 50_000:  # memory bound: the oldest rows' links are forgotten
            del self.row_entries[next(iter(self.row_entries))]

    def _hold_row(self, target: str, priority: int, depth: int, refused: bool = False) -> None:
        """(``refused``: refused once, taken on then, for a verdict unlearned since)"""
        self.held_rows.setdefault(target, (priority, depth, refused))
        while len(self.held_rows) > 50_000:  # memory bound: the oldest are forgotten
            del self.held_rows[next(iter(self.held_rows))]

    def claim_held(self, url: str) -> bool:
        """``url`` is a row's "last post" link held for its entry's chain (:meth:`discover`), and a
        chain needs it now as its next page: it leaves the hold (True) and the chain fetches it."""
        return self.held_rows.pop(url, None) is not None

    def row_window_entry(self, url: str) -> str | None:
        """The entry a listing row showed ``url`` beside, opening that thread at a later post
        (:func:`crawler.rows.row_windows`: a "last post" link), or None. However it is fetched (a
        link, a view revived), such a page read before its entry's chain waits for it as a later
        page does."""
        return self.row_entries.get(url)

    def _hold_jump(self, entry: str, target: str, priority: int, depth: int) -> None:
        held = self.held_jumps.setdefault(entry, [])
        if len(held) < 20:
            held.append((target, priority, depth))
        while len(self.held_jumps) > 50_000:  # memory bound: the oldest rows' jumps are forgotten
            del self.held_jumps[next(iter(self.held_jumps))]

    def release_jumps(self, entry: str) -> list[Fetch]:
        """The page-jump links left to ``entry``'s chain, now that its first page failed for
        good: fetched after all, so the thread's later pages (and, through them, its chain)
        are not lost with it."""
        fetches = []
        for target, priority, depth in self.held_jumps.pop(entry, ()):
            child: dict[str, Any] = {"fc_depth": depth}
            if target not in self.journal.seen and self.take(target, priority, child):
                fetches.append(Fetch(target, priority, child))
        if fetches:
            self.count("forumcrawl/links_released/page_jump", len(fetches))
        return fetches

    # -- learning ----------------------------------------------------------------------------------
    def held_for_trial(self, fetch: Fetch) -> bool:
        """A URL taken on from a sitemap (an entry's priority, but no listing's entry): held back
        while its URL pattern is on trial, as a link is (:meth:`_wait`); True if held."""
        return self._wait(fetch)

    def _wait(self, fetch: Fetch) -> bool:
        """Hold ``fetch`` back while its URL pattern is on trial: of a pattern that has not
        yet given anything new, ``parallel_trials`` links are fetched at a time (the next one
        when one is judged, :meth:`learn`), ``min_samples`` in all; the others wait for the
        verdict. Judged one after the other, a useless pattern costs as few fetches as its
        verdict needs, and what the first views taught (:meth:`learn_view`) spares the rest."""
        trial = self.patterns.min_samples
        if not trial or not self.trial:
            return False
        pattern = url_pattern(fetch.url)
        record = self.patterns.records.get(pattern)
        if record is not None and record.outcomes.get("new"):
            # useful once: fetched, but no more at a time than its "rarely yields" verdict needs
            room = self.patterns.verdict_room(pattern)
            if room is None:
                return False
            if self.in_flight.get(pattern, 0) < room:
                self.in_flight[pattern] = self.in_flight.get(pattern, 0) + 1
                return False
        elif self._may_try(pattern):
            self._on_trial(pattern)
            return False
        self._hold(pattern, fetch, "forumcrawl/links_waiting")
        return True

    def _on_trial(self, pattern: str) -> None:
        self.on_trial[pattern] = self.on_trial.get(pattern, 0) + 1
        self.in_flight[pattern] = self.in_flight.get(pattern, 0) + 1

    def _hold(self, pattern: str, fetch: Fetch, stat: str) -> None:
        self.waiting.setdefault(pattern, []).append(fetch)
        self.waiting_urls.add(fetch.url)
        self.count(stat)

    def _wait_entry(self, fetch: Fetch) -> bool:
        """Hold a listing's entry back while its URL pattern has not given anything new: of such
        a pattern, ``unanimous`` entries are fetched at a time, the others wait for the verdict
        (all released at the first new page, dropped when the pattern is learned useless). A
        listing of badges, tags or members costs the few pages its verdict needs; a board's
        threads wait for the first of them to show posts."""
        if not self.patterns.min_samples or not self.trial:
            return False
        pattern = url_pattern(fetch.url)
        if self._entry_may_go(pattern):
            return False
        self._hold(pattern, fetch, "forumcrawl/entries_waiting")
        return True

    def _entry_may_go(self, pattern: str) -> bool:
        """An entry of ``pattern`` may be fetched now (counted in flight when it is on trial)."""
        record = self.patterns.records.get(pattern)
        if (record is not None and record.outcomes.get("new")) or pattern in self.patterns.vouched \
                or pattern in self.patterns.chained:
            return True  # proven: entries are fetched at once
        if self.in_flight.get(pattern, 0) >= self.patterns.unanimous:
            return False
        self._on_trial(pattern)
        return True

    def _may_try(self, pattern: str) -> bool:
        """One more link of ``pattern`` may be fetched now to judge it."""
        return (self.on_trial.get(pattern, 0) < self.patterns.min_samples
                and self.in_flight.get(pattern, 0) < self.parallel_trials)

    def _promote(self, url: str, entry: Any, depth: int, entry_trial: bool = True) -> Fetch | None:
        """A waiting link is a listing's entry after all: fetched now, as an entry, or (its
        pattern on trial with entries in flight) left waiting as one."""
        pattern = url_pattern(url)
        waiting = self.waiting.get(pattern, [])
        fetch = next(f for f in waiting if f.url == url)
        fetch.priority = max(fetch.priority, PRIORITY_ENTRY)
        fetch.meta = {"fc_depth": min(fetch.meta.get("fc_depth", depth), depth), "fc_entry": _entry_meta(entry)}
        self.journal.update(url, fetch.priority, fetch.meta)
        if entry_trial and not self._entry_may_go(pattern):
            return None
        waiting.remove(fetch)
        if not waiting:
            self.waiting.pop(pattern, None)
        self.waiting_urls.discard(url)
        return fetch

    def learn(self, url: str, outcome: str) -> list[Fetch]:
        """Record what fetching ``url`` gave; returns the waiting fetches of its pattern
        when that made the pattern useful (dropped, and finished, when it made it useless),
        else the next one to judge it by."""
        self.patterns.record(url, outcome)
        if log.isEnabledFor(logging.DEBUG):
            log.debug("Outcome %s: %s", outcome, url)  # (what bench/engine_gets.py reads per GET)
        return self.refill(url, outcome) + (self._unshelve(url) if outcome == "new" else [])

    def _shelve(self, pattern: str, entries: list[Fetch]) -> None:
        """Entries left unfetched when ``pattern`` was learned useless: kept (bounded) in case a
        page of it gives new posts after all (answers' links redirecting to their questions, which
        share the pattern, can make the first verdict), when they are fetched (:meth:`_unshelve`)."""
        # (a rare event, a pattern learned useless with entries waiting: the bound is counted then)
        if entries and sum(map(len, self.shelved.values())) + len(entries) <= _SHELF_BOUND:
            self.shelved.setdefault(pattern, []).extend(entries)

    def _unshelve(self, url: str) -> list[Fetch]:
        """The entries shelved for ``url``'s pattern, which gave something new: fetched now."""
        pattern = url_pattern(url)
        if pattern not in self.shelved or self.patterns.blocked(url):
            return []
        shelf = self.shelved.pop(pattern)
        fetches = [f for f in shelf if f.url in self.unfetched]  # (not those a chain fetched meanwhile)
        self.unfetched.difference_update(f.url for f in fetches)
        self.count("forumcrawl/entries_unshelved", len(fetches))
        return [Fetch(f.url, f.priority, f.meta, dont_filter=True) for f in fetches]

    def refill(self, url: str, outcome: str | None = None) -> list[Fetch]:
        """After ``url`` was answered (an outcome recorded here, or a failure, a refusal):
        its pattern's waiting fetches to release now."""
        pattern = url_pattern(url)
        if self.in_flight.get(pattern):
            self.in_flight[pattern] -= 1
        targets = self.hollow.answered(url)  # (a target judging its pattern: the next one)
        waiting = self.waiting.get(pattern)
        if not waiting:
            return targets
        if targets:
            return targets + self.refill(url, outcome)
        blocked = self.patterns.blocked(url)
        record = self.patterns.records.get(pattern)
        useful = outcome == "new" or (record is not None and bool(record.outcomes.get("new")))
        room = self.patterns.verdict_room(pattern) if useful and not blocked else None
        if (useful and room is None) or blocked:
            del self.waiting[pattern]
            self.waiting_urls.difference_update(f.url for f in waiting)
            if not blocked:
                return waiting
            self.count(f"forumcrawl/links_skipped/learned_{blocked}", len(waiting))
            for fetch in waiting:
                self.journal.done(fetch.url)
                self._left_unfetched(fetch.url)
            self._shelve(pattern, [f for f in waiting if f.priority >= PRIORITY_ENTRY])
            return []
        self._drop_known_views(pattern)
        released: list[Fetch] = []
        while self.waiting.get(pattern) and (self.in_flight.get(pattern, 0) < room if room is not None
                                             else self._may_try(pattern)):
            released.append(self._release(pattern))
        return released

    def claim_waiting(self, url: str) -> bool:
        """``url`` waits for its pattern's verdict (a link on trial): a thread's chain needs it
        now, so it leaves the wait (True) and the chain fetches it whatever the verdict."""
        if url not in self.waiting_urls:
            return False
        pattern = url_pattern(url)
        left = [f for f in self.waiting.get(pattern, ()) if f.url != url]
        if left:
            self.waiting[pattern] = left
        else:
            self.waiting.pop(pattern, None)
        self.waiting_urls.discard(url)
        return True

    def _release(self, pattern: str) -> Fetch:
        fetches = self.waiting[pattern]
        fetch = fetches.pop(0)
        if not fetches:
            del self.waiting[pattern]
        self.waiting_urls.discard(fetch.url)
        self._on_trial(pattern)
        return fetch

    def _drop_known_views(self, pattern: str) -> None:
        """Waiting links of ``pattern`` that are views of pages taken on: finished unfetched."""
        fetches = self.waiting.get(pattern)
        if not fetches or pattern not in self.views.predicting:
            return
        keep = []
        for fetch in fetches:
            if self.view_of_known(fetch.url):
                self.count("forumcrawl/links_skipped/view_of_known")
                self.waiting_urls.discard(fetch.url)
                self.journal.done(fetch.url)
                self.hollow.dropped(fetch.url, fetch.meta.get("fc_depth", 0))
            else:
                keep.append(fetch)
        if keep:
            self.waiting[pattern] = keep
        else:
            del self.waiting[pattern]

    def release_waiting(self) -> list[Fetch]:
        """When nothing else is left: the next few waiting fetches of each pattern on trial
        (``parallel_trials`` each; views of pages taken on meanwhile are dropped), and held
        declared targets."""
        released = self.copies.release_all() + self.hollow.release_held()  # (their judges failed)
        self.in_flight.clear()  # idle: nothing is in flight (a lost answer no longer holds a trial)
        for pattern in list(self.waiting):
            self._drop_known_views(pattern)
            for _ in range(max(self.parallel_trials, self.patterns.min_samples)):
                if not self.waiting.get(pattern):
                    break
                released.append(self._release(pattern))
        if released or not self.held_rows:
            return released
        return self._release_rows() or self.release_waiting()  # (those it left waiting for a verdict)

    def _release_rows(self) -> list[Fetch]:
        """Rows' "last post" links held for their entries' chains (:meth:`discover`), once nothing
        else is left: those no chain read and no post-range pager showed to be windows are
        fetched (a chain that broke off still reaches the thread's later pages through them)."""
        fetches = []
        held, self.held_rows = self.held_rows, {}
        for target, (priority, depth, refused) in held.items():
            if (target in self.journal.seen and not refused) or self.journal.is_done(target) \
                    or self.grid.window(target) or self.hollow.holds(target) \
                    or self.view_of_known(target) or not self.allowed(target):
                continue  # (taken on since, by a chain or another link, or known now not to be fetched)
            child: dict[str, Any] = {"fc_depth": depth}
            if refused or self.take(target, priority, child):
                fetch = Fetch(target, priority, child, dont_filter=refused)
                if not self._wait(fetch):  # (judged as any link: a few at a time while on trial)
                    fetches.append(fetch)
        if fetches:
            self.count("forumcrawl/links_released/row_window", len(fetches))
        return fetches

# URL patterns whose redirects to known pages are remembered (memory bound).
_REDIRECT_PATTERNS = 10_000
# Links left unfetched for a pattern learned useless, kept to be fetched if it is unlearned (memory bound).
_UNFETCHED_BOUND = 100_000
# Entries kept for a pattern learned useless that may prove useful after all (memory bound).
_SHELF_BOUND = 10_000

# What a pager may add to a thread's URL for its page 1: a separator, a short name, "=" or a
# separator, then 0 or 1 ("?part=1", ",page=1", "&start=0"); never a path segment of its own.
_PAGE_ONE_SUFFIX = re.compile(r"[?&,;][A-Za-z_]{1,16}[=_-]?[01]")
_PAGE_ONE_TAIL = re.compile(_PAGE_ONE_SUFFIX.pattern + "$")


_WORD_VALUE = re.compile(r"[A-Za-z_-]{1,12}")


def _no_step(url: str, nxt: str) -> bool:
    """Whether a page's "next page" ``nxt`` steps nowhere through its thread's pages: the same path,
    no number greater than ``url``'s, and a query parameter with a short word added
    (``?topic=7.5`` -> ``?prev_next=next&topic=7.0``: the forum's "next topic", which another
    thread's first page answers). A later page raises a number (``page=2``, ``start=20``,
    ``topic=7.10``); one paged back by ids (``?before=480``) changes no word; a cursor is long."""
    a, b = urlsplit(url), urlsplit(nxt)
    if a.path != b.path or a.query == b.query:
        return False
    here, there = id_numbers(url), id_numbers(nxt)
    if len(here) != len(there) or any(int(t) > int(h) for h, t in zip(here, there)):
        return False
    added = set(parse_qsl(b.query, keep_blank_values=True)) - set(parse_qsl(a.query, keep_blank_values=True))
    return any(_WORD_VALUE.fullmatch(value) for _, value in added)


def _page_one_links(page, url: str, entries: dict[str, Any], canon: Callable[[str], str]) -> set[str]:
    """Links naming a page 1 by its URL and a page-1 suffix: a pager's links to ``url`` itself
    (``read.php?2,53,page=1`` on ``read.php?2,53``, ``list.php?2,page=1`` on ``list.php?2``), and on
    a listing any link to an entry's URL with one (a row's page-jump "1")."""
    found = set()
    for link in page.links:
        target = canon(link.url)
        if target[-1:] not in ("0", "1"):
            continue  # (most links: the search would scan the whole URL)
        m = _PAGE_ONE_TAIL.search(target)
        if m is None:
            continue
        base = target[:m.start()]
        if (base == url and link.role == "pagination") or (not page.posts and base in entries):
            found.add(target)
    return found


def _post_permalinks(page, url: str, canon: Callable[[str], str] = canonicalize) -> set[str]:
    """The own pages of a thread page's posts (each post's permalink, when it names another
    page than this one and no anchor on it): copies of one post each. Not on a digest, whose
    posts' links lead to the pages those posts are stored from."""
    links = {canon(p.url) for p in page.posts if p.url and "#" not in p.url}
    links -= {url, *first_page_aliases(url)}
    if not links or is_digest(page, url):
        return set()
    if page.next_page_url:
        links.discard(canon(page.next_page_url))
    return links


def _entry_meta(entry: Any) -> dict[str, Any]:
    """What a listing entry tells about its thread, carried by the thread's request."""
    return {"title": entry.title or None, "replies": entry.replies,
            "last_activity": entry.published.isoformat() if entry.published else None}
