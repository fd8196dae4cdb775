"""PrivacyDesk settings: one module, driven by environment variables.

Every variable has a safe default for the embedded mode (SQLite under var/,
Celery eager, e-mail to the console). README.md lists them all.
"""

import base64
import hashlib
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.beat import BEAT_SCHEDULE
from config.env import embedded_secret, env_flag, redis_database, secret_setting
from retention.defaults import AUDIT_PERSONAL_DETAILS_DAYS as _AUDIT_DAYS

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("PRIVACYDESK_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()


DEBUG = env_flag("DEBUG", False)
HTTPS = env_flag("HTTPS", False)

# Production: not DEBUG, and served over HTTPS. Its keys must be given, long enough.
_PRODUCTION = not DEBUG and HTTPS
SECRET_KEY = secret_setting("SECRET_KEY", VAR_DIR, min_length=50, production=_PRODUCTION)
# Keys the audit trail's HMAC chain (audit.chain). Never stored in the database, never logged;
# every process that writes or verifies the trail needs the same one.
AUDIT_HMAC_KEY = secret_setting("AUDIT_HMAC_KEY", VAR_DIR, min_length=32, production=_PRODUCTION)

# Encrypts webhook signing secrets (recipients.secrets): Fernet keys, the first encrypts, all
# decrypt. The embedded default is derived from a random file in var/.
WEBHOOK_SECRET_KEYS = env.list("WEBHOOK_SECRET_KEYS", default=[]) or [
    base64.urlsafe_b64encode(
        hashlib.sha256(embedded_secret(VAR_DIR, "webhook_secret_key").encode()).digest()
    ).decode()
]
# Webhook addresses must be https unless DEBUG; tests may allow plain http to 127.0.0.1.
WEBHOOKS_ALLOW_HTTP_LOOPBACK = env_flag("WEBHOOKS_ALLOW_HTTP_LOOPBACK", False)

# Single sign-on (sso): the SAML service provider's private key and certificate (PEM files);
# the embedded default makes a pair once in var/. Every web process needs the same pair: the
# IdP holds the certificate. The IdP addresses must be https on the public internet unless
# DEBUG; tests may allow plain http to 127.0.0.1.
SSO_SAML_KEY_FILE = env.str("SSO_SAML_KEY_FILE", default="")
SSO_SAML_CERT_FILE = env.str("SSO_SAML_CERT_FILE", default="")
if bool(SSO_SAML_KEY_FILE) != bool(SSO_SAML_CERT_FILE):
    raise ImproperlyConfigured("Set both SSO_SAML_KEY_FILE and SSO_SAML_CERT_FILE, or neither.")
if not SSO_SAML_KEY_FILE:
    from sso.keys import key_pair_files as _key_pair_files

    SSO_SAML_KEY_FILE, SSO_SAML_CERT_FILE = _key_pair_files(
        VAR_DIR / "sso_saml_sp.key", VAR_DIR / "sso_saml_sp.crt", common_name="PrivacyDesk SAML SP"
    )
SSO_ALLOW_HTTP_LOOPBACK = env_flag("SSO_ALLOW_HTTP_LOOPBACK", False)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp_webauthn",
    "cookie_consent",
    "csp",
    # Our apps. datamap comes last so that its ready() sees every model.
    # config is listed only so that manage.py finds its seed_demo command; it has no models
    # and no AppConfig of its own (Django's default is all it needs).
    "config",
    "audit",
    "accounts",
    "communications",
    "security",
    "usage",
    "dsar",
    "retention",
    "cookies",
    "enquiries",
    "backoffice",
    "breaches",
    "records",
    "recipients",
    "scim",
    "sso",
    "datamap",
    "backups",
]

MIDDLEWARE = [
    # First, so that it is last on the way out: it sees every Set-Cookie and removes those of
    # a cookie group the visitor has not consented to, and any cookie in no group.
    "cookies.middleware.ConsentEnforcementMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so that static files carry the policy too.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise (static files keep their caching) and around everything else, so that
    # redirects and refusals from the middleware below are covered as well as the views.
    "common.cache_control.NoStoreMiddleware",
    # Before the session, CSRF and consent code read the cookies: a malformed one is dropped.
    "common.middleware.MalformedCookieMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Before anything that records or looks up the address: a NUL in it, in the query string
    # or in a header answers 404 or 400.
    "common.middleware.ControlCharacterMiddleware",
    "usage.middleware.UsageLoggingMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication, OTP and messages: idle back-office sessions end, sessions are
    # tracked, and a user who must pass the second step reaches nothing else until they do.
    "security.middleware.SessionActivityMiddleware",
    "security.middleware.MfaRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # AxesMiddleware must be last: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "config.context_processors.navigation",
                "cookies.context_processors.consent",
            ],
            # common is not an app (it imports none), so its tags are named here.
            "libraries": {"present": "common.templatetags.present"},
        },
    },
]

