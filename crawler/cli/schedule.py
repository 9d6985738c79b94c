"""``forumcrawl schedule add|list|remove|enable|disable|run``: recurring crawls."""
from __future__ import annotations

import argparse
import json
import logging
import sys


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "schedule",
        help="recurring crawls: add, list, remove, and run the scheduler service",
        description="Recurring crawls stored in the database (--database, else FORUMCRAWL_DATABASE_URL, "
        "DATABASE_URL, sqlite:///forumcrawl.db). `schedule run` is the long-running service that crawls "
        "the sites due together as one `scrapy crawl generic -a urls=FILE` process, one crawl at a time per "
        "site, each site's run logged in crawl_runs.",
    )
    database = argparse.ArgumentParser(add_help=False)  # accepted before or after the action
    database.add_argument("--database", metavar="URL", default=argparse.SUPPRESS,
                          help="SQLAlchemy URL or SQLite file path")
    parser.add_argument("--database", metavar="URL", help="SQLAlchemy URL or SQLite file path")
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    add = sub.add_parser("add", parents=[database], help="crawl URL every PERIOD")
    add.add_argument("url")
    add.add_argument("--every", required=True, metavar="PERIOD", help="e.g. 30m, 6h, 1d, 1h30m")
    add.add_argument("-a", dest="spider_args", action="append", metavar="NAME=VALUE",
                     help="spider argument, as for scrapy crawl -a (repeatable)")
    add.add_argument("--first", metavar="ISO8601", help="first run at this time (default: now)")
    add.set_defaults(func=add_schedule)

    lst = sub.add_parser("list", parents=[database], help="show schedules")
    lst.add_argument("--format", choices=("table", "jsonl"), default="table")
    lst.set_defaults(func=list_schedules)

    rm = sub.add_parser("remove", parents=[database], help="delete a schedule")
    rm.add_argument("id", type=int)
    rm.set_defaults(func=remove_schedule)

    for name, enabled in (("enable", True), ("disable", False)):
        p = sub.add_parser(name, parents=[database], help=f"{name} a schedule")
        p.add_argument("id", type=int)
        p.set_defaults(func=toggle_schedule, enabled=enabled)

    run = sub.add_parser("run", parents=[database], help="start due crawls, forever (Ctrl-C/SIGTERM stops gracefully)")
    run.add_argument("--poll", type=float, default=30.0, help="seconds between looks for due schedules (30)")
    run.add_argument("--max-parallel", type=int, default=4, help="crawl processes at once (4)")
    run.add_argument("--log-dir", default="forumcrawl-logs", help="one log file per run here")
    run.add_argument("--once", action="store_true", help="start what is due now, wait for it, exit (cron)")
    run.add_argument("--log-level", default="INFO")
    run.set_defaults(func=run_service)


def _store(args):
    from storage import Store

    return Store(args.database)


def add_schedule(args: argparse.Namespace) -> int:
    from datetime import datetime, timezone

    from crawler.schedule import format_every, parse_every, parse_spider_args

    from ._args import web_url

    url = web_url(args.url)     # a usage error (one line, exit 2) for "forum.example"
    try:
        every = parse_every(args.every)
        spider_args = parse_spider_args(args.spider_args)
        first = datetime.fromisoformat(args.first) if args.first else None
    except ValueError as exc:
        print(f"forumcrawl schedule add: {exc}", file=sys.stderr)
        return 2
    if first is not None and first.tzinfo is None:
        first = first.replace(tzinfo=timezone.utc)
    with _store(args) as store:
        sid = store.add_schedule(url, every, spider_args, next_run_at=first)
    print(f"schedule {sid}: {url} every {format_every(every)}")
    return 0


def list_schedules(args: argparse.Namespace) -> int:
    from crawler.schedule import format_every

    with _store(args) as store:
        rows = store.schedules()
    if args.format == "jsonl":
        for row in rows:
            print(json.dumps(row, ensure_ascii=False, default=str))
        return 0
    print(f"{'id':>4}  {'every':>6}  {'on':3}  {'next run (UTC)':25}  {'last run':>8}  url / args")
    for row in rows:
        extra = " ".join(f"-a {k}={v}" for k, v in (row.get("args") or {}).items())
        print(f"{row['id']:>4}  {format_every(row['every_seconds']):>6}  {'yes' if row['enabled'] else 'no':3}  "
              f"{str(row['next_run_at']):25}  {str(row['last_run_id'] or '-'):>8}  {row['url']} {extra}".rstrip())
    return 0


def remove_schedule(args: argparse.Namespace) -> int:
    with _store(args) as store:
        if not store.remove_schedule(args.id):
            print(f"no schedule {args.id}", file=sys.stderr)
            return 1
    print(f"removed schedule {args.id}")
    return 0


def toggle_schedule(args: argparse.Namespace) -> int:
    with _store(args) as store:
        if not store.set_schedule(args.id, enabled=args.enabled):
            print(f"no schedule {args.id}", file=sys.stderr)
            return 1
    print(f"schedule {args.id} {'enabled' if args.enabled else 'disabled'}")
    return 0


def run_service(args: argparse.Namespace) -> int:
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s [%(name)s] %(levelname)s: %(message)s")
    from crawler.schedule import ScheduleService

    with _store(args) as store:
        service = ScheduleService(store, log_dir=args.log_dir, poll=args.poll, max_parallel=args.max_parallel)
        service.install_signal_handlers()
        return service.run(once=args.once)
