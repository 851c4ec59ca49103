"""How a layer kind reads each of its arguments: sizes, paddings, flags, rates, target shapes.

Each checker takes the value as written and the argument's name, and returns the checked value
or raises ArgError; the registry turns that into a SpecError that names the layer.

A size is an exact integer: an int, a float only when it is a whole number of at most 15 digits
(a double holds every such number and reads back as written, sys.float_info.dig = 15; past that the
float may not be the number written: 9007199254740993.0 reads as 9007199254740992.0, and 1.0e+23 as
99,999,999,999,999,991,611,392), digits 0-9 as text, or a symbol (:mod:`convcalc.symbols` says which names are symbols).
"""

import math
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

from ..arith import Size, is_int
from ..errors import ArgError, did_you_mean


REQUIRED = object()

# --------------------------------------------------------------------------- which names are symbols
#
# The rule (the spec format's "Symbols" section): a name written where a size belongs is a symbol when
# the spec declares it (a top-level `symbols: [n, width]` list, inline `symbols=n,width`: then those are
# its only symbols) or, in a spec that declares none, when it has a textbook symbol's shape: one ASCII
# letter, optionally followed by digits (n, m, k1, W1, D1). Any other name in a size is an error with a
# did-you-mean (a misspelt keyword such as `samee` never passes for a size), with or without SymPy.

SYMBOL_RULE = "one letter, optionally followed by digits (n, m, k1, W1)"
# Never symbols, even when declared: keywords of arguments, YAML's literals, the input's own name.
RESERVED = frozenset({"same", "valid", "full", "causal", "true", "false", "yes", "no", "none", "null", "on", "off",
                      "input", "inf", "nan"})
_READING = threading.local()  # .declared: the names the spec being read declares (None: it declares none)


def textbook_shaped(text: str) -> bool:
    """'n', 'k1', 'W1': one ASCII letter, then ASCII digits only."""
    return bool(text) and text[0].isascii() and text[0].isalpha() and (len(text) == 1 or (text[1:].isascii() and text[1:].isdigit()))


def is_symbol(text: str) -> bool:
    """Whether a name written where a size belongs means a symbol, under the spec being read."""
    declared = declared_symbols()
    if declared is not None:
        return text in declared
    return textbook_shaped(text)


def declared_symbols() -> frozenset[str] | None:
    """The names the spec being read declares (None when it declares none)."""
    return getattr(_READING, "declared", None)


def valid_declaration(name: str) -> bool:
    """A name a spec may declare as a symbol: letters, digits and _, starting with a letter, not a keyword."""
    return (bool(name) and name.isascii() and name[0].isalpha() and name.replace("_", "a").isalnum()
            and name.lower() not in RESERVED)


@contextmanager
def declaring(names: Iterable[str] | None) -> Iterator[None]:
    """Read a spec with these declared symbols (None: the textbook shape decides)."""
    before = declared_symbols()
    _READING.declared = None if names is None else frozenset(names)
    try:
        yield
    finally:
        _READING.declared = before

FLOAT_EXACT = 10**15  # the largest whole float taken as a size: every number of 15 digits reads back as written
PADDING_WORDS = ("same", "valid", "full")


def _symbol(text: str) -> Size:
    from ..symbols import make_symbol  # SymPy is only loaded for a spec that has symbols

    return make_symbol(text)


def _plain_int(value: Any, what: str, minimum: int, keywords: tuple[str, ...] = ()) -> Size:
    if isinstance(value, str):
        return _size_text(value, what, minimum, keywords)
    if isinstance(value, float) and not isinstance(value, bool):
        value = _float_size(value, what, minimum)
    if isinstance(value, bool) or not is_int(value):
        raise ArgError(f"{what} must be an integer ≥ {minimum}, got {value!r}")
    if value < minimum:
        raise ArgError(f"{what} must be an integer ≥ {minimum}, got {value}")
    return value


