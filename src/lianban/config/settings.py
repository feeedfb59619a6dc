"""Settings, all from the environment (see docs/configuration.md).

With nothing set, lianban runs on a SQLite file in ``$LIANBAN_DATA_DIR``
(default ``./var``); ``DATABASE_URL`` switches to PostgreSQL.
"""

from __future__ import annotations

import os
import re
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

import environ
from csp.constants import NONE, SELF

env = environ.Env()

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env.str("LIANBAN_DATA_DIR", default=str(Path.cwd() / "var"))).resolve()


def _secret_key() -> str:
    """DJANGO_SECRET_KEY, or a key generated once and kept in the data directory."""
    configured = str(env.str("DJANGO_SECRET_KEY", default=""))
    if configured:
        return configured
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def _public_origin() -> str:
    """LIANBAN_PUBLIC_URL as ``scheme://host[:port]``: the origin people reach the platform at."""
    url = env.str("LIANBAN_PUBLIC_URL", default="").strip().rstrip("/")
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query or parts.fragment:
        raise ImproperlyConfigured(
            f"LIANBAN_PUBLIC_URL must be an origin like https://zwfw.example.gov.cn, not {url!r}"
        )
    return f"{parts.scheme}://{parts.netloc}"


def _proxy_ssl_header() -> tuple[str, str] | None:
    """DJANGO_SECURE_PROXY_SSL_HEADER (``X-Forwarded-Proto`` or ``X-Forwarded-Proto=https``) as Django wants it."""
    configured = env.str("DJANGO_SECURE_PROXY_SSL_HEADER", default="").strip()
    if not configured:
        return None  # no proxy is trusted: only the connection itself says HTTPS
    name, _sep, value = configured.partition("=")
    meta = "HTTP_" + name.strip().upper().replace("-", "_").removeprefix("HTTP_")
    return meta, value.strip() or "https"


DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = _secret_key()
#: Former keys still accepted for sessions and signed links while a new key is rolled out.
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
#: Where people reach the platform; every absolute URL the platform builds (QR codes, links) uses it.
LIANBAN_PUBLIC_URL = _public_origin()
_public = urlsplit(LIANBAN_PUBLIC_URL) if LIANBAN_PUBLIC_URL else None
_local_hosts = ["127.0.0.1", "localhost", "[::1]"]
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=[_public.hostname, *_local_hosts] if _public else [*_local_hosts, "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
if LIANBAN_PUBLIC_URL and LIANBAN_PUBLIC_URL not in CSRF_TRUSTED_ORIGINS:
    CSRF_TRUSTED_ORIGINS.append(LIANBAN_PUBLIC_URL)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI assets served locally (no CDN)
    "django_tasks",
    "lianban.config.apps.BackgroundTasksConfig",  # django_tasks_db, named in Chinese in the admin
    "csp",
    "lianban.config.apps.SignInLocksConfig",  # axes, named in Chinese in the admin
    "lianban.common",
    "lianban.accounts",
    "lianban.catalog",
    "lianban.workdays",
    "lianban.licences",
    "lianban.cases",
    "lianban.intake",
    "lianban.review",
    "lianban.issuance",
    "lianban.supervision",
    "lianban.outbox",
    "lianban.messaging",
    "lianban.evaluation",
    "lianban.statistics",
    "lianban.portal",
    "lianban.workbench",
    "lianban.api",
    "lianban.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "lianban.common.input_guard.InputGuardMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "lianban.common.middleware.PublicOriginMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "lianban.common.middleware.FixedLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    # need-to-know: every page's role-and-object rule (lianban.config.access) runs before any view
    # code, and before the CSRF check reads a POST body (process_view runs in this order)
    "lianban.config.access.AccessMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "lianban.common.middleware.AccessErrorsMiddleware",  # a service's NotVisible / NotAllowed: 404 / 403
    "lianban.common.middleware.StaffIdleTimeoutMiddleware",
    "lianban.common.middleware.PrivateByDefaultMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a login lock into its 429 page
]

ROOT_URLCONF = "lianban.config.urls"
WSGI_APPLICATION = "lianban.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # lianban's overrides of third-party templates (the admin's base_site.html), ahead of the apps'
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]


