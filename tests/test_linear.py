"""Issue 12 item 3: the closed forms and running sums that replaced loops give the same figures.

Speed itself is measured by bench/run.py, never here. These tests check the facts the faster code
computes (each against PyTorch or a definition named in the test), and that the large valid specs
that once ran for minutes finish, in a process of their own with a generous safety timeout.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from convcalc.costs import memory_estimate, network_costs, receptive_fields
from convcalc.loading import load_report

ROOT = Path(__file__).resolve().parent.parent
SAFETY_TIMEOUT = 60  # seconds: a bound against hangs (once: minutes), not a speed measurement

# Pairs (input size, output size) of one adaptive pooling axis: small ones, every divisibility case
# (Out divides In, In divides Out, coprime, a common factor), and output larger than input.
rng = random.Random(12)
ADAPTIVE_PAIRS = sorted({(i, o) for i in range(1, 13) for o in range(1, 13)}
                        | {(rng.randint(1, 300), rng.randint(1, 300)) for _ in range(60)})


def _torch_windows(size_in: int, size_out: int) -> list[int]:
    """The length of each of PyTorch's adaptive windows, read off nn.AdaptiveAvgPool1d itself: the
    identity matrix as a batch of one-hot inputs; output i is non-zero exactly for the inputs in
    window i."""
    torch = pytest.importorskip("torch")
    one_hot = torch.eye(size_in, dtype=torch.float64).reshape(size_in, 1, size_in)
    out = torch.nn.AdaptiveAvgPool1d(size_out)(one_hot)  # (inputs, 1, outputs)
    return [int(torch.count_nonzero(out[:, 0, i])) for i in range(size_out)]


@pytest.mark.parametrize("size_in, size_out", ADAPTIVE_PAIRS)
def test_adaptive_pooling_figures_are_pytorchs_windows(size_in, size_out):
    """FLOPs of an adaptive average pool: every window's length (adds and a divide per output,
    docs/costs.md); max pool: one compare fewer per window; receptive field: the longest window.
    The windows are PyTorch's own (nn.AdaptiveAvgPool1d), never a loop of ours over the outputs."""
    windows = _torch_windows(size_in, size_out)
    for spec, flops in ((f"input {size_in}x1; adaptive_avgpool1d {size_out}", sum(windows)),
                        (f"input {size_in}x1x1; adaptive_maxpool2d {size_out}x1", sum(windows) - size_out)):
        report = load_report(spec)
        assert network_costs(report).total_flops == flops
        assert receptive_fields(report)[0][0].size == max(windows)


def test_a_billion_adaptive_outputs_are_counted_at_once():
    """adaptive_avgpool2d to 10^9 × 10^9 on an 8 × 8 input (it hung: a loop per output position).
    PyTorch's window i spans [⌊8i/10^9⌋, ⌈8(i+1)/10^9⌉): one input each, since 10^9/8 is whole and no
    window crosses an input's edge; so 10^18 windows of one element, times 3 channels."""
    report = load_report("input 8x8x3; adaptive_avgpool2d 1000000000")
    assert network_costs(report).total_flops == 3 * 10**18
    field = receptive_fields(report)[0]
    assert [axis.size for axis in field] == [1, 1] and not field[0].exact


def _run(tmp_path: Path, text: str, *args: str) -> subprocess.CompletedProcess:
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "convcalc", "summary", str(path), *args], capture_output=True, text=True,
                          timeout=SAFETY_TIMEOUT, env=env, cwd=tmp_path)


