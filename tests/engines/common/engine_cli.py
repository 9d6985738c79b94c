"""The command line every engine's ``engine_main.py`` runs inside its virtualenv.

One copy of the argument parsing and the seed / serve / edit / reply dispatch;
each engine only supplies its own ``seed``, ``edit_post`` and ``add_reply``.
Django must already be set up by the caller.
"""
from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

import wsgi_serve


def run(doc: str | None, seed: Callable[[], dict], edit_post: Callable[[int, str], dict],
        add_reply: Callable[[int, str, str], dict]) -> None:
    """Parse the command line and do what ``--mode`` asks."""
    from django.core.management import call_command

    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("--mode", choices=["seed", "serve", "edit", "reply"], required=True)
    parser.add_argument("--truth-out", help="seed: where to write the ground truth JSON")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--post-id", type=int, help="edit: the post to change")
    parser.add_argument("--thread-id", type=int, help="reply: the thread to answer")
    parser.add_argument("--author", help="reply: username of the replying user")
    parser.add_argument("--text", help="edit/reply: the new post text")
    args = parser.parse_args()

    if args.mode == "seed":
        call_command("migrate", verbosity=0, interactive=False)
        truth = seed()
        Path(args.truth_out).write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    elif args.mode == "serve":
        from django.core.wsgi import get_wsgi_application

        wsgi_serve.serve(get_wsgi_application(), args.host, args.port)
    elif args.mode == "edit":
        print(json.dumps(edit_post(args.post_id, args.text), ensure_ascii=False))
    else:
        print(json.dumps(add_reply(args.thread_id, args.author, args.text), ensure_ascii=False))
