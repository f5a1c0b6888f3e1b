"""``metroscope import`` and ``metroscope export``: move case studies in and out."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the exchange's import/export commands to the root CLI."""
