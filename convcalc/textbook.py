"""Symbolic sizes as a textbook writes them: nested floors collapsed, and terms in textbook order.

Only a spec with letters reaches this module, so SymPy is loaded already when it is used.

- Collapsing: ⌊(⌊x⌋ + a)/b⌋ = ⌊(x + a)/b⌋ for a whole a and a whole b > 0 (and the same for ⌈…⌉):
  a strided convolution then a pooling layer on n pixels is ⌊(n − 5)/4⌋ + 1, not
  ⌊(⌊(n − 3)/2⌋ − 1)/2⌋ + 1. The identity is exact, so the collapsed size is the size.
- Term order: the numerator of a floor is written as CS231n writes (W − F + 2P): the sizes first,
  then what is taken away, then what is added, then the number: (n − F + 2·P), not SymPy's
  (−F + 2·P + n).
(For which values a network is valid, "n ≥ 7", is convcalc.symbolic's size_condition.)
"""
from __future__ import annotations

from typing import Any


def _whole_positive(value: Any) -> bool:
    return bool(getattr(value, "is_integer", False)) and bool(getattr(value, "is_positive", False))


def collapsed(kind: str, numerator: Any, denominator: Any) -> Any:
    """⌊numerator/denominator⌋ (kind 'floor') or ⌈…⌉ ('ceiling'), with a floor (ceiling) inside the
    numerator taken out when the identity allows it."""
    import sympy

    outer = sympy.floor if kind == "floor" else sympy.ceiling
    inner_type = sympy.floor if kind == "floor" else sympy.ceiling
    denominator = sympy.sympify(denominator)
    numerator = sympy.sympify(numerator)
    if _whole_positive(denominator):
        terms = sympy.Add.make_args(numerator)
        inner = [term for term in terms if isinstance(term, inner_type)]
        if len(inner) == 1:
            rest = numerator - inner[0]
            if rest.is_integer:
                return outer((inner[0].args[0] + rest) / denominator)
    return outer(numerator / denominator)


def numerator_order(expr: Any) -> list[Any]:
    """The terms of a size's numerator in textbook order: single letters first (n, m), then the
    terms taken away (−F, −3), then the other terms added (2·P), then a positive number."""
    import sympy

    terms = list(sympy.Add.make_args(expr))

    def rank(term: Any) -> tuple[int, str]:
        coefficient, _ = term.as_coeff_Mul()
        if term.is_Number:
            return (3 if term > 0 else 2, "")
        if coefficient < 0:
            return (1, str(term))
        if term.is_Symbol:
            return (0, str(term))
        return (2, str(term))

    return sorted(terms, key=rank)


def bracket_text(printer: Any, argument: Any) -> str:
    """The inside of ⌊…⌋ as a textbook writes it: '(n − F + 2·P)/S', '(n − 3)/2', 'n/2'."""
    import sympy

    top, bottom = sympy.fraction(sympy.together(argument))
    terms = numerator_order(sympy.expand(top))
    text = ""
    for position, term in enumerate(terms):
        negative = term.as_coeff_Mul()[0] < 0
        if position == 0:
            text = printer._print(term)
        else:
            text += (" - " if negative else " + ") + printer._print(-term if negative else term)
    if bottom == 1:
        return text
    if len(terms) > 1:
        text = f"({text})"
    below = printer._print(bottom)
    return f"{text}/({below})" if isinstance(bottom, (sympy.Add, sympy.Mul)) else f"{text}/{below}"
