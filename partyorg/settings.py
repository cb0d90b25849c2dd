"""Settings of partyorg: one file, every value read from the environment."""

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False) -> bool:
    """A yes/no setting; a value that is neither (a typo such as "ture") stops the start, rather
    than being read as "no" without a word."""
    value = os.environ.get(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word not in _TRUE | _FALSE:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a yes/no value: use one of 1, true, yes, on, 0, false, no, off."
        )
    return word in _TRUE


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None


def env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# Refusing to start beats running production with a guessable key. Development (DEBUG) and a
# test run (pytest sets PYTEST_VERSION; the processes it starts share the key) have fixed ones.
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "dev-only-insecure-key-change-me"
    elif "PYTEST_VERSION" in os.environ:
        SECRET_KEY = "test-only-insecure-key"
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random value (for example the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`), or DEBUG=1 for "
            "development."
        )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
SITE_NAME = env_str("SITE_NAME", "partyorg")

INSTALLED_APPS = [
    # Django's admin, behind our login and second factor (accounts/admin_site.py).
    "accounts.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks_db",
    # Ours, from the bottom floor up (docs/architecture.md, "Floors").
    "core",
    "audit",
    "access",
    "orgs",
    "members",
    "accounts",
    "notices",
    "cleaning",
    "corrections",
    "handbook",
    "campaigns",
    "congresses",
    "meetings",
    "elections",
    "rollout",
    "api",
    "demo",
    "partyorg",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Assurance level, two-factor enforcement, idle expiry, rate limits: accounts/middleware.py.
    "accounts.middleware.AccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "partyorg.urls"
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
                "accounts.context.access",
            ],
        },
    },
]
WSGI_APPLICATION = "partyorg.wsgi.application"
ASGI_APPLICATION = "partyorg.asgi.application"

# SQLite is the embedded default (demo, development, one commune); PostgreSQL in production.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'partyorg.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while the worker writes; IMMEDIATE takes the write lock
        # at BEGIN so concurrent writers wait (busy timeout) instead of failing mid-transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    # Tests run on a file, not in memory: Django shares an in-memory database's one connection
    # between the live server's threads, and pages that write while they follow a live stream
    # then race on it ("bad parameter or other API misuse"). pytest-django adds each worker's
    # suffix to the name.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env_str(
        "SQLITE_TEST_NAME", str(BASE_DIR / "var" / "test.sqlite3")
    )
# A pool of PostgreSQL connections per process (psycopg_pool, Django's OPTIONS["pool"]): under
# ASGI each request runs in a thread of its own, and without a pool each opened a connection,
# and PostgreSQL forked a backend for it, at every request. DB_POOL_MAX bounds a process's
# connections (docs/deployment.md); 0 turns the pool off.
DB_POOL_MAX = env_int("DB_POOL_MAX", 0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DB_POOL_MAX > 0:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(2, DB_POOL_MAX),
        "max_size": DB_POOL_MAX,
        "timeout": 10,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2id first; older hashes are upgraded to it at the user's next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login through the national e-ID (OpenID Connect, authorization code flow with PKCE). Empty
# OIDC_ISSUER means no e-ID: local accounts with a password and TOTP (the embedded default).
OIDC_ISSUER = env_str("OIDC_ISSUER").rstrip("/")
OIDC_CLIENT_ID = env_str("OIDC_CLIENT_ID")
OIDC_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET")
# "client_secret_basic", "client_secret_post" or "private_key_jwt" (then OIDC_PRIVATE_KEY_FILE
# names the PEM file of the client's RSA key, whose public half the provider has registered).
OIDC_CLIENT_AUTH_METHOD = env_str("OIDC_CLIENT_AUTH_METHOD", "client_secret_basic")
OIDC_PRIVATE_KEY_FILE = env_str("OIDC_PRIVATE_KEY_FILE")
OIDC_SCOPES = env_str("OIDC_SCOPES", "openid")
# Fixed callback address when the public one differs from what Django sees (behind a proxy).
OIDC_REDIRECT_URI = env_str("OIDC_REDIRECT_URI")
# We decide the assurance level ourselves: each `acr` value the provider may assert is mapped to
# level 1 (self-registered) or 2 (registered in person with biometrics, Decree 69/2024). An acr
# not listed here is level 0, which nothing accepts. Format: "acr=level,acr=level".
OIDC_ACR_LEVELS = {
    acr.strip(): int(level)
    for acr, _sep, level in (item.rpartition("=") for item in env_list("OIDC_ACR_LEVELS"))
    if acr.strip()
}
OIDC_CCCD_CLAIM = env_str("OIDC_CCCD_CLAIM", "cccd")
# Officer areas (anything behind a grant) need this level; the member's own pages need the other.
OIDC_OFFICER_MIN_LEVEL = env_int("OIDC_OFFICER_MIN_LEVEL", 2)
OIDC_HANDBOOK_MIN_LEVEL = env_int("OIDC_HANDBOOK_MIN_LEVEL", 1)
OIDC_LEEWAY = env_int("OIDC_LEEWAY", 60)
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)
# Password logins stay open for the embedded default; with an e-ID they are off unless asked for.
PARTYORG_LOCAL_LOGIN = env_bool("PARTYORG_LOCAL_LOGIN", not OIDC_ISSUER)

# The admin never shows a TOTP secret (a superuser who read one could pass as its owner unseen).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Failed logins: an account locks after LOGIN_MAX_FAILURES in LOGIN_WINDOW seconds, an address
# after LOGIN_MAX_FAILURES_PER_IP; both unlock when the window passes (counters in the cache).
PARTYORG_LOGIN_MAX_FAILURES = env_int("PARTYORG_LOGIN_MAX_FAILURES", 5)
PARTYORG_LOGIN_MAX_FAILURES_PER_IP = env_int("PARTYORG_LOGIN_MAX_FAILURES_PER_IP", 30)
PARTYORG_LOGIN_WINDOW = env_int("PARTYORG_LOGIN_WINDOW", 15 * 60)
# The API's OpenAPI document and its page (/api/v1/openapi.json, /api/v1/docs): behind login
# unless turned off, which development (DEBUG) does by default.
PARTYORG_API_DOCS_LOGIN = env_bool("PARTYORG_API_DOCS_LOGIN", not DEBUG)
# Requests per minute: per API token, and per user on the expensive pages named here.
PARTYORG_API_RATE = env_int("PARTYORG_API_RATE", 120)
PARTYORG_RATE_LIMITS: dict[str, int] = {
    "members:list": env_int("PARTYORG_SEARCH_RATE", 60),
    # Exports build whole workbooks of personal data: a few a minute is plenty for a person.
    "campaigns:export": env_int("PARTYORG_EXPORT_RATE", 10),
    "cleaning:annotated": env_int("PARTYORG_EXPORT_RATE", 10),
    "members:list_export": env_int("PARTYORG_EXPORT_RATE", 10),
}
# The members page exports at most this many members at once (a request builds the workbook);
# more are asked to be filtered, or exported by `partyorg export members`.
PARTYORG_EXPORT_MAX_ROWS = env_int("PARTYORG_EXPORT_MAX_ROWS", 100_000)
# Idle expiry: officials' sessions end after 30 idle minutes, members' handbook sessions later.
PARTYORG_OFFICIAL_IDLE_SECONDS = env_int("PARTYORG_OFFICIAL_IDLE_SECONDS", 30 * 60)
PARTYORG_MEMBER_IDLE_SECONDS = env_int("PARTYORG_MEMBER_IDLE_SECONDS", 7 * 24 * 3600)
# Test-only: a session logged in by Client.force_login carries no assurance level and no
# two-factor mark; the test suite trusts it at the user's stored level. Never on in production
# (pytest sets PYTEST_VERSION; a deploy check refuses the setting when DEBUG is off).
TESTING = "PYTEST_VERSION" in os.environ
PARTYORG_TRUST_UNMARKED_SESSIONS = env_bool("PARTYORG_TRUST_UNMARKED_SESSIONS", TESTING)

# Web Push (notices/push.py): the VAPID key pair (the private key as base64url of its raw 32
# bytes or a PEM file path, the public key as base64url of its uncompressed point) and the contact
# the push services may write to. Without keys nothing is pushed; notifications stay in the app.
PARTYORG_VAPID_PRIVATE_KEY = env_str("PARTYORG_VAPID_PRIVATE_KEY")
PARTYORG_VAPID_PUBLIC_KEY = env_str("PARTYORG_VAPID_PUBLIC_KEY")
PARTYORG_VAPID_SUBJECT = env_str("PARTYORG_VAPID_SUBJECT", "mailto:admin@localhost")
PARTYORG_PUSH_EVERY = env_float("PARTYORG_PUSH_EVERY", 5)

# The handbook (handbook/): units where at least ADOPTION_LOW (resp. ADOPTION_HIGH) percent of
# the members have logged in are the "above 50 %" (resp. "at or above 80 %") units leaders quote.
PARTYORG_ADOPTION_LOW = env_int("PARTYORG_ADOPTION_LOW", 50)
PARTYORG_ADOPTION_HIGH = env_int("PARTYORG_ADOPTION_HIGH", 80)
# Documents published in the handbook: the largest file accepted, in megabytes.
PARTYORG_DOCUMENT_MAX_MB = env_int("PARTYORG_DOCUMENT_MAX_MB", 20)
# Corrections (corrections/): which level may approve a change of which field, as policies with
# the date each takes effect (the latest one in effect on the day of the decision applies). A
# level is "cell", "grassroots", "commune", "province" or "central"; a field not named may not be
# corrected by request. PARTYORG_CORRECTION_POLICY (JSON, the same shape) replaces the default.
_CORRECTION_POLICY_DEFAULT: list[dict[str, object]] = [
    {
        "from": "2025-07-01",
        "fields": {
            "phone": "cell",
            "email": "cell",
            "full_name": "province",
            "birth_name": "province",
            "other_names": "province",
            "birth_date": "province",
            "sex": "province",
            "cccd": "province",
            "admission_date": "commune",
            "official_date": "commune",
            "card_number": "commune",
        },
    }
]


def _correction_policy() -> list[dict[str, object]]:
    text = env_str("PARTYORG_CORRECTION_POLICY")
    if not text:
        return _CORRECTION_POLICY_DEFAULT
    try:
        policy = json.loads(text)
        assert isinstance(policy, list) and all("from" in p and "fields" in p for p in policy)
    except (ValueError, AssertionError):
        raise ImproperlyConfigured(
            "PARTYORG_CORRECTION_POLICY must be a JSON list of {from, fields} objects."
        ) from None
    return policy


PARTYORG_CORRECTION_POLICY = _correction_policy()
# Working days each level has to act on a request before it shows as overdue.
PARTYORG_CORRECTION_STEP_DAYS = env_int("PARTYORG_CORRECTION_STEP_DAYS", 5)
# Days an attachment is kept after its request closes, then deleted.
PARTYORG_CORRECTION_KEEP_DAYS = env_int("PARTYORG_CORRECTION_KEEP_DAYS", 30)
# The largest attachment accepted, in megabytes.
PARTYORG_CORRECTION_MAX_MB = env_int("PARTYORG_CORRECTION_MAX_MB", 10)
# Last activity is written at most once per this many seconds per member.
PARTYORG_ACTIVITY_EVERY = env_int("PARTYORG_ACTIVITY_EVERY", 15 * 60)

# The cache holds rate-limit counters: one shared cache (Redis, database) when several web
# processes serve, else each process counts alone.
CACHES = {
    "default": {
        "BACKEND": env_str("CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache"),
        "LOCATION": env_str("CACHE_LOCATION", "partyorg"),
    }
}

# Keys for encrypting sensitive uploads at rest (core/crypto.py): comma separated Fernet
# keys, newest first; older keys still decrypt, so keys rotate without re-encrypting at once.
PARTYORG_ENCRYPTION_KEYS = env_list("PARTYORG_ENCRYPTION_KEYS")

# Vietnamese first: the source strings are Vietnamese, English is the translation.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Vietnamese figures grouped by thousands (365.911): Django's "vi" formats do not group.
FORMAT_MODULE_PATH = ["partyorg.formats"]
# Groups of three digits where numbers are shown grouped (intcomma): Django's Vietnamese formats
# give the separator (".") but no grouping, which would print 365911.
NUMBER_GROUPING = 3
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
# WhiteNoise looks in STATIC_ROOT at start-up; an empty one is fine (files come from finders).
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = BASE_DIR / "var" / "media"

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Roll-up deltas and audit sealing: "inline" folds them right after each commit (SQLite, tests,
# one machine); "worker" leaves them to `partyorg worker`, which folds every second, so no request
# ever waits on the lock of the root organisation's counters (PostgreSQL at national scale).
PARTYORG_TICK = env_str("PARTYORG_TICK", "inline")
PARTYORG_PAGE_SIZE = env_int("PARTYORG_PAGE_SIZE", 50)

# The live layer (core/live.py): pages watching an organisation hear of a change in its subtree
# by server-sent events. SQLite is polled every LIVE_POLL seconds (PostgreSQL uses NOTIFY); a
# stream tells a page at most once every LIVE_GAP seconds, sends a heartbeat every
# LIVE_HEARTBEAT seconds, and ends after about LIVE_LIFE seconds (the browser reconnects).
PARTYORG_LIVE_POLL = env_float("PARTYORG_LIVE_POLL", 0.5)
PARTYORG_LIVE_GAP = env_float("PARTYORG_LIVE_GAP", 0.5)
PARTYORG_LIVE_HEARTBEAT = env_float("PARTYORG_LIVE_HEARTBEAT", 15)
PARTYORG_LIVE_LIFE = env_float("PARTYORG_LIVE_LIFE", 600)

# A strict Content Security Policy (Django's own middleware): no inline script anywhere, no
# third-party origin. Inline style *attributes* are allowed for the few server-computed widths
# (bars in the tables); they cannot run script, and url() in them is still held to img-src.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "style-src-attr": [CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    # Logging out at the e-ID provider is a redirect after our logout form: allow its origin.
    "form-action": [CSP.SELF, *([OIDC_ISSUER] if OIDC_ISSUER else [])],
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 30 * 60)
# Idle expiry slides with activity: accounts/middleware.py writes the session once a minute at
# most (saving it at every request cost every page a write).
SESSION_SAVE_EVERY_REQUEST = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env_bool("HTTPS", False):
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Every log line passes the redaction filter: no CCCD (or other 9–12 digit number) and no phone
# number ever reaches a log file.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "core.logging.RedactFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Django's and the ASGI server's own loggers (request lines carry query strings, which may
        # hold a searched CCCD) lose their handlers and propagate to root, through the filter.
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": [], "propagate": True},
        "uvicorn": {"handlers": [], "propagate": True},
        "uvicorn.access": {"handlers": [], "propagate": True},
        "uvicorn.error": {"handlers": [], "propagate": True},
    },
}

# The demo logins skip nothing: they are ordinary accounts with known passwords, created only by
# `partyorg demo`, never in production (the command refuses when DEBUG is off and DEMO is unset).
PARTYORG_DEMO = env_bool("PARTYORG_DEMO", DEBUG)
# Exists while `partyorg demo` loads the demo data (`make run` serves pages meanwhile): the login
# page says so instead of offering logins that do not exist yet.
PARTYORG_DEMO_LOADING = BASE_DIR / "var" / "demo-loading"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
