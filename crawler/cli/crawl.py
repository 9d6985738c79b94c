"""``forumcrawl crawl URL [URL...]``: run the generic spider, like ``scrapy crawl generic -a url=URL``.

Several URLs (or ``-a urls=FILE``) crawl several sites in one process, each with its own
scope, template and crawl_runs row (crawler/sites.py).

Spider arguments with ``-a name=value``, Scrapy settings with ``-s NAME=VALUE``,
feed exports with ``-o``/``-O FILE`` (format from the extension: ``posts.jsonl``).
"""
from __future__ import annotations

import argparse
import os
import sys

from ._args import web_url
from ._errors import UsageError

LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "crawl",
        help="crawl a site with the generic spider and store its posts",
        description="Crawl URL's site with the generic spider: thread pages become posts in the database "
        "(DATABASE_URL setting, else FORUMCRAWL_DATABASE_URL, else DATABASE_URL, else sqlite:///forumcrawl.db).",
    )
    parser.add_argument("urls", nargs="*", metavar="URL",
                        help="start URLs, one or more sites (may be omitted when resuming a JOBDIR)")
    parser.add_argument("-a", dest="spider_args", action="append", default=[], metavar="NAME=VALUE",
                        help="spider argument: allow, deny, max_pages, max_depth, same_domain, template_pages; "
                        "urls=FILE: start URLs, one a line, each optionally followed by its own name=value")
    parser.add_argument("-s", "--set", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                        help="Scrapy setting, e.g. -s JOBDIR=crawls/site1 -s DATABASE_URL=postgresql+psycopg://...")
    parser.add_argument("-o", "--output", action="append", default=[], metavar="FILE",
                        help="append scraped items to FILE (format from the extension or FILE:FORMAT)")
    parser.add_argument("-O", "--overwrite-output", action="append", default=[], metavar="FILE",
                        help="write scraped items to FILE, overwriting it")
    parser.add_argument("--database", metavar="URL", help="shortcut for -s DATABASE_URL=URL")
    parser.add_argument("-L", "--loglevel", metavar="LEVEL", help="log level (default INFO)")
    parser.set_defaults(func=run)


def _pairs(values: list[str], what: str) -> dict[str, str]:
    out = {}
    for value in values:
        name, sep, val = value.partition("=")
        if not sep or not name:
            raise UsageError(f"{what} must be NAME=VALUE, not {value!r}")
        out[name] = val
    return out


