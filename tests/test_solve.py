"""`convcalc solve`: the inverse problem, each answer confirmed by a forward calculation.

Published settings give the expected answers; every solution found is then run forward through
the calculator (a one-layer spec) and, when torch is installed, through torch itself; and for
small sizes torch's own brute force must find exactly the same set.
"""
from __future__ import annotations

import json
from itertools import product

import pytest

from conftest import run_cli
from convcalc import analyze, spec_from_text
from convcalc.homework.solve import Bounds, Problem, solve

PUBLISHED = [
    # (source, problem, expected (kernel, stride, padding, dilation, output_padding) list, exactly)
    pytest.param(Problem("conv", 32, 32, kernel=5), [(5, 1, 2, 1, 0)],
                 id="CS231n lecture 5: 32x32 input, 5x5 filters, stride 1, pad 2 keeps 32"),
    pytest.param(Problem("conv", 224, 112, kernel=7, stride=2), [(7, 2, 3, 1, 0)],
                 id="torchvision ResNet conv1: Conv2d(3, 64, kernel_size=7, stride=2, padding=3), 224 -> 112"),
    pytest.param(Problem("conv", 227, 55, kernel=11, stride=4), [(11, 4, 0, 1, 0), (11, 4, 1, 1, 0)],
                 id="CS231n notes: AlexNet conv1 F=11, S=4, P=0 on 227 -> 55 exactly; P=1 gives 55.5, floored (PyTorch)"),
    pytest.param(Problem("conv", 32, 32, stride=1), [(1, 1, 0, 1, 0), (3, 1, 1, 1, 0), (5, 1, 2, 1, 0), (7, 1, 3, 1, 0),
                                                     (9, 1, 4, 1, 0), (11, 1, 5, 1, 0)],
                 id="CS231n notes: with S=1, P=(F-1)/2 keeps the size (odd kernels up to the bound 11)"),
    pytest.param(Problem("conv", 9, 9, kernel=3, dilation=2, stride=1), [(3, 1, 2, 2, 0)],
                 id="Yu and Koltun 2016 / DeepLab: a 3x3 kernel with dilation 2 needs padding 2 to keep the size"),
    pytest.param(Problem("pool", 112, 56, kernel=3, stride=2), [(3, 2, 1, 1, 0)],
                 id="torchvision ResNet maxpool: MaxPool2d(kernel_size=3, stride=2, padding=1), 112 -> 56"),
    pytest.param(Problem("pool", 112, 56, kernel=3, stride=2, ceil_mode=True), [(3, 2, 0, 1, 0)],
                 id="torchvision GoogLeNet maxpool1: MaxPool2d(3, stride=2, ceil_mode=True), 112 -> 56"),
    pytest.param(Problem("pool", 224, 112, kernel=2), [(2, 2, 0, 1, 0)],
                 id="CS231n notes, pooling: F=2, S=2 on 224 -> 112"),
    pytest.param(Problem("transposed", 6, 12, kernel=3, stride=2), [(3, 2, 1, 1, 1)],
                 id="PyTorch ConvTranspose2d docs: 6x6 -> 12x12 with kernel 3, stride 2, padding 1 (output_padding 1)"),
    pytest.param(Problem("transposed", 4, 8, kernel=4, stride=2), [(4, 2, 1, 1, 0)],
                 id="PyTorch DCGAN tutorial generator: ConvTranspose2d(ngf*8, ngf*4, 4, 2, 1), 4x4 -> 8x8"),
]


def _key(s):
    return (s.kernel, s.stride, s.padding, s.dilation, s.output_padding)


@pytest.mark.parametrize("problem, expected", PUBLISHED)
def test_published_settings(problem, expected):
    assert [_key(s) for s in solve(problem)] == expected


def _forward_spec(op: str, size_in: int, s, ceil_mode: bool) -> str:
    if op == "conv":
        layer = f"conv1d 1 kernel={s.kernel} stride={s.stride} padding={s.padding} dilation={s.dilation}"
    elif op == "pool":
        layer = f"maxpool1d {s.kernel} stride={s.stride} padding={s.padding} dilation={s.dilation} ceil_mode={str(ceil_mode).lower()}"
    else:
        layer = (f"conv_transpose1d 1 kernel={s.kernel} stride={s.stride} padding={s.padding} "
                 f"dilation={s.dilation} output_padding={s.output_padding}")
    return f"input {size_in}x1; {layer}"


