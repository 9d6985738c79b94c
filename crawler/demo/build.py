"""Render the sample forum into ``crawler/demo/site/`` (run after changing forum.py).

``python -m crawler.demo.build``
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from crawler.demo.forum import build_forum, render_site

SITE = Path(__file__).resolve().parent / "site"


def main() -> None:
    pages = render_site(build_forum())
    if SITE.exists():
        shutil.rmtree(SITE)
    SITE.mkdir()
    manifest = {}
    for n, (path, (ctype, body)) in enumerate(sorted(pages.items()), 1):
        if not ctype.startswith("text/html"):  # robots.txt: inline (package data ships *.html, *.json)
            manifest[path] = {"text": body.decode("utf-8"), "type": ctype}
            continue
        name = f"page{n:03d}.html"
        (SITE / name).write_bytes(body)
        manifest[path] = {"file": name, "type": ctype}
    (SITE / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"{len(pages)} pages written to {SITE}")


if __name__ == "__main__":
    main()
