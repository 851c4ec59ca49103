"""Where a spec comes from: a file, standard input or inline text, read within the limits."""

import os
import re
from typing import Any

from ..errors import SpecError
from ..limits import DEFAULT_LIMITS, Limits, check_digits_in_text, check_size, int_digits
from .records import MAPPINGS, INLINE_EXAMPLE, NetworkSpec
from .build import build_spec
from .inline import parse_inline

# --------------------------------------------------------------------------- sources


def looks_inline(text: str) -> bool:
    """An inline spec starts with 'input' followed by a size, e.g. 'input 32x32x3; …' or 'input: (32, 32, 3); …'."""
    return "\n" not in text.strip() and bool(re.match(r"\s*input(?:\s+|\s*:\s*)[\[\(]?\s*\w", text))  # a file: no regex


def read_source(source: str, *, stdin_text: str | None = None, limits: Limits = DEFAULT_LIMITS) -> tuple[str, str]:
    """The text of SPEC and a label for messages: '-' is standard input, else a path or inline."""
    if source == "-":
        return stdin_text or "", "<stdin>"
    if os.path.isdir(source):
        raise SpecError(f"'{source}' is a directory, not a spec file", hint="give the path of a .yaml or .json file")
    if os.path.exists(source):
        try:
            with open(source, "rb") as handle:
                check_size(os.fstat(handle.fileno()).st_size, source, limits)
                data = handle.read(limits.bytes + 1)  # bounded: a device or pipe may never end
        except OSError as exc:
            raise SpecError(f"cannot read '{source}': {exc.strerror}") from None
        check_size(len(data), source, limits, known=False)
        return decode(data, source), source
    if looks_inline(source):
        return source, "<inline>"
    from . import shipped  # a name such as 'resnet50': a spec that ships with convcalc

    path = shipped.find(source)
    if path is not None:
        return read_source(path, limits=limits)
    raise SpecError(
        f"no such file: '{source}'",
        hint=shipped.close_name(source) or "give the path of a spec file, the name of a shipped spec ('convcalc list'), "
                                           f"'-' for standard input, or an inline spec such as {INLINE_EXAMPLE}",
    )


def read_stdin(limits: Limits = DEFAULT_LIMITS) -> str:
    """Standard input as a spec's text ('-' as SPEC), read as a file is: bounded by the limits, UTF-8."""
    import sys

    stdin = sys.stdin
    hint = "pipe a spec in (convcalc summary - < net.yaml) or give its path"
    if stdin is None:  # started with stdin closed (<&-)
        raise SpecError("standard input is closed, so '-' has no spec to read", hint=hint)
    reader = stdin.buffer if hasattr(stdin, "buffer") else None
    try:
        data = reader.read(limits.bytes + 1) if reader else stdin.read(limits.bytes + 1).encode("utf-8")  # bounded, like a file
    except (OSError, ValueError) as exc:  # a directory or a closed descriptor as stdin
        raise SpecError(f"cannot read standard input: {getattr(exc, 'strerror', None) or exc}", hint=hint) from None
    check_size(len(data), "<stdin>", limits, known=False)
    return decode(data, "<stdin>")


def decode(data: bytes, label: str) -> str:
    """UTF-8 text, a leading byte-order mark dropped; a bad byte is named by its offset in the file."""
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        position = bom + exc.start
        raise SpecError(
            f"{label} is not UTF-8 text (byte {position} is 0x{data[position]:02x})",
            hint="save the spec as UTF-8 YAML or JSON",
        ) from None


def parse_document(text: str, label: str, limits: Limits = DEFAULT_LIMITS) -> Any:
    """YAML or JSON text to plain Python data, within the limits (safe loading only; the C parser when present)."""
    check_size(len(text), label, limits)
    check_digits_in_text(text, label, limits)
    if not text.strip() or all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()):
        raise SpecError(f"{label} is empty", hint=f"write a spec with input: and layers:, or an inline spec such as {INLINE_EXAMPLE}")
    if looks_inline(text):
        if label.startswith("<"):  # typed on the command line or piped in
            return text.strip()
        from .yamlload import load_yaml

        try:  # a one-line file such as 'input: [32, 32, 3]' is YAML when it reads as a mapping
            document = load_yaml(text, label, limits)
        except SpecError:
            return text.strip()
        return document if isinstance(document, MAPPINGS) else text.strip()
    if label.endswith(".json"):
        from .yamlload import load_json

        return load_json(text, label, limits)
    from .yamlload import load_yaml

    return load_yaml(text, label, limits)


def load_spec(source: str, *, layout: str | None = None, stdin_text: str | None = None, limits: Limits = DEFAULT_LIMITS) -> NetworkSpec:
    """SPEC as the command line gives it (path, '-' or inline text) to a checked NetworkSpec."""
    text, label = read_source(source, stdin_text=stdin_text, limits=limits)
    return spec_from_text(text, label, layout=layout, limits=limits)


def spec_from_text(text: str, label: str = "<spec>", *, layout: str | None = None, limits: Limits = DEFAULT_LIMITS) -> NetworkSpec:
    with int_digits(limits):
        document = parse_document(text, label, limits)
        if isinstance(document, str) and looks_inline(document):
            document = parse_inline(document)
        return build_spec(document, layout=layout, source=label, limits=limits)