# --- Database -----------------------------------------------------------------

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'privacydesk.sqlite3'}"),
}
POSTGRESQL = "common.postgresql"  # Django's, with a health check that sends nothing
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = POSTGRESQL
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL and a busy timeout let the embedded server and an eager task share the file.
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # The usage rollups' covering indexes are for PostgreSQL; SQLite builds them as plain ones.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

# The erasure ledger (retention.ErasureLedgerEntry) lives outside the database a backup restore
# replaces, so a restore can erase again whoever was erased after the backup was taken.
# Production: a separate PostgreSQL database; embedded mode: a SQLite file beside the data.
DATABASES["ledger"] = env.db_url(
    "LEDGER_DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'erasure-ledger.sqlite3'}"
)
# The ledger's router first: it keeps the ledger's model in its own database. The replica's
# router then sends heavy reads to the replica, when one is configured, and all else to the
# primary (common/db_routing.py).
DATABASE_ROUTERS = [
    "retention.routers.ErasureLedgerRouter",
    "common.db_routing.PrimaryReplicaRouter",
]
# Keys the ledger's hashes of identifiers; without it the ledger cannot recognise anyone.
ERASURE_LEDGER_KEY = secret_setting(
    "ERASURE_LEDGER_KEY", VAR_DIR, min_length=32, production=_PRODUCTION
)
# A Fernet key (cryptography): when set, `manage.py backup` encrypts and `restore` decrypts.
BACKUP_KEY = env.str("BACKUP_KEY", default="")
# How long the nightly backups in the default storage are kept (backups/nightly.py).
BACKUP_KEEP_DAYS = env.int("BACKUP_KEEP_DAYS", default=35)

# A PostgreSQL streaming replica of the default database (a hot standby) for the heavy reads:
# client usage reports, staff aggregates, the dashboard's counts, CSV exports and access
# packages. Unset: everything reads the primary.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    if DATABASES["default"]["ENGINE"] != POSTGRESQL:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL to be PostgreSQL.")
    DATABASES["replica"] = env.db_url("DATABASE_REPLICA_URL")
    DATABASES["replica"]["ENGINE"] = POSTGRESQL
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    # A replica that does not answer costs a heavy read this long before the primary takes it.
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_REPLICA_CONNECT_TIMEOUT", default=2)
    )
    # Tests read the replica as the default test database, through a connection of its own.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    # Inside the session middleware, so that it marks a session that wrote before it is saved.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
        "common.db_routing.ReadYourWritesMiddleware",
    )
# Heavy reads leave a replica more than this many seconds behind the primary for the primary.
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=5.0)
# A session that wrote reads the primary for this long (read-your-writes).
READ_YOUR_WRITES_SECONDS = env.float("READ_YOUR_WRITES_SECONDS", default=10.0)
# Each process asks the replica its lag at most this often; one found down is left alone this
# long; a read that must see everything the primary has waits this long for the replica.
REPLICA_CHECK_SECONDS = env.float("REPLICA_CHECK_SECONDS", default=1.0)
REPLICA_RETRY_SECONDS = env.float("REPLICA_RETRY_SECONDS", default=5.0)
REPLICA_CATCH_UP_SECONDS = env.float("REPLICA_CATCH_UP_SECONDS", default=1.0)
if READ_YOUR_WRITES_SECONDS < REPLICA_MAX_LAG_SECONDS + REPLICA_CHECK_SECONDS:
    # Else a session could read the replica before it has replayed the session's own write.
    raise ImproperlyConfigured(
        "READ_YOUR_WRITES_SECONDS must be at least REPLICA_MAX_LAG_SECONDS + REPLICA_CHECK_SECONDS."
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and Celery --------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="")


REDIS_CACHE_URL = env.str(
    "REDIS_CACHE_URL", default=redis_database(REDIS_URL, 1) if REDIS_URL else ""
)

