"""Main-text benchmark: our extractor and trafilatura on the three shared sets, in one run.

    .venv/bin/python bench/extract.py [--shared ../shared] [--sets forum-magic,article-zyte,article-magic]

For every set both extractors see the same pages, decoded the same way (the
shared evaluator's ``read_html``), page by page in turn in this process; F1 is
the evaluator's macro F1 (its own ``bag``/``score_page``), speed is pages per
second of wall time spent inside the extractor call. Prints a Markdown table.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SETS = ("forum-magic", "article-zyte", "article-magic")


def load_evaluator(shared: Path):
    path = shared / "bench" / "evaluate.py"
    spec = importlib.util.spec_from_file_location("shared_evaluate", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ours(html: str, url: str) -> str:
    from extractor.bench import main_text
    return main_text(html, url)


def trafilatura_default(html: str, url: str) -> str:
    import trafilatura
    return trafilatura.extract(html, url=url) or ""


def run(ev, rows, pages, funcs) -> list[tuple[float, float]]:
    """[(macro F1, pages per second)] per extractor; each page goes through all of them in turn,
    so a busy machine slows every extractor alike."""
    f1 = [0.0] * len(funcs)
    seconds = [0.0] * len(funcs)
    for row, html in zip(rows, pages):
        truth = ev.bag(row.get("text") or "")
        for k, func in enumerate(funcs):
            t0 = time.perf_counter()
            try:
                text = func(html, row.get("url") or "")
            except Exception:
                text = ""
            seconds[k] += time.perf_counter() - t0
            f1[k] += ev.score_page(truth, text or "")[2]
    n = len(rows)
    return [(f / n if n else 0.0, n / s if s else float("inf")) for f, s in zip(f1, seconds)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"), help="the shared folder (holds bench/)")
    ap.add_argument("--sets", default=",".join(DEFAULT_SETS), help="comma-separated set names")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    shared = Path(args.shared)
    ev = load_evaluator(shared)
    extractors = (("forumcrawl", ours), ("trafilatura 2.3.1 default", trafilatura_default))
    # warm both up (imports, lazy tables) outside the timed loops
    for _, func in extractors:
        func("<html><body><p>warm up</p></body></html>", "http://localhost/")

    print("| set | pages | forumcrawl F1 | trafilatura F1 | forumcrawl pages/s | trafilatura pages/s | speed ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    totals = {name: [0.0, 0.0, 0] for name, _ in extractors}  # f1 sum, seconds, pages
    for name in args.sets.split(","):
        set_dir = shared / "bench" / "data" / name
        rows = ev.load_set(str(set_dir))
        pages = [ev.read_html(r["page_path"]) for r in rows]
        result = {}
        scores = run(ev, rows, pages, [func for _, func in extractors])
        for (label, _), (f1, pps) in zip(extractors, scores):
            result[label] = (f1, pps)
            totals[label][0] += f1 * len(rows)
            totals[label][1] += len(rows) / pps
            totals[label][2] += len(rows)
        (f_o, s_o), (f_t, s_t) = result["forumcrawl"], result["trafilatura 2.3.1 default"]
        print(f"| {name} | {len(rows)} | {f_o:.3f} | {f_t:.3f} | {s_o:.1f} | {s_t:.1f} | {s_o / s_t:.2f}x |")
        sys.stdout.flush()
    o, t = totals["forumcrawl"], totals["trafilatura 2.3.1 default"]
    if o[2]:
        so, st = o[2] / o[1], t[2] / t[1]
        print(f"| all | {o[2]} | {o[0] / o[2]:.3f} | {t[0] / t[2]:.3f} | {so:.1f} | {st:.1f} | {so / st:.2f}x |")
    print(f"\n(python {sys.version.split()[0]}, {os.cpu_count()} CPUs; F1 = shared evaluator macro F1)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
