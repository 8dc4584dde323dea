"""Aftersales settings: one module, driven by environment variables.

DATABASE_URL   default sqlite:///<repo>/var/aftersales.sqlite3 (WAL, IMMEDIATE transactions)
SECRET_KEY     required when DEBUG is off
SECRET_KEY_FALLBACKS  comma separated old keys still accepted after a rotation (default empty)
DEBUG          "1"/"true" turns debug on (default on only for the embedded SQLite demo)
ALLOWED_HOSTS  comma separated, default "127.0.0.1,localhost"
REDIS_URL      when set, cache and rate-limit state live in Redis instead of the database
TASK_BACKEND   "database" (default) or "immediate"
EMAIL_URL      smtp://user:pass@host:port (default: console backend)
NOTIFICATION_RETENTION_DAYS         days a sent message stays in the outbox (default 90)
NOTIFICATION_FAILED_RETENTION_DAYS  days a failed one stays (default 365)

A whole-number variable set to anything else (these and the ones further down) stops the
start with ImproperlyConfigured naming the variable.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("AFTERSALES_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or (minimum is not None and value < minimum):
        from django.core.exceptions import ImproperlyConfigured

        at_least = f" of at least {minimum}" if minimum is not None else ""
        raise ImproperlyConfigured(f"{name} must be a whole number{at_least} (it is {raw!r}).")
    return value


DEFAULT_SQLITE_URL = f"sqlite:///{VAR_DIR / 'aftersales.sqlite3'}"
DATABASE_URL = os.environ.get("DATABASE_URL", DEFAULT_SQLITE_URL)

DEBUG = env_bool("DEBUG", default="DATABASE_URL" not in os.environ and "SECRET_KEY" not in os.environ)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not env_bool("AFTERSALES_TESTING", False):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-the-embedded-demo-0123456789abcdef"
# Old keys after a rotation: sessions, signed links and encrypted webhook credentials made
# with them still open (docs/operations.md, "Rotating SECRET_KEY").
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", "")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "aftersales.core",
    "aftersales.accounts",
    "aftersales.customers",
    "aftersales.assets",
    "aftersales.calendars",
    "aftersales.tickets",
    "aftersales.notifications",
    "aftersales.mailin",
    "aftersales.portal",
]

# Django's own middleware, except that calls to the API with a bearer token pass by the
# parts that only serve pages and the session ("PagesOnly", aftersales.core.middleware).
# CSRF and frame options stay for every request (cheap, and `check --deploy` looks for them).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "aftersales.core.middleware.PagesOnlySessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "aftersales.core.middleware.PagesOnlyCommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "aftersales.core.middleware.PagesOnlyAuthenticationMiddleware",
    "aftersales.core.middleware.PagesOnlyMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "aftersales.core.middleware.PagesOnlyHtmxMiddleware",
    "aftersales.core.middleware.LoginRequiredMiddleware",
    "aftersales.core.middleware.WriteRateLimitMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "aftersales" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "aftersales.core.context_processors.navigation",
            ],
        },
    }
]


def database_config(url: str) -> dict:
    config = dj_database_url.parse(url, conn_max_age=env_int("CONN_MAX_AGE", 60, minimum=0))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at
            # BEGIN so concurrent writers queue on busy_timeout instead of failing mid-way.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        config["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME") or None}
    elif config["ENGINE"] == "django.db.backends.postgresql":
        # Server-side binding lets psycopg prepare a statement the second time a connection
        # runs it: PostgreSQL then skips parsing and planning, which was about 40 % of its
        # work on a ticket create (bench/RESULTS.md; decision 0016). 0 turns it off, e.g.
        # behind a transaction-mode PgBouncer older than 1.21.
        threshold = env_int("DATABASE_PREPARE_THRESHOLD", 2, minimum=0)
        if threshold:
            config["OPTIONS"] = {**config.get("OPTIONS", {}), "server_side_binding": True,
                                 "prepare_threshold": threshold}
    return config


DATABASES = {"default": database_config(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["aftersales.accounts.backends.RoleBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "aftersales" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request without it
STATICFILES_DIRS = [BASE_DIR / "aftersales" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and not env_bool("AFTERSALES_TESTING", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Shared by every process on one database. Rate limits do not use it without Redis: they
    # count in their own table (aftersales/core/ratelimit.py).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "aftersales_cache"}}

TASK_BACKEND = os.environ.get("TASK_BACKEND", "database")
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if TASK_BACKEND == "immediate"
        else "django_tasks_db.DatabaseBackend",
    }
}

EMAIL_URL = os.environ.get("EMAIL_URL", "")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "aftersales@localhost")
if EMAIL_URL:
    from urllib.parse import unquote, urlparse

    _mail = urlparse(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "127.0.0.1"
    EMAIL_PORT = _mail.port or 25
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_TLS = _mail.scheme == "smtp+tls"
    EMAIL_USE_SSL = _mail.scheme == "smtps"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# E-mail intake (aftersales/mailin; docs/operations.md): messages over MAILIN_MAX_BYTES are
# quarantined; IMAP polling is on when MAILIN_IMAP_HOST is set.
MAILIN_MAX_BYTES = env_int("MAILIN_MAX_BYTES", 25 * 1024 * 1024)
MAILIN_IMAP_HOST = os.environ.get("MAILIN_IMAP_HOST", "")
MAILIN_IMAP_PORT = env_int("MAILIN_IMAP_PORT", 0)  # 0: 993 for ssl, else 143
MAILIN_IMAP_SECURITY = os.environ.get("MAILIN_IMAP_SECURITY", "ssl")  # ssl | starttls | plain
MAILIN_IMAP_USER = os.environ.get("MAILIN_IMAP_USER", "")
MAILIN_IMAP_PASSWORD = os.environ.get("MAILIN_IMAP_PASSWORD", "")
MAILIN_IMAP_FOLDER = os.environ.get("MAILIN_IMAP_FOLDER", "INBOX")
MAILIN_IMAP_MOVE_TO = os.environ.get("MAILIN_IMAP_MOVE_TO", "")  # empty: mark seen and leave it in the folder
MAILIN_IMAP_BATCH = env_int("MAILIN_IMAP_BATCH", 100)
MAILIN_IMAP_TIMEOUT = env_int("MAILIN_IMAP_TIMEOUT", 30)

# Notifications outbox (aftersales/notifications; decision 0009): webhook timeout in seconds,
# attempts before a message is failed for good, first retry delay (doubles per attempt), and
# the address links in messages point to.
NOTIFY_WEBHOOK_TIMEOUT = float(os.environ.get("NOTIFY_WEBHOOK_TIMEOUT", "10"))
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 8)
NOTIFY_RETRY_BASE_SECONDS = env_int("NOTIFY_RETRY_BASE_SECONDS", 60)
# Outbox retention (notifications.prune, hourly): days before sent messages, and failed ones
# (kept longer, as evidence that a notice did not go out), are removed. Pending ones stay.
NOTIFICATION_RETENTION_DAYS = env_int("NOTIFICATION_RETENTION_DAYS", 90, minimum=1)
NOTIFICATION_FAILED_RETENTION_DAYS = env_int("NOTIFICATION_FAILED_RETENTION_DAYS", 365, minimum=1)
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The hotline printed on equipment QR labels (blank: "call the hotline in your contract").
SERVICE_HOTLINE = os.environ.get("SERVICE_HOTLINE", "")
# A stuck SMTP server must not hold a worker for ever (seconds).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)

# Uploads: contract documents (also checked by content) and import files.
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 20 * 1024 * 1024)
DOCUMENT_ALLOWED_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
# Attachments on service requests (photos, logs): checked by extension, size and content
# (the first bytes must be of the type the extension claims: aftersales/domain/filetypes.py).
TICKET_ATTACHMENT_MAX_BYTES = env_int("TICKET_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
TICKET_ATTACHMENT_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".heic": "image/heic",
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".log": "text/plain",
    ".zip": "application/zip",
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Rate limits: attempts per window (seconds).
RATE_LIMITS = {
    "login": (env_int("RATE_LIMIT_LOGIN", 10), 300),
    "write": (env_int("RATE_LIMIT_WRITE", 120), 60),
}

# Security: strict by default; `aftersales check --deploy` is clean when DEBUG is off.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less meta tag
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"aftersales": {"level": os.environ.get("LOG_LEVEL", "INFO")}},
}

NINJA_PAGINATION_PER_PAGE = 50

# Only throw-away test databases may purge the audit log (flush between tests); see
# aftersales/core/migrations/0002_auditlog_append_only_triggers.py.
AUDIT_PURGE_ALLOWED = False
