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


class PostPublisher:
    """What the store pipeline calls after each commit: publish the batch's new
    and edited posts to the stream (with ``REDIS_URL``), or annotate them
    in-process with the default handler (``FORUMCRAWL_NLP_IN_PROCESS``).

    Never raises for Redis trouble: a failed publish is logged with the way to
    re-send (``forumcrawl nlp-publish``) - the posts are safe in SQL.
    """

    def __init__(self, client=None, stream: str = DEFAULT_STREAM, maxlen: int | None = DEFAULT_MAXLEN,
                 in_process: bool = False, redis_url: str = ""):
        self.client, self.stream, self.maxlen = client, stream, maxlen
        self.in_process, self.redis_url = in_process, redis_url
        self.published = self.failed = 0

    @classmethod
    def from_settings(cls, settings) -> PostPublisher | None:
        """None when neither a Redis URL (``FORUMCRAWL_NLP_REDIS_URL``, ``REDIS_URL``
        setting or env) nor ``FORUMCRAWL_NLP_IN_PROCESS`` is set, or with
        ``FORUMCRAWL_NLP_STREAM=False``."""
        url = settings.get("FORUMCRAWL_NLP_REDIS_URL") or settings.get("REDIS_URL") or os.environ.get("REDIS_URL")
        in_process = settings.getbool("FORUMCRAWL_NLP_IN_PROCESS", False)
        if not settings.getbool("FORUMCRAWL_NLP_STREAM", True):
            url = None
        if not url and not in_process:
            return None
        return cls(
            client=redis_client(url) if url else None,
            stream=settings.get("FORUMCRAWL_NLP_STREAM_KEY") or DEFAULT_STREAM,
            maxlen=settings.getint("FORUMCRAWL_NLP_STREAM_MAXLEN", DEFAULT_MAXLEN) or None,
            in_process=in_process and not url,
            redis_url=url or "",
        )

    def publish(self, posts: Sequence[Mapping], result, store=None) -> int:
        """Hand on the posts of a committed batch that ``result`` (its
        WriteResult) says are new or edited; returns how many were handed on."""
        import logging

        import redis

        fresh = committed_posts(posts, result)
        if not fresh:
            return 0
        if self.client is None:
            from .handler import annotate_in_process

            if store is None:
                return 0
            try:
                return annotate_in_process(store, fresh)
            except Exception as exc:  # noqa: BLE001 - annotations must never break the crawl's writes
                self.failed += len(fresh)
                logging.getLogger(__name__).error(
                    "Could not annotate %d committed posts in-process: %s: %s", len(fresh), type(exc).__name__, exc)
                return 0
        try:
            publish_posts(self.client, fresh, stream=self.stream, maxlen=self.maxlen)
        except redis.RedisError as exc:
            self.failed += len(fresh)
            logging.getLogger(__name__).error(
                "Could not publish %d committed posts to %s on %s (%s); they are stored: "
                "`forumcrawl nlp-publish --since <date>` re-sends them", len(fresh), self.stream, self.redis_url, exc)
            return 0
        self.published += len(fresh)
        return len(fresh)
