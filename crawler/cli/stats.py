"""``forumcrawl stats``: how many sites, threads, posts and pages are stored, and the latest runs
(runs whose process was killed are marked ``killed`` first)."""
from __future__ import annotations

import argparse
import json
import sys

from ._args import count
from .query import add_database_argument, guarded


def register(subparsers) -> None:
    parser = subparsers.add_parser("stats", help="counts of sites, threads, posts, pages and crawl runs")
    add_database_argument(parser)
    parser.add_argument("--runs", type=count, default=10, help="how many recent crawl runs to show")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from storage import query
    from storage.formats import write_records

    def read() -> dict:
        with query.open_store(args.database) as store:
            store.reap_dead_runs()   # a killed crawl could not record its end: say so
            return query.stats(store, runs=args.runs)

    report = guarded(read)
    if args.format == "json":
        print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
        return 0
    out = sys.stdout
    out.write(f"database: {report['database']}\n")
    out.write("  ".join(f"{name}: {n}" for name, n in report["totals"].items()) + "\n\n")
    if report["sites"]:
        write_records(report["sites"], "table", out, table_columns=("site", "threads", "posts", "pages",
                                                                   "last_seen"), widths={"site": 50})
        out.write("\n")
    if report["runs"]:
        runs = [{**r, "items": (r.get("stats") or {}).get("item_scraped_count")} for r in report["runs"]]
        write_records(runs, "table", out, table_columns=("id", "site", "status", "started_at", "finished_at",
                                                         "items"), widths={"site": 40})
    return 0
