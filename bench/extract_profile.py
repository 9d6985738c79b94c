"""Where ``extractor.extract`` spends its CPU on the throughput bench's forum pages.

    .venv/bin/python bench/extract_profile.py [--threads 300] [--pages 400] [--template] [--profile /tmp/p]

Builds the site of ``bench/throughput.py`` (same generator, same seed), extracts
its HTML pages (an even spread over the site, in page order) and prints CPU
milliseconds per page (``time.process_time``, which other jobs on a shared
machine disturb much less than wall time) as the best of ``--rounds`` rounds,
overall and per URL shape (thread / board pages of each markup style). With
``--stages`` it also prints the CPU time of the extractor's stages, measured by
wrapping the stage functions as the orchestrator imports them. ``--template``
learns a site template from the first pages first, as the crawler does.
"""
from __future__ import annotations

import argparse
import cProfile
import importlib
import re
import sys
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
if "--tree" in sys.argv:   # another extractor (a folder holding extractor/), imported before this tree's
    sys.path.insert(0, sys.argv[sys.argv.index("--tree") + 1])

NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)
HEADERS = {"Date": "Sat, 01 Nov 2026 00:00:00 GMT"}
STAGES = ("decode", "parse_counting", "read_structured", "strip_invisible", "number", "score_blocks",
          "find_posts", "rows_taken_for_posts", "replies_in_comments", "find_entries", "render",
          "collect_links", "detect_language", "thread_text", "_heading", "_article_text")


def pages_of(threads: int, count: int) -> list[tuple[str, str, bytes]]:
    """(shape, url, body) for ``count`` HTML pages spread evenly over the generated site."""
    from throughput import build_site

    html = [(p, body) for p, (ctype, body) in build_site(threads).items() if ctype.startswith("text/html")]
    step = max(1, len(html) // count) if count else 1
    chosen = html[::step][:count] if count else html
    return [(_shape(p), "http://127.0.0.1:8000" + p, body) for p, body in chosen]


def _shape(path: str) -> str:
    path = path.split("?")[0]
    if "/threads/" in path:
        return "xf thread"
    if "/forums/" in path:
        return "xf board"
    return re.sub(r"\d+", "N", path)


def _wrap_stages(totals: dict[str, float]) -> None:
    # the module itself: the package's attribute ``extract`` is the function
    ex = importlib.import_module("extractor.extract")
    for name in STAGES:
        fn = getattr(ex, name, None)
        if fn is None:
            for mod in (ex.blocks_mod,):
                if hasattr(mod, name):
                    _wrap_attr(mod, name, totals)
            continue
        _wrap_attr(ex, name, totals)


def _wrap_attr(owner, name: str, totals: dict[str, float]) -> None:
    fn = getattr(owner, name)

    def timed(*args, **kwargs):
        t = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            totals[name] += time.process_time() - t

    setattr(owner, name, timed)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=300)
    ap.add_argument("--pages", type=int, default=400)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--template", action="store_true", help="learn a site template from 6 pages first")
    ap.add_argument("--stages", action="store_true")
    ap.add_argument("--wrap", action="append", default=[], metavar="MODULE:NAME,NAME",
                    help="also time these functions as MODULE's code calls them (e.g. extractor.posts:find_date)")
    ap.add_argument("--tree", help="a folder holding extractor/ to measure instead of this tree's "
                                   "(e.g. git archive of an older commit)")
    ap.add_argument("--profile", help="write cProfile data of one round to this file")
    args = ap.parse_args()

    import extractor

    print(f"extractor from {Path(extractor.__file__).parent}")
    pages = pages_of(args.threads, args.pages)
    template = extractor.SiteTemplate.learn([(b, u) for _, u, b in pages[:6]]) if args.template else None
    totals: dict[str, float] = defaultdict(float)
    if args.stages:
        _wrap_stages(totals)
    for spec in args.wrap:
        module, _, names = spec.partition(":")
        owner = importlib.import_module(module)
        for name in names.split(","):
            _wrap_attr(owner, name, totals)
    best: dict[str, float] = {}
    for r in range(args.rounds):
        per: dict[str, float] = defaultdict(float)
        prof = cProfile.Profile() if args.profile and r == 0 else None
        if prof:
            prof.enable()
        for shape, url, body in pages:
            t = time.process_time()
            extractor.extract(body, url, headers=HEADERS, template=template, now=NOW)
            per[shape] += time.process_time() - t
        if prof:
            prof.disable()
            prof.dump_stats(args.profile)
        for k, v in per.items():
            best[k] = min(best.get(k, v), v)
    counts: dict[str, int] = defaultdict(int)
    for shape, _, _ in pages:
        counts[shape] += 1
    total = sum(best.values())
    print(f"{len(pages)} pages, CPU ms/page (best of {args.rounds}): {1000 * total / len(pages):.2f}")
    for k in sorted(best, key=lambda k: -best[k]):
        print(f"  {k:32s} {counts[k]:4d} pages {1000 * best[k] / counts[k]:7.2f} ms/page")
    if totals:
        n = len(pages) * args.rounds
        print("stages (CPU ms/page, mean over all rounds; nested stages counted in their callers too):")
        for k in sorted(totals, key=lambda k: -totals[k]):
            print(f"  {k:24s} {1000 * totals[k] / n:7.3f}")


if __name__ == "__main__":
    main()
