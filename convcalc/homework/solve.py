"""`convcalc solve`: the size rule of one axis run forwards, or backwards for whatever is missing.

Without ``--out`` it is the forward question (input, kernel, stride, padding → output). Without
``--in`` it finds every input size that gives the wanted output. Otherwise it finds the kernel /
stride / padding / dilation (and output padding) that turn one size into the other. Every answer
is found by running the very forward rule the calculator uses (:func:`arith.window_axis`,
:func:`arith.same_axis`, :func:`arith.transposed_axis`) over the integers within bounds, so an
answer is never something the forward calculation would disagree with. One spatial axis at a
time (H and W are independent); sorted simplest first.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from itertools import product as combinations

from ..arith import AxisStep, ceildiv, same_axis, transposed_axis, transposed_same_axis, window_axis, window_size
from ..errors import SpecError

OPS = ("conv", "pool", "transposed")
OP_NAMES = {"conv": "convolution", "pool": "pooling", "transposed": "transposed convolution"}
MAX_TRIES = 2_000_000  # an upper estimate of the combinations tried (about 160,000 a second); more is refused
MAX_INPUT = 10**7  # the largest input size searched for when --in is the unknown


@dataclass(frozen=True)
class Bounds:
    """How far the search goes for a hyperparameter that was not given."""

    max_kernel: int = 11
    max_stride: int = 8
    max_dilation: int = 1


@dataclass(frozen=True)
class Problem:
    """Input size, output size (either may be unknown: None), the operation and what is fixed.

    ``padding`` is a number of pixels per side, or 'same' / 'valid' as Keras writes it.
    """

    op: str
    size_in: int | None
    size_out: int | None
    kernel: int | None = None
    stride: int | None = None
    padding: int | str | None = None
    dilation: int | None = None
    output_padding: int | None = None
    ceil_mode: bool = False
    bounds: Bounds = Bounds()

    @property
    def forward(self) -> bool:
        return self.size_out is None

    @property
    def same(self) -> bool:
        return self.padding == "same"


@dataclass(frozen=True)
class Solution:
    """One combination that works, with the forward calculation that confirms it (kernel None: any kernel)."""

    kernel: int | None
    stride: int
    padding: int | str
    dilation: int
    output_padding: int
    step: AxisStep

    @property
    def size_in(self) -> int:
        return self.step.size_in

    @property
    def size_out(self) -> int:
        return self.step.size_out

    @property
    def rounded(self) -> bool:
        """True when the division was not exact and the size was floored (or rounded up)."""
        return self.step.exact is not None and self.padding != "same"

    @property
    def unused(self) -> tuple[int, int]:
        """(input pixels, padding zeros) at the far end that no window reaches, when the size was floored."""
        step = self.step
        if step.transposed or not self.rounded or step.rounding != "floor":
            return 0, 0
        left = (step.size_in - step.window + step.pad_before + step.pad_after) % step.stride
        zeros = min(left, step.pad_after)
        return left - zeros, zeros

    def as_dict(self) -> dict:
        return {
            "input": self.size_in,
            "output": self.size_out,
            "kernel": self.kernel,
            "stride": self.stride,
            "padding": self.padding,
            "dilation": self.dilation,
            "output_padding": self.output_padding,
            "check": self.step.text,
            "rounded": self.step.rounding if self.rounded else None,
            "unused_input_pixels": self.unused[0],
            "unused_padding": self.unused[1],
        }


def padding_option(text: str | None) -> int | str | None:
    """--padding as written: a number of pixels, 'same' or 'valid'."""
    if text is None:
        return None
    written = text.strip().lower()
    if written in ("same", "valid"):
        return written
    if written.lstrip("-").isdigit() and len(written) < 10:
        return int(written)
    raise _fail(f"--padding must be a number of pixels, 'same' or 'valid', got {text!r}", "e.g. --padding 2 or --padding same")


def _fail(problem: str, hint: str | None = None) -> SpecError:
    return SpecError(problem, hint=hint, where="solve")


def validate(problem: Problem) -> None:
    if problem.op not in OPS:
        raise _fail(f"unknown --op '{problem.op}'", f"choose one of: {', '.join(OPS)}")
    if problem.size_in is None and problem.size_out is None:
        raise _fail("give --in, --out or both", "--in 32 --kernel 5 asks for the output; --out 28 --kernel 5 for the input")
    padding = problem.padding
    if isinstance(padding, str) and padding not in ("same", "valid"):
        raise _fail(f"--padding must be a number of pixels, 'same' or 'valid', got {padding!r}", "e.g. --padding 2 or --padding same")
    for name, value, least in (
        ("--in", problem.size_in, 1),
        ("--out", problem.size_out, 1),
        ("--kernel", problem.kernel, 1),
        ("--stride", problem.stride, 1),
        ("--padding", padding if not isinstance(padding, str) else None, 0),
        ("--dilation", problem.dilation, 1),
        ("--output-padding", problem.output_padding, 0),
    ):
        if value is not None and value < least:
            raise _fail(f"{name} must be at least {least}, got {value}")
    if problem.output_padding is not None and problem.op != "transposed":
        raise _fail("--output-padding belongs to a transposed convolution", "add --op transposed, or drop it")
    if problem.ceil_mode and problem.op != "pool":
        raise _fail("--ceil-mode belongs to pooling", "add --op pool, or drop it")
    if problem.same and problem.ceil_mode:
        raise _fail("--ceil-mode has no effect with --padding same", "drop one of them")
    if problem.same and problem.op == "transposed" and problem.output_padding:
        raise _fail("--output-padding cannot be combined with --padding same", "drop one of them")
    bounds = problem.bounds
    for name, value in (("--max-kernel", bounds.max_kernel), ("--max-stride", bounds.max_stride), ("--max-dilation", bounds.max_dilation)):
        if value < 1:
            raise _fail(f"{name} must be at least 1, got {value}")
    if problem.forward or problem.size_in is None:
        if problem.kernel is None and not problem.same:
            what = "the output" if problem.forward else "the input size"
            raise _fail(f"--kernel is needed to compute {what}", "give e.g. --kernel 3 (and --stride, --padding if not 1 and 0)")
        if problem.size_in is None and problem.size_out > MAX_INPUT:
            raise _fail(f"--out {problem.size_out:,} is more than the {MAX_INPUT:,} searched for the input size")
        return
    kernels = 1 if problem.kernel is not None or problem.same else bounds.max_kernel
    largest_kernel = problem.kernel or bounds.max_kernel
    strides = 1 if problem.stride is not None else bounds.max_stride
    dilations = 1 if problem.dilation is not None else bounds.max_dilation
    largest_dilation = problem.dilation or bounds.max_dilation
    paddings = 1 if padding is not None else largest_dilation * (largest_kernel - 1) + 1
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


def _step(op: str, size_in: int, kernel: int | None, stride: int, padding: int | str, dilation: int, extra: int,
          ceil_mode: bool) -> AxisStep | None:
    """The forward rule for one setting, or None when the window does not fit the padded input."""
    if padding == "same":
        if op == "transposed":
            return transposed_same_axis("W", size_in, kernel or 1, stride)
        return same_axis("W", size_in, kernel or 1, stride, dilation)
    pad = 0 if padding == "valid" else padding
    if op == "transposed":
        return transposed_axis("W", size_in, kernel, stride, pad, extra, dilation)
    if dilation * (kernel - 1) + 1 > size_in + 2 * pad:
        return None  # the window does not fit in the padded input
    step = window_axis("W", size_in, kernel, stride, pad, pad, dilation, ceil_mode)
    return step if step.size_out >= 1 else None


def _default_stride(problem: Problem) -> int:
    """PyTorch's and Keras' pooling stride defaults to the window size; a convolution's to 1."""
    if problem.stride is not None:
        return problem.stride
    return (problem.kernel or 1) if problem.op == "pool" else 1


