"""Configuration defaults, overridden by environment variables."""

import os
import secrets
from pathlib import Path

LANGUAGES = {"en": "English", "sv": "Svenska", "he": "עברית"}
RTL_LANGUAGES = {"he"}


def _secret_key(instance_path: str) -> str:
    """A key that survives restarts: SECRET_KEY, else one generated once in the instance folder."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = Path(instance_path, "secret_key")
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def defaults(instance_path: str) -> dict:
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(instance_path, 'mingle.sqlite')}"
    if database.startswith("postgres://"):  # Heroku-style URLs name the old dialect
        database = "postgresql://" + database.removeprefix("postgres://")
    if database.startswith("postgresql://"):
        database = "postgresql+psycopg://" + database.removeprefix("postgresql://")
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database,
        "REDIS_URL": os.environ.get("REDIS_URL"),
        "RQ_QUEUE": os.environ.get("RQ_QUEUE", "mingle"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "LANGUAGES": LANGUAGES,
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    }
