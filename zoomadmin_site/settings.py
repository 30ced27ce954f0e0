"""Zoom Admin settings: one module, every value from the environment (see .env.example)."""

from __future__ import annotations

import re
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# Values from a .env file fill in what the environment does not set (`make run` writes one for the local
# demo: see zoomadmin_site/localenv.py). ZOOMADMIN_ENV_FILE names another file; empty reads none.
ENV_FILE = env.str("ZOOMADMIN_ENV_FILE", default=str(BASE_DIR / ".env"))
if ENV_FILE and Path(ENV_FILE).is_file():
    env.read_env(ENV_FILE)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY in the environment or in .env "
            "(production), or set DEBUG=true for local development."
        )
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django_htmx",
    "django_tasks_db",
    "zoomadmin_site",
    "zoomadmin_site.audit",
    "zoomadmin_site.mirror",
    "zoomadmin_site.changes",
    "accounts",
    "meetings",
    "zoomadmin_site.sync",
    "zoomadmin_site.api",
]

MIDDLEWARE = [
    "zoomadmin_site.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "zoomadmin_site.middleware.NoStoreForOperatorsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "zoomadmin_site.urls"
WSGI_APPLICATION = "zoomadmin_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zoomadmin_site.context_processors.operator",
            ],
        },
    },
]

