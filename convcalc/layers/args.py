"""How a layer kind reads each of its arguments: sizes, paddings, flags, rates, target shapes.

Each checker takes the value as written and the argument's name, and returns the checked value
or raises ArgError; the registry turns that into a SpecError that names the layer.
"""

import re
from collections.abc import Callable
from typing import Any, NamedTuple

from ..arith import Size, is_int
from ..errors import ArgError


REQUIRED = object()
_SYMBOL = r"^[A-Za-z_][A-Za-z0-9_]*$"  # compiled on first use (re caches it): only a spec with symbols needs it
_NOT_SYMBOLS = {"same", "valid", "full", "causal", "true", "false", "yes", "no", "none", "null", "on", "off"}


def _symbol(text: str) -> Size:
    from ..symbols import make_symbol  # SymPy is only loaded for a spec that has symbols

    return make_symbol(text)


def _plain_int(value: Any, what: str, minimum: int) -> Size:
    is_symbol = isinstance(value, str) and bool(re.match(_SYMBOL, value)) and value.lower() not in _NOT_SYMBOLS
    if isinstance(value, bool) or not (is_int(value) or is_symbol):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise ArgError(f"{what} must be an integer ≥ {minimum}, got {value!r}")
    if isinstance(value, str):
        return _symbol(value)
    if value < minimum:
        raise ArgError(f"{what} must be an integer ≥ {minimum}, got {value}")
    return value


def positive(value: Any, what: str) -> Size:
    """A count or size that must be at least 1 (or a symbol such as k1)."""
    return _plain_int(value, what, 1)


def non_negative(value: Any, what: str) -> Size:
    return _plain_int(value, what, 0)


def size_words(text: str, *, negative: bool = False) -> list[str] | None:
    """'3x3', '32 x 32 x 3', '3,5', 'nxm' to their parts, or None when the text is no such list.

    Split first, then each part checked: one pattern with a repeated group (x is both a separator
    and a word character) took exponential time on '1x1x…x1!', 0.7 s at 22 parts, hours at 40.
    """
    parts = re.split(r"\s*[x×,]\s*", text.strip())
    if len(parts) < 2:
        return None
    for position, part in enumerate(parts):
        word = part[1:] if negative and position and part.startswith("-") else part
        if not word or not re.fullmatch(r"\w+", word):
            return None
    return parts


def _size_list(value: Any, what: str, element: Callable[[Any, str], Size]) -> tuple[Size, ...] | Size:
    words = size_words(value) if isinstance(value, str) else None
    if words is not None:
        value = [int(v) if v.isdigit() else v for v in words]
    if isinstance(value, (list, tuple)):
        if not value:
            raise ArgError(f"{what} must not be an empty list")
        return tuple(element(v, what) for v in value)
    return element(value, what)


def sizes(value: Any, what: str) -> tuple[Size, ...] | Size:
    """An int ≥ 1 or one per spatial axis, e.g. 3, [3, 5] or '3x5'."""
    return _size_list(value, what, positive)


def offsets(value: Any, what: str) -> tuple[Size, ...] | Size:
    """An int ≥ 0 or one per spatial axis (output_padding)."""
    return _size_list(value, what, non_negative)


def padding(value: Any, what: str) -> Any:
    """'same', 'valid', an int, one per axis, or one [before, after] pair per axis."""
    if isinstance(value, str) and value.strip().lower() in ("same", "valid"):
        return value.strip().lower()
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, (list, tuple)) for v in value):
        pairs = []
        for pair in value:
            if len(pair) != 2:
                raise ArgError(f"{what} pairs must be [before, after], got {list(pair)!r}")
            pairs.append((non_negative(pair[0], what), non_negative(pair[1], what)))
        return ("pairs", tuple(pairs))
    try:
        return _size_list(value, what, non_negative)
    except ArgError:
        raise ArgError(
            f"{what} must be 'same', 'valid', an integer ≥ 0, one per axis, or [before, after] pairs; got {value!r}"
        ) from None


def flag(value: Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    raise ArgError(f"{what} must be true or false, got {value!r}")


def rate(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ArgError(f"{what} must be a number from 0 up to (not including) 1, got {value!r}")
    return float(value)


def number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ArgError(f"{what} must be a number, got {value!r}")
    return float(value)


def integer(value: Any, what: str) -> int:
    if isinstance(value, bool) or not is_int(value):
        raise ArgError(f"{what} must be an integer, got {value!r}")
    return value


def optional_integer(value: Any, what: str) -> int | None:
    return None if value is None else integer(value, what)


def dims(value: Any, what: str) -> tuple[Size, ...]:
    """A target shape such as [7, 7, 64]; one entry may be -1 (inferred)."""
    if isinstance(value, str):
        value = _size_list(value, what, lambda v, w: v)
    if not isinstance(value, (list, tuple)) or not value:
        raise ArgError(f"{what} must be a list of sizes such as [7, 7, 64], got {value!r}")
    return tuple(-1 if v == -1 else positive(v, what) for v in value)


class Arg(NamedTuple):
    """One argument a layer kind takes: its name, how its value is checked, its default."""

    name: str
    parse: Callable[[Any, str], Any]
    default: Any = REQUIRED
    doc: str = ""
    shown_default: str | None = None  # how the docs write a default computed from other arguments

    @property
    def required(self) -> bool:
        return self.default is REQUIRED
