"""Symbolic sizes (n, m, k1): SymPy is imported here only, and only when a spec uses a symbol.

Which names are symbols is decided before SymPy is needed (:mod:`convcalc.layers.args`, the
"Symbols" rule), so that a misspelt keyword is refused alike with and without SymPy.
"""
from __future__ import annotations

from functools import lru_cache

from .errors import ArgError

@lru_cache(maxsize=None)
def make_symbol(name: str):
    """A positive integer SymPy symbol, so that rules such as ⌊n/2⌋ simplify as they should."""
    try:
        import sympy
    except ImportError:
        raise ArgError(
            f"'{name}' is a symbolic size, which needs SymPy",
            "install it with: pip install 'convcalc[symbolic]' (or write a number)",
        ) from None
    return sympy.Symbol(name, positive=True, integer=True)


def textbook(expr) -> str:
    """A symbolic size as a textbook writes it: ⌊(n − 3)/2⌋ + 1 for SymPy's floor(n/2 - 3/2) + 1,
    25·k1·k2 + k2 for 25*k1*k2 + k2. Only for people: JSON and CSV keep SymPy's own syntax."""
    return _textbook(expr)


@lru_cache(maxsize=4096)
def _textbook(expr) -> str:
    """Cached: a layer's input size is the size the layer before printed, and each is printed in
    its formula, its shape and the totals."""
    return _inside_out(_printer(), expr).replace("**", "^").replace("*", "·").replace("-", "−")


def plain(expr) -> str:
    """SymPy's own text of a size, str(expr) exactly (for JSON and CSV), with each floor and
    ceiling printed once (see _printer)."""
    return _plain(expr)


@lru_cache(maxsize=4096)
def _plain(expr) -> str:
    return _inside_out(_plain_printer(), expr)


def _inside_out(printer, expr) -> str:
    """printer.doprint(expr); when the floors nest deeper than Python's recursion allows, the inner
    floors are printed first, innermost first, so that each one printed stops at a kept one."""
    try:
        return printer.doprint(expr)
    except RecursionError:
        pass
    for inner in _rounded_inside_out(expr):
        printer.doprint(inner)
    return printer.doprint(expr)


def _rounded_inside_out(expr) -> list:
    """Every floor and ceiling in expr, each after those it holds (no recursion: an explicit stack)."""
    order, seen, stack = [], set(), [(expr, False)]
    while stack:
        node, done = stack.pop()
        if done:
            if type(node).__name__ in ("floor", "ceiling"):
                order.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        stack.extend((arg, False) for arg in getattr(node, "args", ()))
    return order


_ROUNDED_CACHE_SIZE = 4096  # floors and ceilings kept printed (a deep network nests one per layer)


@lru_cache(maxsize=None)
def _printer():
    from sympy.printing.str import StrPrinter

    from .textbook import bracket_text  # the numerator in textbook order: (n − F + 2·P)/S

    printed: dict = {}  # floor(x) or ceiling(x) -> its text: the next layer's floor holds this one

    class Textbook(StrPrinter):
        """SymPy's plain printer, with ⌊…⌋ and ⌈…⌉ around one fraction: floor(n/2 - 3/2) is ⌊(n − 3)/2⌋.

        Each floor or ceiling is printed once: a 50-layer network nests 50 of them, and reprinting
        (and SymPy's together on) every inner one for every outer one was 70 % of its run."""

        def _print_floor(self, expr):
            return self._rounded(expr, "⌊", "⌋")

        def _print_ceiling(self, expr):
            return self._rounded(expr, "⌈", "⌉")

        def _rounded(self, expr, left: str, right: str) -> str:
            text = printed.get(expr)
            if text is None:
                if len(printed) >= _ROUNDED_CACHE_SIZE:
                    printed.clear()
                text = printed[expr] = left + bracket_text(self, expr.args[0]) + right
            return text

    return Textbook()


@lru_cache(maxsize=None)
def _plain_printer():
    from sympy.printing.str import StrPrinter

    printed: dict = {}  # floor(x) or ceiling(x) -> its text

    class Plain(StrPrinter):
        """str(expr) itself, a floor's or ceiling's text kept: the next layer's size holds it again."""

        def _print_Function(self, expr):
            if type(expr).__name__ not in ("floor", "ceiling"):
                return super()._print_Function(expr)
            text = printed.get(expr)
            if text is None:
                if len(printed) >= _ROUNDED_CACHE_SIZE:
                    printed.clear()
                text = printed[expr] = super()._print_Function(expr)
            return text

    return Plain()
