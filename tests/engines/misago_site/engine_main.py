"""Create, seed and serve a Misago forum for forumcrawl's tests.

Runs inside Misago's own virtualenv, never the project's::

    <venv>/bin/python engine_main.py --mode seed --truth-out truth.json
    <venv>/bin/python engine_main.py --mode serve [--port 0]
    <venv>/bin/python engine_main.py --mode edit --post-id 7 --text "..."
    <venv>/bin/python engine_main.py --mode reply --thread-id 3 --author alice --text "..."

Steps: migrate a fresh (empty) PostgreSQL database named by FC_ENGINE_DB,
create users and categories, post every thread and reply of ``corpus.py``
through Misago's own posting API (an in-process Django test client: the same
views, serializers, markup parser and flood checks a browser's post goes
through), backdate the posts to the corpus dates, and write the ground truth
as JSON (paths relative to the site root). ``serve`` serves the WSGI app on
127.0.0.1; ``edit`` and ``reply`` change the forum through the same API, for
re-crawl tests.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "common")]  # fc_misago_settings; corpus, wsgi_serve
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fc_misago_settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402

import corpus  # noqa: E402
import engine_cli  # noqa: E402

User = get_user_model()
BLANK_AVATARS = [{"size": s, "url": "/static/misago/img/blank-avatar.png"} for s in (400, 200, 100)]


def _configure_forum() -> None:
    from misago.conf.models import Setting

    Setting.objects.change_setting("forum_name", "Forumcrawl Test Forum")
    # The seeder posts quickly; production rate limits would refuse it.
    Setting.objects.change_setting("hourly_post_limit", 0)
    Setting.objects.change_setting("daily_post_limit", 0)


def _create_users() -> dict[str, object]:
    return {
        name: User.objects.create_user(name, f"{name}@example.invalid", "password-" + name, avatars=BLANK_AVATARS)
        for name in corpus.USERS
    }


def _create_categories() -> dict[str, int]:
    """One category per corpus board, with the permissions of Misago's default category."""
    from misago.acl.cache import clear_acl_cache
    from misago.categories.models import Category, RoleCategoryACL

    first = Category.objects.get(slug="first-category")
    root = Category.objects.root_category()
    ids: dict[str, int] = {}
    for n, board in enumerate(corpus.BOARDS):
        if n == 0:
            category = first
            category.set_name(board["name"])
            category.description = board["description"]
            category.save()
        else:
            category = Category(name=board["name"], description=board["description"])
            category.set_name(board["name"])
            category.insert_at(root, position="last-child", save=True)
            for acl in RoleCategoryACL.objects.filter(category=first):
                RoleCategoryACL.objects.create(role=acl.role, category=category, category_role=acl.category_role)
        ids[board["key"]] = category.pk
    clear_acl_cache()
    return ids


def _markup(thread: corpus.SeedThread, post: corpus.SeedPost) -> tuple[str, list[str]]:
    """Misago markup for a corpus post, and the texts it quotes."""
    if post.quote_of is None:
        return post.body, []
    quoted = thread.posts[post.quote_of]
    excerpt = quoted.body.split("\n\n")[0]
    return f'[quote="@{quoted.author}"]\n{excerpt}\n[/quote]\n\n{post.body}', [excerpt]


def _api_post(client: Client, user, url: str, payload: dict) -> dict:
    return _api(client, user, "post", url, payload)


def _api(client: Client, user, method: str, url: str, payload: dict) -> dict:
    User.objects.filter(pk=user.pk).update(last_posted_on=None)  # flood protection: 3 s between posts
    client.force_login(user)
    response = getattr(client, method)(url, json.dumps(payload), content_type="application/json")
    if response.status_code != 200:
        raise RuntimeError(f"Misago refused a post at {url}: {response.status_code} {response.content[:500]!r}")
    return response.json()