def _sqlite_file_private(name: object) -> None:
    """The SQLite file (personal data) readable by its owner only: created 0600, or narrowed to it.

    SQLite gives its -wal and -shm files the database file's permissions.
    """
    if not isinstance(name, str | Path) or str(name) in ("", ":memory:") or str(name).startswith("file:"):
        return
    path = Path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)


_default_db = f"sqlite:///{DATA_DIR / 'lianban.sqlite3'}"
DATABASES = {"default": env.db("DATABASE_URL", default=_default_db)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    _sqlite_file_private(DATABASES["default"]["NAME"])
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # Writers queue up instead of failing with "database is locked".
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=60))

#: The schema owner's connection (same database, owner's credentials): ``lianban migrate`` runs as it;
#: the application (``DATABASE_URL``) then may only read and write rows (docs/security.md).
LIANBAN_MIGRATION_DATABASE: dict[str, Any] | None = (
    env.db("MIGRATION_DATABASE_URL") if env.str("MIGRATION_DATABASE_URL", default="") else None
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# admin permissions by role (catalog / security administrators), never by per-user grants
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"

# django-axes first: a locked user or address is refused before any password is hashed; then the
# role backend (admin rights come from the role only).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "lianban.accounts.backends.RoleBackend",
]

# Django's validators; their messages are translated to Chinese by Django itself.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "display_name", "first_name", "last_name", "email", "phone")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
#: One interface language for every visitor, whatever the browser or the language cookie asks (a code of
#: ``LANGUAGES``, e.g. ``zh-hans``); empty: the browser's choice. The demo sets it to Chinese.
LIANBAN_LANGUAGE = env.str("LIANBAN_LANGUAGE", default="")
if LIANBAN_LANGUAGE and LIANBAN_LANGUAGE not in dict(LANGUAGES):
    raise ImproperlyConfigured(
        f"LIANBAN_LANGUAGE must be one of {', '.join(dict(LANGUAGES))}, not {LIANBAN_LANGUAGE!r}"
    )
TIME_ZONE = env.str("LIANBAN_TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it, even before collectstatic
MEDIA_ROOT = Path(env.str("LIANBAN_MEDIA_ROOT", default=str(DATA_DIR / "media")))
MEDIA_URL = "media/"
#: Uploaded files hold personal data: readable by the server's user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if env.str("LIANBAN_S3_BUCKET", default=""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("LIANBAN_S3_BUCKET"),
            "endpoint_url": env.str("LIANBAN_S3_ENDPOINT_URL", default="") or None,
            "access_key": env.str("LIANBAN_S3_ACCESS_KEY", default="") or None,
            "secret_key": env.str("LIANBAN_S3_SECRET_KEY", default="") or None,
            "region_name": env.str("LIANBAN_S3_REGION", default="") or None,
            "default_acl": None,
            "querystring_auth": True,
        },
    }
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# A shared cache for several web machines: sessions, rate limits (the default cache), anything cached.
# Sessions stay readable when Redis restarts (cached_db writes them to the database too).
_redis_url = env.str("LIANBAN_REDIS_URL", default="")
if _redis_url:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis_url}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # scripts and department systems: a token, no password hash per call (Basic: tools only, slow)
        "lianban.api.authentication.TokenAuthentication",
        "lianban.common.throttling.ThrottledBasicAuthentication",
    ],
    # need-to-know: every operation's role-and-object rule runs before its view (lianban.config.access)
    "DEFAULT_PERMISSION_CLASSES": ["lianban.config.access.RoutePermission"],
    "DEFAULT_THROTTLE_CLASSES": ["lianban.common.throttling.UserThrottle", "lianban.common.throttling.AnonThrottle"],
    "EXCEPTION_HANDLER": "lianban.api.exceptions.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "lianban.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "lianban API",
    "DESCRIPTION": "一窗通办、一事联办 — catalog, planning, cases, review and issuance.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the installed sidecar package: intranets have no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No badge fetched from swagger.io (the CSP would refuse it; intranets cannot reach it anyway).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    # Several choice sets share a field name ("state", "kind"): name each enum after its class.
    "ENUM_NAME_OVERRIDES": {
        "CaseStateEnum": "lianban.cases.models.CaseState",
        "ItemStateEnum": "lianban.cases.models.ItemState",
        "MaterialStateEnum": "lianban.cases.models.MaterialState",
        "ApplicantKindEnum": "lianban.accounts.models.ApplicantKind",
        "NotificationKindEnum": "lianban.cases.models.NotificationKind",
        "OrderStateEnum": "lianban.supervision.models.OrderState",
        "ProvisionalFigureEnum": "lianban.statistics.selectors.PROVISIONAL_NAMES",
        "ProvisionalFiveFigureEnum": "lianban.statistics.selectors.FIVE_PROVISIONAL",
        "OrderOriginEnum": "lianban.supervision.models.OrderOrigin",
        "ChannelEnum": "lianban.cases.models.Channel",
        "RatingChannelEnum": "lianban.evaluation.models.RatingChannel",
        "EnteredChannelEnum": "lianban.evaluation.models.EnteredChannel",
        "TicketStateEnum": "lianban.evaluation.models.TicketState",
        "LevelEnum": "lianban.supervision.models.SignalLevel",  # the names before the statistics' level and status
        "StatusEnum": "lianban.issuance.models.BillStatus",
        "StatisticsLevelEnum": "lianban.statistics.selectors.LEVELS",
        "StatisticsStatusEnum": "lianban.statistics.models.FactStatus",
        "ExportStateEnum": "lianban.statistics.models.ExportState",
        "ExportKindEnum": "lianban.statistics.models.ExportKind",
        "StatisticsGrainEnum": "lianban.statistics.selectors.GRAINS",
        "StatisticsMetricEnum": "lianban.statistics.selectors.METRIC_NAMES",
    },
}

