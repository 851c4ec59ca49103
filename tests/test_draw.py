"""convcalc draw: the SVG is well-formed, has one volume per drawn layer with the spec's shapes,
and its boxes follow the shapes. Facts come from the papers and framework docs named per row.

Golden files: tests/golden/*.svg; regenerate with CONVCALC_REGEN_GOLDEN=1 after a deliberate
change of the picture (and look at the result before committing it).
"""
from __future__ import annotations

import json
import math
import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest.importorskip("drawsvg")

from conftest import cli_runner  # noqa: E402
from draw_reading import SVG, edges, face, front_size, parse, recede, texts, volumes, windows  # noqa: E402

from convcalc import analyze, spec_from_text, summarize  # noqa: E402
from convcalc.cli import main  # noqa: E402
from convcalc.render.draw import build_nodes, svg_text  # noqa: E402

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
GOLDEN = HERE / "golden"
LENET = str(FIXTURES / "lenet5.yaml")
RESIDUAL = str(FIXTURES / "residual.yaml")
RESNET18 = str(HERE.parent / "specs" / "resnet18.yaml")


# --------------------------------------------------------------------------- LeNet-5 facts

# LeCun et al. 1998, "Gradient-based learning applied to document recognition", Fig. 2 and §II.B:
# C1 6@28×28 (156 trainable parameters), S2 6@14×14, C3 16@10×10, S4 16@5×5, C5 120 (48,120),
# F6 84 (10,164). C3 here is fully connected to S2 as in the PyTorch "Neural Networks" tutorial's
# Net (nn.Conv2d(6, 16, 5): 2,416 parameters), and the output is nn.Linear(84, 10) (850).
LENET_ROWS = [
    ("input", "(32, 32, 1)", None),
    ("C1", "(28, 28, 6)", "156 params"),
    ("S2", "(14, 14, 6)", None),
    ("C3", "(10, 10, 16)", "2,416 params"),
    ("S4", "(5, 5, 16)", None),
    ("flatten_1", "(400,)", None),
    ("C5", "(120,)", "48,120 params"),
    ("F6", "(84,)", "10,164 params"),
    ("output", "(10,)", "850 params"),
]


@pytest.fixture(scope="module")
def lenet_svg() -> str:
    return svg_text(summarize(LENET))


@pytest.fixture(scope="module")
def lenet_linear() -> ET.Element:
    return parse(svg_text(summarize(LENET), scale="linear"))


@pytest.mark.parametrize("spec", [LENET, RESIDUAL, RESNET18], ids=["lenet5", "residual", "resnet18"])
@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("scale", ["sqrt", "log", "linear"])
def test_svg_is_well_formed(spec, theme, scale):
    root = parse(svg_text(summarize(spec), theme=theme, scale=scale))
    assert root.tag == f"{SVG}svg"
    assert float(root.get("width")) > 0 and float(root.get("height")) > 0


@pytest.mark.parametrize("name, shape, params", LENET_ROWS, ids=[r[0] for r in LENET_ROWS])
def test_lenet_volume_labels(lenet_svg, name, shape, params):
    group = volumes(parse(lenet_svg))[name]
    assert group.get("data-shape") == shape
    assert texts(group, "shape") == [shape]
    assert texts(group, "name") == [name]
    assert texts(group, "params") == ([params] if params else [])


def test_lenet_one_volume_per_layer_and_tanh_folded(lenet_svg):
    root = parse(lenet_svg)
    drawn = volumes(root)
    assert list(drawn) == [row[0] for row in LENET_ROWS]
    folded = [name for g in drawn.values() for t in g.iter(f"{SVG}text") if t.get("class") == "folded" for name in json.loads(t.get("data-layers"))]
    assert folded == ["tanh_1", "tanh_2", "tanh_3", "tanh_4"]
    # every layer of the spec is in the drawing exactly once: as a volume or folded into one
    spec_layers = ["input"] + [layer.name for layer in summarize(LENET).layers]
    assert sorted([*drawn, *folded]) == sorted(spec_layers)