def test_one_concat_of_fifty_thousand_inputs(tmp_path):
    """A valid 3.5 MB spec within the default limits (it ran past 300 s: the live tensors were re-added
    at every layer). torch.cat joins the channels: 50,000 relu outputs of 3 channels make 150,000. The
    peak of live tensors is every branch plus the concat's output (each branch lives until the concat
    has read it): 2 · 50,000 · 8·8·3 elements, and the input is freed after the last branch read it."""
    branches = "".join(f"  - relu: {{name: r{i}, from: input}}\n" for i in range(50_000))
    text = "input: [8, 8, 3]\nlayers:\n" + branches + "  - concat: {from: [" + ", ".join(f"r{i}" for i in range(50_000)) + "]}\n"
    done = _run(tmp_path, text, "--format", "json")
    assert done.returncode == 0, done.stderr[-500:]
    data = json.loads(done.stdout)
    assert data["output_shape"] == [8, 8, 150_000]
    assert data["memory"]["inference_peak_activation_bytes"] == 4 * 2 * 50_000 * 8 * 8 * 3


def test_the_peak_of_live_tensors_is_the_largest_sum_while_a_layer_runs():
    """Two branches and a merge, counted by hand from the definition (docs/costs.md: a tensor lives
    until its last reader is done; one never read, until the next layer is done)."""
    report = load_report("input 4x4x1; conv2d 2 kernel=1 name=a; conv2d 4 kernel=1 name=b from=input; "
                         "concat name=c from=a,b; relu name=d from=a")
    # while c runs: a (32) + b (64) + c (96); the input (16) was freed after b read it
    assert memory_estimate(report).inference_peak_bytes == 4 * (32 + 64 + 96)


def test_formulas_nested_past_pythons_recursion_end_cleanly():
    """Each strided layer on a symbolic input floors the size before: SymPy works and prints such a
    formula recursively, and 100 layers ended in a RecursionError traceback (200: a message about
    nested lists that the spec does not have). Here Python's recursion limit is lowered instead of
    computing hundreds of layers: whatever depth it stops at, the answer or one clear message."""
    pytest.importorskip("sympy")
    import inspect

    from conftest import run_cli

    # 'same' rounds up and a pool down: a ceiling inside a floor stays nested (two floors would merge)
    spec = "input nxnx3; " + "; ".join("conv2d 8 kernel=3 stride=2 padding=same" if i % 2 else "maxpool2d 3 stride=2" for i in range(30))
    assert run_cli("summary", spec, "--format", "json").exit_code == 0  # SymPy loaded at the usual limit
    messages = set()
    for room in range(100, 400, 25):
        before = sys.getrecursionlimit()
        sys.setrecursionlimit(len(inspect.stack()) + room)
        try:
            results = [run_cli("summary", spec, "--format", "json"), run_cli("summary", spec)]
        finally:
            sys.setrecursionlimit(before)
        for result in results:
            assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
            if result.exit_code:
                assert result.exit_code == 2 and result.stdout == "" and len(result.stderr.splitlines()) == 1
                assert "too deep to work" in result.stderr, result.stderr  # the layer's, or any command's
                messages.add(result.stderr.split(":")[2].strip()[:20])
    assert messages  # at 100 frames of room SymPy cannot work through 15 nested floors


def test_export_names_many_layers_that_read_alike(tmp_path):
    """50,000 names that all become the identifier 'x____' in Python ('x!@%^', 'x@!%^', …): each was
    numbered by trying x_____2, x_____3, … from the start (quadratic: 20,000 took 60 s). Python's
    rule for an identifier (letters, digits, '_', not starting with a digit) and uniqueness are what
    the code needs; compile() is the judge."""
    marks = "!@%^&+=~?<>|"
    names = ["x" + "".join(marks[(a // 12**k) % 12] for k in range(5)) for a in range(50_000)]
    text = "input: [8, 8, 3]\nlayers:\n" + "".join(f"  - relu: {{name: '{name}'}}\n" for name in names)
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run([sys.executable, "-m", "convcalc", "export", str(path), "--to", "pytorch"], capture_output=True,
                          text=True, timeout=SAFETY_TIMEOUT, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-500:]
    compile(done.stdout, "<exported>", "exec")
    assigned = [line.split("=")[0].strip() for line in done.stdout.splitlines() if line.strip().startswith("self.x")]
    assert len(assigned) == len(set(assigned)) == 50_000
