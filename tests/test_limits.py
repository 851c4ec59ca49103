"""Issue 7: the limits option, what a cold start imports, and the fast table renderer.

Speed itself is measured by bench/run.py, never here; these tests check the facts the speed
rests on (no rich on the JSON path, nothing optional at import) and that the fast paths print
exactly what the slow ones did.
"""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from convcalc.errors import SpecError
from convcalc.limits import DEFAULT_LIMITS, Limits, parse_limits

ROOT = Path(__file__).resolve().parent.parent
SPEC = "input 32x32x3; conv2d 10 kernel=5 padding=2; maxpool2d 3; flatten; dense 10"


def python(code: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60, env=env)


@pytest.mark.parametrize(
    "fmt, forbidden",
    [
        ("json", ["rich", "sympy", "torch", "difflib", "csv"]),
        ("csv", ["rich", "sympy", "torch"]),
        ("markdown", ["rich", "sympy", "torch"]),
    ],
)
def test_plain_formats_do_not_import_rich_or_optional_packages(fmt, forbidden):
    """rich is for the table only; optional extras (sympy, torch) only when a spec needs them."""
    code = (
        "import sys, io, contextlib\n"
        "from convcalc.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main(['summary', sys.argv[1], '--format', '{fmt}'], standalone_mode=False)\n"
        f"loaded = sorted(m for m in {forbidden!r} if m in sys.modules)\n"
        "assert not loaded, loaded\n"
        "print('ok')\n"
    )
    done = python(code, SPEC)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_the_table_imports_rich():
    code = (
        "import sys, io, contextlib\n"
        "from convcalc.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['summary', sys.argv[1]], standalone_mode=False)\n"
        "print('rich' in sys.modules)\n"
    )
    done = python(code, SPEC)
    assert done.stdout.strip() == "True", done.stderr


def test_importing_convcalc_leaves_the_collector_as_it_was():
    done = python("import gc; gc.disable(); import convcalc; print(gc.isenabled()); gc.enable()")
    assert done.stdout.strip() == "False"
    done = python("import gc; import convcalc; print(gc.isenabled())")
    assert done.stdout.strip() == "True"


@pytest.mark.parametrize("command", ["import convcalc", "import convcalc; convcalc.summarize(sys.argv[1])"])
def test_what_the_caller_froze_stays_frozen(command):
    """convcalc moves the objects its own pauses of the collector made to the oldest generation
    (gc.freeze then gc.unfreeze, limits.resume_gc), but never when the caller has frozen objects
    (Python's gc docs: freeze before os.fork so that the child shares them): those stay frozen."""
    done = python(f"import gc, sys; kept = [[] for _ in range(100_000)]; gc.freeze(); {command}; "
                  "print(gc.get_freeze_count() >= 100_000, gc.isenabled())", str(ROOT / "specs" / "lenet5.yaml"))
    assert done.stdout.split() == ["True", "True"], done.stderr
    done = python(f"import gc, sys; {command}; print(gc.get_freeze_count(), gc.isenabled())", str(ROOT / "specs" / "lenet5.yaml"))
    assert done.stdout.split() == ["0", "True"], done.stderr


# --------------------------------------------------------------------------- the fast table


def _table_both_ways(spec: str, width: int = 160) -> tuple[str, str]:
    """The table as convcalc lays it out, and as rich.table.Table draws the same rows (the reference)."""
    from rich.console import Console
    from rich.table import Table

    from convcalc import summarize
    from convcalc.costs import network_costs
    from convcalc.render import table
    from convcalc.render.columns import COLUMNS, DEFAULT_COLUMNS, rows

    report = summarize(spec)
    ours = io.StringIO()
    table.print_table(report, ours, width=width)
    reference = Table(title=f"{report.name or 'Network'} (layout {report.layout})", title_justify="left")
    for key in DEFAULT_COLUMNS:
        reference.add_column(COLUMNS[key].header, justify="right" if COLUMNS[key].right else "left", overflow="fold")
    for row, cells in rows(report, network_costs(report), DEFAULT_COLUMNS):
        reference.add_row(*cells)
    theirs = io.StringIO()
    Console(file=theirs, width=width, highlight=False, markup=False, emoji=False).print(reference)
    lines = theirs.getvalue().count("\n")
    return "".join(ours.getvalue().splitlines(keepends=True)[:lines]), theirs.getvalue()


