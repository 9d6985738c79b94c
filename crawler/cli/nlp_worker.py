"""``forumcrawl nlp-worker``: read committed posts from the Redis Stream in a
consumer group and hand them to a handler (default: language, tokens and
keywords stored beside each post)."""
from __future__ import annotations

import argparse
import logging
import os

from ._args import redis_url
from ._errors import UsageError

DEFAULT_HANDLER = "crawler.nlp.handler:handle"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "nlp-worker",
        help="process new posts from the Redis Stream with a handler (consumer group)",
        description="Read posts from a Redis Stream as one consumer of a consumer group and call "
        "HANDLER (module:function, called with a list of post dicts) per batch. Entries are acknowledged "
        "only after the handler returns; entries a dead worker left pending are re-claimed. "
        "Redis comes from --redis, else REDIS_URL, else redis://127.0.0.1:6379/0.",
    )
    parser.add_argument("--group", required=True, help="consumer group name (one group per downstream application)")
    parser.add_argument("--handler", default=DEFAULT_HANDLER, metavar="MODULE:FUNCTION",
                        help=f"function called with each batch (default {DEFAULT_HANDLER})")
    parser.add_argument("--consumer", help="this worker's name in the group; keep it stable across restarts "
                        "so a restarted worker resumes its own pending batch at once (default host-pid)")
    parser.add_argument("--stream", default=None, help="stream key (default forumcrawl:posts)")
    parser.add_argument("--batch", type=int, default=100, help="entries per handler call (default 100)")
    parser.add_argument("--redis", metavar="URL", type=redis_url, help="Redis URL")
    parser.add_argument("--database", metavar="URL", help="database for the default handler "
                        "(else FORUMCRAWL_DATABASE_URL, DATABASE_URL, sqlite:///forumcrawl.db)")
    parser.add_argument("--claim-idle", type=float, default=60.0, metavar="SECONDS",
                        help="re-claim entries pending this long in another consumer (default 60)")
    parser.add_argument("--max-deliveries", type=int, default=5,
                        help="failed attempts before an entry goes to <stream>:dead (default 5)")
    parser.add_argument("--from", dest="start", choices=("start", "new"), default="start",
                        help="a new group reads the stream from its start (default) or only new entries")
    parser.add_argument("--exit-when-idle", action="store_true",
                        help="exit once nothing is pending or unread (batch jobs, tests)")
    parser.add_argument("--log-level", default="INFO")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s [%(name)s] %(levelname)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # one line per plugin at import
    if args.database:
        os.environ["FORUMCRAWL_DATABASE_URL"] = args.database
    from crawler.nlp.stream import DEFAULT_STREAM
    from crawler.nlp.worker import StreamWorker, load_handler

    try:
        handler = load_handler(args.handler)
    except (ImportError, AttributeError, ValueError, TypeError) as err:
        raise UsageError(f"--handler {args.handler}: {err} (give MODULE:FUNCTION, importable here)") from err
    worker = StreamWorker(
        args.redis or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
        args.group,
        handler,
        consumer=args.consumer,
        stream=args.stream or DEFAULT_STREAM,
        batch=args.batch,
        claim_idle_ms=int(args.claim_idle * 1000),
        max_deliveries=args.max_deliveries,
        start_id="0" if args.start == "start" else "$",
        exit_when_idle=args.exit_when_idle,
    )
    worker.install_signal_handlers()
    return worker.run()
