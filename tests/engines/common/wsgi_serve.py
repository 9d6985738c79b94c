"""Serve a WSGI application on 127.0.0.1 from inside an engine's virtualenv.

Standard library only (wsgiref), threaded so a crawler's concurrent requests
do not queue behind each other. Once listening, prints one line
``FORUMCRAWL-ENGINE-READY <port>`` on stdout: the test fixture waits for it.
"""
from __future__ import annotations

import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

READY_MARKER = "FORUMCRAWL-ENGINE-READY"


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass


def serve(app, host: str = "127.0.0.1", port: int = 0) -> None:
    """Serve ``app`` until the process is terminated."""
    httpd = make_server(host, port, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
    print(f"{READY_MARKER} {httpd.server_port}", flush=True)
    try:
        httpd.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
        sys.stdout.flush()
