"""The shared crawl frontier: one Redis holds the queue, the seen-set and the
work in progress of any number of ``scrapy crawl generic`` processes.

Built on scrapy-redis (connection handling, request serialisation, the
scheduler's settings), closing three gaps it leaves with our Scrapy:

* **Lost requests.** scrapy-redis pops a request and forgets it; a worker that
  dies before finishing it loses it. Here a pop atomically moves the request
  into the worker's *processing* hash; it is removed (acknowledged) only once
  the engine has finished with it (its items went through the pipelines, its
  links were queued) - or, with ``FRONTIER_ACK_ON_COMMIT``, only once the SQL
  pipeline says those items are committed. Every worker keeps a heartbeat key
  alive (from a thread, :mod:`crawler.frontier.pulse`: a busy reactor is no
  death); live workers re-queue the processing hash of a worker whose heartbeat
  expired. A thread page the spider parks (waiting for its chain) keeps its
  request in the worker's *parked* hash until the page's items are committed,
  and the chain context it reads on with stays in ``key:taken`` until then, so
  a dead worker's parked pages are re-queued and read on at the right position.
* **Termination.** scrapy-redis closes a worker after a fixed idle time, and
  its ``close()`` deletes the shared queue and seen-set unless
  ``SCHEDULER_PERSIST``. Here an idle worker exits only when, in one atomic
  snapshot, the queue is empty and no live worker holds work; shared state is
  never flushed by a closing worker.
* **Start requests.** Scrapy >= 2.13 feeds ``Spider.start()`` through the
  scheduler, with ``dont_filter=True`` for ``start_urls``; each worker would
  re-queue the seed. Start requests are de-duplicated here, so N workers seed once.

Redis outages are logged once, requests found meanwhile are held in memory and
pushed when Redis returns; workers neither exit nor lose work while it is away.

The seen-set (:class:`CompactDupeFilter`) stores 63 bits of each request
fingerprint as an integer field of small bucketed Redis hashes (listpack
encoded), about 12-16 bytes per URL instead of ~90 for a set of SHA1 hex
strings; see docs/scale.md for the measurement.
"""
from __future__ import annotations
from crawler.frontier.chains import ChainBoard
from crawler.frontier.jobs import RunJobs
from crawler.frontier.keys import DEFAULT_KEY, apply_redis_settings, frontier_key, redis_url_from
from crawler.frontier.queue import ID_LEN, ReliableQueue
from crawler.frontier.scheduler import FrontierScheduler, seed
from crawler.frontier.seen import CompactDupeFilter

__all__ = ["ChainBoard", "CompactDupeFilter", "DEFAULT_KEY", "FrontierScheduler", "ID_LEN", "ReliableQueue", "RunJobs",
           "apply_redis_settings", "frontier_key", "redis_url_from", "seed"]
