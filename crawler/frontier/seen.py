"""The shared seen-set: 63 bits of each request fingerprint in small bucketed Redis hashes."""
from __future__ import annotations

from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.dupefilter import RFPDupeFilter

from crawler.frontier.keys import frontier_key


class CompactDupeFilter(RFPDupeFilter):
    """Shared seen-set with ~12-16 bytes per URL.

    Scrapy's request fingerprint (SHA1) is split into a bucket number and a
    63-bit integer; ``HSETNX key:seen:<bucket> <int> ""`` is one atomic
    test-and-set. Buckets hold ~40 entries at ``FRONTIER_DEDUP_CAPACITY``
    (default 10 million), so Redis keeps them listpack-encoded. The bucket
    count is fixed by the first worker and read by the others.
    """

    def __init__(self, server, key, debug=False, capacity: int = 10_000_000, fingerprinter=None):
        super().__init__(server, key, debug)
        self.fingerprinter = fingerprinter
        wanted = 1 << max(4, (max(capacity, 1) // 40).bit_length())
        server.hsetnx(f"{key}:meta", "buckets", wanted)
        self.buckets = int(server.hget(f"{key}:meta", "buckets") or wanted)

    @classmethod
    def from_spider(cls, spider):
        settings = spider.settings
        return cls(
            get_redis_from_settings(settings),
            key=frontier_key(settings, spider.name),
            debug=settings.getbool("DUPEFILTER_DEBUG"),
            capacity=settings.getint("FRONTIER_DEDUP_CAPACITY", 10_000_000),
            fingerprinter=getattr(spider.crawler, "request_fingerprinter", None),
        )

    @classmethod
    def from_settings(cls, settings):  # standalone use with Scrapy's own scheduler
        return cls(
            get_redis_from_settings(settings),
            key=settings.get("FRONTIER_KEY") or "forumcrawl:frontier:default",
            debug=settings.getbool("DUPEFILTER_DEBUG"),
            capacity=settings.getint("FRONTIER_DEDUP_CAPACITY", 10_000_000),
        )

    def fingerprint_bytes(self, request) -> bytes:
        if self.fingerprinter is not None:
            return self.fingerprinter.fingerprint(request)
        from scrapy.utils.request import fingerprint  # Scrapy's default fingerprinter

        return fingerprint(request)

    def slot_of(self, fp: bytes) -> tuple[str, int]:
        """(bucket key, field) of a fingerprint."""
        bucket = int.from_bytes(fp[:4], "big") % self.buckets
        return f"{self.key}:seen:{bucket}", int.from_bytes(fp[4:12], "big") >> 1

    def request_seen(self, request) -> bool:
        key, field = self.slot_of(self.fingerprint_bytes(request))
        return self.server.hsetnx(key, field, "") == 0

    def clear(self) -> None:
        keys = list(self.server.scan_iter(match=f"{self.key}:seen:*", count=1000))
        for i in range(0, len(keys), 1000):
            self.server.unlink(*keys[i : i + 1000])
        self.server.delete(f"{self.key}:meta")

    def close(self, reason: str = "") -> None:
        """Keep the shared seen-set: other workers still use it."""
