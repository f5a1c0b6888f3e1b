"""Shared fixtures and the visible skipping rules for tests that need outside programs."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"


def pytest_report_header(config: pytest.Config) -> list[str]:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    chromium = CHROMIUM if shutil.which("chromium") else "not found (browser tests skipped)"
    return [f"metroscope: database={engine} chromium={chromium}"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if shutil.which("chromium") or os.path.exists(CHROMIUM):
        return
    if os.environ.get("METROSCOPE_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(
            "chromium is required (METROSCOPE_REQUIRE_BROWSER=1) but not installed"
        )
    skip = pytest.mark.skip(reason="Debian's chromium is not installed: apt-get install chromium")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)
