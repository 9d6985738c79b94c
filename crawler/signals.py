"""forumcrawl's own Scrapy signals (sent with ``crawler.signals.send_catch_log``).

They connect the spider and the store pipeline without either importing the other.
"""

#: The store pipeline committed a batch. Arguments: ``items`` (the list of items committed)
#: and ``taken_at`` (``time.monotonic()`` when the batch was taken from the buffer: every
#: item scraped before that moment is now committed).
items_committed = object()

#: The spider fetched a page that yields no item (a listing, an article...). Argument:
#: ``page`` (a dict ``{site, url, status, kind, content_hash, etag, last_modified,
#: fetched_at}``), recorded in the store's ``pages`` table.
page_fetched = object()

#: Shared frontier (crawler/frontier.py): the spider keeps the request of the response it is
#: handling open beyond its callback - a later thread page parked until its chain reaches it,
#: or a page held while the site template is learned. Its Redis entry is then acknowledged only
#: at ``request_released``, and re-queued if the worker dies first. Arguments: ``request_id``
#: (``meta["frontier_id"]``) and ``parked_url`` (the canonical URL under which thread chains
#: leave the page's context, or "" for a page that waits for nothing from other workers).
request_deferred = object()

#: The spider finished a deferred request: its items are committed (or it yields none).
#: Argument: ``request_id``.
request_released = object()

#: Shared frontier: nothing is queued and no worker holds work - the crawl would end now.
#: A last call for work the spider keeps in memory (parked thread pages no chain reached):
#: requests it schedules in its handler keep the crawl going. No arguments.
frontier_drained = object()
