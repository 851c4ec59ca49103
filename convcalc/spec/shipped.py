"""The specs that ship with convcalc, found by name: `convcalc summary resnet50`, `convcalc list`.

The top-level specs/ folder of the source is their one copy. An installed convcalc holds them as
the package data folder convcalc/specs (pyproject.toml maps specs/ there); a source checkout reads
specs/ beside the package. Nothing here is read at start-up: only when SPEC names no file.
"""
from __future__ import annotations

import os
from typing import Any, NamedTuple

SUFFIXES = (".yaml", ".yml", ".json")


class ShippedSpec(NamedTuple):
    """One shipped spec: the name to give as SPEC, its file, and what its header says."""

    name: str  # 'resnet50': the file name without its suffix
    path: str
    title: str  # the spec's own name: ('ResNet-50'), or '' when it has none
    layout: str
    input: list[Any]  # as written: [3, 224, 224], or ['n', 'm', 1] for a symbolic spec
    about: str  # the comment at the top of the file, as one paragraph


def folder() -> str | None:
    """Where the shipped specs are: convcalc/specs when installed, else specs/ beside the package in a checkout."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    installed = os.path.join(package, "specs")
    if os.path.isdir(installed):
        return installed
    checkout = os.path.dirname(package)
    if os.path.isfile(os.path.join(checkout, "pyproject.toml")) and os.path.isdir(os.path.join(checkout, "specs")):
        return os.path.join(checkout, "specs")
    return None


def names() -> dict[str, str]:
    """{'resnet50': '/…/specs/resnet50.yaml', …}, sorted by name."""
    where = folder()
    if where is None:
        return {}
    found: dict[str, str] = {}
    for entry in sorted(os.listdir(where)):
        stem, suffix = os.path.splitext(entry)
        if suffix in SUFFIXES and os.path.isfile(os.path.join(where, entry)):
            found.setdefault(stem, os.path.join(where, entry))
    return found


def find(name: str) -> str | None:
    """The file of the shipped spec called ``name`` ('resnet50'), or None. Only the bare name: a
    missing 'resnet50.yaml' is the user's own file gone astray, never silently the shipped one."""
    if not name or os.sep in name or (os.altsep and os.altsep in name) or "." in name:
        return None
    return names().get(name)


def close_name(name: str) -> str | None:
    """"did you mean the shipped spec 'resnet50'?" for a name close to one, else None."""
    import difflib

    stem = os.path.splitext(os.path.basename(name))[0]
    close = difflib.get_close_matches(stem.lower(), list(names()), n=1, cutoff=0.75)
    return f"did you mean the shipped spec '{close[0]}'? ('convcalc list' shows them all)" if close else None


def catalogue() -> list[ShippedSpec]:
    """Every shipped spec with its title, input and header comment, read (not computed) from its file."""
    from ..limits import DEFAULT_LIMITS
    from .source import decode, parse_document

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
