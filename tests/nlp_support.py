"""Posts and handlers for the NLP tests (handlers are loaded by worker subprocesses
as ``nlp_support:<name>`` with tests/ on PYTHONPATH)."""
from __future__ import annotations

import json
import os
import time

SITE = "http://forum.test"

EN_TEXTS = [
    "The new router firmware broke my wifi. After the update the wireless connection drops every hour.",
    "Replacing the laptop battery fixed the shutdowns. The old battery was swollen and the charger got hot.",
    "Is the mechanical keyboard worth it? My keyboard switches feel great for typing but the keycaps wear fast.",
    "Our garden tomatoes got blight this summer. Copper spray slowed the blight but the tomatoes still died.",
]
ZH_TEXTS = [
    "昨天升级了路由器固件以后，家里的无线网络经常断线。重启路由器可以暂时解决，路由器固件真的很差。",
    "这款手机的电池续航太差了，充满电只能用半天。换了新电池以后续航好了很多，建议去官方售后换电池。",
    "周末去爬山，山顶的风景非常漂亮，但是下山的时候膝盖很疼，登山杖真的很有用。",
    "最近在学做面包，发酵的时间总是掌握不好，面包烤出来很硬，有没有人分享一下发酵的经验？",
]


def forum(n_posts: int) -> tuple[list[dict], list[dict]]:
    """One thread per 5 posts, texts cycling through English and Chinese."""
    texts = [t for pair in zip(EN_TEXTS, ZH_TEXTS) for t in pair]
    threads, posts = [], []
    for i in range(n_posts):
        t = i // 5 + 1
        url = f"{SITE}/thread/{t}"
        if i % 5 == 0:
            threads.append({"site": SITE, "thread_url": url, "page_url": url, "page_number": 1,
                            "title": f"Thread {t}"})
        posts.append({"site": SITE, "thread_url": url, "thread_title": f"Thread {t}", "page_url": url,
                      "page_number": 1, "position": i % 5 + 1, "author": f"user{i % 7}",
                      "published": "2024-05-01T10:00:00+08:00", "text": f"{texts[i % len(texts)]} #{i}",
                      "html": None})
    return threads, posts


def _log(entries: list[dict]) -> None:
    path = os.environ.get("NLP_TEST_LOG")
    if path:
        with open(path, "a") as fh:
            fh.write(json.dumps([e["post_key"] for e in entries]) + "\n")
            fh.flush()
            os.fsync(fh.fileno())


def recording_handler(entries: list[dict]) -> None:
    """The default handler, logging each batch; with NLP_TEST_HANG_BATCH=n it saves
    the n-th batch, writes NLP_TEST_HUNG and hangs before it can be acknowledged."""
    from crawler.nlp.handler import handle

    handle(entries)
    _log(entries)
    recording_handler.calls = getattr(recording_handler, "calls", 0) + 1
    if str(recording_handler.calls) == os.environ.get("NLP_TEST_HANG_BATCH"):
        partial = os.environ["NLP_TEST_HUNG"] + ".part"
        with open(partial, "w") as fh:
            json.dump([e["post_key"] for e in entries], fh)
        os.replace(partial, os.environ["NLP_TEST_HUNG"])  # appears complete or not at all
        time.sleep(600)


def slow_recorder(entries: list[dict]) -> None:
    """Only logs (no database), a little slowly, so a test can act mid-stream."""
    time.sleep(float(os.environ.get("NLP_TEST_SLEEP", "0.2")))
    _log(entries)