def _float_size(value: float, what: str, minimum: int) -> Any:
    """A float that is a whole number of at most 15 digits is that number; any other float is refused."""
    if not math.isfinite(value) or not value.is_integer():
        raise ArgError(f"{what} must be an integer ≥ {minimum}, got {value!r}")
    written = getattr(value, "text", None)  # YAML and JSON keep the text a float was written as
    if isinstance(written, str) and not whole_as_written(written):
        raise ArgError(f"{what} must be an integer ≥ {minimum}, got {written.strip()}", _NOT_WHOLE)
    if abs(value) > FLOAT_EXACT:
        raise ArgError(
            f"{what} must be an exact integer, got the float {value!r}, which reads as {int(value):,}",
            "a float past 10^15 may not be the number written (floats hold 15 digits): write the integer in full, "
            "without a point or exponent",
        )
    return int(value)


_NOT_WHOLE = "the number written is not whole, though the float it rounds to is"


def whole_as_written(text: str) -> bool:
    """Whether a decimal written as text is a whole number ('4.0000000000000001' is not, though the
    float it reads as, 4.0, is; '2.5e1' and '1.0e+23' are): its digits times ten to its exponent, the
    exponent less the digits after the point, past the zeros at the end."""
    mantissa, _, exponent = text.strip().lower().replace("_", "").partition("e")
    whole, _, fraction = mantissa.lstrip("+-").partition(".")
    digits = (whole + fraction).rstrip("0")
    if not digits.strip("0"):
        return True  # zero
    if exponent and (not exponent.lstrip("+-").isdigit() or len(exponent) > 400):
        return False
    return int(exponent or 0) - len(fraction) + (len(whole + fraction) - len(digits)) >= 0


