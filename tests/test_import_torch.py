"""`convcalc import` from PyTorch (torch.fx): round trips through export, published counts, errors.

1. Round trip: every shipped spec (and the branching export fixtures) is exported with
   `convcalc export -f pytorch`, the module is built and imported back; each original layer is
   compared with the imported layers made by its own line of the exported forward (the line that
   assigns its variable: fx records which line made each node), by output shape, parameters,
   running statistics (buffers) and MACs.
2. The plain torch.nn rebuilds of tests/test_zoo_torch.py imported directly (not through export)
   give torchvision's published parameter counts and GFLOPS (the `num_params` and `GFLOPS` of the
   IMAGENET1K_V1 weights in the torchvision docs, https://pytorch.org/vision/stable/models.html;
   torchvision's GFLOPS count multiply-accumulates, as convcalc's MACs do).
3. A model in torchvision's own module structure keeps torchvision's names (layer1.0.conv1).
4. What convcalc cannot represent (an LSTM, a custom autograd Function, a custom activation) is
   exit 2 naming it and its place; --as-identity reads the activation as identity.
Skips cleanly without torch (pip install 'convcalc[torch]').
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch", reason="importing from PyTorch needs torch: pip install 'convcalc[torch]'")

from conftest import ROOT, run_cli, summary_json

from convcalc import analyze, load_spec
from convcalc.frameworks.export import class_name, identifiers, to_pytorch
from convcalc.frameworks.importers import import_torch
from convcalc.frameworks.importers.torch import read_torch, trace

SHIPPED = sorted((ROOT / "specs").glob("*.yaml"))
FIXTURES = sorted((ROOT / "tests" / "fixtures" / "export").glob("*.yaml"))
MODELS = str(ROOT / "tests" / "fixtures" / "import" / "models.py")


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _report(path: Path):
    from convcalc.symbolic import spec_symbols, substitute

    spec = load_spec(str(path))
    symbols = spec_symbols(spec)  # the symbolic homework seed: every letter 12, as the export cross-check does
    return analyze(substitute(spec, {name: 12 for name in symbols}) if symbols else spec)


def _figures(layer) -> tuple:
    out = layer.outcome
    return out.trainable, out.non_trainable, out.macs


@pytest.mark.parametrize("path", SHIPPED + FIXTURES, ids=_id)
def test_export_then_import_gives_every_layer_back(path):
    original = _report(path)
    code = to_pytorch(original)
    namespace: dict = {"__name__": "convcalc_import_round_trip"}
    exec(compile(code, "<exported>", "exec"), namespace)
    model = namespace[class_name(original)]()
    shape = namespace["INPUT_SHAPE"]
    # which variable of forward each fx node assigns: '        conv1 = self.conv1(x)' on the line fx recorded
    # (the outermost frame: a node made inside a helper class's forward, MoveDim's, belongs to the line calling it)
    lines = code.splitlines()
    graph, _ = trace(model, stack_traces=True)
    made_by = {}
    for node in graph.nodes:
        found = re.findall(r'File "<exported>", line (\d+)', node.stack_trace or "")
        if found:
            made_by[node.name] = lines[int(found[0]) - 1].split("=")[0].strip()
    _, scoped, _ = read_torch(model, shape)
    imported = analyze(import_torch(model, shape).spec())
    assert len(imported.layers) == len(scoped)
    groups: dict[str, list] = {}
    for item, layer in zip(scoped, imported.layers):
        owners = {made_by[key] for key in item.layer.keys}
        assert len(owners) == 1, (layer.name, owners)
        groups.setdefault(owners.pop(), []).append(layer)
    idents = identifiers(original)
    problems = []
    for layer in original.layers:
        group = groups.pop(idents[layer.name], [])
        if not group:
            problems.append(f"{layer.name}: no imported layer")
            continue
        got = (group[-1].shape, *[sum(f) for f in zip(*(_figures(g) for g in group))])
        want = (layer.shape, *_figures(layer))
        if got != want:
            problems.append(f"{layer.name}: imported {got}, original {want}")
    assert not problems, "\n".join(problems)
    assert not groups, f"imported layers that no original layer made: {groups}"
    assert (imported.trainable_params, imported.non_trainable_params) == (original.trainable_params, original.non_trainable_params)


# --------------------------------------------------------------------------- published counts

PUBLISHED = [
    # (model, params, GFLOPS as published, source)
    ("resnet50", 25_557_032, "4.09", "torchvision docs, ResNet50_Weights.IMAGENET1K_V1: num_params, GFLOPS"),
    ("mobilenet_v2", 3_504_872, "0.30", "torchvision docs, MobileNet_V2_Weights.IMAGENET1K_V1: num_params, GFLOPS 0.3"),
    ("densenet121", 7_978_856, "2.83", "torchvision docs, DenseNet121_Weights.IMAGENET1K_V1: num_params, GFLOPS"),
    ("googlenet", 6_624_904, "1.50", "torchvision docs, GoogLeNet_Weights.IMAGENET1K_V1: num_params, GFLOPS 1.5"),
    ("resnet18", 11_689_512, "1.81", "torchvision docs, ResNet18_Weights.IMAGENET1K_V1: num_params, GFLOPS"),
    ("squeezenet1_0", 1_248_424, "0.82", "torchvision docs, SqueezeNet1_0_Weights.IMAGENET1K_V1: num_params, GFLOPS"),
]


def zoo():
    sys.path.insert(0, str(ROOT / "tests"))
    import test_zoo_torch

    test_zoo_torch.torch = torch
    return test_zoo_torch.models()


@pytest.mark.parametrize("name, params, gflops, source", PUBLISHED, ids=[p[0] for p in PUBLISHED])
def test_plain_torch_models_import_with_published_counts(name, params, gflops, source):
    factory, shape = zoo()[name]
    report = analyze(import_torch(factory(), shape).spec())
    macs = sum(layer.outcome.macs for layer in report.layers)
    assert report.trainable_params == params, source
    assert f"{macs / 1e9:.2f}" == gflops, source
    assert report.output_shape.channels == 1000 and report.output_shape.rank == 0


def test_torchvision_names_are_kept(tmp_path):
    """torchvision's resnet18 structure: its module names are the layers' names, BasicBlock a template."""
    out = tmp_path / "r18.yaml"
    result = run_cli("import", f"{MODELS}:resnet18", "--input", "3x224x224", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    data = summary_json(str(out))
    names = [layer["name"] for layer in data["layers"]]
    assert names[:4] == ["conv1", "bn1", "relu", "maxpool"]
    assert {"layer1.0.conv1", "layer2.0.downsample.0", "layer4.1.bn2", "fc"} <= set(names)
    assert data["trainable_params"] == 11_689_512  # torchvision docs, ResNet18_Weights.IMAGENET1K_V1 num_params
    text = out.read_text(encoding="utf-8")
    assert "  BasicBlock:" in text and text.count("- {conv2d:") < 10  # the blocks written once, not 20 convs


# --------------------------------------------------------------------------- what cannot be represented

REFUSED = [
    ("lstm", "8x20", "node 3 'rnn' (nn.LSTM): convcalc has no layer kind for it"),
    ("custom_function", "3x32x32", "node 3 'Clamp' (Clamp): convcalc has no layer kind for it"),
    ("custom_activation", "3x32x32", ("node 3 'act.erf' (torch.erf): convcalc has no layer kind for it; "
                                      "if it changes no shape and holds no parameters, read it as identity with --as-identity act")),
]


@pytest.mark.parametrize("factory, shape, message", REFUSED, ids=[r[0] for r in REFUSED])
def test_what_convcalc_cannot_represent_is_named_with_its_place(factory, shape, message):
    result = run_cli("import", f"{MODELS}:{factory}", "--input", shape)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"convcalc: error: {message}"), result.stderr


def test_as_identity_reads_a_custom_activation():
    result = run_cli("import", f"{MODELS}:custom_activation", "--input", "3x32x32", "--as-identity", "act")
    assert result.exit_code == 0, result.stderr
    assert "- {identity: {name: act}}" in result.stdout
    sys.path.insert(0, str(Path(MODELS).parent))
    import models

    model = models.custom_activation()
    expected = sum(p.numel() for p in model.parameters())
    from convcalc import from_torch

    assert analyze(from_torch(model, (3, 32, 32), as_identity=["act"])).trainable_params == expected  # torch's own count


@pytest.mark.parametrize("args, message", [
    (("import", f"{MODELS}:resnet18"), "a PyTorch model needs its input shape; give --input"),
    (("import", f"{MODELS}:resnet18", "--input", "1x224x224"),
     "node 2 'conv1' (nn.Conv2d): expects 3 input channels, but its input (1, 224, 224) has 1; check the input shape"),
    (("import", f"{MODELS}:nothing", "--input", "3x8x8"), "has no 'nothing'"),
    (("import", "model.bin"), "cannot tell what 'model.bin' is"),
])
def test_bad_sources_are_one_line_errors(args, message):
    result = run_cli(*args)
    assert result.exit_code == 2 and result.stdout == ""
    assert message in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr


def test_missing_torch_names_the_pip_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # as if torch were not installed
    result = run_cli("import", f"{MODELS}:resnet18", "--input", "3x224x224")
    assert result.exit_code == 2
    assert "pip install 'convcalc[torch]'" in result.stderr


def test_functional_calls_and_tensor_methods_are_read():
    """F.relu(inplace=True), F.max_pool2d, a sigmoid gate (x * sigmoid), torch.cat, x.relu(),
    F.interpolate, F.avg_pool2d, x.mean(keepdim=True), x.view(x.size(0), -1), F.dropout: the spec's
    output shape, parameters and running statistics are torch's own (the model run on zeros)."""
    sys.path.insert(0, str(Path(MODELS).parent))
    import models

    model = models.functional().eval()
    with torch.no_grad():
        out = model(torch.zeros(1, 3, 32, 32))
    report = analyze(import_torch(model, (3, 32, 32)).spec())
    assert (1, *report.output_shape.in_layout("chw")) == tuple(out.shape)
    assert report.trainable_params == sum(p.numel() for p in model.parameters())
    assert report.non_trainable_params == sum(b.numel() for n, b in model.named_buffers() if n.endswith(("running_mean", "running_var")))
    kinds = [layer.type for layer in report.layers]
    assert kinds == ["conv2d", "relu", "maxpool2d", "conv2d", "sigmoid", "multiply", "concat", "batchnorm", "relu", "upsample2d",
                     "avgpool2d", "adaptive_avgpool2d", "add", "reshape", "dense", "dropout"]


