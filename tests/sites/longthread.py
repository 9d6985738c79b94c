"""A generated forum whose first page links several pages of one long thread first (written
for these tests; a topic box in the manner of boards that repeat the topic header on every
page of a topic), served on 127.0.0.1.

The index opens with a "latest replies" bar: the newest reply of each later page of the long
thread 1, linked as a post (``/t?pid=120``: the page that holds it, page 4), then the thread's
pages (``/t?id=1``, ``&page=2`` ...); then it lists every topic. A topic page shows the topic's
box on each of its pages (its title, the opening post's author, date and reply count, and the
opening post itself, a short question), then the page's replies. The template sample (the
first page and its first links; one link of a URL pattern at a time while it is on trial) then
holds three pages of topic 1 (``/t?pid=120``, ``/t?id=1&page=2``, ``/t?id=1``) of six: its box
recurs on half of the sample, as the site's menus do. The question is shorter than the 50
characters by which the warm-up tells two pages showing the same posts apart, so nothing kept
those pages out of the sample; learned as site furniture, the question was masked and the
opening post lost.
"""
from __future__ import annotations

import html
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from tests.sites.shapes import ShapesServer

PER_PAGE = 5
# (names of four letters or more: each reply's only link, the author's, to /u?name=...; such
# rows of short replies were once read as a board's rows titled by those links, the page a
# listing without posts: tests/test_extract_name_links.py)
AUTHORS = ["alice", "carol", "dmitri", "farid", "gustav"]
WORDS = ("river kettle lantern harbour orchard meadow copper violin granite saddle "
         "thimble compass ember walnut quarry pebble ribbon falcon cedar marble").split()


def _e(text: str) -> str:
    return html.escape(text, quote=True)