def _forward(problem: Problem) -> list[Solution]:
    stride, dilation = _default_stride(problem), problem.dilation or 1
    padding = 0 if problem.padding is None else problem.padding
    extra = problem.output_padding or 0
    if problem.op == "transposed" and extra >= max(stride, dilation):
        raise _fail(f"--output-padding {extra} must be smaller than the stride {stride} or the dilation {dilation}")
    if problem.op == "pool" and isinstance(padding, int) and padding > problem.kernel // 2:
        raise _fail(f"pooling padding {padding} is more than half the kernel {problem.kernel}",
                    "PyTorch allows pooling padding of at most half the kernel; use a smaller padding")
    step = _step(problem.op, problem.size_in, problem.kernel, stride, padding, dilation, extra, problem.ceil_mode)
    if step is None or step.size_out < 1:
        window = dilation * ((problem.kernel or 1) - 1) + 1
        raise _fail(f"the window {window} does not fit the padded input {problem.size_in} + 2·{padding}",
                    "use a smaller kernel, or more padding")
    return [Solution(problem.kernel, stride, padding, dilation, extra, step)]


def _inputs(problem: Problem) -> Any:
    """Every input size whose forward size is the wanted output (one for a transposed convolution)."""
    stride, dilation = _default_stride(problem), problem.dilation or 1
    padding = 0 if problem.padding is None else problem.padding
    extra = problem.output_padding or 0
    window = dilation * ((problem.kernel or 1) - 1) + 1
    pad = 2 * padding if isinstance(padding, int) else 0

    def make(size_in: int) -> Solution | None:
        step = _step(problem.op, size_in, problem.kernel, stride, padding, dilation, extra, problem.ceil_mode)
        return None if step is None else Solution(problem.kernel, stride, padding, dilation, extra, step)

    if problem.op == "transposed":
        top = (problem.size_out + pad) // stride + 2
        found = [make(size_in) for size_in in range(1, min(top, MAX_INPUT) + 1)]
        return [s for s in found if s is not None and s.size_out == problem.size_out]
    # the floored (or rounded-up) output never decreases as the input grows: the inputs that give it are one
    # run, found by bisection (stride 10**4000 has that many of them: listing them one by one never ended)
    top = problem.size_out * stride + window + stride

    def size_out(size_in: int) -> int:  # as _step gives it, without the text (bisecting 4,000-digit sizes)
        if padding == "same":
            return ceildiv(size_in, stride)
        pad_each = 0 if padding == "valid" else padding
        if window > size_in + 2 * pad_each:
            return 0
        return max(window_size(size_in, problem.kernel, stride, pad_each, pad_each, dilation, problem.ceil_mode)[0], 0)

    low = _first(1, top, lambda size_in: size_out(size_in) >= problem.size_out)
    high = _first(low, top + 1, lambda size_in: size_out(size_in) > problem.size_out) - 1
    if low > top or size_out(low) != problem.size_out:
        return InputSizes(make, 1, 0)
    return InputSizes(make, low, high)


