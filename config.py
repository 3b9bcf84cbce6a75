"""Configuration classes; every value is read from the environment when the app is created."""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


RESPONSE_KEY_LABEL = "consult:response-dedupe-key:v1"  # fixed: changing it lets every browser answer again


def _derived(secret: str, label: str) -> str:
    """A secret of its own for one purpose, derived from SECRET_KEY (HMAC-SHA256 of a fixed label)."""
    return hmac.new(secret.encode(), label.encode(), hashlib.sha256).hexdigest()


class ConfigurationError(RuntimeError):
    """Raised when the environment does not allow the application to start safely."""


class Config:
    """Settings shared by every environment; built from os.environ at app creation."""

    ENV_NAME = "base"
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    LANGUAGES = ("fr", "en")
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    SQLALCHEMY_RECORD_QUERIES = False
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session: long forms must not expire
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 24 * 14
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    PASSWORD_HASH_METHOD = "scrypt"

    def __init__(self) -> None:
        env = os.environ
        self.SQLALCHEMY_DATABASE_URI = self._database_url(env.get("DATABASE_URL"))
        self.SECRET_KEY = env.get("SECRET_KEY") or self._fallback_secret_key()
        # Keys the one-response key (HMAC) of each response. Its own setting so that SECRET_KEY can be
        # rotated without letting every browser answer again; when unset, derived from SECRET_KEY.
        self.RESPONSE_KEY_SECRET = env.get("RESPONSE_KEY_SECRET") or _derived(self.SECRET_KEY, RESPONSE_KEY_LABEL)
        self.SITE_NAME = env.get("SITE_NAME", "Consult")
        self.SITE_URL = env.get("SITE_URL", "http://127.0.0.1:5000").rstrip("/")
        self.SITE_OPERATOR = env.get("SITE_OPERATOR", "")
        self.CONTACT_EMAIL = env.get("CONTACT_EMAIL", "contact@consult.invalid")
        self.HOSTING_PROVIDER = env.get("HOSTING_PROVIDER", "")
        self.DISCLOSURE_THRESHOLD = _int("DISCLOSURE_THRESHOLD", 11)
        self.MAIL_BACKEND = env.get("MAIL_BACKEND") or ("smtp" if env.get("MAIL_SERVER") else "console")
        self.MAIL_SERVER = env.get("MAIL_SERVER", "localhost")
        self.MAIL_PORT = _int("MAIL_PORT", 25)
        self.MAIL_USERNAME = env.get("MAIL_USERNAME") or None
        self.MAIL_PASSWORD = env.get("MAIL_PASSWORD") or None
        self.MAIL_USE_TLS = _bool("MAIL_USE_TLS")
        self.MAIL_USE_SSL = _bool("MAIL_USE_SSL")
        self.MAIL_DEFAULT_SENDER = env.get("MAIL_DEFAULT_SENDER", "Consult <no-reply@consult.invalid>")
        self.MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 10)
        # Login limits count FAILED logins only, over a sliding window ("10/15 minutes": 10 failures in 15 minutes).
        # Per account: past it the account is locked, even for the right password, and its owner gets an email with
        # an unlock link (valid UNLOCK_TOKEN_MAX_AGE seconds). Per address (IP): a generous cap, because a whole
        # workshop on one wifi shares an address; successful logins never count.
        self.LOGIN_ACCOUNT_FAILURES = env.get("LOGIN_ACCOUNT_FAILURES", "10/15 minutes")
        self.LOGIN_ADDRESS_FAILURES = env.get("LOGIN_ADDRESS_FAILURES", "50/15 minutes")
        self.UNLOCK_TOKEN_MAX_AGE = _int("UNLOCK_TOKEN_MAX_AGE", 60 * 60 * 6)
        self.MAIL_RATE_LIMIT = env.get("MAIL_RATE_LIMIT", "5/hour")  # new confirmation links, per email and per address
        # Emails anyone can have sent to an address by registering or asking for a new password, over a sliding window
        # (windows up to ADDRESS_LOG_HOURS: the purge forgets older records). Per email, so nobody can flood someone's
        # inbox; per address (IP), generous, as a whole workshop on one wifi may register at once.
        self.REGISTER_EMAIL_LIMIT = env.get("REGISTER_EMAIL_LIMIT", "3/hour")
        self.REGISTER_ADDRESS_LIMIT = env.get("REGISTER_ADDRESS_LIMIT", "50/hour")
        self.RESET_EMAIL_LIMIT = env.get("RESET_EMAIL_LIMIT", "3/hour")
        self.RESET_ADDRESS_LIMIT = env.get("RESET_ADDRESS_LIMIT", "20/hour")
        self.COMMENT_RATE_LIMIT = env.get("COMMENT_RATE_LIMIT", "5/minute")
        self.EMAIL_TOKEN_MAX_AGE = _int("EMAIL_TOKEN_MAX_AGE", 60 * 60 * 48)
        self.RESET_TOKEN_MAX_AGE = _int("RESET_TOKEN_MAX_AGE", 60 * 60)
        self.TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
        self.HSTS_MAX_AGE = _int("HSTS_MAX_AGE", 365 * 24 * 3600 if self.ENV_NAME == "production" else 0)  # 0: no HSTS header
        # Background jobs (Huey): Redis when REDIS_URL is set (workers on several machines), else a SQLite file.
        self.REDIS_URL = env.get("REDIS_URL") or None
        self.HUEY_SQLITE_PATH = env.get("HUEY_SQLITE_PATH") or str(INSTANCE_DIR / "huey.sqlite3")
        self.HUEY_IMMEDIATE = _bool("HUEY_IMMEDIATE")  # run jobs in the request that asks for them (tests)
        # Territory-wide files built by the jobs, kept EXPORT_RETENTION_HOURS then deleted.
        self.EXPORT_DIR = env.get("EXPORT_DIR") or str(INSTANCE_DIR / "exports")
        # Compiled templates (Jinja bytecode), filled by `flask compile-templates`; empty: compiled in each process.
        self.TEMPLATE_CACHE_DIR = env.get("TEMPLATE_CACHE_DIR", str(INSTANCE_DIR / "template-cache"))
        # Public pages given again to visitors without an account while nothing changed (consult/core/pagecache.py).
        self.PAGE_CACHE = _bool("PAGE_CACHE", True)
        self.EXPORT_RETENTION_HOURS = _int("EXPORT_RETENTION_HOURS", 48)
        # Retention: every period the interface or the privacy notice states is one of these settings, and
        # `flask --app wsgi purge` (daily) removes what is past it (consult/core/retention.py lists the purges).
        self.INACTIVE_ACCOUNT_MONTHS = _int("INACTIVE_ACCOUNT_MONTHS", 36)  # then the account is erased…
        self.INACTIVE_WARNING_DAYS = _int("INACTIVE_WARNING_DAYS", 30)  # …this long after an email warned its owner
        self.PANEL_CONTACT_MONTHS = _int("PANEL_CONTACT_MONTHS", 24)  # a re-contact address, from its consent month
        self.DRAFT_RETENTION_DAYS = _int("DRAFT_RETENTION_DAYS", 90)  # answers in progress and their resume key
        self.ATTENDANCE_RETENTION_MONTHS = _int("ATTENDANCE_RETENTION_MONTHS", 12)  # names of attendees without account
        self.AUDIT_RETENTION_DAYS = _int("AUDIT_RETENTION_DAYS", 365)  # the audit trail
        self.ADDRESS_LOG_HOURS = _int("ADDRESS_LOG_HOURS", 24)  # rate-limit records (keyed addresses and emails)
        self.SURVEY_RETENTION_MONTHS = _int("SURVEY_RETENTION_MONTHS", 18)  # raw answers after closing (unless its own)
        self.LOGIN_SESSION_DAYS = _int("LOGIN_SESSION_DAYS", 14)  # a login ends this long after it began, at the latest
        self.SQLALCHEMY_ENGINE_OPTIONS = {}
        if self.SQLALCHEMY_DATABASE_URI.startswith("postgresql"):
            # A pooled connection the server closed (a restart, an idle timeout) is found out before a request uses
            # it. SQLite has no server to lose: a ping there was one more statement per request for nothing.
            self.SQLALCHEMY_ENGINE_OPTIONS["pool_pre_ping"] = True
            # A database host that stops answering must not hang requests (and /healthz) forever.
            # …nor a lock held too long (a long import, a restore): LockNotAvailable, a 503 (consult/core/faults.py),
            # after as long as SQLite's busy timeout.
            self.SQLALCHEMY_ENGINE_OPTIONS["connect_args"] = {
                "connect_timeout": _int("DATABASE_CONNECT_TIMEOUT", 5),
                "options": f"-c lock_timeout={_int('DATABASE_LOCK_TIMEOUT_MS', 10_000)}"}

    @staticmethod
    def _database_url(url: str | None) -> str:
        if not url:
            INSTANCE_DIR.mkdir(exist_ok=True)
            return f"sqlite:///{INSTANCE_DIR / 'consult.sqlite3'}"
        # Hosting platforms often hand out postgres:// URLs; SQLAlchemy wants a driver name.
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url[len("postgres://"):]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url

    def _fallback_secret_key(self) -> str:
        raise ConfigurationError(
            "SECRET_KEY is not set. Generate one with "
            "`python -c 'import secrets; print(secrets.token_hex(32))'` and export it."
        )


