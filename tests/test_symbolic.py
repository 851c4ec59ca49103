"""Symbolic sizes: the seed question with letters, --set, floors, and SymPy as an optional extra.

Seed 001 (Data Science Stack Exchange, "How do convolution layers exactly work?"): an n×m×1 image,
a 3×3 convolution with k1 filters and padding, then a 5×5 convolution with k2 filters. The
accepted answer (corrected after the comments) gives n×m×k1 and n×m×k2 and "3x3xk_1 + k_1" and
"5x5xk_2xk_1 + k_2" parameters. The expected formulas below are that text, read by SymPy.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT, run_cli, summary_json

sympy = pytest.importorskip("sympy")

SEED = str(ROOT / "specs" / "homework_symbolic.yaml")
n, m, k1, k2 = sympy.symbols("n m k1 k2", positive=True, integer=True)


def _expr(text):
    return sympy.sympify(text, locals={"n": n, "m": m, "k1": k1, "k2": k2})


def _same(text, expected) -> bool:
    return sympy.simplify(_expr(text) - expected) == 0


SEED_ROWS = [
    # (layer, expected shape, expected params, source)
    (0, (n, m, k1), 3 * 3 * k1 + k1, "seed 001 accepted answer: N1xM1xk1 with 3x3xk_1 + k_1 weights"),
    (1, (n, m, k2), 5 * 5 * k2 * k1 + k2, "seed 001 accepted answer (corrected): 5x5xk_2xk_1 + k_2 parameters"),
]


@pytest.mark.parametrize("index, shape, params, source", SEED_ROWS, ids=[r[3] for r in SEED_ROWS])
def test_seed_question_layers(index, shape, params, source):
    layer = summary_json(SEED)["layers"][index]
    assert all(_same(str(got), want) for got, want in zip(layer["output_shape"], shape)), source
    assert _same(layer["params"], params), source


def test_seed_question_total():
    data = summary_json(SEED)
    assert _same(data["total_params"], 10 * k1 + 25 * k1 * k2 + k2)  # seed 001: the two counts added


def test_json_writes_symbolic_values_as_text():
    data = summary_json(SEED)
    assert data["layers"][0]["output_shape"] == ["n", "m", "k1"]
    assert isinstance(data["total_params"], str)
    json.dumps(data)  # nothing SymPy left in it


def test_table_shows_the_formulas():
    result = run_cli("summary", SEED)
    assert result.exit_code == 0, result.stderr
    assert "(n, m, k1)" in result.stdout and "(n, m, k2)" in result.stdout
    assert "25·k1·k2 + k2" in result.stdout  # seed 001: 5·5·k1·k2 weights + k2 biases, written as a textbook does
    assert "Total params: 25·k1·k2 + 10·k1 + k2" in result.stdout


def test_explain_writes_the_symbolic_arithmetic():
    result = run_cli("explain", SEED, "--format", "json")
    lines = json.loads(result.stdout)["layers"][1]["explain"]
    assert "H2 = (n − 5 + 2·2)/1 + 1 = n" in lines
    assert "weights = 5·5·k1·k2 = 25·k1·k2" in lines  # seed 001: 5x5xk_2xk_1


def test_set_puts_numbers_in():
    """k1 = 32, k2 = 64: counts cross-checked with torch where it is installed."""
    data = summary_json(SEED, "--set", "k1=32", "--set", "k2=64", "--set", "n=28", "--set", "m=20")
    params = [layer["params"] for layer in data["layers"]]
    assert params == [3 * 3 * 32 + 32, 5 * 5 * 64 * 32 + 64]  # seed 001's formulas with the numbers
    assert data["total_params"] == sum(params)
    assert data["output_shape"] == [28, 20, 64]
    torch = pytest.importorskip("torch")
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 32, 3, padding=1), torch.nn.Conv2d(32, 64, 5, padding=2))
    assert [sum(p.numel() for p in layer.parameters()) for layer in net] == params
    assert tuple(net(torch.zeros(1, 1, 28, 20)).shape[1:]) == (64, 28, 20)


def test_set_only_some_symbols_keeps_the_rest():
    data = summary_json(SEED, "--set", "k1=32", "--set", "k2=64")
    assert data["output_shape"] == ["n", "m", 64]
    assert data["total_params"] == 320 + 51_264


def test_strided_symbolic_size_shows_the_floor_and_agrees_with_torch():
    data = summary_json("input nx1; conv1d 1 kernel=3 stride=2")
    size = data["output_shape"][0]
    assert "floor" in size
    torch = pytest.importorskip("torch")
    conv = torch.nn.Conv1d(1, 1, 3, stride=2)
    for value in range(3, 40):
        assert _expr(size).subs(n, value) == conv(torch.zeros(1, 1, value)).shape[-1], value


@pytest.mark.parametrize(
    "args, message",
    [
        (["--set", "k3=2"], "convcalc: error: --set: the spec has no symbol 'k3'; its symbols are: k1, k2, m, n\n"),
        (["--set", "k1=0"], "convcalc: error: --set: k1=0: the value must be a whole number ≥ 1; write e.g. --set k1=32\n"),
        (["--set", "k1"], "convcalc: error: --set: 'k1' is not NAME=NUMBER; write e.g. --set k1=32\n"),
    ],
)
def test_bad_set_exits_2(args, message):
    result = run_cli("summary", SEED, *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == message


def test_missing_sympy_message(monkeypatch):
    """Without the [symbolic] extra, a letter in a spec gets one clear line, not a traceback."""
    from convcalc.symbols import make_symbol

    make_symbol.cache_clear()
    monkeypatch.setitem(sys.modules, "sympy", None)  # `import sympy` now raises ImportError
    try:
        result = run_cli("summary", SEED)
    finally:
        make_symbol.cache_clear()
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "convcalc: error: input: 'n' is a symbolic size, which needs SymPy; "
        "install it with: pip install 'convcalc[symbolic]' (or write a number)\n"
    )


def test_numeric_specs_never_import_sympy():
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from convcalc.cli import main\n"
        "r = CliRunner()\n"
        "for args in (['summary', 'input 32x32x3; conv2d 10 kernel=5 padding=2; maxpool2d 3 stride=2 padding=same'],\n"
        "             ['explain', 'input 32x32x3; conv2d 10 kernel=5 padding=2', '-f', 'json'],\n"
        "             ['check', sys.argv[1]], ['solve', '--in', '32', '--out', '16']):\n"
        "    r.invoke(main, args)\n"
        "print('sympy' in sys.modules)\n"
    )
    answers = str(ROOT / "specs" / "homework_cs231n_answers.yaml")
    out = subprocess.run([sys.executable, "-c", code, answers], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False", out.stderr


@pytest.mark.parametrize(
    "spec, human, machine",
    [
        # out = ⌊(W − F + 2P)/S⌋ + 1 (CS231n notes; PyTorch Conv1d docs): W = n, F = 3, P = 0, S = 2
        ("input nx1; conv1d 1 kernel=3 stride=2", "(⌊(n − 3)/2⌋ + 1, 1)", "floor(n/2 - 3/2) + 1"),
        # then a 2-wide pooling window, stride 2: ⌊(W − 2)/2⌋ + 1 of the size above, collapsed:
        # ⌊(⌊(n − 3)/2⌋ − 1)/2⌋ + 1 = ⌊(n − 5)/4⌋ + 1 (⌊(⌊x⌋ + a)/b⌋ = ⌊(x + a)/b⌋ for whole a, b > 0)
        ("input nx1; conv1d 1 kernel=3 stride=2; maxpool1d 2", "(⌊(n − 5)/4⌋ + 1, 1)", "floor(n/4 - 5/4) + 1"),
    ],
)
def test_symbolic_floors_read_as_textbook_floors_for_people_and_as_sympy_in_json(spec, human, machine):
    """The table writes ⌊(n − 3)/2⌋ + 1 (what a student writes); JSON keeps SymPy's syntax so that
    scripts can read it back with sympy.sympify, and both agree with PyTorch's sizes."""
    table = run_cli("summary", spec).stdout
    assert human in table
    data = summary_json(spec)
    assert data["output_shape"][0] == machine
    torch = pytest.importorskip("torch")
    net = torch.nn.Sequential(torch.nn.Conv1d(1, 1, 3, stride=2), *([torch.nn.MaxPool1d(2)] if "maxpool" in spec else []))
    for value in range(5, 40):
        assert _expr(machine).subs(n, value) == net(torch.zeros(1, 1, value)).shape[-1], value


