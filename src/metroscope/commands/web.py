"""``metroscope serve`` and ``metroscope manage``: run and administer the web platform.

``metroscope worker`` arrives with the background jobs (issue 5).
"""

from __future__ import annotations

from typing import Annotated

import typer

from metroscope.commands.django_setup import setup_django


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
    threads: Annotated[int, typer.Option(help="Worker threads of the WSGI server.", min=1)] = 8,
    demo: Annotated[
        bool, typer.Option(help="Load the demo content into an empty database.")
    ] = True,
) -> None:
    """Migrate, load the demo content when there are no cases, collect static files, serve.

    Data lives under METROSCOPE_HOME (default ./var): the SQLite database unless
    DATABASE_URL is set, the secret key and the collected static files (served by WhiteNoise
    through the waitress WSGI server).
    """
    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from metroscope.web.exchange.demo import ensure_demo_loaded

    if demo:
        report = ensure_demo_loaded()
        if report is not None:
            typer.echo(
                f"loaded the demo content: {report.cases.total} case studies, {report.cities} cities"
            )
    call_command("collectstatic", interactive=False, verbosity=0)
    import waitress

    from metroscope.web.wsgi import application

    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    typer.echo(
        f"Metroscope on http://{host}:{port}/  (database: {database}, data: {settings.HOME})"
    )
    waitress.serve(application, host=host, port=port, threads=threads, ident="metroscope")


def manage(ctx: typer.Context) -> None:
    """Run a Django management command, e.g. ``metroscope manage createsuperuser``."""
    setup_django(migrate=False)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["metroscope manage", *ctx.args])


def register(app: typer.Typer) -> None:
    """Add the web platform's commands to the root CLI."""
    app.command()(serve)
    app.command(
        context_settings={
            "allow_extra_args": True,
            "ignore_unknown_options": True,
            "help_option_names": [],
        },
        add_help_option=False,
    )(manage)
