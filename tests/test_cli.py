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


@pytest.mark.parametrize(
    ("spec", "layout", "input_shape", "output_shape", "params"),
    [
        # PyTorch: Conv2d(3, 8, 3) on a 256x256 RGB image gives (8, 254, 254) and 3·3·3·8 + 8 = 224 parameters;
        # --layout chw must show that order, never read 256 as the channel count
        ("input 256x256x3; conv2d 8 kernel=3", "chw", [3, 256, 256], [8, 254, 254], 224),
        ("input 256x256x3; conv2d 8 kernel=3", "hwc", [256, 256, 3], [254, 254, 8], 224),
        # CS231n lecture 5: 32x32x3 input, ten 5x5 filters, pad 2 -> 32x32x10, 760 parameters; the inline spec says its order
        ("input 3x32x32 layout=chw; conv2d 10 kernel=5 padding=2", "chw", [3, 32, 32], [10, 32, 32], 760),
        ("input 3x32x32 layout=chw; conv2d 10 kernel=5 padding=2", "hwc", [32, 32, 3], [32, 32, 10], 760),
    ],
)
def test_layout_shows_shapes_and_never_reads_them(spec, layout, input_shape, output_shape, params):
    data = summary_json(spec, "--layout", layout)
    assert (data["layout"], data["input_shape"], data["layers"][0]["output_shape"]) == (layout, input_shape, output_shape)
    assert data["spec_layout"] == ("chw" if "layout=chw" in spec else "hwc") and data["total_params"] == params
    table = run_cli("summary", spec, "--layout", layout).stdout
    assert "(" + ", ".join(map(str, output_shape)) + ")" in table


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
    taken directly), no SymPy for a spec without symbols, no torch, and of the command modules only
    its own (convcalc.cli.COMMANDS loads them on demand)."""
    import subprocess
    import sys

    code = (
        "import sys; from convcalc.cli import main\n"
        "try:\n    main(['summary', sys.argv[1], '--json'])\n"
        "except SystemExit:\n    pass\n"
        "sys.stderr.write(' '.join(sorted(m for m in ('rich', 'dataclasses', 'json', 'sympy', 'torch', 'convcalc.cli.catalog',\n"
        "    'convcalc.cli.frameworks', 'convcalc.cli.homework') if m in sys.modules)))\n"
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


# --------------------------------------------------------------------------- exit codes (issue 12 item 8)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("summary", "specs/lenet5.yaml", "--bogus"), ["no such option '--bogus'"]),
        (("summary",), ["missing argument 'SPEC'"]),
        (("summary", "specs/lenet5.yaml", "-f", "yaml"), ["'yaml' is not one of"]),
        (("sumary", "specs/lenet5.yaml"), ["no such command 'sumary'"]),
        (("solve", "--in", "x", "--out", "3"), ["'x' is not a valid integer"]),
        (("summary", "specs/lenet5.yaml", "--depth", "0"), ["--depth"]),
    ],
)
def test_click_usage_errors_are_one_convcalc_line(args, words):
    """click's own errors (a 3-4 line 'Usage: … Error: …' block) in convcalc's style: one line, exit 2."""
    result = run_cli(*args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("convcalc: error: ") and result.stderr.count("\n") == 1
    command = "convcalc" if args[0] == "sumary" else f"convcalc {args[0]}"
    assert all(word in result.stderr for word in words) and f"see '{command} --help'" in result.stderr


def test_a_misspelt_option_names_the_closest():
    result = run_cli("summary", "specs/lenet5.yaml", "--colums", "name")
    assert result.stderr == "convcalc: error: no such option '--colums'; did you mean '--columns'? (see 'convcalc summary --help')\n"


def test_ctrl_c_is_one_line_and_130(monkeypatch):
    """Ctrl-C while working: 'convcalc: interrupted' and 130 (128 + SIGINT, what shells report), not
    click's 'Aborted!' and 1, which check uses for a wrong answer."""
    from convcalc import loading

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(loading, "load_report", interrupted)
    result = run_cli("summary", "specs/lenet5.yaml")
    assert (result.exit_code, result.stdout, result.stderr) == (130, "", "convcalc: interrupted\n")


def _spec_of(layers: int) -> str:
    return "input: [8, 8, 4]\nlayers:\n" + "".join("  - conv2d: {filters: 4, kernel: 1}\n" for _ in range(layers))


