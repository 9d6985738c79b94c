"""``forumcrawl query``: print stored posts filtered by site, thread, author, date and text."""
from __future__ import annotations

import argparse
import sys

from ._args import count

POST_COLUMNS = (
    "site", "thread_url", "thread_title", "position", "floor", "author", "published", "published_raw",
    "text", "url", "permalink", "post_id", "post_key", "parent_position", "language", "quotes", "first_seen",
    "last_seen", "updated_at",
)
TABLE_COLUMNS = ("thread_title", "position", "author", "published", "text")
TABLE_WIDTHS = {"thread_title": 24, "author": 16, "published": 25, "text": 60}
SEARCH_HELP = """\
--search, the same on SQLite and PostgreSQL:
  a term of letters and digits only (rain, Scrapy, москва) matches the start of a
    word, ignoring case: "rain" finds "rainy" and "Rain", "eighbour" does not
    find "neighbour";
  a term with Chinese, Japanese or Korean characters or with punctuation (天气,
    温度的影响, example.com, 100_p) matches as a substring, exactly as written
    (ASCII letters ignoring case), at any length;
  every term must match; %, _, quotes and * are ordinary characters.
Pages of hits stop early (newest first with --order newest), so common terms
stay fast in big archives. Details: docs/storage.md, "Search"."""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "query",
        help="print stored posts (filters, full-text search; table, jsonl or csv)",
        description="Print stored posts. Filters combine with AND; their values are literal (no wildcards). "
        "The database comes from --database, else FORUMCRAWL_DATABASE_URL, else DATABASE_URL, else "
        "sqlite:///forumcrawl.db.",
        epilog=SEARCH_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_database_argument(parser)
    parser.add_argument("--site", help="site key (http://host:port) or bare host[:port]")
    parser.add_argument("--thread", help="thread URL (its first page, or any of its pages)")
    parser.add_argument("--author", help="exact author name")
    parser.add_argument("--since", help="posts published at or after this ISO 8601 date/datetime (naive = UTC)")
    parser.add_argument("--until", help="posts published at or before this (a bare date includes the whole day)")
    parser.add_argument("--search", metavar="TEXT",
                        help="space-separated terms that must all match the post text (see below)")
    parser.add_argument("--limit", type=count, default=50, help="at most this many posts; 0 for all (default 50)")
    parser.add_argument("--offset", type=count, default=0, help="skip this many posts first")
    parser.add_argument("--order", choices=("thread", "newest", "oldest"), default="thread",
                        help="thread order (default), or by published date")
    parser.add_argument("--format", choices=("table", "jsonl", "csv"), default="table")
    parser.add_argument("--html", action="store_true", help="include each post's sanitised HTML (jsonl, csv)")
    parser.set_defaults(func=run)


def add_database_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", metavar="URL", help="SQLAlchemy URL or SQLite file path")


def run(args: argparse.Namespace) -> int:
    from storage import query
    from storage.formats import write_records

    def show() -> int:
        records = query.iter_posts(
            args.database, site=args.site, thread=args.thread, author=args.author, since=args.since,
            until=args.until, search=args.search, limit=args.limit, offset=args.offset, order=args.order,
            with_html=args.html,
        )
        columns = POST_COLUMNS + (("html",) if args.html else ())
        return write_records(records, args.format, sys.stdout, columns=columns, table_columns=TABLE_COLUMNS,
                             widths=TABLE_WIDTHS)

    return 0 if guarded(show) is not None else 1


def guarded(fetch):
    """Run a read; a ValueError about the arguments (a bad date, an unknown order) is a usage error.

    Other failures go up to ``forumcrawl``'s main, which prints them as one line.
    """
    from storage import StoreError

    from ._errors import UsageError

    try:
        return fetch()
    except StoreError:
        raise
    except ValueError as err:
        raise UsageError(str(err)) from err
