"""The ``forumcrawl`` console script.

Each sub-command lives in its own module of this package and exposes
``register(subparsers)``, which adds its parser and sets ``func`` (taking the
parsed ``argparse.Namespace`` and returning an exit code). Modules are found by
name, so adding a command never means editing this file; heavy imports stay
inside ``func`` so ``forumcrawl --help`` is fast.

Errors: every failure prints one line and exits 2 (usage) or 1 (runtime);
``--debug`` (anywhere on the line) or ``-L DEBUG`` shows the traceback instead
(see ``_errors.py``).
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from ._errors import OneLineParser, report


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every sub-command module registered."""
    parser = OneLineParser(
        prog="forumcrawl",
        description="Crawl any site, split forum threads into posts, store and query them.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks instead of one-line errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    _add_debug_flag(sub)
    return parser


def _add_debug_flag(sub: argparse._SubParsersAction) -> None:
    """``--debug`` after any sub-command too (``forumcrawl stats --debug``)."""
    for command in set(sub.choices.values()):
        if "--debug" not in command._option_string_actions:
            command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                                 help="show tracebacks instead of one-line errors")
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction):
                _add_debug_flag(action)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``forumcrawl`` script; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        return int(func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as err:  # noqa: BLE001 - every failure becomes one line unless debugging
        if _debugging(args):
            raise
        return report(args.command, err)


def entry() -> None:
    """The ``forumcrawl`` script: :func:`main`, then an exit without the interpreter's teardown
    (crawler/cli/_exit.py: a crawl's heap is not freed object by object). ``main`` itself
    returns, for callers in the same process."""
    from crawler.cli._exit import leave

    leave(main())


def _debugging(args: argparse.Namespace) -> bool:
    levels = (getattr(args, "loglevel", None), getattr(args, "log_level", None))
    return bool(getattr(args, "debug", False)) or any(str(level).upper() == "DEBUG" for level in levels if level)


if __name__ == "__main__":
    sys.exit(main())
