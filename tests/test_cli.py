from typer.testing import CliRunner

from metroscope import __version__
from metroscope.cli import app


def test_it_prints_its_version() -> None:
    result = CliRunner().invoke(app, ["version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == __version__


def test_it_lists_every_domain_in_help() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("energy", "index"):
        assert command in result.stdout
