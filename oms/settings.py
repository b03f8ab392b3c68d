"""Settings for the OMS, read from the environment only.

With nothing set, the app runs embedded: a SQLite file and Celery tasks executed in-process.
`DATABASE_URL` and `REDIS_URL` switch to PostgreSQL and a Redis broker/cache. With `DEBUG`
off (the default), the process refuses to start without a strong `SECRET_KEY`.

`OMS_TASK_RUNNER` says who runs the tasks (emails, webhook POSTs, gateway and carrier calls):
- `celery` (the default with `REDIS_URL`): Celery workers, fed through the Redis broker; beat
  sends the periodic sweeps.
- `background` (the default without): a web process runs them in a thread of its own, after the
  request, and sends the sweeps itself (`oms/background.py`). Other processes (management
  commands, the shell) run their tasks in the caller, as `inline`.
- `inline`: in the caller, inside the request (Celery's eager mode); the test suite's mode.
"""

import os
from decimal import Decimal, InvalidOperation
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


DEBUG = env_bool("DEBUG")

# --- secret key -----------------------------------------------------------------------------

DEVELOPMENT_SECRET_KEY = "development-only-insecure-key-never-use-in-production"
MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_UNIQUE_CHARACTERS = 5


def _secret_key_is_weak(key: str) -> bool:
    return (
        len(key) < MIN_SECRET_KEY_LENGTH
        or len(set(key)) < MIN_SECRET_KEY_UNIQUE_CHARACTERS
        or key.startswith("django-insecure")
        or key == DEVELOPMENT_SECRET_KEY
    )


SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
if not DEBUG and _secret_key_is_weak(SECRET_KEY):
    raise ImproperlyConfigured(
        "SECRET_KEY is missing or weak: with DEBUG off it must be at least "
        f"{MIN_SECRET_KEY_LENGTH} random characters. Generate one with "
        "`python -c 'import secrets; print(secrets.token_urlsafe(64))'`, "
        "or set DEBUG=true for local development."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- applications ---------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "oms",
    "inventory",
    "orders",
    "payments",
    "shipping",
    "returns",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "oms.security_headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "oms.input_guards.RefuseNulMiddleware",
    "oms.input_guards.DataErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "oms.middleware.HtmxMessagesMiddleware",
]

ROOT_URLCONF = "oms.urls"
WSGI_APPLICATION = "oms.wsgi.application"

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
                "oms.context_processors.navigation",
            ],
        },
    }
]

# --- database -------------------------------------------------------------------------------

DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's native psycopg 3 pool; persistent connections are incompatible with it.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env_int("DATABASE_POOL_MIN_SIZE", 2),
            "max_size": env_int("DATABASE_POOL_MAX_SIZE", 20),
            "timeout": env_int("DATABASE_POOL_TIMEOUT", 10),
        }
        # Parameters bound by the server let psycopg prepare the statements a connection sends
        # again and again (its default: from the fifth run): PostgreSQL then skips parsing and
        # planning them, about 40 % of its CPU per order capture (bench/README.md). Turn it
        # off behind a transaction-pooling proxy (pgbouncer), which cannot keep them.
        if env_bool("DATABASE_PREPARED_STATEMENTS", True):
            DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
            # Django turns preparing off unless it is named; 5 is psycopg's own default.
            DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 5
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # Writers take the lock when the transaction starts, so two reservations
            # serialize instead of failing with "database is locked" half way through.
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, Celery --------------------------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "").strip()

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "oms"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The longest countdown any task asks for (retry backoff is capped at this). Redis re-delivers
# an unacknowledged message after the visibility timeout, so that must be comfortably longer,
# or a task waiting for its countdown would be delivered twice.
CELERY_MAX_COUNTDOWN_SECONDS = 60 * 60
# In-process tasks still pass through a broker connection, which needs a host name: kombu
# warns "No hostname was supplied" for a bare "memory://" (the memory transport ignores it).
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * CELERY_MAX_COUNTDOWN_SECONDS}
# Who runs the tasks: see the module docstring.
OMS_TASK_RUNNER = os.environ.get("OMS_TASK_RUNNER", "").strip().lower()
OMS_TASK_RUNNER = OMS_TASK_RUNNER or ("celery" if REDIS_URL else "background")
if OMS_TASK_RUNNER not in {"celery", "background", "inline"}:
    raise ImproperlyConfigured("OMS_TASK_RUNNER must be celery, background or inline.")
