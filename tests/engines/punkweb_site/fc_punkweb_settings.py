"""Django settings for the PunkwebBB forum that forumcrawl's tests run on 127.0.0.1.

Runs inside the engine's own virtualenv (never the project's), on an SQLite file
named by FC_ENGINE_DB. A plain Django project as PunkwebBB's README sets one up:
``punkweb_bb`` in INSTALLED_APPS, its context processor and online-status
middleware, its URLconf, the BBCode parser (the default).
"""
import os

BASE_DIR = os.environ.get("FC_ENGINE_WORKDIR", os.path.dirname(os.path.abspath(__file__)))
SECRET_KEY = "forumcrawl-test-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "punkweb_bb",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "punkweb_bb.middleware.ProfileOnlineCacheMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "punkweb_bb.context_processors.punkweb_bb",
            ]
        },
    }
]
# A crawler fetches in parallel and thread views write (view counter, session): wait for the lock.
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["FC_ENGINE_DB"],
                         "OPTIONS": {"timeout": 30}}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # seeding speed; test-only accounts
ROOT_URLCONF = "fc_punkweb_urls"
LOGIN_URL = "punkweb_bb:login"
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
MEDIA_URL = "/media/"
MEDIA_ROOT = os.path.join(BASE_DIR, "media")
STATIC_ROOT = os.path.join(BASE_DIR, "static")
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PUNKWEB_BB = {"SITE_NAME": "FORUMCRAWL", "SITE_TITLE": "PunkwebBB 测试论坛", "PARSER": "bbcode"}
