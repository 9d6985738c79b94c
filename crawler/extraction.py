"""Where a page is extracted: in the extractor pool's worker processes, or in the crawler's.

The spider's one call into :mod:`extractor`, with each site's template once it is
learned. With ``FORUMCRAWL_EXTRACT_PROCESSES`` (:func:`crawler.extractpool.pool_size`)
pages are extracted, and templates learned, in worker processes (never in the
reactor thread, warm-up included); the pool knows each site's template by a
reference (``site.template_ref``). Without a pool, pages are extracted here.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import extractor

if TYPE_CHECKING:
    from crawler.sites import SiteState

Count = Callable[..., None]


class Extraction:
    """The crawl's extractor: a pool of ``processes`` workers (started by :meth:`start`), or none."""

    def __init__(self, processes: int, *, timeout: float, count: Count) -> None:
        self.processes = processes
        self.timeout = timeout
        self.count = count  # the crawl's stats (Scrapy's inc_value)
        self.pool = None
        if processes > 0:
            from crawler.extractpool import prestart

            prestart()

    def start(self, sites, set_stat: Callable[[str, Any], None]) -> None:
        """Start the pool (before the templates are learned: a pool without one, for the
        warm-up), with the templates an earlier run saved in JOBDIR."""
        if self.processes > 0 and self.pool is None:
            from crawler.extractpool import ExtractPool

            set_stat("forumcrawl/extract_processes", self.processes)
            self.pool = ExtractPool(self.processes, None, timeout=self.timeout,
                                    slim=True)  # (page.text only of articles: the spider reads no other)
            for site in sites:
                self.adopt(site)

    def adopt(self, site: SiteState) -> None:
        """Hand the pool ``site``'s template, once there is one (and a pool)."""
        if self.pool is not None and site.warmup.template is not None:
            site.template_ref = self.pool.set_template(site.warmup.template)

    async def extract(self, site: SiteState, body: bytes, url: str, headers: dict[str, Any]):
        """The page, with its site's template once it is learned."""
        if self.pool is not None:
            from crawler.extractpool import NO_TEMPLATE

            return await self.pool.extract(body, url, headers, site.template_ref or NO_TEMPLATE)
        self.count("forumcrawl/extracted_in_crawler_process")
        return extractor.extract(body, url, headers=headers, template=site.warmup.template)

    async def page(self, site: SiteState, body: bytes, url: str, headers: dict[str, Any]):
        """A response's page, with its site's template: while the template is being learned
        the page waits for it (and is extracted again if it was learned meanwhile)."""
        warmup = site.warmup
        if warmup.learning:  # the template is being learned: this page waits for it
            await site.learned.wait()
        template = warmup.template
        page = await self.extract(site, body, url, headers)
        if warmup.learning:  # learning began while this page was extracted
            await site.learned.wait()
        if template is not warmup.template:
            # the template was learned while this page was extracted without it
            page = await self.extract(site, body, url, headers)
        return page

    async def extract_all(self, site: SiteState, held: list[dict[str, Any]]) -> list:
        """The pages of held responses (``body``, ``url``, ``headers``), in order: at once
        in the pool's workers, else one after the other here."""
        if self.pool is None:
            return [await self.extract(site, h["body"], h["url"], h["headers"]) for h in held]
        return await asyncio.gather(*(self.extract(site, h["body"], h["url"], h["headers"]) for h in held))

    def close(self, set_stat: Callable[[str, Any], None]) -> None:
        """Stop the pool; its CPU time and timeouts go to the stats."""
        if self.pool is None:
            return
        set_stat("forumcrawl/extract_processes_cpu_seconds", round(self.pool.cpu_seconds(), 2))
        if self.pool.timeouts:  # pages abandoned over FORUMCRAWL_EXTRACT_TIMEOUT (logged as failed)
            set_stat("forumcrawl/extract/timeout", self.pool.timeouts)
        self.pool.close()