if OMS_TASK_RUNNER == "celery" and not REDIS_URL:
    raise ImproperlyConfigured("OMS_TASK_RUNNER=celery needs REDIS_URL (the broker).")
CELERY_TASK_ALWAYS_EAGER = OMS_TASK_RUNNER != "celery"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "oms.tasks.record_worker_heartbeat", "schedule": 60.0},
    "clear-expired-sessions": {"task": "oms.tasks.clear_expired_sessions", "schedule": 6 * 3600.0},
    "sweep-webhooks": {"task": "oms.tasks.sweep_webhooks", "schedule": 60.0},
    "purge-webhook-history": {"task": "oms.tasks.purge_webhook_history", "schedule": 3600.0},
    "purge-idempotency-keys": {"task": "oms.tasks.purge_idempotency_keys", "schedule": 3600.0},
    "sweep-backorders": {"task": "orders.tasks.sweep_backorders", "schedule": 300.0},
    "sweep-confirmations": {"task": "orders.tasks.sweep_confirmations", "schedule": 300.0},
    "sweep-payments": {"task": "payments.tasks.sweep_payments", "schedule": 60.0},
    "note-late-orders": {"task": "orders.tasks.note_late_orders", "schedule": 300.0},
    "retry-channel-receipts": {"task": "orders.tasks.retry_channel_receipts", "schedule": 300.0},
    "sweep-shipping": {"task": "shipping.tasks.sweep_shipping", "schedule": 60.0},
    "play-sandbox-carrier": {"task": "shipping.tasks.play_sandbox_carrier", "schedule": 60.0},
    "sweep-returns": {"task": "returns.tasks.sweep_returns", "schedule": 120.0},
}

# A coalesced webhook event (e.g. stock per SKU) waits this long for later changes to fold into
# it before it is dispatched, so a burst of changes sends one figure, the last.
WEBHOOK_COALESCE_SECONDS = env_int("WEBHOOK_COALESCE_SECONDS", 2)
# Finished webhook events, deliveries and attempts are kept this long, then purged hourly.
WEBHOOK_RETENTION_DAYS = env_int("WEBHOOK_RETENTION_DAYS", 30)
# Allow webhook endpoints on loopback/private addresses (development and tests post locally).
WEBHOOK_ALLOW_PRIVATE_URLS = env_bool("WEBHOOK_ALLOW_PRIVATE_URLS", default=DEBUG)

# --- payments -------------------------------------------------------------------------------

# Gateways by the name an order's payment block uses. A live processor's adapter implements
# `payments.gateways.base.Gateway` and is added here.
PAYMENT_GATEWAYS = {
    "sandbox": "payments.gateways.sandbox.SandboxGateway",
    "manual": "payments.gateways.offline.ManualGateway",
    "marketplace": "payments.gateways.offline.MarketplaceGateway",
}
# The most one refund by Support may be (in the order's currency); above it needs a Manager.
PAYMENTS_SUPPORT_REFUND_LIMIT = os.environ.get("PAYMENTS_SUPPORT_REFUND_LIMIT", "").strip()
try:
    PAYMENTS_SUPPORT_REFUND_LIMIT = str(Decimal(PAYMENTS_SUPPORT_REFUND_LIMIT or "100.00"))
except InvalidOperation as error:
    raise ImproperlyConfigured(
        "PAYMENTS_SUPPORT_REFUND_LIMIT must be an amount such as 100.00."
    ) from error
# A gateway call that fails transiently is retried after 1×, 2×, 4× … this many seconds (with
# jitter), at most PAYMENTS_MAX_ATTEMPTS times in all, then the payment is marked failed.
PAYMENTS_RETRY_BASE_SECONDS = env_int("PAYMENTS_RETRY_BASE_SECONDS", 30)
PAYMENTS_MAX_ATTEMPTS = env_int("PAYMENTS_MAX_ATTEMPTS", 6)
# How long the sandbox processor takes to answer after it has moved the money (seconds).
PAYMENTS_SANDBOX_RESPONSE_DELAY = float(os.environ.get("PAYMENTS_SANDBOX_RESPONSE_DELAY") or 0)