# --------------------------------------------------------------------------- where fx cannot trace: torch.export


def test_a_model_fx_cannot_trace_is_read_through_torch_export():
    """`if x.shape[-1] > 8:` stops torch.fx (a symbolic size in Python control flow); torch.export
    runs the model once: the spec's output shape and counts are torch's own."""
    from convcalc import SpecError

    sys.path.insert(0, str(Path(MODELS).parent))
    import models

    model = models.size_branch()
    with pytest.raises(SpecError):
        trace(model)  # fx really cannot
    result = run_cli("import", f"{MODELS}:size_branch", "--input", "3x32x32")
    assert result.exit_code == 0, result.stderr
    assert "- {relu: {name: relu}}" in result.stdout
    with torch.no_grad():
        out = model.eval()(torch.zeros(1, 3, 32, 32))
    report = analyze(import_torch(model, (3, 32, 32)).spec())
    assert (1, *report.output_shape.in_layout("chw")) == tuple(out.shape)
    assert report.trainable_params == sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("name, params, gflops, source", PUBLISHED[:4], ids=[p[0] for p in PUBLISHED[:4]])
def test_the_torch_export_path_gives_the_published_counts_too(name, params, gflops, source):
    from convcalc.frameworks.importers import _finish
    from convcalc.frameworks.importers.torch_export import read_exported

    factory, shape = zoo()[name]
    builder, scoped, title = read_exported(factory(), shape)
    report = analyze(_finish(builder, scoped, title, name).spec())
    assert report.trainable_params == params, source
    assert f"{sum(layer.outcome.macs for layer in report.layers) / 1e9:.2f}" == gflops, source


