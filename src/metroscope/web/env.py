"""Strict settings helpers: every setting comes from the environment, bad values raise.

No Django import here, so the CLI can resolve paths before Django starts.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class SettingError(ValueError):
    """An environment variable holds a value Metroscope cannot use."""


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise SettingError(
        f"{name}={raw!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off."
    )


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def metroscope_home() -> Path:
    """The data directory (``METROSCOPE_HOME``, default ``./var``), created if missing."""
    home = Path(os.environ.get("METROSCOPE_HOME") or "var").expanduser().resolve()
    home.mkdir(parents=True, exist_ok=True)
    return home


def database_url(home: Path) -> str:
    """``DATABASE_URL`` or, by default, an SQLite file inside METROSCOPE_HOME."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{home / 'metroscope.sqlite3'}"
    if not url.startswith(("sqlite:", "postgres://", "postgresql://", "pgsql:")):
        raise SettingError(
            f"DATABASE_URL={url!r} is not supported; use sqlite:///PATH or postgres://USER@HOST:PORT/NAME."
        )
    return url


def secret_key(home: Path) -> str:
    """``SECRET_KEY`` or one generated once and stored in METROSCOPE_HOME/secret_key."""
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        return key
    path = home / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key
