"""Where a whole-site crawl of a PHP engine spends its GETs (issue 9): every GET the crawl made,
with the kind of page the store recorded for it and what it taught its URL pattern, grouped by pattern.

    .venv/bin/python bench/engine_gets.py esotalk wpforo [--out /tmp/engine-gets]

Each engine is installed and seeded anew (tests/test_crawl_php_engines.py's runner) and crawled with
the test's settings at LOG_LEVEL=DEBUG. Printed: GETs, thread pages and GETs per thread page, then per
URL pattern (``crawler.patterns.url_pattern``) the count of GETs by recorded kind and pattern outcome (``thread:new``,
``listing:repeat``...; ``-`` where there is none: a redirect, a refused or failed answer, robots.txt) and two
example paths; with ``--table``, the classes of every ``.gets`` under ``--out`` (``bench/engine_gets.py
--table --out DIR`` alone: of crawls made before). Under ``--out``: ``<engine>.db`` (the store), ``<engine>.log`` (the crawl's log) and
``<engine>.gets`` (one line a GET: status, recorded kind, path). Needs PHP, MariaDB and the engine's
source (docs/crawl-engines.md).
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import timezone
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]


# The classes of docs/crawl-engines.md, told from a GET's status, recorded kind and outcome, and path.
CLASSES = ["thread page", "listing (new entries)", "robots/sitemap", "article/CMS page", "page with new links only",
           "page 1 again (alias)", "copy of a thread page", "redirect to a known page", "redirect to login/form",
           "other redirect", "listing of known entries", "empty page", "login wall/form", "HTTP error"]
_LOGIN_ACTIONS = re.compile(r"add|create|edit|start|markallread|friends|my$|notification")  # (the engines' own)
_KNOWN_TARGETS = re.compile(r"older|newer|post/")
_PAGE_ONE = re.compile(r"[?&,](part|page)=1$")


def classify(status: str, kind: str, path: str) -> str:
    """The class of one GET of a ``.gets`` listing (docs/crawl-engines.md, "Where the remaining GETs
    go"), from its status, the recorded kind and outcome (``kind:outcome``) and its path. A reading
    aid for these engines' crawls, not a rule of the crawler."""
    kind, _, outcome = kind.partition(":")
    if path.startswith("/robots.txt") or "sitemap" in path:
        return "robots/sitemap"
    if status.startswith("3"):
        if outcome == "repeat":
            return "redirect to a known page"
        if outcome == "new":
            return "other redirect"
        if _LOGIN_ACTIONS.search(path):
            return "redirect to login/form"
        # (before 155555d a redirect to a page requested already recorded no outcome: Phorum's
        # "newer/older topic", esoTalk's "post/N" are told by their paths)
        return "redirect to a known page" if _KNOWN_TARGETS.search(path) else "other redirect"
    if status.startswith(("4", "5")):
        return "HTTP error"
    if (kind == "thread" and outcome in ("new", "-")) or (kind == "-" and outcome == "new"):
        return "thread page"  # (or read, and stored under its URL without a parameter learned inert)
    if outcome == "repeat" or kind == "thread":
        return "page 1 again (alias)" if _PAGE_ONE.search(path) and "print" not in path else "copy of a thread page"
    if kind == "listing" and outcome in ("new", "-"):
        return "listing (new entries)"
    if outcome == "listed":
        return "listing of known entries"
    if kind == "article":
        return "article/CMS page"
    if outcome == "new":
        return "page with new links only"
    return "login wall/form" if outcome in ("wall", "form") else "empty page"


def table(folder: Path) -> str:
    """The classes of every ``<engine>.gets`` under ``folder``, a Markdown table (engines by GETs)."""
    out = {}
    for f in sorted(folder.glob("*.gets")):
        counts: Counter = Counter()
        for line in f.read_text().splitlines():
            status, kind, path = line.split(" ", 2)
            if path.strip() != ",":  # (the spider's wake-up requests, data:,)
                counts[classify(status, kind, path.strip())] += 1
        out[f.stem] = counts
    names = sorted(out, key=lambda n: -sum(out[n].values()))
    lines = ["| class | " + " | ".join(names) + " | all |", "|---|" + "---:|" * (len(names) + 1)]
    for cl in CLASSES:
        row = [out[n][cl] for n in names]
        lines.append(f"| {cl} | " + " | ".join(str(x) if x else "" for x in row) + f" | {sum(row)} |")
    lines.append("| **GETs** | " + " | ".join(str(sum(out[n].values())) for n in names)
                 + f" | {sum(sum(c.values()) for c in out.values())} |")
    return "\n".join(lines)


def recorded_kinds(store: str) -> dict[str, str]:
    """Path (with query) -> the kind the store recorded for the page fetched there."""
    import sqlalchemy as sa

    from storage.models import Page

    engine = sa.create_engine(store)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.select(Page.url, Page.kind)).all()
    finally:
        engine.dispose()
    kinds = {}
    for url, kind in rows:
        parts = urlsplit(url)
        kinds[parts.path + (f"?{parts.query}" if parts.query else "")] = kind or "none"
    return kinds


