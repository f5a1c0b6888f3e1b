"""``metroscope import`` and ``metroscope export``: move case studies in and out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from metroscope.commands.django_setup import setup_django

import_app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Import case studies (validated, all or nothing).",
)
export_app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Export case studies as JSON, CSV or GeoJSON.",
)


@import_app.command("cases")
def import_cases(
    file: Annotated[
        Path,
        typer.Argument(
            help="A YAML, JSON or CSV file of case records.", exists=True, dir_okay=False
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate only; write nothing.")
    ] = False,
) -> None:
    """Validate EVERY record of FILE, then import them all in one transaction.

    Any problem exits with status 1 and lists each record (index and slug), field and what
    is accepted; nothing is written. Cases whose slug exists are replaced. The SDG, topic and
    place reference data are loaded first when the database has none.
    """
    setup_django()
    from metroscope.web.exchange.demo import ensure_reference_loaded
    from metroscope.web.exchange.formats import FormatError
    from metroscope.web.exchange.importer import ImportValidationError, import_file

    ensure_reference_loaded()
    try:
        report = import_file(file, dry_run=dry_run)
    except (ImportValidationError, FormatError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    verb = "would import" if dry_run else "imported"
    typer.echo(
        f"{verb} {report.total} case(s) from {file}: {len(report.created)} new, "
        f"{len(report.updated)} replaced, {len(report.cities_created)} new cit(y/ies)."
    )


@import_app.command("demo")
def import_demo() -> None:
    """Load the shipped demo content (SDGs, topics, places and case studies)."""
    setup_django()
    from metroscope.web.exchange.demo import load_demo
    from metroscope.web.exchange.importer import ImportValidationError

    try:
        report = load_demo()
    except ImportValidationError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"loaded {report.goals} SDGs, {report.targets} targets, {report.topics} topics, "
        f"{report.metros} metro areas, {report.cities} cities and {report.cases.total} cases."
    )


@export_app.command("cases")
def export_cases(
    fmt: Annotated[str, typer.Option("--format", "-f", help="json, csv or geojson.")] = "json",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write; stdout by default.")
    ] = None,
) -> None:
    """Write every case in the import format (re-importable with ``metroscope import cases``)."""
    from metroscope.web.exchange.formats import EXPORT_FORMATS as FORMATS

    if fmt not in FORMATS:
        typer.echo(
            f"error: --format {fmt!r} is not supported; accepted: {', '.join(FORMATS)}", err=True
        )
        raise typer.Exit(2)
    setup_django()
    from metroscope.web.exchange.exporter import export_cases as export

    text = export(fmt)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)


def register(app: typer.Typer) -> None:
    """Add the exchange's import/export commands to the root CLI."""
    app.add_typer(import_app, name="import")
    app.add_typer(export_app, name="export")
