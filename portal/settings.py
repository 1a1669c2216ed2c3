"""Settings for Liên thông Dược, read from environment variables.

Development works with nothing set (SQLite, a file-system Celery broker, mail to the
console); production differs only by variables and refuses to start with an unsafe one.
"""

import ipaddress
import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from provisioning.national.endpoints import DEFAULT_BASE_URLS, LEGACY, V2

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def env(name, default=""):
    """A string variable; `NAME_FILE` (a path) wins, so secrets can live in files."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


def envbool(name, default):
    value = env(name, "yes" if default else "no").strip().lower()
    if value in ("1", "yes", "true", "on"):
        return True
    if value in ("0", "no", "false", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be yes or no, not {value!r}")


def envint(name, default):
    value = env(name, str(default))
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def envlist(name, default):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEV_SECRET_KEY = "dev-only-secret-key-never-use-in-production"
SECRET_KEY = env("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = envbool("DEBUG", True)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "testserver"}

if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured("Production needs SECRET_KEY (or SECRET_KEY_FILE) to be set.")
# The same bar as Django's own deployment check (security.W009).
if not DEBUG and (
    len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-")
):
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for production: it needs at least 50 characters, at least 5 of"
        " them different (python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )
if DEBUG and any(host not in LOCAL_HOSTS for host in ALLOWED_HOSTS):
    raise ImproperlyConfigured("DEBUG must be off when ALLOWED_HOSTS names a public host.")
if not DEBUG and "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the portal's hosts, not '*'.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "import_export",
    "django_htmx",
    "provisioning",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "provisioning.middleware.PreferredLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "provisioning.middleware.RefuseNulMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "provisioning.middleware.StaffTwoFactorMiddleware",
    "provisioning.middleware.ProfileRequiredMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "django.template.context_processors.i18n",
                "provisioning.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # Celery workers and the web server write at once in the demo: wait rather than fail.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
if not DEBUG and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        "Production needs DATABASE_URL on PostgreSQL (postgres://...); SQLite is for development."
    )
# Rate-limit counters and used TOTP codes must be shared by every process: Redis.
CACHE_URL = env("CACHE_URL", "")
if CACHE_URL and urlsplit(CACHE_URL).scheme not in ("redis", "rediss", "unix"):
    raise ImproperlyConfigured(f"CACHE_URL must be a redis:// address, not {CACHE_URL!r}")
if not DEBUG and not CACHE_URL:
    raise ImproperlyConfigured(
        "Production needs CACHE_URL (Redis): a per-process memory cache would let every worker"
        " count rate limits on its own."
    )
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "provisioning.User"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Uploaded dossiers are private: they live outside any public folder and are only ever
# served by a permission-checked view, so there is deliberately no MEDIA_URL to browse.
PRIVATE_STORAGE_ROOT = Path(env("PRIVATE_STORAGE_ROOT", str(VAR_DIR / "private")))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_STORAGE_ROOT, "base_url": "/khong-cong-khai/"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# In production nginx sends private files after the permission check (see deploy/nginx.conf).
PRIVATE_ACCEL_REDIRECT_PREFIX = env("PRIVATE_ACCEL_REDIRECT_PREFIX", "")
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Secrets kept encrypted at rest (initial passwords until the facility changes them).
# One Fernet key, or several comma-separated, newest first, while rotating them.
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY", "")
if not DEBUG and not FIELD_ENCRYPTION_KEY:
    raise ImproperlyConfigured("Production needs FIELD_ENCRYPTION_KEY (a Fernet key).")
if FIELD_ENCRYPTION_KEY:
    from provisioning.crypto import parse_keys

    parse_keys(FIELD_ENCRYPTION_KEY)  # a key that is not one stops the start

# E-mail: SMTP in production, printed to the console in development.
email_backend = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
# Backends that keep e-mails unsent; the demo mailbox is provisioning/demo_mailbox.py.
DEVELOPMENT_EMAIL_BACKENDS = {
    *(
        f"django.core.mail.backends.{name}.EmailBackend"
        for name in ("console", "filebased", "locmem", "dummy")
    ),
    "provisioning.demo_mailbox.EmailBackend",
}
if not DEBUG and email_backend in DEVELOPMENT_EMAIL_BACKENDS:
    raise ImproperlyConfigured(
        f"Production cannot send e-mail with {email_backend}: set EMAIL_BACKEND to SMTP."
    )
MAILERS = {
    "default": {
        "BACKEND": email_backend,
        "OPTIONS": {
            key: value
            for key, value in {
                "host": env("EMAIL_HOST", ""),
                "port": envint("EMAIL_PORT", 25),
                "username": env("EMAIL_HOST_USER", ""),
                "password": env("EMAIL_HOST_PASSWORD", ""),
                "use_tls": envbool("EMAIL_USE_TLS", False),
            }.items()
            if env("EMAIL_HOST", "")
        },
    }
}
# The demo keeps its mail in a mailbox page instead of sending it (provisioning/demo_mailbox.py).
DEMO_MAILBOX_DIR = Path(env("DEMO_MAILBOX_DIR", str(VAR_DIR / "mail")))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Liên thông Dược <no-reply@lienthongduoc.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Who hears of server errors and of secrets no encryption key opens (mail_admins).
ADMINS = envlist("ADMINS", "")

# Celery: Redis in production; a file-system broker for the demo needs no server at all.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(VAR_DIR / "broker"),
        "data_folder_out": str(VAR_DIR / "broker"),
        "processed_folder": str(VAR_DIR / "broker-done"),
        "control_folder": str(VAR_DIR / "broker-control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": 3600}
)
if CELERY_BROKER_URL.startswith("filesystem"):
    for folder in ("broker", "broker-done", "broker-control"):
        (VAR_DIR / folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE

# allauth: e-mail is the login; staff get TOTP.
SITE_ID = 1
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# The representative's full name and position, printed on the letters they sign.
ACCOUNT_SIGNUP_FORM_CLASS = "provisioning.forms.SignupForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Liên thông Dược] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
if envbool("ACCOUNT_RATE_LIMITS_OFF", False):
    ACCOUNT_RATE_LIMITS = False
# allauth with the portal's client address (TRUSTED_PROXIES) and a failed-login count per
# account that spares browsers where the owner signed in before (provisioning/ratelimit.py).
ACCOUNT_ADAPTER = "provisioning.ratelimit.AccountAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_ADAPTER = "provisioning.adapters.MFAAdapter"
MFA_TOTP_ISSUER = "Liên thông Dược"
LOGIN_REDIRECT_URL = "home"
LOGIN_URL = "account_login"

# Staff must use two-factor authentication; the demo may relax it, with a visible banner.
STAFF_REQUIRE_MFA = envbool("STAFF_REQUIRE_MFA", not DEBUG)
if not DEBUG and not STAFF_REQUIRE_MFA and not envbool("ALLOW_STAFF_WITHOUT_MFA", False):
    raise ImproperlyConfigured("Production requires two-factor authentication for staff.")

# The domain
PORTAL_PROVINCE_CODES = [int(code) for code in envlist("PORTAL_PROVINCE_CODES", "24")]
DOSSIER_WORKING_DAYS = envint("DOSSIER_WORKING_DAYS", 5)
DOSSIER_DUE_SOON_WORKING_DAYS = envint("DOSSIER_DUE_SOON_WORKING_DAYS", 1)
# A dossier due within this many working days (or overdue) gets an apology drafted, which
# proposes a new date this many working days after the old one.
APOLOGY_NOTICE_WORKING_DAYS = envint("APOLOGY_NOTICE_WORKING_DAYS", 1)
APOLOGY_EXTENSION_WORKING_DAYS = envint("APOLOGY_EXTENSION_WORKING_DAYS", 5)
# Whether the Sở waits for Viettel's confirmation of the interconnection before proposing
# approval (True), or reviews in parallel and only the approver sees the flag (False).
REVIEW_WAITS_FOR_INTERCONNECTION = envbool("REVIEW_WAITS_FOR_INTERCONNECTION", True)
# The bundled national-system simulator (demo and tests) keeps its accounts and pushes here.
NATIONAL_SIMULATOR_DB = Path(
    env("NATIONAL_SIMULATOR_DB", str(VAR_DIR / "national_simulator.sqlite3"))
)

# The two national pharmacy systems (provisioning/national/). Unset, both point at the
# bundled simulators on this machine: production refuses that unless
# NATIONAL_ALLOW_SIMULATOR says it is meant (a training or demo server).
NATIONAL_LEGACY_URL = env("NATIONAL_LEGACY_URL", DEFAULT_BASE_URLS[LEGACY]).rstrip("/")
NATIONAL_V2_URL = env("NATIONAL_V2_URL", DEFAULT_BASE_URLS[V2]).rstrip("/")
NATIONAL_TIMEOUT = envint("NATIONAL_TIMEOUT", 10)
NATIONAL_RETRIES = envint("NATIONAL_RETRIES", 3)
NATIONAL_VERIFY_TLS = envbool("NATIONAL_VERIFY_TLS", True)
NATIONAL_ALLOW_SIMULATOR = envbool("NATIONAL_ALLOW_SIMULATOR", False)
if NATIONAL_TIMEOUT < 1:
    raise ImproperlyConfigured("NATIONAL_TIMEOUT must be at least 1 second.")
if NATIONAL_RETRIES < 0:
    raise ImproperlyConfigured("NATIONAL_RETRIES must not be negative.")


def is_loopback(url):
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


NATIONAL_SYSTEMS = {
    system: {
        "base_url": url,
        "timeout": NATIONAL_TIMEOUT,
        "retries": NATIONAL_RETRIES,
        "verify_tls": NATIONAL_VERIFY_TLS,
    }
    for system, url in ((LEGACY, NATIONAL_LEGACY_URL), (V2, NATIONAL_V2_URL))
}
for name, url in (
    ("NATIONAL_LEGACY_URL", NATIONAL_LEGACY_URL),
    ("NATIONAL_V2_URL", NATIONAL_V2_URL),
):
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise ImproperlyConfigured(f"{name} must be an http:// or https:// address, not {url!r}")
    if not DEBUG and is_loopback(url) and not NATIONAL_ALLOW_SIMULATOR:
        raise ImproperlyConfigured(
            f"{name} points at this machine ({url}), where only the simulator runs: set it to"
            " the national system, or NATIONAL_ALLOW_SIMULATOR=yes if that is meant."
        )
INITIAL_PASSWORD_LENGTH = envint("INITIAL_PASSWORD_LENGTH", 12)
PAGE_SIZE = envint("PAGE_SIZE", 25)

UPLOAD_ALLOWED_TYPES = envlist("UPLOAD_ALLOWED_TYPES", "application/pdf,image/jpeg,image/png")
UPLOAD_MAX_FILE_BYTES = envint("UPLOAD_MAX_FILE_BYTES", 10 * 1024 * 1024)
UPLOAD_MAX_DOSSIER_BYTES = envint("UPLOAD_MAX_DOSSIER_BYTES", 30 * 1024 * 1024)
# Optional virus scan of every upload by a ClamAV daemon, through its unix socket or over TCP.
# With neither set nothing is scanned, and the admin index says so. When set, an upload is
# refused while clamd cannot be reached (provisioning/virusscan.py).
CLAMAV_SOCKET = env("CLAMAV_SOCKET", "")
CLAMAV_HOST = env("CLAMAV_HOST", "")
CLAMAV_PORT = envint("CLAMAV_PORT", 3310)
CLAMAV_TIMEOUT = envint("CLAMAV_TIMEOUT", 10)
if CLAMAV_SOCKET and CLAMAV_HOST:
    raise ImproperlyConfigured("Set CLAMAV_SOCKET or CLAMAV_HOST, not both.")
if CLAMAV_TIMEOUT < 1:
    raise ImproperlyConfigured("CLAMAV_TIMEOUT must be at least 1 second.")

# Monitoring whether data keeps arriving after the handover (provisioning/monitoring/).
# Days without data before an account is late, silent, due for locking (Decision 412: three
# months); MONITORING_GRACE_DAYS overrides them per facility type as JSON, for instance
# {"phong_kham": {"late": 10}}. Clinics and wholesalers push less often than pharmacies.
MONITORING_GRACE_DEFAULT = {"late": 3, "silent": 14, "due_lock": 90}
MONITORING_GRACE_DAYS = {
    "phong_kham": {"late": 7, "silent": 21},
    "ban_buon": {"late": 7, "silent": 21},
}
try:
    _grace = json.loads(env("MONITORING_GRACE_DAYS", "{}"))
    for _kind, _days in _grace.items():
        MONITORING_GRACE_DAYS[_kind] = {**MONITORING_GRACE_DAYS.get(_kind, {}), **_days}
    for _kind, _days in MONITORING_GRACE_DAYS.items():
        _full = {**MONITORING_GRACE_DEFAULT, **_days}
        if set(_full) != set(MONITORING_GRACE_DEFAULT) or not all(
            type(day) is int and day > 0 for day in _full.values()
        ):
            raise ValueError(_kind)
        if not _full["late"] < _full["silent"] < _full["due_lock"]:
            raise ValueError(_kind)
except (ValueError, TypeError, AttributeError) as exc:
    raise ImproperlyConfigured(
        "MONITORING_GRACE_DAYS must map facility types to whole days with "
        'late < silent < due_lock, e.g. {"phong_kham": {"late": 7}}.'
    ) from exc
# Raw sync reports are kept this long (daily counts stay); older pushes are refused, so a
# resent report is always recognised as a duplicate.
MONITORING_REPORT_RETENTION_DAYS = envint("MONITORING_REPORT_RETENTION_DAYS", 90)
# How far in the future a pushed_at may be (clock skew of the sender), in seconds.
MONITORING_CLOCK_SKEW_SECONDS = envint("MONITORING_CLOCK_SKEW_SECONDS", 300)
# Calls of the sync-report API per key and window (seconds).
MONITORING_API_RATE_LIMIT = envint("MONITORING_API_RATE_LIMIT", 120)
MONITORING_API_RATE_WINDOW = envint("MONITORING_API_RATE_WINDOW", 60)
# Reminders (provisioning/monitoring/notify.py): the vendor of a silent facility is e-mailed
# this many hours after the facility, if data has still not come back.
MONITORING_VENDOR_REMINDER_HOURS = envint("MONITORING_VENDOR_REMINDER_HOURS", 48)
# The daily digest to Sở Y tế staff goes out at the first hourly run from this hour (local).
MONITORING_DIGEST_HOUR = envint("MONITORING_DIGEST_HOUR", 7)
# A vendor outage: at least this many of one vendor's facilities going quiet within this many
# hours open one incident; it closes by itself once this percentage of them send data again.
MONITORING_OUTAGE_MIN_ACCOUNTS = envint("MONITORING_OUTAGE_MIN_ACCOUNTS", 5)
MONITORING_OUTAGE_WINDOW_HOURS = envint("MONITORING_OUTAGE_WINDOW_HOURS", 6)
MONITORING_OUTAGE_RECOVERED_PERCENT = envint("MONITORING_OUTAGE_RECOVERED_PERCENT", 80)
# Decision 412, Art. 17: a vendor repairs a reported fault within 12 hours.
MONITORING_OUTAGE_REPAIR_HOURS = envint("MONITORING_OUTAGE_REPAIR_HOURS", 12)
if MONITORING_OUTAGE_MIN_ACCOUNTS < 2 or not 0 < MONITORING_OUTAGE_RECOVERED_PERCENT <= 100:
    raise ImproperlyConfigured(
        "MONITORING_OUTAGE_MIN_ACCOUNTS must be at least 2 and "
        "MONITORING_OUTAGE_RECOVERED_PERCENT between 1 and 100."
    )

SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
# Pages are never framed; private documents set their own SAMEORIGIN for the staff viewer.
X_FRAME_OPTIONS = "DENY"
# Scripts and styles come from static/ only: no inline script, style or event handler.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    # allauth shows the TOTP QR code as a data: image.
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
}
# The reverse proxies (addresses or networks, comma-separated) whose X-Real-IP header names
# the client (deploy/nginx.conf). Empty: the client is the connection's address, and the
# header, which anyone can send, is ignored (provisioning/ratelimit.py client_ip).
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES", "")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an address.") from exc
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint reports every layout step at INFO.
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Operations (deploy/README.md). Probes and /metrics are answered first (provisioning/health.py);
# every request gets an id (nginx's X-Request-ID, or a new one) that its log lines and the
# tasks it queues carry. LOG_FORMAT=json writes one JSON object a line.
LOG_FORMAT = env("LOG_FORMAT", "text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
# /metrics answers a request bearing "Authorization: Bearer <METRICS_TOKEN>"; unset, only a
# scraper on this host that talks to gunicorn directly.
METRICS_TOKEN = env("METRICS_TOKEN", "")
# /health/ fails when the worker's heartbeat or the beat's tick is older than this (seconds).
HEALTH_HEARTBEAT_MAX_AGE = envint("HEALTH_HEARTBEAT_MAX_AGE", 120)
MIDDLEWARE = [
    "provisioning.observability.RequestIdMiddleware",
    "provisioning.health.OperationsMiddleware",
    *MIDDLEWARE,
]
LOGGING["filters"] = {"request_id": {"()": "provisioning.observability.RequestIdFilter"}}
LOGGING["formatters"] = {
    "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    "json": {"()": "provisioning.observability.JsonFormatter"},
}
LOGGING["handlers"]["console"].update(formatter=LOG_FORMAT, filters=["request_id"])
