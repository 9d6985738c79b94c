"""forumcrawl's SQL store: models, sessions, idempotent writes, queries, migrations.

Knows nothing of Scrapy; takes plain dicts shaped like ``crawler.items``::

    from storage import Store, resolve_database_url
    store = Store(resolve_database_url())
    result = store.write_batch(threads, posts, pages)
"""
from .errors import DatabaseMissing, StoreError, StoreUnavailable
from .keys import content_hash, post_key
from .store import Store, WriteResult
from .url import DEFAULT_DATABASE_URL, resolve_database_url

__all__ = [
    "DEFAULT_DATABASE_URL",
    "DatabaseMissing",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "WriteResult",
    "content_hash",
    "post_key",
    "resolve_database_url",
]
