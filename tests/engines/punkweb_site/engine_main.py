"""Create, seed and serve a PunkwebBB forum for forumcrawl's tests.

Runs inside PunkwebBB's own virtualenv, never the project's::

    <venv>/bin/python engine_main.py --mode seed --truth-out truth.json
    <venv>/bin/python engine_main.py --mode serve [--port 0]
    <venv>/bin/python engine_main.py --mode edit --post-id N --text "..."
    <venv>/bin/python engine_main.py --mode reply --thread-id N --author alice --text "..."

PunkwebBB (a plain Django app) keeps a thread's opening post in the thread itself
(``Thread.content``) and the replies as ``Post`` rows, 10 replies a page: page 1
shows the opener and replies 1-10, page N replies 10(N-1)+1 to 10N
(``/thread/<uuid>/?page=N``). Its ids are UUIDs; the command line carries them as
integers (``UUID.int``), the same for threads and posts.

``seed`` migrates a fresh SQLite file (FC_ENGINE_DB), makes the site's superuser
(the install step of a Django site), has each corpus author sign up through the
forum's own sign-up form, creates one category and a sub-forum per corpus board
through Django's admin forms (PunkwebBB's own category form derives the slug from
the name, empty for a Chinese name, and its index page then fails to link it),
posts every thread (its "create thread" form) and reply (the thread's reply form)
as its author, quotes as its BBCode editor writes them (``[quote=name]...[/quote]``),
then backdates threads and posts to the corpus dates and writes the ground truth
as JSON read back from the engine's tables (paths relative to the site root).
"""
from __future__ import annotations

import math
import os
import sys
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "common")]  # fc_punkweb_settings; corpus, wsgi_serve, html_forms
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fc_punkweb_settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

import corpus  # noqa: E402
import engine_cli  # noqa: E402
import html_forms  # noqa: E402

User = get_user_model()
PER_PAGE = 10  # punkweb_bb.pagination.paginate's page size for a thread's replies


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _post(client: Client, url: str, data: dict) -> str:
    """Submit a form; PunkwebBB (and Django's admin) answer a successful post with a redirect."""
    response = client.post(url, data)
    if response.status_code != 302:
        raise RuntimeError(f"PunkwebBB refused a post at {url}: {response.status_code} {response.content[-1500:]!r}")
    return response["Location"]


def _admin_add(admin, model: str, values: dict[str, str]) -> None:
    """Add an object through Django's admin 'add' form, as the superuser."""
    client = _client(admin)
    url = f"/admin/punkweb_bb/{model}/add/"
    page = client.get(url)
    _post(client, url, html_forms.form_data(page.content.decode("utf-8"), "name", values))


def _create_users() -> dict[str, object]:
    """Each corpus author signs up through the forum's sign-up form."""
    for name in corpus.USERS:
        password = f"Pw-{name}-forumcrawl-2024"
        _post(_client(), reverse("punkweb_bb:signup"), {"username": name, "password1": password,
                                                          "password2": password})
    return {u.username: u for u in User.objects.filter(username__in=corpus.USERS)}


def _create_boards(admin) -> dict[str, str]:
    """One category holding a sub-forum per corpus board; board key -> sub-forum slug."""
    from punkweb_bb.models import Category

    _admin_add(admin, "category", {"name": "Forums", "slug": "forums", "order": "1"})
    category = Category.objects.get(slug="forums")
    for order, board in enumerate(corpus.BOARDS, 1):
        _admin_add(admin, "subcategory", {"category": str(category.pk), "name": board["name"], "slug": board["key"],
                                          "description": board["description"], "order": str(order)})
    return {board["key"]: board["key"] for board in corpus.BOARDS}


def _markup(thread: corpus.SeedThread, post: corpus.SeedPost) -> tuple[str, list[str]]:
    """BBCode for a corpus post (a quote as the editor's quote button writes it), and what it quotes."""
    if post.quote_of is None:
        return post.body, []
    quoted = thread.posts[post.quote_of]
    excerpt = quoted.body.split("\n\n")[0]
    return f"[quote={quoted.author}]{excerpt}[/quote]\n{post.body}", [excerpt]