def yaml12_number(text: str) -> int | float | None:
    """Text that YAML 1.2 and JSON read as a number where PyYAML's YAML 1.1 reads text: 1e3, 1e-5, 0o17.

    None for anything else, and for text whose number the two YAML versions read differently
    (010 is 8 in YAML 1.1 and 10 in YAML 1.2; 1:30 is 90 or text): that is refused with its reason.
    """
    word = text.strip()
    if not word.isascii() or len(word) > 400:
        return None
    if re.fullmatch(r"[-+]?[0-9]+", word):
        return None if re.fullmatch(r"[-+]?0[0-9]+", word) else int(word)
    if re.fullmatch(r"0o[0-7]+|0x[0-9a-fA-F]+", word):
        return int(word, 0)
    if re.fullmatch(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?", word):
        return float(word)
    return None


def _size_text(text: str, what: str, minimum: int, keywords: tuple[str, ...]) -> Size:
    """A number written as text ('3', '1e3', as YAML 1.2 reads it), or a symbol; anything else says what is wrong."""
    word = text.strip()
    number = yaml12_number(word)
    if number is not None:
        if isinstance(number, float) and number.is_integer() and not whole_as_written(word):
            raise ArgError(f"{what} must be an integer ≥ {minimum}, got {word}", _NOT_WHOLE)
        return _plain_int(number, what, minimum)
    if is_symbol(word):
        return _symbol(word)
    raise ArgError(f"{what} must be {_expected(what, minimum, keywords)}, got {text!r}", _text_hint(word, keywords))


def _expected(what: str, minimum: int, keywords: tuple[str, ...]) -> str:
    words = "".join(f"'{k}', " for k in keywords)
    return f"{words}an integer ≥ {minimum}" + (", one per axis, or [before, after] pairs" if keywords else "")


def foreign_digits(text: str) -> tuple[str, str | None] | None:
    """The spec's rule for digits: sizes and answers are written in 0-9 only. For text with any other
    digit ('٣', '３', '²', '½'): the first one named ("'٣' (ARABIC-INDIC DIGIT THREE) is not one of the
    digits 0-9") and the text in 0-9 when each such digit is a decimal digit ('٣٤' → '34'; None for
    '3²', which is not 32); None when every digit is 0-9."""
    strange = next((c for c in text if not c.isascii() and (c.isdigit() or c.isnumeric())), None)
    if strange is None:
        return None
    import unicodedata  # only on this error's path

    name = unicodedata.name(strange, f"U+{ord(strange):04X}")
    decimals = [str(unicodedata.decimal(c, "")) if not c.isascii() and (c.isdigit() or c.isnumeric()) else c for c in text]
    ascii_form = None if "" in decimals else "".join(decimals)
    return f"'{strange}' ({name}) is not one of the digits 0-9", ascii_form


def _text_hint(word: str, keywords: tuple[str, ...]) -> str:
    """Why a word is not a size, and what to write instead."""
    foreign = foreign_digits(word)
    if foreign is not None:
        problem, ascii_form = foreign
        meant = f" ({word} would be {int(ascii_form)})" if ascii_form is not None and ascii_form.isdigit() else ""
        return f"{problem}: write sizes with 0-9{meant}"
    if word.lower() in PADDING_WORDS and word.lower() not in keywords:
        return f"'{word}' is a value of padding"
    if re.fullmatch(r"[-+]?0[0-9]+", word):
        meant = int(word)
        return f"a leading 0 makes {word} octal in YAML 1.1 and decimal in YAML 1.2 and JSON: write {meant} without the 0"
    if re.fullmatch(r"[-+]?[0-9]+(?::[0-9]+)+(?:\.[0-9]*)?", word):
        return f"YAML 1.1 reads {word} as a number in base 60; write the size as one number"
    declared = declared_symbols()
    close = did_you_mean(word, (*keywords, *(declared or ())))
    if close:
        return close
    if not word.isascii() or not word[:1].isalpha() or not word.replace("_", "a").isalnum():
        return f"a size is a whole number, or a symbol: {SYMBOL_RULE}"
    if declared is not None:
        listed = f"this spec's symbols are {', '.join(sorted(declared))} (symbols:)" if declared else "this spec declares no symbols (symbols: [])"
        return f"{listed}; add {word} there to make it one"
    return f"a symbol is {SYMBOL_RULE}; to use a longer name, list it under symbols: (inline: symbols={word})"


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
    for part in parts:
        word = part[1:] if negative and part.startswith("-") else part
        if not word or not re.fullmatch(r"\w+", word):
            return None
    return parts


def _size_list(value: Any, what: str, element: Callable[[Any, str], Size]) -> tuple[Size, ...] | Size:
    words = size_words(value) if isinstance(value, str) else None
    if words is not None:
        value = words  # each word is read as a size: digits 0-9, or a symbol
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
    """'same', 'valid', 'full', an int, one per axis, or one [before, after] pair per axis."""
    if isinstance(value, str) and value.strip().lower() in PADDING_WORDS:
        return value.strip().lower()
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, (list, tuple)) for v in value):
        pairs = []
        for pair in value:
            if len(pair) != 2:
                raise ArgError(f"{what} pairs must be [before, after], got {list(pair)!r}")
            pairs.append((non_negative(pair[0], what), non_negative(pair[1], what)))
        return ("pairs", tuple(pairs))
    try:
        return _size_list(value, what, lambda v, w: _plain_int(v, w, 0, PADDING_WORDS))
    except ArgError as exc:
        raise ArgError(
            f"{what} must be 'same', 'valid', 'full', an integer ≥ 0, one per axis, or [before, after] pairs; got {value!r}",
            exc.hint,
        ) from None


