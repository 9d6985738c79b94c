"""forumcrawl's extractor: bytes or HTML in, a structured :class:`Page` out.

A pure library: it never imports Scrapy, SQL or Redis.
"""
from extractor.extract import extract
from extractor.model import Entry, Link, Page, Post

__all__ = ["Entry", "Link", "Page", "Post", "extract"]
try:
    from extractor.template import SiteTemplate  # noqa: F401
    __all__.append("SiteTemplate")
except ImportError:  # pragma: no cover - until the template module lands
    pass
