"""The fixture forum behind a server that answers some thread pages broken the first times
they are asked for: HTTP 200 with an error page in place of the page ("Too many connections",
a template cut off by an error), as a forum under load does (crawler/brokenpages.py)."""
from __future__ import annotations

import threading

from crawler.demo.forum import Forum
from tests.sites.stub import StubHandler, serve

BROKEN = ("<html><head><title>Error</title></head><body><h1>Database error</h1>"
          "<p>SQLSTATE[HY000] [1040] Too many connections</p><pre>{trace}</pre></body></html>")


class BrokenAnswersForum:
    """Serves ``forum`` on 127.0.0.1; the paths of ``broken`` (path -> how many times) are
    answered broken that many times first. ``hits`` lists (path, broken) per request."""

    def __init__(self, forum: Forum, broken: dict[str, int]) -> None:
        self.forum, self.broken, self.hits, self.lock = forum, dict(broken), [], threading.Lock()
        site = self

        class Handler(StubHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 - http.server API
                with site.lock:
                    left = site.broken.get(self.path, 0)
                    if left:
                        site.broken[self.path] = left - 1
                        trace = "\n".join(f"#{n} /srv/forum/lib/db.php({40 + n}): connect()" for n in range(12))
                        status, ctype, body = 200, "text/html; charset=utf-8", BROKEN.format(trace=trace).encode()
                    else:
                        status, ctype, body = site.forum.route(self.path)
                    site.hits.append((self.path, bool(left)))
                self.reply(status, ctype, body)

        self.server, _, base = serve(Handler)
        self.server.daemon_threads = True
        self.url = base + "/"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
