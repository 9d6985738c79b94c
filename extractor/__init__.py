"""forumcrawl's extractor: bytes or HTML in, a structured :class:`Page` out.

A pure library: it never imports Scrapy, SQL or Redis.
"""
from extractor.extract import extract
from extractor.model import Entry, Link, Page, Post
from extractor.template import SiteTemplate

__all__ = ["Entry", "Link", "Page", "Post", "SiteTemplate", "extract"]