# the linear scale: drawn sides are proportional to the sizes (LeNet-5 shapes from LeCun 1998)
LINEAR_RATIOS = [
    ("height C1/input = 28/32", "C1", "input", "height", 28 / 32),
    ("height S2/C1 = 14/28", "S2", "C1", "height", 14 / 28),
    ("height S4/C3 = 5/10", "S4", "C3", "height", 5 / 10),
    ("recede C3/S2 = 10/14", "C3", "S2", "recede", 10 / 14),
    ("depth C3/C1 = 16/6", "C3", "C1", "thickness", 16 / 6),
    ("depth S2/C1 = 6/6", "S2", "C1", "thickness", 1.0),
    ("bar C5/F6 = 120/84", "C5", "F6", "height", 120 / 84),
    ("bar F6/output = 84/10", "F6", "output", "height", 84 / 10),
]


@pytest.mark.parametrize("_, a, b, side, ratio", LINEAR_RATIOS, ids=[r[0] for r in LINEAR_RATIOS])
def test_linear_scale_sides_follow_shapes(lenet_linear, _, a, b, side, ratio):
    drawn = volumes(lenet_linear)

    def measure(name):
        thickness, height = front_size(drawn[name])
        return {"thickness": thickness, "height": height, "recede": recede(drawn[name])}[side]

    assert measure(a) / measure(b) == pytest.approx(ratio, rel=2e-3)


def test_log_scale_orders_sizes_and_a_halving_is_one_step():
    drawn = volumes(parse(svg_text(summarize(LENET), scale="log")))
    height = {name: front_size(drawn[name])[1] for name in ("input", "C1", "S2", "C3", "S4")}
    assert height["input"] > height["C1"] > height["S2"] > height["C3"] > height["S4"]
    # on a logarithmic scale 28 → 14 and 10 → 5 (both halvings, LeCun 1998) are the same step
    assert height["C1"] - height["S2"] == pytest.approx(height["C3"] - height["S4"], abs=0.02)


def test_default_square_root_scale_keeps_each_halving_the_same_ratio(lenet_svg):
    """The default scale: a side ∝ √size, so every halving (28 → 14, 10 → 5 in LeNet-5, LeCun 1998)
    shortens a side by the same factor √2, and the subtitle says which scale it is."""
    root = parse(lenet_svg)
    drawn = volumes(root)
    height = {name: front_size(drawn[name])[1] for name in ("C1", "S2", "C3", "S4")}
    assert height["C1"] / height["S2"] == pytest.approx(math.sqrt(2), rel=2e-3)
    assert height["C3"] / height["S4"] == pytest.approx(math.sqrt(2), rel=2e-3)
    subtitle = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text") if t.get("class") == "subtitle")
    assert "sides on a square-root scale" in subtitle


def test_kernel_spans_whole_depth_and_pooling_window_one_channel(lenet_linear):
    """CS231n (seed 002): a filter extends through the full depth of its input; pooling works on
    each depth slice independently."""
    drawn = volumes(lenet_linear)
    windows = {g.get("data-layer"): g for g in lenet_linear.iter(f"{SVG}g") if "window" in g.get("class", "").split()}
    assert set(windows) == {"C1", "S2", "C3", "S4"}
    assert windows["C1"].get("class") == "window kernel" and windows["C1"].get("data-source") == "input"
    assert windows["C3"].get("data-source") == "S2" and windows["S2"].get("class") == "window pool-window"
    c3_kernel, s2_depth = front_size(windows["C3"])[0], front_size(drawn["S2"])[0]
    assert c3_kernel == pytest.approx(s2_depth, abs=0.02)  # 5×5×6: all 6 channels of S2
    s2_window, c1_depth = front_size(windows["S2"])[0], front_size(drawn["C1"])[0]
    assert s2_window == pytest.approx(c1_depth / 6, abs=0.02)  # one of C1's 6 channels
    # the kernel's face covers 5/14 of S2's height (C3 uses 5×5 kernels on 14×14 maps)
    assert front_size(windows["C3"])[1] / front_size(drawn["S2"])[1] == pytest.approx(5 / 14, rel=2e-3)
    assert len(list(windows["C3"].iter(f"{SVG}circle"))) == 1  # the one unit it produces


