"""The shared queue: one Redis sorted set of requests, popped into a per-worker
*processing* hash until acknowledged, with heartbeats, reaping of dead workers' work
and an atomic status snapshot for termination (see :mod:`crawler.frontier`)."""
from __future__ import annotations

import os
import uuid

from scrapy_redis.queue import Base as RedisQueueBase

ID_LEN = 32  # uuid4 hex prefix of every queue member

# Pop the best request and move it into this worker's processing hash, atomically.
_POP = """
local items = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #items == 0 then return false end
local member, score = items[1], items[2]
redis.call('ZREM', KEYS[1], member)
redis.call('HSET', KEYS[2], string.sub(member, 1, %d), score .. ' ' .. member)
return member
""" % ID_LEN

# Mark a URL seen and queue its request in one step (KEYS: seen bucket, queue; ARGV: field,
# score, member, force). A worker dying between the two steps left a URL seen but never
# queued: lost, and so were the pages only it led to. With force = "1" the request is
# queued even if the URL was seen (a dont_filter request). Returns 1 if the URL was new.
_PUSH_NEW = """
local new = redis.call('HSETNX', KEYS[1], ARGV[1], '')
if new == 1 or ARGV[4] == '1' then redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3]) end
return new
"""

# A thread chain claims the next page of its thread (KEYS: seen bucket, processing hash,
# chain board; ARGV: field, request id, "score member", url, context). New URL: it is marked
# seen and the request held in this worker's processing hash in the same step, so a chain
# is never claimed without a request that outlives the worker. Seen URL: the chain's
# context is left on the board for whichever worker has the page. Returns 1 if claimed.
_CLAIM = """
if redis.call('HSETNX', KEYS[1], ARGV[1], '') == 1 then
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
  return 1
end
redis.call('HSET', KEYS[3], ARGV[4], ARGV[5])
return 0
"""

# Re-queue the work of every registered worker whose heartbeat expired: its processing hash
# ("score member") and its parked hash ("url\nscore member"). A thread-chain context the dead
# worker had taken for one of those requests (key:taken, "url\ncontext") goes back on the chain
# board (key:chain), so whichever worker fetches the page again reads on from the right post.
_REAP = """
local moved = 0
local chain, taken = ARGV[1] .. ':chain', ARGV[1] .. ':taken'
local function requeue(v)
  local sp = string.find(v, ' ', 1, true)
  local member = string.sub(v, sp + 1)
  redis.call('ZADD', KEYS[1], tonumber(string.sub(v, 1, sp - 1)), member)
  local rid = string.sub(member, 1, %d)
  local t = redis.call('HGET', taken, rid)
  if t then
    local nl = string.find(t, '\\n', 1, true)
    redis.call('HSET', chain, string.sub(t, 1, nl - 1), string.sub(t, nl + 1))
    redis.call('HDEL', taken, rid)
  end
  moved = moved + 1
end
for _, w in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if w ~= ARGV[2] and redis.call('EXISTS', ARGV[1] .. ':alive:' .. w) == 0 then
    local h, p = ARGV[1] .. ':processing:' .. w, ARGV[1] .. ':parked:' .. w
    for _, v in ipairs(redis.call('HVALS', h)) do requeue(v) end
    for _, v in ipairs(redis.call('HVALS', p)) do
      requeue(string.sub(v, string.find(v, '\\n', 1, true) + 1))
    end
    redis.call('DEL', h, p)
    redis.call('SREM', KEYS[2], w)
  end
end
return moved
""" % ID_LEN

# Move a finished request whose page the spider keeps (parked, or waiting for the template)
# from the processing hash into the parked hash, with the URL chains leave its context under.
# Parking a request already parked (a page held for the template, then parked for its chain)
# only changes its URL.
_PARK = """
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v then
  redis.call('HDEL', KEYS[1], ARGV[1])
else
  local old = redis.call('HGET', KEYS[2], ARGV[1])
  if not old then return 0 end
  v = string.sub(old, string.find(old, '\\n', 1, true) + 1)
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2] .. '\\n' .. v)
return 1
"""

# Put requests of this worker's processing hash back on the queue (KEYS: processing hash, queue;
# ARGV: their ids). Returns how many were there.
_GIVE_BACK = """
local moved = 0
for _, rid in ipairs(ARGV) do
  local v = redis.call('HGET', KEYS[1], rid)
  if v then
    local sp = string.find(v, ' ', 1, true)
    redis.call('ZADD', KEYS[2], tonumber(string.sub(v, 1, sp - 1)), string.sub(v, sp + 1))
    redis.call('HDEL', KEYS[1], rid)
    moved = moved + 1
  end
end
return moved
"""

# A heartbeat that never re-registers a worker into a frontier that lost its data: only while
# the run epoch (KEYS[3]) is the one this worker took part in (ARGV[3], "" before seeding).
# Returns 1 (registered), 0 (was not registered: presumed dead meanwhile), -1 (epoch changed).
_PULSE = """
if ARGV[3] ~= '' and redis.call('GET', KEYS[3]) ~= ARGV[3] then return -1 end
local added = redis.call('SADD', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
return 1 - added
"""

