"""A generated forum with a month archive, served on 127.0.0.1 (written for these tests).

Every page links every month since the forum opened (150 months, newest first), as
mailing-list archives and blogs do. Only the newest month holds a thread, one the
board does not list (it is reachable from its month only); every other month is an
empty page. The board lists the other threads, one page each. The expected result is
every post stored, at its position, under ``/thread/ID``.
"""
from __future__ import annotations

import html
from datetime import datetime, timedelta

from tests.sites.shapes import AUTHORS, WORDS, ShapesServer

MONTHS = 150
NEWEST = (2026, 12)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _months() -> list[tuple[int, int]]:
    year, month = NEWEST
    out = []
    for _ in range(MONTHS):
        out.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out


class MonthArchive:
    """The site's content and routes; ``hits`` of its server tell what a crawl fetched."""

    def __init__(self, sizes=(4, 3, 5, 2)) -> None:
        self.threads = []
        start = datetime(2026, 11, 2, 9, 0)
        for tid, size in enumerate(sizes, 1):
            posts = [{"author": AUTHORS[(tid + i) % len(AUTHORS)], "when": start + timedelta(days=tid, hours=i),
                      "text": f"Post {i + 1} of thread {tid}: "
                              + " ".join(WORDS[(tid * 5 + i * 3 + k) % len(WORDS)] for k in range(12)) + "."}
                     for i in range(size)]
            self.threads.append({"id": tid, "title": f"Thread {tid} about {WORDS[tid]}", "posts": posts})
        self.hidden = self.threads[-1]  # listed in the newest month only

    def expected(self, base: str) -> list[tuple[str, int, str, str]]:
        return sorted((f"{base}/thread/{t['id']}", i, p["author"], p["text"])
                      for t in self.threads for i, p in enumerate(t["posts"], 1))

    def _doc(self, title: str, body: str) -> str:
        months = "".join(f'<li><a href="/archive/{y}/{m}/">{y}-{m:02d}</a></li>' for y, m in _months())
        return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{_e(title)} - Month Board</title></head>'
                f'<body><div id="wrap"><div class="header"><h1>Month Board</h1><a href="/">Board index</a></div>'
                f'<div id="main">{body}</div><aside class="months"><h3>Archives</h3><ul>{months}</ul></aside>'
                f'<div class="footer">Powered by a board of our own</div></div></body></html>')

    def _rows(self, threads) -> str:
        return "".join(
            f'<li class="row"><dl><dt><a class="topictitle" href="/thread/{t["id"]}">{_e(t["title"])}</a></dt>'
            f'<dd class="posts">{len(t["posts"]) - 1} Replies</dd>'
            f'<dd class="lastpost">by {_e(t["posts"][-1]["author"])}</dd></dl></li>' for t in threads)

    def index(self) -> str:
        listed = [t for t in self.threads if t is not self.hidden]
        return self._doc("Board index", f'<h2>Topics</h2><ul class="topiclist topics">{self._rows(listed)}</ul>')

    def month(self, year: int, month: int) -> str:
        held = [self.hidden] if (year, month) == NEWEST else []
        body = (f'<ul class="topiclist topics">{self._rows(held)}</ul>' if held
                else "<p>No threads this month.</p>")
        return self._doc(f"Archive {year}-{month:02d}", f"<h2>Threads of {year}-{month:02d}</h2>{body}")

    def thread(self, t) -> str:
        posts = "".join(
            f'<div class="post"><div class="inner"><dl class="postprofile"><dt>'
            f'<a class="username" href="/member/{p["author"]}">{_e(p["author"])}</a></dt></dl>'
            f'<div class="postbody"><p class="author">by <strong>{_e(p["author"])}</strong> » '
            f'{p["when"].strftime("%a %b %d, %Y %I:%M %p")}</p><div class="content">{_e(p["text"])}</div></div>'
            f'</div></div><hr>' for p in t["posts"])
        return self._doc(t["title"], f'<h2 class="topic-title">{_e(t["title"])}</h2>{posts}')

    def route(self, path_qs: str) -> tuple[int, dict[str, str], str]:
        seg = [s for s in path_qs.split("?")[0].split("/") if s]
        by_id = {str(t["id"]): t for t in self.threads}
        if not seg:
            return 200, {}, self.index()
        if seg[0] == "archive" and len(seg) == 3 and seg[1].isdigit() and seg[2].isdigit() \
                and (int(seg[1]), int(seg[2])) in _months():
            return 200, {}, self.month(int(seg[1]), int(seg[2]))
        if seg[0] == "thread" and len(seg) == 2 and seg[1] in by_id:
            return 200, {}, self.thread(by_id[seg[1]])
        if seg[0] == "member" and len(seg) == 2:
            return 200, {}, self._doc(seg[1], f"<h2>{_e(seg[1])}</h2><p>Member since 2024.</p>")
        return 404, {}, self._doc("Not found", "<h2>The page you asked for does not exist.</h2>")


def serve_months(**kwargs) -> tuple[MonthArchive, ShapesServer]:
    site = MonthArchive(**kwargs)
    return site, ShapesServer(site.route)
