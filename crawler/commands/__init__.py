"""forumcrawl's Scrapy commands (``COMMANDS_MODULE`` in crawler/settings.py): Scrapy's own,
with exit codes that tell a failed crawl from a finished one."""
