"""Rongxin settings: one file; every difference between machines comes from the environment.

Environment variables (all optional in development):

- ``DATABASE_URL``: ``sqlite:///PATH`` or ``postgresql://USER@HOST:PORT/NAME``. Default: an
  embedded SQLite file under ``RONGXIN_DATA_DIR``.
- ``RONGXIN_DATA_DIR``: where the SQLite file and the generated development secrets live
  (default ``./var``).
- ``RONGXIN_SECRET_KEY``, ``RONGXIN_PII_KEY``: required when ``RONGXIN_ENV=production``; in
  development they are generated on first run into ``RONGXIN_DATA_DIR/secrets.json`` (never
  committed).
- ``RONGXIN_ENV``: ``development`` (default), ``test`` or ``production``.
- ``RONGXIN_DEBUG``: ``0`` turns Django's debug mode off in development (``make demo`` does, so
  the demo shows the Chinese error pages a county would see, never the debug page). Never on
  outside development.
- ``RONGXIN_ALLOWED_HOSTS``: comma-separated host names (production; in development they are
  accepted besides the loopback names).
- ``RONGXIN_HOST``: the address the development server binds (``make demo`` sets it from
  ``HOST``). Beyond loopback (``HOST=0.0.0.0``), this machine's own addresses and names are
  accepted as hosts too (``rongxin.core.hosts``), never ``*``.
- ``RONGXIN_BASE_URL``: the public address (certificate QR codes rendered outside a request).
- ``RONGXIN_LOGIN_RATE``, ``RONGXIN_VERIFY_RATE``, ``RONGXIN_INCENTIVE_RATE``: rate limits
  (django-ratelimit syntax, e.g. ``10/m``) for sign-in, public certificate checks, and
  providers' credential checks and redemptions (counted in credentials);
  ``RONGXIN_LOGIN_IP_RATE``: sign-in attempts per client address; ``RONGXIN_DUPLICATE_PROBE_RATE``:
  registrations refused as duplicates per account.
- ``RONGXIN_TRUSTED_PROXIES``: addresses or CIDR blocks of the reverse proxies in front of the
  web server (comma-separated). Only requests from them have their ``RONGXIN_PROXY_HEADER``
  (default ``X-Forwarded-For``) believed; empty (the default) means the client is ``REMOTE_ADDR``.
- ``RONGXIN_INCENTIVE_MAX_CARDS``: printed incentive cards a holder may have in force per
  offer (default 3).
- ``RONGXIN_CHECKIN_EARLY_MINUTES``: a check-in up to this many minutes before an activity's
  start is on time (default 30); an earlier one is flagged as outside the activity's time.
- ``RONGXIN_LECTURE_PHOTO_MAX_BYTES``: largest photo of a lecture session (default 5 MiB);
  ``RONGXIN_LECTURE_PHOTOS_PER_SESSION`` how many a session keeps (default 9).
- ``RONGXIN_FUNDS_VOUCHER_MAX_BYTES``: largest voucher (scan or PDF) of a fund's movement
  (default 10 MiB).
- ``RONGXIN_PROJECTS_PHOTO_MAX_BYTES``: largest photo of a project milestone's report (default
  5 MiB); ``RONGXIN_PROJECTS_WISH_MAX_CEILING``: the highest ceiling value of a small wish in yuan
  (default 3000).
- ``RONGXIN_FUNDS_HONOUR_AMOUNT_REGIONS``: region code prefixes (comma-separated) whose public
  honour rolls show each award's amount (default none: the totals are in the fund's statement).
- ``RONGXIN_LECTURE_DISPATCH_DAYS`` / ``RONGXIN_LECTURE_ANSWER_DAYS``: days the centre has to
  dispatch an order (default 3) and the speaker to answer it (default 2).
- ``RONGXIN_LECTURE_COVERAGE_MONTHS``: a village with no lecture for this many months is shown as
  not covered (default 3).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from rongxin.core.addresses import parse_networks
from rongxin.core.hosts import development_allowed_hosts
from rongxin.core.secrets import load_secrets

BASE_DIR = Path(__file__).resolve().parent.parent
ENV = os.environ.get("RONGXIN_ENV", "development")
DATA_DIR = Path(os.environ.get("RONGXIN_DATA_DIR", Path.cwd() / "var")).resolve()

_secrets = load_secrets(env=ENV, data_dir=DATA_DIR)
SECRET_KEY = _secrets.secret_key
RONGXIN_PII_KEY = _secrets.pii_key

DEBUG = ENV == "development" and os.environ.get("RONGXIN_DEBUG", "1") == "1"
_named_hosts = [h.strip() for h in os.environ.get("RONGXIN_ALLOWED_HOSTS", "").split(",") if h.strip()]
if ENV == "production":
    ALLOWED_HOSTS = _named_hosts
else:
    ALLOWED_HOSTS = development_allowed_hosts(os.environ.get("RONGXIN_HOST", "127.0.0.1"), _named_hosts)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "rongxin.core",
    "rongxin.regions",
    "rongxin.accounts",
    "rongxin.subjects",
    "rongxin.credit",
    "rongxin.volunteering",
    "rongxin.incentives",
    "rongxin.lectures",
    "rongxin.canteens",
    "rongxin.funds",
    "rongxin.projects",
    "rongxin.synth",
    "rongxin.bench",
    "rongxin.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "rongxin.web.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "rongxin.web.middleware.PagesInChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "rongxin.web.middleware.TextCheckMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "rongxin.accounts.pages.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "rongxin.core.middleware.RequestContextMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "rongxin.web.middleware.ApplicationErrorMiddleware",
]

ROOT_URLCONF = "rongxin.config.urls"
WSGI_APPLICATION = "rongxin.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rongxin.web.context.navigation",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
DATA_DIR.mkdir(parents=True, exist_ok=True)
_default_db_url = f"sqlite:///{DATA_DIR / 'rongxin.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db_url))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server and the worker read while one writes; IMMEDIATE takes the
        # write lock at BEGIN so two writers never deadlock upgrading a read lock.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
            "PRAGMA temp_store=MEMORY;PRAGMA cache_size=-65536;"
        ),
    }
# Connections are kept for a minute (on SQLite that saves the open and the PRAGMAs above on
# every request). Tests close every connection (the live server thread too) so the test
# database can be dropped.
DATABASES["default"]["CONN_MAX_AGE"] = 0 if ENV == "test" else 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    # Shared across web workers and the worker process, on either engine, with no extra service.
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "rongxin_cache"},
    # Rate limits: atomic counters in the same database (one statement per step; see
    # rongxin.core.counters), shared across web workers like the default cache.
    "ratelimit": {"BACKEND": "rongxin.core.counters.CounterCache"},
}

# The job queue (rongxin.core.jobs; docs/adr/0005-job-queue.md): django-tasks with its database
# backend, so the queue lives in the same database on either engine. ``rongxin worker`` runs it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Attempts of a one-off job before it shows as failed, and the first retry's delay in seconds
# (each further retry waits twice as long).
RONGXIN_JOB_MAX_ATTEMPTS = int(os.environ.get("RONGXIN_JOB_MAX_ATTEMPTS", "3"))
RONGXIN_JOB_RETRY_SECONDS = float(os.environ.get("RONGXIN_JOB_RETRY_SECONDS", "30"))
# A worker that has not reported for this long is gone; its running job is run again (or fails).
RONGXIN_JOB_WORKER_STALE_MINUTES = float(os.environ.get("RONGXIN_JOB_WORKER_STALE_MINUTES", "10"))

# --- Auth -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if ENV == "test":
    # Tests create many users; argon2's cost is the production setting, not a test's concern.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_VIEW = "rongxin.web.views.ratelimited"
RONGXIN_LOGIN_RATE = os.environ.get("RONGXIN_LOGIN_RATE", "10/m")
RONGXIN_LOGIN_IP_RATE = os.environ.get("RONGXIN_LOGIN_IP_RATE", "30/m")
# The client address behind reverse proxies (rongxin.core.addresses): every per-address rate
# limit and the audit log use it.
try:
    RONGXIN_TRUSTED_PROXIES = parse_networks(os.environ.get("RONGXIN_TRUSTED_PROXIES", ""))
except ValueError as exc:
    raise ImproperlyConfigured(f"RONGXIN_TRUSTED_PROXIES: {exc}") from None
RONGXIN_PROXY_HEADER = "HTTP_" + os.environ.get("RONGXIN_PROXY_HEADER", "X-Forwarded-For").upper().replace("-", "_")
RATELIMIT_IP_META_KEY = "rongxin.core.addresses.ratelimit_address"
# Public certificate verification, per client address.
RONGXIN_VERIFY_RATE = os.environ.get("RONGXIN_VERIFY_RATE", "30/m")
# Providers' credential checks and redemptions, per account, counted in credentials.
RONGXIN_INCENTIVE_RATE = os.environ.get("RONGXIN_INCENTIVE_RATE", "3000/m")
# Printed incentive cards a holder may have in force per offer.
RONGXIN_INCENTIVE_MAX_CARDS = int(os.environ.get("RONGXIN_INCENTIVE_MAX_CARDS", "3"))
# Volunteers arrive a little early to get ready: a check-in this long before the start is on time.
RONGXIN_CHECKIN_EARLY_MINUTES = int(os.environ.get("RONGXIN_CHECKIN_EARLY_MINUTES", "30"))
RONGXIN_LECTURE_PHOTO_MAX_BYTES = int(os.environ.get("RONGXIN_LECTURE_PHOTO_MAX_BYTES", str(5 * 1024 * 1024)))
RONGXIN_LECTURE_PHOTOS_PER_SESSION = int(os.environ.get("RONGXIN_LECTURE_PHOTOS_PER_SESSION", "9"))
RONGXIN_FUNDS_HONOUR_AMOUNT_REGIONS = tuple(
    p.strip() for p in os.environ.get("RONGXIN_FUNDS_HONOUR_AMOUNT_REGIONS", "").split(",") if p.strip()
)
RONGXIN_FUNDS_VOUCHER_MAX_BYTES = int(os.environ.get("RONGXIN_FUNDS_VOUCHER_MAX_BYTES", str(10 * 1024 * 1024)))
RONGXIN_PROJECTS_PHOTO_MAX_BYTES = int(os.environ.get("RONGXIN_PROJECTS_PHOTO_MAX_BYTES", str(5 * 1024 * 1024)))
RONGXIN_PROJECTS_WISH_MAX_CEILING = int(os.environ.get("RONGXIN_PROJECTS_WISH_MAX_CEILING", "3000"))
RONGXIN_LECTURE_DISPATCH_DAYS = int(os.environ.get("RONGXIN_LECTURE_DISPATCH_DAYS", "3"))
RONGXIN_LECTURE_ANSWER_DAYS = int(os.environ.get("RONGXIN_LECTURE_ANSWER_DAYS", "2"))
RONGXIN_LECTURE_COVERAGE_MONTHS = int(os.environ.get("RONGXIN_LECTURE_COVERAGE_MONTHS", "3"))
# An import "running" without progress for this long was interrupted; the worker queues it again.
RONGXIN_IMPORT_STALE_MINUTES = float(os.environ.get("RONGXIN_IMPORT_STALE_MINUTES", "10"))
# Largest import file and most data rows per file; checked before a file is stored.
RONGXIN_IMPORT_MAX_BYTES = int(os.environ.get("RONGXIN_IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
RONGXIN_IMPORT_MAX_ROWS = int(os.environ.get("RONGXIN_IMPORT_MAX_ROWS", "200000"))
# No uploaded file may exceed the import limit: the first handler discards the bytes beyond it
# (and every byte of a request already too long), so nothing oversized reaches memory or disk.
FILE_UPLOAD_HANDLERS = [
    "rongxin.core.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # larger files are spooled to a temporary file
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # form fields other than files
# The public address of the platform (for links printed outside a request, e.g. certificate QR codes).
RONGXIN_BASE_URL = os.environ.get("RONGXIN_BASE_URL", "")
# Registrations refused because the ID number or USCC is already registered, per account
# (django-ratelimit syntax); past it the account's registrations answer 429 until the window ends.
RONGXIN_DUPLICATE_PROBE_RATE = os.environ.get("RONGXIN_DUPLICATE_PROBE_RATE", "20/h")

# --- Security ---------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
CSRF_FAILURE_VIEW = "rongxin.web.responses.csrf_failure"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the meta tag, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if ENV == "production":
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("RONGXIN_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading is a promise that every subdomain speaks HTTPS; turn it off where that is not so.
    SECURE_HSTS_PRELOAD = os.environ.get("RONGXIN_HSTS_PRELOAD", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Static files -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = ENV != "production"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("RONGXIN_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One line per job comes from rongxin.jobs; the queue's own lines (every state change of
        # every run, named only by the runner function) stay at WARNING and above.
        "django_tasks": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
    },
}
