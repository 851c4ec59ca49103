"""The library: convcalc.summary(spec, **options) and the Summary it returns (issue 17, item 1).

Figures are checked against published ones (torchvision's and Keras' model tables, CS231n's
notes); the Summary's data against what the CLI writes for the same spec, so the two cannot
drift. The notebook display runs in a real kernel in tests/test_notebook.py.
"""
from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

import convcalc
from convcalc import SpecError, Summary, summary

# CS231n, "Convolutional Neural Networks" notes: a 32x32x3 input, ten 5x5 filters, stride 1, pad 2
# gives a 32x32x10 volume, each filter 5*5*3 = 75 weights and 1 bias: 760 parameters.
CS231N_YAML = "input: [32, 32, 3]\nlayers:\n  - conv2d: {filters: 10, kernel: 5, stride: 1, padding: 2}\n"
CS231N_INLINE = "input 32x32x3; conv2d 10 kernel=5 stride=1 padding=2"
CS231N_DICT = {"input": [32, 32, 3], "layers": [{"conv2d": {"filters": 10, "kernel": 5, "stride": 1, "padding": 2}}]}


def _forms(tmp_path: Path):
    path = tmp_path / "cs231n.yaml"
    path.write_text(CS231N_YAML, encoding="utf-8")
    return {
        "path as text": str(path),
        "pathlib.Path": path,
        "YAML text (several lines, never a file name)": CS231N_YAML,
        "JSON text": json.dumps(CS231N_DICT),
        "inline": CS231N_INLINE,
        "a dict": CS231N_DICT,
        "bytes": CS231N_YAML.encode("utf-8"),
        "a NetworkSpec": convcalc.spec_from_text(CS231N_YAML),
    }


FORMS = ["path as text", "pathlib.Path", "YAML text (several lines, never a file name)", "JSON text", "inline", "a dict",
         "bytes", "a NetworkSpec"]


@pytest.mark.parametrize("form", FORMS)
def test_every_form_of_spec_gives_the_cs231n_answer(tmp_path, form):
    report = summary(_forms(tmp_path)[form])
    assert (report.output_shape, report.total_params) == ((32, 32, 10), 760)  # CS231n notes


def test_a_shipped_spec_by_name_carries_every_figure():
    report = summary("resnet50")
    assert isinstance(report, Summary) and report.name == "ResNet-50" and len(report) == 175
    assert report.trainable_params == 25_557_032  # torchvision docs: resnet50 num_params
    assert report.non_trainable_params == 53_120  # Keras' ResNet50 summary: Non-trainable params: 53,120 (BatchNorm statistics)
    assert round(report.total_macs / 1e9, 2) == 4.09  # torchvision docs: resnet50 4.09 GFLOPS (multiply-accumulates)
    assert (report.input_shape, report.output_shape, report.layout) == ((3, 224, 224), (1000,), "chw")
    assert report.flops_convention == "2 per multiply-add + 1 per bias"
    data = json.loads(run_cli("summary", "specs/resnet50.yaml", "-f", "json").stdout)
    assert (report.total_flops, report.memory.training_bytes, report.memory.inference_bytes) == (
        data["total_flops"], data["memory"]["training_bytes"], data["memory"]["inference_bytes"])
    assert [w.name for w in report.warnings] == [w["name"] for w in data["warnings"]]
    assert report.receptive_field[0].size == data["layers"][-3]["receptive_field"][0]["size"]  # avgpool's, the last spatial layer


def test_layers_are_the_json_records():
    report = summary("resnet50")
    records = json.loads(run_cli("summary", "specs/resnet50.yaml", "-f", "json").stdout)["layers"]
    assert len(report.layers) == len(records) == 175
    for layer, record in zip(report.layers, records):
        mine = layer._asdict()
        field = mine.pop("receptive_field")
        expected = dict(record)
        expected_field = expected.pop("receptive_field")
        assert {k: list(v) if isinstance(v, tuple) else v for k, v in mine.items()} == expected
        assert (field is None) == (expected_field is None)
        if field is not None:
            assert [[f.size, f.jump, f.start] for f in field] == [[f["size"], f["jump"], f["start"]] for f in expected_field]


@pytest.mark.parametrize("options, args", [
    ({}, []),
    ({"dtype": "float16", "batch": 64, "optimizer": "sgd"}, ["--dtype", "float16", "--batch", "64", "--optimizer", "sgd"]),
    ({"layout": "hwc", "flops": "textbook"}, ["--layout", "hwc", "--flops", "textbook"]),
])
def test_to_json_and_to_dict_are_the_cli_json(options, args):
    report = summary(ROOT / "specs" / "resnet50.yaml", **options)
    written = run_cli("summary", str(ROOT / "specs" / "resnet50.yaml"), "-f", "json", *args).stdout
    assert report.to_json() == written
    assert report.to_dict() == json.loads(written)
    assert report.to_dict()["convcalc_version"] == convcalc.__version__


def test_repr_is_one_short_line():
    """Issue 17: ResNet-50's repr was 142,149 characters."""
    text = repr(summary("resnet50"))
    assert "\n" not in text and len(text) < 200
    assert text == ("<convcalc.Summary 'ResNet-50': 175 layers, (3, 224, 224) → (1000,), 25,557,032 params "
                    "+ 53,120 buffers, 4.09 GMACs>")


