"""Symbolic specs: `--set k1=32` puts numbers in for letters, and parsing a student's formula.

Sizes written as letters (``input: [n, m, 1]``, ``filters: k1``) become SymPy symbols when the
spec is read (:mod:`convcalc.symbols`); the layer rules then run unchanged and SymPy simplifies.
This module substitutes values before the network is computed, so floors and checks apply to the
numbers. SymPy is only imported when a spec actually holds a symbol.
"""
from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from .arith import is_int
from .errors import SpecError
from .limits import DEFAULT_LIMITS, Limits, int_digits, limit_error
from .spec import NetworkSpec

# A pattern string, compiled (and cached by re) on first use: only --set needs it.
_ASSIGNMENT = r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\S+)\s*$"


def parse_assignments(items: Iterable[str], limits: Limits = DEFAULT_LIMITS) -> dict[str, int]:
    """['k1=32', 'k2=64'] to {'k1': 32, 'k2': 64}; each value a whole number ≥ 1, within the digits limit."""
    values: dict[str, int] = {}
    for item in items:
        match = re.match(_ASSIGNMENT, item)
        if not match:
            raise SpecError(f"'{item[:80]}' is not NAME=NUMBER", hint="write e.g. --set k1=32", where="--set")
        name, text = match.groups()
        digits = text.isascii() and text.isdigit()  # '²' and '٣' pass isdigit(); int() reads only the second
        if digits and len(text.lstrip("0")) > limits.digits:
            raise limit_error("digits", f"{name} has {len(text.lstrip('0')):,} digits", limits, where="--set")
        with int_digits(limits):
            number = int(text) if digits else 0
        if number < 1:
            raise SpecError(f"{name}={text[:80]}: the value must be a whole number ≥ 1", hint=f"write e.g. --set {name}=32", where="--set")
        if name in values and values[name] != number:
            both = f" ({values[name]} and {number})" if max(values[name], number) < 10**20 else ""
            raise SpecError(f"{name} is given twice{both}", hint="give each symbol once", where="--set")
        values[name] = number
    return values


def _free_symbols(value: Any) -> set:
    if isinstance(value, (tuple, list)):
        found: set = set()
        for item in value:
            found |= _free_symbols(item)
        return found
    return set(getattr(value, "free_symbols", ()) or ())


def spec_symbols(spec: NetworkSpec) -> list[str]:
    """The names of every symbol in a spec, sorted ('k1', 'k2', 'm', 'n')."""
    if "sympy" not in sys.modules:  # a symbol is a SymPy object: without SymPy loaded there is none to look for
        return []
    found = _free_symbols(spec.input_dims)
    for layer in spec.layers:
        found |= _free_symbols(tuple(layer.args.values()))
    return sorted(str(symbol) for symbol in found)


def numbers_hint(spec: NetworkSpec) -> str:
    """How to make a symbolic spec numeric, for commands that need numbers (export, draw)."""
    return "give its symbols numbers: " + " ".join(f"--set {name}=N" for name in spec_symbols(spec))


def _substitute(value: Any, values: Mapping[Any, int]) -> Any:
    if isinstance(value, tuple):
        return tuple(_substitute(item, values) for item in value)
    if is_int(value) or not getattr(value, "free_symbols", None):
        return value
    result = value.subs(values)
    return int(result) if getattr(result, "is_Integer", False) else result


def substitute(spec: NetworkSpec, values: Mapping[str, int]) -> NetworkSpec:
    """The same spec with numbers in place of the named symbols (others stay symbols)."""
    if not values:
        return spec
    names = spec_symbols(spec)
    for name in values:
        if name not in names:
            known = ", ".join(names) if names else "none: every size is a number"
            raise SpecError(f"the spec has no symbol '{name}'", hint=f"its symbols are: {known}", where="--set")
    from .symbols import make_symbol

    by_symbol = {make_symbol(name): number for name, number in values.items()}
    layers = tuple(
        layer._replace(args={key: _substitute(arg, by_symbol) for key, arg in layer.args.items()})
        for layer in spec.layers
    )
    return spec._replace(input_dims=_substitute(tuple(spec.input_dims), by_symbol), layers=layers)


# --------------------------------------------------------------------------- for which sizes a result holds

ALWAYS, NEVER, WHEN = "always", "never", "when"
_PEEL_LIMIT = 200  # floors nested inside one another that are taken off one by one (one per layer in a chain)


