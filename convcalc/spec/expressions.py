"""Template parameters: `$name` and `$(expression)` in a block's values, computed safely.

An expression is read with Python's parser and walked node by node over a whitelist (numbers,
names, arithmetic, comparisons, a few functions); every step stays within the digits limit, and
nothing runs.
"""

import re
import ast
import math
from functools import lru_cache
from typing import Any

from ..errors import SpecError, did_you_mean
from ..layers.args import FLOAT_EXACT, whole_as_written
from ..limits import DEFAULT_LIMITS, Limits, max_bits
from .records import MAPPINGS


class Env:
    """The values `$name` stands for: a template's parameters, or the copy number in a repeat."""

    __slots__ = ("values", "owner", "limits", "facts")

    def __init__(self, values: dict[str, Any] | None = None, owner: str | None = None, limits: Limits = DEFAULT_LIMITS,
                 facts: Any = None) -> None:
        self.values = {} if values is None else values
        self.owner = owner  # the template the values belong to, for messages
        self.limits = limits  # the digits limit bounds what an expression may compute
        self.facts = facts  # a template's input: called once, gives inputs.InputFacts ($in.channels)

    def input_fact(self, name: str, fail) -> Any:
        if self.facts is None:
            raise fail(f"'in.{name}' is used outside a block template", "$in stands for a template's input: write it inside blocks:")
        return self.facts().get(name, fail)


# --------------------------------------------------------------------------- parameters


_NAME = re.compile(r"in\.[A-Za-z_]\w*|[A-Za-z_]\w*")  # $in.channels: a fact of the template's input
_IN = re.compile(r"(?<![\w.])in(?=\s*\.)")  # `in.` in an expression ('in' is a Python keyword: read as _in_)


def _pieces(text: str, fail) -> list[tuple[int, int, str, str]]:
    """Each $-piece of text as (start, end, kind, body): kind '$', 'name' or 'expr'."""
    found = []
    at = text.find("$")
    while at != -1:
        nxt = text[at + 1 : at + 2]
        if nxt == "$":
            found.append((at, at + 2, "$", "$"))
            end = at + 2
        elif nxt in ("{", "("):
            close, depth, end = {"{": "}", "(": ")"}[nxt], 0, None
            for pos in range(at + 1, len(text)):
                if text[pos] == nxt:
                    depth += 1
                elif text[pos] == close:
                    depth -= 1
                    if depth == 0:
                        end = pos + 1
                        break
            if end is None:
                raise fail(f"'{text}' opens {'$' + nxt} without closing it", f"write ${nxt}…{close}")
            found.append((at, end, "expr", text[at + 2 : end - 1]))
        else:
            match = _NAME.match(text, at + 1)
            if not match:
                raise fail(f"'{text}' has a '$' not followed by a name", "write $name, $(expression), or $$ for a dollar sign")
            end = match.end()
            found.append((at, end, "name", match.group(0)))
        at = text.find("$", end)
    return found


_SCALARS = frozenset((int, float, bool, type(None)))  # values that hold no $: returned as they are


def substitute(value: Any, env: Env, fail) -> Any:
    """Replace `$name`, `$(expr)` / `${expr}` in every string of value; `$$` is a dollar sign.

    A string that is one piece alone keeps the value's type (a number stays a number)."""
    if type(value) is str:
        if "$" not in value:
            return value
    elif type(value) in _SCALARS:
        return value
    elif isinstance(value, MAPPINGS):
        _check_flow_split(value, fail)
        return {k: substitute(v, env, fail) for k, v in value.items()}
    elif isinstance(value, list):
        return [substitute(v, env, fail) for v in value]
    elif not isinstance(value, str) or "$" not in value:
        return value
    pieces = _pieces(value, fail)

    def one(kind: str, body: str) -> Any:
        if kind == "$":
            return "$"
        return _lookup(body, env, fail) if kind == "name" else evaluate(body, env, fail)

    if len(pieces) == 1 and pieces[0][0] == 0 and pieces[0][1] == len(value):
        return one(pieces[0][2], pieces[0][3])
    out, last, length = [], 0, len(value)
    for start, end, kind, body in pieces:
        piece = str(one(kind, body))
        length += len(piece)
        if length > len(value) + MAX_TEXT:  # '$p$p$p…' with a long p would multiply it
            raise fail(f"'{_brief(value)}' makes a text of more than {len(value) + MAX_TEXT:,} characters",
                       f"a text made from parameters is at most {MAX_TEXT:,} characters longer than it is written")
        out += [value[last:start], piece]
        last = end
    return "".join(out) + value[last:]


