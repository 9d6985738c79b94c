"""A/B check of two extractor versions: same output? how much faster?

    .venv/bin/python bench/extract_ab.py --base HEAD~5            # that commit's extractor/ vs the working tree
    .venv/bin/python bench/extract_ab.py --base /tmp/old-tree      # a folder holding extractor/
    .venv/bin/python bench/extract_ab.py --base HEAD~5 --site 300 --sets forum-magic

Both versions are loaded into this one process (their ``extractor`` modules
swapped in ``sys.modules`` around each call) and run page by page in turn,
alternating which goes first, so a busy shared machine slows both alike,
and timed in CPU time (``time.process_time``), which other jobs disturb less
than wall time: the per-set speed ratio is the figure to read, not the
absolute ms/page.
Pages: the shared evaluator's sets, plus (``--site N``) N pages of the forum
that ``bench/throughput.py`` generates. Every ``Page.to_dict()`` is compared;
the differing pages are listed (a speed change must list none).
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import pkgutil
import random
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)
HEADERS = {"Date": "Sat, 01 Nov 2026 00:00:00 GMT"}


def _tree(spec: str, tmp: str) -> str:
    """A folder holding ``extractor/``: ``spec`` itself, or ``git archive`` of that revision."""
    if Path(spec, "extractor").is_dir():
        return spec
    blob = subprocess.run(["git", "archive", spec, "extractor"], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(blob)) as tar:
        tar.extractall(tmp, filter="data")
    return tmp


def _load(root: str) -> dict:
    """Import every module of ``root``'s extractor package; returns them by module name."""
    for name in [k for k in sys.modules if k == "extractor" or k.startswith("extractor.")]:
        del sys.modules[name]
    sys.path.insert(0, root)
    try:
        pkg = importlib.import_module("extractor")
        if not str(Path(pkg.__file__).resolve()).startswith(str(Path(root).resolve())):
            raise SystemExit(f"imported {pkg.__file__}, not the tree in {root}")
        for mod in pkgutil.iter_modules(pkg.__path__):
            importlib.import_module("extractor." + mod.name)
    finally:
        sys.path.remove(root)
    return {k: v for k, v in sys.modules.items() if k == "extractor" or k.startswith("extractor.")}


def _pages(shared: Path, sets: list[str], site: int) -> list[tuple[str, str, object]]:
    spec = importlib.util.spec_from_file_location("shared_evaluate", shared / "bench" / "evaluate.py")
    ev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ev)
    out = []
    for name in sets:
        for row in ev.load_set(str(shared / "bench" / "data" / name)):
            out.append((name, row.get("url") or "", ev.read_html(row["page_path"])))
    if site:
        sys.path.insert(0, str(ROOT / "bench"))
        from throughput import build_site

        html = [(p, body) for p, (ctype, body) in build_site(2000).items() if ctype.startswith("text/html")]
        random.Random(3).shuffle(html)
        out += [("site", "http://127.0.0.1:8000" + p, body) for p, body in html[:site]]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", required=True, help="git revision, or a folder holding extractor/ (version A)")
    ap.add_argument("--new", default=str(ROOT), help="folder holding extractor/ (version B; default: this tree)")
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--sets", default="forum-magic,article-zyte,article-magic")
    ap.add_argument("--site", type=int, default=300, help="pages of the generated forum (0: none)")
    ap.add_argument("--passes", type=int, default=1,
                    help="time every page in this many passes over all pages and keep its least CPU time "
                         "per version (a busy shared machine's disturbances fall out; outputs compared once)")
    ap.add_argument("--template", action="store_true",
                    help="as the crawler does: each version learns a site template from the first 6 pages of each "
                         "set and gets it with every page of the set")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        trees = [_tree(args.base, tmp), args.new]
        versions = [_load(t) for t in trees]
        pages = _pages(Path(args.shared), [s for s in args.sets.split(",") if s], args.site)
        templates: list[dict] = [{}, {}]
        if args.template:
            for v in (0, 1):
                sys.modules.update(versions[v])
                for name in dict.fromkeys(name for name, _, _ in pages):
                    sample = [(html, url) for n, url, html in pages if n == name][:6]
                    templates[v][name] = versions[v]["extractor"].SiteTemplate.learn(sample)
        best = [[float("inf")] * len(pages), [float("inf")] * len(pages)]
        counts: dict[str, int] = {}
        differ: list[str] = []
        for run in range(max(1, args.passes)):
            for k, (name, url, html) in enumerate(pages):
                result = [None, None]
                for v in ((0, 1) if (k + run) % 2 == 0 else (1, 0)):
                    sys.modules.update(versions[v])
                    extract = versions[v]["extractor"].extract
                    t0 = time.process_time()
                    page = extract(html, url, headers=HEADERS, now=NOW, template=templates[v].get(name))
                    best[v][k] = min(best[v][k], time.process_time() - t0)
                    if not run:
                        result[v] = json.dumps(page.to_dict(), sort_keys=True, default=str)
                if not run:
                    counts[name] = counts.get(name, 0) + 1
                    if result[0] != result[1]:
                        differ.append(f"{name}: {url}")
        seconds = [{}, {}]
        for v in (0, 1):
            for k, (name, _, _) in enumerate(pages):
                seconds[v][name] = seconds[v].get(name, 0.0) + best[v][k]
    print(f"A = {args.base}, B = {args.new}")
    print("| pages | n | A ms/page | B ms/page | B speed-up |\n|---|---:|---:|---:|---:|")
    for name, n in counts.items():
        a, b = seconds[0][name] / n * 1000, seconds[1][name] / n * 1000
        print(f"| {name} | {n} | {a:.2f} | {b:.2f} | {a / b:.2f}x |")
    n = sum(counts.values())
    a, b = sum(seconds[0].values()), sum(seconds[1].values())
    print(f"| all | {n} | {a / n * 1000:.2f} | {b / n * 1000:.2f} | {a / b:.2f}x |")
    print(f"\n{len(differ)} of {n} pages give a different Page" + (":" if differ else " (identical output)"))
    for line in differ[:50]:
        print("  " + line)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