def size_condition(size: Any) -> tuple[str, Any]:
    """Whether a symbolic size is at least 1 for every value of its symbols (each a whole number ≥ 1):
    (ALWAYS, None), (NEVER, None), or (WHEN, a SymPy condition on the symbols, e.g. n ≥ 7).

    ⌊x⌋ + c ≥ 1 holds exactly when x ≥ 1 − c (c whole), so floors and ceilings are taken off from the
    outside in, as long as one of them stands alone; what is left is decided by SymPy (one symbol: its
    inequality solved over the whole numbers), or bounded (⌊x⌋ ≤ x, ⌈x⌉ < x + 1) to show it can never hold.
    A condition that cannot be decided is stated, never dropped.
    """
    return _condition(size)


@lru_cache(maxsize=4096)
def _condition(size: Any) -> tuple[str, Any]:
    import sympy

    if isinstance(size, (sympy.Mul, sympy.Pow)):  # 4·(n − 2)·(m − 2): every factor a size ≥ 1, not their product alone
        return _product_condition(size)
    expr, op, bound = _peel(size, ">=", sympy.Integer(1))
    rounded = expr.has(sympy.floor, sympy.ceiling, sympy.Max, sympy.Min)
    if not rounded:  # (n − 3)/n ≥ 0 is n − 3 ≥ 0: a positive denominator is multiplied out
        top, bottom = sympy.fraction(sympy.together(expr - bound))
        if bottom.is_positive:
            expr, bound = sympy.expand(top), sympy.Integer(0)
    symbols = sorted(expr.free_symbols, key=str)
    if not rounded and len(symbols) == 1:
        linear = _linear(expr, symbols[0])
        if linear is not None:
            return _on_line(*linear, op, bound, symbols[0])
    difference = expr - bound
    if _holds(difference, op) is True:
        return ALWAYS, None
    upper, lower = _bound(expr, True), _bound(expr, False)
    if upper is not None and _holds(sympy.cancel(upper - bound), op) is False:
        return NEVER, None
    if lower is not None and _holds(sympy.cancel(lower - bound), op) is True:
        return ALWAYS, None
    if not rounded and len(symbols) == 1:
        return _one_symbol(expr, op, bound, symbols[0])
    return WHEN, _relation(difference, op)


def _relation(difference: Any, op: str) -> Any:
    """d ≥ 0 written with its negative terms moved across: n − k − 2 ≥ 0 is n ≥ k + 2."""
    import sympy

    left, right = [], []
    for part in sympy.Add.make_args(sympy.expand(difference) if not difference.has(sympy.floor, sympy.ceiling) else difference):
        (right.append(-part) if part.could_extract_minus_sign() else left.append(part))
    return (sympy.Ge if op == ">=" else sympy.Gt)(sympy.Add(*left), sympy.Add(*right), evaluate=False)


def _linear(expr: Any, symbol: Any) -> tuple[Any, Any] | None:
    """(a, b) when expr is a·symbol + b with rational a ≠ 0 and b, else None (no solver needed then)."""
    slope, offset = 0, 0
    for part in expr.args if expr.is_Add else (expr,):
        if part.is_Rational:
            offset += part
            continue
        coefficient, rest = part.as_coeff_Mul()
        if rest != symbol or not coefficient.is_Rational:
            return None
        slope += coefficient
    return (slope, offset) if slope != 0 else None


def _on_line(slope: Any, offset: Any, op: str, bound: Any, symbol: Any) -> tuple[str, Any]:
    """a·n + b ≥ k (or >) for whole n ≥ 1: always, never, n ≥ m or n ≤ m."""
    import sympy

    limit = (bound - offset) / slope
    if slope > 0:  # n ≥ limit (n > limit)
        low = sympy.ceiling(limit) if op == ">=" else sympy.floor(limit) + 1
        return (ALWAYS, None) if low <= 1 else (WHEN, sympy.Ge(symbol, low, evaluate=False))
    high = sympy.floor(limit) if op == ">=" else sympy.ceiling(limit) - 1  # n ≤ limit (n < limit)
    return (NEVER, None) if high < 1 else (WHEN, sympy.Le(symbol, high, evaluate=False))


