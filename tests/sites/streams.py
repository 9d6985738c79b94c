"""Generated pages of a board's activity stream whose every item is signed and dated
("ann commented on <a href=/discussion/4/x>Copper kettles</a>" above a whole excerpt of the
reply, its author's photo and name, its date), written for these tests; and, for the other
side, a thread whose replies link other threads of the same board inside their text.

:func:`stream_page` has a few markups (``MARKUPS``): an activity list in the manner of a
classic board (photo, title line, excerpt, date line), a "latest replies" feed of cards
(author and date above the topic link, the excerpt under it), and a table of items.
"""
from __future__ import annotations

import html

# (author, member number, verb, thread, comment or None, thread title, excerpt)
ITEMS = [
    ("ann", 3, "commented on", 4, 9, "Copper kettles that leak",
     "Try a tinsmith at the market, they fixed mine for a few coins and it has held since the spring."),
    ("bob", 4, "started", 7, None, "Where to buy lamp oil",
     "Does anyone know a shop near the harbour that still sells lamp oil by the litre, not in bottles?"),
    ("carol", 5, "commented on", 2, 14, "Winter tyres on the coast road",
     "I keep mine on until April: the coast road ices over at night well into March, every year."),
    ("ann", 3, "commented on", 9, 31, "Sourdough starter",
     "Feed it twice a day for a week and keep it warm by the stove, then it will rise well enough."),
    ("dmitri", 6, "commented on", 4, 12, "Copper kettles that leak",
     "A copper base lasts for years if you dry it after use; mine is twenty years old and fine."),
]
# what makes an excerpt as long as a reply (median past a listing row's excerpt)
MORE = (" We tried three other ways over the winter and the one that worked best was the simplest one:"
        " patience, a dry shelf, and a look at it every morning before work and again at night.")
MARKUPS = ("activity", "cards", "table")


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _frame(title: str, content: str) -> str:
    return ("<html><head><title>" + _e(title) + " - Lantern Board</title></head><body><div id='Head'>"
            "<a href='/'>Lantern Board</a><ul class='SiteMenu'><li><a href='/discussions'>Discussions</a></li>"
            "<li><a href='/activity'>Activity</a></li></ul></div><div id='Panel'><div class='Box'>"
            "<h4>Howdy, Stranger!</h4><p>It looks like you're new here. If you want to get involved, click"
            " one of these buttons!</p><a href='/signin'>Sign In</a> <a href='/register'>Register</a></div></div>"
            f"<div id='Content'>{content}</div></body></html>")


def _topic(thread: int, comment: int | None, anchor: bool) -> str:
    return f"/discussion/{thread}/x" + (f"#Comment_{comment}" if comment and anchor else "")


def stream_page(markup: str = "activity", anchor: bool = False, ago: bool = False) -> str:
    """The activity stream; ``anchor``: items link their comment's anchor, else the thread;
    ``ago``: dates shown as "3 hours ago", else in full."""
    rows = []
    for i, (who, n, verb, thread, comment, title, excerpt) in enumerate(ITEMS):
        member = f"<a class='Name' href='/profile/{n}/{who}'>{who}</a>"
        topic = f"<a href='{_topic(thread, comment, anchor)}'>{_e(title)}</a>"
        when = f"{i + 2} hours ago" if ago else f"November {20 + i}, 2026 3:1{i}AM"
        text = _e(excerpt + MORE)
        if markup == "activity":
            rows.append(f"<li id='Activity_{i + 1}' class='Item Activity'><div class='Author Photo'>"
                        f"<a href='/profile/{n}/{who}' class='PhotoWrap'><img src='/u/{n}.png' alt='{who}'></a></div>"
                        f"<div class='ItemContent Activity'><div class='Title'>{member} {verb} {topic}.</div>"
                        f"<div class='Excerpt'>{text}</div><div class='Meta'><span class='MItem DateCreated'>"
                        f"{when}</span></div></div></li>")
        elif markup == "cards":
            rows.append(f"<div class='card'><div class='card-head'>{member} <span class='date'>{when}</span></div>"
                        f"<h3 class='card-title'>{verb} {topic}</h3><div class='card-body'><p>{text}</p></div></div>")
        else:
            rows.append(f"<tr><td class='who'>{member}<br><span class='date'>{when}</span></td>"
                        f"<td class='what'><div>{verb} {topic}</div><div class='text'>{text}</div></td></tr>")
    body = "".join(rows)
    inner = {"activity": f"<ul class='DataList Activities'>{body}</ul>",
             "cards": f"<div class='feed'>{body}</div>",
             "table": f"<table class='items'>{body}</table>"}[markup]
    return _frame("Recent Activity", f"<h1 class='H'>Recent Activity</h1>{inner}")


def linking_thread_page(markup: str = "activity") -> str:
    """A thread of replies in the stream's markup, each pointing to another thread of the board
    inside its text ("see <a>Winter tyres on the coast road</a>"): a thread, its links its posts'."""
    rows = []
    for i, (who, n, _, thread, _, title, excerpt) in enumerate(ITEMS):
        member = f"<a class='Name' href='/profile/{n}/{who}'>{who}</a>"
        when = f"November {20 + i}, 2026 3:1{i}AM"
        text = (f"{_e(excerpt)} There is more in <a href='/discussion/{thread + 20}/y'>{_e(title)}</a>, "
                f"read it first.{_e(MORE)}")
        if markup == "activity":
            rows.append(f"<li id='Comment_{40 + i}' class='Item Comment'><div class='Author Photo'>"
                        f"<a href='/profile/{n}/{who}' class='PhotoWrap'><img src='/u/{n}.png' alt='{who}'></a></div>"
                        f"<div class='ItemContent Comment'><div class='Title'>{member}</div>"
                        f"<div class='Message'>{text}</div><div class='Meta'><span class='MItem DateCreated'>"
                        f"{when}</span></div></div></li>")
        elif markup == "cards":
            rows.append(f"<div class='card'><div class='card-head'>{member} <span class='date'>{when}</span></div>"
                        f"<div class='card-body'><p>{text}</p></div></div>")
        else:
            rows.append(f"<tr><td class='who'>{member}<br><span class='date'>{when}</span></td>"
                        f"<td class='what'><div class='text'>{text}</div></td></tr>")
    body = "".join(rows)
    inner = {"activity": f"<ul class='DataList Comments'>{body}</ul>",
             "cards": f"<div class='feed'>{body}</div>",
             "table": f"<table class='items'>{body}</table>"}[markup]
    return _frame("Things to read first", f"<h1 class='H'>Things to read first</h1>{inner}")