def _first(low: int, high: int, reached) -> int:
    """The smallest n in low..high where reached(n) (reached never turns false again); high + 1 if none."""
    high += 1
    while low < high:
        middle = (low + high) // 2
        if reached(middle):
            high = middle
        else:
            low = middle + 1
    return low


class InputSizes:
    """Input sizes low..high as Solutions, each made when asked for: a run may be 10**4000 long, so it has
    a count rather than a len(), and is read by its first items and its last."""

    def __init__(self, make, low: int, high: int) -> None:
        self.make, self.low, self.high = make, low, high
        self.count = max(0, high - low + 1)

    def __bool__(self) -> bool:
        return self.count > 0

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            if index.start is not None or index.step is not None or index.stop is None or index.stop < 0:
                raise TypeError("only [:n] of a run of input sizes")
            return [self.make(self.low + i) for i in range(min(index.stop, self.count))]
        position = index + self.count if index < 0 else index
        if not 0 <= position < self.count:
            raise IndexError(index)
        return self.make(self.low + position)

    def __iter__(self):
        return (self.make(size_in) for size_in in range(self.low, self.high + 1))


def count(solutions: Any) -> int:
    """How many solutions (a run of input sizes may be too many for len())."""
    return solutions.count if isinstance(solutions, InputSizes) else len(solutions)


def solve(problem: Problem) -> list[Solution]:
    """The forward answer, every input size, or every combination within the bounds, simplest first."""
    validate(problem)
    if problem.forward:
        return _forward(problem)
    if problem.size_in is None:
        return _inputs(problem)
    b = problem.bounds
    found = []
    kernels: range | tuple = _choices(problem.kernel, 1, b.max_kernel) if not (problem.same and problem.kernel is None) else (None,)
    strides = _choices(problem.stride, 1, b.max_stride)
    dilations = _choices(problem.dilation, 1, b.max_dilation) if not problem.same else _choices(problem.dilation or 1, 1, 1)
    for kernel, stride, dilation in combinations(kernels, strides, dilations):
        if isinstance(problem.padding, str):
            paddings: range | tuple = (problem.padding,)
        else:
            paddings = _choices(problem.padding, 0, _padding_limit(problem.op, kernel, dilation))
        extras = _choices(problem.output_padding, 0, max(stride, dilation) - 1) if problem.op == "transposed" and not problem.same else (0,)
        for pad, extra in combinations(paddings, extras):
            if problem.op == "transposed" and extra >= max(stride, dilation):
                continue  # PyTorch: output_padding must be smaller than stride or dilation
            step = _step(problem.op, problem.size_in, kernel, stride, pad, dilation, extra, problem.ceil_mode)
            if step is not None and step.size_out == problem.size_out:
                found.append(Solution(kernel, stride, pad, dilation, extra, step))
    found.sort(key=lambda s: (s.rounded, s.dilation, s.stride, s.kernel or 0, s.padding if isinstance(s.padding, int) else 0,
                              s.output_padding))
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
    if problem.kernel is None and not problem.same:
        limits.append(f"kernel ≤ {b.max_kernel}")
    if problem.stride is None:
        limits.append(f"stride ≤ {b.max_stride}")
    if problem.dilation is None and not problem.same:
        limits.append(f"dilation ≤ {b.max_dilation}")
    return ", ".join(limits)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def rounding_note(solution: Solution) -> str:
    """'(floored: 1 input pixel unused)', '(floored: 1 padding zero unused)', '(rounded up: ceil_mode)' or ''."""
    if not solution.rounded:
        return ""
    if solution.step.rounding != "floor":
        return "(rounded up: ceil_mode)"
    pixels, zeros = solution.unused
    parts = ([_plural(pixels, "input pixel")] if pixels else []) + ([_plural(zeros, "padding zero")] if zeros else [])
    return f"(floored: {' and '.join(parts)} unused)"