def test_one_template_for_modules_that_differ_only_in_values():
    """GoogLeNet's BasicConv2d (conv, batchnorm with eps 0.001, relu) is written once, though its
    kernel, stride and padding differ (the kind's defaults become the parameters' defaults), as the
    hand-written specs/googlenet.yaml does with its `basic` template."""
    factory, shape = zoo()["googlenet"]
    text = import_torch(factory(), shape).text
    assert text.count("batchnorm: {eps: 0.001") == 1
    assert "params: [filters, kernel, {padding: 0}, {stride: 1}]" in text


def test_a_sequential_of_identical_layers_is_a_repeat_with_the_names_kept():
    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = torch.nn.Conv2d(3, 16, 3, padding=1)
            self.body = torch.nn.Sequential(*[torch.nn.Conv2d(16, 16, 3, padding=1) for _ in range(4)])

        def forward(self, x):
            return self.body(self.stem(x))

    model = Net()
    imported = import_torch(model, (3, 16, 16))
    assert "- {repeat: {times: 4, layers: [{conv2d: {filters: 16, kernel: 3, padding: 1}}]}}" in imported.text
    report = analyze(imported.spec())
    assert [layer.name for layer in report.layers] == ["stem", "body.0", "body.1", "body.2", "body.3"]  # the module names
    assert report.trainable_params == sum(p.numel() for p in model.parameters())