if REDIS_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "common.cache.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="privacydesk"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "common.cache.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TIMEZONE = "Europe/London"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis gives a task taken by a worker that died (SIGKILL, a lost host) to another worker once
# this many seconds have passed since it was taken, unacknowledged (tasks acknowledge late).
# Longer than any task runs, or a slow task also runs elsewhere; a worker whose pool process
# dies hands its task back at once (reject on worker lost). Each worker looks for such tasks
# every 10 seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60),
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}
# Task modules outside an app's tasks.py, which autodiscovery does not import.
CELERY_IMPORTS = ["security.services.passwords"]
# Every periodic task, each expiring before its next run (config/beat.py).
CELERY_BEAT_SCHEDULE = BEAT_SCHEDULE

# --- Authentication -----------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # The password login: refuses anyone whose organisation requires single sign-on (its
    # break-glass admin aside), and ends every password attempt, right or wrong.
    "sso.backends.PasswordBackend",
    # Only a passkey sign-in names it (security.services.passkeys): it answers no password.
    "django_otp_webauthn.backends.WebAuthnBackend",
    # The sessions a single sign-on login opens: it authenticates no credentials itself.
    "sso.backends.SsoBackend",
    # Loads the sessions that name it: an accepted invitation's, and those opened before
    # PasswordBackend took over the password login. No password reaches it.
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "security.axes_handler.LoginCleanUpInOneStatementHandler"
AXES_LOCKOUT_TEMPLATE = "security/lockout.html"
AXES_VERBOSE = False
# The client behind NUM_PROXIES proxies, as the API throttles count it (common.client_ip);
# it replaces django-ipware, so the AXES_IPWARE_* settings have no effect.
AXES_CLIENT_IP_CALLABLE = "common.client_ip.client_ip"
# Login forms post "username"; the callable lower-cases it so one lockout covers every spelling.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "security.services.lockout.axes_username"
# Each failure in its own row (AccessFailureLog): the suspicious-activity rules read them.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# The security self-check fails when the newest backup the deployment recorded
# (manage.py record_backup) is older than this.
SECURITY_BACKUP_MAX_AGE_HOURS = env.int("SECURITY_BACKUP_MAX_AGE_HOURS", default=26)

OTP_TOTP_ISSUER = "PrivacyDesk"
PASSWORD_RESET_TIMEOUT = 60 * 60  # a reset link works for one hour
# Reset e-mails allowed per address and per client IP in a fixed window; past either limit the
# page answers as always and nothing is sent.
PASSWORD_RESET_LIMIT_PER_EMAIL = env.int("PASSWORD_RESET_LIMIT_PER_EMAIL", default=3)
PASSWORD_RESET_LIMIT_PER_EMAIL_SECONDS = env.int(
    "PASSWORD_RESET_LIMIT_PER_EMAIL_SECONDS", default=3600
)
PASSWORD_RESET_LIMIT_PER_IP = env.int("PASSWORD_RESET_LIMIT_PER_IP", default=20)
PASSWORD_RESET_LIMIT_PER_IP_SECONDS = env.int("PASSWORD_RESET_LIMIT_PER_IP_SECONDS", default=3600)

# --- Sessions, cookies and HTTPS ----------------------------------------------

SESSION_ENGINE = "common.session_store"
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
# A load balancer's or compose's health probe speaks plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if env_flag("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): only this origin's files, and no inline script or
# style anywhere, so injected markup can neither run nor restyle a page. The QR code for MFA
# enrolment is inline SVG with presentation attributes, which style-src does not govern.
# /api/docs/ adds data: images for Swagger UI's own stylesheet (config/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# django-cookie-consent's consent cookie: secure with HTTPS; our consent log replaces its
# LogItem (which keeps no user, visitor or policy version).
COOKIE_CONSENT_SECURE = HTTPS
COOKIE_CONSENT_LOG_ENABLED = False

# --- E-mail -------------------------------------------------------------------

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="PrivacyDesk <privacy@privacydesk.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
DPO_EMAIL = env.str("DPO_EMAIL", default="dpo@privacydesk.test")
# The privacy notice names the controller and links the notice on complaints and questions.
CONTROLLER_NAME = env.str("CONTROLLER_NAME", default="PrivacyDesk Ltd")
CONSUMER_CONTACT_NOTICE_URL = env.str(
    "CONSUMER_CONTACT_NOTICE_URL",
    default="https://privacydesk.test/consumer-contact-privacy-notice/",
)
if not CONSUMER_CONTACT_NOTICE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("CONSUMER_CONTACT_NOTICE_URL must be an http(s) address.")
# The database role the app runs as when migrations run as another (the table owner): audit
# migration 0006 leaves it only INSERT and SELECT on the audit trail and its anchors.
DATABASE_APP_ROLE = env.str("DATABASE_APP_ROLE", default="")

