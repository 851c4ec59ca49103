"""Symbolic specs: `--set k1=32` puts numbers in for letters, and parsing a student's formula.

Sizes written as letters (``input: [n, m, 1]``, ``filters: k1``) become SymPy symbols when the
spec is read (:mod:`convcalc.symbols`); the layer rules then run unchanged and SymPy simplifies.
This module substitutes values before the network is computed, so floors and checks apply to the
numbers. SymPy is only imported when a spec actually holds a symbol.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
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
        if text.isdigit() and len(text.lstrip("0")) > limits.digits:
            raise limit_error("digits", f"{name} has {len(text.lstrip('0')):,} digits", limits, where="--set")
        with int_digits(limits):
            number = int(text) if text.isdigit() else 0
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