def _product_condition(size: Any) -> tuple[str, Any]:
    """A product of sizes (a flattened volume, n²) is valid when each factor is: n − 2 ≥ 1 and m − 2 ≥ 1, not 4·(n − 2)·(m − 2) ≥ 1."""
    import sympy

    coefficient, rest = size.as_coeff_Mul()
    if coefficient <= 0:
        return NEVER, None
    factors = [base for base, _ in (part.as_base_exp() for part in sympy.Mul.make_args(rest))]
    verdicts = [_condition(factor) if not factor.is_Number else (ALWAYS, None) for factor in factors]
    if any(verdict == NEVER for verdict, _ in verdicts):
        return NEVER, None
    conditions = [condition for verdict, condition in verdicts if verdict == WHEN]
    if not conditions:
        return ALWAYS, None
    return WHEN, conditions[0] if len(conditions) == 1 else sympy.And(*conditions, evaluate=False)


def _holds(difference: Any, op: str) -> bool | None:
    """Whether difference op 0 holds for every value of the (positive whole) symbols: True, False (never), None."""
    if op == ">=":
        return True if difference.is_nonnegative else (False if difference.is_negative else None)
    return True if difference.is_positive else (False if difference.is_nonpositive else None)


def _peel(expr: Any, op: str, bound: Any) -> tuple[Any, str, Any]:
    """expr op bound with the outermost floor or ceiling taken off while it stands alone: ⌊x⌋ + c ≥ k is x ≥ k − c."""
    import sympy

    for _ in range(_PEEL_LIMIT):
        number, term = sympy.Integer(0), None
        for part in sympy.Add.make_args(expr):
            if part.is_Number:
                number += part
            elif term is None:
                term = part
            else:
                return expr, op, bound  # two terms with symbols: nothing stands alone
        if term is None:
            return expr, op, bound
        coefficient, rounded = term.as_coeff_Mul()
        if not isinstance(rounded, (sympy.floor, sympy.ceiling)) or not coefficient.is_Rational or coefficient == 0:
            return expr, op, bound
        limit = (bound - number) / coefficient
        if coefficient < 0:
            op = {">=": "<=", ">": "<", "<=": ">=", "<": ">"}[op]
        inner = rounded.args[0]
        # a whole number F: F ≥ R is F ≥ ⌈R⌉, F > R is F ≥ ⌊R⌋ + 1, F ≤ R is F ≤ ⌊R⌋, F < R is F ≤ ⌈R⌉ − 1
        if op in (">=", ">"):
            whole = sympy.ceiling(limit) if op == ">=" else sympy.floor(limit) + 1
            # ⌊x⌋ ≥ K is x ≥ K; ⌈x⌉ ≥ K is x > K − 1
            expr, op, bound = (inner, ">=", whole) if isinstance(rounded, sympy.floor) else (inner, ">", whole - 1)
        else:
            return expr, op, bound  # an upper limit on a size: not a shape rule's form, left as it is
    return expr, op, bound


def _bound(expr: Any, upper: bool) -> Any:
    """An upper (or lower) bound of expr without floors and ceilings, or None where there is none this simple."""
    import sympy

    if not expr.has(sympy.floor, sympy.ceiling):
        return expr
    if isinstance(expr, sympy.floor):
        inner = _bound(expr.args[0], upper)
        return None if inner is None else (inner if upper else inner - 1)
    if isinstance(expr, sympy.ceiling):
        inner = _bound(expr.args[0], upper)
        return None if inner is None else (inner + 1 if upper else inner)
    if isinstance(expr, sympy.Add):
        parts = [_bound(part, upper) for part in expr.args]
        return None if any(p is None for p in parts) else sympy.Add(*parts)
    if isinstance(expr, sympy.Mul):
        coefficient, rest = expr.as_coeff_Mul()
        if coefficient == 1 or not coefficient.is_Rational:
            return None
        inner = _bound(rest, upper if coefficient > 0 else not upper)
        return None if inner is None else coefficient * inner
    if isinstance(expr, (sympy.Max, sympy.Min)):
        parts = [_bound(part, upper) for part in expr.args]
        return None if any(p is None for p in parts) else type(expr)(*parts)
    return None