# Database: SQLite file under var/ by default (WAL, immediate write transactions so concurrent
# writers queue instead of failing; reads through a memory map shared by all workers, since SQLite's own
# page cache is 2 MB per connection), PostgreSQL through DATABASE_URL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'zoomadmin.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; "
                "PRAGMA mmap_size=2147483648;"
            ),
            "transaction_mode": "IMMEDIATE",
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": None}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: shared by every worker (sessions, Zoom token, rate budget). Database cache by default, Redis via
# CACHE_URL. The database cache's table is created by `manage.py migrate` (or `createcachetable`).
CACHES = {
    "default": env.cache_url("CACHE_URL", default="dbcache://zoomadmin_cache"),
}
# Django's default of 300 entries is far too few here: past it, culling deletes live entries (the Zoom
# calls' send slots, login throttle counts, a shown plan's fingerprint), not only expired ones. Expired
# entries go first, so the table stays near what is live. CACHE_URL's ?max_entries= overrides this.
CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 50_000)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["zoomadmin_site.auth_backends.OperatorBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Login throttling (zoomadmin_site.throttle): this many failed logins for one username, or from one
# client address, within the window lock that username or address out for the cool-off time.
LOGIN_FAILURE_LIMIT_PER_USERNAME = env.int("LOGIN_FAILURE_LIMIT_PER_USERNAME", default=5)
LOGIN_FAILURE_LIMIT_PER_ADDRESS = env.int("LOGIN_FAILURE_LIMIT_PER_ADDRESS", default=20)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=15 * 60)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=15 * 60)
for _name in (
    "LOGIN_FAILURE_LIMIT_PER_USERNAME",
    "LOGIN_FAILURE_LIMIT_PER_ADDRESS",
    "LOGIN_FAILURE_WINDOW_SECONDS",
    "LOGIN_LOCKOUT_SECONDS",
):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be a whole number of 1 or more, not {globals()[_name]}.")

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = False  # English only: Django then leaves its translation machinery unloaded, for speed
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Security headers. A strict CSP: no inline script or style anywhere; htmx is configured through a
# meta tag so it injects no style element either.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sessions in the database, read through the shared cache (Django's cached_db). The cache must be one
# that every worker shares (the database cache by default, or CACHE_URL's Redis etc.): logging out deletes
# the session from both, and a per-process cache would let other workers go on accepting the cookie.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
if not DEBUG and CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache":
    raise ImproperlyConfigured(
        "CACHE_URL names a cache of each process's own (locmem), but sessions, the Zoom token and the rate "
        "budget need one cache shared by every worker: leave CACHE_URL unset (database cache) or use Redis."
    )
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
CSRF_COOKIE_HTTPONLY = False  # htmx reads no cookie; the token travels in hx-headers
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    if env.bool("BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Background tasks: Django's tasks framework with the database backend (worker: manage.py db_worker).
TASKS = {"default": {"BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}}

# Change requests (role changes, host transfers): see zoomadmin_site/changes.
# A request nobody decided expires after this many hours.
CHANGE_REQUEST_TTL_HOURS = env.int("CHANGE_REQUEST_TTL_HOURS", default=72)
# An execution still running after this long is taken for dead and resolved by reading Zoom back.
CHANGE_RECONCILE_AFTER_SECONDS = env.int("CHANGE_RECONCILE_AFTER_SECONDS", default=300)
# Target roles (names, as Zoom reports them) that need no manager's approval: by default only a
# demotion to Member. Any other role raises privileges and waits for approval.
ROLE_CHANGE_NO_APPROVAL_ROLES = env.list("ROLE_CHANGE_NO_APPROVAL_ROLES", default=["Member"])
# How many distinct managers approve a role promotion (1, or 2 for a four-eyes-plus policy).
ROLE_CHANGE_APPROVERS_REQUIRED = env.int("ROLE_CHANGE_APPROVERS_REQUIRED", default=1)
# Host transfers: Zoom's meeting create/update requests per host per UTC day (100 on every plan), and how
# many meetings an offboarding job moves at the same time (within the shared rate budget). A meeting
# makes two calls a Zoom latency apart plus its database work, about half a second: keeping Pro's ~29
# calls a second busy takes 7 to 9 in flight, more on a busy machine; the budget paces them all.
ZOOM_MEETING_DAILY_UPDATES = env.int("ZOOM_MEETING_DAILY_UPDATES", default=100)
TRANSFER_JOB_WORKERS = env.int("TRANSFER_JOB_WORKERS", default=12)
# Email domains whose users sign in with SSO/SAML role mapping: Zoom may reset their role at the next
# login, so a role change there is warned about.
ZOOM_SSO_ROLE_MAPPED_DOMAINS = [
    d.lower().lstrip("@") for d in env.list("ZOOM_SSO_ROLE_MAPPED_DOMAINS", default=[])
]

# Zoom. ZOOM_MODE=sandbox (default) uses the embedded simulator; live needs the three credentials.
ZOOM_MODE = env.str("ZOOM_MODE", default="sandbox")
if ZOOM_MODE not in {"sandbox", "live"}:
    raise ImproperlyConfigured(f"ZOOM_MODE must be 'sandbox' or 'live', not {ZOOM_MODE!r}.")
ZOOM_ACCOUNT_ID = env.str("ZOOM_ACCOUNT_ID", default="")
ZOOM_CLIENT_ID = env.str("ZOOM_CLIENT_ID", default="")
ZOOM_CLIENT_SECRET = env.str("ZOOM_CLIENT_SECRET", default="")
ZOOM_API_BASE_URL = env.str("ZOOM_API_BASE_URL", default="https://api.zoom.us/v2")
ZOOM_OAUTH_URL = env.str("ZOOM_OAUTH_URL", default="https://zoom.us/oauth/token")
ZOOM_WEBHOOK_SECRET_TOKEN = env.str("ZOOM_WEBHOOK_SECRET_TOKEN", default="")
# Refused webhook deliveries: one audit event per source address and reason per window of this many
# seconds, counting the rest (sync/rejections.py).
ZOOM_WEBHOOK_REJECTION_WINDOW_SECONDS = env.int("ZOOM_WEBHOOK_REJECTION_WINDOW_SECONDS", default=600)
if ZOOM_WEBHOOK_REJECTION_WINDOW_SECONDS < 1:
    raise ImproperlyConfigured("ZOOM_WEBHOOK_REJECTION_WINDOW_SECONDS must be at least 1.")
ZOOM_TIMEOUT_SECONDS = env.float("ZOOM_TIMEOUT_SECONDS", default=15.0)
ZOOM_CONNECT_TIMEOUT_SECONDS = env.float("ZOOM_CONNECT_TIMEOUT_SECONDS", default=5.0)
ZOOM_MAX_RETRIES = env.int("ZOOM_MAX_RETRIES", default=4)
ZOOM_RATE_LIMIT_PER_SECOND = env.float("ZOOM_RATE_LIMIT_PER_SECOND", default=20.0)
ZOOM_BACKGROUND_SHARE = env.float("ZOOM_BACKGROUND_SHARE", default=0.7)
if not 0 < ZOOM_BACKGROUND_SHARE <= 1:
    raise ImproperlyConfigured(f"ZOOM_BACKGROUND_SHARE must be in (0, 1], not {ZOOM_BACKGROUND_SHARE}.")
ZOOM_MAX_RETRY_WAIT_SECONDS = env.float("ZOOM_MAX_RETRY_WAIT_SECONDS", default=30.0)
ZOOM_RATE_LIMIT_MAX_WAIT_SECONDS = env.float("ZOOM_RATE_LIMIT_MAX_WAIT_SECONDS", default=10.0)
# Full mirror sync: concurrent per-user reads, and the nightly schedule ("HH:MM" UTC, or "off").
ZOOM_SYNC_WORKERS = env.int("ZOOM_SYNC_WORKERS", default=6)
# A running sync renews its lease every few seconds; one not heard from for this long is taken for dead
# (interrupted, resumable). At once when its process is gone from this machine.
ZOOM_SYNC_LEASE_SECONDS = env.float("ZOOM_SYNC_LEASE_SECONDS", default=60.0)
if not ZOOM_SYNC_LEASE_SECONDS > 0:
    raise ImproperlyConfigured(f"ZOOM_SYNC_LEASE_SECONDS must be more than 0, not {ZOOM_SYNC_LEASE_SECONDS}.")
ZOOM_SYNC_SCHEDULE = env.str("ZOOM_SYNC_SCHEDULE", default="02:30").strip()
if ZOOM_SYNC_SCHEDULE.lower() not in {"", "off", "none"} and not re.fullmatch(
    r"([01]?[0-9]|2[0-3]):[0-5][0-9]", ZOOM_SYNC_SCHEDULE, flags=re.ASCII
):
    raise ImproperlyConfigured(
        "ZOOM_SYNC_SCHEDULE must be a 24-hour UTC time HH:MM (like 02:30) or 'off', "
        f"not {ZOOM_SYNC_SCHEDULE!r}."
    )
ZOOM_SANDBOX_STATE = env.path("ZOOM_SANDBOX_STATE", default=str(VAR_DIR / "zoom-sandbox.sqlite3"))
if ZOOM_MODE == "live":
    _missing = [
        name for name in ("ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET") if not globals()[name]
    ]
    if _missing:
        raise ImproperlyConfigured(
            "ZOOM_MODE=live needs Zoom Server-to-Server OAuth credentials; missing: " + ", ".join(_missing)
        )

ZOOMADMIN_DEMO_PASSWORD = env.str("ZOOMADMIN_DEMO_PASSWORD", default="zoomadmin-demo")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "zoomadmin_site.zoom": {"level": env.str("ZOOM_LOG_LEVEL", default="INFO")},
        "django.db.backends": {"level": "INFO"},
        "httpx": {"level": "WARNING"},  # one line per Zoom call comes from zoomadmin_site.zoom at DEBUG
    },
}
