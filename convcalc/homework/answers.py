"""A student's answer read as it was written: '34,944', '375.000', '5x5x100x150 + 150', '54.25', '4/3 + 1'.

Numbers and arithmetic are read here without SymPy, exactly (a decimal or a fraction is a
``Fraction``, never a float); only an answer with a letter in it ('25*k1*k2 + k2') goes to
:func:`formulas.parse_formula` and needs SymPy. Nothing is ever run: the text is read into a
syntax tree and evaluated node by node. An answer that cannot be read is a :class:`Reading` with
a ``problem``, so that the rest of the sheet is still marked.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..arith import fmt, is_int
from ..errors import SpecError
from ..layers.args import foreign_digits
from ..limits import DEFAULT_LIMITS, Limits, max_bits

MAX_ANSWER_LENGTH = 1000  # characters: '5*5*100*150 + 150' has 17
MAX_EXPONENT = 64
_SEPARATED = re.compile(r"\d+(?:[,.'’_ ]\d+)*")  # digits with single separators between groups
_TIMES = re.compile(r"(?<=[\d)\]])\s*[xX]\s*(?=[\d(\[A-Za-z])|\s+[xX]\s+")  # 5x5, 5 x k1, (n − 2)x3
_SYMBOLS = str.maketrans({"·": "*", "⋅": "*", "∙": "*", "•": "*", "×": "*", "−": "-", "–": "-", "÷": "/", "^": "**",
                          "⌊": "floor(", "⌋": ")", "⌈": "ceil(", "⌉": ")"})
_FUNCTIONS = {"floor", "ceil", "ceiling", "max", "min"}


@dataclass(frozen=True)
class Reading:
    """One answer as read: its exact value (int, Fraction or SymPy), or why it cannot be read.

    ``other`` is the second reading of an ambiguous number ('375.000' is 375,000 as a count but
    375 as a decimal); ``note`` says which reading was taken.
    """

    written: str
    value: Any = None
    other: Any = None
    note: str = ""
    problem: str = ""
    tolerance: Any = None  # an answer rounded as written ('3.2M', '93 MB'): how far from its value it may be

    @property
    def readable(self) -> bool:
        return not self.problem

    def matches(self, right: Any, same) -> bool:
        """True when a reading is the right value: exactly, or within the rounding of a '3.2M'."""
        if self.tolerance is not None:
            return is_int(right) and any(abs(value - right) <= self.tolerance for value in self.values)
        return any(same(value, right) for value in self.values)

    @property
    def values(self) -> tuple[Any, ...]:
        return (self.value,) if self.other is None else (self.value, self.other)


def written_text(answer: Any) -> str:
    """An answer as the student wrote it, for the verdict line."""
    if isinstance(answer, bool):
        return str(answer).lower()
    if is_int(answer):
        return fmt(answer)
    if isinstance(answer, float):
        return getattr(answer, "text", None) or repr(answer)
    if isinstance(answer, (list, tuple)):
        return "(" + ", ".join(written_text(a) for a in answer) + ")"
    return str(answer).strip()


def read_answer(answer: Any, what: str = "count", limits: Limits = DEFAULT_LIMITS, letters: Any = None) -> Reading:
    """A number, a formula or text to its exact value; ``what`` is 'count' (params, MACs) or
    'size' (one axis of a shape), which decides how an ambiguous '375.000' is read. ``letters``:
    the spec's symbols, when known; a formula with any other letter cannot be read."""
    written = written_text(answer)
    if isinstance(answer, bool):
        return Reading(written, problem=f"{written} is not a number")
    if is_int(answer):
        return Reading(written, answer)
    if answer is None or isinstance(answer, (list, tuple, dict)):
        return Reading(written, problem="a list or mapping where one number belongs" if answer is not None else "the answer is empty")
    text = written
    if not text:
        return Reading(written, problem="the answer is empty")
    if len(text) > MAX_ANSWER_LENGTH:
        return Reading(written[:40] + " …", problem=f"the answer has {len(text):,} characters, more than {MAX_ANSWER_LENGTH:,}")
    problem = foreign_digit_problem(text)
    if problem:
        return Reading(written, problem=problem)
    try:
        return _read_text(text, what, limits, letters)
    except _Unreadable as exc:
        return Reading(written, problem=str(exc))


def foreign_digit_problem(text: str) -> str:
    """The spec's rule for digits, in answers too: '٣٤٩٤٤' and '３２' are refused, the digit named, as
    sizes written so are (never read as some number: '٣.٢M' was about 3,200,000); '' when all are 0-9."""
    foreign = foreign_digits(text)
    if foreign is None:
        return ""
    problem, ascii_form = foreign
    return f"{problem}: write answers with 0-9" + (f", as in {ascii_form}" if ascii_form else "")


