"""The command line through click's CliRunner: every format, inline specs, stdin and exit codes."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from conftest import ROOT, run_cli, summary_json

CS231N_INLINE = "input 32x32x3; conv2d 10 kernel=5 padding=2; maxpool2d 2; flatten; dense 10"


def test_table_has_input_row_layers_formula_and_totals():
    result = run_cli("summary", str(ROOT / "specs" / "alexnet.yaml"))
    assert result.exit_code == 0
    out = result.stdout
    # CS231n notes: AlexNet conv1 has 11*11*3*96 weights + 96 biases = 34,944
    assert "11·11·3·96 + 96 = 34,944" in out
    assert "Input" in out and "(227, 227, 3)" in out
    # Caffe's bvlc_alexnet (the two-GPU AlexNet with grouped conv2/4/5) has 60,965,224 parameters
    assert "Total params: 60,965,224" in out
    assert "Trainable params: 60,965,224" in out
    assert "Non-trainable params: 0" in out
    assert "\x1b[" not in out  # no colour codes when piped


def test_table_is_plain_with_no_color(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    result = run_cli("summary", CS231N_INLINE)
    assert result.exit_code == 0 and "\x1b[" not in result.stdout


def test_inline_spec_cs231n_example():
    data = summary_json(CS231N_INLINE)
    # CS231n lecture 5: 32x32x3 input, ten 5x5 filters, stride 1, pad 2 -> 32x32x10 and 760 parameters
    assert data["layers"][0]["output_shape"] == [32, 32, 10]
    assert data["layers"][0]["params"] == 760
    assert [layer["type"] for layer in data["layers"]] == ["conv2d", "maxpool2d", "flatten", "dense"]


def test_json_keys_and_exact_integers():
    data = summary_json(str(ROOT / "specs" / "vgg16.yaml"))
    for key in ("name", "layout", "input_shape", "layers", "total_params", "trainable_params", "non_trainable_params"):
        assert key in data
    for key in ("index", "name", "type", "output_shape", "params", "trainable_params", "non_trainable_params"):
        assert key in data["layers"][0]
    # torchvision documents VGG-16 with 138,357,544 parameters
    assert data["total_params"] == 138_357_544 and isinstance(data["total_params"], int)
    assert data["layers"][0]["index"] == 1 and data["input_shape"] == [3, 224, 224]


def test_json_flag_equals_format_json():
    spec = str(ROOT / "specs" / "lenet5.yaml")
    assert run_cli("summary", spec, "--json").stdout == run_cli("summary", spec, "--format", "json").stdout


def test_csv_rows_add_up():
    result = run_cli("summary", str(ROOT / "specs" / "lenet5.yaml"), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["name"] == "input"
    # LeNet-5 as rebuilt in PyTorch (conv 6, conv 16, fc 120, 84, 10): 61,706 parameters
    assert sum(int(r["params"]) for r in rows) == 61_706


def test_csv_columns_are_the_chosen_ones_with_exact_numbers():
    """--columns chooses the CSV's columns too; the numbers are exact, and they add up to the totals."""
    spec = str(ROOT / "specs" / "vgg16.yaml")
    result = run_cli("summary", spec, "--format", "csv", "--columns", "name,shape,params,macs,memory,rf")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["name", "output_shape", "params", "macs", "activation_bytes", "rf_size", "rf_jump", "rf_start", "rf_exact"]
    assert sum(int(r["params"]) for r in rows) == 138_357_544  # torchvision docs: vgg16 num_params
    assert sum(int(r["macs"]) for r in rows) == 15_470_264_320  # torchvision docs: vgg16 15.47 GFLOPS (MACs)
    pool5 = next(r for r in rows if r["name"] == "pool5")
    # google-research receptive_field table: vgg_16 pool5 has size 212, effective stride 32, padding 90
    assert (pool5["rf_size"], pool5["rf_jump"], pool5["rf_start"], pool5["rf_exact"]) == ("212", "32", "-90", "true")
    data = summary_json(spec)  # the same figures as the JSON, layer by layer
    assert [int(r["activation_bytes"]) for r in rows[1:]] == [layer["activation_bytes"] for layer in data["layers"]]
    assert int(rows[0]["activation_bytes"]) == data["memory"]["input_bytes"]


def test_csv_columns_name_several_inputs_and_blocks():
    result = run_cli("summary", str(ROOT / "specs" / "resnet18.yaml"), "--format", "csv", "--columns", "name,inputs,params")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    add = next(r for r in rows if r["name"] == "layer1.0.add")
    assert add["inputs"] == "layer1.0.bn2,maxpool"  # torchvision BasicBlock: out + identity (the stem's maxpool)
    # params include the batch-norm statistics: torchvision's 11,689,512 trainable + 9,600 running means and variances
    assert sum(int(r["params"]) for r in rows) == 11_689_512 + 9_600


