"""The ``metroscope`` command: one entry point, one sub-command group per domain.

Each domain keeps its commands in ``metroscope.commands.<domain>``; this module only
gathers them, so ``metroscope --help`` lists everything the platform can do.
"""

from __future__ import annotations

import typer

from metroscope import __version__
from metroscope.commands import energy, exchange, index, web

app = typer.Typer(
    name="metroscope",
    help="Metroscope: exchange case studies, benchmark cities, plan solar V2G charging hubs.",
    no_args_is_help=True,
    add_completion=False,
    # Help texts are shown verbatim: units in brackets ("[kWh]") and ranges ("0:30:5") are
    # neither rich markup nor emoji codes. Every sub-app sets the same.
    rich_markup_mode=None,
)

web.register(app)
exchange.register(app)
app.add_typer(
    energy.app, name="energy", help="Simulate, optimise and size solar V2G charging hubs."
)
app.add_typer(
    index.app, name="index", help="Build composite indices with uncertainty and disparity."
)


@app.command()
def version() -> None:
    """Print the installed Metroscope version."""
    typer.echo(__version__)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
