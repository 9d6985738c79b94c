"""``forumcrawl datasette``: give a SQLite database a Datasette search box that finds posts by
Chinese terms of any length (storage/datasette.py), and print the Datasette metadata for it."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from .query import add_database_argument


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "datasette",
        help="add (or --drop) the Datasette search box over posts; prints Datasette's metadata",
        description="SQLite only. Adds a trigram index of the posts' text (kept current by triggers; "
        "~0.16 ms of CPU per post written and ~1.5 GB per million posts) and the view posts_match, then "
        "prints the metadata that makes Datasette's search box on posts_search use them:  "
        "forumcrawl datasette > datasette.json && datasette forumcrawl.db -m datasette.json",
    )
    add_database_argument(parser)
    parser.add_argument("--drop", action="store_true", help="remove the search box (the posts stay)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from storage import datasette, query
    from storage.engine import write_transaction

    from ._errors import UsageError

    with query.open_store(args.database) as store:
        try:
            datasette.check_possible(store.dialect)
        except datasette.SearchBoxUnavailable as err:
            raise UsageError(str(err)) from None
        started = time.monotonic()
        with write_transaction(store.engine) as conn:
            if args.drop:
                datasette.disable(conn)
                print("forumcrawl datasette: search box removed", file=sys.stderr)
                return 0
            posts = datasette.enable(conn)
        print(f"forumcrawl datasette: search box ready over {posts} posts ({time.monotonic() - started:.1f} s); "
              f"run: datasette {store.engine.url.database} -m METADATA.json (the JSON below)", file=sys.stderr)
        name = Path(store.engine.url.database).stem
    print(json.dumps(datasette.metadata(name), ensure_ascii=False, indent=2))
    return 0
