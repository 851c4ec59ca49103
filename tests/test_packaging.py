"""The package's promises about its dependencies: what CI tests is what pyproject.toml allows."""
from __future__ import annotations

import re

from conftest import ROOT


def _lower_bounds() -> dict[str, str]:
    """'name>=X' of every dependency and extra in pyproject.toml (the oldest release it allows)."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return {name.lower(): version for name, version in re.findall(r'"([A-Za-z0-9_.-]+)>=([0-9][0-9.]*)', text)}


def _pinned() -> dict[str, str]:
    lines = (ROOT / ".ci" / "oldest.txt").read_text(encoding="utf-8").splitlines()
    pins = (line.split("#")[0].strip() for line in lines)
    return {name.lower(): version for name, version in (pin.split("==") for pin in pins if pin)}


def _same_release(a: str, b: str) -> bool:
    """'8.0' and '8.0.0' name the same release."""
    parts = lambda v: [int(p) for p in v.split(".")] + [0] * (3 - len(v.split(".")))  # noqa: E731
    return parts(a) == parts(b)


def test_ci_tests_the_oldest_release_pyproject_allows():
    bounds, pinned = _lower_bounds(), _pinned()
    bounds.pop("setuptools", None)  # the build backend, not a dependency
    bounds.pop("torch", None)  # CI installs the one torch this machine has (2.13.0) for the cross-checks
    assert set(pinned) == set(bounds), "every lower bound in pyproject.toml has its pin in .ci/oldest.txt"
    for name, version in bounds.items():
        assert _same_release(pinned[name], version), (name, pinned[name], version)