def crawled(log: str) -> list[tuple[str, str]]:
    """(status, URL) of every GET in a crawl's DEBUG log: answered, or redirected."""
    gets = []
    for line in log.splitlines():
        if m := re.search(r"Crawled \((\d+)\) <GET (\S+)>", line):
            gets.append((m[1], m[2]))
        elif m := re.search(r"Redirecting \((\d+)\) to <GET \S+> from <GET (\S+)>", line):
            gets.append((m[1], m[2]))
    return gets


def audit(forum, out: Path, name: str) -> str:
    """One crawl of ``forum``; its GETs by shape and kind, as text."""
    from tests.sites import _env, crawl_command, last_run_stats, stored_posts
    from crawler.patterns import url_pattern
    from tests.test_crawl_php_engines import SETTINGS, as_scored, metrics, stored_twice

    store = f"sqlite:///{out}/{name}.db"
    Path(f"{out}/{name}.db").unlink(missing_ok=True)
    command = crawl_command(forum.base_url + "/", store, *SETTINGS, "LOG_LEVEL=DEBUG")
    proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300, env=_env())
    (out / f"{name}.log").write_text(proc.stderr)
    gets = crawled(proc.stderr)
    outcomes = dict((url, o) for o, url in re.findall(r"Outcome (\w+): (\S+)", proc.stderr))
    kinds = recorded_kinds(store)
    posts = stored_posts(store, forum.base_url)
    score = metrics.score_site(forum.threads, [as_scored(p) for p in posts], naive_as=timezone.utc)
    stats = last_run_stats(store)
    lines = [f"[{name}] exit {proc.returncode}: {stats.get('downloader/request_method_count/GET')} GETs, "
             f"{stats.get('forumcrawl/thread_pages')} thread pages, {stats.get('forumcrawl/gets_per_thread_page')} "
             f"a page; {score.summary()}; stored twice: {len(stored_twice(posts))}"]
    shapes: dict[str, Counter] = defaultdict(Counter)
    examples: dict[str, list[str]] = defaultdict(list)
    with open(out / f"{name}.gets", "w") as listing:
        for status, url in gets:
            parts = urlsplit(url)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            kind = kinds.get(path, "-") + ":" + outcomes.get(url, "-")
            listing.write(f"{status} {kind} {path}\n")
            shape = url_pattern(path)
            shapes[shape][f"{kind}/{status}"] += 1
            if len(examples[shape]) < 2:
                examples[shape].append(path)
    for shape, counts in sorted(shapes.items(), key=lambda kv: -sum(kv[1].values())):
        lines.append(f"  {sum(counts.values()):4d} {shape[:90]}  {dict(counts)}  e.g. {examples[shape]}")
    lines += [f"  {line}" for line in proc.stderr.splitlines() if "Learned:" in line]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from tests.test_crawl_php_engines import ENGINES, source_dir

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("engines", nargs="*", help=f"any of {', '.join(sorted(ENGINES))}")
    parser.add_argument("--table", action="store_true", help="then print the classes of every .gets under --out")
    parser.add_argument("--out", type=Path, default=Path("/tmp/engine-gets"))
    args = parser.parse_args(argv)
    unknown = sorted(set(args.engines) - set(ENGINES))
    if unknown:
        parser.error(f"unknown engines: {unknown}")
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.engines:
        running = ENGINES[name][2]
        with running(source_dir(name.split("-")[0])) as forum:
            print(audit(forum, args.out, name), flush=True)
    if args.table:
        print(table(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
