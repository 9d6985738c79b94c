"""Scrapy settings of the forumcrawl project (``scrapy.cfg`` points here).

Everything can be overridden Scrapy's way: ``-s NAME=VALUE`` on the command
line, ``custom_settings``, or ``Settings.set``. forumcrawl's own settings are
prefixed ``FORUMCRAWL_``; ``DATABASE_URL`` names the store (when unset:
environment ``FORUMCRAWL_DATABASE_URL``, then ``DATABASE_URL``, then
``sqlite:///forumcrawl.db``).
"""
BOT_NAME = "forumcrawl"

SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
# `scrapy crawl` exits 1 when the crawl failed (start unreachable, frontier lost, nothing fetched).
COMMANDS_MODULE = "crawler.commands"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("forumcrawl")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "0"


# What a site owner sees in the access log: the project and its version (the project defines
# no web page to link to). robots.txt rules for "User-agent: forumcrawl" apply to it.
USER_AGENT = f"forumcrawl/{_version()}"

# Good citizen defaults.
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 8
# Items of one response processed in parallel. Scrapy starts this many worker tasks for
# every response, whatever it yields; the store pipeline only buffers items, so 16 (a
# thread page's posts) does the same work as Scrapy's 100 for ~1-3 ms less CPU per page
# and ~40 MB less memory (bench/throughput.py --threads 600, FORUMCRAWL_BENCH_SETTINGS).
CONCURRENT_ITEMS = 16
DOWNLOAD_TIMEOUT = 60
RETRY_TIMES = 2
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
# No listening control port by default (Scrapy 2.19 enables one).
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"
# No per-item/per-response DEBUG records unless LOG_LEVEL=DEBUG (crawler/logformatter.py).
LOG_FORMATTER = "crawler.logformatter.QuietLogFormatter"

# Pages larger than this are not downloaded (counted as forumcrawl/skipped/too_large).
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024

# Responses are kept in memory only while being processed: keep the in-flight window bounded.
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 20_000_000

# The spider dedups canonical URLs itself and journals its frontier under JOBDIR
# (crash-safe resume); the scheduler keeps requests in memory.
SCHEDULER = "crawler.scheduler.JournalScheduler"
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.ScrapyPriorityQueue"

# robots.txt per RFC 9309 when it cannot be fetched: a 5xx or a network error means "disallow
# everything" (requests to the host wait while robots.txt is retried), a 4xx "no rules". Scrapy's
# own middleware allows everything in both cases (crawler/robots.py).
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.robots.FailClosedRobotsTxtMiddleware": 100,
    # Redirects obey the crawl's scope like links; requests of URL patterns learned useless are dropped.
    "crawler.scope.RedirectScopeMiddleware": 50,
    # Per host: robots.txt Crawl-delay, Retry-After and back-off on 429/503, shared through Redis
    # with REDIS_URL; next to the downloader (after the HTTP cache), so it sees every response first.
    "crawler.middlewares.politeness.PolitenessMiddleware": 950,
}
# Back-off of a host that answers 429/503 (seconds: first gap, growth per answer, cap; shrink per
# good response), the longest Retry-After and Crawl-delay honoured, and with REDIS_URL the
# concurrency per host for all workers together (0: CONCURRENT_REQUESTS_PER_DOMAIN).
FORUMCRAWL_POLITENESS = True
FORUMCRAWL_BACKOFF_START = 1.0
FORUMCRAWL_BACKOFF_FACTOR = 2.0
FORUMCRAWL_BACKOFF_MAX = 60.0
FORUMCRAWL_BACKOFF_RECOVERY = 0.8
FORUMCRAWL_RETRY_AFTER_MAX = 600.0
FORUMCRAWL_CRAWL_DELAY_MAX = 60.0
FORUMCRAWL_HOST_CONCURRENCY = 0
# Seconds a killed worker's share of that concurrency stays taken (live workers renew theirs).
FORUMCRAWL_HOST_LEASE = 10.0
# Per-host slots in Redis: None = when REDIS_URL is set; False = per process even then.
FORUMCRAWL_POLITENESS_SHARED = None
FORUMCRAWL_POLITENESS_KEY = "forumcrawl:polite"
# Seconds between robots.txt retries while it is unreachable (doubling up to the maximum), and
# how long it may stay unreachable before the host counts as disallowed for the whole crawl.
FORUMCRAWL_ROBOTSTXT_RETRY_DELAY = 2.0
FORUMCRAWL_ROBOTSTXT_RETRY_MAX_DELAY = 60.0
FORUMCRAWL_ROBOTSTXT_UNREACHABLE_TIMEOUT = 600.0