class DevelopmentConfig(Config):
    """Local development: console mail, a secret key generated once into instance/."""

    ENV_NAME = "development"
    DEBUG = True

    def _fallback_secret_key(self) -> str:
        INSTANCE_DIR.mkdir(exist_ok=True)
        path = INSTANCE_DIR / "secret_key"
        if not path.exists():
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        return path.read_text().strip()


class TestingConfig(Config):
    """The test suite: a throwaway database and fast password hashing."""

    ENV_NAME = "testing"
    TESTING = True
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"

    def __init__(self) -> None:
        super().__init__()
        self.SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") and self._database_url(
            os.environ["TEST_DATABASE_URL"]
        ) or "sqlite://"
        self.MAIL_BACKEND = "memory"
        self.SITE_URL = "http://localhost"
        self.TEMPLATE_CACHE_DIR = os.environ.get("TEMPLATE_CACHE_DIR", "")  # each test app compiles its own
        # Jobs run in the request that asks for them, so the test client sees them done; a served test turns
        # this off (HUEY_IMMEDIATE=0) and runs a real worker.
        self.HUEY_IMMEDIATE = _bool("HUEY_IMMEDIATE", True)

    def _fallback_secret_key(self) -> str:
        return "testing-secret-key-not-for-production"


class ProductionConfig(Config):
    """Production: secret key mandatory, secure cookies."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(name: str | None = None) -> Config:
    """Build the configuration named by the argument or by CONSULT_ENV (default: development)."""
    name = name or os.environ.get("CONSULT_ENV", "development")
    try:
        return CONFIGS[name]()
    except KeyError:
        raise ConfigurationError(
            f"CONSULT_ENV={name!r} is unknown; use one of {', '.join(CONFIGS)}."
        ) from None
