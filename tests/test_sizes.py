"""Issue 12: what a size may be. Symbols only where meant (the same with and without SymPy), exact
integers only (a float never passes for an integer), and symbolic results refused when no value of
their symbols makes them valid, or stated with the condition under which they are.

Every expected condition is checked against PyTorch, which raises for a size it cannot compute.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml

from conftest import ROOT, run_cli, summary_json


def _torch():
    return pytest.importorskip("torch", reason="the PyTorch check needs torch (optional)")


def _torch_output(layers, size: int, channels: int = 1):
    """The output length of a chain of torch 1-D layers on a signal of `size`, or None when torch refuses it."""
    torch = _torch()
    try:
        with torch.no_grad():
            return torch.nn.Sequential(*layers)(torch.zeros(1, channels, size)).shape[-1]
    except RuntimeError:
        return None


# --------------------------------------------------------------------------- for which sizes a network is valid

# (spec with the symbol n, the same layers in torch for a value of n with the input length, the condition convcalc states)
CONDITION_ROWS = [
    ("input nx1; conv1d 1 kernel=3 stride=2; conv1d 1 kernel=3 stride=2; conv1d 1 kernel=3",
     lambda nn, n: ([nn.Conv1d(1, 1, 3, stride=2), nn.Conv1d(1, 1, 3, stride=2), nn.Conv1d(1, 1, 3)], n), ["n >= 15"]),
    ("input nx1; maxpool1d 2; conv1d 1 kernel=5 dilation=2",
     lambda nn, n: ([nn.MaxPool1d(2), nn.Conv1d(1, 1, 5, dilation=2)], n), ["n >= 18"]),
    ("input 32x1; conv1d 1 kernel=3 stride=n; conv1d 1 kernel=2",
     lambda nn, n: ([nn.Conv1d(1, 1, 3, stride=n), nn.Conv1d(1, 1, 2)], 32), ["n <= 29"]),
    ("input 32x1; conv1d 1 kernel=n dilation=2", lambda nn, n: ([nn.Conv1d(1, 1, n, dilation=2)], 32), ["n <= 16"]),
    ("input nx1; conv1d 1 kernel=3 padding=1; avgpool1d 3 stride=1",
     lambda nn, n: ([nn.Conv1d(1, 1, 3, padding=1), nn.AvgPool1d(3, stride=1)], n), ["n >= 3"]),
    ("input nx1; conv1d 1 kernel=3 padding=1", lambda nn, n: ([nn.Conv1d(1, 1, 3, padding=1)], n), []),
]


@pytest.mark.parametrize("spec, build, conditions", CONDITION_ROWS, ids=[row[0] for row in CONDITION_ROWS])
def test_the_condition_is_where_torch_computes(spec, build, conditions):
    data = summary_json(spec)
    assert data["valid_when"] == conditions
    torch = _torch()
    for n in range(1, 70):
        layers, length = build(torch.nn, n)
        works = _torch_output(layers, length) is not None
        assert works == all(eval(c.replace("n", str(n))) for c in conditions), (n, conditions)  # noqa: S307 (our own text)


def test_a_result_invalid_for_every_value_is_refused():
    """Issue 12: stride n, kernel 3, then kernel 2 gave ⌊(n − 3)/n⌋ with exit 0; torch refuses every n."""
    result = run_cli("summary", "input nx1; conv1d 1 kernel=3 stride=n; conv1d 1 kernel=2")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == ("convcalc: error: layer 2 'conv1d_2' (conv1d): the output size ⌊(n − 3)/n⌋ on axis L is below 1 "
                             "for every value of n; use a smaller kernel or stride, or more padding\n")
    torch = _torch()
    assert all(_torch_output([torch.nn.Conv1d(1, 1, 3, stride=n), torch.nn.Conv1d(1, 1, 2)], n) is None for n in range(1, 200))


def test_conditions_that_exclude_each_other_are_refused():
    result = run_cli("summary", "input nx32x1; conv2d 1 kernel=40xn")
    assert result.exit_code == 2
    assert "no value of n keeps every size up to here at least 1: they need n ≥ 40 and n ≤ 32" in result.stderr


def test_the_table_names_the_symbols_and_the_condition():
    result = run_cli("summary", "input nxmx1; conv2d 4 kernel=3 stride=2; conv2d 4 kernel=3 stride=2; conv2d 4 kernel=3")
    assert result.exit_code == 0, result.stderr
    assert "Symbols: m, n\nValid for: m ≥ 15, n ≥ 15\n" in result.stdout


def test_json_names_the_symbols_in_use():
    data = summary_json(str(ROOT / "specs" / "homework_symbolic.yaml"))  # seed 001: an n×m image, k1 and k2 filters
    assert (data["symbols"], data["valid_when"]) == (["k1", "k2", "m", "n"], [])
    data = summary_json(str(ROOT / "specs" / "homework_symbolic.yaml"), "--set", "k1=32", "--set", "k2=64")
    assert data["symbols"] == ["m", "n"]
    assert summary_json(str(ROOT / "specs" / "lenet5.yaml"))["symbols"] == []


# --------------------------------------------------------------------------- reshape with symbols


def test_symbolic_reshape_infers_only_a_whole_size():
    """torch's view(n, -1) needs n to divide the element count; n·16 values viewed as (n, -1) are (n, 16) for every n."""
    data = summary_json("input nx16x1; reshape n,-1")
    assert data["output_shape"] == ["n", 16]
    torch = _torch()
    for n in (1, 3, 7, 16):
        assert tuple(torch.zeros(n, 16, 1).view(n, -1).shape) == (n, 16)
    with pytest.raises(RuntimeError):
        torch.zeros(16, 16, 1).view(3, -1)  # 256 values: 3 does not divide them, so (n, -1) is not whole for every n
    result = run_cli("summary", "input 16x16x1; reshape n,-1")
    assert result.exit_code == 2
    assert "cannot infer the -1 of (n, -1): 256 values divided by n is whole only for some values of the symbols" in result.stderr


