"""The default NLP handler: language, tokens and keywords for English and Chinese
posts, stored once per post; and the stream entries the pipeline publishes."""
from __future__ import annotations

import uuid

import pytest
import redis
import sqlalchemy as sa

from crawler.nlp.handler import KeywordModel, annotate, annotate_in_process
from crawler.nlp.stream import FIELDS, committed_posts, publish_posts
from crawler.nlp.text import detect_language, tokens
from nlp_support import EN_TEXTS, ZH_TEXTS, forum
from storage import Store, post_key
from storage.models import PostAnnotation


def test_language_detection_by_script_and_stopwords():
    assert detect_language(EN_TEXTS[0]) == "en"
    assert detect_language(ZH_TEXTS[0]) == "zh"
    assert detect_language("Das ist nicht gut, ich bin sehr müde und der Zug ist spät.") == "de"
    assert detect_language("今日はいい天気ですね、散歩に行きましょう") == "ja"
    assert detect_language("") == "und"
    assert detect_language("Windows 10 升级以后蓝屏了怎么办") == "zh"


def test_tokens_mix_words_and_chinese_words_without_stopwords():
    toks = tokens("The router 路由器坏了 is broken")
    assert "router" in toks and "broken" in toks and "the" not in toks and "is" not in toks
    assert "路由器" in toks and "由器" not in toks
    assert not any("了" in t for t in toks)


def test_chinese_keywords_are_words_not_character_pairs():
    text = ("如果预算够的话，我建议买第二款路由器。3楼说得对，这款路由器的固件更新很及时，信号覆盖也不错。"
            "第 5 楼 的方案太贵了。")
    toks = tokens(text, "zh")
    for straddling in ("果预", "算够", "款路", "由器", "号覆", "买第"):
        assert straddling not in toks
    for single_or_count in ("第", "楼", "够", "第二款", "说得对"):
        assert single_or_count not in toks
    assert {"预算", "路由器", "固件", "信号", "覆盖", "方案"} <= set(toks)
    model = KeywordModel()
    model.prime([tokens(t) for t in ZH_TEXTS[1:]])  # background: other topics
    keywords = annotate([{"post_key": "k", "text": text}], model)[0]["keywords"]
    assert keywords[0] == "路由器"
    assert {"预算", "固件"} <= set(keywords)
    assert all(len(k) >= 2 for k in keywords)


def test_keywords_are_sensible_for_english_and_chinese():
    model = KeywordModel()
    model.prime([tokens(t) for t in EN_TEXTS[1:] + ZH_TEXTS[1:]])  # background: other topics
    rows = annotate([{"post_key": "en", "text": EN_TEXTS[0]}, {"post_key": "zh", "text": ZH_TEXTS[0]}], model)
    en, zh = rows
    assert en["language"] == "en" and zh["language"] == "zh"
    assert {"firmware", "router", "wifi"} & set(en["keywords"][:4])
    assert "路由器" in zh["keywords"][:3] and "固件" in zh["keywords"]
    assert not {"the", "after", "every"} & set(en["keywords"])
    assert en["tokens"] >= 15 and zh["tokens"] >= 40
    assert all(k == r["post_key"] for k, r in zip(("en", "zh"), rows))


def test_in_process_annotations_are_stored_once_per_post(database_url):
    with Store(database_url) as store:
        threads, posts = forum(6)
        result = store.write_batch(threads, posts)
        committed = committed_posts(posts, result)
        assert len(committed) == 6
        assert annotate_in_process(store, committed) == 6
        assert annotate_in_process(store, committed[:3]) == 3  # again: upsert, not duplicate
        with store.engine.connect() as conn:
            rows = conn.execute(sa.select(PostAnnotation.post_key, PostAnnotation.language)).all()
        assert sorted(k for k, _ in rows) == sorted(post_key(p) for p in posts)
        langs = {k: lang for k, lang in rows}
        assert langs[post_key(posts[0])] == "en" and langs[post_key(posts[1])] == "zh"
        assert store.annotations(post_key(posts[1]))[0]["keywords"]
        again = store.write_batch(threads, posts)
        assert committed_posts(posts, again) == []  # unchanged posts are not re-published


@pytest.mark.redis
def test_publish_posts_writes_the_documented_fields_with_trimming(redis_url):
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    stream = f"fctest:{uuid.uuid4().hex[:10]}:posts"
    try:
        _, posts = forum(30)
        ids = publish_posts(client, posts[:10], stream=stream)
        assert len(ids) == 10
        first = client.xrange(stream, count=1)[0][1]
        assert set(first) == set(FIELDS)
        assert first["post_key"] == post_key(posts[0]) and first["language"] == "en"
        assert first["position"] == "1" and first["thread_title"] == "Thread 1"
        publish_posts(client, posts, stream=stream, maxlen=5)
        assert 5 <= client.xlen(stream) < 40  # approximate MAXLEN trims whole nodes
    finally:
        client.delete(stream)


@pytest.mark.redis
def test_nlp_publish_backfills_stored_posts(redis_url, sqlite_url, capsys):
    from crawler.cli import main

    client = redis.Redis.from_url(redis_url, decode_responses=True)
    stream = f"fctest:{uuid.uuid4().hex[:10]}:posts"
    try:
        with Store(sqlite_url) as store:
            threads, posts = forum(12)
            store.write_batch(threads, posts)
        assert main(["nlp-publish", "--database", sqlite_url, "--redis", redis_url, "--stream", stream]) == 0
        assert "published 12 posts" in capsys.readouterr().out
        entries = client.xrange(stream)
        assert sorted(e[1]["post_key"] for e in entries) == sorted(post_key(p) for p in posts)
        assert {e[1]["language"] for e in entries} == {"en", "zh"}
    finally:
        client.delete(stream)


@pytest.mark.redis
def test_post_publisher_sends_committed_posts_or_annotates_in_process(redis_url, sqlite_url, monkeypatch):
    from scrapy.settings import Settings

    from crawler.nlp.stream import PostPublisher

    monkeypatch.delenv("REDIS_URL", raising=False)
    assert PostPublisher.from_settings(Settings({})) is None  # no Redis, no in-process: nothing to do
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    stream = f"fctest:{uuid.uuid4().hex[:10]}:posts"
    try:
        publisher = PostPublisher.from_settings(Settings({"REDIS_URL": redis_url, "FORUMCRAWL_NLP_STREAM_KEY": stream}))
        local = PostPublisher.from_settings(Settings({"FORUMCRAWL_NLP_IN_PROCESS": True}))
        with Store(sqlite_url) as store:
            threads, posts = forum(5)
            assert publisher.publish(posts, store.write_batch(threads, posts)) == 5
            posts[2] = dict(posts[2], text="edited " + posts[2]["text"])
            assert publisher.publish(posts, store.write_batch(threads, posts)) == 1  # only the edit
            assert [e[1]["post_key"] for e in client.xrange(stream)][-1] == post_key(posts[2])
            assert local.client is None
            posts[3] = dict(posts[3], text="edited too")
            assert local.publish(posts, store.write_batch(threads, posts), store) == 1
            assert store.annotations(post_key(posts[3]))[0]["handler"] == "default"
        broken = PostPublisher.from_settings(Settings({"REDIS_URL": "redis://127.0.0.1:1/0"}))
        with Store(sqlite_url) as store:
            posts[4] = dict(posts[4], text="edited again")
            assert broken.publish(posts, store.write_batch(threads, posts)) == 0  # logged, not raised
            assert broken.failed == 1
    finally:
        client.delete(stream)
