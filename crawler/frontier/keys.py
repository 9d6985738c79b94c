"""Settings of the shared frontier: where Redis is, the key prefix, switching a crawl to it."""
from __future__ import annotations

import os

from scrapy.settings import BaseSettings

DEFAULT_KEY = "forumcrawl:frontier:%(spider)s"


def redis_url_from(settings: BaseSettings | None = None) -> str | None:
    """The Redis URL from the ``REDIS_URL`` setting, else the environment."""
    url = settings.get("REDIS_URL") if settings is not None else None
    return url or os.environ.get("REDIS_URL") or None


def apply_redis_settings(settings: BaseSettings, priority: str = "spider") -> bool:
    """Switch a crawl to the shared frontier when ``REDIS_URL`` is set.

    Call from ``Spider.update_settings``; returns False (changing nothing)
    without a Redis URL, so the embedded default stays untouched. Explicit
    ``-s`` overrides keep precedence over these spider-priority values.
    """
    url = redis_url_from(settings)
    if not url:
        return False
    settings.set("REDIS_URL", url, priority=priority)
    settings.set("SCHEDULER", "crawler.frontier.FrontierScheduler", priority=priority)
    settings.set("DUPEFILTER_CLASS", "crawler.frontier.CompactDupeFilter", priority=priority)
    settings.set("SCHEDULER_QUEUE_CLASS", "crawler.frontier.ReliableQueue", priority=priority)
    settings.set("SCHEDULER_PERSIST", True, priority=priority)
    # scrapy-redis waits 30 s on a dead socket, freezing the reactor; fail fast and retry instead
    params = {"socket_connect_timeout": 5, "socket_timeout": 15, "retry_on_timeout": True}
    params.update(settings.getdict("REDIS_PARAMS"))
    settings.set("REDIS_PARAMS", params, priority=priority)
    return True


def frontier_key(settings: BaseSettings, spider_name: str) -> str:
    """Redis key prefix of one shared crawl (``FRONTIER_KEY``, default per spider)."""
    return (settings.get("FRONTIER_KEY") or DEFAULT_KEY) % {"spider": spider_name}