# --------------------------------------------------------------------------- declared symbols


def test_declared_symbols_and_torch_agree(tmp_path):
    spec = tmp_path / "named.yaml"
    spec.write_text("symbols: [width, height]\ninput: [height, width, 3]\nlayers:\n  - conv2d: {filters: 4, kernel: 3}\n")
    data = summary_json(str(spec))
    assert data["output_shape"] == ["height - 2", "width - 2", 4]
    assert data["symbols"] == ["height", "width"]
    numbers = summary_json(str(spec), "--set", "height=10", "--set", "width=20")
    torch = _torch()
    out = torch.nn.Conv2d(3, 4, 3)(torch.zeros(1, 3, 10, 20))
    assert numbers["output_shape"] == [out.shape[2], out.shape[3], out.shape[1]]


@pytest.mark.parametrize("name, symbol", [("n", True), ("k1", True), ("W1", True), ("D12", True), ("abc", False), ("n_1", False),
                                          ("k1a", False), ("é", False), ("１", False), ("same", False)])
def test_the_textbook_shape_of_a_symbol(name, symbol):
    """The rule documented in the spec format: one ASCII letter, optionally followed by digits."""
    result = run_cli("summary", f"input 32x32x3; conv2d {name} kernel=3", "--format", "json")
    assert (result.exit_code == 0) == symbol, result.stderr


# --------------------------------------------------------------------------- exact integers

FLOAT_DIGITS = 15  # sys.float_info.dig: a decimal of 15 significant digits survives text → float → text


@pytest.mark.parametrize("filters, exact", [("999999999999999.0", 10**15 - 1), ("1.0e+15", 10**15), ("1.0e+3", 1000), ("4.0", 4)])
def test_a_float_that_is_a_whole_number_of_15_digits_is_that_number(filters, exact):
    import sys as system

    assert system.float_info.dig == FLOAT_DIGITS
    data = summary_json(f"input 1x1x1; conv2d {filters} kernel=1")
    assert data["layers"][0]["biases"] == exact  # nn.Conv2d(1, K, 1) holds K biases (torch.nn.Conv2d docs)


@pytest.mark.parametrize("written, read_as", [("9007199254740993.0", "9,007,199,254,740,992"), ("1.0e+23", "99,999,999,999,999,991,611,392"),
                                              ("1000000000000001.0", "1,000,000,000,000,001")])
def test_a_float_past_15_digits_is_refused(written, read_as):
    """Past 15 digits the float may differ from the text (…993.0 reads as …992.0), so none is taken, even one that is exact."""
    result = run_cli("summary", f"input 1x1x1; conv2d {written} kernel=1")
    assert (result.exit_code, result.stdout) == (2, "")
    assert "filters must be an exact integer, got the float" in result.stderr and read_as in result.stderr
    assert "may not be the number written" in result.stderr


def test_a_centre_past_2_to_the_53_stays_exact():
    """A window of k taps from 0 has its centre at (k − 1)/2 (Araujo et al., Distill 2019); k = 2^55 makes it
    (2^55 − 1)/2, which no float holds: the JSON writes the fraction, never a rounded float."""
    data = summary_json("input 36028797018963968x4x1; conv2d 1 kernel=36028797018963968x1")
    field = data["layers"][0]["receptive_field"][0]
    assert field["exact"] is True
    assert field["centre"] == "36028797018963967/2"


# --------------------------------------------------------------------------- YAML 1.1 and 1.2 numbers