@pytest.mark.parametrize(
    "args",
    [
        ("summary", "-"),
        ("summary", "-", "-f", "markdown"),
        ("summary", "-", "-f", "csv"),
        ("explain", "-"),
        ("types", "--markdown"),
        ("types",),
    ],
    ids=lambda args: " ".join(args),
)
def test_a_reader_that_stops_early_ends_the_run_quietly_with_0(args):
    """`convcalc summary x.yaml | head -1`: the pipe closes with most of the output unwritten. The
    table, explain and types --markdown once ended with 1 (click's code for a broken pipe)."""
    import subprocess
    import sys

    code = "import sys; from convcalc.cli import run; sys.argv = ['convcalc', *sys.argv[1:]]; run()"
    reads = "-" in args
    writer = subprocess.Popen([sys.executable, "-c", code, *args], stdin=subprocess.PIPE if reads else subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    if reads:
        writer.stdin.write(_spec_of(3000).encode())
        writer.stdin.close()
    assert writer.stdout.read(1)
    writer.stdout.close()
    error = writer.stderr.read().decode()
    assert (writer.wait(timeout=60), error) == (0, "")


# --------------------------------------------------------------------------- one grammar (issue 17 item 2)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("summary", "specs/lenet5.yaml", "-f", "csv", "--json"), "--format csv and --json ask for different formats; give one"),
        (("summary", "specs/lenet5.yaml", "-f", "json", "-c", "name,params"),
         "--columns chooses the columns of the table, Markdown and CSV; JSON has every column"),
        (("summary", "specs/resnet18.yaml", "--json", "--depth", "1"),
         '--depth shortens the table, Markdown and CSV; JSON lists every layer, and every block under "blocks"'),
        (("check", "specs/homework_cs231n_answers.yaml", "-f", "text", "--json"),
         "--format text and --json ask for different formats; give one"),
        (("export", "specs/lenet5.yaml", "-f", "pytorch", "--to", "keras"),
         "--format pytorch and --to keras ask for different formats; give one"),
        (("types", "-f", "json", "--markdown"), "--format json and --markdown ask for different formats; give one"),
        (("draw", "specs/lenet5.yaml", "-f", "png", "-o", "net.svg"), "--format png and -o net.svg ask for different pictures; give one"),
        (("solve", "--in", "32", "--out", "16", "--limit", "2"),
         "solve calls it --max-solutions 2 (--limit raises the safety limits of the commands that read a spec)"),
        (("export", "specs/lenet5.yaml", "-f", "keras", "--layout", "chw"),
         ("--layout only changes how shapes are shown, and export writes shapes in the framework's own order; the spec "
          "is read in its own order (write layout: chw in it, or 'input 3x32x32 layout=chw')")),
    ],
    ids=["csv-json", "json-columns", "json-depth", "check", "export", "types", "draw", "solve-limit", "export-layout"],
)
def test_options_that_conflict_are_refused(args, message):
    result = run_cli(*args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"convcalc: error: {message}; see 'convcalc {args[0]} --help'\n"


@pytest.mark.parametrize(
    "args",
    [
        ("summary", "specs/lenet5.yaml", "-f", "csv"),
        ("summary", "specs/lenet5.yaml"),
        ("explain", "specs/lenet5.yaml", "-f", "markdown"),
        ("check", "specs/homework_cs231n_answers.yaml", "-f", "json"),
        ("solve", "--in", "224", "--out", "112", "--kernel", "7"),
        ("types", "-f", "json"),
        ("export", "specs/lenet5.yaml", "-f", "keras"),
        ("draw", "specs/lenet5.yaml"),
        ("list",),
        ("schema", "output"),
        ("import", "tests/fixtures/import/mnist_convnet_keras2.json"),
    ],
    ids=lambda args: args[0],
)
def test_every_writing_command_writes_a_file_with_o_and_stdout_with_dash(tmp_path, monkeypatch, args):
    if args[0] == "draw":
        pytest.importorskip("drawsvg")
    monkeypatch.chdir(ROOT)
    printed = run_cli(*args)
    target = tmp_path / "out.txt" if args[0] != "draw" else tmp_path / "out.svg"
    written = run_cli(*args, "-o", str(target))
    dashed = run_cli(*args, "-o", "-")
    assert printed.exit_code == written.exit_code == dashed.exit_code and printed.exit_code in (0, 1)
    assert written.stdout == "" and target.read_text(encoding="utf-8") == printed.stdout == dashed.stdout
    assert not (ROOT / "-").exists()  # `export -o -` once wrote a file named '-'


def test_the_old_spellings_are_aliases():
    spec = "specs/lenet5.yaml"
    assert run_cli("export", spec, "--to", "keras").stdout == run_cli("export", spec, "-f", "keras").stdout
    assert run_cli("types", "--markdown").stdout == run_cli("types", "-f", "markdown").stdout
    answers = "specs/homework_cs231n_answers.yaml"
    assert run_cli("check", answers, "--json").stdout == run_cli("check", answers, "-f", "json").stdout
    solve = ("solve", "--in", "32", "--out", "16")
    assert run_cli(*solve, "--json").stdout == run_cli(*solve, "-f", "json").stdout


def test_strict_is_accepted_wherever_a_spec_is_read():
    """PyTorch floors (32 − 5)/2 + 1 = 14.5 to 14 for Conv2d(3, 8, 5, stride=2): --strict refuses it everywhere."""
    spec = "input 32x32x3; conv2d 8 kernel=5 stride=2"
    for command in (("summary",), ("explain",), ("check",), ("export", "-f", "pytorch"), ("draw",)):
        result = run_cli(command[0], spec, *command[1:], "--strict")
        assert result.exit_code == 2 and "14.5 → 14" in result.stderr, command


def test_spec_completes_as_a_file_name():
    """`convcalc summary spe<TAB>`: click's bash completion answers 'file', so the shell lists files.
    In a process of its own: click 8.0 ends a completion with os._exit."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "_CONVCALC_COMPLETE": "bash_complete", "COMP_WORDS": "convcalc summary spe", "COMP_CWORD": "2"}
    code = "from convcalc.cli import run; run()"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60, env=env)
    assert (result.returncode, result.stdout.splitlines()) == (0, ["file,spe"])


# Option names, one concept each: the walk below fails when a command spells one differently.
CONCEPTS = {
    "output_format": ("--format", "-f"),
    "output": ("--output", "-o"),
    "as_json": ("--json",),
    "layout": ("--layout",),
    "strict": ("--strict",),
    "assignments": ("--set",),
    "limit_options": ("--limit",),
    "quiet": ("--quiet", "-q"),
    "depth": ("--depth",),
    "columns_text": ("--columns", "-c"),
}
READS_A_SPEC = ("strict", "assignments", "limit_options", "quiet")


def _commands():
    from convcalc.cli import main

    return sorted(main.all_commands().items())


@pytest.mark.parametrize(("name", "command"), _commands(), ids=[name for name, _ in _commands()])
def test_help_lists_each_command_from_data_as_from_the_command(name, command):
    """`convcalc --help` lists the commands from convcalc.cli.COMMANDS without importing their
    modules: the help written there is the command's own first paragraph, shortened alike."""
    import click

    from convcalc.cli import COMMANDS

    stand_in = click.Command(name, help=COMMANDS[name][2])
    assert command.name == name
    for limit in (20, 45, 60, 200):
        assert stand_in.get_short_help_str(limit) == command.get_short_help_str(limit)


def test_help_lists_the_commands_without_importing_them():
    import subprocess
    import sys

    code = ("import sys; from convcalc.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write(' '.join(sorted(m for m in sys.modules if m.startswith('convcalc.cli.'))))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.stderr == "convcalc.cli.support"
    listed = result.stdout.split("Commands:")[1].split()
    assert all(name in listed for name in ("summary", "explain", "draw", "export", "import", "types", "check",
                                           "solve", "list", "schema"))


@pytest.mark.parametrize(("name", "command"), _commands(), ids=[name for name, _ in _commands()])
def test_every_command_speaks_one_grammar(name, command):
    """Walks click's command objects: every command writes with -f/--format and -o/--output; one
    spelling per concept; a command that reads a spec takes --strict, --set, --limit and --quiet;
    a SPEC completes as a path; --help shows examples."""
    import click

    options = [p for p in command.params if isinstance(p, click.Option) and not p.hidden]
    spelled = {p.name: tuple(sorted(p.opts + p.secondary_opts, key=len, reverse=True)) for p in options}
    for concept, spelling in CONCEPTS.items():
        if concept in spelled:
            assert spelled[concept] == spelling, (name, concept, spelled[concept])
    used = {opt: p.name for p in options for opt in p.opts}
    for concept, spelling in CONCEPTS.items():
        for opt in spelling:
            assert used.get(opt, concept) == concept, (name, opt, "means", used.get(opt), "elsewhere", concept)
    assert "output_format" in spelled and "output" in spelled, f"{name} writes, so it takes -f and -o"
    arguments = [p for p in command.params if isinstance(p, click.Argument)
                 and not isinstance(p.type, click.Choice)]  # a choice (schema's spec|output) reads no spec
    if arguments:
        if arguments[0].name != "source":  # import reads a model, not a spec
            assert all(concept in spelled for concept in READS_A_SPEC), (name, "reads a spec")
        items = arguments[0].shell_complete(click.Context(command), "spe")
        assert [item.type for item in items] == ["file"]
    # the group's -h: click caches a command's help option on first use, and docs/cli.md shows it
    help_text = command.get_help(click.Context(command, info_name=name, help_option_names=["-h", "--help"]))
    assert "Examples:" in help_text and f"convcalc {name} " in help_text.split("Examples:")[1]


def test_one_name_for_one_concept_across_commands():
    """Beyond the table above: an option name means one parameter everywhere, and a parameter is
    spelled the same everywhere (a new command or option is checked without being listed)."""
    import click

    names: dict[str, set[str]] = {}
    spellings: dict[str, set[tuple[str, ...]]] = {}
    for _, command in _commands():
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                spellings.setdefault(param.name, set()).add(tuple(sorted(param.opts)))
                for opt in param.opts:
                    names.setdefault(opt, set()).add(param.name)
    assert {opt: found for opt, found in names.items() if len(found) > 1} == {}
    assert {name: found for name, found in spellings.items() if len(found) > 1} == {}


def test_recursion_past_pythons_limit_is_a_message(monkeypatch):
    """Printing a symbolic size nested past Python's recursion limit (what SymPy's printer does) in
    any command: one line and exit 2, never a traceback."""
    from convcalc.render import formats

    def deep(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(formats, "render_csv", deep)
    result = run_cli("summary", "specs/lenet5.yaml", "-f", "csv")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("convcalc: error: the spec nests too deep to work through")


def test_limit_means_the_safety_limit_in_every_command():
    import click

    for name, command in _commands():
        for param in command.params:
            if isinstance(param, click.Option) and "--limit" in param.opts and not param.hidden:
                assert param.name == "limit_options" and param.multiple, name


# --------------------------------------------------------------------------- the terminal (issue 17 item 4)


def _resnet50_at(width: str, monkeypatch, *extra: str) -> str:
    monkeypatch.setenv("COLUMNS", width)
    result = run_cli("summary", str(ROOT / "specs" / "resnet50.yaml"), *extra)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_resnet50_reads_at_80_columns(monkeypatch):
    """No line over 80 characters, no number or name split across lines: every cell is whole."""
    import re

    out = _resnet50_at("80", monkeypatch)
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    names = {"input"} | {part for layer in summary_json(str(ROOT / "specs" / "resnet50.yaml"))["layers"]
                         for part in layer["path"] + layer["name"].split(".")}
    rows = [line.split("│")[1:-1] for line in lines if line.startswith("│")]
    assert len(rows) == 1 + 175 + 24  # the input, 175 layers, 24 blocks (4 stages, 16 bottlenecks, 4 projection shortcuts)
    for index, name, shape, params, macs in rows:
        assert name.strip() in names
        assert re.fullmatch(r"\((\d+, )*\d+,?\)( ⚠)?", shape.strip()), shape
        assert re.fullmatch(r"\d{1,3}(,\d{3})*", params.strip()), params
    assert "Hidden at 80 columns: type, formula (see --columns, --depth, a wider terminal)" in lines


def test_piped_width_follows_columns(monkeypatch):
    widths = {}
    for columns in ("100", "200"):
        widths[columns] = max(len(line) for line in _resnet50_at(columns, monkeypatch).splitlines())
    assert widths["100"] <= 100 < widths["200"] <= 200


def test_a_chosen_column_is_kept_and_wrapped_at_spaces(monkeypatch):
    out = _resnet50_at("80", monkeypatch, "-c", "name,formula")
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "Hidden" not in out
    # torchvision's ResNet-50 fc: Linear(2048, 1000), 2048·1000 + 1000 = 2,049,000 parameters
    assert "2,049,000" in out and "2048·1000" in out


def test_an_ascii_terminal_gets_an_ascii_table():
    """PYTHONIOENCODING=ascii: box lines and symbols as ASCII stand-ins, never '?'."""
    import os
    import subprocess
    import sys

    code = "import sys; from convcalc.cli import run; sys.argv = ['convcalc', *sys.argv[1:]]; run()"
    env = {key: value for key, value in os.environ.items() if key != "COLUMNS"}
    result = subprocess.run([sys.executable, "-c", code, "summary", "specs/resnet50.yaml", "-c", "index,name,shape,formula"],
                            capture_output=True,
                            cwd=ROOT, timeout=60, env={**env, "PYTHONIOENCODING": "ascii"})
    out = result.stdout.decode("ascii")
    assert result.returncode == 0 and "?" not in out
    # torchvision ResNet-50 conv1: 64 filters of 7x7x3, no bias: 9,408 weights
    assert "|       1 | conv1 " in out and "7*7*3*64 = 9,408" in out and "(64, 112, 112) !" in out
    assert out.splitlines()[1].startswith("+---------+") and out.splitlines()[3].startswith("+=========+")


@pytest.mark.parametrize(
    ("spec", "lines"),
    [
        # torchvision docs: resnet50 num_params 25,557,032 (torchinfo's total too); Keras' ResNet50 summary:
        # 53,120 non-trainable (BatchNorm's moving means and variances, buffers in PyTorch)
        ("resnet50", ["Total params: 25,557,032 (+ 53,120 BatchNorm buffers, as PyTorch counts)",
                      "Trainable params: 25,557,032", "Non-trainable params: 0"]),
        # Keras applications MobileNet (alpha 1.0) summary: 4,253,864 total, 4,231,976 trainable, 21,888 non-trainable
        ("mobilenet_v1", ["Total params: 4,253,864 (as Keras counts: BatchNorm statistics included)",
                          "Trainable params: 4,231,976", "Non-trainable params: 21,888"]),
        # LeNet-5 as rebuilt in PyTorch: 61,706 parameters, no BatchNorm: nothing to say about conventions
        ("lenet5", ["Total params: 61,706", "Trainable params: 61,706", "Non-trainable params: 0"]),
    ],
)
def test_the_params_headline_says_its_convention(spec, lines):
    out = run_cli("summary", str(ROOT / "specs" / f"{spec}.yaml")).stdout.splitlines()
    start = out.index(lines[0])
    assert out[start : start + 3] == lines


def test_rounding_warnings_are_grouped_and_quiet_drops_them(monkeypatch):
    """ResNet-50's eight stride-2 layers that floor (PyTorch floors (224 − 7 + 6)/2 + 1 = 112.5 to 112)."""
    out = _resnet50_at("160", monkeypatch)
    warning = " ".join(line.strip() for line in out.split("Total FLOPs")[1].splitlines()[1:])
    assert warning == (
        "⚠ 8 layers round a size down, as PyTorch and Keras do (rows marked ⚠): 1 'conv1', 4 'maxpool', 40 'layer2.0.conv2', "
        "45 'layer2.0.shortcut.conv', 82 'layer3.0.conv2', 87 'layer3.0.shortcut.conv', 144 'layer4.0.conv2', 149 "
        "'layer4.0.shortcut.conv'; e.g. layer 1: H and W: (224 − 7 + 2·3)/2 + 1 = 112.5 → 112 (floored); --strict makes it an error"
    )
    quiet = _resnet50_at("80", monkeypatch, "--quiet")
    assert "⚠ 8 layers" not in quiet and "Hidden" not in quiet and "Total params: 25,557,032" in quiet
    assert run_cli("summary", "specs/resnet50.yaml", "-q", "-f", "markdown").stdout.count("⚠ 8 layers") == 0
    data = summary_json(str(ROOT / "specs" / "resnet50.yaml"))
    assert [w["index"] for w in data["warnings"]] == [1, 4, 40, 45, 82, 87, 144, 149]  # JSON keeps each


@pytest.mark.parametrize(
    ("count", "decimal", "binary"),
    [
        (999, "999", "999 B"),
        (999_500, "1.00 M", "976 KiB"),  # rounds up to 1000 K: the next prefix
        (1_000_000, "1.00 M", "977 KiB"),
        (1_048_576, "1.05 M", "1.00 MiB"),  # 2**20: one MiB, never '1,024 KiB'
        (1_047_552, "1.05 M", "0.999 MiB"),  # 1023 KiB: below 1000 of the next prefix
        (4_089_184_256, "4.09 G", "3.81 GiB"),  # torchvision ResNet-50: 4.09 GFLOPS (MACs)
    ],
)
def test_unit_prefixes_roll_over(count, decimal, binary):
    from convcalc.render.columns import human, human_bytes

    assert (human(count), human_bytes(count)) == (decimal, binary)


def test_bare_convcalc_prints_the_help_with_0():
    """click 8.0-8.1 print the group's help and exit 0, click 8.2+ exit 2: one behaviour on every click allowed."""
    result = run_cli()
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.startswith("Usage: convcalc [OPTIONS] COMMAND [ARGS]...") and "Exit codes:" in result.stdout
