import secrets
from datetime import UTC, datetime


def utcnow() -> datetime:
    # Stored naive in UTC: SQLite has no time zones, and PostgreSQL columns are "without time zone".
    return datetime.now(UTC).replace(tzinfo=None)


def new_token() -> str:
    """192 random bits, URL-safe: for links and QR codes that must not be guessable."""
    return secrets.token_urlsafe(24)
