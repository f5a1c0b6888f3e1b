"""``metroscope import/export cases`` and ``metroscope serve`` from the command line."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from metroscope.cli import app
from metroscope.web.exchange.models import CaseStudy, City

from .factories import case_record, make_reference

runner = CliRunner()


@pytest.mark.django_db
def test_import_cases_exits_non_zero_names_the_bad_record_and_writes_nothing(tmp_path: Path):
    make_reference()
    path = tmp_path / "cases.yaml"
    records = [case_record("fine"), case_record("broken", sdgs=[7, 42])]
    path.write_text(yaml.safe_dump(records), encoding="utf-8")
    before = (CaseStudy.objects.count(), City.objects.count())
    result = runner.invoke(app, ["import", "cases", str(path)])
    assert result.exit_code == 1
    assert "record 2 (slug 'broken'): sdgs[1]" in result.output
    assert (CaseStudy.objects.count(), City.objects.count()) == before


@pytest.mark.django_db
def test_import_then_export_round_trips_through_the_command_line(tmp_path: Path):
    make_reference()
    source = tmp_path / "in.json"
    source.write_text(json.dumps([case_record("a"), case_record("b")]), encoding="utf-8")
    result = runner.invoke(app, ["import", "cases", str(source)])
    assert result.exit_code == 0, result.output
    assert "imported 2 case(s)" in result.output
    out = tmp_path / "out.json"
    assert (
        runner.invoke(app, ["export", "cases", "--format", "json", "--output", str(out)]).exit_code
        == 0
    )
    assert [r["slug"] for r in json.loads(out.read_text(encoding="utf-8"))] == ["a", "b"]
    geojson = runner.invoke(app, ["export", "cases", "--format", "geojson"])
    assert json.loads(geojson.stdout)["type"] == "FeatureCollection"


def test_export_rejects_an_unknown_format():
    result = runner.invoke(app, ["export", "cases", "--format", "xml"])
    assert result.exit_code == 2
    assert "accepted: json, csv, geojson" in result.output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_serve_loads_the_demo_and_answers_the_issues_query(tmp_path: Path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {
        "METROSCOPE_HOME": str(tmp_path)
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "metroscope.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/api/cases?q=solar+charging+sports+centre"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    body = json.load(response)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError(
                        process.stdout.read().decode() if process.poll() is not None else "timeout"
                    ) from None
                time.sleep(0.5)
        assert body["items"][0]["slug"] == "amb-molins-de-rei-v2g-fotolinera"
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/static/admin/css/base.css", timeout=5
        ) as response:
            assert response.status == 200
    finally:
        process.terminate()
        process.wait(timeout=10)