def _torch_length(torch, op: str, size_in: int, k: int, s: int, p: int, d: int, op_pad: int, ceil_mode: bool) -> int:
    x = torch.zeros(1, 1, size_in)
    if op == "conv":
        module = torch.nn.Conv1d(1, 1, k, stride=s, padding=p, dilation=d)
    elif op == "pool":
        module = torch.nn.MaxPool1d(k, stride=s, padding=p, dilation=d, ceil_mode=ceil_mode)
    else:
        module = torch.nn.ConvTranspose1d(1, 1, k, stride=s, padding=p, output_padding=op_pad, dilation=d)
    with torch.no_grad():
        return module(x).shape[-1]


QUERIES = [
    Problem("conv", 32, 16),
    Problem("conv", 28, 14, bounds=Bounds(max_kernel=7, max_stride=4, max_dilation=2)),
    Problem("conv", 15, 7, kernel=3),
    Problem("pool", 55, 27),
    Problem("pool", 13, 7, ceil_mode=True),
    Problem("transposed", 7, 14),
    Problem("transposed", 5, 11, bounds=Bounds(max_kernel=5, max_stride=3, max_dilation=2)),
]


@pytest.mark.parametrize("problem", QUERIES, ids=lambda p: f"{p.op} {p.size_in}->{p.size_out}")
def test_every_solution_runs_forward_to_the_wanted_size(problem):
    solutions = solve(problem)
    assert solutions
    for s in solutions:
        report = analyze(spec_from_text(_forward_spec(problem.op, problem.size_in, s, problem.ceil_mode)))
        assert report.output_shape.spatial == (problem.size_out,), s


@pytest.mark.parametrize("problem", QUERIES, ids=lambda p: f"{p.op} {p.size_in}->{p.size_out}")
def test_every_solution_matches_torch(problem):
    torch = pytest.importorskip("torch")
    for s in solve(problem):
        got = _torch_length(torch, problem.op, problem.size_in, s.kernel, s.stride, s.padding, s.dilation,
                            s.output_padding, problem.ceil_mode)
        assert got == problem.size_out, s


SMALL = [
    ("conv", 9, 4, False), ("conv", 8, 8, False), ("pool", 9, 5, False), ("pool", 10, 4, True), ("transposed", 4, 9, False),
]


@pytest.mark.parametrize("op, size_in, size_out, ceil_mode", SMALL)
def test_same_set_as_torch_brute_force(op, size_in, size_out, ceil_mode):
    """Within the search bounds, torch accepts exactly the combinations the solver lists."""
    torch = pytest.importorskip("torch")
    bounds = Bounds(max_kernel=5, max_stride=3, max_dilation=2)
    found = {_key(s) for s in solve(Problem(op, size_in, size_out, ceil_mode=ceil_mode, bounds=bounds))}
    expected = set()
    for k, s, d in product(range(1, 6), range(1, 4), range(1, 3)):
        window = d * (k - 1) + 1
        pad_limit = {"conv": window - 1, "pool": window, "transposed": d * (k - 1)}[op]  # pool: torch decides
        extras = range(max(s, d)) if op == "transposed" else [0]
        for p, extra in product(range(pad_limit + 1), extras):
            try:
                got = _torch_length(torch, op, size_in, k, s, p, d, extra, ceil_mode)
            except RuntimeError:  # torch refuses the combination (window larger than the padded input)
                continue
            if got == size_out:
                expected.add((k, s, p, d, extra))
    assert found == expected


def test_cli_lists_padding_and_notes_the_floor():
    result = run_cli("solve", "--in", "224", "--out", "112", "--kernel", "7", "--stride", "2")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "convolution: input 224 → output 112, given kernel 7, stride 2: 1 solution (searched dilation ≤ 1)"
    assert lines[2].split()[:4] == ["7", "2", "3", "1"]  # torchvision ResNet conv1: padding 3
    assert "(224 − 7 + 2·3)/2 + 1 = 112.5 → 112  (floored: 1 padding zero unused)" in lines[2]
    assert lines[3].startswith("Floored rows:")


def test_cli_cs231n_padding_2():
    result = run_cli("solve", "--in", "32", "--out", "32", "--kernel", "5")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[2].split()[:4] == ["5", "1", "2", "1"]  # CS231n: stride 1, pad 2


def test_cli_json():
    result = run_cli("solve", "--op", "transposed", "--in", "6", "--out", "12", "--kernel", "3", "--stride", "2", "--json")
    data = json.loads(result.stdout)
    assert data["count"] == 1
    assert data["solutions"][0]["padding"] == 1 and data["solutions"][0]["output_padding"] == 1  # PyTorch docs


