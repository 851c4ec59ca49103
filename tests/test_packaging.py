"""The package's promises about its dependencies: what CI tests is what pyproject.toml allows."""
from __future__ import annotations

import email.parser
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile

import pytest
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
    bounds.pop("torch", None)  # CI installs the one torch this machine has (2.13.0) for the cross-checks
    assert set(pinned) == set(bounds), "every lower bound in pyproject.toml has its pin in .ci/oldest.txt"
    for name, version in bounds.items():
        assert _same_release(pinned[name], version), (name, pinned[name], version)


def _listed_packages() -> list[str]:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    section = re.search(r"^\[tool\.setuptools\]\n(.*?)(?=^\[|\Z)", text, re.M | re.S)
    assert section, "pyproject.toml names the packages ([tool.setuptools] packages)"
    return re.findall(r'"([^"]+)"', re.search(r"^packages\s*=\s*\[(.*?)\]", section.group(1), re.M | re.S).group(1))


def test_pyproject_names_every_package():
    """`pip install .` must install convcalc.spec, convcalc.layers, …: with `packages = ["convcalc"]` the
    wheel held the top folder alone, and the README's first command failed outside the checkout with
    ModuleNotFoundError. The list is written out (the shipped specs, convcalc.specs, are the top-level
    specs/ folder, which `packages.find` cannot map), so a new package must be added to it."""
    packages = sorted(".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "convcalc").rglob("__init__.py"))
    assert len(packages) > 1
    assert sorted(_listed_packages()) == sorted([*packages, "convcalc.specs"]), "add the new package to pyproject.toml's packages"


def test_one_version_source():
    """The version is written once, in convcalc/version.py (convcalc.__version__ re-exports it);
    pyproject.toml reads it (dynamic)."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^dynamic = \["version"\]', text, re.M)
    assert re.search(r'^version = \{ attr = "convcalc.version.__version__" \}', text, re.M)
    assert not re.search(r'^version = "', text, re.M)
    written = [found for path in (ROOT / "convcalc").rglob("*.py")
               for found in re.findall(r'__version__ = "([^"]+)"', path.read_text(encoding="utf-8"))]
    assert len(written) == 1
    import convcalc

    assert convcalc.__version__ == written[0]


# --------------------------------------------------------------------------- the built sdist and wheel

SHIPPED = ("convcalc", "specs", "tests", "docs", "bench", ".ci", "README.md", "LICENSE", "MANIFEST.in", "pyproject.toml")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The sdist built from a copy of the checkout, and the wheel built from that sdist (what pip
    does with an sdist), with setuptools.build_meta as pyproject.toml names it (no network)."""
    setuptools = pytest.importorskip("setuptools")
    if int(setuptools.__version__.split(".")[0]) < 77:
        pytest.skip(f"pyproject.toml's build backend needs setuptools >= 77, this one is {setuptools.__version__}")
    work = tmp_path_factory.mktemp("build")
    source = work / "source"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".hypothesis", "*.egg-info", "build", "dist")
    for name in SHIPPED:
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy2)(ROOT / name, source / name, **(
            {"ignore": ignore} if (ROOT / name).is_dir() else {}))
    sdist = source / "dist" / _build(source, "build_sdist")
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
        archive.extractall(work / "unpacked", filter="data") if hasattr(tarfile, "data_filter") else archive.extractall(work / "unpacked")
    unpacked = work / "unpacked" / sdist.name[: -len(".tar.gz")]
    wheel = unpacked / "dist" / _build(unpacked, "build_wheel")
    return {"sdist": [name.split("/", 1)[1] for name in names if "/" in name], "wheel": wheel, "work": work}


def _build(folder, hook: str) -> str:
    code = f"from setuptools import build_meta; print(build_meta.{hook}('dist'))"
    result = subprocess.run([sys.executable, "-c", code], cwd=folder, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]


def test_the_sdist_holds_what_its_tests_need(built):
    held = set(built["sdist"])
    needed = ["tests/conftest.py", "tests/corpus/cases.yaml", "tests/fixtures/lenet5.yaml", ".ci/oldest.txt", "README.md",
              "LICENSE", "docs/generate.py", "docs/doc_examples.py", "bench/run.py", "specs/img/lenet5.svg"]
    needed += [f"specs/{p.name}" for p in sorted((ROOT / "specs").glob("*.yaml"))]
    needed += [f"tests/golden/{p.name}" for p in sorted((ROOT / "tests" / "golden").glob("*.json"))]
    assert [name for name in needed if name not in held] == []