ITEM_PIPELINES = {
    "crawler.pipelines.StorePipeline": 300,
}
EXTENSIONS = {
    "crawler.extensions.CrawlProgress": 500,
    "crawler.gctuning.GarbageCollection": 510,
}

FEED_EXPORT_ENCODING = "utf-8"
# Young-generation threshold of Python's garbage collector during a crawl (crawler/gctuning.py);
# 0 keeps Python's default (700). Stats: gc/collections, gc/cpu_seconds.
FORUMCRAWL_GC_THRESHOLD = 10_000

# --- forumcrawl ---
# SQLAlchemy URL of the store; None: FORUMCRAWL_DATABASE_URL, DATABASE_URL, sqlite:///forumcrawl.db
DATABASE_URL = None
# Items per write transaction, and the longest time an item waits in the buffer (seconds).
FORUMCRAWL_BATCH_SIZE = 500
FORUMCRAWL_FLUSH_INTERVAL = 2.0
# Pause the crawl when this many items wait for a database that is down.
FORUMCRAWL_MAX_BUFFERED_ITEMS = 20_000
# Back-off between retries of a failed write (seconds, doubled up to the maximum).
FORUMCRAWL_DB_RETRY_DELAY = 0.5
FORUMCRAWL_DB_RETRY_MAX_DELAY = 30.0
# At the end of a crawl, how long to keep retrying a database that is down before
# writing the unsaved items to a JSONL file instead (seconds).
FORUMCRAWL_DB_CLOSE_TIMEOUT = 120.0
# Pages the site template is learned from before thread items are emitted (0 disables).
FORUMCRAWL_TEMPLATE_PAGES = 6
# Seconds between progress lines in the log (0 disables).
FORUMCRAWL_PROGRESS_INTERVAL = 5.0
# Worker processes for extraction (0: in the crawler process). Extraction is CPU work:
# with cores to spare, N workers let one crawler use N more cores. -1: one per core, at
# most 2; none on one core or with REDIS_URL (crawler/extractpool.py).
FORUMCRAWL_EXTRACT_PROCESSES = -1
# Largest body handed to the extractor (bytes); larger pages are skipped as too large.
FORUMCRAWL_MAX_PAGE_BYTES = 8 * 1024 * 1024
# Set by `forumcrawl schedule run`: the crawl_runs row it created for this run (0: the pipeline creates one).
FORUMCRAWL_RUN_ID = 0
# NLP hook (crawler/nlp, docs/scale.md): after each commit, new and edited posts go to the Redis
# Stream FORUMCRAWL_NLP_STREAM_KEY on FORUMCRAWL_NLP_REDIS_URL (else REDIS_URL); without Redis,
# FORUMCRAWL_NLP_IN_PROCESS=True annotates them in the crawler with the default handler.
FORUMCRAWL_NLP_STREAM = True
FORUMCRAWL_NLP_REDIS_URL = None
FORUMCRAWL_NLP_STREAM_KEY = "forumcrawl:posts"
FORUMCRAWL_NLP_STREAM_MAXLEN = 1_000_000
FORUMCRAWL_NLP_IN_PROCESS = False
# Bounded by default: a site's page budget (-a max_pages overrides; 0: no limit). The log says
# when it is reached.
FORUMCRAWL_MAX_PAGES = 100_000
# URL patterns learned per site (crawler/patterns.py): a pattern whose first N responses gave
# nothing new (only known posts, login walls, errors, forms, empty pages) is not fetched any
# more (0 disables); one whose useful share stays under FORUMCRAWL_TRAP_RATIO after
# FORUMCRAWL_TRAP_SAMPLES responses (an infinite URL space: calendars, date archives) neither.
FORUMCRAWL_LEARN_MIN_SAMPLES = 5
# ... or whose first N responses all gave the same useless outcome (three login walls).
FORUMCRAWL_LEARN_UNANIMOUS = 3
FORUMCRAWL_TRAP_SAMPLES = 200
FORUMCRAWL_TRAP_RATIO = 0.02
# ... nor one whose answers yielded anything (new things, posts, listing entries, even known
# ones) fewer than FORUMCRAWL_LEARN_RARE_RATIO of the time after FORUMCRAWL_LEARN_RARE_SAMPLES
# (a month archive that once listed a new thread, every other month empty; 0 disables).
FORUMCRAWL_LEARN_RARE_SAMPLES = 20
FORUMCRAWL_LEARN_RARE_RATIO = 0.1
# A thread page answered broken (HTTP 200, an error page or half a page: crawler/brokenpages.py)
# is fetched again at most this many times per URL (0: never) and per site, this many seconds
# later (doubled for a second try).
FORUMCRAWL_REFETCH_BROKEN = 2
FORUMCRAWL_REFETCH_BROKEN_MAX = 20
FORUMCRAWL_REFETCH_BROKEN_DELAY = 2.0