def _seed_thread(client: Client, users: dict, category_id: int, thread: corpus.SeedThread) -> dict:
    from misago.threads.checksums import update_post_checksum
    from misago.threads.models import Post, Thread

    first = thread.posts[0]
    body, quotes = _markup(thread, first)
    created = _api_post(client, users[first.author], "/api/threads/",
                        {"category": category_id, "title": thread.title, "post": body})
    thread_id = created["id"]
    post_quotes = [quotes]
    for post in thread.posts[1:]:
        body, quotes = _markup(thread, post)
        _api_post(client, users[post.author], f"/api/threads/{thread_id}/posts/", {"post": body})
        post_quotes.append(quotes)

    db_posts = list(Post.objects.filter(thread_id=thread_id).order_by("id"))
    if len(db_posts) != len(thread.posts):
        raise RuntimeError(f"thread {thread_id}: {len(db_posts)} posts stored, {len(thread.posts)} sent")
    with transaction.atomic():
        for db_post, post in zip(db_posts, thread.posts):
            db_post.posted_on = db_post.updated_on = post.published
            update_post_checksum(db_post)  # Misago signs (id, posting date, html): re-sign the backdated post
            db_post.save(update_fields=["posted_on", "updated_on", "checksum"])
        db_thread = Thread.objects.get(pk=thread_id)
        db_thread.synchronize()
        db_thread.save()
    return _truth_thread(db_thread, thread, post_quotes)


def _truth_thread(db_thread, thread: corpus.SeedThread, post_quotes: list[list[str]]) -> dict:
    """What a reader of the thread's pages must find, page by page, read back from the engine."""
    from misago.conf.shortcuts import get_dynamic_settings
    from misago.threads.models import Post
    from misago.threads.paginator import PostsPaginator

    settings = get_dynamic_settings()
    db_posts = list(Post.objects.filter(thread=db_thread).select_related("poster").order_by("id"))
    index_of = {p.pk: i for i, p in enumerate(db_posts)}
    paginator = PostsPaginator(db_posts, settings.posts_per_page, settings.posts_per_page_orphans)
    pages = [
        {"url": db_thread.get_absolute_url(page=n),
         "posts": [index_of[p.pk] for p in paginator.page(n).object_list]}
        for n in paginator.page_range
    ]
    return {
        "thread_id": str(db_thread.pk),
        "url": db_thread.get_absolute_url(),
        "title": db_thread.title,
        "board": db_thread.category.name,
        "pages": pages,
        "posts": [
            {"author": p.poster.username, "text": seed.body, "quotes": quotes,
             "published": p.posted_on.isoformat(), "post_id": str(p.pk), "url": p.get_absolute_url()}
            for p, seed, quotes in zip(db_posts, thread.posts, post_quotes)
        ],
    }


def seed() -> dict:
    _configure_forum()
    users = _create_users()
    categories = _create_categories()
    client = Client()
    threads = [_seed_thread(client, users, categories[t.board], t) for t in corpus.threads()]
    from misago.categories.models import Category

    for category in Category.objects.all_categories():
        category.synchronize()
        category.save()
    from misago.cache.versions import invalidate_all_caches

    invalidate_all_caches()
    return {"engine": "misago", "version": django.apps.apps.get_app_config("misago").module.__version__,
            "threads": threads}


def edit_post(post_id: int, text: str) -> dict:
    """Edit a post through Misago's API, as its author."""
    from misago.threads.models import Post

    post = Post.objects.select_related("poster").get(pk=post_id)
    _api(Client(), post.poster, "put", f"/api/threads/{post.thread_id}/posts/{post.pk}/", {"post": text})
    post.refresh_from_db()
    return {"post_id": str(post.pk), "author": post.poster.username, "text": text,
            "published": post.posted_on.isoformat(), "url": post.get_absolute_url()}


def add_reply(thread_id: int, author: str, text: str) -> dict:
    """Reply to a thread through Misago's API."""
    from misago.threads.models import Post

    _api_post(Client(), User.objects.get_by_username(author), f"/api/threads/{thread_id}/posts/", {"post": text})
    post = Post.objects.filter(thread_id=thread_id).select_related("poster").latest("id")
    return {"post_id": str(post.pk), "author": post.poster.username, "text": text,
            "published": post.posted_on.isoformat(), "url": post.get_absolute_url()}


if __name__ == "__main__":
    engine_cli.run(__doc__, seed, edit_post, add_reply)