# --------------------------------------------------------------------------- branches

# He et al. 2016, Fig. 2 and eq. 2: an identity shortcut adds x; a projection W_s·x (1×1 conv,
# stride 2) when the size halves and the channels double.
RESIDUAL_VOLUMES = [
    ("input", "box", "(32, 32, 3)", []),
    ("stem", "box", "(32, 32, 16)", ["batchnorm_1", "stem_relu"]),
    ("b1_conv1", "box", "(32, 32, 16)", ["batchnorm_2", "relu_1"]),
    ("b1_conv2", "box", "(32, 32, 16)", ["b1_bn2"]),
    ("b1_add", "merge", "(32, 32, 16)", ["b1_out"]),
    ("b2_conv1", "box", "(16, 16, 32)", ["batchnorm_3", "relu_2"]),
    ("b2_conv2", "box", "(16, 16, 32)", ["b2_bn2"]),
    ("b2_proj", "box", "(16, 16, 32)", ["b2_proj_bn"]),
    ("b2_add", "merge", "(16, 16, 32)", ["relu_3"]),
    ("gap", "bar", "(32,)", []),
    ("fc", "bar", "(10,)", []),
]


@pytest.fixture(scope="module")
def residual_root() -> ET.Element:
    return parse(svg_text(summarize(RESIDUAL)))


@pytest.mark.parametrize("name, style, shape, folded", RESIDUAL_VOLUMES, ids=[r[0] for r in RESIDUAL_VOLUMES])
def test_residual_volumes(residual_root, name, style, shape, folded):
    group = volumes(residual_root)[name]
    assert group.get("class") == f"volume {style}"
    assert texts(group, "shape") == [shape]
    marks = [t for t in group.iter(f"{SVG}text") if t.get("class") == "folded"]
    assert [n for t in marks for n in json.loads(t.get("data-layers"))] == folded


def _edges(root: ET.Element) -> set[tuple[str, str]]:
    return {(p.get("data-source"), p.get("data-target")) for p in edges(root)}


def _connections(root: ET.Element) -> set[tuple[str, str]]:
    """Every input drawn: as a line, a dense fan, or a kernel on its input volume (which stands for the line)."""
    fans = {(p.get("data-source"), p.get("data-target")) for p in root.iter(f"{SVG}path") if p.get("class") == "dense-fan"}
    on_source = {(g.get("data-source"), name) for name, g in windows(root).items() if "free" not in g.get("class").split()}
    return _edges(root) | fans | on_source


def test_residual_graph_edges_and_rows(residual_root):
    assert list(volumes(residual_root)) == [r[0] for r in RESIDUAL_VOLUMES]
    edges = _edges(residual_root)
    assert ("stem", "b1_add") in edges  # the identity shortcut, over the block
    assert {("b1_conv2", "b1_add"), ("b1_add", "b2_proj"), ("b2_proj", "b2_add"), ("b2_conv2", "b2_add")} <= edges
    drawn = volumes(residual_root)
    # the projection runs below the main path, beside the block's first convolution
    proj_y = face(drawn["b2_proj"], "front")[0][1]
    main_y = face(drawn["b2_conv1"], "front")[0][1]
    assert proj_y > main_y + 50


def test_resnet18_wraps_and_states_torchvision_count():
    """torchvision documents resnet18 with 11,689,512 parameters (ResNet18_Weights.IMAGENET1K_V1)."""
    report = summarize(RESNET18)
    wrapped = parse(svg_text(report))
    single = parse(svg_text(report, max_width=None))
    assert float(wrapped.get("width")) <= 1500 < float(single.get("width"))
    subtitle = "".join(next(t for t in wrapped.iter(f"{SVG}text") if t.get("class") == "subtitle").itertext())
    assert "11,689,512 trainable parameters" in subtitle
    assert len(volumes(wrapped)) == len(volumes(single))
    assert _connections(wrapped) == _connections(single)


