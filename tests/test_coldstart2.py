"""Specs whose handling changed while making start-up cheaper (branch coldstart2).

Each row: a YAML spec and the exact message expected on stderr (exit code 2, nothing on stdout).
"""
from __future__ import annotations

import pytest

from conftest import run_cli

E = "convcalc: error: "

ROWS = [
    pytest.param(  # found by tests/test_fuzz.py: this was an AttributeError traceback
        "input: [8, 8, 3]\nlayers:\n  - relu: {from: [false]}\n",
        "layer 1 'relu_1' (relu): from must name a layer or list layers, got [False]; e.g. from: conv1 or from: [a, b]",
        id="from-list-of-bool",
    ),
    pytest.param(
        "input: [8, 8, 3]\nlayers:\n  - conv2d: {filters: 4, kernel: 3}\n  - relu: {from: [conv2d_1, 7.5]}\n",
        "layer 2 'relu_1' (relu): from must name a layer or list layers, got ['conv2d_1', 7.5]; e.g. from: conv1 or from: [a, b]",
        id="from-list-with-float",
    ),
    pytest.param(  # was "layer 1 'conv2d_1' (relu): unknown argument 'filters'": the type key inside the arguments won
        "input: [8, 8, 3]\nlayers:\n  - conv2d: {type: relu, filters: 4, kernel: 3}\n",
        "layer 1 'conv2d_1' (conv2d): unknown argument 'type'; conv2d takes: bias, dilation, filters, groups, kernel, padding, stride",
        id="type-inside-arguments",
    ),
]


@pytest.mark.parametrize("text, message", ROWS)
def test_yaml_error(tmp_path, monkeypatch, text, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "spec.yaml").write_text(text, encoding="utf-8")
    result = run_cli("summary", "spec.yaml", "--format", "json")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", E + message + "\n")
