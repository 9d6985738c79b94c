"""Create, seed and serve a HyperKitty mailing-list archive for forumcrawl's tests.

Runs inside HyperKitty's own virtualenv, never the project's::

    <venv>/bin/python engine_main.py --mode seed --truth-out truth.json
    <venv>/bin/python engine_main.py --mode serve [--port 0]
    <venv>/bin/python engine_main.py --mode edit --post-id 7 --text "..."
    <venv>/bin/python engine_main.py --mode reply --thread-id 3 --author alice --text "..."

A mailing-list archive is a forum whose boards are lists, whose threads are
threads of e-mails and whose posts are the e-mails. ``seed`` migrates a fresh
SQLite file (FC_ENGINE_DB) and archives every post of ``corpus.py`` as an
e-mail (one list per board; a reply's In-Reply-To names the post it quotes, or
else the post before it; a quote is mail quoting, ``> `` lines above the
answer) through HyperKitty's own ``hyperkitty.lib.incoming.add_to_list``, the
function Mailman's archiver calls. The ground truth is read back from
HyperKitty's tables. A thread is one page (HyperKitty shows a whole thread on
one page to a robot; every message also has a page of its own). ``edit``
changes an archived message's text through the model (an archive has no edit
form); ``reply`` archives one more e-mail.
"""
from __future__ import annotations

import os
import sys
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "common")]  # fc_hyperkitty_settings; corpus, wsgi_serve
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fc_hyperkitty_settings")

import django  # noqa: E402

django.setup()

import corpus  # noqa: E402
import engine_cli  # noqa: E402

DOMAIN = "lists.example.invalid"


def _list_name(board_key: str) -> str:
    return f"{board_key}@{DOMAIN}"


def _message(list_name: str, subject: str, author: str, body: str, published, message_id: str,
             in_reply_to: str | None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = formataddr((author, f"{author}@example.invalid"))
    msg["To"] = list_name
    msg["Subject"] = subject
    msg["Date"] = format_datetime(published)
    msg["Message-Id"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    msg.set_content(body, charset="utf-8")
    return msg


def _quoted(excerpt: str) -> str:
    return "\n".join("> " + line if line else ">" for line in excerpt.split("\n"))


def _create_lists() -> None:
    from hyperkitty.models import MailingList

    for board in corpus.BOARDS:
        MailingList.objects.update_or_create(
            name=_list_name(board["key"]),
            defaults={"display_name": board["name"], "description": board["description"]})


def _seed_thread(number: int, thread: corpus.SeedThread) -> dict:
    from hyperkitty.lib.incoming import add_to_list
    from hyperkitty.models import Email

    list_name = _list_name(thread.board)
    ids = [f"<fc-{number}-{i}@example.invalid>" for i in range(len(thread.posts))]
    quotes: dict[str, list[str]] = {}
    for i, post in enumerate(thread.posts):
        body, parent, post_quotes = post.body, (ids[i - 1] if i else None), []
        if post.quote_of is not None:
            excerpt = thread.posts[post.quote_of].body.split("\n\n")[0]
            body = _quoted(excerpt) + "\n\n" + post.body
            parent, post_quotes = ids[post.quote_of], [excerpt]
        subject = thread.title if i == 0 else "Re: " + thread.title
        add_to_list(list_name, _message(list_name, subject, post.author, body, post.published, ids[i], parent))
        quotes[ids[i].strip("<>")] = post_quotes
    first = Email.objects.get(mailinglist__name=list_name, message_id=ids[0].strip("<>"))
    return _truth_thread(first.thread, thread, quotes)


def _truth_thread(hk_thread, thread: corpus.SeedThread, quotes: dict[str, list[str]]) -> dict:
    """The thread page as a reader sees it: every e-mail, in HyperKitty's thread order."""
    from django.urls import reverse

    emails = list(hk_thread.emails.order_by("thread_order").select_related("mailinglist"))
    bodies = {f"fc-{m}": p.body for m, p in _ids(thread, emails)}
    url = reverse("hk_thread", kwargs={"mlist_fqdn": hk_thread.mailinglist.name, "threadid": hk_thread.thread_id})
    return {
        "thread_id": str(hk_thread.pk),
        "url": url,
        "title": thread.title,
        "board": hk_thread.mailinglist.display_name,
        "pages": [{"url": url, "posts": list(range(len(emails)))}],
        "posts": [_post_json(e, bodies[e.message_id.split("@")[0]], quotes.get(e.message_id, []))
                  for e in emails],
    }


def _ids(thread: corpus.SeedThread, emails) -> list[tuple[str, corpus.SeedPost]]:
    """The corpus post behind each e-mail, by the Message-Id the seeder gave it."""
    out = []
    for e in emails:
        number, index = e.message_id.split("@")[0].split("-")[1:]
        out.append((f"{number}-{index}", thread.posts[int(index)]))
    return out


def _post_json(email, text: str, quotes: list[str]) -> dict:
    from django.urls import reverse

    url = reverse("hk_message_index", kwargs={"mlist_fqdn": email.mailinglist.name,
                                              "message_id_hash": email.message_id_hash})
    return {"post_id": str(email.pk), "author": email.sender_name, "text": text, "quotes": quotes,
            "published": email.date.isoformat(), "url": url}


def seed() -> dict:
    import hyperkitty

    _create_lists()
    threads = [_seed_thread(n, t) for n, t in enumerate(corpus.threads(), 1)]
    return {"engine": "hyperkitty", "version": getattr(hyperkitty, "__version__", "?"), "threads": threads}


def edit_post(post_id: int, text: str) -> dict:
    """Replace an archived e-mail's text (HyperKitty has no edit form: an archive keeps what was sent)."""
    from hyperkitty.models import Email

    email = Email.objects.select_related("mailinglist").get(pk=post_id)
    email.content = text
    email.save()
    return _post_json(email, text, [])


def add_reply(thread_id: int, author: str, text: str) -> dict:
    """Archive one more e-mail answering the thread's last message."""
    from django.utils import timezone
    from hyperkitty.lib.incoming import add_to_list
    from hyperkitty.models import Email, Thread

    hk_thread = Thread.objects.select_related("mailinglist").get(pk=thread_id)
    last = hk_thread.emails.order_by("-date").first()
    list_name = hk_thread.mailinglist.name
    message_id = f"<fc-reply-{thread_id}-{Email.objects.count()}@example.invalid>"
    add_to_list(list_name, _message(list_name, "Re: " + hk_thread.subject, author, text,
                                    timezone.now().replace(microsecond=0), message_id, f"<{last.message_id}>"))
    email = Email.objects.select_related("mailinglist").get(message_id=message_id.strip("<>"))
    return _post_json(email, text, [])


if __name__ == "__main__":
    engine_cli.run(__doc__, seed, edit_post, add_reply)