# One consistent snapshot: queued requests, requests held by workers, workers. A parked page
# counts as held only while a thread chain's context waits for it (key:chain): then a live
# worker is about to read it on, or a dead one's is about to be re-queued. Otherwise no chain
# can reach it any more once nothing is queued or in flight, and it must not keep workers open.
# With ARGV[2] = "1", a snapshot that finds the crawl over also clears the chain board.
_STATUS = """
local held = 0
local chain = ARGV[1] .. ':chain'
local workers = redis.call('SMEMBERS', KEYS[2])
for _, w in ipairs(workers) do
  held = held + redis.call('HLEN', ARGV[1] .. ':processing:' .. w)
  for _, v in ipairs(redis.call('HVALS', ARGV[1] .. ':parked:' .. w)) do
    local url = string.sub(v, 1, string.find(v, '\\n', 1, true) - 1)
    if url ~= '' and redis.call('HEXISTS', chain, url) == 1 then held = held + 1 end
  end
end
local queued = redis.call('ZCARD', KEYS[1])
if ARGV[2] == '1' and queued == 0 and held == 0 then
  -- The crawl is over: a context still on the board is for a page that was read anyway
  -- (a dead worker's request re-read with its own context) or never will be.
  redis.call('DEL', chain)
end
return {queued, held, #workers}
"""