def _check_text(solution: Solution) -> str:
    note = rounding_note(solution)
    return solution.step.text + (f"  {note}" if note else "")


def _forward_text(problem: Problem, solution: Solution) -> str:
    given = _given(problem).removeprefix(", given ")
    lines = [f"{OP_NAMES[problem.op]}: input {problem.size_in}" + (f", {given}" if given else "") + f" → output {solution.size_out}",
             f"  {_check_text(solution)}"]
    if solution.rounded and solution.step.rounding == "floor":
        lines.append("Floored: (W − F + 2P)/S is not a whole number; PyTorch and Keras round it down (CS231n calls such a "
                     "setting invalid).")
    return "\n".join(lines) + "\n"


def _inputs_text(problem: Problem, solutions: list[Solution], limit: int) -> str:
    head = f"{OP_NAMES[problem.op]}: output {problem.size_out}{_given(problem)}"
    if not solutions:
        return f"{head}: no input size gives it\n"
    first, last, total = solutions[0].size_in, solutions[-1].size_in, count(solutions)
    span = f"input {first}" if total == 1 else f"input {first} to {last} ({total} sizes)"
    lines = [f"{head}: {span}", "     in  forward check"]
    for s in solutions[:limit]:
        lines.append(f"  {s.size_in:>5}  {_check_text(s)}")
    if total > limit:
        lines.append(f"  … and {total - limit} more")
    if total > 1:
        lines.append(f"Only {first} fits exactly; the larger inputs leave pixels at the far end that no window reaches.")
    return "\n".join(lines) + "\n"


def render_text(problem: Problem, solutions: list[Solution], limit: int) -> str:
    if problem.forward:
        return _forward_text(problem, solutions[0])
    if problem.size_in is None:
        return _inputs_text(problem, solutions, limit)
    head = f"{OP_NAMES[problem.op]}: input {problem.size_in} → output {problem.size_out}{_given(problem)}"
    searched = _searched(problem)
    if not solutions:
        text = f"{head}: no solution"
        if searched:
            text += f" (searched {searched}; raise --max-kernel / --max-stride / --max-dilation to look further)"
        if problem.op != "transposed" and problem.size_out > problem.size_in:
            text += "\nA window never makes a size larger (beyond what padding adds); to upsample, try --op transposed."
        return text + "\n"
    lines = [f"{head}: {_plural(len(solutions), 'solution')}" + (f" (searched {searched})" if searched else "")]
    transposed = problem.op == "transposed"
    header = ["kernel", "stride", "padding"] + (["output_padding"] if transposed else []) + ["dilation", "forward check"]
    rows = []
    for s in solutions[:limit]:
        kernel = "any" if s.kernel is None else str(s.kernel)
        rows.append([kernel, str(s.stride), str(s.padding)] + ([str(s.output_padding)] if transposed else [])
                    + [str(s.dilation), _check_text(s)])
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header) - 1)]
    for row in [header] + rows:
        lines.append("  " + "  ".join(cell.rjust(w) for cell, w in zip(row, widths)) + "  " + row[-1])
    if len(solutions) > limit:
        lines.append(f"  … and {len(solutions) - limit} more (raise --max-solutions, or fix more of kernel/stride/padding)")
    if problem.same and problem.kernel is None:
        lines.append('With padding "same" every kernel fits: the padding grows with it, and the output is ⌈W/S⌉.')
    if any(s.rounded and s.step.rounding == "floor" for s in solutions[:limit]):
        lines.append(
            "Floored rows: (W − F + 2P)/S is not a whole number; PyTorch and Keras round it down, "
            "so the last pixels (input or padding) are never covered by a window."
        )
    return "\n".join(lines) + "\n"


def render_json(problem: Problem, solutions: list[Solution], limit: int) -> str:
    record = {
        "op": problem.op,
        "input": problem.size_in,
        "output": problem.size_out if not problem.forward else solutions[0].size_out,
        "question": "output" if problem.forward else "input" if problem.size_in is None else "hyperparameters",
        "ceil_mode": problem.ceil_mode,
        "count": count(solutions),
        "solutions": [s.as_dict() for s in solutions[:limit]],
    }
    from ..render.formats import versioned_json

    return versioned_json(record)