def test_cli_max_solutions_says_how_many_more():
    result = run_cli("solve", "--in", "32", "--out", "16", "--max-solutions", "2")
    assert result.exit_code == 0
    assert any(line.strip().startswith("… and ") for line in result.stdout.splitlines())


def test_no_solution_exits_1():
    result = run_cli("solve", "--in", "10", "--out", "100", "--kernel", "3")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith("convolution: input 10 → output 100, given kernel 3: no solution")
    assert "try --op transposed" in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["--in", "0", "--out", "5"], "convcalc: error: solve: --in must be at least 1, got 0\n"),
        (["--in", "8", "--out", "4", "--output-padding", "1"],
         "convcalc: error: solve: --output-padding belongs to a transposed convolution; add --op transposed, or drop it\n"),
        (["--in", "8", "--out", "4", "--ceil-mode"], "convcalc: error: solve: --ceil-mode belongs to pooling; add --op pool, or drop it\n"),
        (["--in", "8", "--out", "4", "--padding", "-1"], "convcalc: error: solve: --padding must be at least 0, got -1\n"),
        (["--in", "1000", "--out", "10", "--max-kernel", "100000"],
         "convcalc: error: solve: the search is too large; give more of --kernel/--stride/--padding/--dilation, "
         "or lower the --max-… bounds\n"),
    ],
)
def test_invalid_options_exit_2(args, message):
    result = run_cli("solve", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == message


# --------------------------------------------------------------------------- forward questions, unknown input, "same"

FORWARD = [
    # (solve options, the output line, source)
    pytest.param(["--in", "7", "--kernel", "3", "--stride", "1"], "  (7 − 3 + 2·0)/1 + 1 = 5",
                 id="CS231n notes: a 7x7 input and a 3x3 filter with stride 1 and pad 0 give a 5x5 output"),
    pytest.param(["--in", "7", "--kernel", "3", "--stride", "2"], "  (7 − 3 + 2·0)/2 + 1 = 3",
                 id="CS231n notes: with stride 2 we would get a 3x3 output"),
    pytest.param(["--in", "5", "--kernel", "3", "--padding", "1", "--stride", "2"], "  (5 − 3 + 2·1)/2 + 1 = 3",
                 id="CS231n notes, 1-D example: W = 5, F = 3, P = 1, S = 2 gives (5 - 3 + 2)/2 + 1 = 3"),
    pytest.param(["--in", "7", "--kernel", "3", "--stride", "3"],
                 "  (7 − 3 + 2·0)/3 + 1 = 4/3 + 1 ≈ 2.33 → 2  (floored: 1 input pixel unused)",
                 id="PyTorch Conv1d(kernel 3, stride 3) on 7: 2; the 7th pixel is never covered (an input pixel, not padding)"),
    pytest.param(["--in", "224", "--kernel", "3", "--stride", "2", "--padding", "same"], '  224/2 = 112 ("same": padding 0 + 1)',
                 id="TensorFlow 'same': ceil(224/2) = 112, padding 0 before and 1 after"),
    pytest.param(["--op", "pool", "--in", "224", "--kernel", "2"], "  (224 − 2 + 2·0)/2 + 1 = 112",
                 id="CS231n notes, pooling: F = 2 (stride defaults to the window, as PyTorch's MaxPool2d) on 224 -> 112"),
    pytest.param(["--op", "transposed", "--in", "6", "--kernel", "3", "--stride", "2", "--padding", "1", "--output-padding", "1"],
                 "  (6 − 1)·2 − 2·1 + (3 − 1) + 1 (output padding) + 1 = 12",
                 id="PyTorch ConvTranspose2d docs: 6 -> 12 with output_padding 1, named in the step"),
    pytest.param(["--op", "pool", "--in", "5", "--kernel", "2", "--stride", "2", "--padding", "1", "--ceil-mode"],
                 "  (5 − 2 + 2·1)/2 + 1 = 3.5 → 3  (rounded up: ceil_mode)",
                 id="PyTorch MaxPool1d(2, 2, padding=1, ceil_mode=True) on 5: 3 (the window starting in the padding is dropped)"),
]


@pytest.mark.parametrize("args, line", FORWARD)
def test_forward_questions(args, line):
    result = run_cli("solve", *args)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1] == line


FORWARD_TORCH = [
    ("conv", 7, 3, 1, 0, False), ("conv", 7, 3, 2, 0, False), ("conv", 5, 3, 2, 1, False), ("conv", 7, 3, 3, 0, False),
    ("pool", 224, 2, 2, 0, False), ("pool", 5, 2, 2, 1, True), ("pool", 13, 3, 2, 1, True), ("transposed", 6, 3, 2, 1, False),
]


