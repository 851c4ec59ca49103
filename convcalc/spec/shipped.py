"""The specs that ship with convcalc, found by name: `convcalc summary resnet50`, `convcalc list`.

The top-level specs/ folder of the source is their one copy. An installed convcalc holds them as
the package data folder convcalc/specs (pyproject.toml maps specs/ there); a source checkout reads
specs/ beside the package. Nothing here is read at start-up: only when SPEC names no file. (What each one holds, for
`convcalc list`, is read by :mod:`convcalc.spec.catalogue`.)
"""
from __future__ import annotations

import os

SUFFIXES = (".yaml", ".yml", ".json")


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
