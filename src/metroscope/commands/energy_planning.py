"""``metroscope energy sweep`` and ``metroscope energy portfolio``: size hubs, scale to a metro."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the planning commands to the ``energy`` group."""
