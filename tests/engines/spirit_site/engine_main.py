"""Create, seed and serve a Spirit forum for forumcrawl's tests.

Runs inside Spirit's own virtualenv, never the project's::

    <venv>/bin/python engine_main.py --mode seed --truth-out truth.json
    <venv>/bin/python engine_main.py --mode serve [--port 0]
    <venv>/bin/python engine_main.py --mode edit --post-id 7 --text "..."
    <venv>/bin/python engine_main.py --mode reply --thread-id 3 --author alice --text "..."

``seed`` migrates a fresh SQLite file (FC_ENGINE_DB), creates users and
categories, and posts every topic and comment of ``corpus.py`` through
Spirit's own HTML forms (an in-process Django test client posting to the
publish views a browser uses; quotes made with Spirit's own ``quotify``), then
backdates the comments to the corpus dates and writes the ground truth as JSON
(paths relative to the site root). ``serve`` serves the WSGI app on 127.0.0.1;
``edit`` and ``reply`` change the forum through the same forms.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "common")]  # fc_spirit_settings; corpus, wsgi_serve
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fc_spirit_settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402

import corpus  # noqa: E402
import engine_cli  # noqa: E402

User = get_user_model()


def _create_users() -> dict[str, object]:
    users = {}
    for name in corpus.USERS:
        user = User.objects.create_user(name, f"{name}@example.invalid", "password-" + name)
        user.st.is_verified = True
        user.st.save()
        users[name] = user
    return users


def _create_categories() -> dict[str, int]:
    from spirit.category.models import Category

    return {
        board["key"]: Category.objects.create(title=board["name"], description=board["description"]).pk
        for board in corpus.BOARDS
    }


def _markup(thread: corpus.SeedThread, post: corpus.SeedPost) -> tuple[str, list[str]]:
    """Spirit Markdown for a corpus post (a quote as Spirit's quote button writes it), and what it quotes."""
    from spirit.core.utils.markdown import quotify

    if post.quote_of is None:
        return post.body, []
    quoted = thread.posts[post.quote_of]
    excerpt = quoted.body.split("\n\n")[0]
    return quotify(excerpt, quoted.author) + post.body, [excerpt]


def _form_post(user, url: str, data: dict) -> str:
    """Submit a form as ``user``; Spirit answers a successful post with a redirect."""
    client = Client()
    client.force_login(user)
    response = client.post(url, data)
    if response.status_code != 302:
        raise RuntimeError(f"Spirit refused a post at {url}: {response.status_code} {response.content[-800:]!r}")
    return response["Location"]


def _seed_thread(users: dict, category_id: int, thread: corpus.SeedThread) -> dict:
    from django.urls import reverse
    from spirit.comment.models import Comment
    from spirit.topic.models import Topic

    first = thread.posts[0]
    body, quotes = _markup(thread, first)
    _form_post(users[first.author], reverse("spirit:topic:publish"),
               {"title": thread.title, "category": category_id, "comment": body})
    topic = Topic.objects.filter(user=users[first.author]).latest("pk")
    post_quotes = [quotes]
    for post in thread.posts[1:]:
        body, quotes = _markup(thread, post)
        _form_post(users[post.author], reverse("spirit:comment:publish", kwargs={"topic_id": topic.pk}),
                   {"comment": body})
        post_quotes.append(quotes)

    comments = list(Comment.objects.filter(topic=topic).order_by("pk"))
    if len(comments) != len(thread.posts):
        raise RuntimeError(f"topic {topic.pk}: {len(comments)} comments stored, {len(thread.posts)} sent")
    with transaction.atomic():
        for comment, post in zip(comments, thread.posts):
            Comment.objects.filter(pk=comment.pk).update(date=post.published)
        Topic.objects.filter(pk=topic.pk).update(date=thread.posts[0].published,
                                                 last_active=thread.posts[-1].published)
    topic.refresh_from_db()
    return _truth_thread(topic, thread, post_quotes)


def _truth_thread(topic, thread: corpus.SeedThread, post_quotes: list[list[str]]) -> dict:
    """What a reader of the topic's pages must find, page by page, read back from the engine."""
    from django.core.paginator import Paginator
    from djconfig import config, reload_maybe
    from spirit.comment.models import Comment

    reload_maybe()
    comments = list(Comment.objects.for_topic(topic=topic).order_by("date").select_related("user"))
    index_of = {c.pk: i for i, c in enumerate(comments)}
    by_pk = {c.pk: (seed, q) for c, seed, q in zip(Comment.objects.filter(topic=topic).order_by("pk"),
                                                     thread.posts, post_quotes)}
    paginator = Paginator(comments, config.comments_per_page)
    base = topic.get_absolute_url()
    pages = [
        {"url": base if n == 1 else f"{base}?page={n}",
         "posts": [index_of[c.pk] for c in paginator.page(n).object_list]}
        for n in paginator.page_range
    ]
    return {
        "thread_id": str(topic.pk),
        "url": base,
        "title": topic.title,
        "board": topic.category.title,
        "pages": pages,
        "posts": [
            {"author": c.user.st.nickname, "text": by_pk[c.pk][0].body, "quotes": by_pk[c.pk][1],
             "published": c.date.isoformat(), "post_id": str(c.pk), "url": c.get_absolute_url()}
            for c in comments
        ],
    }


def seed() -> dict:
    users = _create_users()
    categories = _create_categories()
    threads = [_seed_thread(users, categories[t.board], t) for t in corpus.threads()]
    import spirit

    return {"engine": "spirit", "version": spirit.__version__, "threads": threads}


def _post_json(comment, text: str) -> dict:
    return {"post_id": str(comment.pk), "author": comment.user.st.nickname, "text": text,
            "published": comment.date.isoformat(), "url": comment.get_absolute_url()}


def edit_post(post_id: int, text: str) -> dict:
    """Edit a comment through Spirit's update form, as its author."""
    from django.urls import reverse
    from spirit.comment.models import Comment

    comment = Comment.objects.select_related("user").get(pk=post_id)
    _form_post(comment.user, reverse("spirit:comment:update", kwargs={"pk": comment.pk}), {"comment": text})
    comment.refresh_from_db()
    return _post_json(comment, text)


def add_reply(thread_id: int, author: str, text: str) -> dict:
    """Reply to a topic through Spirit's comment form."""
    from django.urls import reverse
    from spirit.comment.models import Comment

    user = User.objects.get(username=author)
    _form_post(user, reverse("spirit:comment:publish", kwargs={"topic_id": thread_id}), {"comment": text})
    return _post_json(Comment.objects.filter(topic_id=thread_id).select_related("user").latest("pk"), text)


if __name__ == "__main__":
    engine_cli.run(__doc__, seed, edit_post, add_reply)
