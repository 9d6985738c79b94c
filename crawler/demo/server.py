"""A tiny threaded HTTP server on 127.0.0.1 (port 0: the OS picks a free port).

It serves whatever a ``route(path_with_query) -> (status, content_type, body)``
callable returns; ``forumcrawl demo`` routes to the bundled static pages, the
tests route to a live :class:`crawler.demo.forum.Forum`.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Route = Callable[[str], tuple[int, str, bytes]]


class _Handler(BaseHTTPRequestHandler):
    route: Route
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        try:
            status, ctype, body = self.server.route(self.path)  # type: ignore[attr-defined]
        except Exception as exc:  # a broken page must not kill the server
            status, ctype, body = 500, "text/plain", f"error: {exc}".encode()
        self.server.hits.append(self.path)  # type: ignore[attr-defined]
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Date", formatdate(usegmt=True))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # quiet
        pass


class ForumServer(ThreadingHTTPServer):
    """The server object: ``url`` is its base URL, ``hits`` the paths requested so far."""

    daemon_threads = True

    def __init__(self, route: Route, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__((host, port), _Handler)
        self.route = route
        self.hits: list[str] = []
        self.url = f"http://{host}:{self.server_address[1]}"
        self._thread: threading.Thread | None = None

    def start(self) -> "ForumServer":
        self._thread = threading.Thread(target=self.serve_forever, name="forum-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def serve(route: Route, port: int = 0) -> ForumServer:
    """Start serving ``route`` on 127.0.0.1 in a background thread."""
    return ForumServer(route, port=port).start()
