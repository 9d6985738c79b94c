"""Thread chains: which page a thread's chain fetches next, re-chains, chains another worker read on.

One room of the crawler (docs/crawler.md). :class:`crawler.assembly.ThreadAssembly`
decides which page a chain needs next (:attr:`~crawler.assembly.Reading.next`); this
room decides how it gets it: fetched here, claimed while it is queued or in flight
(it reads on with the chain's context when it arrives), or under a shared frontier
handed to the worker that has it (:class:`crawler.relay.ChainRelay`). It also makes
the *re-chains* (a thread read again from the page a parked page points back to) and
reads on the parked pages whose chain another worker read. Decisions come back as
:class:`~crawler.fetches.Fetch` es and :class:`~crawler.assembly.Reading` s.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from crawler.assembly import Reading
from crawler.fetches import PRIORITY_CHAIN, PRIORITY_FIRST, Fetch
from crawler.journal import Frontier
from crawler.relay import ChainRelay

if TYPE_CHECKING:
    from crawler.sites import SiteState


class Chains:
    """The crawl's thread chains (every site's): see the module docstring."""

    def __init__(self, journal: Frontier, relay: ChainRelay, *, shared_frontier: bool = False) -> None:
        self.journal = journal
        self.relay = relay
        self.shared_frontier = shared_frontier

    def follow(self, site: SiteState, reading: Reading) -> list[Fetch]:
        """The chain's next page: fetched here, claimed while it is queued or in flight,
        or (shared frontier) handed to the worker that has it."""
        if self.shared_frontier:
            for url, rid, ctx in reading.kept:
                self.relay.keep(url, rid, ctx)
        if reading.next is None:
            return []
        nxt, ctx = reading.next
        if reading.new_posts:  # (before its pattern decides whether the pager's links are taken)
            site.policy.patterns.chain(nxt)
        meta = {"fc_depth": ctx.get("depth", 0), "fc_thread": ctx}
        if site.threads.fetch_ahead(nxt, ctx):  # a re-chain fetches its thread up to the pages parked here
            self.journal.seen.add(nxt)
            return [Fetch(nxt, PRIORITY_CHAIN, {**meta, "fc_rechain": True, "frontier_local_seen": True},
                          dont_filter=True)]
        if self.shared_frontier:
            self.journal.seen.add(nxt)
            return self.relay.continue_chain(nxt, meta)
        if nxt in site.policy.unfetched or site.policy.claim_waiting(nxt) or site.policy.claim_held(nxt):
            # taken on, then left unfetched, waiting for its URL pattern's verdict or held for this
            # chain (a listing row's "last post" link): the chain needs it
            site.policy.unfetched.discard(nxt)
            return [Fetch(nxt, PRIORITY_CHAIN, meta, dont_filter=True)]
        if site.policy.take(nxt, PRIORITY_CHAIN, meta):
            return [Fetch(nxt, PRIORITY_CHAIN, meta, dont_filter=True)]
        if not self.journal.is_done(nxt):
            site.threads.claim(nxt, ctx)   # in flight or queued: it reads on with this chain
            self.journal.update(nxt, PRIORITY_CHAIN, meta)
        return []

    def rechain(self, site: SiteState, starts: list[str]) -> list[Fetch]:
        """Fetch again the pages parked pages point back to; their chains are read there."""
        starts = [url for url in starts if site.policy.refusal(url) is None]
        for url in starts:
            self.journal.seen.add(url)
        return [Fetch(url, PRIORITY_FIRST, {"fc_depth": 0, "fc_rechain": url, "frontier_local_seen": True},
                      dont_filter=True) for url in starts]

    def resume(self, sites: Iterable[SiteState], force: bool = False) -> list[tuple[SiteState, list[Fetch], Reading]]:
        """(shared frontier) Read on the parked pages whose chain another worker read to
        them: per chain, its site, the fetches it needs next and its reading (items)."""
        if not self.shared_frontier:
            return []
        parked = {u: (site, p.rid or "") for site in sites for u, p in site.threads.parked.items()}
        if not parked:
            return []
        found = self.relay.poll({u: rid for u, (_, rid) in parked.items()}, force=force)
        resumed = []
        for url, ctx in found.items():
            site = parked[url][0]
            for reading in site.threads.resume({url: ctx}, site.policy.next_page):
                resumed.append((site, self.follow(site, reading), reading))
        return resumed
