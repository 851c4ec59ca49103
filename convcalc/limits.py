"""Limits on what a spec may ask of the machine, checked before and while it is read.

A spec is a few kilobytes written by hand; a hostile or broken one must fail fast with a clear
message instead of crashing the YAML loader, hanging, or filling memory. Every limit can be
raised: ``--limit NAME=N`` on the command line, or ``Limits(...)`` from Python.
"""

import re
import sys
from contextlib import contextmanager
from typing import Iterator, NamedTuple

from .errors import SpecError


class Limits(NamedTuple):
    """The largest spec convcalc reads; every field is a count (bytes, levels, nodes, layers, digits)."""

    bytes: int = 5_000_000  # size of the spec text (a 100,000-layer spec of 'conv2d: {...}' is ~5 MB)
    depth: int = 50  # nesting of lists and mappings (a spec needs about 6)
    aliases: int = 100_000  # nodes that YAML aliases (*name) and merge keys (<<) may add by repetition
    layers: int = 100_000  # entries of the layers list (and of any list in the spec)
    digits: int = 4_000  # decimal digits of any integer, written or computed (10**400 has 401)


DEFAULT_LIMITS = Limits()
LIMIT_NAMES = Limits._fields
_WHAT = {
    "bytes": "bytes",
    "depth": "levels of nesting",
    "aliases": "nodes added by aliases",
    "layers": "layers",
    "digits": "digits",
}


def limit_error(name: str, problem: str, limits: Limits, where: str | None = None) -> SpecError:
    """A SpecError that names the limit that was hit and the option that raises it."""
    return SpecError(
        f"{problem}: over the {name} limit of {getattr(limits, name):,} {_WHAT[name]}",
        hint=f"if the spec is really meant to be this large, raise it with --limit {name}=N",
        where=where,
    )


def parse_limits(options: tuple[str, ...] | list[str], base: Limits = DEFAULT_LIMITS) -> Limits:
    """'layers=1000000', 'bytes=50000000,depth=100' (repeatable) to a Limits; bad text is a SpecError."""
    changes: dict[str, int] = {}
    for option in options:
        for item in filter(None, (part.strip() for part in option.split(","))):
            name, sep, text = item.partition("=")
            name = name.strip().lower().replace("-", "_").removeprefix("max_")
            if not sep or name not in LIMIT_NAMES:
                raise SpecError(
                    f"--limit {item!r} is not NAME=N",
                    hint=f"NAME is one of {', '.join(LIMIT_NAMES)}, e.g. --limit layers=1000000",
                )
            digits = text.strip().replace("_", "")
            if not (digits.isascii() and digits.isdigit()) or int(digits) < 1 or len(digits) > 18:  # "²".isdigit() is true
                raise SpecError(f"--limit {name} must be a whole number ≥ 1, got {text.strip()!r}", hint=f"e.g. --limit {name}=1000000")
            changes[name] = int(digits)
    return base._replace(**changes)


def check_size(size: int, label: str, limits: Limits, *, known: bool = True) -> None:
    """``known``: size is the whole size (a file's); else only that there is more (a stream read so far)."""
    if size > limits.bytes:
        amount = f"{size:,} bytes" if known else f"more than {limits.bytes:,} bytes"
        raise limit_error("bytes", f"{label} is {amount}, too large for a spec", limits)


_LONG_NUMBER_CACHE: dict[int, re.Pattern[str]] = {}


def check_digits_in_text(text: str, label: str, limits: Limits) -> None:
    """Reject a number written with more digits than the limit, before any parser converts it.

    Python refuses to convert integers of more than 4,300 digits (a plain ValueError inside the
    YAML and JSON readers); this check comes first and says what to do.
    """
    if len(text) <= limits.digits:
        return
    pattern = _LONG_NUMBER_CACHE.get(limits.digits)
    if pattern is None:
        hex_digits = max(1, int(limits.digits / 1.2))
        # Just past the limit; a decimal run is only tried where it starts (the lookbehind), else every
        # digit of a long run would rescan the rest of it: quadratic, 2 s for 1 MB of 3,999-digit numbers.
        pattern = re.compile(rf"(?<![0-9_])[0-9][0-9_]{{{limits.digits}}}|0[xX][0-9a-fA-F_]{{{hex_digits}}}")
        _LONG_NUMBER_CACHE[limits.digits] = pattern
    found = pattern.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        length = len(re.match(r"[0-9a-fA-FxX_]*", text[found.start():]).group())
        raise limit_error("digits", f"{label}:{line}: a number has {length:,} digits", limits)


def max_bits(limits: Limits) -> float:
    """The bit length past which an integer surely has more digits than the limit: bit lengths are
    cheap where counting digits means writing the number out."""
    return limits.digits * 3.3219280948873626 + 1  # log2(10) bits per digit


def check_int(value: int, what: str, limits: Limits) -> None:
    """A computed count with more digits than the limit (bit_length: no string conversion)."""
    if value.bit_length() > max_bits(limits):
        raise limit_error("digits", f"{what} has too many digits", limits)


@contextmanager
def int_digits(limits: Limits | None) -> Iterator[None]:
    """Lift Python's integer-to-text limit (4,300 digits) to what the digits limit lets a figure reach.

    Every size and count is within the digits limit, but the figures built from them are products:
    an activation has H·W·D·C elements (four sizes of 4,000 digits each make 16,000), its bytes
    multiply in the batch. ``None`` lifts the limit altogether. Outside the block the process keeps
    its own setting.
    """
    get = getattr(sys, "get_int_max_str_digits", None)
    old = get() if get else 0
    wanted = 0 if limits is None else limits.digits * 6 + 100  # four sizes, the batch and the element width
    if not get or old == 0 or (wanted != 0 and wanted <= old):
        yield
        return
    sys.set_int_max_str_digits(wanted)
    try:
        yield
    finally:
        sys.set_int_max_str_digits(old)


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while a spec is read, computed and printed.

    The work makes many small objects and no cycles; collections in between only rescan the
    growing heap, which made a 100,000-layer spec superlinear. Reference counting still frees.
    """
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            resume_gc()


def resume_gc() -> None:
    """Turn the collector back on after a pause, with what was made meanwhile moved (unscanned)
    to the oldest generation: enabling alone has the first young collection walk every object the
    pause made (about 1 ms after importing convcalc, as much again after a summary of ResNet-50),
    and the next older one walk them again. They stay collectable by a full collection. Only when
    nothing is frozen: gc.unfreeze would release what the caller froze (before a fork)."""
    import gc

    if not gc.get_freeze_count():
        gc.freeze()
        gc.unfreeze()
    gc.enable()