# --- shipping -------------------------------------------------------------------------------

# Carrier adapters by the name a `Carrier.adapter` holds. A live carrier's adapter implements
# `shipping.carriers.base.CarrierAdapter` and is added here.
SHIPPING_CARRIERS = {
    "sandbox": "shipping.carriers.sandbox.SandboxCarrier",
}
# Demo mode: beat plays the sandbox carrier, sending tracking events for its parcels (collected
# after 2 minutes, delivered after 10) through the same path as a carrier's webhook.
SHIPPING_SANDBOX_PLAYS_CARRIER = env_bool("SHIPPING_SANDBOX_PLAYS_CARRIER", default=DEBUG)

# --- auth -----------------------------------------------------------------------------------

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- i18n, static, media, email -------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
# Days and times shown and typed one way everywhere, 2025-01-15 14:02 (`oms/formats/en`).
FORMAT_MODULE_PATH = "oms.formats"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(BASE_DIR / "media")))


def _email_settings(url: str) -> dict:
    """Translate `EMAIL_URL` (smtp://user:pass@host:port, smtp+tls://…, console://) to settings."""
    if not url or url.startswith("console:"):
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtp+tls", "smtp+ssl"}:
        raise ImproperlyConfigured(f"EMAIL_URL scheme {parts.scheme!r} is not supported")
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or 25,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": parts.scheme == "smtp+tls",
        "EMAIL_USE_SSL": parts.scheme == "smtp+ssl",
    }


globals().update(_email_settings(os.environ.get("EMAIL_URL", "").strip()))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "orders@localhost")

# --- security -------------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER"):
    # Behind a proxy that terminates TLS and sets X-Forwarded-Proto. Django sends HSTS only on
    # requests it sees as HTTPS, so behind such a proxy HSTS needs this setting.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies of ours append to X-Forwarded-For: the client address is the Nth
# entry from the right (`oms.client_address`); 0 ignores the header, which clients can forge.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
# /healthz is polled over plain HTTP by load balancers and container healthchecks.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS")

# --- REST API -------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "oms.api.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["oms.api.HasRole"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["oms.api.JSONParser"],
    "EXCEPTION_HANDLER": "oms.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "oms.api_schema.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OMS API",
    "DESCRIPTION": (
        "Order management REST API. Authenticate with `Authorization: Token <key>`. "
        'Every error answers `{"error": {"code", "message", "fields"}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request bodies apart from responses: read-only fields leave the request, and fields that
    # refuse a blank string say `minLength: 1` there (the schema is checked against the API).
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two different `reason` fields would otherwise both be called ReasonEnum.
    "ENUM_NAME_OVERRIDES": {
        "StockAdjustmentReasonEnum": "inventory.api.ADJUSTMENT_REASON_CHOICES",
        "HoldReasonEnum": "orders.models.HoldReason",
        # A shipment's status and a tracking event's are both `status`.
        "ShipmentStatusEnum": "shipping.models.ShipmentStatus",
        "TrackingEventStatusEnum": "shipping.models.TrackingEvent.Kind",
        "CarrierEventOutcomeEnum": "shipping.api_webhooks.RECEIPT_OUTCOMES",
        # A return line's `reason` and a return's `status` (beside the order's and others').
        "ReturnReasonEnum": "returns.models.ReturnReason",
        "ReturnStatusEnum": "returns.models.ReturnStatus",
        # A payment's own lifecycle and an order's payment summary: both `PaymentStatusEnum`
        # by default, and the schema named the order's values for a payment's status.
        "PaymentStatusEnum": "payments.models.PaymentStatus",
        "OrderPaymentStatusEnum": "orders.models.Order.PaymentStatus",
    },
}

# --- logging --------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"refusal_without_traceback": {"()": "oms.log_filters.RefusalWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console handler would print every request error a second time, beside
        # the root's: its records reach the root handler alone, at the root's level.
        "django": {"handlers": [], "level": "NOTSET"},
        "django.request": {"filters": ["refusal_without_traceback"]},
        # In-process tasks would log a line per task into the web server's output.
        "celery.app.trace": {"level": "INFO" if OMS_TASK_RUNNER == "celery" else "WARNING"},
    },
}