def test_markdown_table():
    result = run_cli("summary", str(ROOT / "specs" / "lenet5.yaml"), "--format", "markdown")
    lines = result.stdout.splitlines()
    assert lines[0] == "### LeNet-5"
    assert lines[2].startswith("| # | Layer | Type | Output shape | Params |")
    assert "Total params: 61,706" in result.stdout


def test_stdin_yaml_and_inline():
    text = (ROOT / "specs" / "lenet5.yaml").read_text()
    from_stdin = json.loads(run_cli("summary", "-", "--json", input=text).stdout)
    assert from_stdin["total_params"] == 61_706
    inline = json.loads(run_cli("summary", "-", "--json", input=CS231N_INLINE + "\n").stdout)
    assert inline["layers"][0]["params"] == 760


def test_layout_override_reorders_shapes():
    data = summary_json("input 3x32x32; conv2d 10 kernel=5 padding=2", "--layout", "chw")
    assert data["layout"] == "chw" and data["layers"][0]["output_shape"] == [10, 32, 32]


def test_seed_question_shapes():
    # The Stack Exchange question: (25, 64, 100), (13, 32, 100), (13, 32, 150); conv2 weights 5·5·100·150
    data = summary_json(str(ROOT / "specs" / "seed_keras_same.yaml"))
    assert [layer["output_shape"] for layer in data["layers"]] == [[25, 64, 100], [13, 32, 100], [13, 32, 150]]
    assert data["layers"][2]["weights"] == 375_000


def test_rounding_is_marked_and_strict_refuses_it():
    spec = "input 32x32x3; conv2d 8 kernel=5 stride=2"
    data = summary_json(spec)
    # PyTorch floors: Conv2d(3, 8, 5, stride=2) on 32x32 gives 14x14
    assert data["layers"][0]["output_shape"] == [14, 14, 8]
    assert data["warnings"][0]["message"] == "H and W: (32 − 5 + 2·0)/2 + 1 = 14.5 → 14 (floored)"
    table = run_cli("summary", spec).stdout
    assert "⚠" in table
    strict = run_cli("summary", spec, "--strict")
    assert strict.exit_code == 2 and strict.stdout == ""
    assert "14.5 → 14" in strict.stderr


def test_python_dash_m_entry_point():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "convcalc", "summary", CS231N_INLINE, "--json"],
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0 and json.loads(result.stdout)["total_params"] == 760 + 25_610


def test_types_lists_every_kind():
    from convcalc.layers import KINDS

    out = run_cli("types").stdout
    for name in KINDS:
        assert f"{name}:" in out


@pytest.mark.parametrize("spec", ["model.yaml", "specs/nope.yaml"])
def test_missing_file_is_no_such_file(spec):
    result = run_cli("summary", spec)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"convcalc: error: no such file: '{spec}'")


