"""A notebook, executed in a real IPython kernel as a user runs it (nbclient and ipykernel, in the
`test` extra): the report shows as a table (text/html), its plain repr stays one short line, and
its figures and DataFrame come back as in a script. The kernel runs in this checkout's folder,
so it imports this convcalc; the first cell says which one it got.
"""
from __future__ import annotations

import json

import pytest
from conftest import ROOT

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

CELLS = [
    "import convcalc, os\nprint(os.path.dirname(os.path.dirname(os.path.abspath(convcalc.__file__))))",
    'report = convcalc.summary("resnet50")\nreport',
    "report.trainable_params, report.total_macs",
    "import importlib.util\n"
    "print(report.to_dataframe().shape if importlib.util.find_spec('pandas') else 'no pandas')",
    "print(report.table(width=80))",
]


@pytest.fixture(scope="module")
def executed():
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in CELLS])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}})
    client.execute()
    return notebook.cells


def _output(cell, kind: str):
    return next(output for output in cell.outputs if output.output_type == kind)


def test_the_kernel_imports_this_convcalc(executed):
    assert _output(executed[0], "stream").text.strip() == str(ROOT)


def test_the_report_shows_as_a_table(executed):
    shown = _output(executed[1], "execute_result").data
    html = shown["text/html"]
    assert '<table class="convcalc-summary">' in html and "<caption>ResNet-50 (layout chw)</caption>" in html
    assert html.split("<tbody>")[1].count("<tr") >= 176  # the input and 175 layers (and the blocks)
    assert "Total params: 25,557,032 (+ 53,120 BatchNorm buffers, as PyTorch counts)" in html  # torchvision docs: 25,557,032
    plain = shown["text/plain"]
    assert "\n" not in plain and len(plain) < 200 and plain.startswith("<convcalc.Summary 'ResNet-50': 175 layers")


def test_the_figures_come_back_as_numbers(executed):
    # torchvision docs: resnet50 num_params 25,557,032 and 4.09 GFLOPS (multiply-accumulates)
    assert _output(executed[2], "execute_result").data["text/plain"] == "(25557032, 4089184256)"


def test_the_dataframe_and_the_text_table(executed):
    frame = _output(executed[3], "stream").text.strip()
    assert frame in ("(175, 20)", "no pandas")
    lines = _output(executed[4], "stream").text.splitlines()
    assert lines[0].startswith("ResNet-50 (layout chw)") and all(len(line) <= 80 for line in lines)
    assert json.dumps(executed[4].outputs[0].text).count("Total MACs: 4,089,184,256") == 1
