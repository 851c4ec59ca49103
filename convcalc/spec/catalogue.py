"""What the shipped specs hold, for `convcalc list`: each one's title, input and header comment, read (not computed)."""
from __future__ import annotations

from typing import Any, NamedTuple

from ..limits import DEFAULT_LIMITS
from .shipped import names
from .source import decode, parse_document


class ShippedSpec(NamedTuple):
    """One shipped spec: the name to give as SPEC, its file, and what its header says."""

    name: str  # 'resnet50': the file name without its suffix
    path: str
    title: str  # the spec's own name: ('ResNet-50'), or '' when it has none
    layout: str
    input: list[Any]  # as written: [3, 224, 224], or ['n', 'm', 1] for a symbolic spec
    about: str  # the comment at the top of the file, as one paragraph


def catalogue() -> list[ShippedSpec]:
    """Every shipped spec with its title, input and header comment, read (not computed) from its file."""
    rows = []
    for name, path in names().items():
        with open(path, "rb") as handle:
            text = decode(handle.read(DEFAULT_LIMITS.bytes + 1), path)
        document = parse_document(text, path)
        document = document if isinstance(document, dict) else {}
        value = document.get("input", [])
        rows.append(ShippedSpec(name, path, str(document.get("name") or ""), str(document.get("layout", "hwc")).lower(),
                                list(value) if isinstance(value, list) else [value], _header(text)))
    return rows


def _header(text: str) -> str:
    """The comment lines before the first key, joined into one paragraph."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].strip())
    return " ".join(line for line in lines if line)