def test_permute_and_linear_on_the_last_axis_are_torch_s_shapes():
    """x.permute(0, 2, 3, 1) and nn.Linear on a multi-axis input (it acts on the last axis): each
    layer's shape is the one torch gives (the model run on zeros, every layer's output kept)."""
    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 8, 3)
            self.fc = torch.nn.Linear(8, 5)

        def forward(self, x):
            return self.fc(self.conv(x).permute(0, 2, 3, 1))

    model = Net()
    report = analyze(import_torch(model, (3, 8, 8)).spec())
    with torch.no_grad():
        after_conv = model.conv(torch.zeros(1, 3, 8, 8))
        permuted = after_conv.permute(0, 2, 3, 1)
        out = model.fc(permuted)
    shapes = [(1, *layer.shape.in_layout("chw")) for layer in report.layers]
    assert shapes == [tuple(after_conv.shape), tuple(permuted.shape), tuple(out.shape)]
    assert report.trainable_params == sum(p.numel() for p in model.parameters())


def test_movedim_is_a_permute_with_torch_s_shapes():
    """x.movedim(1, -1) and torch.movedim(…, -1, 1) around nn.Linear (how ConvNeXt, and convcalc's own
    export of a dense layer on the channel axis, apply Linear at every position): each layer's shape
    is the one torch gives (the model run on zeros)."""
    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 8, 3)
            self.fc = torch.nn.Linear(8, 5)

        def forward(self, x):
            return torch.movedim(self.fc(self.conv(x).movedim(1, -1)), -1, 1)

    model = Net()
    report = analyze(import_torch(model, (3, 8, 8)).spec())
    with torch.no_grad():
        after_conv = model.conv(torch.zeros(1, 3, 8, 8))
        moved = after_conv.movedim(1, -1)
        after_fc = model.fc(moved)
        back = torch.movedim(after_fc, -1, 1)
    shapes = [(1, *layer.shape.in_layout("chw")) for layer in report.layers]
    assert [layer.type for layer in report.layers] == ["conv2d", "permute", "dense", "permute"]
    assert shapes == [tuple(t.shape) for t in (after_conv, moved, after_fc, back)]
    assert report.trainable_params == sum(p.numel() for p in model.parameters())


def test_a_model_with_two_outputs_writes_both():
    """forward returning a tuple (YOLO's detection scales): the written spec names both outputs, in
    forward's order, and their shapes are the ones torch gives (the model run on zeros)."""
    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 8, 3, stride=2)
            self.head_small = torch.nn.Conv2d(8, 4, 1)
            self.head_large = torch.nn.Conv2d(3, 5, 1)

        def forward(self, x):
            return self.head_small(self.conv(x)), self.head_large(x)

    model = Net().eval()
    imported = import_torch(model, (3, 9, 9))
    assert "outputs: [head_small, head_large]" in imported.text
    report = analyze(imported.spec())
    with torch.no_grad():
        want = [tuple(t.shape) for t in model(torch.zeros(1, 3, 9, 9))]
    assert [(1, *o.shape.in_layout("chw")) for o in report.outputs] == want
    assert report.trainable_params == sum(p.numel() for p in model.parameters())


