"""convcalc draw follows the network's shape and keeps its page: every shipped spec within the
width asked, every merge entered by each of its inputs, every windowed layer with its window,
U-Net as a U, Inception's towers side by side, labels that name the window's arguments.

Facts come from the papers named per test; where a line or a kernel ends is read back from the
SVG a user gets. The gallery (specs/img/*.svg, docs/gallery.md) is checked for staleness here;
regenerate it with `python specs/img/gallery.py` and look at the pictures.
"""
from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import pytest

pytest.importorskip("drawsvg")

from draw_reading import SVG, edges, outline_distance, parse, points, texts, volumes, windows  # noqa: E402

from convcalc.layers import KINDS  # noqa: E402
from convcalc.loading import load_report  # noqa: E402
from convcalc.render.draw import PNG_ZOOM, svg_text  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs").glob("*.yaml"))
FIXTURES = sorted((ROOT / "tests" / "fixtures").glob("*.yaml"))


def _gallery():
    spec = importlib.util.spec_from_file_location("gallery", ROOT / "specs" / "img" / "gallery.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GALLERY = _gallery()
_CACHE: dict[tuple, tuple] = {}


def drawn(path: Path, **options):
    """(report, SVG root) of a spec drawn as the command draws it; symbolic specs with the gallery's numbers."""
    key = (str(path), tuple(sorted(options.items())))
    if key not in _CACHE:
        report = load_report(str(path), assignments=GALLERY.SETTINGS.get(path.stem, ()))
        _CACHE[key] = report, parse(svg_text(report, **options))
    return _CACHE[key]


def size(root) -> tuple[float, float]:
    return float(root.get("width")), float(root.get("height"))


# --------------------------------------------------------------------------- the page


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_every_shipped_spec_keeps_the_default_page(spec):
    """Issue 18's bound: an SVG at most --width (1500) wide; its PNG (drawn at PNG_ZOOM) at most 4 × 1500 tall."""
    width, height = size(drawn(spec)[1])
    assert width <= 1500
    assert height * PNG_ZOOM <= 4 * 1500


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_a_narrower_width_is_kept(spec):
    width, height = size(drawn(spec, max_width=900)[1])
    assert width <= 900
    assert height * PNG_ZOOM <= 4 * 900


def _owners(root) -> dict[str, str]:
    """Every layer name of the spec -> the volume it is drawn in (itself, its host, or its block), from the SVG."""
    owner = {}
    for name, group in volumes(root).items():
        title = next(group.iter(f"{SVG}title"))
        for line in "".join(title.itertext()).splitlines():  # "3 conv1 (conv2d) → …": one line per layer
            parts = line.split(" ")
            if len(parts) > 1 and parts[0].isdigit():
                owner[line.split(" (", 1)[0].split(" ", 1)[1]] = name
        owner[name] = name
    owner["input"] = "input"
    return owner


MERGE_CASES = [(p, {}) for p in [*SPECS, *FIXTURES]] + [
    (ROOT / "specs" / "unet.yaml", {"max_width": 800}),
    (ROOT / "specs" / "densenet121.yaml", {"depth": 3}),
    (ROOT / "specs" / "googlenet.yaml", {"depth": 4}),
    (ROOT / "specs" / "resnet50.yaml", {"max_width": 0}),
]


@pytest.mark.parametrize("spec, options", MERGE_CASES, ids=[p.stem + "".join(f"-{k}{v}" for k, v in o.items()) for p, o in MERGE_CASES])
def test_every_merge_is_entered_by_each_of_its_inputs(spec, options):
    """A shortcut enters ⊕ itself (He et al. 2016, Fig. 2: x is added at the sum), and each branch enters the
    concatenation itself (Szegedy et al. 2015, Fig. 2; Huang et al. 2017): one line per input, ending on the
    merge's outline, none ending on another's way in."""
    report, root = drawn(spec, **options)
    drawn_volumes = volumes(root)
    owner = _owners(root)
    lines = edges(root)
    merges = [layer for layer in report.layers if KINDS[layer.type].category == "merge" and owner.get(layer.name) == layer.name]
    for layer in merges:
        name = layer.name
        wanted = {owner[source] for source in layer.inputs} - {name}
        into = [line for line in lines if line.get("data-target") == name]
        assert sorted(line.get("data-source") for line in into) == sorted(wanted), name
        ends = [points(line)[-1] for line in into]
        for line, end in zip(into, ends):
            assert outline_distance(drawn_volumes[name], end) <= 0.75, (name, line.get("data-source"), end)
        for i, a in enumerate(ends):
            for j, b in enumerate(ends):
                if i != j:
                    assert math.dist(a, b) >= 2.0, (name, a, b)
                    path = points(into[j])
                    for p, q in zip(path, path[1:]):  # no line ends on another's way in (a T-junction)
                        if min(p[0], q[0]) - 0.5 <= a[0] <= max(p[0], q[0]) + 0.5 and min(p[1], q[1]) - 0.5 <= a[1] <= max(p[1], q[1]) + 0.5:
                            pytest.fail(f"{name}: the line from {into[i].get('data-source')} ends on the way of {into[j].get('data-source')}")


WINDOW_CASES = [*MERGE_CASES, (ROOT / "specs" / "unet.yaml", {"depth": 3})]


@pytest.mark.parametrize("spec, options", WINDOW_CASES, ids=[p.stem + "".join(f"-{k}{v}" for k, v in o.items()) for p, o in WINDOW_CASES])
def test_every_windowed_layer_draws_its_window(spec, options):
    """Every layer whose kind declares a window (convolutions, transposed ones included, and pooling) has it
    drawn, whatever its input: a merge, a volume in another band or strip, or the one just before it."""
    report, root = drawn(spec, **options)
    found = windows(root)
    for name, group in volumes(root).items():
        kind = KINDS.get(group.get("data-type"))
        if kind is None or kind.window_reach is None:
            continue
        assert name in found, f"{name} ({group.get('data-type')}) has no window"
        classes = found[name].get("class").split()
        assert ("kernel" if kind.category == "conv" else "pool-window") in classes, (name, classes)


def test_resnet_stride_2_conv_reading_a_merge_draws_its_kernel():
    """torchvision's resnet18 layer4.0.conv1 (3×3, stride 2) reads layer3's last sum: its 3×3×256 kernel is drawn
    standing before it (He et al. 2016, Table 1: conv5_x halves 14 → 7)."""
    _, root = drawn(ROOT / "specs" / "resnet18.yaml")
    kernel = windows(root)["layer4.0.conv1"]
    assert kernel.get("class").split() == ["window", "kernel", "free"]
    assert kernel.get("data-source") == "layer3.1.add"
    assert texts(volumes(root)["layer4.0.conv1"], "kind") == ["conv2d 3×3 s2 p1"]


# --------------------------------------------------------------------------- shapes that the picture follows


def _centre(group) -> tuple[float, float]:
    circle = next((c for c in group.iter(f"{SVG}circle") if c.get("class") == "merge-symbol"), None)
    if circle is not None:
        return float(circle.get("cx")), float(circle.get("cy"))
    front = [p for p in points(next(p for p in group.iter(f"{SVG}path") if p.get("class") == "front"))]
    return sum(x for x, _ in front) / len(front), sum(y for _, y in front) / len(front)


def test_unet_reads_as_a_u():
    """Ronneberger et al. 2015, Fig. 1: the contracting path down the left, the bottleneck at the bottom, the
    expansive path up the right, and each level's copy (skip) running straight across to its concatenation."""
    _, root = drawn(ROOT / "specs" / "unet.yaml")
    assert root.find(f"{SVG}g").get("data-shape") == "u"
    drawn_volumes = volumes(root)
    encoder = ["inc.conv2", "down1.convs.conv2", "down2.convs.conv2", "down3.convs.conv2", "down4.convs.conv2"]
    decoder = ["up4.cat", "up3.cat", "up2.cat", "up1.cat"]
    down = [_centre(drawn_volumes[name]) for name in encoder]
    up = [_centre(drawn_volumes[name]) for name in decoder]
    assert all(a[1] < b[1] for a, b in zip(down, down[1:])), "the encoder goes down"
    assert all(a[1] < b[1] for a, b in zip(up, up[1:])), "the decoder, read from the output back, goes down too"
    assert down[-1][1] > max(y for _, y in up), "the bottleneck is the lowest row"
    lines = {(line.get("data-source"), line.get("data-target")): points(line) for line in edges(root)}
    for level, (left, right) in enumerate(zip(encoder, decoder)):
        skip = lines[(left, right)]
        assert len(skip) == 2 and skip[0][1] == skip[1][1] and skip[0][0] < skip[1][0], f"level {level}: the skip runs straight across"
        assert down[level][1] == pytest.approx(up[level][1]), f"level {level}: both halves on one row"
    lefts = [x for x, _ in down[:4]]
    rights = [x for x, _ in up]
    assert all(a < b for a, b in zip(lefts, lefts[1:])) and all(a > b for a, b in zip(rights, rights[1:])), "each level steps in"


def test_skips_at_one_resolution_are_not_a_u():
    """A squeeze-and-excitation gate inside a residual block (Hu et al. 2018, Fig. 3: SE-ResNet module) nests a
    skip in a skip, both on the same 56 × 56 map: not an encoder–decoder, so it is drawn in one strip."""
    spec = (
        "input 56x56x64; conv2d 64 kernel=3 padding=1 name=conv; relu; global_avgpool name=squeeze; "
        "reshape shape=[1,1,64]; conv2d 16 kernel=1; relu; conv2d 64 kernel=1; sigmoid name=gate; "
        "multiply from=relu_1,gate name=scale; add from=scale,input name=out"
    )
    root = parse(svg_text(load_report(spec)))
    assert root.find(f"{SVG}g").get("data-shape") == "strips"
    axes = set()
    for group in volumes(root).values():  # the middle of each drawing, box or circle, top to bottom
        ys = [y for p in group.iter(f"{SVG}path") if p.get("class") in ("front", "top", "side") for _, y in points(p)]
        ys += [float(c.get("cy")) + k * float(c.get("r")) for c in group.iter(f"{SVG}circle") if c.get("class") == "merge-symbol" for k in (-1, 1)]
        axes.add(round((min(ys) + max(ys)) / 2))
    assert len(axes) == 1, f"one line: {axes}"


def test_inception_towers_stand_side_by_side():
    """Szegedy et al. 2015, Fig. 2(b): the 1×1, 3×3, 5×5 and pooling towers run in parallel from the same
    input to the filter concatenation; drawn one under another, each starting in the same column."""
    _, root = drawn(ROOT / "specs" / "googlenet.yaml", depth=4)
    drawn_volumes = volumes(root)
    firsts = ["inception3a.branch1.conv", "inception3a.branch2.0.conv", "inception3a.branch3.0.conv", "inception3a.branch4.0"]
    centres = [_centre(drawn_volumes[name]) for name in firsts]
    assert max(x for x, _ in centres) - min(x for x, _ in centres) < 20, "the towers start in one column"
    assert all(a[1] < b[1] for a, b in zip(centres, centres[1:])), "one under another, in the spec's order"
    concat = _centre(drawn_volumes["inception3a.concat"])
    assert concat[0] > max(_centre(drawn_volumes["inception3a.branch2.1.conv"])[0], centres[0][0])


def test_a_tall_network_draws_its_blocks_whole_and_says_how_to_see_every_layer():
    """DenseNet-121 (Huang et al. 2017, Table 1): 120 convolutions and one classifier (the 121). At full detail its
    186 nodes pass the page's height, so each dense layer is drawn whole; --depth 3 draws all 121."""
    _, root = drawn(ROOT / "specs" / "densenet121.yaml")
    subtitle = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text") if t.get("class") == "subtitle")
    assert "blocks at level 2 drawn as one box each, to fit the page (--depth 3 draws every layer)" in subtitle
    _, full = drawn(ROOT / "specs" / "densenet121.yaml", depth=3)
    kinds = [group.get("data-kind") for group in volumes(full).values()]
    assert (kinds.count("conv"), kinds.count("dense")) == (120, 1)


# --------------------------------------------------------------------------- labels and the registry


LABELS = [
    ("input 32x32x3; conv2d 8 kernel=3 stride=2 padding=1", "conv2d 3×3 s2 p1"),
    ("input 32x32x3; conv2d 8 kernel=3 padding=same", "conv2d 3×3 same"),
    ("input 32x32x3; conv2d 8 kernel=3 padding=valid", "conv2d 3×3 valid"),
    ("input 32x32x3; conv2d 8 kernel=3 padding=2 dilation=2", "conv2d 3×3 p2 d2"),
    ("input 32x32x3; conv2d 8 kernel=[3,5] stride=[1,2]", "conv2d 3×5 s1×2"),
    ("input 32x32x4; conv2d 8 kernel=3 groups=2", "conv2d 3×3 g2"),
    ("input 32x32x3; maxpool2d 2", "maxpool2d 2×2 s2"),
    ("input 32x32x3; maxpool2d 3 stride=2 padding=1", "maxpool2d 3×3 s2 p1"),
    ("input 16x16x3; conv_transpose2d 8 kernel=2 stride=2", "conv_transpose2d 2×2 s2"),
]


@pytest.mark.parametrize("spec, kind", LABELS, ids=[k for _, k in LABELS])
def test_kind_line_names_stride_padding_dilation_and_groups(spec, kind):
    """The kind line writes the spec's window arguments where they are not the default (PyTorch's defaults:
    stride 1, padding 0, dilation 1, groups 1; a pool's stride defaults to its kernel and is written)."""
    root = parse(svg_text(load_report(spec)))
    group = next(g for name, g in volumes(root).items() if name != "input")
    assert texts(group, "kind") == [kind]


def test_every_layer_kind_is_drawn():
    """Walks the registry through test_layers' rows (one per kind): each layer appears once, as a volume or folded."""
    from test_layers import ACTIVATION_ROWS, ROWS

    seen = set()
    for _, spec_text, _, _ in ROWS + ACTIVATION_ROWS:
        report = load_report(spec_text)
        root = parse(svg_text(report))
        drawn_volumes = volumes(root)
        folded = [n for g in drawn_volumes.values() for t in g.iter(f"{SVG}text") if t.get("class") == "folded" for n in json.loads(t.get("data-layers"))]
        assert sorted([*drawn_volumes, *folded]) == sorted(["input", *(layer.name for layer in report.layers)]), spec_text
        seen.update(layer.type for layer in report.layers)
    assert seen == set(KINDS)


def test_merge_signs_come_from_the_kinds():
    """add is drawn ⊕ and multiply ⊗ (the signs the kinds declare); concat, which changes the shape, is a volume."""
    root = parse(svg_text(load_report("input 8x8x3; conv2d 3 kernel=1 name=a; add from=input,a; multiply from=input,add_1; concat from=a,multiply_1")))
    drawn_volumes = volumes(root)
    assert [drawn_volumes[n].get("class") for n in ("add_1", "multiply_1", "concat_1")] == ["volume merge", "volume merge", "volume box"]
    signs = {n: next(p for p in drawn_volumes[n].iter(f"{SVG}path") if p.get("class") == "sign").get("d") for n in ("add_1", "multiply_1")}
    assert " H" in signs["add_1"] and " V" in signs["add_1"]  # a horizontal and a vertical stroke: +
    assert " H" not in signs["multiply_1"] and signs["multiply_1"].count(" L") == 2  # two diagonals: ×


def test_gallery_is_fresh():
    """specs/img/*.svg and docs/gallery.md are what the drawing makes now: run python specs/img/gallery.py."""
    assert [str(p.relative_to(ROOT)) for p in GALLERY.stale()] == []
