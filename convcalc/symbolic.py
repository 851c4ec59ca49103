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
from .engine import NetworkReport, analyze
from .errors import SpecError
from .limits import DEFAULT_LIMITS, Limits, int_digits, limit_error, max_bits
from .spec import NetworkSpec, load_spec

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


def load_report(
    source: str,
    *,
    layout: str | None = None,
    strict: bool = False,
    stdin_text: str | None = None,
    assignments: Iterable[str] = (),
    limits: Limits = DEFAULT_LIMITS,
) -> NetworkReport:
    """Read SPEC, put in the --set values, and compute it: the CLI's entry point for every command."""
    values = parse_assignments(assignments, limits)
    spec = load_spec(source, layout=layout, stdin_text=stdin_text, limits=limits)
    return analyze(substitute(spec, values), strict=strict, limits=limits)


MAX_FORMULA_LENGTH = 1000  # characters of a student's formula: 25*k1*k2 + 10*k1 + k2 has 22
MAX_EXPONENT = 64  # the largest power of a number an answer may write (k1^2 is the usual one)
_FORMULA_FUNCTIONS = {"floor": "floor", "ceil": "ceiling", "ceiling": "ceiling", "max": "Max", "Max": "Max",
                      "min": "Min", "Min": "Min"}


def parse_formula(text: str, where: str, limits: Limits = DEFAULT_LIMITS) -> Any:
    """A student's answer written as a formula ('25*k1*k2 + k2', '25·k1·k2 + k2', '⌊(n − 3)/2⌋ + 1') to SymPy.

    The answers file is someone else's text, so nothing in it is ever run as code: Python's parser
    only reads it into a syntax tree (SymPy's sympify would eval it, and an answer could then run
    any command), and the expression is built from that tree node by node, from numbers, letters,
    + − · / ^, brackets and floor/ceil/max/min alone. Numbers stay within the digits limit and
    powers small, so that an answer such as 9^9^9 is refused at once instead of computed for minutes.
    """
    import ast

    cleaned = (str(text).replace("·", "*").replace("×", "*").replace("^", "**").replace("−", "-")
               .replace("⌊", "floor(").replace("⌋", ")").replace("⌈", "ceiling(").replace("⌉", ")"))
    if len(cleaned) > MAX_FORMULA_LENGTH:
        raise SpecError(f"the answer is a formula of {len(cleaned):,} characters, too long to read",
                        hint=f"write it in at most {MAX_FORMULA_LENGTH:,} characters", where=where)
    try:
        tree = ast.parse(cleaned.strip(), mode="eval")
    except SyntaxError:
        raise SpecError(f"cannot read the formula {str(text)!r}", hint="write e.g. 25*k1*k2 + k2", where=where) from None
    try:
        import sympy
    except ImportError:
        raise SpecError(
            f"the answer {str(text)!r} is a formula, which needs SymPy",
            hint="install it with: pip install 'convcalc[symbolic]' (or write a number)",
            where=where,
        ) from None
    from .symbols import make_symbol

    def refuse(problem: str, hint: str) -> SpecError:
        return SpecError(f"the formula {str(text)!r} {problem}", hint=hint, where=where)

    def bounded(value: Any) -> Any:
        if getattr(value, "is_Integer", False) and int(value).bit_length() > max_bits(limits):
            raise refuse(f"makes a number of more than {limits.digits:,} digits", "write the answer as a formula with letters")
        return value

    def build(node: ast.AST) -> Any:
        if isinstance(node, ast.Constant) and type(node.value) is int:
            return bounded(sympy.Integer(node.value))
        if isinstance(node, ast.Name):
            return make_symbol(node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = build(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Pow)):
            left, right = build(node.left), build(node.right)
            if isinstance(node.op, ast.Pow):
                if right.is_Number and not (right.is_Integer and abs(int(right)) <= MAX_EXPONENT):
                    raise refuse(f"raises to the power {right}", f"an answer's powers are whole numbers up to {MAX_EXPONENT}, such as k1^2")
                return bounded(left**right)
            if isinstance(node.op, ast.Add):
                return bounded(left + right)
            if isinstance(node.op, ast.Sub):
                return bounded(left - right)
            if isinstance(node.op, ast.Mult):
                return bounded(left * right)
            if right == 0:
                raise refuse("divides by zero", "check the formula")
            return left / right if isinstance(node.op, ast.Div) else sympy.floor(left / right)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FORMULA_FUNCTIONS
                and node.args and not node.keywords):
            function = getattr(sympy, _FORMULA_FUNCTIONS[node.func.id])
            arguments = [build(argument) for argument in node.args]
            if function in (sympy.floor, sympy.ceiling) and len(arguments) != 1:
                raise refuse(f"gives {node.func.id} {len(arguments)} values", f"write {node.func.id}(x)")
            return function(*arguments)
        what = type(node.value).__name__ if isinstance(node, ast.Constant) else type(node).__name__
        raise refuse(f"holds something an answer cannot ({what})",
                     "use whole numbers, letters, + − · / ^, brackets, floor(), ceil(), max() and min()")

    from .errors import ArgError

    try:
        return build(tree.body)
    except ArgError as exc:  # a letter that cannot be a symbol
        raise SpecError(exc.problem, hint=exc.hint, where=where) from None