# --------------------------------------------------------------------------- textbook floors and validity


@pytest.mark.parametrize(
    "spec, human",
    [
        # CS231n notes: (W − F + 2P)/S + 1, written in that order with letters for every hyperparameter
        ("input nx1; conv1d 1 kernel=F stride=S padding=P", "(⌊(n − F + 2·P)/S⌋ + 1, 1)"),
        # two stride-2 windows: ⌊(⌊(n − 3)/2⌋ + 1 − 3)/2⌋ + 1 = ⌊(n − 7)/4⌋ + 1
        ("input nx1; conv1d 1 kernel=3 stride=2; conv1d 1 kernel=3 stride=2", "(⌊(n − 7)/4⌋ + 1, 1)"),
        # "same" then ceil_mode: ⌈(⌈n/2⌉ − 3 + 2)/2⌉ collapses the same way, ⌈(n − 2)/4⌉ + 1 before the dropped window
        ("input nx1; maxpool1d 2 padding=same; maxpool1d 2 padding=same", "(⌈n/4⌉, 1)"),
    ],
)
def test_nested_floors_collapse_and_read_in_textbook_order(spec, human):
    assert human in run_cli("summary", spec).stdout


@pytest.mark.parametrize(
    "spec, sizes",
    [
        ("input nx1; conv1d 1 kernel=3 stride=2; conv1d 1 kernel=3 stride=2", [(n_, 1) for n_ in range(3, 60)]),
        ("input nx1; conv1d 1 kernel=3 stride=2; maxpool1d 2; conv1d 1 kernel=3 padding=1", [(n_, 1) for n_ in range(5, 60)]),
    ],
)
def test_collapsed_sizes_agree_with_torch(spec, sizes):
    torch = pytest.importorskip("torch")
    machine = summary_json(spec)["output_shape"][0]
    layers = []
    for item in spec.split(";")[1:]:
        words = dict(w.split("=") for w in item.split()[2:])
        kernel = int(words.get("kernel", item.split()[1]))
        if item.split()[0] == "maxpool1d":
            layers.append(torch.nn.MaxPool1d(kernel))
        else:
            layers.append(torch.nn.Conv1d(1, 1, kernel, stride=int(words.get("stride", 1)), padding=int(words.get("padding", 0))))
    net = torch.nn.Sequential(*layers)
    for value, _ in sizes:
        try:
            expected = net(torch.zeros(1, 1, value)).shape[-1]
        except RuntimeError:  # too small for torch: convcalc's validity condition must say so too
            continue
        assert _expr(machine).subs(n, value) == expected, value


