"""Settings, read from the environment in this one place.

Defaults are the embedded ones a newcomer gets from `make run`: SQLite, in-process
Celery, local-memory cache, console email. Production sets PORTAL_PRODUCTION=true and
the URLs of PostgreSQL, Redis and the mail server (see README, "Running in production").
"""

from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

PRODUCTION = env.bool("PORTAL_PRODUCTION", default=False)

if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    DEBUG = False
else:
    SECRET_KEY = env.str(
        "SECRET_KEY", default="insecure-development-key-not-for-production"
    )
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
    DEBUG = env.bool("DEBUG", default=True)

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "portal.apps.PortalAdminConfig",  # django.contrib.admin on the portal's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # trigram lookups for the team search (PostgreSQL)
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_forms_gds",
    "django_filters",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from static/
    "core",
    "accounts",
    "frameworks",
    "returns",
    "api",
    "support",
    "portal",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.SessionActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.middleware.TwoFactorRequiredMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
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
                "portal.context_processors.navigation",
            ],
            # The one formatting filter for every number and date on a page or in
            # an email, available in every template without a {% load %}.
            "builtins": ["returns.templatetags.figures_format"],
        },
    },
]

DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'portal.sqlite3'}"
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, in-process tasks, tests' threads) share the file.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://portal")}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

