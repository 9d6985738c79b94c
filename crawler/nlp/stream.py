"""Publishing committed posts to a Redis Stream for downstream NLP.

One stream entry per post, fields as strings (empty string for None):
``post_key, site, thread_url, thread_title, position, author, published, text,
language``. The stream is trimmed approximately (``MAXLEN ~``) so Redis memory
stays bounded; consumers that fall further behind than ``maxlen`` entries miss
the oldest ones (they remain in SQL).
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence

DEFAULT_STREAM = "forumcrawl:posts"
DEFAULT_MAXLEN = 1_000_000
FIELDS = ("post_key", "site", "thread_url", "thread_title", "position", "author", "published", "text", "language")


def stream_entry(post: Mapping) -> dict[str, str]:
    """The stream fields of one post item (keyed like storage, language detected if missing)."""
    from storage import post_key

    from .text import detect_language

    entry = {name: "" if post.get(name) is None else str(post.get(name)) for name in FIELDS}
    entry["post_key"] = entry["post_key"] or post_key(post)
    entry["language"] = entry["language"] or detect_language(post.get("text"))
    return entry


def committed_posts(posts: Iterable[Mapping], result) -> list[Mapping]:
    """The posts of a batch that ``store.write_batch`` inserted or updated
    (``result``: its WriteResult); unchanged re-crawled posts are not re-sent."""
    from storage import post_key

    keys = set(result.inserted) | set(result.updated)
    return [p for p in posts if (p.get("post_key") or post_key(p)) in keys]


def publish_posts(
    client,
    posts: Sequence[Mapping],
    stream: str = DEFAULT_STREAM,
    maxlen: int | None = DEFAULT_MAXLEN,
) -> list[str]:
    """XADD one entry per post in one round trip; returns the entry ids.

    Call only after the posts are committed to SQL, so a consumer never sees a
    post the database does not have.
    """
    if not posts:
        return []
    pipe = client.pipeline(transaction=False)
    for post in posts:
        pipe.xadd(stream, stream_entry(post), maxlen=maxlen, approximate=True)
    return [i.decode() if isinstance(i, bytes) else i for i in pipe.execute()]


def redis_client(url: str | None = None):
    """A Redis client for ``url``, else ``REDIS_URL``, else the local server."""
    import redis

    return redis.Redis.from_url(url or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")


def publish_stored(client, source=None, stream: str = DEFAULT_STREAM, maxlen: int | None = DEFAULT_MAXLEN,
                   page: int = 1000, **filters) -> int:
    """Publish posts already in SQL (a backfill: posts crawled before the stream
    was on, or while Redis was away). ``source``: Store or database URL;
    ``filters``: as for ``storage.query.posts`` (site, thread, since, until...).
    Returns how many were published."""
    from storage.query import open_store, posts

    sent = 0
    with open_store(source) as store:
        while True:
            rows = posts(store, limit=page, offset=sent, order="oldest", **filters)
            if not rows:
                return sent
            publish_posts(client, rows, stream=stream, maxlen=maxlen)
            sent += len(rows)
            if len(rows) < page:
                return sent
