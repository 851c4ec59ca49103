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


def test_the_wheel_ships_every_subpackage():
    """`pip install .` must install convcalc.spec, convcalc.layers, …: with `packages = ["convcalc"]` the
    wheel held the top folder alone, and the README's first command failed outside the checkout with
    ModuleNotFoundError. setuptools includes a package when its dotted name matches an include pattern
    (fnmatch), as below."""
    from fnmatch import fnmatchcase

    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    section = re.search(r"^\[tool\.setuptools\.packages\.find\]\n(.*?)(?=^\[|\Z)", text, re.M | re.S)
    assert section, "pyproject.toml finds the packages ([tool.setuptools.packages.find])"
    include = re.findall(r'"([^"]+)"', re.search(r"^include\s*=\s*\[(.*?)\]", section.group(1), re.M | re.S).group(1))
    packages = [".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "convcalc").rglob("__init__.py")]
    assert len(packages) > 1
    missing = [p for p in packages if not any(fnmatchcase(p, pattern) for pattern in include)]
    assert not missing, f"not in the wheel: {missing}"
