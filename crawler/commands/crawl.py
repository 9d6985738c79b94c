"""``scrapy crawl``: Scrapy's command, exiting 1 when the crawl failed.

Scrapy exits 0 whatever the close reason, so a crawl whose start URL could
not be reached (``start_unreachable``), whose shared frontier vanished
(``frontier_lost``), whose database could not be opened (``database_error``),
or that fetched no page at all looked like a success to scripts and
schedulers. This command keeps everything else of Scrapy's (a stop asked for
with Ctrl-C or SIGTERM still exits 0, as in Scrapy) and prints one line on why.
The generic spider's arguments are checked before Scrapy starts, as ``forumcrawl
crawl`` checks them: a start URL that is no http(s) URL, a bad pattern or number
is one line and exit 2, not a traceback from inside the crawl.

Once the crawl is over the process leaves without tearing the interpreter down
(:func:`crawler.cli._exit.leave`). ``--profile`` keeps Scrapy's normal exit (its stats
are written after the command).
"""
from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand

from crawler.cli._errors import UsageError
from crawler.cli._exit import leave
from crawler.cli.crawl import check_spider_args, crawl_outcome


class Command(ScrapyCrawlCommand):
    def _create_crawler(self, spidercls):
        crawler = super()._create_crawler(spidercls)
        self._crawler_run = crawler
        return crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args and args[0] == "generic":
            try:
                check_spider_args(opts.spargs)
            except UsageError as exc:
                print(f"scrapy crawl: {exc}", file=sys.stderr)
                self.exitcode = 2
                return
        super().run(args, opts)
        crawler = getattr(self, "_crawler_run", None)
        if crawler is None or self.exitcode:
            return
        code, message = crawl_outcome(crawler, {"JOBDIR": self.settings.get("JOBDIR") or ""},
                                      url=opts.spargs.get("url"), strict=False)
        if code:
            print(f"scrapy crawl: {message}", file=sys.stderr)
            self.exitcode = code
        if not getattr(opts, "profile", None):
            leave(self.exitcode)