def test_depth_collapses_blocks_into_one_node():
    """--depth N draws each block nested at level N as one node (blocks come from the spec's path)."""
    spec = spec_from_text("input 8x8x3; conv2d 4 kernel=3 padding=1; relu; conv2d 4 kernel=3 padding=1; maxpool2d 2; flatten; dense 10")
    paths = [("stage1",), ("stage1",), ("stage1", "inner"), ("stage1",), (), ()]
    spec = spec._replace(layers=tuple(l._replace(path=p) for l, p in zip(spec.layers, paths)))
    report = analyze(spec)
    full = build_nodes(report)
    assert [n.key for n in full] == ["input", "conv2d_1", "conv2d_2", "maxpool2d_1", "flatten_1", "dense_1"]
    one = build_nodes(report, depth=1)
    assert [n.key for n in one] == ["input", "stage1", "flatten_1", "dense_1"]
    stage = one[1]
    # the block's output is its last layer's (4, 4, 4); its parameters are its convs' 3·3·3·4+4 and 3·3·4·4+4
    assert stage.shape.describe("hwc") == "(4, 4, 4)" and stage.own_params == 112 + 148
    two = build_nodes(report, depth=2)
    # the block 'inner' holds one layer: drawn as that layer (a box with its kernel), not as a block
    assert [n.key for n in two] == ["input", "conv2d_1", "conv2d_2", "maxpool2d_1", "flatten_1", "dense_1"]
    assert [l.name for l in two[1].folded] == ["relu_1"]
    assert not two[2].block and two[2].layer.name == "conv2d_2"
    root = parse(svg_text(report, depth=1))
    assert texts(volumes(root)["stage1"], "kind") == ["block · 4 layers"]


def test_layer_names_are_escaped_in_attributes():
    spec = 'input: [8, 8, 1]\nlayers:\n  - conv2d: {filters: 2, kernel: 3, name: \'a"<&>b\'}\n  - relu: {name: "r&1"}\n'
    report = analyze(spec_from_text(spec, "odd.yaml"))
    drawn = volumes(parse(svg_text(report)))
    assert list(drawn) == ["input", 'a"<&>b']
    mark = next(t for t in drawn['a"<&>b'].iter(f"{SVG}text") if t.get("class") == "folded")
    assert json.loads(mark.get("data-layers")) == ["r&1"]


# --------------------------------------------------------------------------- golden pictures