def test_chunk_and_split_are_splits_with_outputs_read_by_index():
    """x.chunk(2, dim=1) (ShuffleNetV2's channel split) and torch.split(x, 3, dim=2) (parts of 3 rows, the last
    smaller): each a split whose outputs later layers read by index (`from: NAME.k`); every layer's shape is the
    one torch gives (the model run on zeros), the parameters torch's own count."""
    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 8, 1)
            self.branch = torch.nn.Conv2d(4, 4, 3, padding=1)

        def forward(self, x):
            left, right = self.conv(x).chunk(2, dim=1)
            joined = torch.cat([left, self.branch(right)], dim=1)
            top, _, bottom = torch.split(joined, 3, dim=2)
            return torch.cat([top, bottom], dim=2)

    model = Net().eval()
    imported = import_torch(model, (3, 8, 5))
    report = analyze(imported.spec())
    assert [layer.type for layer in report.layers] == ["conv2d", "split", "conv2d", "concat", "split", "concat"]
    assert "from: chunk.1" in imported.text and "from: [split.0, split.2]" in imported.text
    with torch.no_grad():
        conv = model.conv(torch.zeros(1, 3, 8, 5))
        left, right = conv.chunk(2, dim=1)
        branch = model.branch(right)
        joined = torch.cat([left, branch], dim=1)
        top, _, bottom = torch.split(joined, 3, dim=2)
        out = torch.cat([top, bottom], dim=2)
    shapes = [(1, *layer.shape.in_layout("chw")) for layer in report.layers]
    assert shapes == [tuple(t.shape) for t in (conv, left, branch, joined, top, out)]  # a split's shape: its first output
    assert report.trainable_params == sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("name, blocks, convs, source", [
    ("resnet50", 16, 1, "He et al. 2016, Table 1: ResNet-50 is a 7x7 conv, then 3 + 4 + 6 + 3 bottleneck blocks"),
    ("densenet121", 58, 4, "Huang et al. 2017, Table 1: DenseNet-121 is a 7x7 conv, 6 + 12 + 24 + 16 dense layers "
                           "and 3 transition layers (a 1x1 conv each)"),
])
def test_a_zoo_import_writes_each_block_once(name, blocks, convs, source):
    """The spec an import writes is one to read: each repeated block a template, called once per block on one
    line (ResNet-50's 175 layers in about 60 lines), the blocks' convolutions written only in the templates."""
    from convcalc.layers import KINDS

    factory, shape = zoo()[name]
    text = import_torch(factory(), shape).text
    body = text[text.index("\nlayers:\n"):].splitlines()[2:]
    calls = [line for line in body if line.startswith("  - {") and line.split("{")[1].split(":")[0] not in KINDS]
    assert len(calls) == blocks, source
    assert sum(1 for line in body if line.startswith("  - {conv2d:")) == convs, source
    assert len(text.splitlines()) < 2 * blocks + 45, text


COMMANDS = [  # every command that reads a spec, run on the written import
    ("summary",), ("summary", "-f", "json"), ("explain",), ("draw", "-f", "svg"), ("export", "--to", "pytorch"),
    ("export", "--to", "keras"),
]  # (check reads a spec's expect: answers, which an imported model has none of)


def test_a_package_module_factory_is_read_and_every_command_takes_the_spec(tmp_path, monkeypatch):
    """`convcalc import mypkg.models:resnet18` (a factory in an importable package, as the issue writes it) gives
    a spec that every spec-reading command and the library take; ResNet-18's parameters are torchvision's."""
    package = tmp_path / "mypkg"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "models.py").write_text(Path(MODELS).read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    out = tmp_path / "r18.yaml"
    result = run_cli("import", "mypkg.models:resnet18", "--input", "3x224x224", "-o", str(out))
    assert result.exit_code == 0 and result.stdout == "", result.stderr
    for command in COMMANDS:
        ran = run_cli(command[0], str(out), *command[1:], *(["-o", str(tmp_path / "r18.svg")] if command[0] == "draw" else []))
        assert ran.exit_code == 0 and ran.stderr == "", (command, ran.stderr)
    import convcalc
    import mypkg.models

    spec = convcalc.from_torch(mypkg.models.resnet18(), (3, 224, 224))
    assert convcalc.summary(spec).trainable_params == 11_689_512  # torchvision docs, ResNet18_Weights.IMAGENET1K_V1 num_params
    assert convcalc.analyze(spec).trainable_params == 11_689_512