@pytest.mark.parametrize("op, size_in, kernel, stride, padding, ceil_mode", FORWARD_TORCH)
def test_forward_answers_are_torchs(op, size_in, kernel, stride, padding, ceil_mode):
    torch = pytest.importorskip("torch")
    extra = 1 if op == "transposed" else 0
    args = ["--op", op, "--in", str(size_in), "--kernel", str(kernel), "--stride", str(stride), "--padding", str(padding), "--json"]
    args += ["--ceil-mode"] if ceil_mode else []
    args += ["--output-padding", "1"] if extra else []
    data = json.loads(run_cli("solve", *args).stdout)
    assert data["output"] == _torch_length(torch, op, size_in, kernel, stride, padding, 1, extra, ceil_mode)


INPUTS = [
    # (options, the input sizes that give the output; confirmed by torch below)
    pytest.param(["--out", "55", "--kernel", "11", "--stride", "4"], [227, 228, 229, 230],
                 id="CS231n notes: AlexNet conv1 gives 55 from 227 (exactly) and, floored, from 228 to 230"),
    pytest.param(["--out", "28", "--kernel", "5"], [32], id="LeNet-5 / CS231n: a 5x5 valid convolution gives 28 from 32"),
    pytest.param(["--op", "transposed", "--out", "8", "--kernel", "4", "--stride", "2", "--padding", "1"], [4],
                 id="PyTorch DCGAN tutorial: ConvTranspose2d(.., 4, 2, 1) gives 8 from 4"),
    pytest.param(["--out", "112", "--kernel", "3", "--stride", "2", "--padding", "same"], [223, 224],
                 id="TensorFlow 'same': ceil(W/2) = 112 for W = 223 and 224"),
]


@pytest.mark.parametrize("args, sizes", INPUTS)
def test_unknown_input_size(args, sizes):
    result = run_cli("solve", *args, "--json")
    assert result.exit_code == 0, result.stderr
    assert [s["input"] for s in json.loads(result.stdout)["solutions"]] == sizes


def test_unknown_input_size_agrees_with_torch():
    torch = pytest.importorskip("torch")
    found = [s["input"] for s in json.loads(run_cli("solve", "--out", "55", "--kernel", "11", "--stride", "4", "--json").stdout)["solutions"]]
    assert found == [w for w in range(11, 300) if _torch_length(torch, "conv", w, 11, 4, 0, 1, 0, False) == 55]


def test_unknown_input_text():
    lines = run_cli("solve", "--out", "55", "--kernel", "11", "--stride", "4").stdout.splitlines()
    assert lines[0] == "convolution: output 55, given kernel 11, stride 4: input 227 to 230 (4 sizes)"
    assert lines[3] == "    228  (228 − 11 + 2·0)/4 + 1 = 55.25 → 55  (floored: 1 input pixel unused)"


def test_same_padding_search():
    """TensorFlow 'same': out = ceil(W/S) whatever the kernel; 224 -> 112 needs stride 2."""
    result = run_cli("solve", "--in", "224", "--out", "112", "--padding", "same")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[2].split()[:4] == ["any", "2", "same", "1"]
    assert lines[-1] == 'With padding "same" every kernel fits: the padding grows with it, and the output is ⌈W/S⌉.'


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "convcalc: error: solve: give --in, --out or both; --in 32 --kernel 5 asks for the output; --out 28 --kernel 5 for the input\n"),
        (["--in", "7"], "convcalc: error: solve: --kernel is needed to compute the output; give e.g. --kernel 3 (and --stride, --padding if not 1 and 0)\n"),
        (["--in", "5", "--kernel", "7"], "convcalc: error: solve: the window 7 does not fit the padded input 5 + 2·0; use a smaller kernel, or more padding\n"),
        (["--in", "8", "--out", "4", "--padding", "half"],
         "convcalc: error: solve: --padding must be a number of pixels, 'same' or 'valid', got 'half'; e.g. --padding 2 or --padding same\n"),
        (["--op", "pool", "--in", "8", "--kernel", "2", "--padding", "2"],
         "convcalc: error: solve: pooling padding 2 is more than half the kernel 2; PyTorch allows pooling padding of at most half the kernel; use a smaller padding\n"),
    ],
)
def test_forward_and_input_errors_exit_2(args, message):
    result = run_cli("solve", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == message
