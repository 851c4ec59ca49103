"""Symbolic sizes (n, m, k1): SymPy is imported here only, and only when a spec uses a symbol."""
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