def project_settings(overrides: dict[str, str] | None = None):
    """forumcrawl's Scrapy settings with command-line overrides applied."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def _check_database(settings) -> None:
    """Refuse a database URL the store cannot use before Scrapy starts (one line, exit 2)."""
    from storage.engine import check_url
    from storage.url import resolve_database_url

    check_url(resolve_database_url(settings.get("DATABASE_URL")))


def _check_url_list(path: str) -> None:
    """``-a urls=FILE``: readable, and every line a URL with valid arguments (one line, exit 2)."""
    from crawler.sites import read_url_list

    try:
        with open(path, encoding="utf-8") as fh:
            lines = read_url_list(fh.read())
        for url, _ in lines:
            web_url(url)
    except OSError as exc:
        raise UsageError(f"-a urls={path}: {exc.strerror or exc}") from None
    except (ValueError, UsageError) as exc:
        raise UsageError(f"-a urls={path}: {exc}") from None
    if not lines:
        raise UsageError(f"-a urls={path}: no URL in the file")


def check_spider_args(spider_args: dict[str, str]) -> None:
    """The generic spider's arguments checked before Scrapy starts, ``url`` normalised in place:
    a start URL that is no http(s) URL, an unreadable URL list, a bad pattern or number is one
    line and exit 2 (``forumcrawl crawl`` and ``scrapy crawl generic`` alike), not a traceback."""
    from crawler.sites import SITE_ARGS, check_site_args

    if spider_args.get("url"):
        spider_args["url"] = " ".join(web_url(u) for u in spider_args["url"].split())
    if spider_args.get("urls"):
        _check_url_list(spider_args["urls"])
    try:
        check_site_args({k: v for k, v in spider_args.items() if k in SITE_ARGS})
    except ValueError as exc:
        raise UsageError(f"-a {exc}") from None


def run(args: argparse.Namespace) -> int:
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.conf import feed_process_params_from_cli

    spider_args = _pairs(args.spider_args, "-a")
    overrides = _pairs(args.settings, "-s")
    if not (args.urls or spider_args.get("url") or spider_args.get("urls") or overrides.get("JOBDIR") or overrides.get("REDIS_URL")
            or os.environ.get("REDIS_URL")):
        raise UsageError("give a start URL (or -s JOBDIR=... to resume, or REDIS_URL "
                         "to take work from a shared frontier)")
    if args.database:
        overrides["DATABASE_URL"] = args.database
    if args.loglevel:
        if args.loglevel.upper() not in LOG_LEVELS:
            raise UsageError(f"-L {args.loglevel}: the log level is one of {', '.join(LOG_LEVELS)}")
        overrides["LOG_LEVEL"] = args.loglevel.upper()
    if args.urls:
        spider_args["url"] = " ".join(args.urls)
    check_spider_args(spider_args)
    settings = project_settings(overrides)
    _check_database(settings)
    if args.output or args.overwrite_output:
        feeds = feed_process_params_from_cli(settings, args.output, overwrite_output=args.overwrite_output)
        settings.set("FEEDS", feeds, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("generic")
    process.crawl(crawler, **spider_args)
    process.start()
    code, message = crawl_outcome(crawler, overrides, url=spider_args.get("url") or spider_args.get("urls"))
    if message:
        print(f"forumcrawl crawl: {message}", file=sys.stderr)
    return code


def crawl_outcome(crawler, overrides: dict[str, str], *, url: str | None = None,
                  strict: bool = True) -> tuple[int, str | None]:
    """(exit code, one line on why or None) for a finished crawler process.

    ``strict`` (``forumcrawl crawl``): every end but "finished" (or the page limit) is 1,
    an interrupted crawl included. ``scrapy crawl`` keeps Scrapy's exit 0 for a stop
    asked for (Ctrl-C) but fails a crawl that could not start, lost its shared frontier,
    lost its database, or fetched nothing.
    """
    from storage.runs import FAILED_REASONS  # the runs recorded as failed

    stats = crawler.stats.get_stats() if crawler.stats else {}
    reason = stats.get("finish_reason")
    ended = reason in ("finished", "closespider_pagecount") and getattr(crawler, "spider", None) is not None
    if (strict and not ended) or reason in FAILED_REASONS:
        return 1, _ending(reason, overrides, stats)
    if strict and ended and stats.get("forumcrawl/sites_unreachable"):  # (forumcrawl crawl) some sites of several failed
        return 1, (f"{stats['forumcrawl/sites_unreachable']} site(s) could not be crawled, the others were "
                   f"(last: {stats.get('forumcrawl/start_unreachable')}; see the log above)")
    if ended and _fetched_nothing(stats):
        url = url or getattr(getattr(crawler, "spider", None), "start_url", None) or "the start URL"
        return 1, (f"fetched no page from {url} (refused by robots.txt, out of scope, or an HTTP error: "
                   "see the log above)")
    return 0, None


def _fetched_nothing(stats: dict) -> bool:
    """The start URL was requested (not a resume) and no page came back: every response
    was refused (robots.txt, scope) or an HTTP error (an unchanged page, 304, counts as fetched)."""
    return bool(stats.get("forumcrawl/start_requested")) and not stats.get("forumcrawl/pages") and \
        not stats.get("forumcrawl/incremental/not_modified") and \
        not any(key.startswith("forumcrawl/skipped/") and key != "forumcrawl/skipped/refused" for key in stats)


def _ending(reason: str | None, overrides: dict[str, str], stats: dict) -> str:
    """One line on why a crawl did not finish, and what to do."""
    if reason == "start_unreachable":
        return (f"{stats.get('forumcrawl/start_unreachable', 'the start URL cannot be reached')}: "
                "check the URL, that the site is up, and this machine's network")
    resume = (f"run the same command again to resume from {overrides['JOBDIR']}" if overrides.get("JOBDIR")
              else "add -s JOBDIR=DIR to make a crawl resumable")
    if reason == "database_error":
        return "stopped: the database could not be opened (see the log above; check --database)"
    if reason in ("shutdown", None):     # None: a forced stop, the spider never closed
        return f"interrupted before the end ({resume})"
    return f"ended with {reason!r} instead of finishing (see the log above)"
