"""The chain board: thread chains handed from worker to worker through Redis."""
from __future__ import annotations

from typing import Any

import redis
from scrapy_redis.connection import get_redis_from_settings

from crawler.frontier.keys import frontier_key
from crawler.frontier.seen import CompactDupeFilter

# Take the chain contexts left for some URLs (ARGV: url, request id, url, request id...),
# moving each into key:taken under the id of the request whose page reads on with it.
_TAKE = """
local out = {}
for i = 1, #ARGV, 2 do
  local v = redis.call('HGET', KEYS[1], ARGV[i])
  if v then
    redis.call('HDEL', KEYS[1], ARGV[i])
    if ARGV[i + 1] ~= '' then redis.call('HSET', KEYS[2], ARGV[i + 1], ARGV[i] .. '\\n' .. v) end
    out[#out + 1] = ARGV[i]
    out[#out + 1] = v
  end
end
return out
"""


class ChainBoard:
    """Thread chains across workers: who reads a thread's next page, and from which position.

    The generic spider reads a thread along ``next_page_url`` with a running post
    offset. With many workers, the page a chain needs next may already be queued,
    in flight or parked (fetched before its chain reached it) in another worker.
    The board makes that exactly-once:

    * :meth:`claim` is the shared seen-set's atomic test-and-set: the chain that
      claims a URL first fetches it itself (no other worker will);
    * otherwise the chain leaves its context (thread URL, page number, offset)
      under ``key:chain`` with :meth:`put`, and the worker that fetches or already
      holds the page takes it with :meth:`take` / :meth:`take_many` and goes on
      reading the thread from there.

    A context must not die with the worker that took it: the page's request is
    re-queued then, and whoever fetches it again needs the context to read on.
    So a take moves the context, atomically, into ``key:taken`` under the id of
    the page's request (:meth:`keep` records one the worker's own chain
    computed); it leaves there when the request is acknowledged
    (:meth:`ReliableQueue.ack`), and dead-worker reaping puts it back on the board.
    """

    def __init__(self, server: redis.Redis, dupefilter: CompactDupeFilter, key: str):
        self.server, self.df = server, dupefilter
        self.key = f"{key}:chain"
        self.taken_key = f"{key}:taken"
        self._take = server.register_script(_TAKE)

    @classmethod
    def from_spider(cls, spider) -> ChainBoard:
        settings = spider.settings
        return cls(get_redis_from_settings(settings), CompactDupeFilter.from_spider(spider),
                   frontier_key(settings, spider.name))

    def claim(self, url: str) -> bool:
        """True when no worker has seen ``url`` before (now it is this worker's)."""
        from scrapy import Request

        return not self.df.request_seen(Request(url))

    def put(self, url: str, context: dict[str, Any]) -> None:
        """Leave the thread context for whichever worker fetches (or holds) ``url``."""
        import json

        self.server.hset(self.key, url, json.dumps(context))

    def take(self, url: str, request_id: str = "") -> dict[str, Any] | None:
        """The context a chain left for ``url`` (removed, so only one worker gets it),
        kept under ``request_id`` until that request is acknowledged."""
        return self.take_many({url: request_id}).get(url)

    def take_many(self, urls) -> dict[str, dict[str, Any]]:
        """The contexts left for any of ``urls``, each handed out once. ``urls`` maps
        each URL to the frontier id of the request holding its page ("" or a plain
        iterable of URLs: nothing to keep)."""
        import json

        pairs = urls.items() if isinstance(urls, dict) else ((u, "") for u in urls)
        args = [a for url, rid in pairs for a in (url, rid or "")]
        if not args:
            return {}
        found = self._take(keys=[self.key, self.taken_key], args=args)
        return {found[i].decode(): json.loads(found[i + 1]) for i in range(0, len(found), 2)}

    def keep(self, url: str, request_id: str, context: dict[str, Any]) -> None:
        """Record the context this worker's own chain reached a parked page with, so
        that the page is read on correctly if it is fetched again after a crash."""
        import json

        if request_id:
            self.server.hset(self.taken_key, request_id, f"{url}\n{json.dumps(context)}")

    def clear(self) -> None:
        self.server.delete(self.key, self.taken_key)
