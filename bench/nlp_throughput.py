"""Throughput of the NLP hook: publishing posts to the stream, and the
nlp-worker with the default handler (language, tokens, TF-IDF keywords, upsert
to SQL), on a private redis-server and a temporary SQLite database (or
``--database URL``).

    .venv/bin/python bench/nlp_throughput.py [--posts 5000] [--batch 100] [--database URL]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from frontier_support import PrivateRedis  # noqa: E402
from nlp_support import forum  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--database")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.database or f"sqlite:///{tmp}/bench.db"
        os.environ["FORUMCRAWL_DATABASE_URL"] = db
        from crawler.nlp import handler as default_handler
        from crawler.nlp.stream import publish_posts
        from crawler.nlp.worker import StreamWorker
        from storage import Store

        threads, posts = forum(args.posts)
        with Store(db) as store:
            store.write_batch(threads, posts)
        server = PrivateRedis(Path(tmp))
        server.start()
        try:
            client = redis.Redis.from_url(server.url)
            t0 = time.perf_counter()
            for i in range(0, len(posts), 500):
                publish_posts(client, posts[i:i + 500], stream="posts")
            publish = time.perf_counter() - t0
            worker = StreamWorker(server.url, "bench", default_handler.handle, consumer="b", stream="posts",
                                  batch=args.batch, block_ms=100, exit_when_idle=True)
            t0 = time.perf_counter()
            worker.run()
            work = time.perf_counter() - t0
            processed = worker.stats["processed"]
        finally:
            server.kill()
        t0 = time.perf_counter()
        default_handler.annotate(posts[:2000])
        annotate = time.perf_counter() - t0
    print(f"{args.posts} posts, batch {args.batch}, database {db.split(':', 1)[0]}")
    print(f"publish (XADD, pipelined):          {args.posts / publish:9.0f} posts/s")
    print(f"nlp-worker, default handler + SQL:  {processed / work:9.0f} posts/s ({processed} processed)")
    print(f"annotate only (no Redis, no SQL):   {2000 / annotate:9.0f} posts/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
