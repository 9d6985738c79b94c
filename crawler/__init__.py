"""forumcrawl's application layer: the Scrapy project (spiders, pipelines,
settings, middlewares) and the ``forumcrawl`` command line.

Importing this package does not import Scrapy; only the modules that need it do.
"""
