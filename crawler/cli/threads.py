"""``forumcrawl threads``: stored threads with their post counts."""
from __future__ import annotations

import argparse
import sys

from ._args import count
from .query import add_database_argument, guarded

COLUMNS = ("site", "url", "title", "posts", "replies", "pages", "first_published", "last_published",
           "first_seen", "last_seen")
TABLE_COLUMNS = ("title", "posts", "last_published", "url")
TABLE_WIDTHS = {"title": 40, "last_published": 25, "url": 60}


def register(subparsers) -> None:
    parser = subparsers.add_parser("threads", help="list stored threads with post counts",
                                   description="List stored threads, most recently active first.")
    add_database_argument(parser)
    parser.add_argument("--site", help="site key (http://host:port) or bare host[:port]")
    parser.add_argument("--search", metavar="TEXT", help="substring of the thread title")
    parser.add_argument("--limit", type=count, default=50, help="at most this many threads; 0 for all")
    parser.add_argument("--offset", type=count, default=0)
    parser.add_argument("--format", choices=("table", "jsonl", "csv"), default="table")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from storage import query
    from storage.formats import write_records

    records = guarded(lambda: query.threads(args.database, site=args.site, search=args.search,
                                            limit=args.limit, offset=args.offset))
    if records is None:
        return 1
    write_records(records, args.format, sys.stdout, columns=COLUMNS, table_columns=TABLE_COLUMNS,
                  widths=TABLE_WIDTHS)
    return 0
