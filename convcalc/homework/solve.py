"""`convcalc solve`: which kernel / stride / padding / dilation turn one size into another.

The inverse of the size rule, found by brute force: every integer combination within bounds is
run through the very forward rule the calculator uses (:func:`arith.window_axis`,
:func:`arith.transposed_axis`) and kept when it lands on the wanted size. So an answer is never
something the forward calculation would disagree with. One spatial axis at a time (H and W are
independent); sorted simplest first.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import product as combinations

from ..arith import AxisStep, transposed_axis, window_axis
from ..errors import SpecError

OPS = ("conv", "pool", "transposed")
MAX_TRIES = 2_000_000  # an upper estimate of the combinations tried (about 160,000 a second); more is refused


@dataclass(frozen=True)
class Bounds:
    """How far the search goes for a hyperparameter that was not given."""

    max_kernel: int = 11
    max_stride: int = 8
    max_dilation: int = 1


@dataclass(frozen=True)
class Problem:
    """Input size, wanted output size, the operation and the hyperparameters already fixed."""

    op: str
    size_in: int
    size_out: int
    kernel: int | None = None
    stride: int | None = None
    padding: int | None = None
    dilation: int | None = None
    output_padding: int | None = None
    ceil_mode: bool = False
    bounds: Bounds = Bounds()


@dataclass(frozen=True)
class Solution:
    """One combination that works, with the forward calculation that confirms it."""

    kernel: int
    stride: int
    padding: int
    dilation: int
    output_padding: int
    step: AxisStep

    @property
    def rounded(self) -> bool:
        """True when the division was not exact and the size was floored (or ceiled)."""
        return self.step.exact is not None

    @property
    def unused(self) -> int:
        """Padded input pixels at the far end that no window reaches (0 when exact)."""
        if self.step.transposed or not self.rounded or self.step.rounding != "floor":
            return 0
        return (self.step.size_in - self.step.window + self.step.pad_before + self.step.pad_after) % self.step.stride

    def as_dict(self) -> dict:
        return {
            "kernel": self.kernel,
            "stride": self.stride,
            "padding": self.padding,
            "dilation": self.dilation,
            "output_padding": self.output_padding,
            "check": self.step.text,
            "rounded": self.step.rounding if self.rounded else None,
        }


def _fail(problem: str, hint: str | None = None) -> SpecError:
    return SpecError(problem, hint=hint, where="solve")


def validate(problem: Problem) -> None:
    if problem.op not in OPS:
        raise _fail(f"unknown --op '{problem.op}'", f"choose one of: {', '.join(OPS)}")
    for name, value, least in (
        ("--in", problem.size_in, 1),
        ("--out", problem.size_out, 1),
        ("--kernel", problem.kernel, 1),
        ("--stride", problem.stride, 1),
        ("--padding", problem.padding, 0),
        ("--dilation", problem.dilation, 1),
        ("--output-padding", problem.output_padding, 0),
    ):
        if value is not None and value < least:
            raise _fail(f"{name} must be at least {least}, got {value}")
    if problem.output_padding is not None and problem.op != "transposed":
        raise _fail("--output-padding belongs to a transposed convolution", "add --op transposed, or drop it")
    if problem.ceil_mode and problem.op != "pool":
        raise _fail("--ceil-mode belongs to pooling", "add --op pool, or drop it")
    bounds = problem.bounds
    for name, value in (("--max-kernel", bounds.max_kernel), ("--max-stride", bounds.max_stride), ("--max-dilation", bounds.max_dilation)):
        if value < 1:
            raise _fail(f"{name} must be at least 1, got {value}")
    kernels = 1 if problem.kernel is not None else bounds.max_kernel
    largest_kernel = problem.kernel or bounds.max_kernel
    strides = 1 if problem.stride is not None else bounds.max_stride
    dilations = 1 if problem.dilation is not None else bounds.max_dilation
    largest_dilation = problem.dilation or bounds.max_dilation
    paddings = 1 if problem.padding is not None else largest_dilation * (largest_kernel - 1) + 1
    extras = 1
    if problem.op == "transposed" and problem.output_padding is None:
        extras = max(problem.stride or bounds.max_stride, largest_dilation)
    if kernels * strides * dilations * paddings * extras > MAX_TRIES:
        raise _fail("the search is too large", "give more of --kernel/--stride/--padding/--dilation, or lower the --max-… bounds")


def _choices(given: int | None, first: int, last: int) -> range:
    return range(given, given + 1) if given is not None else range(first, last + 1)


def _padding_limit(op: str, kernel: int, dilation: int) -> int:
    window = dilation * (kernel - 1) + 1
    if op == "pool":
        return kernel // 2  # PyTorch: pooling padding is at most half the kernel size (not the dilated window)
    if op == "transposed":
        return dilation * (kernel - 1)  # more would cut away more than the kernel adds
    return window - 1  # more would give windows that see only zeros


def solve(problem: Problem) -> list[Solution]:
    """Every combination within the bounds whose forward size is the wanted one, simplest first."""
    validate(problem)
    b = problem.bounds
    found = []
    kernels = _choices(problem.kernel, 1, b.max_kernel)
    strides = _choices(problem.stride, 1, b.max_stride)
    dilations = _choices(problem.dilation, 1, b.max_dilation)
    for kernel, stride, dilation in combinations(kernels, strides, dilations):
        window = dilation * (kernel - 1) + 1
        paddings = _choices(problem.padding, 0, _padding_limit(problem.op, kernel, dilation))
        if problem.op == "transposed":
            extras = _choices(problem.output_padding, 0, max(stride, dilation) - 1)
            for pad, extra in combinations(paddings, extras):
                if extra >= max(stride, dilation):
                    continue  # PyTorch: output_padding must be smaller than stride or dilation
                step = transposed_axis("W", problem.size_in, kernel, stride, pad, extra, dilation)
                if step.size_out == problem.size_out:
                    found.append(Solution(kernel, stride, pad, dilation, extra, step))
            continue
        for pad in paddings:
            if window > problem.size_in + 2 * pad:
                continue  # the window does not fit in the padded input
            step = window_axis("W", problem.size_in, kernel, stride, pad, pad, dilation, problem.ceil_mode)
            if step.size_out == problem.size_out:
                found.append(Solution(kernel, stride, pad, dilation, 0, step))
    found.sort(key=lambda s: (s.rounded, s.dilation, s.stride, s.kernel, s.padding, s.output_padding))
    return found


# --------------------------------------------------------------------------- text and JSON


def _given(problem: Problem) -> str:
    parts = [
        f"{name} {value}"
        for name, value in (
            ("kernel", problem.kernel),
            ("stride", problem.stride),
            ("padding", problem.padding),
            ("dilation", problem.dilation),
            ("output_padding", problem.output_padding),
        )
        if value is not None
    ]
    if problem.ceil_mode:
        parts.append("ceil_mode")
    return ", given " + ", ".join(parts) if parts else ""


def _searched(problem: Problem) -> str:
    b = problem.bounds
    limits = []
    if problem.kernel is None:
        limits.append(f"kernel ≤ {b.max_kernel}")
    if problem.stride is None:
        limits.append(f"stride ≤ {b.max_stride}")
    if problem.dilation is None:
        limits.append(f"dilation ≤ {b.max_dilation}")
    return ", ".join(limits)


def render_text(problem: Problem, solutions: list[Solution], limit: int) -> str:
    name = {"conv": "convolution", "pool": "pooling", "transposed": "transposed convolution"}[problem.op]
    head = f"{name}: input {problem.size_in} → output {problem.size_out}{_given(problem)}"
    searched = _searched(problem)
    if not solutions:
        text = f"{head}: no solution"
        if searched:
            text += f" (searched {searched}; raise --max-kernel / --max-stride / --max-dilation to look further)"
        if problem.op != "transposed" and problem.size_out > problem.size_in:
            text += "\nA window never makes a size larger (beyond what padding adds); to upsample, try --op transposed."
        return text + "\n"
    count = f"{len(solutions)} solution{'s' if len(solutions) != 1 else ''}"
    lines = [f"{head}: {count}" + (f" (searched {searched})" if searched else "")]
    transposed = problem.op == "transposed"
    header = ["kernel", "stride", "padding"] + (["output_padding"] if transposed else []) + ["dilation", "forward check"]
    rows = []
    for s in solutions[:limit]:
        check = s.step.text
        if s.rounded:
            check += f"  (floored: {s.unused} padded pixel{'s' if s.unused != 1 else ''} unused)" if s.step.rounding == "floor" else "  (rounded up: ceil_mode)"
        rows.append([str(s.kernel), str(s.stride), str(s.padding)] + ([str(s.output_padding)] if transposed else []) + [str(s.dilation), check])
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header) - 1)]
    for row in [header] + rows:
        lines.append("  " + "  ".join(cell.rjust(w) for cell, w in zip(row, widths)) + "  " + row[-1])
    if len(solutions) > limit:
        lines.append(f"  … and {len(solutions) - limit} more (raise --max-solutions, or fix more of kernel/stride/padding)")
    if any(s.rounded and s.step.rounding == "floor" for s in solutions[:limit]):
        lines.append(
            "Floored rows: (W − F + 2P)/S is not a whole number; PyTorch and Keras round it down, "
            "so the last padded pixels are never covered by a window."
        )
    return "\n".join(lines) + "\n"


def render_json(problem: Problem, solutions: list[Solution], limit: int) -> str:
    record = {
        "op": problem.op,
        "input": problem.size_in,
        "output": problem.size_out,
        "ceil_mode": problem.ceil_mode,
        "count": len(solutions),
        "solutions": [s.as_dict() for s in solutions[:limit]],
    }
    return json.dumps(record, indent=2, ensure_ascii=False) + "\n"