def _one_symbol(expr: Any, op: str, bound: Any, symbol: Any) -> tuple[str, Any]:
    """expr op bound in one symbol, solved over the whole numbers ≥ 1: always, never, or n ≥ 7 / n ≤ 29 / 3 ≤ n ≤ 29."""
    import sympy
    from sympy.solvers.inequalities import solve_univariate_inequality

    real = sympy.Symbol("x_real", real=True)
    relation = (sympy.Ge if op == ">=" else sympy.Gt)(expr.subs(symbol, real), bound)
    try:
        solved = solve_univariate_inequality(relation, real, relational=False)
        values = sympy.Intersection(solved, sympy.S.Naturals)
    except (NotImplementedError, TypeError, ValueError):
        return WHEN, (sympy.Ge if op == ">=" else sympy.Gt)(expr, bound)
    if values == sympy.S.EmptySet:
        return NEVER, None
    if values == sympy.S.Naturals:
        return ALWAYS, None
    if isinstance(values, sympy.Range) and values.step == 1:
        low, high = values.inf, values.sup
        if high is sympy.oo:
            return (ALWAYS, None) if low <= 1 else (WHEN, sympy.Ge(symbol, low, evaluate=False))
        if low <= 1:
            return WHEN, sympy.Le(symbol, high, evaluate=False)
        return WHEN, sympy.And(sympy.Ge(symbol, low, evaluate=False), sympy.Le(symbol, high, evaluate=False), evaluate=False)
    return WHEN, sympy.Contains(symbol, values, evaluate=False)


def condition_text(condition: Any) -> str:
    """A condition as a textbook writes it: 'n ≥ 7', '3 ≤ n ≤ 29', '⌊(n − 3)/2⌋ ≥ 2 and m ≥ 7'."""
    import sympy

    from .symbols import textbook

    if isinstance(condition, sympy.And):
        parts = sorted(condition.args, key=lambda c: (str(c.lhs) if hasattr(c, "lhs") else str(c)))
        if len(parts) == 2 and all(isinstance(p, (sympy.Ge, sympy.Le)) for p in parts):
            low = next((p for p in parts if isinstance(p, sympy.Ge) and p.lhs.is_Symbol), None)
            high = next((p for p in parts if isinstance(p, sympy.Le) and p.lhs.is_Symbol), None)
            if low is not None and high is not None and low.lhs == high.lhs:
                return f"{textbook(low.rhs)} ≤ {textbook(low.lhs)} ≤ {textbook(high.rhs)}"
        return " and ".join(condition_text(part) for part in parts)
    signs = {sympy.Ge: "≥", sympy.Gt: ">", sympy.Le: "≤", sympy.Lt: "<"}
    for kind, sign in signs.items():
        if isinstance(condition, kind):
            return f"{textbook(condition.lhs)} {sign} {textbook(condition.rhs)}"
    return textbook(condition)


def combined_conditions(conditions: Iterable[Any]) -> list[Any]:
    """Conditions of several layers as one list: per symbol the tightest n ≥ a and n ≤ b, the rest once each.

    [n ≥ 3, n ≥ 7, m ≥ 3] is [m ≥ 3, n ≥ 7]; a contradiction (n ≥ 40 and n ≤ 29) comes back as [False].
    """
    import sympy

    low: dict[Any, Any] = {}
    high: dict[Any, Any] = {}
    others: list[Any] = []
    pending = list(conditions)
    while pending:
        condition = pending.pop(0)
        if isinstance(condition, sympy.And):
            pending[:0] = list(condition.args)
        elif isinstance(condition, sympy.Ge) and condition.lhs.is_Symbol and condition.rhs.is_Integer:
            low[condition.lhs] = max(low.get(condition.lhs, condition.rhs), condition.rhs)
        elif isinstance(condition, sympy.Le) and condition.lhs.is_Symbol and condition.rhs.is_Integer:
            high[condition.lhs] = min(high.get(condition.lhs, condition.rhs), condition.rhs)
        elif condition not in others:
            others.append(condition)
    result: list[Any] = []
    for symbol in sorted(set(low) | set(high), key=str):
        if symbol in low and symbol in high:
            if low[symbol] > high[symbol]:
                return [sympy.false]
            result.append(sympy.And(sympy.Ge(symbol, low[symbol], evaluate=False), sympy.Le(symbol, high[symbol], evaluate=False),
                                    evaluate=False))
        elif symbol in low:
            result.append(sympy.Ge(symbol, low[symbol], evaluate=False))
        else:
            result.append(sympy.Le(symbol, high[symbol], evaluate=False))
    return result + others
