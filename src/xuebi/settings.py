"""xuebi settings. Everything a deployment changes comes from ``XUEBI_*`` environment variables.

Defaults are safe for a single machine: an embedded SQLite database and generated secrets
in the data directory, debug off. See README.md ("Configuration") for the full list.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("XUEBI_DATA_DIR") or Path.cwd() / "var").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_from_file(name: str, make) -> str:
    """Read a secret kept in the data directory, creating it (mode 0600) on first use.

    Secrets are never in the repository: either the environment gives one or each
    installation generates its own.
    """
    path = DATA_DIR / name
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(make())
    return path.read_text().strip()


SECRET_KEY = os.environ.get("XUEBI_SECRET_KEY") or _secret_from_file("secret_key", lambda: secrets.token_urlsafe(50))
# The key that encrypts 身份证号 at rest and keys their lookup hash (core/crypto.py).
FIELD_KEY = os.environ.get("XUEBI_FIELD_KEY") or _secret_from_file("field_key", lambda: secrets.token_urlsafe(32))

DEBUG = env_bool("XUEBI_DEBUG")
# Demo mode: the demo accounts exist and two-factor sign-in is offered but not required.
DEMO = env_bool("XUEBI_DEMO")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("XUEBI_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("XUEBI_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_htmx",
    "django_tables2",
    "django_filters",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "xuebi.core",
    "xuebi.org",
    "xuebi.audit",
    "xuebi.jobs",
    "xuebi.accounts",
    "xuebi.campaign",
    "xuebi.notifications",
    "xuebi.checklists",
    "xuebi.ledger",
    "xuebi.study",
    "xuebi.contests",
    "xuebi.exams",
    "xuebi.orginfo",
    "xuebi.assessments",
    "xuebi.points",
    "xuebi.reports",
    "xuebi.home",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "xuebi.core.middleware.RequestContextMiddleware",
    "xuebi.core.errors.ApiErrorMiddleware",
    "xuebi.core.middleware.CleanInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "xuebi.core.middleware.RequestUserMiddleware",
    "xuebi.accounts.middleware.IdleTimeoutMiddleware",
    "xuebi.accounts.middleware.AccountPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "xuebi.urls"
WSGI_APPLICATION = "xuebi.wsgi.application"

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
                "xuebi.home.context_processors.navigation",
            ],
        },
    },
]

_default_db = f"sqlite:///{DATA_DIR / 'xuebi.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("XUEBI_DATABASE_URL") or _default_db, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A connection kept for a minute, as on PostgreSQL: opening one (and its PRAGMAs) on every
    # request was most of what a signed-in request cost over an anonymous one (which opens none).
    DATABASES["default"]["CONN_MAX_AGE"] = 60
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so
        # concurrent writers wait (busy timeout) instead of failing half-way.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's, reading the signed-in user from Redis when that is shared (accounts.backends)
    "xuebi.accounts.backends.UserBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "xuebi.accounts.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "xuebi.accounts.passwords.NotUsernameValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Account policy (DOMAIN.md, 等保 baseline); each is configurable.
XUEBI_IDLE_TIMEOUT_MINUTES = env_int("XUEBI_IDLE_TIMEOUT_MINUTES", 30)
XUEBI_PASSWORD_MAX_AGE_DAYS = env_int("XUEBI_PASSWORD_MAX_AGE_DAYS", 90)
XUEBI_LOCKOUT_FAILURES = env_int("XUEBI_LOCKOUT_FAILURES", 5)
XUEBI_LOCKOUT_MINUTES = env_int("XUEBI_LOCKOUT_MINUTES", 30)
XUEBI_REQUIRE_2FA = env_bool("XUEBI_REQUIRE_2FA", default=not DEMO)
# The roles that must sign in with TOTP while XUEBI_REQUIRE_2FA is on (role codes, comma-separated;
# accounts/checks.py refuses an unknown code at start-up).
XUEBI_REQUIRE_2FA_ROLES = tuple(
    r.strip() for r in os.environ.get("XUEBI_REQUIRE_2FA_ROLES", "league_admin,sysadmin,secadmin,auditor").split(",") if r.strip()
)
# The longest life of a personal access token, in days (0 = tokens never expire); a token may be made shorter.
XUEBI_TOKEN_MAX_AGE_DAYS = env_int("XUEBI_TOKEN_MAX_AGE_DAYS", 180)
# Accounts opened from the roster: usernames from the name's pinyin ("full": wangfang, or
# "surname_initials": wangf), and the site address printed on the 开通通知单 (default: the
# address the 系统管理员 is using).
XUEBI_USERNAME_STYLE = os.environ.get("XUEBI_USERNAME_STYLE", "full")
XUEBI_SITE_URL = os.environ.get("XUEBI_SITE_URL", "")
# Evidence uploads (台账佐证材料): the largest file accepted, in megabytes.
XUEBI_EVIDENCE_MAX_MB = env_int("XUEBI_EVIDENCE_MAX_MB", 20)
# The most pixels an uploaded image may declare (width × height), checked before it is decoded.
XUEBI_IMAGE_MAX_PIXELS = env_int("XUEBI_IMAGE_MAX_PIXELS", 40_000_000)
# 重算积分: a preview over more sources than this runs in the background with a progress bar
XUEBI_RECOMPUTE_INLINE = env_int("XUEBI_RECOMPUTE_INLINE", 100)
# A roster import of more rows than this is written by a background job (the page follows it).
XUEBI_IMPORT_INLINE_ROWS = env_int("XUEBI_IMPORT_INLINE_ROWS", 300)
# An export (roster, audit log, board) of more rows than this is written by a background job,
# downloaded from the job's page when it is done.
XUEBI_EXPORT_INLINE_ROWS = env_int("XUEBI_EXPORT_INLINE_ROWS", 3000)
# How often `xuebi worker` looks for periodic tasks that are due (jobs.schedule), in seconds.
XUEBI_SCHEDULE_SECONDS = env_int("XUEBI_SCHEDULE_SECONDS", 60)
# Group robots (企业微信, 钉钉) may be sent messages only on these hosts (comma-separated): an
# administrator's webhook address cannot make the server call anything else on the network.
XUEBI_WEBHOOK_HOSTS = tuple(
    h.strip().lower()
    for h in os.environ.get("XUEBI_WEBHOOK_HOSTS", "qyapi.weixin.qq.com,oapi.dingtalk.com").split(",")
    if h.strip()
)
# Checklist reminders (清单事项): days before the due date of the first reminder, and every how many
# days an overdue item is brought up again (to the responsible person and their unit's admins).
XUEBI_CHECKLIST_REMIND_DAYS = env_int("XUEBI_CHECKLIST_REMIND_DAYS", 3)
XUEBI_CHECKLIST_OVERDUE_EVERY_DAYS = env_int("XUEBI_CHECKLIST_OVERDUE_EVERY_DAYS", 3)
# The most an imported .xlsx (a roster) may unpack to, all its parts together, in megabytes.
XUEBI_IMPORT_MAX_UNZIPPED_MB = env_int("XUEBI_IMPORT_MAX_UNZIPPED_MB", 50)

AXES_FAILURE_LIMIT = XUEBI_LOCKOUT_FAILURES
AXES_COOLOFF_TIME = timedelta(minutes=XUEBI_LOCKOUT_MINUTES)
# Lock the account after N failures from anywhere, and the address after N failures on any account.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "xuebi.accounts.views.locked_out"
# The lockout counts the same address the audit log records (the one the trusted proxy saw).
AXES_CLIENT_IP_CALLABLE = "xuebi.core.middleware.client_ip"
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
HTTPS = env_bool("XUEBI_HTTPS")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("XUEBI_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
XUEBI_BEHIND_PROXY = env_bool("XUEBI_BEHIND_PROXY")
# How many reverse proxies of our own stand in front of the app: each appends the address it saw
# to X-Forwarded-For, so the client is the entry this many places from the right.
XUEBI_TRUSTED_PROXIES = env_int("XUEBI_TRUSTED_PROXIES", 1)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if XUEBI_BEHIND_PROXY else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = Path(os.environ.get("XUEBI_MEDIA_ROOT") or DATA_DIR / "media")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # form fields; files are limited by XUEBI_EVIDENCE_MAX_MB
MEDIA_URL = "/media/"  # never served directly: files go through views that check permissions
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Background jobs' result files (large exports): never served directly, only to their owner
    # through jobs.views.download.
    "jobs": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(DATA_DIR / "jobs")}},
    # Issued notices and summaries, kept byte for byte as issued; served only through their pages.
    "documents": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(DATA_DIR / "documents")}},
}
# Serve assets straight from the package so that no collectstatic step is needed to run.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # What a background task reports while it runs (a progress bar's figures): read by the web
    # processes, written by the worker's, so never per-process memory. Files under DATA_DIR on one
    # machine (not the database: on SQLite a running recomputation holds its write lock); Redis
    # when there is one.
    "progress": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(DATA_DIR / "progress")},
}
# Whether the cache is one for all app servers (Redis). Only then are sessions read from it
# (cached_db: written through to the database, read from Redis) and the signed-in user's row
# (accounts.backends): a per-process cache could not be told that a session ended or an account
# was disabled in another process.
XUEBI_SHARED_CACHE = bool(os.environ.get("XUEBI_REDIS_URL"))
if XUEBI_SHARED_CACHE:
    CACHES["default"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["XUEBI_REDIS_URL"]}
    CACHES["progress"] = {**CACHES["default"], "KEY_PREFIX": "progress"}
    SESSION_ENGINE = "xuebi.accounts.sessions"  # cached_db, reading the access token with the session
# Each app server's own copy of the board caches, in front of Redis (points.boards.cached, used
# only with the shared cache: their keys carry the version of the data they were computed from,
# so a local copy is never stale).
CACHES["boards"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "xuebi-boards"}

# Background tasks (issue 14): Django's tasks API through the django-tasks backport. By default the
# queue is a table of this database, run by `xuebi worker` (make demo starts one beside the web
# server); with XUEBI_REDIS_URL the same tasks go to RQ over Redis, so workers can run on other
# machines. Tasks are enqueued when the request's transaction commits.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if XUEBI_SHARED_CACHE:
    INSTALLED_APPS += ["django_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": os.environ["XUEBI_REDIS_URL"]}}

DJANGO_TABLES2_TEMPLATE = "core/table.html"
DJANGO_TABLES2_PAGE_RANGE = 5

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("XUEBI_LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
