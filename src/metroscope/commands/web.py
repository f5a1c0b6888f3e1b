"""``metroscope serve`` and ``metroscope worker``: run the web platform."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the web platform's commands to the root CLI."""
