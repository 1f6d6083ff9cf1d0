"""Configuration read from MKFLOW_* environment variables."""

import os
import re
import secrets
from pathlib import Path


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# An origin as frame-ancestors takes it: scheme://host[:port], a "*." wildcard allowed.
_ORIGIN = re.compile(r"^https?://(\*\.)?[A-Za-z0-9.-]+(:\d+)?$")


def embed_origins(raw: str | list | tuple | None) -> tuple[str, ...]:
    """The origins allowed to frame embeddable views, from "a b" or "a,b"; anything that
    is not a plain origin is dropped, so the setting cannot add to the security policy."""
    words = " ".join(raw) if isinstance(raw, list | tuple) else raw or ""
    origins = (word.rstrip("/") for word in re.split(r"[\s,]+", words))
    return tuple(origin for origin in origins if _ORIGIN.match(origin))


def load_secret_key(instance_path: str, configured: str | None = None) -> str:
    """The configured key, else one generated on first run and kept in instance/."""
    configured = configured or os.environ.get("MKFLOW_SECRET_KEY")
    if configured:
        return configured
    key_file = Path(instance_path) / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def from_environment(instance_path: str, secret_key: str | None = None) -> dict:
    """Settings for a real deployment; tests pass their own overrides on top."""
    sqlite_path = Path(instance_path) / "mkflow.db"
    secure = _flag("MKFLOW_SECURE_COOKIES")
    return {
        "SECRET_KEY": load_secret_key(instance_path, secret_key),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("MKFLOW_DATABASE_URL")
        or f"sqlite:///{sqlite_path}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_DURATION": 60 * 60 * 24 * 30,
        "SEND_FILE_MAX_AGE_DEFAULT": 60 * 60 * 24 * 365,
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": os.environ.get("MKFLOW_DEFAULT_LOCALE", "ru"),
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("MKFLOW_TIMEZONE", "Europe/Moscow"),
        "MKFLOW_LOGIN_MAX_FAILURES": int(os.environ.get("MKFLOW_LOGIN_MAX_FAILURES", "5")),
        "MKFLOW_LOGIN_LOCK_MINUTES": int(os.environ.get("MKFLOW_LOGIN_LOCK_MINUTES", "15")),
        "MKFLOW_PASSWORD_HASH": os.environ.get("MKFLOW_PASSWORD_HASH", "scrypt"),
        "MKFLOW_TRUST_PROXY": _flag("MKFLOW_TRUST_PROXY"),
        # Non-working days of the company for task scheduling, e.g. "sat,sun" or "fri,sat".
        "MKFLOW_WEEKEND": os.environ.get("MKFLOW_WEEKEND", "sat,sun"),
        "MKFLOW_MAX_ATTACHMENT_MB": float(os.environ.get("MKFLOW_MAX_ATTACHMENT_MB", "20")),
        # Intranet pages that may show boards and share links in an iframe, e.g.
        # "https://intranet.example.com https://portal.example.com"; none by default.
        "MKFLOW_EMBED_ORIGINS": embed_origins(os.environ.get("MKFLOW_EMBED_ORIGINS")),
        # Mail: the SMTP server (none: mails go to the log), the sender, the address of the
        # site for links in mails, and how the worker retries.
        "MKFLOW_SMTP_HOST": os.environ.get("MKFLOW_SMTP_HOST", ""),
        "MKFLOW_SMTP_PORT": int(os.environ.get("MKFLOW_SMTP_PORT", "587")),
        "MKFLOW_SMTP_USER": os.environ.get("MKFLOW_SMTP_USER", ""),
        "MKFLOW_SMTP_PASSWORD": os.environ.get("MKFLOW_SMTP_PASSWORD", ""),
        "MKFLOW_SMTP_STARTTLS": _flag("MKFLOW_SMTP_STARTTLS", True),
        "MKFLOW_SMTP_TIMEOUT": float(os.environ.get("MKFLOW_SMTP_TIMEOUT", "10")),
        "MKFLOW_MAIL_FROM": os.environ.get("MKFLOW_MAIL_FROM", "mkflow <mkflow@localhost>"),
        "MKFLOW_BASE_URL": os.environ.get("MKFLOW_BASE_URL", "http://127.0.0.1:5000"),
        "MKFLOW_MAIL_MAX_ATTEMPTS": int(os.environ.get("MKFLOW_MAIL_MAX_ATTEMPTS", "8")),
        "MKFLOW_MAIL_RETRY_SECONDS": float(os.environ.get("MKFLOW_MAIL_RETRY_SECONDS", "60")),
        "MKFLOW_MAIL_LEASE_SECONDS": float(os.environ.get("MKFLOW_MAIL_LEASE_SECONDS", "300")),
        "MKFLOW_MAIL_KEEP_DAYS": int(os.environ.get("MKFLOW_MAIL_KEEP_DAYS", "90")),
        # How often the bell asks whether the unread count changed.
        "MKFLOW_BELL_REFRESH_SECONDS": int(os.environ.get("MKFLOW_BELL_REFRESH_SECONDS", "30")),
        # How often an embedded board asks whether something changed.
        "MKFLOW_EMBED_REFRESH_SECONDS": int(os.environ.get("MKFLOW_EMBED_REFRESH_SECONDS", "30")),
    }
