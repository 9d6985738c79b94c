"""The bundled sample forum behind ``forumcrawl demo``.

``site/`` holds static pages (package data) rendered once from
:mod:`crawler.demo.forum` by ``python -m crawler.demo.build``; ``manifest.json``
maps each URL path to its file and content type. :func:`serve_bundled` serves
them on 127.0.0.1 with no network needed.
"""
from __future__ import annotations

import json
from importlib import resources

from crawler.demo.server import ForumServer, serve

__all__ = ["load_bundled", "serve_bundled"]


def load_bundled() -> dict[str, tuple[str, bytes]]:
    """The bundled pages: {path?query: (content type, body)}."""
    root = resources.files("crawler.demo") / "site"
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    return {
        path_key(path): (entry["type"], entry["text"].encode() if "text" in entry else (root / entry["file"]).read_bytes())
        for path, entry in manifest.items()
    }


def path_key(path: str) -> str:
    """A request path with its query parameters in a fixed order (clients may reorder them)."""
    base, sep, query = path.partition("?")
    if not sep:
        return base
    return base + "?" + "&".join(sorted(p for p in query.split("&") if p))


def serve_bundled(port: int = 0) -> ForumServer:
    """Serve the bundled forum on 127.0.0.1 (free port unless ``port``); stop() when done."""
    pages = load_bundled()

    def route(path: str):
        found = pages.get(path_key(path.split("#", 1)[0]))
        if found is None:
            return 404, "text/html; charset=utf-8", b"<html><body><h1>Not found</h1></body></html>"
        return 200, found[0], found[1]

    return serve(route, port=port)
