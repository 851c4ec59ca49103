"""Issue 7: hostile and broken input through `convcalc summary SPEC --format json`.

Every case ends with exit code 2 (0 where the spec is valid), a single-line message on stderr
that contains the words in the table, no traceback, nothing on stdout, and within 2 s (the time
is only a bound against hangs; speed is measured by bench/run.py). The table of files and inline
specs is tests/corpus/cases.yaml; large hostile inputs are generated here into tmp_path.
The inputs that once crashed or hung the YAML loader (deep nesting: a segfault in PyYAML's C
composer; alias bombs; a million layers) run in a subprocess, so a crash could not take pytest
down with it.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from conftest import cli_runner

from convcalc.cli import main

CORPUS = Path(__file__).resolve().parent / "corpus"
ROOT = CORPUS.parent.parent
TABLE = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))
TIME_BOUND = 2.0  # CPU seconds: a safety bound against hangs (issue 7), not a speed measurement
MEMORY_BOUND = 1 << 30  # bytes of peak memory of a spec's own process (issue 12: within 2 s and 1 GiB)


def cpu_seconds(children: bool = False) -> float:
    """CPU time used so far by this process (or its finished children): unlike wall time, it does not
    grow when other work loads the machine, so the hang bound holds on a busy CI runner too."""
    if not children:
        return time.process_time()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def children_peak_bytes() -> int:
    """The largest peak memory of any finished child process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024


def invoke(*args: str, input: str | bytes | None = None):
    """The CLI in-process, stdout and stderr apart, and the CPU time it took."""
    runner = cli_runner()
    start = cpu_seconds()
    result = runner.invoke(main, list(args), input=input)
    return result, cpu_seconds() - start


def assert_clean_failure(result, elapsed: float, words: list[str], exit_code: int = 2) -> None:
    """Exit code, one message line on stderr naming the problem, nothing on stdout, no traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == exit_code, (result.exit_code, result.stderr, result.stdout[:300])
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("convcalc: error: "), result.stderr
    for word in words:
        assert word in lines[0], f"{word!r} not in {lines[0]!r}"
    assert elapsed < TIME_BOUND


def assert_valid_json(result, elapsed: float) -> dict:
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert elapsed < TIME_BOUND
    return data


FILE_CASES = sorted(TABLE["files"].items())


def test_every_corpus_file_is_in_the_table():
    on_disk = {p.name for p in CORPUS.iterdir() if p.name != "cases.yaml"}
    assert on_disk == set(TABLE["files"])
    assert sum(1 for _, case in FILE_CASES if case["exit"] == 2) >= 50
    assert sum(1 for case in TABLE["inline"] if case["exit"] == 2) >= 20


@pytest.mark.parametrize("name, case", FILE_CASES, ids=[name for name, _ in FILE_CASES])
def test_corpus_file(name, case):
    result, elapsed = invoke("summary", str(CORPUS / name), "--format", "json")
    if case["exit"] == 0:
        assert_valid_json(result, elapsed)
    else:
        assert_clean_failure(result, elapsed, case["words"], case["exit"])


@pytest.mark.parametrize("case", TABLE["inline"], ids=[c["spec"][:40] + " " + " ".join(c.get("args", [])) for c in TABLE["inline"]])
def test_inline_spec(case):
    result, elapsed = invoke("summary", case["spec"], "--format", "json", *case.get("args", []))
    if case["exit"] == 0:
        data = assert_valid_json(result, elapsed)
        if "output_shape" in case:
            assert data["output_shape"] == case["output_shape"]
    else:
        assert_clean_failure(result, elapsed, case["words"], case["exit"])


@pytest.mark.parametrize("case", TABLE["export"], ids=[f"{c['spec'][:40]} --to {c['to']}" for c in TABLE["export"]])
def test_export_case(case):
    """Issue 12: exported code runs, or export refuses naming the layer (the code is run by test_export_property.py)."""
    spec = str(CORPUS / case["spec"]) if case["spec"].endswith(".yaml") else case["spec"]
    result, elapsed = invoke("export", spec, "--to", case["to"])
    if case["exit"] != 0:
        assert_clean_failure(result, elapsed, case["words"], case["exit"])
        return
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    compile(result.stdout, case["spec"], "exec")
    for word in case["words"]:
        assert word in result.stdout


def _without_sympy(monkeypatch) -> None:
    """As on a machine without the [symbolic] extra: `import sympy` raises ImportError (as tests/test_symbolic.py does)."""
    from convcalc.symbols import make_symbol

    make_symbol.cache_clear()
    monkeypatch.setitem(sys.modules, "sympy", None)


NOSYMPY_CASES = [(name, case) for name, case in FILE_CASES if "nosympy" in case] + \
                [(case["spec"], case) for case in TABLE["inline"] if "nosympy" in case]


@pytest.mark.parametrize("spec, case", NOSYMPY_CASES, ids=[spec[:50] for spec, _ in NOSYMPY_CASES])
def test_the_same_without_sympy(monkeypatch, spec, case):
    """Behaviour never depends on the extras installed: a typo is refused alike; a real symbol asks for SymPy."""
    expected = case if case["nosympy"] == "same" else case["nosympy"]
    _without_sympy(monkeypatch)
    try:
        result, elapsed = invoke("summary", str(CORPUS / spec) if spec in TABLE["files"] else spec, "--format", "json")
    finally:
        from convcalc.symbols import make_symbol

        make_symbol.cache_clear()
    assert_clean_failure(result, elapsed, expected["words"], expected["exit"])


# Code run as `convcalc import` runs it, with a Ctrl-C that lands inside a library which catches
# everything (as torch's import does: KeyboardInterrupt there was swallowed and the answer printed,
# turned into "importing a PyTorch model needs torch", or aborted the process inside pybind11).
_CTRL_C_IN_A_LIBRARY = """
import os, signal, sys, time
import convcalc.frameworks.importers as importers
real = importers.import_source
def import_source(*args, **kwargs):
    try:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)
    except BaseException:
        pass  # a library that swallows KeyboardInterrupt
    return real(*args, **kwargs)