def _unclosed(text: str) -> bool:
    """True when a `$(` or `${` in text is never closed."""
    at = text.find("$")
    while at != -1:
        opener = text[at + 1 : at + 2]
        if opener in ("(", "{"):
            closer, depth = {"(": ")", "{": "}"}[opener], 0
            for pos in range(at + 1, len(text)):
                depth += (text[pos] == opener) - (text[pos] == closer)
                if depth == 0:
                    break
            else:
                return True
            at = text.find("$", pos + 1)  # past the closed piece: '$($($(…)))' is read once, not once per '$('
            continue
        at = text.find("$", at + 2)
    return False


def _check_flow_split(mapping: Any, fail) -> None:
    """`{filters: $(max(1, c // 4))}`: YAML ends a plain value at a comma inside {…}, so the
    expression arrives cut in two, its tail a key without a value. Say that, not 'unclosed $('."""
    items = list(mapping.items())
    for (key, text), (tail, rest) in zip(items, items[1:]):
        if type(text) is str and "$" in text and rest is None and isinstance(tail, str) and _unclosed(text):
            whole = f"{text}, {tail}"
            raise fail(
                f"YAML split '{key}: {whole}' at the comma: inside {{…}} a comma ends a value",
                f"quote the expression ({key}: '{whole}') or write the mapping one key per line",
            )


MAX_TEXT = 1000  # characters an expression's text may have: names and keywords are a few dozen


def _brief(text: str) -> str:
    return text if len(text) <= 60 else text[:60] + "…"


def _lookup(name: str, env: Env, fail) -> Any:
    if name.startswith("in."):
        return env.input_fact(name[3:], fail)
    if name == "in":
        raise fail("'$in' is the template's input: write one of its facts", "e.g. $in.channels, $in.height, $in.width")
    if name in env.values:
        return env.values[name]
    if env.owner is None and not env.values:
        raise fail(f"'${name}' is used outside a block template", "$name stands for a parameter of a block in blocks: (write $$ for a dollar sign)")
    known = ", ".join(f"${k}" for k in env.values)
    where = f"block '{env.owner}'" if env.owner else "this repeat"
    raise fail(f"'${name}' is not a parameter of {where}", did_you_mean(name, env.values) or f"its parameters are: {known}")


_OPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: lambda a, b: a % b,
    ast.Pow: lambda a, b: a**b,
}
_SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**"}
_COMPARE = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
}


