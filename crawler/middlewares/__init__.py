"""forumcrawl's downloader middlewares (Scrapy glue); their decisions live in plain modules
(``crawler.politeness`` for per-host politeness)."""
