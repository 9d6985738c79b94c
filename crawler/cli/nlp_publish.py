"""``forumcrawl nlp-publish``: put stored posts on the Redis Stream (a backfill
for posts crawled before the stream was on), or, with ``--pending``, exactly the
posts a crawl committed but could not publish (the outbox: killed, Redis away)."""
from __future__ import annotations

import argparse
import os

from ._args import redis_url


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "nlp-publish",
        help="publish stored posts to the Redis Stream (backfill for nlp-worker)",
        description="Publish posts from the database to the posts stream, oldest first, so that "
        "`forumcrawl nlp-worker` groups process them. Consumers see them again if already processed "
        "(handlers are idempotent).",
    )
    parser.add_argument("--database", metavar="URL", help="SQLAlchemy URL or SQLite file path")
    parser.add_argument("--redis", metavar="URL", type=redis_url, help="Redis URL (default: $REDIS_URL, else local)")
    parser.add_argument("--stream", default=None, help="stream key (default forumcrawl:posts)")
    parser.add_argument("--site", help="only this site")
    parser.add_argument("--thread", help="only this thread")
    parser.add_argument("--since", help="only posts published at or after this date")
    parser.add_argument("--until", help="only posts published at or before this date")
    parser.add_argument("--pending", action="store_true",
                        help="publish only the posts still marked unpublished (the outbox a killed crawl or a "
                        "Redis outage left), and clear their marks; no other filter applies")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from crawler.nlp.stream import DEFAULT_STREAM, publish_stored, redis_client

    client = redis_client(args.redis or os.environ.get("REDIS_URL"))
    stream = args.stream or DEFAULT_STREAM
    if args.pending:
        return _publish_pending(client, args.database, stream)
    filters = {k: v for k, v in dict(site=args.site, thread=args.thread, since=args.since, until=args.until).items()
               if v}
    sent = publish_stored(client, args.database, stream=args.stream or DEFAULT_STREAM, **filters)
    print(f"published {sent} posts to {args.stream or DEFAULT_STREAM}")
    return 0


def _publish_pending(client, database: str | None, stream: str) -> int:
    from crawler.nlp.stream import PostPublisher
    from storage.query import open_store

    publisher = PostPublisher(client=client, stream=stream, redis_url=str(client.connection_pool))
    with open_store(database) as store:
        client.ping()        # unreachable Redis: one line from the CLI, not one per page
        sent = publisher.drain(store)
        left = store.outbox_size()
    print(f"published {sent} pending posts to {stream}" + (f"; {left} still pending" if left else ""))
    return 1 if left else 0
