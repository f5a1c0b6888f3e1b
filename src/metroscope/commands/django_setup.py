"""Start Django from the command line: settings, app registry and (optionally) migrations."""

from __future__ import annotations

import os


def setup_django(migrate: bool = True) -> None:
    """Configure Django with Metroscope's settings; apply migrations when ``migrate``."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metroscope.web.settings")
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