def test_pyyaml_reads_these_as_text():
    """The fact the rows below rest on: PyYAML (YAML 1.1) reads 1e3, 1e-5 and 0o17 as text, 010 as 8 and 1:30 as 90."""
    assert yaml.safe_load("[1e3, 1e-5, 0o17, 010, 1:30]") == ["1e3", "1e-5", "0o17", 8, 90]


@pytest.mark.parametrize("written, size", [("1e3", 1000), ("0o17", 15), ("1_000", 1000), ("+4", 4), ("0x10", 16)])
def test_yaml_12_numbers_are_sizes(tmp_path, written, size):
    """YAML 1.2 core schema (yaml.org/spec/1.2.2, 10.3.2): 1e3 is a float and 0o17 an octal integer."""
    spec = tmp_path / "n.yaml"
    spec.write_text(f"input: [4, 4, 1]\nlayers:\n  - conv2d: {{filters: {written}, kernel: 1}}\n")
    assert summary_json(str(spec))["layers"][0]["biases"] == size


@pytest.mark.parametrize("written, words", [("010", "write 10 without the 0"), ("1:30", "base 60"), ("'٣'", "ARABIC-INDIC DIGIT THREE"),
                                            ("'３'", "FULLWIDTH DIGIT THREE"), ("'3²'", "SUPERSCRIPT TWO"), (".nan", "got nan"),
                                            (".inf", "got inf"), ("1.0e+400", "got inf"), ("'1e400'", "got inf")])
def test_numbers_the_yaml_versions_read_differently_are_refused(tmp_path, written, words):
    spec = tmp_path / "n.yaml"
    spec.write_text(f"input: [4, 4, 1]\nlayers:\n  - conv2d: {{filters: {written}, kernel: 1}}\n")
    result = run_cli("summary", str(spec))
    assert (result.exit_code, result.stdout) == (2, "")
    assert "layer 1 'conv2d_1' (conv2d): filters" in result.stderr and words in result.stderr


# --------------------------------------------------------------------------- no traceback


