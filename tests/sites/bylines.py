"""Generated pages of a small board whose member pages are linked by number only
(``<a href="/who?id=7">farid</a>``: no class, no name in the URL), written for these tests.

:func:`thread_page` is a thread of short replies, each a byline (the member's link beside the
post's date) above its text, in one of three markups (a list, a table, definition lists);
:func:`topic_list` and :func:`board_index` are the listings that look most like it: topics
shown with a date and an excerpt, and a forum index whose sub-boards sit above their
descriptions, linked in the index's own URL shape.
"""
from __future__ import annotations

import html

NAMES = ["farid", "Gustav Lind", "helena_w", "ingrid", "jonas"]
# the shapes of member pages by number that no profile pattern names
MEMBER_HREFS = ["/who?id={n}", "/m/{n}", "/card.php?no={n}"]
TEXTS = ["The kettle on the harbour stove needs a new copper base soon, mine leaks.",
         "Try a tinsmith at the market, they fixed mine for a few coins.",
         "Same here, and the handle got loose too after a winter.",
         "A copper base lasts years if you dry it after use.",
         "Thanks all, I will ask at the market on Saturday."]
MARKUPS = ("list", "table", "dl")


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _frame(title: str, content: str) -> str:
    return ("<!DOCTYPE html><html><head><title>" + _e(title) + " - Lantern Board</title></head><body>"
            "<div class='header'><a href='/'>Home</a> <a href='/help'>Help</a> <a href='/rules'>Rules</a>"
            " <a href='/search'>Search</a></div>"
            f"<div class='main'>{content}</div>"
            "<div class='footer'>Lantern Board, a place for friendly talk since 2011</div></body></html>")


def thread_page(href: str = MEMBER_HREFS[0], markup: str = "list", names=NAMES, texts=TEXTS) -> str:
    """A thread of short replies, their authors linked by ``href`` (``{n}``: the member's number)."""
    ids = {name: 7 + k for k, name in enumerate(dict.fromkeys(names))}
    posts = []
    for i, (name, text) in enumerate(zip(names, texts)):
        who = f"<a href='{_e(href.format(n=ids[name]))}'>{_e(name)}</a>"
        when = f"2025-06-{i + 1:02d} 10:{i:02d}"
        if markup == "list":
            posts.append(f"<li class='post'><div class='head'>{who} <span>{when}</span></div>"
                         f"<div class='body'>{_e(text)}</div></li>")
        elif markup == "table":
            posts.append(f"<tr><td class='left'>{who}<br><small>{when}</small></td>"
                         f"<td class='right'>{_e(text)}</td></tr>")
        else:
            posts.append(f"<dl class='msg'><dt>{who} &middot; {when}</dt><dd>{_e(text)}</dd></dl>")
    inner = "".join(posts)
    if markup == "list":
        inner = f"<ul class='posts'>{inner}</ul>"
    elif markup == "table":
        inner = f"<table class='posts'>{inner}</table>"
    return _frame("Copper kettles", f"<h1>Copper kettles</h1>{inner}"
                  "<div class='pager'>Page 1 of 1</div>")


TOPICS = ["Copper kettles that leak", "Where to buy lamp oil", "Sourdough", "Winter tyres on the coast road"]


def topic_list(titles=TOPICS, href: str = "/t?id={n}") -> tuple[str, list[str]]:
    """A list of topics, each a title link beside its date above an excerpt, and the titles."""
    rows = "".join(
        f"<li class='post'><div class='head'><a href='{href.format(n=3 + i)}'>{_e(t)}</a> "
        f"<span>2025-06-{i + 1:02d} 10:00</span></div>"
        f"<div class='body'>{_e(TEXTS[i])}</div></li>" for i, t in enumerate(titles))
    return _frame("Recent topics", f"<h1>Recent topics</h1><ul class='posts'>{rows}</ul>"), list(titles)


BOARDS = ["General", "Kitchen", "Workshop", "Garden"]


def board_index(boards=BOARDS) -> tuple[str, list[str]]:
    """A board's sub-boards (``/forum/N/``, as the page itself), each a one-word name beside the
    date of its last post above its description, and the names."""
    rows = "".join(
        f"<li class='post'><div class='head'><a href='/forum/{5 + i}/'>{_e(b)}</a> "
        f"<span>2025-06-{i + 1:02d} 10:00</span></div>"
        f"<div class='body'>{_e(TEXTS[i])}</div></li>" for i, b in enumerate(boards))
    return _frame("Boards", f"<h1>Boards</h1><ul class='posts'>{rows}</ul>"), list(boards)
