"""Django settings for the Biostar Central Q&A site that forumcrawl's tests run on 127.0.0.1.

Runs inside the engine's own virtualenv (never the project's). Biostar Central is not on
PyPI: its source (github.com/ialbert/biostar-central, see docs/engines.md) is put on
``sys.path`` from ``$FC_ENGINE_SOURCE`` or ``<engine cache>/src/biostar``. These
settings start from the forum's own ``biostar.forum.settings`` (as its ``conf/site``
examples do) and change only what a private test site needs: an SQLite file named by
FC_ENGINE_DB, UTC, no spam classifier (it needs scikit-learn and a trained model),
background tasks off, no rate limits, no CSS compression, files under the session's workdir.
"""
import os
import sys
from pathlib import Path


def biostar_source() -> str:
    env = os.environ.get("FC_ENGINE_SOURCE")  # set by tests/engines/server.py from ENGINES["biostar"].source
    if env:
        return env
    cache = os.environ.get("FORUMCRAWL_ENGINE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(str(Path.home()), ".cache"), "forumcrawl", "engines")
    return os.path.join(cache, "src", "biostar")


sys.path.insert(0, biostar_source())

from biostar.forum.settings import *  # noqa: E402,F401,F403 - the engine's own settings

WORKDIR = os.environ.get("FC_ENGINE_WORKDIR", os.path.dirname(os.path.abspath(__file__)))
DEBUG = False
ALLOWED_HOSTS = ["*"]
SECRET_KEY = "forumcrawl-test-only-not-secret"
# A crawler fetches in parallel and thread views write (view counter, session): wait for the lock.
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["FC_ENGINE_DB"],
                         "OPTIONS": {"timeout": 30}}}
TIME_ZONE = "UTC"
CLASSIFY_SPAM = False
TASK_RUNNER = "disable"
RATELIMIT_ENABLE = False
COMPRESS_ENABLED = False
COMPRESS_OFFLINE = False
LOCATION_LOOKUP = False
SEND_MAIL = False
INIT_PLANET = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # seeding speed; test-only accounts
MEDIA_ROOT = os.path.join(WORKDIR, "media")
STATIC_ROOT = os.path.join(WORKDIR, "static")
INDEX_DIR = os.path.join(WORKDIR, "search")
TIME_REQUESTS = False
LOGGING = {"version": 1, "disable_existing_loggers": True}
