"""Publishing committed posts to a Redis Stream for downstream NLP.

One stream entry per post, fields as strings (empty string for None):
``post_key, site, thread_url, thread_title, position, author, published, text,
language``. The stream is trimmed approximately (``MAXLEN ~``) so Redis memory
stays bounded; consumers that fall further behind than ``maxlen`` entries miss
the oldest ones (they remain in SQL).
"""
from __future__ import annotations

import logging
import os
import time
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

    return redis.Redis.from_url(url or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
                                socket_connect_timeout=10, socket_timeout=60)


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

    At least once across crashes: the pipeline writes each batch with
    ``outbox=True``, so every new or edited post is marked "not yet published"
    in its own transaction (``post_outbox``). The marks of what was handed on
    are cleared afterwards (:meth:`take_marks`, passed to the next write);
    what a crash or a Redis outage left marked is handed on by :meth:`drain`,
    which the crawl calls at its start, after a failure and at its end
    (``forumcrawl nlp-publish --pending`` does the same from the command line).

    Never raises for Redis trouble: a failed publish is logged, the posts are
    safe in SQL and stay marked.
    """

    def __init__(self, client=None, stream: str = DEFAULT_STREAM, maxlen: int | None = DEFAULT_MAXLEN,
                 in_process: bool = False, redis_url: str = "", retry_after: float = 10.0):
        self.client, self.stream, self.maxlen = client, stream, maxlen
        self.in_process, self.redis_url = in_process, redis_url
        self.published = self.failed = self.drained = 0
        self.backlog = True          # marks may wait from an earlier run: drain at the first chance
        self.retry_after = retry_after
        self._retry_at = 0.0
        self._marks: dict[tuple[int, str], None] = {}   # published, not yet cleared (ordered set)

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
            retry_after=settings.getfloat("FORUMCRAWL_NLP_RETRY_AFTER", 10.0),
        )

    def publish(self, posts: Sequence[Mapping], result, store=None) -> int:
        """Hand on the posts of a committed batch that ``result`` (its
        WriteResult) says are new or edited; returns how many were handed on.
        Their outbox marks (``result.outbox``) are kept for :meth:`take_marks`."""
        from storage import post_key

        fresh = committed_posts(posts, result)
        if not fresh or not self._deliver(fresh, store):
            return 0
        self.published += len(fresh)
        marks = getattr(result, "outbox", None) or {}
        for post in fresh:
            mark = marks.get(post.get("post_key") or post_key(post))
            if mark is not None:
                self._marks[mark] = None
        return len(fresh)

    def take_marks(self) -> list[tuple[int, str]]:
        """Outbox marks of versions handed on since the last call, to clear (``write_batch(clear_outbox=)``)."""
        marks, self._marks = list(self._marks), {}
        return marks

    def drain(self, store, *, max_rows: int | None = None, page: int = 500) -> int:
        """Hand on the posts still marked in ``store``'s outbox (a crash or an outage left them),
        clearing each page of marks once handed on; returns how many. Stops at the first
        failure (retried after ``retry_after`` seconds) and after ``max_rows``."""
        if time.monotonic() < self._retry_at:
            return 0
        sent, after = 0, 0
        while max_rows is None or sent < max_rows:
            rows = store.pending_posts(limit=page if max_rows is None else min(page, max_rows - sent),
                                       after=after)
            if not rows:
                self.backlog = False
                break
            after = rows[-1]["outbox_mark"][0]
            rows = [r for r in rows if r["outbox_mark"] not in self._marks]  # handed on, clear pending
            if rows:
                if not self._deliver(rows, store):
                    break
                store.clear_outbox([r["outbox_mark"] for r in rows])
                sent += len(rows)
        if sent:
            self.drained += sent
            logging.getLogger(__name__).info("Published %d stored posts the stream did not have yet (outbox)",
                                             sent)
        return sent

    def _deliver(self, posts: Sequence[Mapping], store) -> bool:
        """Publish (or annotate in-process) ``posts``; False, logged, on failure."""
        import redis

        log = logging.getLogger(__name__)
        if self.client is None:
            from .handler import annotate_in_process

            if store is None:
                return False
            try:
                annotate_in_process(store, posts)
                return True
            except Exception as exc:  # noqa: BLE001 - annotations must never break the crawl's writes
                self._failed(len(posts))
                log.error("Could not annotate %d committed posts in-process (%s: %s); they stay marked "
                          "in the outbox", len(posts), type(exc).__name__, exc)
                return False
        try:
            publish_posts(self.client, posts, stream=self.stream, maxlen=self.maxlen)
            return True
        except redis.RedisError as exc:
            self._failed(len(posts))
            log.error("Could not publish %d committed posts to %s on %s (%s); they are stored and marked: "
                      "the crawl retries, or `forumcrawl nlp-publish --pending` sends them",
                      len(posts), self.stream, self.redis_url, exc)
            return False

    def _failed(self, n: int) -> None:
        self.failed += n
        self.backlog = True
        self._retry_at = time.monotonic() + self.retry_after
