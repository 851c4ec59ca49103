"""Networks that branch: block syntax, naming and scoping, merge and `from` errors, the tree table.

Expected names, paths and messages follow the rules documented in docs/spec-format.md ("Names and scopes");
expected shapes and counts come from the papers and from PyTorch, named in each row.
"""
from __future__ import annotations

import json
import re

import pytest

from conftest import ROOT, run_cli

E = "convcalc: error: "

TEMPLATE = """blocks:
  cb:
    params: [filters, stride: 1]
    layers:
      - conv2d: {filters: $filters, kernel: 3, padding: 1, stride: $stride, name: conv}
      - relu
"""


def summary(tmp_path, text: str, *extra: str):
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return run_cli("summary", str(path), *extra)


def as_json(tmp_path, text: str) -> dict:
    result = summary(tmp_path, text, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def by_name(data: dict) -> dict[str, dict]:
    return {layer["name"]: layer for layer in data["layers"]}


# --------------------------------------------------------------------------- errors: exit 2, one line

ERROR_ROWS = [
    ("add shapes differ (the issue's example)",
     "input: [56, 56, 64]\nlayers:\n  - residual: {name: res2a, main: [conv2d: {filters: 256, kernel: 1, name: conv3}]}\n",
     "layer 2 'res2a.add' (add): shapes differ: res2a.conv3 (56, 56, 256) vs input (56, 56, 64), 256 vs 64 on axis C; "
     "element-wise merges need each axis equal, or 1 to broadcast (the NumPy/PyTorch rule, axes aligned from the last)"),
    ("multiply shapes differ",
     "input: [8, 8, 4]\nlayers:\n  - residual: {merge: multiply, main: [conv2d: {filters: 4, kernel: 3}]}\n",
     "layer 2 'residual_1.multiply' (multiply): shapes differ: residual_1.conv2d_1 (6, 6, 4) vs input (8, 8, 4), "
     "6 vs 8 on axis H; element-wise merges need each axis equal, or 1 to broadcast (the NumPy/PyTorch rule, axes aligned from the last)"),
    ("concat sizes differ off the axis",
     "input: [8, 8, 4]\nlayers:\n  - branches: [[conv2d: {filters: 4, kernel: 3}], [conv2d: {filters: 4, kernel: 1}]]\n",
     "layer 3 'branches_1.concat' (concat): shapes differ outside the concat axis: branches_1.branch1 (6, 6, 4) vs "
     "branches_1.branch2 (8, 8, 4); all inputs must agree on every axis but the one joined"),
    ("plain add of unequal layers",
     "input: [8, 8, 4]\nlayers:\n  - conv2d: {filters: 8, kernel: 1, name: a}\n  - add: {from: [a, input], name: sum}\n",
     "layer 2 'sum' (add): shapes differ: a (8, 8, 8) vs input (8, 8, 4), 8 vs 4 on axis C; "
     "element-wise merges need each axis equal, or 1 to broadcast (the NumPy/PyTorch rule, axes aligned from the last)"),
    ("unknown template parameter",
     "input: [8, 8, 4]\n" + TEMPLATE + "layers:\n  - cb: {filters: 4, strid: 2}\n",
     "layer 1 'cb_1' (cb): unknown parameter 'strid'; did you mean 'stride'?"),
    ("missing template parameter",
     "input: [8, 8, 4]\n" + TEMPLATE + "layers:\n  - relu\n  - cb: {stride: 2, name: first}\n",
     "layer 2 'first' (cb): missing parameter 'filters'; cb needs: filters"),
    ("template given a scalar",
     "input: [8, 8, 4]\n" + TEMPLATE + "layers:\n  - cb: 4\n",
     "layer 1 'cb_1' (cb): cb takes its parameters as a mapping, got 4; write - cb: {filters: ..., stride: ...}"),
    ("two blocks with one name",
     "input: [8, 8, 4]\n" + TEMPLATE + "layers:\n  - cb: {filters: 4, name: a}\n  - cb: {filters: 4, name: a}\n",
     "layer 3 'a' (cb): the name 'a' is already used by the block at layers 1–2; give each block its own name"),
    ("a name taken by an empty repeat (found by test_fuzz: it raised IndexError)",
     "input: [8, 8, 4]\nlayers:\n  - repeat: {times: 0, layers: [relu], name: r}\n  - repeat: {times: 1, layers: [relu], name: r}\n",
     "layer 1 'r' (repeat): the name 'r' is already used by an empty block; give each block its own name"),
    ("a layer named like a block",
     "input: [8, 8, 4]\n" + TEMPLATE + "layers:\n  - cb: {filters: 4, name: a}\n  - relu: {name: a}\n",
     "layer 3 'a' (relu): the name 'a' is already used by block 'a'; give each layer its own name"),
    ("two layers with one name in a block",
     "input: [8, 8, 4]\nlayers:\n  - residual: {main: [relu: {name: a}, relu: {name: a}]}\n",
     "layer 2 'residual_1.a' (relu): the name 'residual_1.a' is already used by layer 1; give each layer its own name"),
    ("from an unknown name",
     "input: [8, 8, 4]\nlayers:\n  - residual: {name: r, main: [relu: {from: nowhere}]}\n",
     "layer 1 'r.relu_1' (relu): from 'nowhere' names no layer; known names: input"),
    ("from a later layer",
     "input: [8, 8, 4]\nlayers:\n  - residual: {name: r, main: [relu: {from: after}]}\n  - relu: {name: after}\n",
     "layer 1 'r.relu_1' (relu): from 'after' names layer 3, which comes later; a layer reads only from layers above it"),
    ("from itself",
     "input: [8, 8, 4]\nlayers:\n  - residual: {name: r, main: [relu: {name: me, from: me}]}\n",
     "layer 1 'r.me' (relu): from 'me' names the layer itself; a layer reads from layers above it"),
    ("from the enclosing block (a cycle)",
     "input: [8, 8, 4]\nlayers:\n  - residual: {name: r, main: [relu: {from: r}]}\n",
     "layer 1 'r.relu_1' (relu): from 'r' names the block 'r' this layer is inside; a layer reads from layers above it; "
     "'input' is the block's input"),
    ("from a later block",
     "input: [8, 8, 4]\nlayers:\n  - relu: {from: r}\n  - residual: {name: r, main: [relu]}\n",
     "layer 1 'relu_1' (relu): from 'r' names the block 'r' (layers 2–3), which comes later; "
     "a layer reads only from layers above it"),
    ("a block from two layers",
     "input: [8, 8, 4]\nlayers:\n  - relu: {name: a}\n  - residual: {from: [a, input], main: [relu]}\n",
     "layer 2 'residual_1' (residual): a block reads one input; from must name one layer, got ['a', 'input']; "
     "merge several inputs first with add or concat"),
    ("$name outside a template",
     "input: [8, 8, 4]\nlayers:\n  - conv2d: {filters: $f, kernel: 1}\n",
     "layer 1 'conv2d_1' (conv2d): '$f' is used outside a block template; $name stands for a parameter of a block in blocks: "
     "(write $$ for a dollar sign)"),
    ("misspelt $name",
     "input: [8, 8, 4]\nblocks:\n  b:\n    params: [filters]\n    layers: [conv2d: {filters: $filter, kernel: 1}]\n"
     "layers:\n  - b: {filters: 3}\n",
     "layer 1 'b_1' (conv2d): '$filter' is not a parameter of block 'b'; did you mean 'filters'?"),
    ("broken expression",
     "input: [8, 8, 4]\nblocks:\n  b:\n    params: [filters]\n    layers: [conv2d: {filters: $(filters *), kernel: 1}]\n"
     "layers:\n  - b: {filters: 3}\n",
     "layer 1 'b_1' (conv2d): cannot read the expression 'filters *'; write e.g. ${filters * 4} or ${2 if i == 0 else 1}"),
    ("a template that uses itself",
     "input: [8, 8, 4]\nblocks:\n  b:\n    layers: [relu, b]\nlayers:\n  - b\n",
     "layer 2 'b_1.b_1' (b): block 'b' uses itself; a block cannot contain itself"),
    ("misspelt residual option",
     "input: [8, 8, 4]\nlayers:\n  - residual: {mian: [relu]}\n",
     "layer 1 'residual_1' (residual): unknown residual option 'mian'; did you mean 'main'?"),
    ("residual without main",
     "input: [8, 8, 4]\nlayers:\n  - residual: {shortcut: [relu]}\n",
     "layer 1 'residual_1' (residual): a residual block needs a main: list of layers; write main: [conv2d: {...}, batchnorm, ...]"),
    ("branches with one path",
     "input: [8, 8, 4]\nlayers:\n  - branches: [[relu]]\n",
     "layer 1 'branches_1' (branches): a branches block needs at least 2 paths, got 1; a single path needs no branches block"),
    ("unknown merge",
     "input: [8, 8, 4]\nlayers:\n  - branches: {paths: [[relu], [relu]], merge: sum}\n",
     "layer 1 'branches_1' (branches): merge must be one of add, multiply, concat, got 'sum'"),
    ("negative repeat",
     "input: [8, 8, 4]\nlayers:\n  - repeat: {times: -1, layers: [relu]}\n",
     "layer 1 'repeat_1' (repeat): repeat needs times: a whole number ≥ 0, got -1; write e.g. times: 3"),
    ("a dotted name",
     "input: [8, 8, 4]\nlayers:\n  - relu: {name: a.b}\n",
     "layer 1 'a.b' (relu): the name 'a.b' contains '.'; dots join block names (layer1.conv1); write layer1_conv1 or use a block"),
    ("misspelt template",
     "input: [8, 8, 4]\n" + TEMPLATE + "layers:\n  - cbb: {filters: 3}\n",
     "layer 1: unknown layer type 'cbb'; did you mean 'cb'?"),
    ("template named like a layer type",
     "input: [8, 8, 4]\nblocks:\n  relu:\n    layers: [relu]\nlayers:\n  - relu\n",
     "blocks.relu: 'relu' is already a layer type or keyword; give the block another name"),
    ("blocks as a list",
     "input: [8, 8, 4]\nblocks: [a, b]\nlayers:\n  - relu\n",
     "blocks: blocks must be a mapping of block names to {params, layers}; "
     "write e.g. 'blocks: {bottleneck: {params: [filters], layers: [...]}}'"),
    ("parameter named with a keyword",
     "input: [8, 8, 4]\nblocks:\n  b:\n    params: [in]\n    layers: [relu]\nlayers:\n  - b: {in: 3}\n",
     "blocks.b: 'in' cannot name a parameter: it is a word of the expression language; call it e.g. in_"),
    ("if that is not true/false",
     "input: [8, 8, 4]\nlayers:\n  - {relu: , if: 3}\n",
     "layer 1 'relu_1' (relu): if must be true or false, got 3; write e.g. if: $project"),
    ("a block written inline",
     "input: [8, 8, 4]\nlayers:\n  - residual main=relu\n",
     "layer 1 (residual): a residual block cannot be written inline; write it as a mapping: '- residual: {...}'"),
    ("every layer left out",
     "input: [8, 8, 4]\nlayers:\n  - {relu: , if: false}\n",
     "layers: every layer is left out (if: false, or repeat 0 times); keep at least one layer"),
]


@pytest.mark.parametrize("text, message", [r[1:] for r in ERROR_ROWS], ids=[r[0] for r in ERROR_ROWS])
def test_block_errors_exit_2_with_one_message(tmp_path, text, message):
    result = summary(tmp_path, text)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", E + message + "\n")


def test_depth_below_one_is_a_usage_error():
    result = run_cli("summary", str(ROOT / "specs" / "resnet18.yaml"), "--depth", "0")
    assert result.exit_code == 2 and result.stdout == "" and "--depth" in result.stderr


# --------------------------------------------------------------------------- names, paths and inputs

BASIC_BLOCK = """input: [64, 56, 56]
layout: chw
layers:
  - residual:
      name: block
      main:
        - conv2d: {filters: 128, kernel: 3, stride: 2, padding: 1, bias: false, name: conv1}
        - batchnorm: {name: bn1}
        - relu
        - conv2d: {filters: 128, kernel: 3, padding: 1, bias: false, name: conv2}
        - batchnorm: {name: bn2}
      shortcut:
        - conv2d: {filters: 128, kernel: 1, stride: 2, bias: false}
        - batchnorm
      after: [relu]
"""

# (node, type, inputs, path, output shape): the naming rule of docs/spec-format.md; shapes from PyTorch
# (torchvision resnet18's layer2.0 turns (64, 56, 56) into (128, 28, 28)).
BASIC_ROWS = [
    ("block.conv1", "conv2d", ["input"], ["block"], [128, 28, 28]),
    ("block.bn1", "batchnorm", ["block.conv1"], ["block"], [128, 28, 28]),
    ("block.relu_1", "relu", ["block.bn1"], ["block"], [128, 28, 28]),
    ("block.shortcut.conv2d_1", "conv2d", ["input"], ["block", "block.shortcut"], [128, 28, 28]),
    ("block.shortcut.batchnorm_1", "batchnorm", ["block.shortcut.conv2d_1"], ["block", "block.shortcut"], [128, 28, 28]),
    ("block.add", "add", ["block.bn2", "block.shortcut.batchnorm_1"], ["block"], [128, 28, 28]),
    ("block.relu_2", "relu", ["block.add"], ["block"], [128, 28, 28]),
]


@pytest.mark.parametrize("name, kind, inputs, path, shape", BASIC_ROWS, ids=[r[0] for r in BASIC_ROWS])
def test_residual_nodes(tmp_path, name, kind, inputs, path, shape):
    layer = by_name(as_json(tmp_path, BASIC_BLOCK))[name]
    assert (layer["type"], layer["inputs"], layer["path"], layer["output_shape"]) == (kind, inputs, path, shape)


def test_residual_block_params_match_torchvision_basic_block(tmp_path):
    # torchvision resnet18 layer2[0] (BasicBlock(64, 128, stride=2, downsample=conv1x1+bn)):
    # sum(p.numel()) = 230,144 trainable; its 3 batchnorms hold 2·(128+128+128) = 768 running statistics.
    data = as_json(tmp_path, BASIC_BLOCK)
    (block, shortcut) = data["blocks"]
    assert (block["name"], block["type"], block["trainable_params"], block["non_trainable_params"]) == ("block", "residual", 230_144, 768)
    assert (shortcut["name"], shortcut["type"], shortcut["path"], shortcut["trainable_params"]) == ("block.shortcut", "shortcut", ["block"], 8_448)
    assert data["trainable_params"] == 230_144


SCOPING = """input: [8, 8, 4]
blocks:
  pair:
    params: [filters]
    layers:
      - conv2d: {filters: $filters, kernel: 1, name: a}
      - conv2d: {filters: $filters, kernel: 1, name: b}
      - concat: {from: [a, input, outer], name: cat}
layers:
  - conv2d: {filters: 2, kernel: 1, name: outer}
  - conv2d: {filters: 3, kernel: 1, name: a}
  - pair: {filters: 5, name: p}
  - concat: {from: [p, a, p.b]}
"""

# The lookup rule of docs/spec-format.md: a block's own names first, then the enclosing scopes; 'input' inside a
# block is the block's input; a block's name from outside is its output; dotted names reach inside.
SCOPING_ROWS = [
    ("p.a", ["a"]),  # the block's first layer reads the block input: the top-level 'a'
    ("p.b", ["p.a"]),
    ("p.cat", ["p.a", "a", "outer"]),  # 'a' is the block's own; 'input' is the block input; 'outer' falls outward
    ("concat_1", ["p.cat", "a", "p.b"]),
]


@pytest.mark.parametrize("name, inputs", SCOPING_ROWS, ids=[r[0] for r in SCOPING_ROWS])
def test_from_scoping(tmp_path, name, inputs):
    assert by_name(as_json(tmp_path, SCOPING))[name]["inputs"] == inputs


def test_scoped_concat_channels(tmp_path):
    # channels joined: 5 (p.a) + 3 (a) + 2 (outer) = 10, then 10 + 3 + 5 = 18
    layers = by_name(as_json(tmp_path, SCOPING))
    assert (layers["p.cat"]["output_shape"], layers["concat_1"]["output_shape"]) == ([8, 8, 10], [8, 8, 18])


REPEAT = """input: [32, 32, 3]
layers:
  - repeat:
      name: stack
      times: 3
      layers: [conv2d: {filters: $(8 * 2 ** i), kernel: 3, padding: 1, stride: $(1 if i == 0 else 2)}]
  - repeat: {name: pairs, times: 2, layers: [conv2d: {filters: 4, kernel: 1}, relu]}
  - repeat: {name: none, times: 0, layers: [relu]}
  - {dense: 10, if: $$notused}
"""


def test_repeat_names_and_copy_index(tmp_path):
    text = REPEAT.replace("  - {dense: 10, if: $$notused}\n", "")
    layers = by_name(as_json(tmp_path, text))
    # one unnamed entry per copy takes the copy's name (stack.0, …); two entries make a group
    assert [n for n in layers] == ["stack.0", "stack.1", "stack.2", "pairs.0.conv2d_1", "pairs.0.relu_1",
                                   "pairs.1.conv2d_1", "pairs.1.relu_1"]
    assert [layers[f"stack.{i}"]["output_shape"] for i in range(3)] == [[32, 32, 8], [16, 16, 16], [8, 8, 32]]
    assert layers["pairs.1.conv2d_1"]["path"] == ["pairs", "pairs.1"]


def test_dollar_dollar_is_a_dollar_sign(tmp_path):
    result = summary(tmp_path, "input: [4]\nlayers:\n  - {dense: 2, name: cost$$}\n", "--format", "json")
    assert json.loads(result.stdout)["layers"][0]["name"] == "cost$"


BRANCHES = """input: [28, 28, 192]
layers:
  - branches:
      name: mix
      paths:
        one: [conv2d: {filters: 64, kernel: 1}]
        same: []
        pool: [maxpool2d: {kernel: 3, stride: 1, padding: 1}, conv2d: {filters: 32, kernel: 1}]
"""


def test_branches_named_paths_and_identity(tmp_path):
    data = as_json(tmp_path, BRANCHES)
    layers = by_name(data)
    assert layers["mix.concat"]["inputs"] == ["mix.one", "input", "mix.pool.conv2d_1"]
    assert layers["mix.concat"]["output_shape"] == [28, 28, 64 + 192 + 32]
    assert [b["name"] for b in data["blocks"]] == ["mix", "mix.pool"]


def test_if_false_leaves_a_layer_out_and_defaults_apply(tmp_path):
    text = "input: [8, 8, 4]\n" + TEMPLATE + "layers:\n  - cb: {filters: 6}\n  - {relu: , if: false}\n  - cb: {filters: 6, stride: 2}\n"
    layers = by_name(as_json(tmp_path, text))
    assert list(layers) == ["cb_1.conv", "cb_1.relu_1", "cb_2.conv", "cb_2.relu_1"]
    assert layers["cb_2.conv"]["output_shape"] == [4, 4, 6]


# --------------------------------------------------------------------------- the zoo's structure


def zoo_blocks(name: str) -> dict[str, dict]:
    from conftest import summary_json

    return {b["name"]: b for b in summary_json(str(ROOT / "specs" / f"{name}.yaml"))["blocks"]}


GOOGLENET_TABLE_1 = [  # Szegedy et al., "Going deeper with convolutions" (2015), Table 1, output size
    ("inception3a", [256, 28, 28]), ("inception3b", [480, 28, 28]), ("inception4a", [512, 14, 14]),
    ("inception4b", [512, 14, 14]), ("inception4c", [512, 14, 14]), ("inception4d", [528, 14, 14]),
    ("inception4e", [832, 14, 14]), ("inception5a", [832, 7, 7]), ("inception5b", [1024, 7, 7]),
]


@pytest.mark.parametrize("block, shape", GOOGLENET_TABLE_1, ids=[r[0] for r in GOOGLENET_TABLE_1])
def test_googlenet_inception_outputs(block, shape):
    assert zoo_blocks("googlenet")[block]["output_shape"] == shape


RESNET_TABLE_1 = [  # He et al., "Deep Residual Learning" (2016), Table 1: conv2_x … conv5_x output sizes
    ("resnet50", "layer1", [256, 56, 56]), ("resnet50", "layer2", [512, 28, 28]),
    ("resnet50", "layer3", [1024, 14, 14]), ("resnet50", "layer4", [2048, 7, 7]),
    ("resnet18", "layer1", [64, 56, 56]), ("resnet18", "layer2", [128, 28, 28]),
    ("resnet18", "layer3", [256, 14, 14]), ("resnet18", "layer4", [512, 7, 7]),
]


@pytest.mark.parametrize("spec, block, shape", RESNET_TABLE_1, ids=[f"{r[0]}-{r[1]}" for r in RESNET_TABLE_1])
def test_resnet_stage_outputs(spec, block, shape):
    assert zoo_blocks(spec)[block]["output_shape"] == shape


DENSENET_TABLE_1 = [  # Huang et al., "Densely Connected Convolutional Networks" (2017), Table 1 output sizes;
    # channels as torchvision's densenet121 counts num_features (64 + 6·32 = 256, halved by each transition)
    ("denseblock1", [256, 56, 56]), ("transition1", [128, 28, 28]), ("denseblock2", [512, 28, 28]),
    ("transition2", [256, 14, 14]), ("denseblock3", [1024, 14, 14]), ("transition3", [512, 7, 7]),
    ("denseblock4", [1024, 7, 7]),
]


@pytest.mark.parametrize("block, shape", DENSENET_TABLE_1, ids=[r[0] for r in DENSENET_TABLE_1])
def test_densenet_block_outputs(block, shape):
    assert zoo_blocks("densenet121")[block]["output_shape"] == shape


ZOO = ["resnet18", "resnet50", "googlenet", "mobilenet_v2", "densenet121", "squeezenet1_0", "unet"]


@pytest.mark.parametrize("name", ZOO)
def test_block_rows_are_sums_and_never_counted_twice(name):
    from conftest import summary_json

    data = summary_json(str(ROOT / "specs" / f"{name}.yaml"))
    layers = data["layers"]
    for block in data["blocks"]:
        inside = layers[block["first_index"] - 1 : block["last_index"]]
        assert all(block["name"] in layer["path"] for layer in inside)
        assert block["trainable_params"] == sum(layer["trainable_params"] for layer in inside)
    top = [b for b in data["blocks"] if not b["path"]]
    loose = [layer for layer in layers if not layer["path"]]
    assert sum(b["params"] for b in top) + sum(layer["params"] for layer in loose) == data["total_params"]


# --------------------------------------------------------------------------- the table


def table_rows(result) -> list[list[str]]:
    rows = []
    for line in result.stdout.splitlines():
        if line.startswith("│"):
            rows.append([cell.strip() for cell in line.strip("│").split("│")])
    return rows


def test_depth_one_collapses_every_block():
    result = run_cli("summary", str(ROOT / "specs" / "resnet18.yaml"), "--depth", "1")
    assert result.exit_code == 0
    names = [row[1] for row in table_rows(result)]
    assert names == ["input", "conv1", "bn1", "relu_1", "maxpool", "layer1", "layer2", "layer3", "layer4",
                     "avgpool", "flatten_1", "fc"]
    assert "Trainable params: 11,689,512" in result.stdout  # torchvision resnet18, the same total at any depth


def test_depth_two_shows_the_blocks_of_each_stage():
    result = run_cli("summary", str(ROOT / "specs" / "resnet50.yaml"), "--depth", "2")
    rows = {row[1]: row for row in table_rows(result) if row[1] in ("layer2", "0", "3")}
    assert rows["layer2"][2:5] == ["stage", "(512, 28, 28)", "1,226,752"]
    assert re.fullmatch(r"bottleneck \(10 layers\)", rows["3"][2])
    assert "Trainable params: 25,557,032" in result.stdout


MERGE_ROWS = [
    ("resnet18", "add", "add ← bn2, maxpool"),  # layer1.0: its main path and the block input
    ("googlenet", "concat", "concat ← branch1, branch2, branch3, branch4"),
    ("unet", "cat", "concat ← down3, upconv"),
    ("densenet121", "cat", "concat ← pool0, conv2"),
]


@pytest.mark.parametrize("spec, layer, shown", MERGE_ROWS, ids=[r[0] for r in MERGE_ROWS])
def test_merge_rows_show_their_inputs(spec, layer, shown):
    result = run_cli("summary", str(ROOT / "specs" / f"{spec}.yaml"))
    first = next(row for row in table_rows(result) if row[1] == layer)
    assert first[2] == shown