class _Unreadable(Exception):
    pass


_ROUNDED = re.compile(r"^[~≈]?\s*(\d+(?:[.,]\d+)?)\s*((?:k|K|M|G|T)(?!i?B)|thousand|million|billion)?\s*"
                      r"(B|bytes?|kB|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?$")
_SCALES = {"k": 10**3, "K": 10**3, "thousand": 10**3, "M": 10**6, "million": 10**6, "G": 10**9, "billion": 10**9,
           "T": 10**12}
_BYTES = {"B": 1, "byte": 1, "bytes": 1, "kB": 10**3, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
          "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}
_BINARY = {"KB": 2**10, "MB": 2**20, "GB": 2**30, "TB": 2**40}  # 'MB' as many write it: 2^20


def _rounded(text: str) -> Reading | None:
    """'3.2M', '138 million', '93MB', '12.3 MiB': a number rounded as written, with its tolerance
    (half a unit of its last written digit); 'MB' is also read as 2^20 bytes. None for anything else."""
    match = _ROUNDED.match(text.strip())
    if match is None or not (match.group(2) or match.group(3)):
        return None
    digits, scale, unit = match.groups()
    digits = digits.replace(",", ".")
    places = len(digits.partition(".")[2])
    factor = _SCALES.get(scale or "", 1) * _BYTES.get(unit or "B", 1)
    number = Fraction(digits)
    other = None
    if unit in _BINARY:
        other = number * _SCALES.get(scale or "", 1) * _BINARY[unit]
    exact = (number * factor).denominator == 1 and not places and not scale and unit in (None, "B", "byte", "bytes")
    tolerance = None if exact else Fraction(factor, 2 * 10**places)
    if other is not None and tolerance is not None:
        tolerance = max(tolerance, Fraction(_BINARY[unit] * _SCALES.get(scale or "", 1), 2 * 10**places))
    value = _tidy(number * factor)
    note = "" if tolerance is None else f"{text} read as about {_about(value)}"
    if other is not None:
        note += f" (or {_about(_tidy(other))}: {unit} as 2^{_BINARY[unit].bit_length() - 1})"
    return Reading(text, value, None if other is None else _tidy(other), note=note, tolerance=tolerance)


def _about(value: Any) -> str:
    return f"{value:,}" if is_int(value) else f"{round(value):,}"


def _read_text(text: str, what: str, limits: Limits, letters: Any = None) -> Reading:
    rounded = _rounded(text)
    if rounded is not None:
        return rounded
    cleaned = _TIMES.sub("*", text.translate(_SYMBOLS)).replace("≈", "")
    calls = re.search(r"[A-Za-z_]\w*\s*\(", cleaned) is not None  # max(3,4): a comma there separates arguments
    pattern = re.compile(r"\d+(?:[.'’_ ]\d+)*") if calls else _SEPARATED
    notes: list[str] = []
    ambiguous = False

    def reading(second: bool):
        def number(match: re.Match) -> str:
            nonlocal ambiguous
            first, other, note = _number_token(match.group(), what)
            if note and not second:
                notes.append(note)
            ambiguous = ambiguous or other is not None
            return other if second and other is not None else first
        return number

    canonical = pattern.sub(reading(False), cleaned)
    try:
        tree = ast.parse(canonical.strip(), mode="eval")
    except SyntaxError:
        raise _Unreadable(f"cannot read {text!r} as a number or a formula") from None
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)} - _FUNCTIONS
    if names and letters is not None and not names <= set(letters):
        strange = sorted(names - set(letters))
        known = f"its letters are {', '.join(sorted(letters))}" if letters else "every size in it is a number"
        raise _Unreadable(f"{', '.join(strange)} {'is' if len(strange) == 1 else 'are'} not a size of this spec ({known})")
    if names:
        from .formulas import parse_formula  # a letter: a formula, which needs SymPy

        try:
            value = parse_formula(re.sub(r"\bceil\(", "ceiling(", canonical), "expect", limits)
        except SpecError as exc:
            raise _Unreadable(exc.problem + (f"; {exc.hint}" if exc.hint else "")) from None
        return Reading(text, value, note="; ".join(notes))
    value = _tidy(_evaluate(tree.body, text, limits))
    other = None
    if ambiguous:
        try:
            other = _tidy(_evaluate(ast.parse(pattern.sub(reading(True), cleaned).strip(), mode="eval").body, text, limits))
        except (SyntaxError, _Unreadable):
            other = None
    return Reading(text, value, other, "; ".join(notes))


