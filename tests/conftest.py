"""Shared test helpers: the CLI runner, the shipped specs, and the golden-file switch."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs").glob("*.yaml"))
GOLDEN = Path(__file__).resolve().parent / "golden"


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite the golden files from the current output")


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden") or os.environ.get("CONVCALC_REGEN_GOLDEN") == "1"


def cli_runner() -> CliRunner:
    """A CliRunner that keeps stdout and stderr apart, on every click that pyproject.toml allows."""
    try:
        return CliRunner(mix_stderr=False)  # click < 8.2
    except TypeError:
        return CliRunner()  # click >= 8.2 always keeps them apart


def run_cli(*args: str, input: str | None = None):
    """Run the convcalc CLI in-process; stdout and stderr are kept apart."""
    from convcalc.cli import main

    return cli_runner().invoke(main, list(args), input=input, catch_exceptions=False)


def summary_json(spec: str, *extra: str) -> dict:
    result = run_cli("summary", spec, "--format", "json", *extra)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)
