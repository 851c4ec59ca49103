"""A student's answer written as a formula, read into SymPy without ever running it."""
from __future__ import annotations

from typing import Any

from ..errors import SpecError
from ..limits import DEFAULT_LIMITS, Limits, max_bits


MAX_FORMULA_LENGTH = 1000  # characters of a student's formula: 25*k1*k2 + 10*k1 + k2 has 22
MAX_EXPONENT = 64  # the largest power of a number an answer may write (k1^2 is the usual one)
MAX_DEGREE = 64  # the largest degree of an answer in its letters (25·k1·k2 + k2 has 2)
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
    _check_degree(tree.body, str(text), where)
    try:
        import sympy
    except ImportError:
        raise SpecError(
            f"the answer {str(text)!r} is a formula, which needs SymPy",
            hint="install it with: pip install 'convcalc[symbolic]' (or write a number)",
            where=where,
        ) from None
    from ..symbols import make_symbol

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

    from ..errors import ArgError

    try:
        return build(tree.body)
    except ArgError as exc:  # a letter that cannot be a symbol
        raise SpecError(exc.problem, hint=exc.hint, where=where) from None


def _check_degree(root: Any, text: str, where: str) -> None:
    """The answer's degree in its letters, bounded before anything is built: comparing answers puts
    sizes up to 10^9 in for the letters, and ((((n^64)^64)^64)^64)^64 (degree 64^5) or 2^n would
    make numbers of billions of digits there. A bound from the syntax alone: a sum has the largest
    degree of its terms, a product or quotient their sum, a power its base's times the exponent."""
    import ast

    def degree(node: ast.AST) -> int:
        if isinstance(node, ast.Name):
            return 1
        if isinstance(node, ast.UnaryOp):
            return degree(node.operand)
        if isinstance(node, ast.BinOp):
            left = degree(node.left)
            if isinstance(node.op, ast.Pow):
                if degree(node.right):
                    raise SpecError(f"the formula {text!r} raises to a power with letters in it",
                                    hint=f"an answer's powers are whole numbers up to {MAX_EXPONENT}, such as k1^2", where=where)
                exponent = _constant_int(node.right)  # else a sum of numbers, at most MAX_EXPONENT (build() checks)
                found = left * (MAX_EXPONENT if exponent is None else min(abs(exponent), MAX_DEGREE + 1))
            elif isinstance(node.op, (ast.Add, ast.Sub)):
                found = max(left, degree(node.right))
            else:
                found = left + degree(node.right)
        elif isinstance(node, ast.Call):
            found = max((degree(argument) for argument in node.args), default=0)
        else:  # a number, or something build() refuses with its own message
            return 0
        if found > MAX_DEGREE:
            raise SpecError(f"the formula {text!r} has a degree of more than {MAX_DEGREE} in its letters",
                            hint="a network's counts are polynomials of small degree, such as 25·k1·k2 + k2 (degree 2)", where=where)
        return found

    degree(root)


def _constant_int(node: Any) -> int | None:
    """The whole number an exponent is written as (3, -2, +4), or None."""
    import ast

    sign = 1
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        sign = -sign if isinstance(node.op, ast.USub) else sign
        node = node.operand
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return sign * node.value
    return None
