"""``forumcrawl demo``: serve the bundled sample forum on 127.0.0.1, crawl it, show posts.

Works offline on a fresh machine: the forum's pages ship inside the package.
"""
from __future__ import annotations

import argparse


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="crawl the bundled sample forum (no network needed) and print a few posts",
        description="Serve the bundled sample forum (phpBB-, vBulletin-, XenForo- and Discuz!-like "
        "sections, one in Chinese/GBK) on 127.0.0.1, crawl it with the generic spider into the default "
        "database, and print a few of the stored posts.",
    )
    parser.add_argument("--database", metavar="URL",
                        help="where to store posts (default: FORUMCRAWL_DATABASE_URL, DATABASE_URL, "
                        "else sqlite:///forumcrawl.db)")
    parser.add_argument("--posts", type=int, default=6, help="how many stored posts to print (default 6)")
    parser.add_argument("-L", "--loglevel", default="WARNING", help="crawl log level (default WARNING)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from scrapy.crawler import CrawlerProcess

    from crawler.cli.crawl import project_settings
    from crawler.demo import serve_bundled
    from storage import resolve_database_url

    database = resolve_database_url(args.database)
    server = serve_bundled()
    print(f"Serving the sample forum at {server.url}/")
    print(f"Crawling it into {database} ...", flush=True)
    try:
        settings = project_settings({
            "DATABASE_URL": database,
            "LOG_LEVEL": args.loglevel.upper(),
            "AUTOTHROTTLE_ENABLED": "False",   # our own local server: no need to be gentle
            "FORUMCRAWL_PROGRESS_INTERVAL": "0",
        })
        process = CrawlerProcess(settings)
        crawler = process.create_crawler("generic")
        process.crawl(crawler, url=server.url + "/")
        process.start()
    finally:
        server.stop()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    pages = stats.get("forumcrawl/pages", 0)
    threads = stats.get("forumcrawl/threads", 0)
    posts = stats.get("forumcrawl/posts", 0)
    new = stats.get("forumcrawl/db_posts_inserted", 0)
    updated = stats.get("forumcrawl/db_posts_updated", 0)
    print(f"Crawled {pages} pages: {threads} threads, {posts} posts "
          f"({new} new and {updated} updated rows in the database).")
    if stats.get("finish_reason") != "finished":
        print(f"The crawl did not finish normally: {stats.get('finish_reason')}")
        return 1
    _show_posts(database, server.url, args.posts)
    print(f"\nNext: forumcrawl query --site {server.url} --search neighbour --limit 5   "
          f"(Chinese too: --search 温度; also --format jsonl, forumcrawl threads, forumcrawl stats)")
    return 0


def _show_posts(database: str, site: str, limit: int) -> None:
    from storage import query

    records = query.posts(database, site=site, limit=None)
    if not records:
        print("No posts were stored.")
        return
    # Opening posts of threads from different sections (first path segment), in turn.
    from urllib.parse import urlsplit

    sections: dict[str, list[dict]] = {}
    seen_threads = set()
    for record in records:
        if record["thread_url"] in seen_threads:
            continue
        seen_threads.add(record["thread_url"])
        path = urlsplit(record["thread_url"]).path.strip("/")
        sections.setdefault(path.split("/", 1)[0], []).append(record)
    chosen: list[dict] = []
    while len(chosen) < limit and any(sections.values()):
        for queue in sections.values():
            if queue and len(chosen) < limit:
                chosen.append(queue.pop(0))
    print()
    for record in chosen:
        text = " ".join((record.get("text") or "").split())
        if len(text) > 160:
            text = text[:157] + "..."
        print(f"[{record.get('thread_title')}] #{record.get('position')} by {record.get('author')} "
              f"at {record.get('published') or record.get('published_raw')}")
        print(f"    {text}")
