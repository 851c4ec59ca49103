"""Pure size arithmetic shared by every layer kind.

Every function takes plain Python ints or SymPy expressions (symbolic sizes such as ``n``),
so the homework mode runs the very same rules as the calculator. Nothing here imports SymPy:
an expression that carries a symbol brings its own operators.
"""

from math import gcd
from typing import Any, NamedTuple

Size = Any  # an int, or a SymPy expression when the spec uses symbols


def is_int(value: Size) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_true(condition: Any) -> bool:
    """True only when a comparison is provably true (a symbolic one that is undecided is not)."""
    if isinstance(condition, bool):
        return condition
    try:
        return bool(condition)
    except TypeError:  # SymPy cannot decide the relation for every value of the symbols
        return False


def floordiv(a: Size, b: Size) -> Size:
    if is_int(a) and is_int(b):
        return a // b
    from .textbook import collapsed  # only reached when a symbol is present, so SymPy is already loaded

    return collapsed("floor", a, b)


def ceildiv(a: Size, b: Size) -> Size:
    if is_int(a) and is_int(b):
        return -(-a // b)
    from .textbook import collapsed

    return collapsed("ceiling", a, b)


def maximum(a: Size, b: Size) -> Size:
    if is_int(a) and is_int(b):
        return max(a, b)
    import sympy

    return sympy.Max(a, b)


def product(values) -> Size:
    total: Size = 1
    for value in values:
        total = total * value
    return total


def show(value: Size) -> str:
    """A size as people read it: an int as is, a symbolic one as a textbook writes it (⌊(n − 3)/2⌋ + 1)."""
    if is_int(value) or not hasattr(type(value), "free_symbols"):  # on the class: the property recurses
        return str(value)
    from .symbols import textbook  # only a spec with symbols gets here: SymPy is loaded already

    return textbook(value)


def total(values) -> Size:
    """Σ values, exact: ints added as ints; with a symbolic one among them, SymPy adds the rest in
    one Add (term by term, each step re-sorted the growing sum: quadratic in the layers)."""
    whole, symbolic = 0, []
    for value in values:
        if type(value) is int:
            whole += value
        else:
            symbolic.append(value)
    if not symbolic:
        return whole
    import sympy  # only reached when a symbol is present, so SymPy is already loaded

    return sympy.Add(whole, *symbolic)


def fmt(value: Size) -> str:
    """An exact count with thousands separators (a symbolic one as a textbook writes it)."""
    if is_int(value):
        return f"{value:,}"
    return show(value)


def factor(value: Size) -> str:
    """A size written as one factor of a product: bracketed when it is a sum or a quotient,
    '(n − 2)', but not when brackets or floors already hold it together, '⌈n/2⌉'."""
    text = show(value)
    if is_int(value):
        return text
    depth = 0
    for char in text:
        if char in "(⌊⌈":
            depth += 1
        elif char in ")⌋⌉":
            depth -= 1
        elif depth == 0 and char in "+-−/ ":
            return f"({text})"
    return text


def dot(*factors: Size) -> str:
    """'11·11·3·96': a product written as a textbook writes it."""
    return "·".join(map(factor, factors))


def exact_quotient(numerator: Size, denominator: Size) -> str | None:
    """'14.5' or '29/3' when an integer division is not exact; None when it is (or is symbolic)."""
    if not (is_int(numerator) and is_int(denominator)) or numerator % denominator == 0:
        return None
    common = gcd(numerator, denominator)  # the reduced fraction (no fractions/decimal import at start-up)
    top, bottom = numerator // common, denominator // common
    if bottom < 0:
        top, bottom = -top, -bottom
    if (top * 1000) % bottom == 0 and abs(top) < 10**15 * bottom:
        return f"{top / bottom:g}"
    return f"{top}/{bottom}"


def adaptive_windows_total(size_in: Size, size_out: Size) -> Size:
    """Σ of the window lengths of PyTorch's adaptive pooling along one axis, in closed form.

    Window i spans [⌊i·In/Out⌋, ⌈(i+1)·In/Out⌉). The ends less the starts telescope to In, and a
    ceiling adds 1 wherever Out does not divide (i+1)·In: for all but gcd(In, Out) of the Out
    windows. So Σ = In + Out − gcd(In, Out), with no loop over the outputs (a billion of them hung).
    A symbolic size gives In (exact when Out divides In).
    """
    if not (is_int(size_in) and is_int(size_out)):
        return size_in
    return size_in + size_out - gcd(size_in, size_out)


def adaptive_longest_window(size_in: int, size_out: int) -> int:
    """The longest of PyTorch's adaptive windows along one axis (see adaptive_windows_total).

    With In = q·Out + r, a window holds q or q + 1 positions, plus one more where a window's two
    ends both fall inside an input position, which happens for some window exactly when
    r/gcd(r, Out) > 1.
    """
    q, r = divmod(size_in, size_out)
    if r == 0:
        return q
    return q + 2 if r // gcd(r, size_out) > 1 else q + 1


class AxisStep(NamedTuple):
    """How one spatial axis went from its input size to its output size.

    Kept for the warnings on uneven divisions, for ``--explain``, and for receptive fields
    (window, stride and leading padding are what the recursion needs).
    """

    axis: str  # 'L', 'D', 'H' or 'W'
    size_in: Size
    size_out: Size
    window: Size  # effective kernel: dilation·(kernel − 1) + 1
    stride: Size
    pad_before: Size
    pad_after: Size
    text: str  # the substituted formula, e.g. "(227 − 11 + 2·0)/4 + 1 = 55"
    exact: str | None = None  # the unrounded value when rounding happened, e.g. "14.5"
    rounding: str = "floor"  # 'floor', 'ceil', or 'ceil_dropped' (ceil_mode, the last window dropped): when exact is set
    transposed: bool = False


def _pads_text(before: Size, after: Size) -> str:
    if before == after:
        return f"2·{show(before)}"
    return f"{show(before)} + {show(after)}"


def window_size(size_in: Size, kernel: Size, stride: Size, pad_before: Size, pad_after: Size, dilation: Size = 1,
                ceil_mode: bool = False) -> tuple[Size, str]:
    """window_axis's output size and its rounding, without the text (solve bisects over it)."""
    numerator = size_in - (dilation * (kernel - 1) + 1) + pad_before + pad_after
    if not ceil_mode:
        return floordiv(numerator, stride) + 1, "floor"
    size_out = ceildiv(numerator, stride) + 1
    if is_true((size_out - 1) * stride >= size_in + pad_before):
        return size_out - 1, "ceil_dropped"  # the last window would start in the right padding: PyTorch drops it
    return size_out, "ceil"


def window_axis(
    axis: str,
    size_in: Size,
    kernel: Size,
    stride: Size,
    pad_before: Size,
    pad_after: Size,
    dilation: Size = 1,
    ceil_mode: bool = False,
) -> AxisStep:
    """A sliding window (convolution or pooling): out = ⌊(W − F + P₁ + P₂)/S⌋ + 1.

    With ``ceil_mode`` PyTorch's rule applies: round up, but drop a last window that would
    start inside the right padding.
    """
    window = dilation * (kernel - 1) + 1
    numerator = size_in - window + pad_before + pad_after
    size_out, rounding = window_size(size_in, kernel, stride, pad_before, pad_after, dilation, ceil_mode)
    exact = exact_quotient(numerator, stride)
    window_text = show(window) if dilation == 1 else f"({show(dilation)}·({show(kernel)} − 1) + 1)"
    text = f"({show(size_in)} − {window_text} + {_pads_text(pad_before, pad_after)})/{show(stride)} + 1"
    if exact is not None:
        unrounded = exact_quotient(numerator + stride, stride)
        if "/" in unrounded:  # a fraction that does not end: (7 − 3)/3 + 1 = 4/3 + 1 ≈ 2.33 → 2
            text += f" = {exact} + 1 ≈ {approximate(numerator + stride, stride)} → {size_out}"
        else:
            text += f" = {unrounded} → {size_out}"
        exact = unrounded
    else:
        text += f" = {show(size_out)}"
    return AxisStep(axis, size_in, size_out, window, stride, pad_before, pad_after, text, exact, rounding)


def approximate(numerator: int, denominator: int) -> str:
    """'2.33' for 7/3: two decimals, rounded half up, for a fraction that does not end."""
    hundredths = (200 * numerator + denominator) // (2 * denominator)
    sign = "-" if hundredths < 0 else ""
    whole, part = divmod(abs(hundredths), 100)
    return f"{sign}{whole}.{part:02d}"


def same_axis(axis: str, size_in: Size, kernel: Size, stride: Size, dilation: Size = 1) -> AxisStep:
    """TensorFlow/Keras "same": out = ⌈W/S⌉, padded by what that needs, the odd pixel at the end."""
    window = dilation * (kernel - 1) + 1
    size_out = ceildiv(size_in, stride)
    pad_total = maximum((size_out - 1) * stride + window - size_in, 0)
    pad_before = floordiv(pad_total, 2)
    pad_after = pad_total - pad_before
    exact = exact_quotient(size_in, stride)
    if exact is not None:
        text = f"⌈{size_in}/{stride}⌉ = ⌈{exact}⌉ = {size_out}"
    elif is_int(size_in) or stride == 1:
        text = f"{show(size_in)}/{show(stride)} = {show(size_out)}"
    else:  # a symbolic size: the ceiling stays in the formula
        text = f"⌈{show(size_in)}/{show(stride)}⌉ = {show(size_out)}"
    if is_int(pad_before) and is_int(pad_after):  # a symbolic padding is a long Max(...) formula
        text += f" (\"same\": padding {pad_before} + {pad_after})"
    return AxisStep(axis, size_in, size_out, window, stride, pad_before, pad_after, text, exact, "ceil")


def transposed_axis(
    axis: str,
    size_in: Size,
    kernel: Size,
    stride: Size,
    padding: Size,
    output_padding: Size,
    dilation: Size = 1,
) -> AxisStep:
    """A transposed convolution: out = (W − 1)·S − 2P + D·(F − 1) + OP + 1 (PyTorch's rule)."""
    window = dilation * (kernel - 1) + 1
    size_out = (size_in - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1
    spread = f"({show(kernel)} − 1)" if dilation == 1 else f"{show(dilation)}·({show(kernel)} − 1)"
    extra = "" if is_int(output_padding) and output_padding == 0 else f" + {show(output_padding)} (output padding)"
    text = f"({show(size_in)} − 1)·{show(stride)} − 2·{show(padding)} + {spread}{extra} + 1 = {show(size_out)}"
    return AxisStep(axis, size_in, size_out, window, stride, padding, padding, text, transposed=True)


def transposed_same_axis(axis: str, size_in: Size, kernel: Size, stride: Size) -> AxisStep:
    """Keras Conv*DTranspose with padding="same": out = W·S."""
    size_out = size_in * stride
    pad_total = maximum(kernel - stride, 0)
    pad_before = floordiv(pad_total, 2)
    text = f"{show(size_in)}·{show(stride)} = {show(size_out)} (\"same\")"
    return AxisStep(axis, size_in, size_out, kernel, stride, pad_before, pad_total - pad_before, text, transposed=True)
