"""The end of a crawl: what is left to do once nothing is queued, and what is reported.

One room of the crawler (docs/crawler.md). When Scrapy finds the crawl idle,
:func:`plan_idle` says what still has to happen, in this order: known threads no
listing showed are revalidated (incremental re-crawl); a site whose warm-up never
filled its sample learns its template from what it holds; (shared frontier)
parked pages whose chain another worker left on the board are read on; links of
URL patterns still on trial are fetched; parked pages no chain reached are
released (:func:`release_orphans`: a re-chain, else stored after their thread's
last known post). :func:`report_close` logs each site's end.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from crawler.assembly import Reading
from crawler.chains import Chains
from crawler.fetches import Fetch
from crawler.patterns import url_pattern

if TYPE_CHECKING:
    from crawler.sites import SiteState

log = logging.getLogger("crawler.spiders.generic")


@dataclass
class IdlePlan:
    """What an idle crawl does: ``fetches`` to request now (per site), ``learn``: sites
    whose template is learned now, ``wake``: an internal request to make (``"parked"``:
    look for chains reaching parked pages; ``"orphans"``: :func:`release_orphans`);
    ``busy``: the crawl stays open."""

    fetches: list[tuple[SiteState, list[Fetch]]] = field(default_factory=list)
    learn: list[SiteState] = field(default_factory=list)
    wake: str | None = None
    busy: bool = False


def plan_idle(sites: list[SiteState], *, shared_frontier: bool, awaited: Callable[[list[str]], bool]) -> IdlePlan:
    """What is left to do when nothing is queued (see the module docstring); ``awaited(urls)``:
    whether a chain's context waits on the shared chain board for any of them."""
    plan = IdlePlan()
    for site in sites:
        recrawl = site.recrawl
        unlisted = recrawl.take_unlisted() if recrawl.unlisted and not site.warmup.held else []
        if unlisted:
            # Known threads that no listing entry showed (no listing recognised, or linked from
            # elsewhere only): their activity is unknown, so revalidate each with a conditional request.
            log.info("Incremental re-crawl of %s: revalidating %d known threads no listing showed",
                     site.origin, len(unlisted))
            plan.fetches.append((site, [site.policy.register(fetch) for url, depth in unlisted
                                        for fetch in recrawl.revisit(url, None, depth)]))
            plan.busy = True
    if plan.busy:
        return plan
    for site in sites:
        if site.warmup.held:
            # Fewer pages than template_pages in the whole crawl: learn from what there is.
            if not site.warmup.learning:
                plan.learn.append(site)
            plan.busy = True
    if plan.busy:
        return plan
    parked = [url for site in sites for url in site.threads.parked]
    if parked and shared_frontier:
        # Another worker's chain may still reach them: wait while the shared crawl goes on
        # (its scheduler keeps the spider open); what is left at the end is reported on close.
        if awaited(parked):
            plan.wake, plan.busy = "parked", True
        return plan
    for site in sites:
        waiting = site.policy.release_waiting()
        if waiting:
            log.info("Fetching %d more links of URL patterns still on trial on %s (%s)", len(waiting),
                     site.origin, ", ".join(sorted({url_pattern(f.url) for f in waiting})[:5]))
            # Links of URL patterns on trial, held back while their first fetches were judged.
            plan.fetches.append((site, waiting))
            plan.busy = True
    if plan.busy:
        return plan
    if parked:
        # No chain reached them: their posts are stored anyway (and the crawl goes on).
        plan.wake, plan.busy = "orphans", True
    return plan


@dataclass
class Orphans:
    """A site's parked pages no chain reached: ``fetches`` (a re-chain, to request; nothing
    else then), else ``reading`` (the rescued pages' items) and ``finished`` (keys of the
    other parked pages, finished now)."""

    fetches: list[Fetch] = field(default_factory=list)
    reading: Reading = field(default_factory=Reading)
    finished: list[str] = field(default_factory=list)


def release_orphans(site: SiteState, chains: Chains) -> Orphans | None:
    """What becomes of ``site``'s parked pages at the end (None: it has none): their threads
    are read again from the pages they point back to (once), else they are reported and
    stored after their thread's last known post (duplicates of pages read are not)."""
    threads = site.threads
    if not threads.parked:
        return None
    starts = threads.rechain_starts()
    fetches = chains.rechain(site, starts) if starts and not site.policy.budget_reached else []
    if fetches:
        log.info("%d parked thread pages of %s were not reached by their chains: reading their threads "
                 "again from %s", len(threads.parked), site.origin, [f.url for f in fetches[:5]])
        return Orphans(fetches=fetches)
    duplicates, rescued, reading, parked = threads.leftovers()
    if duplicates:
        site.count("forumcrawl/duplicate_thread_pages", len(duplicates))
    if rescued:
        log.warning("%d thread pages were never reached from their thread's first page; their "
                    "new posts were stored after the thread's last known post: %s", len(rescued), rescued[:5])
        site.count("forumcrawl/thread_pages_orphaned", len(rescued))
    kept = {key for _, key, _ in reading.pages}
    return Orphans(reading=reading, finished=[p.key for p in parked if p.key not in kept])


def report_close(sites: list[SiteState]) -> None:
    """Log what each site left at the end: parked pages, URL patterns learned useless, a failure."""
    for site in sites:
        if site.threads.parked:  # a shutdown: they are fetched again by the next run (or worker)
            log.info("%d parked thread pages of %s stay unfinished", len(site.threads.parked), site.origin)
        learned = site.policy.patterns.learned()
        if learned:
            log.info("URL patterns learned useless on %s: %s", site.origin,
                     "; ".join(f"{p} ({r})" for p, r in sorted(learned.items())[:20]))
        if site.failed and len(sites) > 1:
            log.error("Site %s was not crawled: %s", site.origin, site.failed)
    if len(sites) > 1:
        log.info("Sites: %s", "; ".join(
            f"{s.origin}: {s.counts.get('forumcrawl/pages', 0)} pages, {s.counts.get('forumcrawl/posts', 0)} "
            f"posts{' (failed)' if s.failed else ''}" for s in sites))