class ReliableQueue(RedisQueueBase):
    """Priority queue whose pops are parked per worker until acknowledged.

    Keys under the prefix ``key``: ``key:queue`` (sorted set, score = -priority,
    member = 32-hex id + serialized request), ``key:workers`` (set),
    ``key:alive:<worker>`` (heartbeat, expires), ``key:processing:<worker>``
    (hash id -> "score member"), ``key:parked:<worker>`` (hash id -> "url\\nscore
    member": finished requests whose pages the spider still keeps, see :meth:`park`),
    ``key:taken`` (hash id -> "url\\ncontext": thread-chain contexts taken for
    requests not yet acknowledged, see :class:`ChainBoard`). Uses keys built
    inside Lua, so it needs a single Redis server (not Redis Cluster).
    """

    def __init__(self, server, spider, key, serializer=None, worker_id: str | None = None):
        super().__init__(server, spider, key, serializer)
        self.worker_id = worker_id or f"{os.uname().nodename}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.queue_key = f"{self.key}:queue"
        self.workers_key = f"{self.key}:workers"
        self.processing_key = f"{self.key}:processing:{self.worker_id}"
        self.alive_key = f"{self.key}:alive:{self.worker_id}"
        self.parked_key = f"{self.key}:parked:{self.worker_id}"
        self.taken_key = f"{self.key}:taken"
        self._pop = server.register_script(_POP)
        self._park = server.register_script(_PARK)
        self._reap = server.register_script(_REAP)
        self._status = server.register_script(_STATUS)
        self._pulse = server.register_script(_PULSE)
        self._push_new = server.register_script(_PUSH_NEW)
        self._claim = server.register_script(_CLAIM)
        self._give_back = server.register_script(_GIVE_BACK)

    # -- queue interface used by scrapy-redis' scheduler -------------------
    def __len__(self) -> int:
        return self.server.zcard(self.queue_key)

    def push(self, request) -> str:
        """Queue a request; returns its frontier id (also put in its meta)."""
        rid = uuid.uuid4().hex
        request.meta["frontier_id"] = rid
        self.server.zadd(self.queue_key, {rid.encode() + self._encode_request(request): -request.priority})
        return rid

    def push_new(self, request, seen: tuple[str, int], force: bool = False) -> bool:
        """Queue ``request`` if its URL is new, marking it seen (``seen``: its seen-set
        bucket and field, :meth:`CompactDupeFilter.slot_of`) in the same atomic step;
        ``force`` queues it anyway. True if queued."""
        rid = uuid.uuid4().hex
        request.meta["frontier_id"] = rid
        member = rid.encode() + self._encode_request(request)
        new = self._push_new(keys=[seen[0], self.queue_key], args=[seen[1], -request.priority, member,
                                                                    "1" if force else "0"])
        return bool(new) or force

    def claim(self, request, seen: tuple[str, int], url: str, context: dict) -> bool:
        """A thread chain's next page: held by this worker if no worker has seen it
        (marked seen in the same step), else ``context`` is left on the chain board under
        ``url``. True if this worker has it now."""
        import json

        rid = uuid.uuid4().hex
        request.meta["frontier_id"] = rid
        member = rid.encode() + self._encode_request(request)
        claimed = bool(self._claim(keys=[seen[0], self.processing_key, f"{self.key}:chain"],
                                   args=[seen[1], rid, f"{-request.priority} ".encode() + member, url,
                                         json.dumps(context)]))
        if not claimed:
            del request.meta["frontier_id"]
        return claimed

    def hold(self, request) -> str:
        """Record a request this worker keeps for itself (not shared) in its
        processing hash, so that it is re-queued for others if the worker dies."""
        rid = uuid.uuid4().hex
        request.meta["frontier_id"] = rid
        score = -request.priority
        member = rid.encode() + self._encode_request(request)
        self.server.hset(self.processing_key, rid, f"{score} ".encode() + member)
        return rid

    def pop(self, timeout: int = 0):
        """Pop the best request into this worker's processing hash; None if empty."""
        member = self._pop(keys=[self.queue_key, self.processing_key])
        if not member:
            return None
        request = self._decode_request(member[ID_LEN:])
        request.meta["frontier_id"] = member[:ID_LEN].decode()
        return request

    def clear(self) -> None:
        """Delete the queue and all processing state of this frontier."""
        keys = [self.queue_key, self.workers_key, f"{self.key}:seeded", f"{self.key}:epoch",
                f"{self.key}:chain", self.taken_key]
        keys += list(self.server.scan_iter(match=f"{self.key}:processing:*"))
        keys += list(self.server.scan_iter(match=f"{self.key}:parked:*"))
        keys += list(self.server.scan_iter(match=f"{self.key}:alive:*"))
        keys += list(self.server.scan_iter(match=f"{self.key}:jobs:*"))  # (crawler.frontier.jobs)
        self.server.delete(*keys)

    # -- reliability -------------------------------------------------------
    def heartbeat(self, ttl: float) -> bool:
        """Mark this worker alive for ``ttl`` seconds; False if it was not registered."""
        pipe = self.server.pipeline()
        pipe.sadd(self.workers_key, self.worker_id)
        pipe.set(self.alive_key, b"1", px=max(1, int(ttl * 1000)))
        added, _ = pipe.execute()
        return added == 0

    def pulse(self, ttl: float, epoch: bytes | None) -> int:
        """:meth:`heartbeat` guarded by the run epoch (safe from any thread): 1 registered,
        0 re-registered after being presumed dead, -1 the frontier's epoch is not ``epoch``
        (nothing written)."""
        return int(self._pulse(keys=[self.workers_key, self.alive_key, f"{self.key}:epoch"],
                               args=[self.worker_id, max(1, int(ttl * 1000)), epoch or b""]))

    def ack(self, ids) -> None:
        """Forget finished requests (they will not be re-queued), parked or not, with
        any thread-chain context taken for them."""
        ids = list(ids)
        if ids:
            pipe = self.server.pipeline(transaction=False)
            pipe.hdel(self.processing_key, *ids)
            pipe.hdel(self.parked_key, *ids)
            pipe.hdel(self.taken_key, *ids)
            pipe.execute()

    def park(self, rid: str, url: str = "") -> bool:
        """Keep a request the engine has finished but whose page the spider still holds
        (a later thread page waiting for its chain, under its canonical ``url``; or a page
        waiting for the site template, ``url`` ""). It stays un-acknowledged, so a dead
        worker's parked pages are re-queued, but it no longer counts as work in progress:
        :meth:`status` counts it only while a chain's context waits under ``url``.
        False if the request was not in this worker's processing hash."""
        return bool(self._park(keys=[self.processing_key, self.parked_key], args=[rid, url]))

    def drop_parked(self) -> int:
        """Forget this worker's parked requests: at the end of a crawl, pages no chain reached."""
        pipe = self.server.pipeline()
        pipe.hlen(self.parked_key)
        pipe.delete(self.parked_key)
        return int(pipe.execute()[0])

    def reap(self, spare_self: bool = False) -> int:
        """Re-queue work held by workers whose heartbeat expired; returns how many.
        ``spare_self``: not this worker's own, even if its heartbeat lapsed (a live worker
        back from a Redis outage longer than its TTL must not hand out what it is fetching)."""
        spared = self.worker_id if spare_self else ""
        return int(self._reap(keys=[self.queue_key, self.workers_key], args=[self.key, spared]))

    def status(self, finishing: bool = False) -> tuple[int, int, int]:
        """(queued, held by workers, registered workers), atomically. Parked requests
        count as held only while a chain context waits for them (see ``_STATUS``).
        ``finishing``: if nothing is queued or held, also drop the stale chain contexts."""
        queued, held, workers = self._status(keys=[self.queue_key, self.workers_key],
                                             args=[self.key, "1" if finishing else "0"])
        return int(queued), int(held), int(workers)

    def held_ids(self) -> set[str]:
        """Ids of the requests in this worker's processing hash."""
        return {k.decode() if isinstance(k, bytes) else k for k in self.server.hkeys(self.processing_key)}

    def give_back(self, ids) -> int:
        """Put these requests of this worker's processing hash back on the queue, atomically;
        returns how many were there."""
        ids = list(ids)
        return int(self._give_back(keys=[self.processing_key, self.queue_key], args=ids)) if ids else 0

    def forget_worker(self) -> None:
        """Leave the worker set without re-queueing anything (the frontier was lost)."""
        pipe = self.server.pipeline()
        pipe.delete(self.alive_key, self.processing_key, self.parked_key)
        pipe.srem(self.workers_key, self.worker_id)
        pipe.execute()

    def retire(self) -> None:
        """Leave the worker set; anything still held goes back to the queue."""
        self.server.delete(self.alive_key)
        self.reap()