# --- Internationalisation -----------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# WhiteNoise warns at every start while collectstatic has not made this yet.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# Generated files (access packages today) go through the storage API, never a path, so that a
# file the worker writes is the file the web serves: one directory every process mounts, or an
# S3-compatible bucket (django-storages, `pip install .[s3]`) when FILES_S3_BUCKET is set.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
FILES_S3_BUCKET = env.str("FILES_S3_BUCKET", default="")
if FILES_S3_BUCKET:
    _files_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": FILES_S3_BUCKET,
            "endpoint_url": env.str("FILES_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("FILES_S3_REGION", default="") or None,
            # Private objects, never a public URL: the web streams each download itself.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    # No location: FileSystemStorage follows MEDIA_ROOT (and a test's override of it).
    _files_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _files_storage,
    # Access packages: personal data, kept 7 days; never served by URL, only streamed.
    "packages": _files_storage,
    # Usage exports (CSV): kept 24 hours, streamed to the organisation's client admins only.
    "exports": _files_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_flag("STATIC_MANIFEST", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Serve straight from the app directories when collectstatic has not run (embedded mode,
# tests). Production sets STATIC_MANIFEST=1 after collectstatic for hashed, cacheable names.
WHITENOISE_USE_FINDERS = True
WHITENOISE_MANIFEST_STRICT = False

# --- REST API -----------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First: a request that presents a key is judged by its key (401 if bad), never by a
        # session cookie that happens to come with it. The session keeps its CSRF check.
        "accounts.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["common.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["common.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "common.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "common.throttles.AnonRateThrottle",
        "accounts.authentication.UserOrKeyRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/minute"),
        "user": env.str("API_THROTTLE_USER", default="1200/minute"),
        # Rights requests filed without credentials, per IP (dsar.api).
        "rights_public": env.str("API_THROTTLE_RIGHTS_PUBLIC", default="10/hour"),
    },
    "EXCEPTION_HANDLER": "common.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "common.schema.AutoSchema",
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append(
        "rest_framework.renderers.BrowsableAPIRenderer"
    )

SPECTACULAR_SETTINGS = {
    "TITLE": "PrivacyDesk API",
    "DESCRIPTION": (
        "Account administration and privacy back office. Authenticate with a browser session "
        "(CSRF) or `Authorization: Api-Key <key>`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "common.roles.Role",
        "OrganisationRoleEnum": "accounts.serializers.ROLE_CHOICES",
        "UserStatusEnum": "accounts.models.User.Status",
        "RightsRequestKindEnum": "dsar.models.RequestKind",
        "RightsRequestStateEnum": "dsar.models.State",
        "RequestEventKindEnum": "dsar.models.RequestEvent.Kind",
        "RectificationFieldEnum": "dsar.forms.intake.CORRECTION_CHOICES",
    },
}

# --- Logging ------------------------------------------------------------------

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django logs a failed request with the request object; nothing of its body is logged.
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        # pysaml2 logs assertions (names, addresses) at debug and info, and raw parse errors
        # above: sso logs each refused login itself, by reason, with nothing of the message.
        "saml2": {"level": "CRITICAL"},
        # pysaml2's schema library announces each schema it loads.
        "xmlschema": {"level": "WARNING"},
        # Eager tasks run inside the request: a line per task there is only noise.
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
    },
}