def test_str_is_the_cli_table(monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.chdir(ROOT)
    assert str(summary("resnet50", depth=2)) == run_cli("summary", "specs/resnet50.yaml", "--depth", "2").stdout
    assert summary("lenet5", columns="name,shape,memory", batch=8).table(width=100) == \
        run_cli("summary", "specs/lenet5.yaml", "-c", "name,shape,memory", "--batch", "8").stdout


@pytest.mark.parametrize("encoding, width", [("utf-8", 80), ("ascii", 60)])
def test_rich_draws_the_table_at_the_console_width(encoding, width):
    from rich.console import Console

    stream = io.TextIOWrapper(io.BytesIO(), encoding=encoding, errors="strict")
    Console(file=stream, width=width, color_system=None).print(summary("resnet50"))
    stream.flush()
    text = stream.buffer.getvalue().decode(encoding)
    lines = text.splitlines()
    assert all(len(line) <= width for line in lines), max(lines, key=len)
    assert "Total params: 25,557,032 (+ 53,120 BatchNorm buffers, as PyTorch counts)" in text.replace("\n  ", " ")
    assert ("┃" in text) == (encoding == "utf-8")


def test_html_is_a_table_of_every_row_and_the_totals():
    report = summary("resnet50")
    html = report._repr_html_()
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    blocks = len(report.to_dict()["blocks"])
    assert body.count("<tr") == 1 + 175 + blocks  # the input, every layer, every block
    assert "<td>layer2.0.conv2</td>" not in body and "<td>    conv2</td>" in body  # indented in its block, as the table
    assert "Total params: 25,557,032 (+ 53,120 BatchNorm buffers, as PyTorch counts)" in html
    assert "Total MACs: 4,089,184,256 (4.09 GMACs)" in html


def test_html_escapes_what_the_spec_says():
    report = summary({"name": "<script>alert(1)</script>", "input": [4, 4, 1], "layers": [{"relu": {"name": "<b>x</b>"}}]})
    html = report._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_to_dataframe_one_row_per_layer():
    pandas = pytest.importorskip("pandas")
    frame = summary("resnet50").to_dataframe()
    assert isinstance(frame, pandas.DataFrame) and frame.shape == (175, 20)
    assert int(frame["trainable_params"].sum()) == 25_557_032  # torchvision docs: resnet50 num_params
    first = frame.iloc[0]
    assert (first["name"], first["output_shape"], first["receptive_field"]) == ("conv1", (64, 112, 112), (7, 7))


def test_to_dataframe_without_pandas_names_the_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # `import pandas` now raises ImportError
    with pytest.raises(ImportError, match=r"^Summary.to_dataframe\(\) needs pandas: pip install pandas$"):
        summary("lenet5").to_dataframe()


def test_symbols_given_values():
    """Seed 001: an n×m×1 image, 3×3 conv with k1 filters, 5×5 conv with k2 filters; the seed's
    counts are 10·k1 and 25·k1·k2 + k2 parameters."""
    pytest.importorskip("sympy")
    report = summary("homework_symbolic", values={"k1": 32, "k2": 64})
    assert report.total_params == 10 * 32 + 25 * 32 * 64 + 64
    assert [str(size) for size in report.output_shape] == ["n", "m", "64"]
    assert report.symbols == ["m", "n"]


@pytest.mark.parametrize("spec, words", [
    ({"input": [32, 32, 3]}, "has no layers"),
    (Path("no/such/spec.yaml"), "no such file: 'no/such/spec.yaml'"),
    ("resnet5", "did you mean the shipped spec 'resnet50'?"),
    ("input: [32, 32, 3]\nlayers:\n  - conv2d: {filters: 10, kernel: 5, padd: 2}\n", "unknown argument 'padd'; did you mean 'padding'?"),
])
def test_a_bad_spec_is_a_spec_error(spec, words):
    with pytest.raises(SpecError) as caught:
        summary(spec)
    assert words in caught.value.message


@pytest.mark.parametrize("options, error, words", [
    ({"dtype": "fp16"}, ValueError, "dtype must be one of float32, float16, bfloat16, int8, got 'fp16'"),
    ({"batch": 0}, ValueError, "batch must be a whole number ≥ 1, got 0"),
    ({"layout": "nhwc"}, ValueError, "layout must be one of hwc, chw, got 'nhwc'"),
    ({"flops": "fma"}, ValueError, "flops must be one of default, textbook, got 'fma'"),
    ({"columns": "name,shap"}, ValueError, "columns: "),
    ({"limits": {"layer": 3}}, ValueError, "limits: "),
    ({"values": {"k1": "32"}}, TypeError, "values: k1 must be a whole number ≥ 1, got '32'"),
])
def test_a_bad_option_is_a_value_or_type_error(options, error, words):
    with pytest.raises(error) as caught:
        summary(CS231N_INLINE, **options)
    assert words in str(caught.value)


def test_a_spec_of_another_type_is_a_type_error():
    with pytest.raises(TypeError, match="spec must be a path, spec text, a mapping or a NetworkSpec, not int"):
        summary(42)


def test_the_older_entry_points_still_work():
    report = convcalc.summarize(str(ROOT / "specs" / "resnet50.yaml"))
    assert report.trainable_params == 25_557_032  # torchvision docs
    network = convcalc.analyze(convcalc.load_spec(str(ROOT / "specs" / "lenet5.yaml")))
    assert network.total_params == 61_706  # LeNet-5 as commonly rebuilt (tests/test_specs.py PUBLISHED)


def test_one_version_everywhere():
    assert run_cli("--version").stdout == f"convcalc, version {convcalc.__version__}\n"
    assert summary("lenet5").to_dict()["convcalc_version"] == convcalc.__version__


def test_the_package_is_typed():
    assert (Path(convcalc.__file__).parent / "py.typed").is_file()
