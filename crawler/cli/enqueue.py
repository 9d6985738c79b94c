"""``forumcrawl enqueue URL...``: seed the shared Redis frontier that
``scrapy crawl generic`` workers (started with ``REDIS_URL``) take work from."""
from __future__ import annotations

import argparse
import os

from ._args import redis_url, web_url


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "enqueue",
        help="seed the shared Redis frontier with start URLs",
        description="Queue start URLs into the shared frontier of `scrapy crawl generic` workers running "
        "with REDIS_URL. Redis comes from --redis, else REDIS_URL. URLs already seen by the crawl are skipped.",
    )
    parser.add_argument("urls", nargs="*", metavar="URL")
    parser.add_argument("--redis", metavar="URL", type=redis_url, help="Redis URL (default: $REDIS_URL)")
    parser.add_argument("--key", default=None,
                        help="frontier key prefix (the workers' FRONTIER_KEY; default forumcrawl:frontier:generic)")
    parser.add_argument("--priority", type=int, default=0, help="request priority (higher first)")
    parser.add_argument("--reset", action="store_true",
                        help="first delete the frontier's queue, seen-set and worker state (a fresh crawl)")
    parser.add_argument("--status", action="store_true", help="print queued/held/worker counts and exit")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import redis

    from crawler.frontier import DEFAULT_KEY, CompactDupeFilter, ReliableQueue, seed

    from ._errors import UsageError

    urls = [web_url(u) for u in args.urls]
    url = args.redis or os.environ.get("REDIS_URL")
    if not url:
        raise UsageError("no Redis (pass --redis URL or set REDIS_URL)")
    key = args.key or DEFAULT_KEY % {"spider": "generic"}
    client = redis.Redis.from_url(url, socket_connect_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise redis.ConnectionError(f"{url}: {exc}") from exc

    class _Spider:
        name = "generic"

    queue = ReliableQueue(client, _Spider(), key, worker_id="enqueue")
    if args.reset:
        queue.clear()
        CompactDupeFilter(client, key).clear()
        print(f"reset frontier {key}")
    if urls:
        added = seed(client, key, urls, priority=args.priority)
        print(f"queued {added} of {len(urls)} URLs into {key} on {url}")
    if args.status or not args.urls:
        queue.reap()
        queued, held, workers = queue.status()
        print(f"{key}: {queued} queued, {held} held by {workers} workers")
    return 0