# --- PrivacyDesk --------------------------------------------------------------

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Passkeys (django-otp-webauthn) ---------------------------------------------------------
# A passkey is bound to one domain, the relying party ID: changing it later orphans every
# passkey made under the old one. Browsers refuse an IP address there, so a loopback SITE_URL
# (the embedded mode's) gives "localhost": open the site as http://localhost:PORT to use them.
_site = urlsplit(SITE_URL)
_site_host = _site.hostname or "localhost"
_site_loopback = _site_host in {"127.0.0.1", "::1", "localhost"}
PASSKEY_RP_ID = env.str("PASSKEY_RP_ID", default="localhost" if _site_loopback else _site_host)
# The page origins a passkey ceremony may come from (scheme, host and port, comma-separated).
# Browsers offer passkeys only on HTTPS pages and on localhost, so elsewhere it is https.
PASSKEY_ORIGINS = env.list(
    "PASSKEY_ORIGINS",
    default=[
        f"{_site.scheme}://localhost{f':{_site.port}' if _site.port else ''}"
        if _site_loopback
        else f"https://{_site.netloc}"
    ],
)
# Staff (DPO, support, superusers) may sign in with a passkey alone; client organisations
# choose for their own people in the console.
PASSKEY_SIGN_IN_STAFF = env_flag("PASSKEY_SIGN_IN_STAFF", False)
OTP_WEBAUTHN_RP_ID = PASSKEY_RP_ID
OTP_WEBAUTHN_RP_NAME = "PrivacyDesk"
OTP_WEBAUTHN_ALLOWED_ORIGINS = PASSKEY_ORIGINS
OTP_WEBAUTHN_HELPER_CLASS = "security.webauthn.PasskeyHelper"
# Every passkey is made discoverable (usable without typing the address first); whether one
# may sign in alone is decided per person (security.selectors.passkey_sign_in_allowed).
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = True
# The public rights-request form (and anonymous API filings, per e-mail): filings allowed per
# client IP and per requester e-mail in a fixed window, counted in the cache.
RIGHTS_REQUEST_LIMIT_PER_IP = env.int("RIGHTS_REQUEST_LIMIT_PER_IP", default=5)
RIGHTS_REQUEST_LIMIT_PER_IP_SECONDS = env.int("RIGHTS_REQUEST_LIMIT_PER_IP_SECONDS", default=3600)
RIGHTS_REQUEST_LIMIT_PER_EMAIL = env.int("RIGHTS_REQUEST_LIMIT_PER_EMAIL", default=3)
RIGHTS_REQUEST_LIMIT_PER_EMAIL_SECONDS = env.int(
    "RIGHTS_REQUEST_LIMIT_PER_EMAIL_SECONDS", default=86400
)
# New verification links asked for on the expired-link page: per requester e-mail a day and
# per client IP an hour, counted whether or not a request awaits that address.
RIGHTS_REQUEST_NEW_LINK_LIMIT_PER_EMAIL = env.int(
    "RIGHTS_REQUEST_NEW_LINK_LIMIT_PER_EMAIL", default=3
)
RIGHTS_REQUEST_NEW_LINK_LIMIT_PER_EMAIL_SECONDS = 86400
RIGHTS_REQUEST_NEW_LINK_LIMIT_PER_IP = env.int("RIGHTS_REQUEST_NEW_LINK_LIMIT_PER_IP", default=10)
RIGHTS_REQUEST_NEW_LINK_LIMIT_PER_IP_SECONDS = 3600
# A request whose e-mail address is still unconfirmed this many days after filing is closed
# by beat (and from then on the retention schedule's "rights_requests" category runs).
RIGHTS_REQUEST_UNVERIFIED_CLOSE_DAYS = env.int("RIGHTS_REQUEST_UNVERIFIED_CLOSE_DAYS", default=14)
# The contact form (support enquiries): messages allowed per client IP in a fixed window.
ENQUIRY_LIMIT_PER_IP = 5
ENQUIRY_LIMIT_PER_IP_SECONDS = 3600
# Retention purges: rows per batch (one transaction each), how long a purge's claim on its
# category lasts without a heartbeat, and an optional pause between batches.
RETENTION_BATCH_SIZE = env.int("RETENTION_BATCH_SIZE", default=20000)
RETENTION_LEASE_SECONDS = env.int("RETENTION_LEASE_SECONDS", default=600)
RETENTION_BATCH_PAUSE_SECONDS = env.float("RETENTION_BATCH_PAUSE_SECONDS", default=0.0)
# The days after which the audit trail's entries lose their personal details: what retention
# migration 0008 sets the "audit" policy to (the DPO changes it on the retention page after).
AUDIT_PERSONAL_DETAILS_DAYS = env.int("AUDIT_PERSONAL_DETAILS_DAYS", default=_AUDIT_DAYS)
if not 1 <= AUDIT_PERSONAL_DETAILS_DAYS <= 36500:
    raise ImproperlyConfigured("AUDIT_PERSONAL_DETAILS_DAYS must be between 1 and 36500.")