@pytest.mark.parametrize("spec", ["input 8x8x1; conv2d 2 kernel=3", "specs/resnet50.yaml"])
def test_json_path_does_not_import_rich_or_what_it_does_not_need(spec):
    """What keeps `summary --format json` near its floor (docs/development.md, Benchmarks): no rich, no
    dataclasses (the records on this path are NamedTuples), no json package (the C encoder is
    taken directly), no SymPy for a spec without symbols, no torch."""
    import subprocess
    import sys

    code = (
        "import sys; from convcalc.cli import main\n"
        "try:\n    main(['summary', sys.argv[1], '--json'])\n"
        "except SystemExit:\n    pass\n"
        "sys.stderr.write(' '.join(sorted(m for m in ('rich', 'dataclasses', 'json', 'sympy', 'torch') if m in sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code, spec], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.stdout.startswith("{") and result.stderr == ""


def test_types_markdown_has_one_row_per_kind():
    """`convcalc types --markdown` (docs/layers.md is generated from the same rows, tests/test_docs.py)."""
    from convcalc.layers import KINDS

    rows = [line for line in run_cli("types", "--markdown").stdout.splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == list(KINDS)


@pytest.mark.parametrize(
    "value",
    [
        {"name": "conv1", "shape": [55, 55, 96], "params": 34944},
        {"formula": "11·11·3·96 + 96 = 34,944", "tab\tquote\"back\\slash": "\x00\x1f\u2028 é 漢"},
        [10**400, -3, 0, True, False, None, 1.5, 0.1, 1e300, 2.0],
        {"nested": [{"a": []}, {}], "empty": "", "1": [[1, [2, [3]]]]},
        "a lone string",
        [],
    ],
)
def test_compact_encoder_writes_what_the_json_package_writes(value):
    """The JSON output skips loading the json package; the package itself is the oracle."""
    import json

    from convcalc.render.formats import _compact_encoder

    assert _compact_encoder()(value) == json.JSONEncoder(ensure_ascii=False).encode(value)


def test_compact_encoder_rejects_what_json_rejects():
    from convcalc.render.formats import _compact_encoder

    with pytest.raises(TypeError, match="not JSON serializable"):
        _compact_encoder()({"x": object()})


def _console(*args: str, stdin: str | None = None):
    """`convcalc ARGS` as the console script runs it: run() in a process of its own."""
    import subprocess
    import sys

    code = "import sys; from convcalc.cli import run; sys.argv = ['convcalc', *sys.argv[1:]]; run()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, timeout=60, input=stdin)


@pytest.mark.parametrize(
    ("args", "exit_code"),
    [
        (("summary", "specs/lenet5.yaml", "--json"), 0),
        (("summary", "input 8x8x1; conv2d 2 kernel=9"), 2),  # kernel larger than the input
        (("check", "specs/homework_cs231n_answers.yaml"), 1),  # 8 of 11 answers right
        (("solve", "--in", "224", "--out", "112", "--kernel", "7", "--stride", "2"), 0),
        (("--version",), 0),
        (("summary",), 2),  # click's usage error
    ],
)
def test_console_script_exit_codes_and_complete_output(args, exit_code):
    """run() ends the process with os._exit after flushing: the code and every byte must survive."""
    result = _console(*args)
    assert result.returncode == exit_code, result.stderr
    assert "Traceback" not in result.stderr
    if args[-1] == "--json":
        import json

        assert json.loads(result.stdout)["trainable_params"] == 61706  # LeNet-5, LeCun et al. 1998 (as in test_specs)


def test_console_script_quiet_when_the_reader_stops_early():
    """`convcalc summary BIG --json | head -1`: the closed pipe ends the run without a traceback."""
    import subprocess
    import sys

    layers = "".join("  - conv2d: {filters: 4, kernel: 1}\n" for _ in range(3000))
    spec = f"input: [8, 8, 4]\nlayers:\n{layers}"
    code = "import sys; from convcalc.cli import run; sys.argv = ['convcalc', 'summary', '-', '--json']; run()"
    writer = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    writer.stdin.write(spec.encode())
    writer.stdin.close()
    assert writer.stdout.read(1) == b"{"
    writer.stdout.close()  # the reader goes away with most of the output unread
    error = writer.stderr.read().decode()
    assert writer.wait(timeout=60) == 0
    assert error == ""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("output_format", ["json", "table"])
def test_console_script_full_disk_is_one_line_not_a_traceback(output_format):
    import subprocess
    import sys

    code = "import sys; from convcalc.cli import run; sys.argv = ['convcalc', *sys.argv[1:]]; run()"
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-c", code, "summary", "specs/lenet5.yaml", "--format", output_format],
                                stdout=full, stderr=subprocess.PIPE, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 1
    assert result.stderr == "convcalc: error: cannot write the output: No space left on device\n"


@pytest.mark.parametrize("columns", ["40", "200"])  # rich's folding table, and the one-pass layout
def test_table_in_a_terminal_prints_names_literally(monkeypatch, columns):
    """Spec names are text, never rich markup or emoji codes: '[/]' once raised MarkupError in a terminal."""
    from convcalc import summarize
    from convcalc.render.table import print_table

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv("COLUMNS", columns)
    monkeypatch.delenv("NO_COLOR", raising=False)
    spec = (
        'name: "[/]net :thumbs_up:"\ninput: [10, 10, 3]\nlayers:\n'
        '  - conv2d: {filters: 4, kernel: 3, stride: 2, name: "[/]"}\n'  # (10 − 3)/2 + 1 = 4.5: a warning names it
        '  - relu: {name: "[bold red]x :smile:"}\n'
    )
    stream = Terminal()
    print_table(summarize("-", stdin_text=spec), stream, None)
    text = stream.getvalue()
    assert "[/]" in text and "⚠ layer 1 '[/]'" in text
    assert ":thumbs_up:" in text and "👍" not in text and "😄" not in text
    if columns == "200":
        assert "[bold red]x :smile:" in text


@pytest.mark.skipif(not Path("/bin/sh").exists(), reason="needs a POSIX shell to close the streams")
@pytest.mark.parametrize(
    ("redirect", "exit_code", "stderr"),
    [
        (">&-", 1, "convcalc: error: cannot write the output: standard output is closed\n"),
        ("2>&-", 0, ""),  # the answer still goes out; only messages have nowhere to go
    ],
)
def test_console_script_with_a_closed_stream(redirect, exit_code, stderr):
    import shlex
    import subprocess
    import sys

    code = "import sys; from convcalc.cli import run; sys.argv = ['convcalc', 'summary', 'specs/lenet5.yaml', '--json']; run()"
    line = f"{shlex.quote(sys.executable)} -c {shlex.quote(code)} {redirect}"
    if redirect == "2>&-":
        line += " | head -c 1"
    result = subprocess.run(["/bin/sh", "-c", line], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.stderr == stderr
    if redirect == ">&-":
        assert result.returncode == exit_code
    else:
        assert result.stdout == "{"


def test_every_column_has_its_csv_cells():
    """CSV writes --columns with its own exact cells: a new table column needs them too."""
    from convcalc.render.columns import COLUMNS
    from convcalc.render.formats import _CSV_HEADERS

    assert set(_CSV_HEADERS) == set(COLUMNS)
