"""Settings for the permit portal, read from the environment (django-environ).

With no variable set the portal runs on embedded defaults, so `make run` needs no
services: SQLite, a local-memory cache, Celery tasks run eagerly in-process, email
printed to the console. Production (DEBUG off) refuses to start on those defaults.
Every variable is listed in README.md.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.config import (
    database_from_url,
    redis_cache,
    redis_url,
    redis_url_for_cache,
    sqlite_database,
)

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105

DATABASE_URL = env.str("DATABASE_URL", default="")
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    REDIS_URL = redis_url(REDIS_URL)  # stops start-up when malformed

# Debug is on by default only on the embedded defaults; a machine given real services is
# taken for production unless it says DEBUG=true, so a forgotten DEBUG fails closed.
DEBUG = env.bool("DEBUG", default=not (DATABASE_URL or REDIS_URL))
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Where people reach the portal; links in emails and the QR code on a permit use it.
PORTAL_URL = env.str("PORTAL_URL", default="http://127.0.0.1:8000").rstrip("/")

DATABASES = {
    "default": database_from_url(DATABASE_URL)
    if DATABASE_URL
    else sqlite_database(BASE_DIR / "db.sqlite3")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if REDIS_URL:
    CACHES = {
        "default": redis_cache(
            redis_url(
                env.str("CACHE_URL", default=redis_url_for_cache(REDIS_URL)), variable="CACHE_URL"
            )
        )
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, ... from one URL.
globals().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Permit Center <permits@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
ADMINS = [("Portal administrators", address) for address in env.list("ADMINS", default=[])]

STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
# An optional fee on card payments, its own line at checkout: a percentage and a flat
# amount in dollars, both none unless the city sets them.
PAYMENT_CONVENIENCE_FEE_PERCENT = Decimal(env.str("PAYMENT_CONVENIENCE_FEE_PERCENT", default="0"))
PAYMENT_CONVENIENCE_FEE_FLAT = Decimal(env.str("PAYMENT_CONVENIENCE_FEE_FLAT", default="0"))
RECAPTCHA_PUBLIC_KEY = env.str("RECAPTCHA_PUBLIC_KEY", default="")
RECAPTCHA_PRIVATE_KEY = env.str("RECAPTCHA_PRIVATE_KEY", default="")

# The project's own apps, lowest layer first (DESIGN.md "Shape").
PROJECT_APPS = ["portal", "accounts", "licensing", "permits", "inspections", "payments"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_recaptcha",
    "axes",
    "simple_history",
    *PROJECT_APPS,
]

MIDDLEWARE = [
    "portal.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.BrowserPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "accounts.middleware.AccountSetupRequiredMiddleware",
    "portal.middleware.CityTimezoneMiddleware",
    # Last, so it sees the lockout that authentication flagged on the request.
    "axes.middleware.AxesMiddleware",
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
                "portal.context_processors.city",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked account is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_REDIRECT_URL = "accounts:welcome"
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_SESSION_REMEMBER = None
# django-axes counts failures per account; allauth keeps only a per-address ceiling on
# failed logins, against one machine guessing at many accounts.
ACCOUNT_RATE_LIMITS = {"login_failed": "20/m/ip"}
ACCOUNT_FORMS = {
    "add_email": "accounts.forms.PortalAddEmailForm",
    "login": "accounts.forms.PortalLoginForm",
    "reset_password_from_key": "accounts.forms.PortalResetPasswordKeyForm",
}
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3 * 86_400)

# Lockout (django-axes): failures are counted per account, never per IP address, so
# one person's typos cannot lock out a whole office behind the same router.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=5))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_key"
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout"
AXES_RESET_ON_SUCCESS = True
# Tries made while locked do not restart the clock: the lock lifts 5 minutes after it began.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_SENSITIVE_PARAMETERS = ["password", "password1", "password2", "security_answer"]
# How many reverse proxies stand in front of the portal and append to X-Forwarded-For.
# With none, the header is ignored (anyone can send it); with the wrong number, every
# visitor shares the proxy's address and its per-address limits.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if TRUSTED_PROXY_COUNT else ["REMOTE_ADDR"]
)
# axes warns when lockouts ignore the IP address; that is the point here (see above).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# CAPTCHA (django-recaptcha, v2 checkbox): without keys the forms leave it out and
# say so, and `check --deploy` warns (portal.W002).
RECAPTCHA_VERIFY_REQUEST_TIMEOUT = 5

LANGUAGE_CODE = "en-us"
LANGUAGES = [("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# The server's zone, used by Celery beat and as the default for the city's own
# time zone, which each request activates (CityTimezoneMiddleware).
TIME_ZONE = env.str("TIME_ZONE", default="America/Los_Angeles")

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The largest document an applicant may upload, in megabytes.
PERMIT_DOCUMENT_MAX_MB = env.int("PERMIT_DOCUMENT_MAX_MB", default=10)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Celery: eager in-process without Redis, so the embedded defaults need no worker.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 86_400
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A Redis that cannot be reached, or takes a connection and then never answers, costs a
# request seconds, not the system's default minutes or forever: the outbox keeps the task
# (portal/outbox.py) and beat sends it later. A worker's wait for work (BRPOP) is 1 s.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 3}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # What a broker outage kept in the outbox goes out within a minute of its return.
    "pending-tasks-flush": {
        "task": "portal.tasks.pending_tasks_flush",
        "schedule": 60.0,
    },
    "sessions-clear-expired": {
        "task": "portal.tasks.sessions_clear_expired",
        "schedule": crontab(hour=3, minute=15),
    },
    "payments-reconcile": {
        "task": "payments.tasks.payments_reconcile_scheduled",
        "schedule": crontab(minute="*/10"),
    },
    "lockouts-purge-expired": {
        "task": "accounts.tasks.lockouts_purge_expired_scheduled",
        "schedule": crontab(minute="*/15"),
    },
    # Daily, early: a permit expires the night after its last day; the warnings go out
    # at an hour people read mail, still before the Permit Center opens.
    "permits-expire": {
        "task": "permits.tasks.permits_expire_scheduled",
        "schedule": crontab(hour=1, minute=30),
    },
    "permits-warn-expiring": {
        "task": "permits.tasks.permits_warn_expiring_scheduled",
        "schedule": crontab(hour=6, minute=0),
    },
    "licenses-expire": {
        "task": "licensing.tasks.licenses_expire_scheduled",
        "schedule": crontab(hour=1, minute=45),
    },
    "licenses-remind-renewal": {
        "task": "licensing.tasks.licenses_remind_renewal_scheduled",
        "schedule": crontab(hour=6, minute=15),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # WeasyPrint logs each step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): a page loads our own files and nothing else, and
# runs no inline script or style, so injected markup cannot run. Bootstrap's CSS draws its
# icons as data: SVG images. A form posts only to us; the payment form's answer is a
# redirect to Stripe Checkout, which form-action also governs. The hosts of Stripe and
# reCAPTCHA join the policy only while they are configured: BrowserPolicyMiddleware
# decides per request, by the same rules as the payment provider and the CAPTCHA field.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
CONTENT_SECURITY_POLICY_WITH_STRIPE = {"form-action": ["https://checkout.stripe.com"]}
# The hosts Google's reCAPTCHA FAQ lists for a Content-Security-Policy; script-src stands
# in for default-src for scripts, so it names our own again.
CONTENT_SECURITY_POLICY_WITH_RECAPTCHA = {
    "script-src": [
        "'self'",
        "https://www.google.com/recaptcha/",
        "https://www.gstatic.com/recaptcha/",
    ],
    "frame-src": ["https://www.google.com/recaptcha/", "https://recaptcha.google.com/recaptcha/"],
}
# Permissions-Policy: the portal uses none of the browser's powerful features, so neither a
# page nor anything it could frame may ask for them. A file input still opens the phone's
# camera to photograph a document: that is the operating system's, not the page's.
PERMISSIONS_POLICY_DENIED_FEATURES = [
    "accelerometer",
    "browsing-topics",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
]
# Form widgets render with the project's templates too, so templates/django_recaptcha/
# replaces the CAPTCHA widget's inline script (the default renderer sees only the apps').
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

SESSION_COOKIE_HTTPONLY = True

if not DEBUG:
    problems = []
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50:
        problems.append(
            "SECRET_KEY is the development key or shorter than 50 characters; set a long random one"
        )
    for name, value in (
        ("DATABASE_URL", DATABASE_URL),
        ("REDIS_URL", REDIS_URL),
        ("EMAIL_URL", env.str("EMAIL_URL", default="")),
        ("ALLOWED_HOSTS", ALLOWED_HOSTS),
    ):
        if not value:
            problems.append(f"{name} is not set")
    if problems:
        raise ImproperlyConfigured(
            "Production settings (DEBUG is off) refuse the development defaults: "
            + "; ".join(problems)
            + ". On a development machine with real services, set DEBUG=true."
        )
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