def _make_divisible(value: Any, divisor: Any, min_value: Any = None) -> int:
    """torchvision's _make_divisible (MobileNet, EfficientNet): value rounded to the nearest
    multiple of divisor, at least min_value (default divisor), never more than 10% below value.
    Exact for integers; a float value follows the float arithmetic torchvision does."""
    if isinstance(divisor, bool) or not isinstance(divisor, int) or divisor < 1:
        raise ValueError(f"make_divisible needs a whole divisor ≥ 1, got {divisor!r}")
    least = divisor if min_value is None else min_value
    if isinstance(value, int):
        rounded = max(least, (value + divisor // 2) // divisor * divisor)
        return rounded + divisor if 10 * rounded < 9 * value else rounded
    rounded = max(least, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def _numbers(name: str, values: list[Any]) -> list[Any]:
    for v in values:
        if isinstance(v, bool) or not (isinstance(v, (int, float)) or _is_fraction(v)):
            raise TypeError(f"{name}() takes numbers, got {v!r}")
    return values


# The functions an expression may call: name -> (fewest arguments, most arguments, function).
FUNCTIONS = {
    "max": (2, None, max),
    "min": (2, None, min),
    "round": (1, 2, round),  # Python's: halves go to the even neighbour, round(2.5) == 2
    "int": (1, 1, int),  # towards zero, as Python's int()
    "ceil": (1, 1, math.ceil),
    "floor": (1, 1, math.floor),
    "make_divisible": (2, 3, _make_divisible),
}
FUNCTION_NAMES = ", ".join(FUNCTIONS)
_TO_INTEGER = frozenset(("round", "int", "ceil", "floor", "make_divisible"))  # a float in, an integer out


@lru_cache(maxsize=1024)
def _parse(text: str) -> ast.Expression:
    """Parsed once per distinct text: a template's expressions come back in every copy of it."""
    return ast.parse(text, mode="eval")


def _exact(value: Any) -> bool:
    return (type(value) is int) or _is_fraction(value)


def _is_fraction(value: Any) -> bool:
    return type(value).__name__ == "Fraction" and type(value).__module__ == "fractions"  # without importing fractions


def _too_many_digits_for_power(base: Any, exponent: Any, limits: Limits) -> bool:
    """base ** exponent has more digits than the limit, told before computing it (9 ** 9 ** 9 has
    369 million digits: computing it first would take minutes)."""
    if _is_fraction(base):
        base = max(abs(base.numerator), base.denominator)
    if type(base) is not int or type(exponent) is not int or exponent <= 1 or abs(base) <= 1:
        return False
    return (abs(base).bit_length() - 1) * exponent > max_bits(limits)  # a lower bound on its bits


def evaluate(text: str, env: Env, fail) -> Any:
    """A small, safe expression on parameters: + - * // % **, /, comparisons, and/or/not, a if c else b."""
    source = _IN.sub("_in_", text.strip()) if "in" in text else text.strip()
    try:
        tree = _parse(source)
    except SyntaxError:
        raise fail(f"cannot read the expression '{text}'", "write e.g. ${filters * 4} or ${2 if i == 0 else 1}") from None

    def ev(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and type(node.value) is float:
            return _float_literal(node)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool)):
            return node.value
        if isinstance(node, ast.Name):
            if node.id in ("true", "false"):
                return node.id == "true"
            return _lookup("in" if node.id == "_in_" else node.id, env, fail)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "_in_":
            return env.input_fact(node.attr, fail)
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and not isinstance(node.slice, ast.Slice):
            listed, at = ev(node.value), ev(node.slice)  # in.shape[0], in.spatial[-1]
            if not isinstance(listed, list) or type(at) is not int:
                return _bad(node)
            if not -len(listed) <= at < len(listed):
                raise fail(f"'{text}': {_piece(node.value)} has {len(listed)} entries, no [{at}]",
                           f"index from 0 to {len(listed) - 1} (or -1 for the last)")
            return listed[at]
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            left, right = ev(node.left), ev(node.right)
            if isinstance(left, str) or isinstance(right, str):
                return _text(node.op, left, right)
            if isinstance(node.op, ast.Pow) and _too_many_digits_for_power(left, right, env.limits):
                raise fail(f"'{text}' makes a number of more than {env.limits.digits:,} digits",
                           "if the spec is really meant to be this large, raise it with --limit digits=N")
            return _bounded(_OPS[type(node.op)](left, right))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            left, right = ev(node.left), ev(node.right)
            if isinstance(left, int) and isinstance(right, int) and right and left % right == 0:
                return left // right
            if _exact(left) and _exact(right) and right:
                from fractions import Fraction  # exact, so that ceil(c / 3) stays exact past 2**53

                return Fraction(left) / Fraction(right)
            return left / right
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd, ast.Not)):
            operand = ev(node.operand)
            return -operand if isinstance(node.op, ast.USub) else (not operand if isinstance(node.op, ast.Not) else operand)
        if isinstance(node, ast.BoolOp):
            values = [ev(v) for v in node.values]
            return all(values) if isinstance(node.op, ast.And) else any(values)
        if isinstance(node, ast.Compare):
            left = ev(node.left)
            for op, right_node in zip(node.ops, node.comparators):
                right = ev(right_node)
                if type(op) not in _COMPARE or not _COMPARE[type(op)](left, right):
                    return False if type(op) in _COMPARE else _bad(node)
                left = right
            return True
        if isinstance(node, ast.IfExp):
            return ev(node.body) if ev(node.test) else ev(node.orelse)
        if isinstance(node, ast.Call):
            return call(node)
        return _bad(node)

    def call(node: ast.Call) -> Any:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            raise fail(f"'{text}' calls {_piece(node.func)}(), which spec expressions do not have",
                       f"the functions are {FUNCTION_NAMES}")
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise fail(f"'{text}' gives {name}() a named or starred argument", f"write {name}(a, b) with plain values")
        least, most, function = FUNCTIONS[name]
        count = len(node.args)
        if count < least or (most is not None and count > most):
            wanted = f"{least}" if least == most else f"{least} or more" if most is None else f"{least} to {most}"
            raise fail(f"'{text}' gives {name}() {count} argument{'s' if count != 1 else ''}; it takes {wanted}")
        values = _numbers(name, [ev(a) for a in node.args])
        if name in _TO_INTEGER and not (name == "round" and count == 2):
            _whole_float(name, values[0])
        if name == "round" and count == 2 and type(values[1]) is int and abs(values[1]) > env.limits.digits:
            # round(5, -10**9) works out 10**(10**9) first: minutes, for a number that is 0
            raise fail(f"'{text}' rounds to {values[1]:,} digits", f"round to at most {env.limits.digits:,} digits either way")
        return _bounded(function(*values))

    def _float_literal(node: ast.Constant) -> float:
        """A number written with a point or an exponent is a float, as in Python; but one whose float is
        whole while the number written is another (1e23 reads as 99,999,999,999,999,991,611,392;
        4.0000000000000001 as 4.0) would pass for an integer it is not, as sizes never may."""
        value, written = node.value, _piece(node)
        if math.isfinite(value) and value.is_integer():
            if not whole_as_written(written):
                raise fail(f"'{text}': {written} is not whole, though the float it reads as ({value!r}) is",
                           "write the number you mean (a float holds 15 digits)")
            from decimal import Decimal  # only for a literal that is whole: the number written, exactly

            exact = int(Decimal(written.replace("_", "")))
            if exact != int(value):
                power = len(str(exact)) - 1
                integer = f"10**{power}" if exact == 10**power else str(exact)
                raise fail(f"'{text}': {written} is a float, which reads as {int(value):,}, not {exact:,}",
                           f"write it as an integer, {integer}: a float holds 15 digits")
        return value

    def _whole_float(name: str, value: Any) -> None:
        """int(), round(), floor(), ceil() and make_divisible() of a float past 10^15 would make an
        integer the float only approximates (int(1e23) is 99,999,999,999,999,991,611,392): refused,
        as a size written as such a float is."""
        if type(value) is float and math.isfinite(value) and abs(value) > FLOAT_EXACT:
            exactly = f" (exactly {int(value):,})" if value.is_integer() else ""
            raise fail(f"'{text}': {name}() of the float {value!r}{exactly}: past 10^15 a float may not be the number meant",
                       "compute it with integers: 10**23 rather than 1e23, a // b rather than a / b")

    def _text(op: ast.operator, left: Any, right: Any) -> str:
        """'a' + 'b' and 'ab' * 3 with the length told before the text is made ('a' * 3000000000)."""
        if isinstance(op, ast.Add) and isinstance(left, str) and isinstance(right, str):
            length = len(left) + len(right)
        elif isinstance(op, ast.Mult) and isinstance(left, str) != isinstance(right, str) and (
                type(left) is int or type(right) is int):
            word, times = (left, right) if isinstance(left, str) else (right, left)
            length = len(word) * max(times, 0)
        else:  # 'a' - 1, '%d' % 5 (formatting could pad to any width), 'a' ** 2
            raise fail(f"'{text}' uses {_SYMBOLS[type(op)]} on a text", "texts join with + and repeat with * a whole number")
        if length > MAX_TEXT:
            raise fail(f"'{text}' makes a text of {length:,} characters", f"a text an expression makes is at most {MAX_TEXT:,} characters")
        return _OPS[type(op)](left, right)

    def _bounded(result: Any) -> Any:
        """Every step stays within the digits limit: a product of products would grow without end."""
        widest = max(abs(result.numerator), result.denominator) if _is_fraction(result) else result
        if type(widest) is int and widest.bit_length() > max_bits(env.limits):
            raise fail(f"'{text}' makes a number of more than {env.limits.digits:,} digits",
                       "if the spec is really meant to be this large, raise it with --limit digits=N")
        return result

    def _piece(node: ast.AST) -> str:
        """The part of the expression as written (the spec's words, not the parser's)."""
        piece = ast.get_source_segment(source, node) or type(node).__name__
        return piece.replace("_in_", "in") if source != text.strip() else piece

    def _bad(node: ast.AST) -> Any:
        piece = _piece(node)
        problem = f"'{text}' is not a spec expression" if piece == text.strip() else f"'{text}' uses '{piece}', which a spec expression does not allow"
        raise fail(problem,
                   f"use numbers, parameters, + - * / // % **, comparisons, and/or/not, 'a if c else b' and {FUNCTION_NAMES}")

    try:
        result = ev(tree)
        if _is_fraction(result):  # a whole fraction is that integer (10**23 / 3 * 3); any other reads as before: a float
            return result.numerator if result.denominator == 1 else float(result)
        return result
    except SpecError:
        raise
    except (ArithmeticError, TypeError, ValueError) as exc:
        raise fail(f"cannot compute '{text}': {exc}") from None