def test_the_wheel_holds_every_package_the_specs_and_its_metadata(built):
    import convcalc

    with zipfile.ZipFile(built["wheel"]) as wheel:
        names = set(wheel.namelist())
        metadata = email.parser.Parser().parsestr(wheel.read(f"convcalc-{convcalc.__version__}.dist-info/METADATA").decode())
    packages = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "convcalc").rglob("__init__.py")}
    assert [p for p in sorted(packages) if p.replace(".", "/") + "/__init__.py" not in names] == []
    assert {f"convcalc/specs/{p.name}" for p in (ROOT / "specs").glob("*.yaml")} <= names
    assert not [name for name in names if name.startswith("convcalc/specs/img")]  # pictures stay in the sdist
    assert "convcalc/py.typed" in names
    assert f"convcalc-{convcalc.__version__}.dist-info/licenses/LICENSE" in names
    assert (metadata["Version"], metadata["License-Expression"]) == (convcalc.__version__, "MIT")
    assert "Typing :: Typed" in metadata.get_all("Classifier") and metadata["Keywords"]
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    extras = re.search(r"^\[project\.optional-dependencies\]\n(.*?)(?=^\[|\Z)", text, re.M | re.S).group(1)
    assert set(metadata.get_all("Provides-Extra")) == set(re.findall(r"^([\w-]+) = \[", extras, re.M)) >= {"symbolic", "torch", "onnx", "draw", "test"}


def test_the_wheel_alone_runs_a_shipped_spec_by_name(built):
    """`convcalc summary resnet50` from the unpacked wheel, in a folder far from any checkout."""
    site = built["work"] / "site"
    with zipfile.ZipFile(built["wheel"]) as wheel:
        wheel.extractall(site)
    elsewhere = built["work"] / "elsewhere"
    elsewhere.mkdir()
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import convcalc; assert convcalc.__file__.startswith(sys.argv[1])\n"
            "sys.argv = ['convcalc', 'summary', 'resnet50', '--depth', '1']; from convcalc.cli import run; run()")
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    result = subprocess.run([sys.executable, "-c", code, str(site)], cwd=elsewhere, capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert "Total params: 25,557,032 (+ 53,120 BatchNorm buffers, as PyTorch counts)" in result.stdout  # torchvision docs


# --------------------------------------------------------------------------- the extras


def _extras() -> dict[str, list[str]]:
    """[project.optional-dependencies]: extra -> the distributions it installs (names as imported)."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    section = re.search(r"^\[project\.optional-dependencies\]\n(.*?)(?=^\[|\Z)", text, re.M | re.S).group(1)
    return {name: [re.split(r"[<>=!~ \[]", item, maxsplit=1)[0].lower() for item in re.findall(r'"([^"]+)"', body)]
            for name, body in re.findall(r"^([\w-]+) = \[(.*?)\]", section, re.M | re.S)}


def _imports_of_the_package() -> dict[str, list[tuple[str, bool]]]:
    """Third-party top-level module -> [(module file, imported at module level?)] over convcalc/."""
    import ast

    found: dict[str, list[tuple[str, bool]]] = {}
    for path in sorted((ROOT / "convcalc").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_level = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else []
            for name in names:
                found.setdefault(name.split(".")[0], []).append((path.relative_to(ROOT).as_posix(), id(node) in top_level))
    return found


@pytest.mark.parametrize("extra", [e for e in _extras() if e != "test"])
def test_every_extra_serves_a_feature_is_lazy_named_and_tested(extra):
    """Each package an extra installs is imported by convcalc (the feature it serves), only inside the
    code that needs it (a command never pays for an extra it does not use, and works without it); the
    code's message for a missing one names `pip install 'convcalc[EXTRA]'`; and the test extra brings
    it, so CI runs that feature's tests (torch aside: CI installs the one torch these oracles need)."""
    imports, extras = _imports_of_the_package(), _extras()
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "convcalc").rglob("*.py"))
    for package in extras[extra]:
        assert package in imports, f"[{extra}] installs {package}, which convcalc never imports"
        assert [f for f, top in imports[package] if top] == [], f"{package} is imported when convcalc loads"
        if extra != "torch":
            assert package in extras["test"], f"the test extra lacks {package}: [{extra}]'s tests would skip in CI"
    assert f"pip install 'convcalc[{extra}]'" in source


def test_the_runtime_dependencies_are_click_rich_and_pyyaml():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r"^dependencies = \[(.*?)\]", text, re.M).group(1) == '"click>=8.0", "rich>=12.0", "pyyaml>=6.0"'


def test_the_python_classifiers_start_at_requires_python():
    """The versions the classifiers name begin at requires-python's minimum, with none below it."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    minimum = tuple(int(p) for p in re.search(r'^requires-python = ">=(\d+\.\d+)"', text, re.M).group(1).split("."))
    named = sorted(tuple(int(p) for p in v.split(".")) for v in re.findall(r'"Programming Language :: Python :: (3\.\d+)"', text))
    assert named and named[0] == minimum
    assert [v for v in named if v < minimum] == [] and len(named) == len(set(named))
