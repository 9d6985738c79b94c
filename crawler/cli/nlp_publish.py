"""``forumcrawl nlp-publish``: put stored posts on the Redis Stream (a backfill
for posts crawled before the stream was on, or while Redis was away)."""
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
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from crawler.nlp.stream import DEFAULT_STREAM, publish_stored, redis_client

    client = redis_client(args.redis or os.environ.get("REDIS_URL"))
    filters = {k: v for k, v in dict(site=args.site, thread=args.thread, since=args.since, until=args.until).items()
               if v}
    sent = publish_stored(client, args.database, stream=args.stream or DEFAULT_STREAM, **filters)
    print(f"published {sent} posts to {args.stream or DEFAULT_STREAM}")
    return 0