def flag(value: Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    raise ArgError(f"{what} must be true or false, got {value!r}")


def _numeric(value: Any) -> Any:
    """A number written as text that YAML 1.2 reads as one (eps: 1e-5 is text to YAML 1.1) becomes that number."""
    if isinstance(value, str):
        number = yaml12_number(value)
        return value if number is None else number
    return value


def rate(value: Any, what: str) -> float:
    value = _numeric(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ArgError(f"{what} must be a number from 0 up to (not including) 1, got {value!r}")
    return float(value)


def number(value: Any, what: str) -> float:
    """A finite number that a float holds (eps, momentum, slopes): 10**400 and nan are refused."""
    value = _numeric(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ArgError(f"{what} must be a number, got {value!r}")
    try:
        result = float(value)
    except OverflowError:  # an int past 1.8e308
        digits = int(value.bit_length() * 0.30103) + 1  # no str(): past 4,300 digits Python refuses to write it
        raise ArgError(f"{what} must be a number a float can hold (at most about 1.8e308), got one of about {digits:,} digits",
                       "write a smaller number") from None
    if not math.isfinite(result):
        raise ArgError(f"{what} must be a finite number, got {value!r}")
    return result


def non_negative_number(value: Any, what: str) -> float:
    """A finite number ≥ 0 (eps: a negative one makes the square root of a small variance NaN)."""
    result = number(value, what)
    if result < 0:
        raise ArgError(f"{what} must be a number ≥ 0, got {value!r}")
    return result


def proportion(value: Any, what: str) -> float:
    """A number from 0 to 1, both included (a moving average's momentum)."""
    result = number(value, what)
    if not 0 <= result <= 1:
        raise ArgError(f"{what} must be a number from 0 to 1, got {value!r}")
    return result


def integer(value: Any, what: str) -> int:
    if isinstance(value, bool) or not is_int(value):
        raise ArgError(f"{what} must be an integer, got {value!r}")
    return value


def optional_integer(value: Any, what: str) -> int | None:
    return None if value is None else integer(value, what)


def dims(value: Any, what: str) -> tuple[Size, ...]:
    """A target shape such as [7, 7, 64]; one entry may be -1 (inferred)."""
    if isinstance(value, str):
        words = size_words(value, negative=True)
        value = [value] if words is None else [-1 if w.strip() == "-1" else w for w in words]
    elif isinstance(value, int) and not isinstance(value, bool):
        value = [value]  # reshape: -1 (a vector), reshape: 128
    if not isinstance(value, (list, tuple)) or not value:
        raise ArgError(f"{what} must be a list of sizes such as [7, 7, 64], got {value!r}")
    return tuple(-1 if v == -1 and not isinstance(v, bool) else positive(v, what) for v in value)


# Interpolation modes as PyTorch (F.interpolate's mode) and Keras (UpSampling2D's and Resizing's
# interpolation) write them -> (canonical name, the spatial ranks it works on, neighbours per axis).
INTERPOLATIONS = {
    "nearest": ("nearest", None, 1),
    "nearest-exact": ("nearest-exact", None, 1),
    "linear": ("linear", None, 2),  # PyTorch's name on a 1D input; convcalc takes it on any rank
    "bilinear": ("bilinear", (2,), 2),
    "trilinear": ("trilinear", (3,), 2),
    "bicubic": ("bicubic", (2,), 4),
    "area": ("area", None, None),
}


def interpolation(value: Any, what: str) -> str:
    """nearest, nearest-exact, linear, bilinear, trilinear, bicubic or area (PyTorch's and Keras' names)."""
    key = str(value).strip().lower().replace("_", "-") if isinstance(value, str) else None
    if key not in INTERPOLATIONS:
        raise ArgError(f"{what} must be one of {', '.join(INTERPOLATIONS)}, got {value!r}")
    return INTERPOLATIONS[key][0]


def layer_name(value: Any, what: str) -> str:
    """The name of a layer above (as `from:` names one)."""
    if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).strip():
        raise ArgError(f"{what} must name a layer above, got {value!r}", f"e.g. {what}: input")
    return str(value).strip()


def axis_order(value: Any, what: str) -> tuple[int, ...]:
    """A new order of the axes, e.g. [1, 2, 0]: whole numbers ≥ 0, none repeated (checked against the input later)."""
    if isinstance(value, str):
        value = _size_list(value, what, lambda v, w: v)
    if not isinstance(value, (list, tuple)) or not value:
        raise ArgError(f"{what} must list axes, e.g. [1, 2, 0], got {value!r}")
    order = []
    for v in value:
        if isinstance(v, bool) or not is_int(v) or v < 0:
            raise ArgError(f"{what} must list whole numbers ≥ 0, got {v!r}")
        order.append(v)
    if len(set(order)) != len(order):
        raise ArgError(f"{what} names an axis twice: {order}")
    return tuple(order)


def axis_or_channels(value: Any, what: str) -> int | str | None:
    """An axis of the spec's layout (an integer, negative from the end), or the word channels."""
    if value is None:
        return None
    if isinstance(value, str) and value.strip().lower() in ("channels", "channel", "c"):
        return "channels"
    if isinstance(value, str) and value.strip().lower() == "last":
        return -1
    if isinstance(value, bool) or not is_int(value):
        raise ArgError(f"{what} must be an axis of the layout (e.g. -1) or channels, got {value!r}")
    return value


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