# Keys the HMAC that pseudonymises export_test_dataset's output; never written out.
TEST_DATASET_KEY = env.str("TEST_DATASET_KEY", default="")
USAGE_LOGGING_ENABLED = env_flag("USAGE_LOGGING_ENABLED", True)
# "redis" buffers events in Redis for the drain task (needs REDIS_URL); "request" writes each
# request's events in one bulk insert at its end.
USAGE_BUFFER = env.str("USAGE_BUFFER", default="redis" if REDIS_URL else "request")
USAGE_BUFFER_KEY = env.str("USAGE_BUFFER_KEY", default="privacydesk:usage:events")
# Past this many events waiting (about 350 bytes each in Redis), a stalled or lagging drain
# no longer grows the buffer: events are written straight to the database, and counted.
USAGE_BUFFER_MAX_EVENTS = env.int("USAGE_BUFFER_MAX_EVENTS", default=200_000)
# Task sessions (usage.services.task_sessions): one person's events of one feature belong to
# one task while no two are further apart than this; a task lasts at least the minimum.
USAGE_TASK_IDLE_MINUTES = env.int("USAGE_TASK_IDLE_MINUTES", default=10)
USAGE_TASK_MINIMUM_SECONDS = env.int("USAGE_TASK_MINIMUM_SECONDS", default=30)
BACKOFFICE_IDLE_TIMEOUT = timedelta(minutes=env.int("BACKOFFICE_IDLE_MINUTES", default=30))
# Failed API-key authentications per client IP in a fixed window: at the limit an investigation
# opens and that IP's keys answer 429 until the window ends (django-axes never sees API keys).
API_KEY_FAILURE_LIMIT = env.int("API_KEY_FAILURE_LIMIT", default=20)
API_KEY_FAILURE_WINDOW_SECONDS = env.int("API_KEY_FAILURE_WINDOW_SECONDS", default=600)
# How long a verified API key is remembered in the cache (accounts/api_key_cache.py): a
# revocation through the app applies at once; a change made in the database directly (an
# organisation's status, a key's expiry) within this many seconds. 0: every request queries.
API_KEY_CACHE_SECONDS = env.int("API_KEY_CACHE_SECONDS", default=60)
# SCIM provisioning (scim app): requests one organisation's token may make per minute, and
# the most users one page of a list or filter returns (its ServiceProviderConfig says so).
SCIM_REQUESTS_PER_MINUTE = env.int("SCIM_REQUESTS_PER_MINUTE", default=1200)
SCIM_MAX_RESULTS = env.int("SCIM_MAX_RESULTS", default=200)
# Password spraying: one client IP failing logins against this many distinct e-mail addresses
# within the window opens an investigation and refuses that IP's logins (429) for the throttle
# minutes. The accounts themselves are not locked: their owners log in from anywhere else.
SPRAY_ACCOUNTS = env.int("SPRAY_ACCOUNTS", default=10)
SPRAY_WINDOW_MINUTES = env.int("SPRAY_WINDOW_MINUTES", default=15)
SPRAY_THROTTLE_MINUTES = env.int("SPRAY_THROTTLE_MINUTES", default=60)
# Suspicious-activity rules (security/services/rules.py, one function each). Each opens an
# investigation; a "high" one also suspends the account until a person reviews it. "lockout",
# "api_key_failure_burst" and "password_spraying" never suspend, whatever their severity:
# anyone can cause them with someone's e-mail address.
SUSPICIOUS_ACTIVITY_RULES = {
    "lockout": {"enabled": True, "severity": "medium"},
    "success_after_distributed_failures": {
        "enabled": True,
        "severity": "high",
        "distinct_ips": 3,
        "window_minutes": 15,
    },
    "many_ips_in_hour": {
        "enabled": True,
        "severity": "high",
        "distinct_ips": 4,
        "window_minutes": 60,
    },
    "privileged_new_ip": {"enabled": True, "severity": "medium"},
    "api_key_failure_burst": {"enabled": True, "severity": "medium"},
    "password_spraying": {
        "enabled": True,
        "severity": "medium",
        "distinct_accounts": SPRAY_ACCOUNTS,
        "window_minutes": SPRAY_WINDOW_MINUTES,
        "throttle_minutes": SPRAY_THROTTLE_MINUTES,
    },
}
# A provisional suspension shows as overdue in the back office when unreviewed this long.
SUSPICIOUS_ACTIVITY_REVIEW_HOURS = env.int("SUSPICIOUS_ACTIVITY_REVIEW_HOURS", default=24)
