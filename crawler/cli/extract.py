"""``forumcrawl extract PATH_OR_- --url URL``: run the extractor on a saved page.

Prints the :class:`extractor.Page` as JSON (posts, links and all) or as plain
text (title, kind, then the main text or the posts one by one).
"""
from __future__ import annotations

import argparse
import json
import sys


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "extract",
        help="extract the main text or the posts of a saved HTML page",
        description="Read an HTML file (or - for standard input) and print what the extractor finds: "
        "page kind, title, text, posts with author/date/floor, links and the next page.",
    )
    parser.add_argument("path", metavar="PATH_OR_-", help="HTML file, or - to read standard input")
    parser.add_argument("--url", default="", help="the page's URL (resolves relative links; default: none)")
    parser.add_argument("--format", choices=("json", "text"), default="json", help="output format (default json)")
    parser.add_argument("--charset", metavar="NAME",
                        help="charset the server declared (as if sent in Content-Type); default: detect")
    parser.add_argument("--template", action="append", default=[], metavar="FILE",
                        help="another page of the same site; with two or more, the site's template is "
                        "learned from them and dropped (may repeat)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from extractor import SiteTemplate, extract

    try:
        if args.path == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(args.path, "rb") as fh:
                data = fh.read()
    except OSError as exc:
        print(f"forumcrawl extract: cannot read {args.path}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    headers = {"Content-Type": f"text/html; charset={args.charset}"} if args.charset else None
    template = None
    if args.template:
        pages = []
        for name in args.template:
            try:
                with open(name, "rb") as fh:
                    pages.append(fh.read())
            except OSError as exc:
                print(f"forumcrawl extract: cannot read {name}: {exc.strerror or exc}", file=sys.stderr)
                return 1
        template = SiteTemplate.learn([data, *pages])
    page = extract(data, args.url, headers=headers, template=template)
    if args.format == "json":
        json.dump(page.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_text(page))
    return 0


def render_text(page) -> str:
    """Human-readable form: a header, then the text or each post with its metadata."""
    lines = [f"# {page.title}" if page.title else "#", f"kind: {page.kind}"]
    if page.language:
        lines.append(f"language: {page.language}")
    if page.next_page_url:
        lines.append(f"next page: {page.next_page_url}")
    for warning in page.warnings:
        lines.append(f"warning: {warning}")
    lines.append("")
    if page.kind == "thread" and page.posts:
        for post in page.posts:
            meta = [f"#{post.floor}" if post.floor is not None else f"[{post.position}]"]
            if post.author:
                meta.append(post.author)
            if post.published:
                meta.append(post.published.isoformat())
            elif post.published_raw:
                meta.append(post.published_raw)
            lines.append("--- " + " | ".join(meta))
            lines.append(post.text)
            lines.append("")
    else:
        lines.append(page.text)
        if page.entries:
            lines.append("")
            for entry in page.entries:
                extra = f" ({entry.replies} replies)" if entry.replies is not None else ""
                lines.append(f"- {entry.title} <{entry.url}>{extra}")
    return "\n".join(lines).rstrip("\n") + "\n"
