"""One extracted page's way through the rooms: what it is, and what it leads to.

One room of the crawler (docs/crawler.md): the decision tree the spider used to
hold. An extracted page is, in this order: a copy of another page without posts
(a print view, an archive page: its target is fetched instead); a page without
posts (a listing: its links are followed, its page record stored); a *digest*
(posts copied from other pages: stored from those); a duplicate of a thread page
read already; a view of another thread page (``rel=canonical``...); a later
thread page reached before its chain (*parked*, its earlier page fetched); or a
thread page read on its chain (items, the chain's next page). The answer is a
:class:`PageStep`, plain data the spider turns into requests, a page record and
items; nothing here fetches, journals a finished page or knows Scrapy.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crawler.assembly import Reading
from crawler.chains import Chains
from crawler.fetches import PRIORITY_FIRST, Fetch
from crawler.pagination import earlier_page_url
from crawler.responses import fetched_new, plain_outcome, reader_comments
from crawler.urls import canonicalize
from crawler.views import another_thread, copy_of, is_digest, standing_for, view_target

if TYPE_CHECKING:
    from crawler.sites import SiteState

log = logging.getLogger("crawler.spiders.generic")

#: ``discover(site, page, meta, url)``: the links of a page to follow (the spider's: its
#: sitemaps may stand in for the listings).
Discover = Callable[["SiteState", Any, dict[str, Any], str], list[Fetch]]


@dataclass
class PageStep:
    """What one page leads to, carried out by the spider in this order: ``parked`` (a
    parked page's URL: its shared-frontier request is kept open), ``fetches`` (journaled,
    then requested), ``record`` (a page record for the store: a page without items),
    ``finished`` (the page is finished now), ``reading`` (items to emit; their page is
    finished once they are committed)."""

    fetches: list[Fetch] = field(default_factory=list)
    reading: Reading | None = None
    record: bool = False
    finished: bool = False
    parked: str | None = None


class PageFlow:
    """The decisions for one extracted page of a site; see the module docstring."""

    def __init__(self, chains: Chains, discover: Discover) -> None:
        self.chains = chains
        self.discover = discover

    def step(self, site: SiteState, page, meta: dict[str, Any], key: str, url: str, info: dict[str, Any],
             body: bytes = b"", headers: dict[str, Any] | None = None, found_new: bool = False) -> PageStep:
        """Everything one extracted page (requested as ``key``, arrived as ``url``) leads to.

        ``info``: its :func:`crawler.responses.response_info` (with :func:`form_facts` for a
        page without posts); ``body``/``headers``: kept as a copy while a parameter of its URL
        is judged; ``found_new``: a page held during the warm-up whose links gave something
        new then (its URL pattern is judged by that).
        """
        threads, policy = site.threads, site.policy
        revived: list[Fetch] = []
        if policy.declares_hollow(info.get("declared")):
            info = {**info, "declared": None}  # (it names a frameset around this page: no view)
            if not page.posts:  # (a shell declaring a shell: of the same kind)
                revived = policy.learn_hollow(url, "they declare such pages canonical")
        ctx = threads.context_for(meta, key, url)
        chained = ctx is not None and bool(page.posts)  # (fetched as a chain's next page)
        if chained and \
                another_thread(page, url, info.get("declared"), ctx.get("title"), threads.titles.clean, policy.in_scope):
            # a chain's "next page" that is another thread's page (a next-topic link given as
            # rel=next): the chain ends before it; the page is read as any page reached outside one
            site.count("forumcrawl/chain_next_was_another_thread")
            log.info("%s is not the next page of %s: it declares another thread's page", url, ctx.get("thread_url"))
            policy.next_was(url, own=False)
            ctx = chained = None
        copied = copy_of(page, url, info.get("declared"), policy.in_scope) if ctx is None else None
        if copied is not None:  # a print view of a topic the extractor could not split, an archive page
            return self.view(site, key, meta, url, copied, body=body, headers=headers)
        if reader_comments(page):  # a blog post and its comments: an article, not a thread
            site.count("forumcrawl/article_comments_unstored")
            page.posts = []
        elif page.posts and policy.profiles.refusal(url) is not None:
            # a member's page fetched before the posts' author links taught its folder (in the
            # warm-up): its "posts" are the member's posts again, or its profile's fields
            site.count("forumcrawl/member_pages_unstored")
            page.posts = []
        if not page.posts:
            # (a chain that claimed this page while it was queued left its context here: the
            # refetch carries it, so the good copy is read on that chain)
            again = site.broken.check(key, url, page, len(body), {**meta, "fc_thread": ctx} if ctx else meta)
            if again is not None:  # a broken answer (an error page, half a page): fetched again, not read
                return PageStep([again] + policy.refill(key))
            # (a page views were skipped for, showing no posts itself: the views are read after all)
            revived += policy.hollow_target(key)
            for fetch in revived:
                threads.views.pop(fetch.url, None)  # (no longer standing for the hollow page)
            fetches = revived + self.discover(site, page, meta, url) + policy.judged(key)
            # (a board page of a re-crawl listing known threads first is what it was on the first crawl)
            known_first = policy.took_known_entries(url)
            outcome = "new" if found_new or known_first else plain_outcome(page, url, fetches, info)
            if outcome == "new" and page.kind == "article" and not found_new and not fetched_new(url, fetches) \
                    and threads.copies_posts(page.text):
                site.count("forumcrawl/articles_copying_posts")
                outcome = "repeat"
            return PageStep(fetches + policy.learn(key, outcome), record=True, finished=True)
        if is_digest(page, url):
            # Posts gathered from other pages (recent posts, search results): stored from those.
            site.count("forumcrawl/digest_pages_skipped")
            log.info("Skipped %s: its posts are copies of posts on other pages", url)
            fetches = self.discover(site, page, meta, url)
            return PageStep(fetches + policy.learn(key, "repeat"), record=True, finished=True)
        # A thread page (a single-post page may be classified "article": posts decide).
        shown = policy.target_read(key)  # (declared targets held to judge its pattern: fetched now)
        if ctx is None and info.get("declared"):
            policy.grid.learn(page)  # (its pager's grid, also when it is skipped as a view below)
        broken = site.broken.observe(url, page, len(body))  # earlier broken answers of its shape
        if policy.observe_posts(url, page, info.get("declared")):
            threads.rekey(policy.inert.strip)
        released = shown + broken + policy.judged(key)  # copies' targets held for this page's verdict
        url = policy.read_as(url)  # (a link queued before its parameter was learned inert)
        if threads.already_emitted(page) and not meta.get("fc_rechain"):
            # Every post of this page was stored from another URL of the same page.
            site.count("forumcrawl/duplicate_thread_pages")
            log.info("Skipped %s: duplicate of a thread page already read", url)
            target = None if ctx is not None else \
                view_target(page, url, info.get("declared"), policy.in_scope) or policy.views.original(page)
            if target is not None:
                policy.learn_view(key, target)
            return PageStep(released + policy.learn(key, "repeat"), finished=True)
        stands_for = standing_for(page, url, info.get("declared"), policy.in_scope)
        if stands_for is not None:
            # the same page under the canonical URL it declares (esoTalk's /9-slug naming /9-slug/0):
            # read here; the canonical URL counts as fetched, and stands for this page in chains
            site.count("forumcrawl/read_for_canonical")
            policy.read_for(url, stands_for)
            threads.note_view(stands_for, url)
        if ctx is None:
            start = policy.grid.start_of(page, url, policy.inert.strip)
            if start is not None:  # a "last post" window: its thread's page holding that post stores it
                step = self.view(site, key, meta, url, start, body=body, headers=headers)
                step.fetches[:0] = released
                return step
        if ctx is None:
            target = view_target(page, url, info.get("declared"), policy.in_scope)
            if target is not None and target != stands_for:
                pending = bool(body) and policy.inert.undecided(key, target)
                if pending:
                    policy.keep_view(key, target, body, headers or {})
                step = self.view(site, key, meta, url, target, pending=pending, body=body, headers=headers)
                step.fetches[:0] = released
                return step
            earlier = earlier_page_url(page, url)
            if earlier is not None and policy.first_page_here(url, earlier):
                earlier = None      # (a "?page=1" page before its bare alias is its thread's first page)
            row_entry = policy.row_window_entry(key) if earlier is None else None
            if row_entry is not None and row_entry != url:
                # a listing row's "last post" link read before its entry: a later page, or a window
                # over posts of the entry's pages; it waits for the entry's chain as a later page does
                site.count("forumcrawl/row_windows_parked")
                earlier = row_entry
            if earlier is not None:
                earlier = threads.standing_for(policy.earlier_taken(earlier, url))
            if earlier is not None and self.chains.shared_frontier:
                ctx = self.chains.relay.context_for(key, url, meta.get("frontier_id") or "")
            if ctx is None and earlier is not None:
                return PageStep(released + self.park(site, page, meta, key, url, info, earlier), parked=url)
        if ctx is None:
            late = None if "fc_entry" in meta else policy.late_entries.pop(key, None)
            ctx = threads.start(page, {**meta, "fc_entry": late} if late else meta, url)
            if meta.get("fc_rechain"):
                threads.rechain(meta["fc_rechain"], url)
        if chained:
            policy.next_was(url, own=True)
        if ctx.get("page") == 2:  # (its pager's link to page 1: the chain read that page already)
            policy.first_page_named(earlier_page_url(page, url), ctx["thread_url"], url)
        reading = threads.read(page, key, url, info, ctx, policy.next_page)
        policy.views.read(page, url)
        fetches = policy.learn(key, "new" if reading.new_posts else "repeat")
        fetches += self.chains.follow(site, reading) + self.discover(site, page, meta, url)
        return PageStep(released + fetches, reading=reading)

    def park(self, site: SiteState, page, meta: dict[str, Any], key: str, url: str, info: dict[str, Any],
             earlier: str) -> list[Fetch]:
        """A later page before its chain: it waits; its thread's earlier page is fetched."""
        log.debug("Parked %s until its thread's chain reaches it (earlier page %s)", url, earlier)
        policy = site.policy
        site.threads.park(page, key, url, info, meta.get("frontier_id"), earlier,
                          rechain=bool(meta.get("fc_rechain")))
        fetches = policy.learn(key, "new")
        entry_meta = {"fc_depth": meta.get("fc_depth", 0)}
        if meta.get("fc_rechain"):  # a re-chain goes on back to the thread's first page
            fetches += self.chains.rechain(site, [earlier])
        elif policy.take(earlier, PRIORITY_FIRST, entry_meta):
            fetches.append(Fetch(earlier, PRIORITY_FIRST, entry_meta))
        return fetches + self.discover(site, page, meta, url)

    @staticmethod
    def view(site: SiteState, key: str, meta: dict[str, Any], url: str, target: str, *,
             pending: bool = False, body: bytes = b"", headers: dict[str, Any] | None = None) -> PageStep:
        """A copy of another page (archive, print, permalink, "jump to post" window): its
        posts are stored from the page it names, fetched instead if new. ``body``/``headers``:
        the page, kept a while in case its target proves hollow (read then, not fetched again)."""
        policy = site.policy
        site.count("forumcrawl/views_skipped")
        log.info("Skipped %s: a view of %s", url, target)
        policy.learn_view(key, target)
        site.threads.note_view(url, target)
        policy.skipped_view(url, target, meta.get("fc_depth", 0), body, headers)
        entry_meta = {"fc_depth": meta.get("fc_depth", 0)}
        fetches = [Fetch(target, PRIORITY_FIRST, entry_meta)] if policy.take(target, PRIORITY_FIRST, entry_meta) else []
        if pending and fetches and policy.await_verdict(key, fetches[0]):
            fetches = []
        elif fetches and policy.hold_target(fetches[0]):
            site.count("forumcrawl/targets_held")
            fetches = []
        # ``pending``: the page is its target's URL with a parameter not judged yet. Its verdict
        # (crawler.inert) decides about such links, not their URL pattern: blocked as copies, a
        # board's only links to its threads would be dropped before the parameter is learned inert.
        return PageStep(fetches + (policy.refill(key) if pending else policy.learn(key, "repeat")), finished=True)


def observe_held(site: SiteState, held: list[dict[str, Any]], pages: list) -> None:
    """What the thread pages held during warm-up teach about inert parameters (a
    parameter's URL and the URL without it both among them), before any page is read."""
    for item, page in zip(held, pages):
        url = canonicalize(item["url"])
        if page.posts and not reader_comments(page) and not is_digest(page, url) and \
                site.policy.observe_posts(url, page, item["info"].get("declared")):
            site.threads.rekey(site.policy.inert.strip)