@pytest.mark.parametrize(
    "spec, condition",
    [
        # ⌊(n − 3)/2⌋ + 1 ≥ 1 needs n ≥ 3; the pool ⌊(n − 5)/4⌋ + 1 needs n ≥ 5; the 3x3 conv needs 3 of those:
        # ⌊(n − 5)/4⌋ ≥ 2, n ≥ 13 (torch: the smallest input it runs, below)
        ("input nxmx1; conv2d 4 kernel=3 stride=2; maxpool2d 2; conv2d 8 kernel=3",
         "valid for m ≥ 13 and n ≥ 13: every size is at least 1 from there on"),
        ("input nx1; conv1d 1 kernel=7", "valid for n ≥ 7: every size is at least 1 from there on"),
    ],
)
def test_explain_says_for_which_sizes_the_network_is_valid(spec, condition):
    assert run_cli("explain", spec).stdout.splitlines()[-1] == condition


@pytest.mark.parametrize("spec, smallest", [
    ("input nxmx1; conv2d 4 kernel=3 stride=2; maxpool2d 2; conv2d 8 kernel=3", 13),
    ("input nx1; conv1d 1 kernel=7", 7),
])
def test_validity_condition_is_torchs_smallest_input(spec, smallest):
    torch = pytest.importorskip("torch")
    net = (torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, stride=2), torch.nn.MaxPool2d(2), torch.nn.Conv2d(4, 8, 3))
           if "conv2d" in spec else torch.nn.Conv1d(1, 1, 7))
    def runs(value: int) -> bool:
        try:
            net(torch.zeros((1, 1, value, value) if "conv2d" in spec else (1, 1, value)))
        except RuntimeError:
            return False
        return True
    assert [v for v in range(1, 30) if runs(v)][0] == smallest