@pytest.mark.parametrize(
    "spec",
    [
        SPEC,  # with a rounding warning (the ⚠ rows)
        "input 8; dense 3",
        "input 227x227x3; conv2d 96 kernel=11 stride=4; maxpool2d 3 stride=2; conv2d 256 kernel=5 padding=2 groups=2",
        "input 16000x1; conv1d 32 kernel=80 stride=4; batchnorm; relu; maxpool1d 4; global_avgpool; dense 35",
    ],
    ids=["warnings", "tiny", "alexnet-start", "audio"],
)
def test_fast_table_is_the_text_rich_draws(spec):
    """The one-pass layout prints byte for byte what rich.table.Table prints (rich is the reference)."""
    fast, slow = _table_both_ways(spec)
    assert fast == slow


def test_a_cell_wider_than_the_console_is_wrapped_in_one_pass():
    """Wider than 160 columns: the name is split over lines (the only way to show it whole), no
    line passes the width, and the layout never hands the rows to rich's Table (linear time)."""
    from convcalc import summarize
    from convcalc.render import table

    stream = io.StringIO()
    table.print_table(summarize("input 8; dense 3 name=" + "n" * 200), stream, width=160)
    lines = stream.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 160
    assert "".join(line.split("│")[2].strip() for line in lines[5:-6]) == "n" * 200  # split, all of it, nothing else
    assert not hasattr(table, "_print_rich_table")


# --------------------------------------------------------------------------- the --limit option


@pytest.mark.parametrize(
    "options, expected",
    [
        (["layers=1000000"], Limits(layers=1_000_000)),
        (["bytes=50_000_000,depth=100"], Limits(bytes=50_000_000, depth=100)),
        (["max-layers=7", "digits=9000"], Limits(layers=7, digits=9000)),
        ([], DEFAULT_LIMITS),
    ],
)
def test_parse_limits(options, expected):
    assert parse_limits(options) == expected


@pytest.mark.parametrize(
    "options, message",
    [
        (["layers"], "--limit 'layers' is not NAME=N; NAME is one of bytes, depth, aliases, layers, digits, e.g. --limit layers=1000000"),
        (["size=3"], "--limit 'size=3' is not NAME=N; NAME is one of bytes, depth, aliases, layers, digits, e.g. --limit layers=1000000"),
        (["depth=0"], "--limit depth must be a whole number ≥ 1, got '0'; e.g. --limit depth=1000000"),
        (["bytes=1e9"], "--limit bytes must be a whole number ≥ 1, got '1e9'; e.g. --limit bytes=1000000"),
    ],
)
def test_parse_limits_errors(options, message):
    with pytest.raises(SpecError) as caught:
        parse_limits(options)
    assert caught.value.message == message


def test_library_callers_pass_limits():
    """The same limits from Python: summarize(..., limits=Limits(...))."""
    from convcalc import summarize

    with pytest.raises(SpecError) as caught:
        summarize("input 8; relu; relu; relu", limits=Limits(layers=2))
    assert caught.value.message == (
        "layers: the spec has 3 layers: over the layers limit of 2 layers; "
        "if the spec is really meant to be this large, raise it with --limit layers=N"
    )
    assert len(summarize("input 8; relu; relu; relu", limits=Limits(layers=3)).layers) == 3