def test_standard_input_closed():
    """`convcalc summary - <&-`: stdin closed, one message and exit 2."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "convcalc", "summary", "-"], capture_output=True, text=True, env=env,
                          stdin=None, preexec_fn=lambda: os.close(0), timeout=60)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == ("convcalc: error: standard input is closed, so '-' has no spec to read; "
                           "pipe a spec in (convcalc summary - < net.yaml) or give its path\n")


def test_a_superscript_answer_or_set_value_is_no_traceback(tmp_path):
    spec = tmp_path / "answers.yaml"
    spec.write_text("input: [32, 32, 3]\nlayers:\n  - conv2d: {filters: 4, kernel: 3, expect: {params: '²'}}\n")
    result = run_cli("check", str(spec))
    assert result.exit_code in (1, 2) and "Traceback" not in result.stderr + result.stdout
    result = run_cli("summary", str(ROOT / "specs" / "homework_symbolic.yaml"), "--set", "n=²")
    assert result.exit_code == 2
    assert result.stderr == "convcalc: error: --set: n=²: the value must be a whole number ≥ 1; write e.g. --set n=32\n"


def test_the_receptive_field_stays_within_the_digits_limit(tmp_path):
    """Two strides of 2,101 digits make a jump of 4,201 digits: past the limit, said once, whatever the format."""
    stride = "1" + "0" * 2100
    spec = tmp_path / "rf.yaml"
    spec.write_text(f"input: [4, 4, 1]\nlayers:\n  - conv2d: {{filters: 1, kernel: 1, stride: {stride}}}\n"
                    f"  - conv2d: {{filters: 1, kernel: 1, stride: {stride}}}\n")
    for options in (["-f", "json"], ["-c", "name,rf"], ["-f", "csv", "-c", "rf"], ["-f", "markdown", "-c", "rf"], ["--explain"]):
        result = run_cli("summary", str(spec), *options)
        assert (result.exit_code, result.stdout) == (2, ""), options
        assert "layer 2 'conv2d_2': the receptive field's jump has too many digits" in result.stderr
    data = summary_json(str(spec), "--limit", "digits=5000")
    assert data["layers"][1]["receptive_field"][0]["jump"] == 10**4200  # the product of the strides (Araujo et al. 2019)


@pytest.mark.parametrize(
    "args, env, message",
    [
        (["summary", str(ROOT / "specs" / "lenet5.yaml"), "--limit", "digits=²"], {},
         "convcalc: error: --limit digits must be a whole number ≥ 1, got '²'; e.g. --limit digits=1000000\n"),
        (["summary", str(ROOT / "specs" / "lenet5.yaml"), "-c", "name"], {"COLUMNS": "²"}, None),  # not a width: the default is used
    ],
)
def test_superscript_digits_in_options_are_no_traceback(args, env, message):
    """'²'.isdigit() is true and int('²') raises: each place that read digits with isdigit() once raised ValueError."""
    from conftest import cli_runner
    from convcalc.cli import main

    result = cli_runner().invoke(main, args, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if message is None:
        assert result.exit_code == 0, result.stderr
    else:
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", message)


def test_a_flattened_volume_is_valid_when_each_size_is():
    """4·(n − 2)·(m − 2) values: valid when n ≥ 3 and m ≥ 3 (torch's Conv2d(3, 4, 3) needs 3×3 at least), not when the product is ≥ 1."""
    data = summary_json("input nxmx3; conv2d 4 kernel=3; flatten; dense 10")
    assert data["valid_when"] == ["m >= 3", "n >= 3"]
    torch = _torch()
    with pytest.raises(RuntimeError):
        torch.nn.Conv2d(3, 4, 3)(torch.zeros(1, 3, 2, 5))


def test_a_whole_symbolic_result_is_an_integer():
    """A kernel as long as the signal leaves one position (torch: Conv1d(3, 4, n) on n samples gives 1): JSON writes 1, not "1"."""
    data = summary_json("input nx3; conv1d 4 kernel=n; flatten")
    assert data["layers"][0]["output_shape"] == [1, 4] and data["output_shape"] == [4]
    assert data["layers"][1]["activation_elements"] == 4
    torch = _torch()
    assert torch.nn.Conv1d(3, 4, 7)(torch.zeros(1, 3, 7)).shape[-1] == 1


@pytest.mark.parametrize("written", ["reshape -1", "reshape 96"])
def test_reshape_to_one_size(written):
    """torch: x.view(-1) of a (2, 4, 12) tensor has 96 values."""
    assert summary_json(f"input 2x4x12; {written}")["output_shape"] == [96]


def _random_chain(draw):
    """One chain of 1-D layers with the symbol n somewhere (input length, kernel or stride), as spec text and torch layers."""
    def pick(choices):
        return draw.choice(choices)

    parts, builders = [], []
    for _ in range(draw.randint(1, 4)):
        kind, k, s, p = pick(["conv", "maxpool", "avgpool", "transposed"]), pick([1, 2, 3, 5, "n"]), pick([1, 2, 3, "n"]), pick([0, 1, 2])
        if kind == "conv":
            d = pick([1, 2])
            parts.append(f"conv1d 1 kernel={k} stride={s} padding={p} dilation={d}")
            builders.append(lambda nn, v, k=k, s=s, p=p, d=d: nn.Conv1d(1, 1, v(k), stride=v(s), padding=p, dilation=d))
        elif kind == "transposed":
            parts.append(f"conv_transpose1d 1 kernel={k} stride={s} padding={p}")
            builders.append(lambda nn, v, k=k, s=s, p=p: nn.ConvTranspose1d(1, 1, v(k), stride=v(s), padding=p))
        else:
            parts.append(f"{kind}1d {k} stride={s}")
            layer = "MaxPool1d" if kind == "maxpool" else "AvgPool1d"
            builders.append(lambda nn, v, k=k, s=s, layer=layer: getattr(nn, layer)(v(k), stride=v(s)))
    length = pick(["n", 7, 32])
    return f"input {length}x1; " + "; ".join(parts), builders, length


def _chains(count: int, seed: int = 12):
    import random

    draw, found = random.Random(seed), []
    while len(found) < count:
        spec, builders, length = _random_chain(draw)
        if "n" in spec.replace("input", "").replace("conv", "").replace("kernel", "").replace("padding", "").replace("dilation", "") \
                .replace("transpose", ""):
            found.append((spec, builders, length))
    return found


RANDOM_CHAINS = _chains(30)


@pytest.mark.parametrize("spec, builders, length", RANDOM_CHAINS, ids=[c[0] for c in RANDOM_CHAINS])
def test_random_chains_are_valid_exactly_where_torch_computes(spec, builders, length):
    """A chain whose every value of n fails is refused; otherwise valid_when holds for exactly the n at which torch
    runs the same layers (n = 1 to 40)."""
    torch = _torch()
    result = run_cli("summary", spec, "--format", "json")
    assert result.exit_code in (0, 2), result.stderr
    refused = result.exit_code == 2
    conditions = [] if refused else json.loads(result.stdout)["valid_when"]
    import sympy

    n = sympy.Symbol("n", positive=True, integer=True)
    for value in range(1, 41):
        def v(x, value=value):
            return value if x == "n" else x

        layers = [build(torch.nn, v) for build in builders]
        works = _torch_output(layers, v(length)) is not None
        expected = False if refused else all(bool(sympy.sympify(c, locals={"n": n}).subs(n, value)) for c in conditions)
        assert works == expected, (value, conditions, result.stderr)