TASKS = {
    "default": {
        "BACKEND": env.str("LIANBAN_TASK_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LIANBAN_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# ------------------------------------------------------------------ security: see docs/security.md
# HTTPS: behind a TLS proxy set DJANGO_SECURE_PROXY_SSL_HEADER to the header the proxy sets (and strips
# from clients); without it no header is trusted.
SECURE_PROXY_SSL_HEADER = _proxy_ssl_header()
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=bool(_public and _public.scheme == "https"))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
#: How long a sign-in lasts at most (seconds since the session last changed).
SESSION_COOKIE_AGE = env.int("LIANBAN_SESSION_HOURS", default=12) * 3600
#: Staff (everyone but applicants) are signed out after this many minutes without a request; 0: never.
LIANBAN_STAFF_IDLE_MINUTES = env.int("LIANBAN_STAFF_IDLE_MINUTES", default=30)

# Content-Security-Policy (django-csp): the pages' scripts and styles are files served by the platform;
# no inline script or style, no plug-ins, no framing, forms post only here. /api/docs/ adds data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
    )
}

# ------------------------------------------------------------------ sign-in lock and throttles
#: The header a reverse proxy names the client's address in (e.g. X-Forwarded-For); empty: REMOTE_ADDR.
LIANBAN_CLIENT_IP_HEADER = env.str("LIANBAN_CLIENT_IP_HEADER", default="")
#: How many trusted proxies append to that header (the client's address is the entry this far from the right).
LIANBAN_PROXY_COUNT = env.int("LIANBAN_PROXY_COUNT", default=1)
#: API rates ("N/second|minute|hour|day"; "none" turns one off): per user, per address, Basic per address, tracking.
LIANBAN_THROTTLE_RATES: dict[str, str | None] = {
    scope: (None if rate.lower() == "none" else rate)
    for scope, rate in {
        "user": env.str("LIANBAN_THROTTLE_USER", default="600/min"),
        "anon": env.str("LIANBAN_THROTTLE_ANON", default="120/min"),
        "basic": env.str("LIANBAN_THROTTLE_BASIC", default="60/min"),
        "track": env.str("LIANBAN_THROTTLE_TRACK", default="30/min"),
        "window_rating": env.str("LIANBAN_THROTTLE_WINDOW_RATING", default="6/hour"),
    }.items()
}
# django-axes: a user name, and an address, are locked after this many failed sign-ins (page, admin, API Basic).
AXES_ENABLED = env.bool("LIANBAN_LOGIN_LOCK", default=True)
AXES_FAILURE_LIMIT = env.int("LIANBAN_LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LIANBAN_LOGIN_LOCK_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the lock ends when it says, whatever is tried meanwhile
AXES_DISABLE_ACCESS_LOG = True  # no row per successful sign-in (Basic signs in on every call)
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"  # shared by every web process, survives restarts
AXES_CLIENT_IP_CALLABLE = "lianban.common.client_ip.axes_client_ip"
AXES_LOCKOUT_CALLABLE = "lianban.accounts.lockout.lockout_response"
AXES_VERBOSE = False

# ------------------------------------------------------------------ citizens' accounts: mobile codes, single sign-on
#: A one-time code (sign-up, password reset) is valid this many minutes, for this many wrong attempts.
LIANBAN_PHONE_CODE_MINUTES = env.int("LIANBAN_PHONE_CODE_MINUTES", default=10)
LIANBAN_PHONE_CODE_ATTEMPTS = env.int("LIANBAN_PHONE_CODE_ATTEMPTS", default=5)
#: A code not handed to the SMS provider this many seconds after it was asked for: the page says it is late.
LIANBAN_PHONE_CODE_SEND_SECONDS = env.int("LIANBAN_PHONE_CODE_SEND_SECONDS", default=30)
#: Code requests allowed per mobile number and per client address ("N/minute,N/hour,N/day"; "none": no limit).
LIANBAN_PHONE_CODE_LIMITS = env.str("LIANBAN_PHONE_CODE_LIMITS", default="1/minute,5/hour,10/day")
LIANBAN_PHONE_CODE_ADDRESS_LIMITS = env.str("LIANBAN_PHONE_CODE_ADDRESS_LIMITS", default="5/minute,20/hour,50/day")
_RATE = r"\s*(none|\d+\s*/\s*(second|minute|min|hour|day)s?)\s*"
for _name in ("LIANBAN_PHONE_CODE_LIMITS", "LIANBAN_PHONE_CODE_ADDRESS_LIMITS"):
    if not all(re.fullmatch(_RATE, part.lower()) for part in globals()[_name].split(",") if part.strip()):
        raise ImproperlyConfigured(f"{_name} must look like 1/minute,5/hour,10/day (or none)")

# Single sign-on through OpenID Connect (mozilla-django-oidc): on when a client id is configured.
OIDC_RP_CLIENT_ID = env.str("LIANBAN_OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("LIANBAN_OIDC_CLIENT_SECRET", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("LIANBAN_OIDC_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("LIANBAN_OIDC_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("LIANBAN_OIDC_USERINFO_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("LIANBAN_OIDC_JWKS_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env.str("LIANBAN_OIDC_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("LIANBAN_OIDC_SCOPES", default="openid profile phone")
OIDC_AUTHENTICATION_CALLBACK_URL = "sso_callback"
OIDC_REDIRECT_FIELD_NAME = "next"
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/"
LIANBAN_OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
#: The identity platform's issuer (kept with each identity); default: the authorization endpoint's origin.
LIANBAN_OIDC_ISSUER = env.str("LIANBAN_OIDC_ISSUER", default="") or (
    "{0.scheme}://{0.netloc}".format(urlsplit(OIDC_OP_AUTHORIZATION_ENDPOINT)) if OIDC_OP_AUTHORIZATION_ENDPOINT else ""
)
#: The claims holding the person's name, 公民身份号码 and mobile number; the login page's button text.
LIANBAN_OIDC_NAME_CLAIM = env.str("LIANBAN_OIDC_NAME_CLAIM", default="name")
LIANBAN_OIDC_ID_NUMBER_CLAIM = env.str("LIANBAN_OIDC_ID_NUMBER_CLAIM", default="id_number")
LIANBAN_OIDC_PHONE_CLAIM = env.str("LIANBAN_OIDC_PHONE_CLAIM", default="phone_number")
LIANBAN_OIDC_LABEL = env.str("LIANBAN_OIDC_LABEL", default="")
if LIANBAN_OIDC_ENABLED:
    _missing = [
        name
        for name, value in {
            "LIANBAN_OIDC_CLIENT_SECRET": OIDC_RP_CLIENT_SECRET,
            "LIANBAN_OIDC_AUTHORIZATION_ENDPOINT": OIDC_OP_AUTHORIZATION_ENDPOINT,
            "LIANBAN_OIDC_TOKEN_ENDPOINT": OIDC_OP_TOKEN_ENDPOINT,
            "LIANBAN_OIDC_USERINFO_ENDPOINT": OIDC_OP_USER_ENDPOINT,
            "LIANBAN_OIDC_JWKS_ENDPOINT": OIDC_OP_JWKS_ENDPOINT,
        }.items()
        if not value
    ]
    if _missing:
        raise ImproperlyConfigured(f"single sign-on (LIANBAN_OIDC_CLIENT_ID) also needs {', '.join(_missing)}")
    AUTHENTICATION_BACKENDS.append("lianban.accounts.sso.SingleSignOnBackend")

# ------------------------------------------------------------------ lianban
#: On PostgreSQL each process keeps tracking stamps, forgotten as the database notifies changes (cases.track_local).
LIANBAN_TRACK_LISTEN = env.bool("LIANBAN_TRACK_LISTEN", default=True)
#: A running item is "due soon" when this many working days or fewer are left.
LIANBAN_DUE_SOON_DAYS = env.int("LIANBAN_DUE_SOON_DAYS", default=1)
#: Deadline signals (docs/configuration.md): 提示 with this many working days or fewer left ...
LIANBAN_SIGNAL_NOTICE_DAYS = env.int("LIANBAN_SIGNAL_NOTICE_DAYS", default=1)
#: ... 黄牌 with this share (%) of the promised time or fewer left, or this many working days or fewer.
LIANBAN_SIGNAL_YELLOW_PERCENT = env.int("LIANBAN_SIGNAL_YELLOW_PERCENT", default=20)
LIANBAN_SIGNAL_YELLOW_DAYS = env.int("LIANBAN_SIGNAL_YELLOW_DAYS", default=1)
#: 督办 orders: working days to sign for, to reply, and after a missed date before escalation to the leader.
LIANBAN_ORDER_SIGN_DAYS = env.int("LIANBAN_ORDER_SIGN_DAYS", default=1)
LIANBAN_ORDER_REPLY_DAYS = env.int("LIANBAN_ORDER_REPLY_DAYS", default=5)
LIANBAN_ORDER_ESCALATE_DAYS = env.int("LIANBAN_ORDER_ESCALATE_DAYS", default=5)
#: 好差评: natural days before an unrated finished service gets the default 基本满意; the 追评 window;
#: how long a one-time rating token (message link, receipt QR, window tablet) works.
LIANBAN_RATING_DEFAULT_DAYS = env.int("LIANBAN_RATING_DEFAULT_DAYS", default=7)
LIANBAN_RATING_FOLLOW_UP_DAYS = env.int("LIANBAN_RATING_FOLLOW_UP_DAYS", default=15)
LIANBAN_RATING_TOKEN_DAYS = env.int("LIANBAN_RATING_TOKEN_DAYS", default=30)
#: The provincial/national 好差评 system every rating is reported to (empty: the reports wait), the
#: Standard Webhooks secret that signs them (empty: unsigned) and the 行政区划代码 sent as ``region``.
LIANBAN_RATING_UPSTREAM_URL = env.str("LIANBAN_RATING_UPSTREAM_URL", default="")
LIANBAN_RATING_UPSTREAM_SECRET = env.str("LIANBAN_RATING_UPSTREAM_SECRET", default="")
LIANBAN_RATING_UPSTREAM_REGION = env.str("LIANBAN_RATING_UPSTREAM_REGION", default="")
#: 差评 rectification tickets: working days to contact and verify, and to rectify.
LIANBAN_TICKET_CONTACT_DAYS = env.int("LIANBAN_TICKET_CONTACT_DAYS", default=1)
LIANBAN_TICKET_RECTIFY_DAYS = env.int("LIANBAN_TICKET_RECTIFY_DAYS", default=15)
#: A case without an intake decision this many working days after submission is accepted by law.
LIANBAN_DEEMED_ACCEPTANCE_DAYS = env.int("LIANBAN_DEEMED_ACCEPTANCE_DAYS", default=5)
#: Years past the last confirmed holiday arrangement (or this year) given a provisional calendar (预计).
LIANBAN_PROVISIONAL_YEARS = env.int("LIANBAN_PROVISIONAL_YEARS", default=3)
#: Warn the supervisor this many days before the last year with an official arrangement ends.
LIANBAN_CALENDAR_WARNING_DAYS = env.int("LIANBAN_CALENDAR_WARNING_DAYS", default=90)
#: Personal data keys (docs/security.md): SM4 data keys ``id:base64`` (newest first; the first encrypts,
#: all decrypt) and the HMAC-SM3 lookup key (base64). Required unless DEBUG or ``lianban demo``.
LIANBAN_DATA_KEYS = env.list("LIANBAN_DATA_KEYS", default=[])
LIANBAN_LOOKUP_KEY = env.str("LIANBAN_LOOKUP_KEY", default="")
#: Largest JSON body the API reads, in kilobytes.
LIANBAN_MAX_JSON_KB = env.int("LIANBAN_MAX_JSON_KB", default=256)
#: Largest accepted upload, in megabytes.
LIANBAN_MAX_UPLOAD_MB = env.int("LIANBAN_MAX_UPLOAD_MB", default=20)
#: A worker silent this long (killed mid-task, machine lost) has its running task put back on the queue.
LIANBAN_WORKER_LEASE_SECONDS = env.float("LIANBAN_WORKER_LEASE_SECONDS", default=60.0)
#: Periodic jobs the worker enqueues: (task import path, interval in seconds).
LIANBAN_PERIODIC_TASKS = [
    ("lianban.supervision.tasks.deadline_sweep", env.int("LIANBAN_SWEEP_SECONDS", default=900)),
    ("lianban.intake.tasks.deemed_acceptance_sweep", env.int("LIANBAN_SWEEP_SECONDS", default=900)),
    ("lianban.cases.tasks.audit_anchor", env.int("LIANBAN_AUDIT_ANCHOR_SECONDS", default=3600)),
    ("lianban.accounts.tasks.phone_code_prune", 3600),  # one-time code rows past every rate-limit window
    ("lianban.outbox.tasks.deliver_events", env.int("LIANBAN_WEBHOOK_SECONDS", default=5)),
    ("lianban.messaging.tasks.deliver_messages", env.int("LIANBAN_MESSAGE_SECONDS", default=5)),
    ("lianban.evaluation.tasks.default_ratings", env.int("LIANBAN_SWEEP_SECONDS", default=900)),
    ("lianban.evaluation.tasks.report_ratings", env.int("LIANBAN_RATING_UPSTREAM_SECONDS", default=60)),
    ("lianban.statistics.tasks.facts_refresh", env.int("LIANBAN_STATS_SECONDS", default=300)),
    ("lianban.statistics.tasks.exports_expire", 3600),  # export files past LIANBAN_EXPORT_KEEP_DAYS
]
#: Statistics (docs/statistics.md): audit events read per transaction by the fact build, batches per run,
#: and how old an event must be before the watermark passes it (longer than any transaction runs).
LIANBAN_STATS_BATCH = env.int("LIANBAN_STATS_BATCH", default=2000)
LIANBAN_STATS_MAX_BATCHES = env.int("LIANBAN_STATS_MAX_BATCHES", default=50)
LIANBAN_STATS_LAG_SECONDS = env.int("LIANBAN_STATS_LAG_SECONDS", default=120)
#: Days an xlsx export's file is kept after it was written (then deleted, its row marked expired; 0: forever).
LIANBAN_EXPORT_KEEP_DAYS = env.int("LIANBAN_EXPORT_KEEP_DAYS", default=7)
#: Events to department systems (docs/events.md): seconds to wait before each retry of a failed delivery
#: (then it is dead), the request timeout, and the hosts callback URLs may name (empty: any).
LIANBAN_WEBHOOK_RETRY_SECONDS = [
    float(s)
    for s in env.list("LIANBAN_WEBHOOK_RETRY_SECONDS", default=["5", "300", "1800", "7200", "18000", "36000", "36000"])
]
LIANBAN_WEBHOOK_TIMEOUT_SECONDS = env.float("LIANBAN_WEBHOOK_TIMEOUT_SECONDS", default=10.0)
LIANBAN_WEBHOOK_ALLOWED_HOSTS = env.list("LIANBAN_WEBHOOK_ALLOWED_HOSTS", default=[])

# ------------------------------------------------------------------ messages: SMS, e-mail, in-app (docs/messages.md)
#: The SMS provider: log (the text goes to the log, numbers masked), aliyun or tencent; its account and endpoint.
LIANBAN_SMS_PROVIDER = env.str("LIANBAN_SMS_PROVIDER", default="log")
if LIANBAN_SMS_PROVIDER not in ("log", "aliyun", "tencent"):
    raise ImproperlyConfigured("LIANBAN_SMS_PROVIDER must be log, aliyun or tencent")
LIANBAN_SMS_ENDPOINT = env.str("LIANBAN_SMS_ENDPOINT", default="")
LIANBAN_SMS_REGION = env.str("LIANBAN_SMS_REGION", default="")
LIANBAN_SMS_ACCESS_KEY_ID = env.str("LIANBAN_SMS_ACCESS_KEY_ID", default="")
LIANBAN_SMS_ACCESS_KEY_SECRET = env.str("LIANBAN_SMS_ACCESS_KEY_SECRET", default="")
LIANBAN_SMS_SIGN_NAME = env.str("LIANBAN_SMS_SIGN_NAME", default="")
LIANBAN_SMS_APP_ID = env.str("LIANBAN_SMS_APP_ID", default="")
LIANBAN_SMS_TIMEOUT_SECONDS = env.float("LIANBAN_SMS_TIMEOUT_SECONDS", default=10.0)
#: The provider's template codes of the one-time codes ({"code": …}) and of the account-exists notice.
LIANBAN_SMS_CODE_TEMPLATE = env.str("LIANBAN_SMS_CODE_TEMPLATE", default="")
LIANBAN_SMS_ACCOUNT_TEMPLATE = env.str("LIANBAN_SMS_ACCOUNT_TEMPLATE", default="")
#: The secret in the receipt callback URL (/messages/receipts/<provider>/<secret>/); empty: receipts refused.
LIANBAN_SMS_RECEIPT_SECRET = env.str("LIANBAN_SMS_RECEIPT_SECRET", default="")
#: Hours an SMS handed to the provider waits for its receipt before it counts as failed (temporary).
LIANBAN_SMS_RECEIPT_HOURS = env.int("LIANBAN_SMS_RECEIPT_HOURS", default=72)
#: SMS notices per mobile number per 24 hours (0: no cap); counted before sending, once per message.
LIANBAN_SMS_DAILY_CAP = env.int("LIANBAN_SMS_DAILY_CAP", default=10)
if LIANBAN_SMS_PROVIDER != "log":
    _missing = [
        name
        for name in ("LIANBAN_SMS_ACCESS_KEY_ID", "LIANBAN_SMS_ACCESS_KEY_SECRET", "LIANBAN_SMS_SIGN_NAME")
        if not globals()[name]
    ]
    if LIANBAN_SMS_PROVIDER == "tencent" and not LIANBAN_SMS_APP_ID:
        _missing.append("LIANBAN_SMS_APP_ID")
    if _missing:
        raise ImproperlyConfigured(f"LIANBAN_SMS_PROVIDER={LIANBAN_SMS_PROVIDER} also needs {', '.join(_missing)}")
#: Seconds to wait before each retry of a temporary failure (SMS or SMTP); then the message failed.
LIANBAN_MESSAGE_RETRY_SECONDS = [
    float(s) for s in env.list("LIANBAN_MESSAGE_RETRY_SECONDS", default=["30", "120", "600", "1800", "3600"])
]
#: Which notifications go to whom on which channels: {kind: {APPLICANT|HANDLER|SUPERVISOR: [INBOX|SMS|EMAIL]}}.
#: A kind not named: the applicant on every channel. The default tells the handling staff of a withdrawal
#: and the supervisors of a refusal by e-mail.
_ALL = ["INBOX", "SMS", "EMAIL"]
LIANBAN_MESSAGE_ROUTES = env.json(
    "LIANBAN_MESSAGE_ROUTES",
    default={
        "WITHDRAWN": {"APPLICANT": _ALL, "HANDLER": ["EMAIL"]},
        "REFUSED": {"APPLICANT": _ALL, "SUPERVISOR": ["EMAIL"]},
    },
)
if not isinstance(LIANBAN_MESSAGE_ROUTES, dict) or not all(
    isinstance(audiences, dict)
    and all(
        audience in ("APPLICANT", "HANDLER", "SUPERVISOR")
        and isinstance(channels, list)
        and set(channels) <= {"INBOX", "SMS", "EMAIL"}
        for audience, channels in audiences.items()
    )
    for audiences in LIANBAN_MESSAGE_ROUTES.values()
):
    raise ImproperlyConfigured(
        'LIANBAN_MESSAGE_ROUTES must look like {"ACCEPTED": {"APPLICANT": ["INBOX", "SMS", "EMAIL"]}}'
    )
#: Which staff reminders of supervision go to whom on which channels: {kind: {audience: [SMS|EMAIL]}}; audiences
#: HANDLER (the staff member responsible, else the department's staff), DEPARTMENT (the department's reviewers),
#: LEADER (the department's leader, for an escalation), SUPERVISOR (every supervisor). A kind not named: nobody.
LIANBAN_STAFF_MESSAGE_ROUTES = env.json(
    "LIANBAN_STAFF_MESSAGE_ROUTES",
    default={
        "ORDER_RAISED": {"DEPARTMENT": ["SMS", "EMAIL"]},
        "ORDER_URGED": {"DEPARTMENT": ["SMS", "EMAIL"]},
        "ORDER_ESCALATED": {"LEADER": ["SMS", "EMAIL"]},
        "SIGNAL_RED": {"DEPARTMENT": ["EMAIL"], "SUPERVISOR": ["EMAIL"]},
        "SIGNAL_YELLOW": {"HANDLER": ["EMAIL"]},
    },
)
if not isinstance(LIANBAN_STAFF_MESSAGE_ROUTES, dict) or not all(
    kind in ("ORDER_RAISED", "ORDER_URGED", "ORDER_ESCALATED", "SIGNAL_RED", "SIGNAL_YELLOW")
    and isinstance(audiences, dict)
    and all(
        audience in ("HANDLER", "DEPARTMENT", "LEADER", "SUPERVISOR")
        and isinstance(channels, list)
        and set(channels) <= {"SMS", "EMAIL"}
        for audience, channels in audiences.items()
    )
    for kind, audiences in LIANBAN_STAFF_MESSAGE_ROUTES.items()
):
    raise ImproperlyConfigured(
        'LIANBAN_STAFF_MESSAGE_ROUTES must look like {"ORDER_URGED": {"DEPARTMENT": ["SMS", "EMAIL"]}}'
    )
# E-mail through SMTP (Django's mail): on when a host is set.
EMAIL_BACKEND = env.str("LIANBAN_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("LIANBAN_SMTP_HOST", default="")
EMAIL_PORT = env.int("LIANBAN_SMTP_PORT", default=25)
EMAIL_HOST_USER = env.str("LIANBAN_SMTP_USER", default="")
EMAIL_HOST_PASSWORD = env.str("LIANBAN_SMTP_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("LIANBAN_SMTP_STARTTLS", default=False)
EMAIL_USE_SSL = env.bool("LIANBAN_SMTP_SSL", default=False)
EMAIL_TIMEOUT = env.int("LIANBAN_SMTP_TIMEOUT_SECONDS", default=10)
DEFAULT_FROM_EMAIL = env.str("LIANBAN_MAIL_FROM", default="lianban@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
