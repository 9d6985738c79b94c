"""Django settings for the HyperKitty archive that forumcrawl's tests run on 127.0.0.1.

Runs inside the engine's own virtualenv (never the project's), on an SQLite file
named by FC_ENGINE_DB. Follows HyperKitty's own test settings
(hyperkitty/tests/settings_test.py), trimmed to reading an archive: no Mailman
core is running, so HYPERKITTY_BATCH_MODE keeps archiving from asking it, and
django-q runs its tasks inline (sync).
"""
import os

BASE_DIR = os.environ.get("FC_ENGINE_WORKDIR", os.path.dirname(os.path.abspath(__file__)))
SECRET_KEY = "forumcrawl-test-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
SITE_ID = 1

MAILMAN_REST_API_URL = "http://127.0.0.1:9"  # nothing listens: the archive never needs the core to read
MAILMAN_REST_API_USER = "restadmin"
MAILMAN_REST_API_PASS = "restpass"
MAILMAN_ARCHIVER_KEY = "forumcrawl-test-only"
MAILMAN_ARCHIVER_FROM = ("127.0.0.1", "::1")
HYPERKITTY_BATCH_MODE = True

INSTALLED_APPS = (
    "hyperkitty",
    "django_mailman3",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.sites",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_gravatar",
    "compressor",
    "haystack",
    "django_extensions",
    "django_q",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
)
MIDDLEWARE = (
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.security.SecurityMiddleware",
)
ROOT_URLCONF = "fc_hyperkitty_urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.i18n",
                "django.template.context_processors.media",
                "django.template.context_processors.static",
                "django.template.context_processors.tz",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django_mailman3.context_processors.common",
                "hyperkitty.context_processors.common",
            ],
        },
    },
]
# A crawler fetches in parallel and page views may write: wait for the lock.
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["FC_ENGINE_DB"],
                         "OPTIONS": {"timeout": 30}}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_ROOT = os.path.join(BASE_DIR, "static")
STATIC_URL = "/static/"
STATICFILES_FINDERS = (
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "compressor.finders.CompressorFinder",
)
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "hk_root"
LOGOUT_URL = "account_logout"
AUTHENTICATION_BACKENDS = ("django.contrib.auth.backends.ModelBackend",)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
COMPRESS_ENABLED = False
COMPRESS_PRECOMPILERS = ()
HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}
HAYSTACK_SIGNAL_PROCESSOR = "haystack.signals.BaseSignalProcessor"  # no search index to maintain
Q_CLUSTER = {"retry": 60, "timeout": 30, "orm": "default", "sync": True}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_FROM_EMAIL = "archive@example.invalid"
FILTER_VHOST = False
SHOW_INACTIVE_LISTS_DEFAULT = True  # the corpus is old: show its lists on the front page