def test_set_values_obey_the_digits_limit():
    """--set n=<5,000 digits> once raised Python's own ValueError (its 4,300-digit limit): now the
    digits limit names the symbol, and raising the limit makes the value exact."""
    from conftest import cli_runner

    from convcalc.cli import main

    digits = "7" * 5000
    spec = "input nx1; conv1d 2 kernel=1"
    refused = cli_runner().invoke(main, ["summary", spec, "--set", f"n={digits}", "--format", "json"])
    assert refused.exit_code == 2
    assert refused.exception is None or isinstance(refused.exception, SystemExit), repr(refused.exception)
    assert "n has 5,000 digits: over the digits limit of 4,000 digits" in refused.stderr
    allowed = cli_runner().invoke(main, ["summary", spec, "--set", f"n={digits}", "--format", "json", "--limit", "digits=6000"])
    assert allowed.exit_code == 0, allowed.stderr
    assert f'"output_shape": [{digits}, 2]' in allowed.stdout  # a 1-wide kernel keeps the length (PyTorch Conv1d)


DOUBLING_UNDER_IF = """
input: [8, 8, 3]
blocks:
  a: {params: [use], layers: [{relu: null, if: $use}, {relu: null, if: $use}]}
  b: {params: [use], layers: [{a: {use: $use}}, {a: {use: $use}}]}
  c: {params: [use], layers: [{b: {use: $use}}, {b: {use: $use}}]}
layers: [{c: {use: true}}]
"""

LEFT_OUT_REPEATS = """
input: [8, 8, 3]
blocks:
  many: {params: [n], layers: [{repeat: {times: $n, layers: [{relu: null, if: false}]}}]}
layers:
  - relu
  - repeat: {times: 10, layers: [{many: {n: 10}}]}
"""


@pytest.mark.parametrize(
    ("spec", "limit", "message"),
    [
        # what no count before expanding can see (if: $use, times: $n) is stopped while expanding
        (DOUBLING_UNDER_IF, "layers=5", "layer 6: the blocks expand to more than 5 layers: over the layers limit of 5 layers; "
                                        "if the spec is really meant to be this large, raise it with --limit layers=N"),
        (LEFT_OUT_REPEATS, "layers=10", "layer 2: the blocks expand to more than 40 entries: over the layers limit of 10 layers; "
                                        "if the spec is really meant to be this large, raise it with --limit layers=N"),
    ],
)
def test_blocks_stop_at_the_layers_limit_while_expanding(spec, limit, message):
    from conftest import cli_runner

    from convcalc.cli import main

    result = cli_runner().invoke(main, ["summary", "-", "--format", "json", "--limit", limit], input=spec)
    assert result.exit_code == 2
    assert (result.stdout, result.stderr) == ("", f"convcalc: error: {message}\n")
    assert cli_runner().invoke(main, ["summary", "-", "--format", "json"], input=spec).exit_code == 0  # valid under the default limits


def test_a_raised_digits_limit_lets_an_expression_make_a_big_number():
    """$(10 ** 5000) is refused under the default 4,000 digits, and exact once the limit allows it."""
    from conftest import cli_runner

    from convcalc.cli import main

    spec = "input: [8, 8, 3]\nlayers:\n  - repeat: {times: 1, layers: [{conv2d: {filters: $(10 ** 5000), kernel: 1}}]}\n"
    refused = cli_runner().invoke(main, ["summary", "-", "--format", "json"], input=spec)
    assert refused.exit_code == 2
    assert "'10 ** 5000' makes a number of more than 4,000 digits" in refused.stderr
    allowed = cli_runner().invoke(main, ["summary", "-", "--format", "json", "--limit", "digits=6000"], input=spec)
    assert allowed.exit_code == 0, allowed.stderr
    before = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else None
    if before is not None:
        sys.set_int_max_str_digits(0)
    try:
        assert f'"output_shape": [8, 8, {10 ** 5000}]' in allowed.stdout  # a 1×1 convolution keeps H and W
    finally:
        if before is not None:
            sys.set_int_max_str_digits(before)
