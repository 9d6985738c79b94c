"""Create, seed and serve a django-machina forum for forumcrawl's tests.

Runs inside machina's own virtualenv, never the project's::

    <venv>/bin/python engine_main.py --mode seed --truth-out truth.json
    <venv>/bin/python engine_main.py --mode serve [--port 0]
    <venv>/bin/python engine_main.py --mode edit --post-id 7 --text "..."
    <venv>/bin/python engine_main.py --mode reply --thread-id 3 --author alice --text "..."

``seed`` migrates a fresh SQLite file (FC_ENGINE_DB), creates users and forums,
lets anonymous visitors read (machina grants nothing by default), and posts
every topic and reply of ``corpus.py`` through machina's own HTML forms: an
in-process Django test client, logged in as the author, GETs the form and
POSTs it back with every field the engine rendered (hidden fields, formset
management forms) plus subject and message. Machina has no quote button, so a
quote is written as its users do, a Markdown block quote. Then the posts are
backdated to the corpus dates and the ground truth written as JSON (paths
relative to the site root). ``serve`` serves the WSGI app on 127.0.0.1;
``edit`` and ``reply`` change the forum through the same forms.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "common")]  # fc_machina_settings; corpus, wsgi_serve, html_forms
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fc_machina_settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

import corpus  # noqa: E402
import html_forms  # noqa: E402
import engine_cli  # noqa: E402

User = get_user_model()


def _create_users() -> dict[str, object]:
    return {name: User.objects.create_user(name, f"{name}@example.invalid", "password-" + name)
            for name in corpus.USERS}


def _create_forums() -> dict[str, object]:
    from machina.apps.forum.models import Forum
    from machina.apps.forum_permission.models import ForumPermission, UserForumPermission

    for codename in ("can_see_forum", "can_read_forum"):
        UserForumPermission.objects.create(permission=ForumPermission.objects.get(codename=codename),
                                           anonymous_user=True, has_perm=True, forum=None)
    return {board["key"]: Forum.objects.create(name=board["name"], description=board["description"],
                                               type=Forum.FORUM_POST)
            for board in corpus.BOARDS}


def _markup(thread: corpus.SeedThread, post: corpus.SeedPost) -> tuple[str, list[str]]:
    """Machina Markdown for a corpus post, and the texts it quotes."""
    if post.quote_of is None:
        return post.body, []
    quoted = thread.posts[post.quote_of]
    excerpt = quoted.body.split("\n\n")[0]
    return f"> **{quoted.author} wrote:**\n>\n> {excerpt}\n\n{post.body}", [excerpt]


def _submit(user, url: str, values: dict[str, str]) -> str:
    """GET the form at ``url`` as ``user`` and POST it back filled in; return the redirect target."""
    client = Client()
    client.force_login(user)
    page = client.get(url)
    if page.status_code != 200:
        raise RuntimeError(f"machina form {url}: {page.status_code}")
    data = html_forms.form_data(page.content.decode("utf-8"), "content", values)
    response = client.post(url, data)
    if response.status_code != 302:
        raise RuntimeError(f"machina refused a post at {url}: {response.status_code} {response.content[-1500:]!r}")
    return response["Location"]


def _topic_urls(topic) -> dict[str, str]:
    kw = {"forum_slug": topic.forum.slug, "forum_pk": topic.forum.pk, "topic_slug": topic.slug, "topic_pk": topic.pk}
    return {"reply": reverse("forum_conversation:post_create", kwargs=kw),
            "view": reverse("forum_conversation:topic", kwargs={"forum_slug": topic.forum.slug,
                                                                 "forum_pk": topic.forum.pk,
                                                                 "slug": topic.slug, "pk": topic.pk})}


def _seed_thread(users: dict, forum, thread: corpus.SeedThread) -> dict:
    from machina.apps.forum_conversation.models import Post, Topic

    first = thread.posts[0]
    body, quotes = _markup(thread, first)
    _submit(users[first.author],
            reverse("forum_conversation:topic_create", kwargs={"forum_slug": forum.slug, "forum_pk": forum.pk}),
            {"subject": thread.title, "content": body})
    topic = Topic.objects.filter(forum=forum, poster=users[first.author]).latest("pk")
    post_quotes = [quotes]
    for post in thread.posts[1:]:
        body, quotes = _markup(thread, post)
        _submit(users[post.author], _topic_urls(topic)["reply"], {"content": body})
        post_quotes.append(quotes)

    db_posts = list(Post.objects.filter(topic=topic).order_by("pk"))
    if len(db_posts) != len(thread.posts):
        raise RuntimeError(f"topic {topic.pk}: {len(db_posts)} posts stored, {len(thread.posts)} sent")
    with transaction.atomic():
        for db_post, post in zip(db_posts, thread.posts):
            Post.objects.filter(pk=db_post.pk).update(created=post.published, updated=post.published)
        Topic.objects.filter(pk=topic.pk).update(created=thread.posts[0].published,
                                                 updated=thread.posts[-1].published)
        topic.refresh_from_db()
        topic.update_trackers()
    return _truth_thread(topic, thread, post_quotes)


def _shown_posts(topic):
    """The posts the topic view lists, in its order (see machina's TopicView.get_queryset)."""
    return list(topic.posts.all().exclude(approved=False).select_related("poster"))


def _truth_thread(topic, thread: corpus.SeedThread, post_quotes: list[list[str]]) -> dict:
    """What a reader of the topic's pages must find, page by page, read back from the engine."""
    from django.core.paginator import Paginator
    from machina.apps.forum_conversation.models import Post
    from machina.conf import settings as machina_settings

    shown = _shown_posts(topic)
    index_of = {p.pk: i for i, p in enumerate(shown)}
    by_pk = {p.pk: (seed, q) for p, seed, q in zip(Post.objects.filter(topic=topic).order_by("pk"),
                                                    thread.posts, post_quotes)}
    paginator = Paginator(shown, machina_settings.TOPIC_POSTS_NUMBER_PER_PAGE)
    base = _topic_urls(topic)["view"]
    pages = [{"url": base if n == 1 else f"{base}?page={n}",
              "posts": [index_of[p.pk] for p in paginator.page(n).object_list]}
             for n in paginator.page_range]
    return {
        "thread_id": str(topic.pk),
        "url": base,
        "title": topic.subject,
        "board": topic.forum.name,
        "pages": pages,
        "posts": [_post_json(p, by_pk[p.pk][0].body, by_pk[p.pk][1]) for p in shown],
    }


def _post_json(post, text: str, quotes: list[str] | None = None) -> dict:
    return {"author": post.poster.username, "text": text, "quotes": quotes or [],
            "published": post.created.isoformat(), "post_id": str(post.pk),
            "url": f"{_topic_urls(post.topic)['view']}?post={post.pk}#{post.pk}"}


def seed() -> dict:
    users = _create_users()
    forums = _create_forums()
    threads = [_seed_thread(users, forums[t.board], t) for t in corpus.threads()]
    from importlib.metadata import version

    return {"engine": "machina", "version": version("django-machina"), "threads": threads}


def edit_post(post_id: int, text: str) -> dict:
    """Edit a post through machina's update form, as its author."""
    from machina.apps.forum_conversation.models import Post

    post = Post.objects.select_related("topic", "topic__forum", "poster").get(pk=post_id)
    topic = post.topic
    if post.is_topic_head:
        url = reverse("forum_conversation:topic_update", kwargs={
            "forum_slug": topic.forum.slug, "forum_pk": topic.forum.pk, "slug": topic.slug, "pk": topic.pk})
    else:
        url = reverse("forum_conversation:post_update", kwargs={
            "forum_slug": topic.forum.slug, "forum_pk": topic.forum.pk, "topic_slug": topic.slug,
            "topic_pk": topic.pk, "pk": post.pk})
    _submit(post.poster, url, {"content": text})
    post.refresh_from_db()
    return _post_json(post, text)


def add_reply(thread_id: int, author: str, text: str) -> dict:
    """Reply to a topic through machina's reply form."""
    from machina.apps.forum_conversation.models import Post, Topic

    topic = Topic.objects.select_related("forum").get(pk=thread_id)
    _submit(User.objects.get(username=author), _topic_urls(topic)["reply"], {"content": text})
    return _post_json(Post.objects.filter(topic=topic).select_related("poster", "topic").latest("pk"), text)


if __name__ == "__main__":
    engine_cli.run(__doc__, seed, edit_post, add_reply)
