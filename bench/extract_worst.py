"""Worst-case time of ``extract`` on hostile inputs of about 20 MB (figures for docs/extractor.md).

    .venv/bin/python bench/extract_worst.py
"""
from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extractor import extract  # noqa: E402

MB = 1 << 20


def cases() -> dict[str, bytes]:
    rnd = random.Random(7)
    para = "<p>" + "Forum text with words and punctuation, repeated. " * 8 + "</p>\n"
    post = ("<div class='post'><div class='author'><a href='/u/{i}'>user{i}</a></div><span class='date'>"
            "2024-05-0{d} 12:3{d}</span><div class='body'>" + "Reply text, several words long. " * 6
            + "</div></div>\n")
    return {
        "random bytes": rnd.randbytes(20 * MB),
        "20 MB of paragraphs": ("<html><body>" + para * (20 * MB // len(para)) + "</body></html>").encode(),
        "20 MB of forum posts": ("<html><body>" + "".join(post.format(i=i, d=i % 9 + 1)
                                 for i in range(20 * MB // len(post))) + "</body></html>").encode(),
        "20 MB of links": ("<html><body><ul>" + "".join(f"<li><a href='/t/{i}'>thread {i}</a></li>"
                           for i in range(20 * MB // 40)) + "</ul></body></html>").encode(),
        "nesting 1M deep": b"<div>" * (2 * MB) + b"text" + b"</div>" * (2 * MB),
        "unclosed tags": b"<html><body>" + b"<div><span><p><b>text " * (20 * MB // 26),
        "no markup": b"plain text line\n" * (20 * MB // 16),
        "NUL-laden": (b"<p>a\x00b</p>" * (20 * MB // 12)),
        "one element, 2M attributes": (b"<html><body><div " + b" ".join(b"a%d=x" % i for i in range(2_000_000))
                                       + b">text</div></body></html>"),
    }


def main() -> int:
    print("| input | size | seconds | kind | warnings |")
    print("|---|---:|---:|---|---|")
    worst = 0.0
    for name, data in cases().items():
        t0 = time.perf_counter()
        page = extract(data, "http://localhost/t/1")
        dt = time.perf_counter() - t0
        worst = max(worst, dt)
        warn = "; ".join(page.warnings)[:80]
        print(f"| {name} | {len(data) / MB:.1f} MB | {dt:.2f} | {page.kind} | {warn} |")
        sys.stdout.flush()
    print(f"\nworst case {worst:.2f} s ({os.cpu_count()} CPUs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
