"""``metroscope energy …``: the energy engine from the command line.

Operating commands (``run``, ``compare``, ``demos``) live here; planning commands
(``sweep``, ``portfolio``) live in :mod:`metroscope.commands.energy_planning`.
"""

from __future__ import annotations

import typer

from metroscope.commands import energy_planning

app = typer.Typer(no_args_is_help=True)
energy_planning.register(app)