def _number_token(token: str, what: str) -> tuple[str, str | None, str]:
    """One run of digits and separators to Python number text, the other reading of an ambiguous
    one, and a note: '4,900' → 4900; '54,25' → 54.25; '375.000' → 375000 for a count (or 375.000
    for a size), with the other reading kept."""
    if token.isdigit():
        return token, None, ""
    groups = re.split(r"[,.'’_ ]", token)
    separators = re.findall(r"[,.'’_ ]", token)
    thousands = len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])
    kinds = set(separators)
    if kinds <= {"'", "’", "_", " "}:
        if not (thousands or "_" in kinds):
            raise _Unreadable(f"cannot read {token!r}: digits are grouped in threes ('34 944')")
        return "".join(groups), None, ""
    if kinds == {",", "."} or len(kinds - {"'", "’", "_", " "}) == 2:
        decimal = separators[-1]
        if separators.count(decimal) != 1 or not all(len(g) == 3 for g in groups[1:-1]) or len(groups[0]) > 3:
            raise _Unreadable(f"cannot read {token!r}: it mixes ',' and '.' in a way that is not a number")
        return _decimal("".join(groups[:-1]), groups[-1]), None, ""
    mark = separators[0]
    if mark == "," and (thousands and len(groups) >= 2):
        return "".join(groups), None, ""
    if mark == ",":
        if len(groups) == 2:  # 54,25: a decimal comma
            return _decimal(groups[0], groups[1]), None, f"{token} read as {groups[0]}.{groups[1]} (a decimal comma)"
        raise _Unreadable(f"cannot read {token!r}: thousands are groups of three digits ('375,000')")
    # '.' only
    if len(groups) == 2 and not (thousands and what == "count"):
        if thousands:  # 2.333 as a size: a decimal, though it could be 2,333
            return _decimal(*groups), "".join(groups), ""
        return _decimal(*groups), None, ""
    if thousands:
        joined = "".join(groups)
        if len(groups) == 2:  # 375.000 as a count: thousands (as the seed question writes them), or 375
            return joined, _decimal(*groups), f"{token} read as {int(joined):,} (a dot between thousands)"
        return joined, None, f"{token} read as {int(joined):,} (a dot between thousands)"
    raise _Unreadable(f"cannot read {token!r} as a number")


def _tidy(value: Fraction) -> int | Fraction:
    return value.numerator if value.denominator == 1 else value


def _evaluate(node: ast.AST, text: str, limits: Limits) -> Fraction:
    """Whole numbers, decimals, + − × / // ^, brackets and floor/ceil/max/min, exactly."""
    bits = max_bits(limits)

    def bounded(value: Fraction) -> Fraction:
        if max(abs(value.numerator), value.denominator).bit_length() > bits:
            raise _Unreadable(f"{text!r} makes a number of more than {limits.digits:,} digits")
        return value

    def walk(node: ast.AST) -> Fraction:
        if isinstance(node, ast.Constant) and type(node.value) is int:
            return bounded(Fraction(node.value))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = walk(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Pow)):
            left, right = walk(node.left), walk(node.right)
            if isinstance(node.op, ast.Pow):
                if right.denominator != 1 or abs(right) > MAX_EXPONENT:
                    raise _Unreadable(f"{text!r} raises to the power {right}: powers are whole numbers up to {MAX_EXPONENT}")
                if left == 0 and right < 0:
                    raise _Unreadable(f"{text!r} divides by zero")
                return bounded(left ** int(right))
            if isinstance(node.op, (ast.Div, ast.FloorDiv)) and right == 0:
                raise _Unreadable(f"{text!r} divides by zero")
            if isinstance(node.op, ast.Add):
                return bounded(left + right)
            if isinstance(node.op, ast.Sub):
                return bounded(left - right)
            if isinstance(node.op, ast.Mult):
                return bounded(left * right)
            return bounded(left / right) if isinstance(node.op, ast.Div) else Fraction(left // right)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS
                and node.args and not node.keywords):
            values = [walk(argument) for argument in node.args]
            name = node.func.id
            if name in ("floor", "ceil", "ceiling"):
                if len(values) != 1:
                    raise _Unreadable(f"{text!r} gives {name} {len(values)} values")
                whole = values[0].numerator // values[0].denominator
                return Fraction(whole if name == "floor" or values[0].denominator == 1 else whole + 1)
            return max(values) if name == "max" else min(values)
        raise _Unreadable(f"cannot read {text!r}: an answer holds numbers, + − × / ^, brackets, floor() and ceil()")

    return walk(node)


def _decimal(whole: str, fraction: str) -> str:
    """'54', '25' to '(5425/100)': a decimal read exactly, never through a float."""
    return f"({whole}{fraction}/1{'0' * len(fraction)})"