@pytest.mark.parametrize("spec, golden", [(LENET, "lenet5.svg"), (RESIDUAL, "residual.svg")], ids=["lenet5", "residual"])
def test_golden_svg(spec, golden):
    text = svg_text(summarize(spec))
    path = GOLDEN / golden
    if os.environ.get("CONVCALC_REGEN_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{golden} changed; look at it, then CONVCALC_REGEN_GOLDEN=1"


# --------------------------------------------------------------------------- the command


def run(*args: str):
    return cli_runner().invoke(main, list(args))


def test_cli_writes_svg(tmp_path):
    out = tmp_path / "lenet.svg"
    result = run("draw", LENET, "-o", str(out), "--theme", "dark", "--scale", "linear")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    root = parse(out.read_text(encoding="utf-8"))
    assert root.find(f"{SVG}g").get("data-theme") == "dark"
    assert list(volumes(root)) == [row[0] for row in LENET_ROWS]


def test_cli_svg_to_stdout():
    result = run("draw", "input 32x32x3; conv2d 10 kernel=5 padding=2; maxpool2d 2; flatten; dense 10")
    assert result.exit_code == 0
    assert list(volumes(parse(result.stdout))) == ["input", "conv2d_1", "maxpool2d_1", "flatten_1", "dense_1"]


def test_cli_writes_png(tmp_path):
    try:
        import cairosvg  # noqa: F401
    except (ImportError, OSError):
        pytest.skip("CairoSVG or the cairo library is not installed")
    out = tmp_path / "net.png"
    result = run("draw", RESIDUAL, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"  # the PNG signature (PNG spec §5.2)


ERRORS = [
    (["draw", LENET, "-o", "net.jpg"], "convcalc: error: unknown picture format '.jpg'; name the output file .svg or .png\n"),
    (["draw", LENET, "-o", "net"], "convcalc: error: cannot tell the picture format of 'net'; name the output file .svg or .png\n"),
    (["draw", "input HxWx3; conv2d 4 kernel=3"],
     "convcalc: error: input: the input size is symbolic; a drawing needs numbers; give its symbols numbers: --set H=N --set W=N\n"),
    (["draw", "input 8x8x3; conv2d 4 kernel=9"],
     "convcalc: error: layer 1 'conv2d_1' (conv2d): kernel 9 is larger than the padded input on axis H: 8 + 0 + 0 = 8; "
     "use a smaller kernel, add padding, or padding: same\n"),
    (["draw", LENET, "-o", "/nonexistent-dir/x.svg"],
     "convcalc: error: cannot write '/nonexistent-dir/x.svg': No such file or directory; check that the folder exists and is writable\n"),
    (["draw", LENET, "--depth", "0"], "convcalc: error: depth must be 1 or more, got 0; --depth 1 draws each top-level block as one node\n"),
]


@pytest.mark.parametrize("args, message", ERRORS, ids=["suffix", "no-suffix", "symbolic", "bad-layer", "unwritable", "depth-0"])
def test_cli_errors_exit_2(args, message):
    result = run(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message)


def test_cli_without_the_draw_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "drawsvg", None)  # import drawsvg now raises ImportError
    result = run("draw", LENET, "-o", "x.svg")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "convcalc: error: drawing needs the optional package drawsvg; install it with: pip install 'convcalc[draw]'\n"


def test_png_without_cairo(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "cairosvg", None)
    result = run("draw", LENET, "-o", str(tmp_path / "x.png"))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "convcalc: error: writing PNG needs CairoSVG and the cairo library (the optional package cairosvg is missing); "
        "install them with: pip install 'convcalc[draw]' and your system's libcairo2, or write an .svg file\n"
    )
    assert not (tmp_path / "x.png").exists()


def test_set_gives_a_symbolic_spec_numbers_to_draw():
    """`draw` takes --set as summary does: seed 001's n × m image with k1 and k2 filters, drawn at 28 × 28."""
    result = run("draw", "specs/homework_symbolic.yaml", "--set", "n=28", "--set", "m=28", "--set", "k1=32", "--set", "k2=64")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert "→ output (28, 28, 64) · 51,584 trainable parameters" in result.stdout  # 320 + 51,264, as PyTorch counts them


def test_png_too_large_for_cairo_is_one_message(tmp_path):
    """3,000 layers wrap into a picture 58,437 pixels tall: cairo draws at most 32,767 a side
    (CAIRO_STATUS_INVALID_SIZE); once a traceback, now exit 2 and the way out."""
    pytest.importorskip("cairosvg", reason="PNG needs CairoSVG")
    layers = "".join("  - conv2d: {filters: 16, kernel: 3, padding: 1}\n" for _ in range(3000))
    spec = tmp_path / "long.yaml"
    spec.write_text(f"input: [32, 32, 16]\nlayers:\n{layers}", encoding="utf-8")
    out = tmp_path / "long.png"
    result = run("draw", str(spec), "-o", str(out))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("convcalc: error: the picture would be ")
    assert result.stderr.endswith("too large for a PNG (cairo draws at most 32,767 a side and this stops at "
                                  "150,000,000 pixels); write an .svg file instead\n")
    assert not out.exists()
    assert run("draw", str(spec), "-o", str(tmp_path / "long.svg")).exit_code == 0