def _seed_thread(users: dict, slug: str, thread: corpus.SeedThread) -> dict:
    from punkweb_bb.models import Post, Thread

    first = thread.posts[0]
    body, quotes = _markup(thread, first)
    _post(_client(users[first.author]), reverse("punkweb_bb:thread_create", args=[slug]),
          {"title": thread.title, "content": body})
    topic = Thread.objects.filter(user=users[first.author]).latest("created_at")
    post_quotes = [quotes]
    for post in thread.posts[1:]:
        body, quotes = _markup(thread, post)
        _post(_client(users[post.author]), reverse("punkweb_bb:post_create", args=[topic.pk]), {"content": body})
        post_quotes.append(quotes)

    replies = list(Post.objects.filter(thread=topic).order_by("created_at"))
    if len(replies) != len(thread.posts) - 1:
        raise RuntimeError(f"thread {topic.pk}: {len(replies)} replies stored, {len(thread.posts) - 1} sent")
    with transaction.atomic():
        for reply, post in zip(replies, thread.posts[1:]):
            Post.objects.filter(pk=reply.pk).update(created_at=post.published, updated_at=post.published)
        Thread.objects.filter(pk=topic.pk).update(created_at=first.published, updated_at=first.published,
                                                  last_post_created_at=thread.posts[-1].published)
    return _truth_thread(topic.pk, [seed.body for seed in thread.posts], post_quotes)


def _truth_thread(thread_id, texts: list[str], post_quotes: list[list[str]]) -> dict:
    """What a reader of the thread's pages must find, page by page, read back from the engine."""
    from punkweb_bb.models import Thread

    topic = Thread.objects.select_related("user", "subcategory").get(pk=thread_id)
    replies = list(topic.posts.order_by("created_at").select_related("user"))
    base = topic.get_absolute_url()
    pages = []
    for n in range(1, max(1, math.ceil(len(replies) / PER_PAGE)) + 1):
        shown = list(range(1 + (n - 1) * PER_PAGE, 1 + min(n * PER_PAGE, len(replies))))
        pages.append({"url": base if n == 1 else f"{base}?page={n}", "posts": ([0] if n == 1 else []) + shown})
    posts = [{"author": topic.user.username, "text": texts[0], "quotes": post_quotes[0],
              "published": topic.created_at.isoformat(), "post_id": str(topic.pk.int), "url": base}]
    posts += [{"author": r.user.username, "text": text, "quotes": quotes, "published": r.created_at.isoformat(),
               "post_id": str(r.pk.int), "url": r.get_absolute_url()}
              for r, text, quotes in zip(replies, texts[1:], post_quotes[1:])]
    return {"thread_id": str(topic.pk.int), "url": base, "title": topic.title, "board": topic.subcategory.name,
            "pages": pages, "posts": posts}


def seed() -> dict:
    admin = User.objects.create_superuser("admin", "admin@example.invalid", "admin-forumcrawl-2024")
    users = _create_users()
    slugs = _create_boards(admin)
    threads = [_seed_thread(users, slugs[t.board], t) for t in corpus.threads()]
    from importlib.metadata import version

    return {"engine": "punkweb", "version": version("punkweb_bb"), "threads": threads}


def edit_post(post_id: int, text: str) -> dict:
    """Edit a reply (its edit form) or a thread's opener (the thread's edit form), as its author."""
    from punkweb_bb.models import Post, Thread

    pk = uuid.UUID(int=post_id)
    reply = Post.objects.select_related("user").filter(pk=pk).first()
    if reply is not None:
        _post(_client(reply.user), reverse("punkweb_bb:post_update", args=[pk]), {"content": text})
        reply.refresh_from_db()
        return {"post_id": str(post_id), "author": reply.user.username, "text": text,
                "published": reply.created_at.isoformat(), "url": reply.get_absolute_url()}
    topic = Thread.objects.select_related("user").get(pk=pk)
    _post(_client(topic.user), reverse("punkweb_bb:thread_update", args=[pk]), {"title": topic.title, "content": text})
    return {"post_id": str(post_id), "author": topic.user.username, "text": text,
            "published": topic.created_at.isoformat(), "url": topic.get_absolute_url()}


def add_reply(thread_id: int, author: str, text: str) -> dict:
    """Reply to a thread through its reply form."""
    from punkweb_bb.models import Post

    pk = uuid.UUID(int=thread_id)
    _post(_client(User.objects.get(username=author)), reverse("punkweb_bb:post_create", args=[pk]),
          {"content": text})
    reply = Post.objects.filter(thread_id=pk).select_related("user").latest("created_at")
    return {"post_id": str(reply.pk.int), "author": reply.user.username, "text": text,
            "published": reply.created_at.isoformat(), "url": reply.get_absolute_url()}


if __name__ == "__main__":
    engine_cli.run(__doc__, seed, edit_post, add_reply)