class LongThread:
    """Topic 1 of 20 replies (4 pages), topics 2-7 of 2 to 5 replies (one page each)."""

    def __init__(self, replies: tuple[int, ...] = (20, 3, 5, 2, 4, 4, 3), *, steps: bool = False) -> None:
        # steps: the pager shows "‹ Prev" and "Next ›" only, no page numbers (pages 1 and 4 of a
        # topic then link neither each other nor a page they share)
        self.steps = steps
        start = datetime(2025, 6, 1, 8, 0)
        self.threads = []
        for tid, size in enumerate(replies, 1):
            posts = [{"author": AUTHORS[(tid + i) % len(AUTHORS)], "when": start + timedelta(days=tid, hours=i),
                      "text": f"Reply {i} of topic {tid}: " + " ".join(
                          WORDS[(tid * 7 + i * 3 + k) % len(WORDS)] for k in range(13)) + "."}
                     for i in range(size + 1)]
            # a short question, shown again above every page of its topic
            posts[0]["text"] = f"Which {WORDS[tid]} or {WORDS[tid + 9]} would you pick?"
            self.threads.append({"id": tid, "title": f"Topic {tid} on the {WORDS[tid]} and the {WORDS[tid + 9]}",
                                 "posts": posts})

    def pages(self, t) -> int:   # (the opening post is shown above every page's replies)
        return max(1, -(-(len(t["posts"]) - 1) // PER_PAGE))

    def url(self, t, page: int = 1) -> str:
        return f"/t?id={t['id']}" + ("" if page == 1 else f"&page={page}")

    def _doc(self, title: str, body: str, top: str = "") -> str:
        return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{_e(title)} - Lantern Board</title></head>'
                f'<body>{top}<div class="header"><span class="logo">Lantern Board</span> <a href="/">Home</a> '
                f'<a href="/help">Help</a> <a href="/rules">Rules</a> <a href="/members">Members</a></div>'
                f'<div class="main">{body}</div><div class="footer">Lantern Board, a place for friendly talk '
                f'since 2011</div></body></html>')

    def index(self) -> str:
        hot = self.threads[0]
        # the newest reply of each later page of the hot topic, newest first, each linked as the post
        # (``/t?pid=N``: the page that holds it), then the hot topic's pages
        latest = "".join(
            f'<li><a href="/t?pid={hot["id"] * 100 + i}">{_e(hot["posts"][i]["author"])} replied to '
            f'{_e(hot["title"])}</a></li>'
            for i in (min(n * PER_PAGE, len(hot["posts"]) - 1) for n in range(self.pages(hot), 1, -1)))
        jump = " ".join(f'<a href="{self.url(hot, n)}">{n}</a>' for n in range(1, self.pages(hot) + 1))
        latest += f'<li>Pages of the hot topic: {jump}</li>'
        rows = "".join(f'<li class="topic"><a class="title" href="{self.url(t)}">{_e(t["title"])}</a> '
                       f'<span class="by">by {_e(t["posts"][0]["author"])}</span> '
                       f'<span class="n">{len(t["posts"]) - 1} replies</span></li>' for t in self.threads)
        return self._doc("Home", f'<h2>Latest topics</h2><ul class="topics">{rows}</ul>',
                         top=f'<div class="latest"><h3>Latest replies</h3><ul>{latest}</ul></div>')

    def topic(self, t, page: int) -> str:
        first = t["posts"][0]
        box = (f'<div class="topic-box"><h1>{_e(t["title"])}</h1><div class="meta">'
               f'<a class="author" href="/u?name={first["author"]}">{_e(first["author"])}</a> '
               f'<span class="date">{first["when"]:%Y-%m-%d %H:%M}</span> '
               f'<span class="count">{len(t["posts"]) - 1} replies</span></div>')
        box += f'<div class="content">{_e(first["text"])}</div></div>'
        lo = 1 + (page - 1) * PER_PAGE
        replies = "".join(
            f'<li class="reply"><div class="meta"><a class="author" href="/u?name={p["author"]}">'
            f'{_e(p["author"])}</a> <span class="date">{p["when"]:%Y-%m-%d %H:%M}</span></div>'
            f'<div class="content">{_e(p["text"])}</div></li>'
            for p in t["posts"][lo:lo + PER_PAGE])
        pages = self.pages(t)
        pager = ""
        if pages > 1:
            items = " ".join(f"<span>{n}</span>" if n == page else f'<a href="{self.url(t, n)}">{n}</a>'
                             for n in range(1, pages + 1))
            if self.steps:
                items = (f'<a class="prev" rel="prev" href="{self.url(t, page - 1)}">&lsaquo; Prev</a>'
                         if page > 1 else "") + f" <span>Page {page}</span>"
            nxt = f' <a class="next" rel="next" href="{self.url(t, page + 1)}">Next</a>' if page < pages else ""
            pager = f'<div class="pager">{items}{nxt}</div>'
        return self._doc(t["title"], f'{box}<ul class="replies">{replies}</ul>{pager}')

    def route(self, path_qs: str) -> tuple[int, dict[str, str], str]:
        parts = urlsplit(path_qs)
        q = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        if parts.path == "/":
            return 200, {}, self.index()
        if parts.path == "/t" and q.get("id", "").isdigit() and 1 <= int(q["id"]) <= len(self.threads):
            t = self.threads[int(q["id"]) - 1]
            page = int(q["page"]) if q.get("page", "").isdigit() else 1
            if 1 <= page <= self.pages(t):
                return 200, {}, self.topic(t, page)
        if parts.path == "/t" and q.get("pid", "").isdigit():   # a post: the page of its topic that holds it
            tid, i = divmod(int(q["pid"]), 100)
            if 1 <= tid <= len(self.threads) and 0 <= i < len(self.threads[tid - 1]["posts"]):
                return 200, {}, self.topic(self.threads[tid - 1], max(1, -(-i // PER_PAGE)))
        if parts.path in ("/help", "/rules", "/members", "/u"):
            title = parts.path[1:].title() or "Profile"
            return 200, {}, self._doc(title, f"<h2>{_e(title)}</h2><p>Nothing to see here yet.</p>")
        return 404, {}, self._doc("Not found", "<h2>No such page.</h2>")


def serve_long_thread(**kwargs) -> tuple[LongThread, ShapesServer]:
    """The site and its running server."""
    site = LongThread(**kwargs)
    return site, ShapesServer(site.route)