# allauth: email and password only; people are invited, nobody signs themselves up.
ACCOUNT_ADAPTER = "accounts.adapters.PortalAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    # Sign-ins per address: allauth's default. The load test raises it, because its
    # hundred people all come from 127.0.0.1.
    "login": env.str("LOGIN_RATE_LIMIT", default="30/m/ip"),
}
# Behind a load balancer every request comes from the balancer's address: say how many
# proxies to trust, so throttling counts the person's own address (X-Forwarded-For).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Social value returns: "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_RECOVERY_CODE_COUNT = 10
# allauth's set-up form, with the code made single use (see the form).
MFA_FORMS = {"activate_totp": "accounts.forms.ActivateTOTPForm"}
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Social value returns")

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 2)
# The age counts from the last request (inactivity): portal.middleware renews it.
SESSION_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
# collectstatic fills STATIC_ROOT in production; elsewhere WhiteNoise reads static/ directly.
STATIC_ROOT = (
    env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
    if PRODUCTION
    else None
)
WHITENOISE_USE_FINDERS = not PRODUCTION
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = (
    "/media-not-served/"  # evidence is served only through views that check access
)
STORAGES = {
    # Evidence files. One machine: the file system under MEDIA_ROOT. Several machines:
    # a shared object store (see docs/deployment.md), so every process sees every file.
    "default": {
        "BACKEND": env.str(
            "FILE_STORAGE_BACKEND",
            default="django.core.files.storage.FileSystemStorage",
        )
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
CRISPY_CLASS_CONVERTERS = {
    "numberinput": "govuk-input",
    "dateinput": "govuk-input",
    "urlinput": "govuk-input",
    "emailinput": "govuk-input",
    "textinput": "govuk-input",
    "passwordinput": "govuk-input",
}

# Email: printed to the console unless a backend is configured.
email_config = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(email_config)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Social value team <social.value@example.org>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds one SMTP call may take: a hung mail server fails the try (to be retried)
# instead of holding a worker and its ledger row.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# The notification ledger (returns.services.notifications): seconds to wait after
# each failed try (1, 5, 30 minutes, 2 and 6 hours; after the last the email has
# failed for good and the team sees it); seconds after which a row left `sending`
# is taken for a dead worker's and sent again (far above EMAIL_TIMEOUT); seconds the
# retry job leaves a freshly queued row to the task queued with it.
NOTIFICATION_RETRY_SECONDS = env.list(
    "NOTIFICATION_RETRY_SECONDS", cast=int, default=[60, 300, 1800, 7200, 21600]
)
NOTIFICATION_SENDING_TIMEOUT = env.int("NOTIFICATION_SENDING_TIMEOUT", default=600)
NOTIFICATION_QUEUED_GRACE = env.int("NOTIFICATION_QUEUED_GRACE", default=120)
# An issue run queued or running this many seconds without finishing, and not held
# by a live worker, is shown as stopped and started again by the resume job.
ISSUE_RUN_STALE_AFTER = env.int("ISSUE_RUN_STALE_AFTER", default=900)
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
# Invitations: days a link works after it is sent; the address told when a supplier's
# contacts change their colleagues.
INVITATION_EXPIRY_DAYS = env.int("INVITATION_EXPIRY_DAYS", default=14)
PORTAL_TEAM_EMAIL = env.str("PORTAL_TEAM_EMAIL", default="social.value@example.org")

# Celery: in-process (eager) when no broker is configured.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
# Crashes: every task of the portal is idempotent (DESIGN "Background jobs"), so a
# task is acknowledged only when it has finished, and one whose worker process died
# is handed back to the queue at once. A task that is not safe to run twice must
# say `acks_late=False` on its decorator.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis hands an unacknowledged task to another worker after the visibility timeout:
# it must be longer than the longest task, or a task still running is started a
# second time. The longest is the daily reminders at full scale (about 13,000 emails,
# about an hour at 0.3 s each through a slow provider). A task lost with a dead
# machine waits this long; emails and issue runs do not wait for it (the retry and
# resume jobs below pick them up within minutes). See docs/deployment.md.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=7200)
}
# The queue tasks go to when none is named (tests give a worker a queue of its own).
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE: dict = {
    # 06:30 London every day: away from the clock changes at 01:00 and 02:00.
    "issue-ready-years": {
        "task": "returns.tasks.issue_ready_years",
        "schedule": crontab(hour=6, minute=30),
    },
    # 06:45 London on the 1st of each month: evidence past its retention is erased.
    "erase-expired-evidence": {
        "task": "returns.tasks.erase_expired_evidence",
        "schedule": crontab(day_of_month=1, hour=6, minute=45),
    },
    # 06:50 London every day: uploads of reference data nobody confirmed within a
    # day are deleted (the run stays as the record).
    "erase-unconfirmed-import-files": {
        "task": "frameworks.tasks.erase_unconfirmed_import_files",
        "schedule": crontab(hour=6, minute=50),
    },
    # 06:30 London every day: the automatic reminders of every open return.
    "send-reminders": {
        "task": "returns.tasks.send_reminders",
        "schedule": crontab(hour=6, minute=30),
    },
    # Every 2 minutes: emails due another try, left `sending` by a dead worker, or
    # queued by a task that was lost (returns.services.notifications).
    "retry-emails": {
        "task": "returns.tasks.retry_notifications",
        "schedule": crontab(minute="*/2"),
    },
    # 07:15 London every Monday: member viewers are told of approved returns on
    # their contracts (at most one email a week each) and contracts at risk.
    "send-member-notices": {
        "task": "returns.tasks.send_member_notices",
        "schedule": crontab(day_of_week="mon", hour=7, minute=15),
    },
    # 07:00 London on the 1st of each month: members' monthly extracts (api app).
    "write-member-extracts": {
        "task": "api.tasks.write_member_extracts",
        "schedule": crontab(day_of_month=1, hour=7, minute=0),
    },
    # 06:55 London every day: API token use records past API_TOKEN_USE_KEEP_DAYS.
    "prune-token-uses": {
        "task": "api.tasks.prune_token_uses",
        "schedule": crontab(hour=6, minute=55),
    },
    # Every 5 minutes: issue runs left queued or running by a dead worker.
    "resume-issue-runs": {
        "task": "returns.tasks.resume_issue_runs",
        "schedule": crontab(minute="*/5"),
    },
}

# The read-only API (api/): bearer tokens only (no session, so no CSRF), JSON in and
# out, errors as RFC 9457 problem details, a rate limit per token.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.authentication.HasToken"],
    "DEFAULT_THROTTLE_CLASSES": ["api.authentication.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "api.rest.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Social value returns API",
    "DESCRIPTION": (
        "Read-only figures of the social value returns portal. Send a token from "
        "your API tokens page as `Authorization: Bearer <token>`. A member's token "
        "reads its contracts' approved figures; a supplier's token its own returns; "
        "the team's token everything. Published years' report figures need no token."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
}
API_RATE_LIMIT_PER_MINUTE = env.int("API_RATE_LIMIT_PER_MINUTE", default=120)
# How long each request made with a token is kept (the token page and the admin show
# them); older records are deleted daily.
API_TOKEN_USE_KEEP_DAYS = env.int("API_TOKEN_USE_KEEP_DAYS", default=90)
# Open data: the OCDS ocid prefix (registered with the Open Contracting Partnership:
# "ocds-" and six characters), who publishes, and under which licence.
OCDS_OCID_PREFIX = env.str("OCDS_OCID_PREFIX", default="ocds-svr000")
OPEN_DATA_PUBLISHER = env.str(
    "OPEN_DATA_PUBLISHER", default="The social value consortium"
)
# Seconds a built open data file is served from the cache (see api.opendata_views).
OPEN_DATA_CACHE_SECONDS = env.int("OPEN_DATA_CACHE_SECONDS", default=600)
OPEN_DATA_LICENCE_URL = env.str(
    "OPEN_DATA_LICENCE_URL",
    default="https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
)

# Content Security Policy: nothing inline, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # A load balancer probes the health check over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading commits the whole domain to HTTPS; set false for a shared parent domain.
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Uploads and spreadsheets
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)
EVIDENCE_MAX_BYTES_PER_RETURN = env.int(
    "EVIDENCE_MAX_BYTES_PER_RETURN", default=200 * 1024 * 1024
)
EVIDENCE_RETENTION_YEARS = env.int("EVIDENCE_RETENTION_YEARS", default=6)
SPREADSHEET_MAX_BYTES = env.int("SPREADSHEET_MAX_BYTES", default=10 * 1024 * 1024)
SPREADSHEET_MAX_UNPACKED_BYTES = env.int(
    "SPREADSHEET_MAX_UNPACKED_BYTES", default=200 * 1024 * 1024
)
SPREADSHEET_MAX_ROWS = env.int("SPREADSHEET_MAX_ROWS", default=100_000)
# A request's fields other than files (the spreadsheet preview's signed plan is the
# largest); files are bounded by the handler below, which stops an upload past the
# largest file any page takes while it streams, before Django spools it to disk.
# The proxy in front refuses bodies past its own limit first (docs/deployment.md).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000  # a page of bulk invitations or reminders
DATA_UPLOAD_MAX_NUMBER_FILES = 5  # every upload form takes one file
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "core.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Logs go to standard output. In production each line is a JSON object (LOG_FORMAT=json,
# the default there), so a log collector can index them without parsing text.
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
            "rename_fields": {
                "asctime": "time",
                "levelname": "level",
                "name": "logger",
            },
            "timestamp": False,
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
