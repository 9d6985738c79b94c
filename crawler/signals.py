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
