"""Scrapy's log formatter, minus the per-item and per-response DEBUG lines when they
would be thrown away.

Scrapy builds a log record for every scraped item ("Scraped from ...") and every
response ("Crawled (200) ...") at DEBUG and lets the handler drop it when
``LOG_LEVEL`` is higher. A thread page yields one item per post, so those records
cost several per cent of the crawl's CPU for nothing. With ``LOG_LEVEL=DEBUG``
they are logged as before.
"""
from __future__ import annotations

import logging
from typing import Any

from scrapy.logformatter import LogFormatter


class QuietLogFormatter(LogFormatter):
    """Skips the DEBUG ``crawled``/``scraped`` lines unless ``LOG_LEVEL`` is DEBUG."""

    def __init__(self, debug: bool = True) -> None:
        super().__init__()
        self.debug = debug

    @classmethod
    def from_crawler(cls, crawler) -> "QuietLogFormatter":
        level = crawler.settings.get("LOG_LEVEL", "DEBUG")
        numeric = logging.getLevelName(level) if isinstance(level, str) else int(level)
        return cls(debug=not isinstance(numeric, int) or numeric <= logging.DEBUG)

    def crawled(self, request, response, spider) -> Any:
        return super().crawled(request, response, spider) if self.debug else None

    def scraped(self, item, response, spider) -> Any:
        return super().scraped(item, response, spider) if self.debug else None
