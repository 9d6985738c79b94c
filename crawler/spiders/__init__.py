"""The spiders of the forumcrawl project: ``generic`` crawls any site."""
