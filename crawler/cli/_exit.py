"""Leaving a process without the interpreter's teardown, once its work is done.

A crawl process holds a large heap (the extractor, Scrapy, each site's state, the extract
pool's handles); freeing it object by object at exit, then waiting for the pool's workers,
took 1.4-3.2 s of a short crawl's life (``scrapy crawl`` of the bundled forum, run by a
test: 7.7-13.1 s in all) for nothing - the operating system takes the memory back at once.
"""
from __future__ import annotations

import atexit
import logging
import os
import sys
import threading
from typing import NoReturn


def leave(code: int) -> NoReturn:
    """Exit with ``code`` now, as ``sys.exit`` would but without the interpreter's teardown:
    what a normal exit does that matters is done first (threading's shutdown: executors'
    exit hooks, non-daemon threads joined; ``atexit`` handlers: multiprocessing's clean-up,
    logging's flush; the standard streams flushed)."""
    shutdown = getattr(threading, "_shutdown", None)  # (CPython's: elsewhere, the normal exit)
    if shutdown is None:
        sys.exit(code)
    shutdown()
    atexit._run_exitfuncs()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)
