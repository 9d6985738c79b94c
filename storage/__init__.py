"""forumcrawl's SQL store: models, sessions, idempotent writes, queries, migrations.

Knows nothing of Scrapy; takes plain dicts shaped like ``crawler.items``.
"""
