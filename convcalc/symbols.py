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
    return _printer().doprint(expr).replace("**", "^").replace("*", "·").replace("-", "−")


@lru_cache(maxsize=None)
def _printer():
    from sympy.printing.str import StrPrinter

    from .textbook import bracket_text  # the numerator in textbook order: (n − F + 2·P)/S

    class Textbook(StrPrinter):
        """SymPy's plain printer, with ⌊…⌋ and ⌈…⌉ around one fraction: floor(n/2 - 3/2) is ⌊(n − 3)/2⌋."""

        def _print_floor(self, expr):
            return "⌊" + bracket_text(self, expr.args[0]) + "⌋"

        def _print_ceiling(self, expr):
            return "⌈" + bracket_text(self, expr.args[0]) + "⌉"

    return Textbook()