importers.import_source = import_source
sys.argv = ["convcalc", "import", sys.argv[1]]
from convcalc.cli import run
run()
"""


def test_ctrl_c_inside_a_library_during_import_ends_the_run(tmp_path):
    """Issue 12: Ctrl-C ends with 130 and one line, wherever it lands (the console script's own handler)."""
    import signal

    keras_json = CORPUS.parent / "fixtures" / "import" / "mnist_convnet_keras2.json"
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run([sys.executable, "-c", _CTRL_C_IN_A_LIBRARY, str(keras_json)], capture_output=True, text=True,
                          timeout=60, env=env, cwd=tmp_path, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert (done.returncode, done.stdout, done.stderr) == (130, "", "convcalc: interrupted\n")


# Arguments each command accepts, so that the command itself runs (a new command needs a row).
COMMAND_ARGS = {"check": ["specs/homework_cs231n_answers.yaml"], "draw": ["specs/lenet5.yaml"], "explain": ["specs/lenet5.yaml"],
                "export": ["specs/lenet5.yaml", "--to", "pytorch"], "import": ["tests/fixtures/import/mnist_convnet_keras2.json"],
                "list": [], "schema": ["spec"], "solve": ["--in", "32", "--kernel", "5"], "summary": ["specs/lenet5.yaml"],
                "types": []}


def test_every_command_has_arguments_for_the_recursion_test():
    from convcalc.cli import main

    assert set(main.all_commands()) == set(COMMAND_ARGS)


@pytest.mark.parametrize("command", sorted(COMMAND_ARGS))
def test_recursion_error_in_any_command_is_one_line(monkeypatch, command):
    """Issue 12: whatever nests past Python's recursion limit (SymPy printing a formula nested once per
    layer, a deeply nested model file), in any command, is one line and exit 2, never a traceback:
    one catch in ConvcalcGroup, walked here over every command."""
    from convcalc.cli import main

    def too_deep(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(main.get_command(None, command), "callback", too_deep)
    monkeypatch.chdir(ROOT)
    result, elapsed = invoke(command, *COMMAND_ARGS[command])
    assert_clean_failure(result, elapsed, ["nests too deep to work through", "past Python's recursion limit"])


def test_a_keras_json_nested_past_pythons_recursion_is_one_line(tmp_path):
    """A real one: json.loads recurses once per [ (100,000 of them in a 'model' file)."""
    path = tmp_path / "deep.json"
    path.write_text('{"class_name": "Sequential", "config": {"layers": ' + "[" * 100_000 + "]" * 100_000 + "}}")
    result, elapsed = invoke("import", str(path))
    assert_clean_failure(result, elapsed, ["nests too deep to work through"])


# `convcalc import` of a Keras model's JSON with odd values (issue 12, the long hunt): the spec's own rules
# for sizes. A JSON float past 10^15 was read through int() (filters: 1e+23 became 99,999,999,999,999,991,611,392
# filters, exit 0) and a Reshape's target_shape too (2.5 became 2, '٣' became 3, true became 1).
_KERAS_CONV = {"class_name": "Sequential", "config": {"name": "s", "layers": [
    {"class_name": "InputLayer", "config": {"batch_shape": [None, 28, 28, 1], "name": "in"}},
    {"class_name": "Conv2D", "config": {"name": "c", "filters": 4, "kernel_size": [3, 3], "padding": "valid"}}]}}
KERAS_VALUES = [
    ({"filters": 1e23}, None, ["layer 2 'c' (Conv2D)", "filters must be an exact integer, got the float 1e+23"]),
    ({"filters": 8.5}, None, ["layer 2 'c' (Conv2D)", "filters must be an integer ≥ 1, got 8.5"]),
    ({"kernel_size": [3.0, 1e20]}, None, ["kernel must be an exact integer, got the float 1e+20"]),
    ({}, [2.5, 4, 1], ["layer 3 'r' (Reshape)", "shape must be an integer ≥ 1, got 2.5"]),
    ({}, ["٣", 4, 1], ["layer 3 'r' (Reshape)", "'٣' (ARABIC-INDIC DIGIT THREE) is not one of the digits 0-9"]),
    ({}, [True, 676], ["layer 3 'r' (Reshape)", "shape must be an integer ≥ 1, got True"]),
    ({"filters": 8.0}, [26.0, 26, 8], []),  # whole floats within 15 digits are their integers (Keras writes 8.0 at times)
]


@pytest.mark.parametrize("conv, target, words", KERAS_VALUES, ids=[str(c or t) for c, t, _ in KERAS_VALUES])
def test_keras_json_values_follow_the_spec_rules(tmp_path, conv, target, words):
    import copy

    model = copy.deepcopy(_KERAS_CONV)
    model["config"]["layers"][1]["config"].update(conv)
    if target is not None:
        model["config"]["layers"].append({"class_name": "Reshape", "config": {"name": "r", "target_shape": target}})
    path = tmp_path / "model.json"
    path.write_text(json.dumps(model), encoding="utf-8")
    result, elapsed = invoke("import", str(path))
    if words:
        assert_clean_failure(result, elapsed, words)
    else:
        assert result.exit_code == 0, result.stderr
        assert "filters: 8," in result.stdout and "shape: [26, 26, 8]" in result.stdout


def test_import_input_with_digits_other_than_0_to_9_is_refused():
    result, elapsed = invoke("import", str(ROOT / "tests" / "fixtures" / "import" / "mnist_convnet_keras2.json"), "--input", "28x٢٨x1")
    assert_clean_failure(result, elapsed, ["--input: the input shape '28x٢٨x1'", "'٢' (ARABIC-INDIC DIGIT TWO)", "as in 28x28x1"])


# A PyTorch model's own code, run by `convcalc import file.py:NAME` (issue 12, the long hunt): what it printed
# went into the spec on stdout (convcalc import model.py:M > model.yaml wrote a file that is no spec), and a
# script that parses its command line when imported (argparse) ended the run with its own usage and code.
MODEL_FILES = [
    ("print('loading the model file')\nimport sys\nprint('a warning', file=sys.stderr)\nimport torch.nn as nn\n"
     "class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n        print('building')\n"
     "        self.c = nn.Conv2d(3, 8, 3)\n    def forward(self, x):\n        print('forward')\n        return self.c(x)\n",
     0, []),
    ("import argparse\nparser = argparse.ArgumentParser()\nparser.add_argument('--epochs', required=True)\nparser.parse_args()\n",
     2, ["importing", "ran code that ends the program (SystemExit: 2)", "if __name__ == '__main__'"]),
    ("def M():\n    raise SystemExit('no GPU found')\n", 2, ["calling M() ends the program (SystemExit: 'no GPU found')"]),
]


@pytest.mark.parametrize("code, exit_code, words", MODEL_FILES, ids=["prints", "argparse", "factory exits"])
def test_a_models_own_code_never_reaches_stdout_or_ends_the_run(tmp_path, code, exit_code, words):
    pytest.importorskip("torch", reason="importing a PyTorch model needs torch")
    path = tmp_path / "model.py"
    path.write_text(code, encoding="utf-8")
    result, elapsed = invoke("import", f"{path}:M", "--input", "3x8x8")
    if exit_code:
        assert_clean_failure(result, elapsed, words)
        return
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    # nn.Conv2d(3, 8, 3) (torch.nn docs): 8 filters of 3x3 — the spec, and nothing the model printed
    assert yaml.safe_load(result.stdout)["layers"] == [{"conv2d": {"filters": 8, "kernel": 3, "name": "c"}}]


@pytest.mark.parametrize("stride_digits", [5, 4000])
def test_solve_for_the_input_of_a_huge_stride_ends_at_once(stride_digits):
    """Issue 12 (the long hunt): `solve --out 1 --kernel 1 --stride 99…9` listed every input size from 1 to the
    stride one by one (4,000 digits: no end; the search stopped at 10^7 and called that the answer). The sizes
    that give an output are one run (the floored output never decreases as the input grows), found by
    bisection. PyTorch's rule ⌊(W − F)/S⌋ + 1 = 1 holds exactly for 1 ≤ W ≤ S when F = 1: S sizes."""
    stride = int("9" * stride_digits)
    result, elapsed = invoke("solve", "--out", "1", "--kernel", "1", "--stride", str(stride), "-f", "json")
    assert result.exit_code == 0 and elapsed < TIME_BOUND, (result.stderr, elapsed)
    before = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else None
    if before is not None:
        sys.set_int_max_str_digits(0)
    try:
        data = json.loads(result.stdout)
    finally:
        if before is not None:
            sys.set_int_max_str_digits(before)
    assert data["count"] == stride
    assert [s["input"] for s in data["solutions"]][:3] == [1, 2, 3]


def test_bad_spec_on_standard_input():
    result, elapsed = invoke("summary", "-", "--format", "json", input=b"\xff\xfe not text")
    assert_clean_failure(result, elapsed, ["<stdin> is not UTF-8"])


def test_directory_as_spec(tmp_path):
    result, elapsed = invoke("summary", str(tmp_path), "--format", "json")
    assert_clean_failure(result, elapsed, ["is a directory, not a spec file"])


def test_missing_path_as_spec(tmp_path):
    result, elapsed = invoke("summary", str(tmp_path / "nope.yaml"), "--format", "json")
    assert_clean_failure(result, elapsed, ["no such file", "nope.yaml"])


def test_unreadable_file(tmp_path):
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip("root reads every file")
    path = tmp_path / "locked.yaml"
    path.write_text("input: [8, 8, 3]\nlayers: [relu]\n")
    path.chmod(0)
    result, elapsed = invoke("summary", str(path), "--format", "json")
    assert_clean_failure(result, elapsed, ["cannot read"])


# --------------------------------------------------------------------------- exact huge integers


def test_ten_to_the_400_channels_are_exact():
    """PyTorch's Conv2d holds out·in·kH·kW weights and out biases (torch.nn.Conv2d docs: weight
    shape (out_channels, in_channels/groups, kH, kW), bias shape (out_channels)); 10**400 filters
    stay exact integers in the JSON (no float, no rounding)."""
    result, elapsed = invoke("summary", str(CORPUS / "valid_10e400_channels.yaml"), "--format", "json")
    data = assert_valid_json(result, elapsed)
    layer = data["layers"][0]
    assert layer["output_shape"] == [6, 6, 10**400]
    assert layer["weights"] == 10**400 * 3 * 3 * 3
    assert layer["biases"] == 10**400


ALL_COLUMNS = "index,name,type,inputs,shape,params,formula,macs,flops,memory,param_memory,rf"


@pytest.mark.parametrize(
    "args",
    [
        ("summary",),  # the table, the command's default
        ("summary", "--columns", ALL_COLUMNS, "--batch", "64", "--dtype", "float16"),
        ("summary", "--format", "markdown", "--columns", ALL_COLUMNS),
        ("summary", "--format", "csv", "--columns", ALL_COLUMNS),
        ("summary", "--format", "csv"),
        ("explain",),
        ("explain", "--format", "json"),
        ("export", "--to", "pytorch"),
        ("draw",),
    ],
    ids=lambda args: " ".join(args),
)
def test_ten_to_the_400_channels_in_every_output(args):
    """The valid 10**400-channel spec through every renderer: exit 0, no traceback. Human units
    past the largest prefix become powers of ten worked out in integers (a float overflows past
    10**308: the table once crashed here)."""
    command, *options = args
    if command == "draw":
        pytest.importorskip("drawsvg", reason="draw is an optional extra")
    result, elapsed = invoke(command, str(CORPUS / "valid_10e400_channels.yaml"), *options)
    assert result.exit_code == 0, result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stderr
    assert elapsed < TIME_BOUND
    if args == ("summary", "--columns", ALL_COLUMNS, "--batch", "64", "--dtype", "float16"):
        # 6·6·10**400 outputs of 2 bytes (float16) for 64 samples: 4,608·10**400 = 4.608·10**403 bytes
        assert "4.61e403 B" in result.stdout


def test_anchors_and_merge_keys_still_work():
    """YAML 1.1 merge keys: explicit keys win over merged ones (yaml.org/type/merge.html)."""
    result, elapsed = invoke("summary", str(CORPUS / "valid_anchors_and_merge.yaml"), "--format", "json")
    data = assert_valid_json(result, elapsed)
    assert [layer["output_shape"] for layer in data["layers"]] == [[32, 32, 8], [32, 32, 16]]


def test_digits_limit_can_be_raised():
    """A 5,000-digit count is refused by default (Python's own limit is 4,300 digits) and read exactly when allowed."""
    spec = str(CORPUS / "integer_5000_digits.yaml")
    before = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else None
    refused, elapsed = invoke("summary", spec, "--format", "json")
    assert_clean_failure(refused, elapsed, ["--limit digits=N"])
    allowed, elapsed = invoke("summary", spec, "--format", "json", "--limit", "digits=20000")
    if before is not None:
        assert sys.get_int_max_str_digits() == before  # lifted only while convcalc worked
        sys.set_int_max_str_digits(0)  # for this test's own json.loads and int()
    try:
        data = assert_valid_json(allowed, elapsed)
        assert data["layers"][0]["output_shape"] == [int("7" * 5000)]
    finally:
        if before is not None:
            sys.set_int_max_str_digits(before)


# --------------------------------------------------------------------------- generated hostile inputs


def run_subprocess(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """A separate process: a segfault or a hang is a failed test, not a dead test run."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run(
        [sys.executable, "-m", "convcalc", "summary", *args, "--format", "json"],
        capture_output=True, text=True, timeout=30, env=env, cwd=tmp_path,
    )


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


GENERATED = [
    # (id, text, extra args, words)
    ("flow-nesting-100000-deep", "input: [8, 8, 3]\nlayers: " + "[" * 100_000 + "relu" + "]" * 100_000 + "\n", [],
     ["nested too deep", "--limit depth=N"]),
    ("block-nesting-100000-deep", "input: [8, 8, 3]\nlayers:\n" + "- " * 100_000 + "relu\n", [],
     ["nested too deep"]),
    ("mapping-nesting-100000-deep", "input: [8, 8, 3]\nlayers: " + "{a: " * 100_000 + "1" + "}" * 100_000 + "\n", [],
     ["nested too deep"]),
    ("million-layers", "input: [8, 8, 3]\nlayers:\n" + "  - relu\n" * 1_000_000, [],
     ["bytes", "over the bytes limit of 5,000,000", "--limit bytes=N"]),
    ("million-layers-bytes-allowed", "input: [8, 8, 3]\nlayers:\n" + "  - relu\n" * 1_000_000, ["--limit", "bytes=20000000"],
     ["a list has too many entries", "layers limit of 100,000", "--limit layers=N"]),
    ("million-layers-flow", "input: [8, 8, 3]\nlayers: [" + "relu," * 999_999 + "relu]\n", ["--limit", "bytes=20000000"],
     ["too many entries", "--limit layers=N"]),
    ("million-layers-json", json.dumps({"input": [8, 8, 3], "layers": ["relu"] * 1_000_000}), [],
     ["over the bytes limit"]),
    ("billion-laughs-inline-in-layers", "input: [8, 8, 3]\nlayers:\n  - &a [relu, relu, relu, relu, relu, relu, relu, relu, relu, relu]\n"
     + "".join(f"  - &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]\n" for i in range(9)), [],
     ["alias bomb", "--limit aliases=N"]),
    ("long-line-of-digits", "input: [8, 8, 3]\nlayers:\n  - dense: " + "9" * 100_000 + "\n", [],
     ["100,000 digits", "--limit digits=N"]),
    # YAML 1.1 base 60: each ':' part multiplied by 60, 711,262 digits and minutes of arithmetic; now it stays text
    ("base60-400000-parts", "input: [8, 8, 3]\nlayers:\n  - dense: 1" + ":00" * 400_000 + "\n", [],
     ["layer 1 'dense_1' (dense): units must be an integer ≥ 1", "YAML 1.1 reads 1:00:00"]),
    # the receptive field's jump multiplies every stride before: 4 million digits, 57 s, then MemoryError
    ("rf-jump-1000-layers-of-4000-digit-strides", "input: [8, 8, 3]\nlayers:\n" + "".join(
        f"  - maxpool2d: {{kernel: 1, stride: {'9' * 4000}, name: p{i}}}\n" for i in range(1000)), [],
     ["layer 2 'p1': the receptive field's jump has too many digits", "--limit digits=N"]),
    # a 200 KB name repeated 1,000 times: 400 MB of JSON, and a table that did not finish in 5 minutes
    ("long-name-repeated", "input: [8, 8, 3]\nlayers:\n  - repeat:\n      times: 1000\n      layers:\n        - relu: {name: "
     + "a" * 200_000 + "}\n", [], ["layer 1 'aaaa", "the name 'repeat_1.0.aaaa", "is 200,011 characters long"]),
    # 900 templates, each using the one before: no deep YAML, but as deep as Python's recursion allows
    ("template-chain", "input: [8, 8, 3]\nblocks:\n  t0: [relu, relu]\n"
     + "".join(f"  t{i}: [t{i - 1}, relu]\n" for i in range(1, 900)) + "layers: [t899]\n", [],
     ["layer 1: blocks are nested more than 50 deep", "--limit depth=N"]),
    # past a raised depth limit, a step that recurses ends with a message, not a RecursionError
    ("deep-list-raised-limit", "input: [8, 8, 3]\nlayers:\n  - conv2d: {filters: 4, kernel: " + "[" * 20_000 + "3" + "]" * 20_000 + "}\n",
     ["--limit", "depth=100000"], ["nests lists or blocks too deep to work through", "--limit depth is 100,000"]),
]


@pytest.mark.parametrize("name, text, extra, words", GENERATED, ids=[g[0] for g in GENERATED])
def test_generated_hostile_input(tmp_path, name, text, extra, words):
    spec = write(tmp_path, f"{name}.json" if name.endswith("json") else f"{name}.yaml", text)
    start = cpu_seconds(children=True)
    done = run_subprocess(tmp_path, spec, *extra)
    elapsed = cpu_seconds(children=True) - start
    assert done.returncode == 2, (done.returncode, done.stderr[-500:])  # a segfault would be -11
    assert done.stdout == "" and "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr[:500]
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert elapsed < TIME_BOUND + 1.0  # the process start itself is in this figure
    assert children_peak_bytes() < MEMORY_BOUND


def test_many_numbers_just_under_the_digits_limit(tmp_path):
    """4.9 MB of 3,999-digit answers: valid, and read in linear time (the digits check once rescanned
    every long number from each of its digits: 2 s a megabyte)."""
    number = "7" * 3999
    text = "input: [8, 8, 3]\nlayers:\n" + "".join(
        f"  - conv2d: {{filters: 4, kernel: 1, name: l{i}, expect: {{params: {number}}}}}\n" for i in range(1200))
    start = cpu_seconds(children=True)
    done = run_subprocess(tmp_path, write(tmp_path, "long_numbers.yaml", text))
    elapsed = cpu_seconds(children=True) - start
    assert done.returncode == 0, done.stderr[-500:]
    # nn.Conv2d(3, 4, 1) holds 16 parameters, nn.Conv2d(4, 4, 1) 20 (PyTorch Conv2d: out·in·k·k + out)
    assert json.loads(done.stdout)["trainable_params"] == 16 + 1199 * 20
    assert elapsed < TIME_BOUND + 1.0  # the process start itself is in this figure
    assert children_peak_bytes() < MEMORY_BOUND


def test_a_thousand_symbolic_layers_with_upsampling_are_within_the_bound(tmp_path):
    """Issue 12 (the long hunt): each upsampling of a symbolic size multiplied the receptive field's jump by
    (⌊n/2⌋ + 1)/(2·⌊n/2⌋ + 2), which SymPy does not cancel unasked: the formulas grew with every layer and
    the JSON of 400 such layers took 80 s (200: 14.5 s). Now the factor is found whole (2) and stays flat."""
    cycle = ["  - conv2d: {filters: 3, kernel: 3, stride: 2, padding: 1}\n", "  - conv_transpose2d: {filters: 3, kernel: 3, stride: 3}\n",
             "  - conv2d: {filters: 3, kernel: 2, stride: 3}\n", "  - upsample2d: 2\n"]
    spec = write(tmp_path, "symbolic_upsampling.yaml", "input: [n, m, 3]\nlayers:\n" + "".join(cycle[i % 4] for i in range(1000)))
    start = cpu_seconds(children=True)
    done = run_subprocess(tmp_path, spec)
    elapsed = cpu_seconds(children=True) - start
    assert done.returncode == 0, done.stderr[-500:]
    # torch.nn's Conv2d (⌊(H + 2p − k)/s⌋ + 1) and ConvTranspose2d ((H − 1)·s + k) formulas: the first cycle
    # maps n to a = ⌊(n − 1)/2⌋ + 1, then 3a, a, 2a; every later cycle maps 2a to 2a
    assert json.loads(done.stdout)["output_shape"] == ["2*floor(n/2 - 1/2) + 2", "2*floor(m/2 - 1/2) + 2", 3]
    assert elapsed < TIME_BOUND + 1.0  # the process start itself is in this figure


def test_file_past_the_size_limit_is_not_read(tmp_path):
    """The size is known from the file system: a 60 MB file is refused before a byte is read."""
    path = tmp_path / "big.yaml"
    with open(path, "wb") as handle:
        handle.truncate(60_000_000)
    result, elapsed = invoke("summary", str(path), "--format", "json")
    assert_clean_failure(result, elapsed, ["60,000,000 bytes", "--limit bytes=N"])


def test_endless_input_is_read_only_to_the_limit():
    """A device that never ends (or a pipe) is read to the limit plus one byte, then refused."""
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero")
    result, elapsed = invoke("summary", "/dev/zero", "--format", "json")
    assert_clean_failure(result, elapsed, ["more than 5,000,000 bytes"])


def test_inline_spec_with_too_many_layers():
    spec = "input 8x8x3" + "; relu" * 100_001
    result, elapsed = invoke("summary", spec, "--format", "json")
    assert_clean_failure(result, elapsed, ["100,001 layers", "layers limit of 100,000"])


def test_a_hundred_thousand_layers_are_within_the_limits(tmp_path):
    """The limits are not in the way of a big but real spec (the bench times it)."""
    spec = write(tmp_path, "big.yaml", "input: [8, 8, 3]\nlayers:\n" + "  - relu\n" * 100_000)
    done = run_subprocess(tmp_path, spec)
    assert done.returncode == 0, done.stderr[-500:]
    assert len(json.loads(done.stdout)["layers"]) == 100_000


# --------------------------------------------------------------------------- every argument of every kind

from convcalc.layers import KINDS  # noqa: E402

# Values each argument parser must refuse (by the argument's documented type: `convcalc types`).
BAD_VALUES = {
    "positive": [0, -3, 2.5, True, [], {"a": 1}, "3x"],
    "sizes": [0, -1, [], [0, 3], "3x0", 2.5, True, {"a": 1}],
    "offsets": [-1, [-1], [], True, 2.5],
    "padding": [-1, [-1], [[1, 2, 3]], True, 2.5, {"a": 1}],
    "flag": ["maybe", 2, [], 0.5],
    "rate": [1, 1.5, -0.1, "half", True],
    "number": ["x", True, [], {"a": 1}],
    "non_negative_number": [-0.1, "x", True, []],
    "proportion": [-0.1, 1.5, 7, "x", True],
    "integer": [1.5, "x", True, []],
    "optional_integer": [1.5, "x", True],
    "dims": [[], [0, 4], [-2], "abc", 5, {"a": 1}],
    "axis_or_channels": [1.5, "x", True, [], {"a": 1}],
    "axis_order": [[], [-1], [0, 0], "abc", 5, True, [1.5]],
    "interpolation": ["cubic", 3, True, [], "nearest neighbour"],
    "layer_name": [True, [], {"a": 1}, ""],
}
GOOD_REQUIRED = {"filters": 4, "kernel": 1, "units": 4, "output_size": 1, "groups": 1, "shape": [128], "order": [1, 0, 2]}
INPUT_FOR_RANK = {1: [8, 2], 2: [8, 8, 2], 3: [4, 4, 4, 2], None: [8, 8, 2]}


def _layer(kind, args):
    entry = {kind.name: args}
    if kind.min_inputs > 1:
        entry["from"] = ["input", "input"]
    return entry


def _argument_cases():
    cases = []
    for kind in KINDS.values():
        required = {a.name: GOOD_REQUIRED[a.name] for a in kind.args if a.required}
        for arg in kind.args:
            for bad in BAD_VALUES[arg.parse.__name__]:
                cases.append(pytest.param(kind, arg.name, {**required, arg.name: bad}, id=f"{kind.name}-{arg.name}={json.dumps(bad)}"))
        cases.append(pytest.param(kind, "nope", {**required, "nope": 1}, id=f"{kind.name}-unknown-argument"))
    return cases


ARGUMENT_CASES = _argument_cases()


def test_the_argument_walk_is_complete():
    """Every parser in the registry has bad values in the table, and every kind is walked."""
    parsers = {a.parse.__name__ for kind in KINDS.values() for a in kind.args}
    assert parsers <= set(BAD_VALUES)
    assert {case.values[0].name for case in ARGUMENT_CASES} == set(KINDS)


@pytest.mark.parametrize("kind, arg_name, args", ARGUMENT_CASES)
def test_every_invalid_value_of_every_argument(kind, arg_name, args):
    """Refused when the spec is read: exit 2, the layer and the argument named, one line."""
    spec = {"input": INPUT_FOR_RANK[kind.rank], "layers": [_layer(kind, args)]}
    result, elapsed = invoke("summary", "-", "--format", "json", input=json.dumps(spec))
    assert_clean_failure(result, elapsed, ["layer 1", f"'{kind.name}_1'", f"({kind.name})", arg_name])


@pytest.mark.parametrize("kind", [k for k in KINDS.values() if k.primary is None], ids=lambda k: k.name)
def test_a_value_for_a_kind_that_takes_none(kind):
    spec = {"input": INPUT_FOR_RANK[kind.rank], "layers": [_layer(kind, 3)]}
    result, elapsed = invoke("summary", "-", "--format", "json", input=json.dumps(spec))
    assert_clean_failure(result, elapsed, ["layer 1", f"{kind.name} takes no value (got 3)"])


@pytest.mark.parametrize("fmt", ["json", "csv", "markdown", "table"])
def test_figures_built_from_sizes_within_the_digits_limit(tmp_path, fmt):
    """Each size within the 4,000 digits, but an activation of 10**1000 × 10**1000 × 10**1000 × 10**1999
    elements has 5,000 digits, past Python's own 4,300-digit limit for writing an integer: that once
    raised ValueError in every output, as did --batch with 4,299 digits."""
    big = "input: [1" + "0" * 1000 + ", 1" + "0" * 1000 + ", 1" + "0" * 1000 + ", 1" + "0" * 1999 + "]\nlayers: [relu]\n"
    columns = ("--columns", "name,memory,flops") if fmt != "json" else ()  # JSON has every column (and refuses --columns)
    result, elapsed = invoke("summary", write(tmp_path, "big.yaml", big), "--format", fmt, *columns)
    assert result.exit_code == 0, result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    result, elapsed = invoke("summary", str(ROOT / "specs" / "lenet5.yaml"), "--format", fmt, "--batch", "9" * 4299)
    assert result.exit_code == 0, result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
