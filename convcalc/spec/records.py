"""What a spec is once read: its records, and the words its format knows.

The keys each level of a spec accepts live here, so that the loader, the blocks and the
schema read one list. Records are NamedTuples of exact Python integers (or SymPy sizes).
"""

from collections.abc import Mapping
from typing import Any, NamedTuple

# What a spec mapping may be: dict first, as the YAML loader makes dicts and isinstance stops
# there, before the slower ABC check that other mappings (from Python callers) need.
MAPPINGS = (dict, Mapping)

TOP_LEVEL_KEYS = ("name", "description", "input", "layout", "symbols", "layers", "blocks", "outputs", "expect")
OUTPUT_KEYS = ("from", "training_only")
LAYER_KEYS = ("type", "name", "from", "expect")
# A student's answers (`convcalc check`); `summary` ignores them.
EXPECT_LAYER_KEYS = ("shape", "params", "weights", "biases", "trainable_params", "non_trainable_params",
                     "receptive_field", "macs", "flops", "activations", "activation_memory", "valid")
EXPECT_TOP_KEYS = ("output_shape", "total_params", "trainable_params", "non_trainable_params", "receptive_field",
                   "total_macs", "total_flops", "activations", "activation_memory", "valid", "solve")
INLINE_EXAMPLE = '"input 32x32x3; conv2d 10 kernel=5 padding=2; maxpool2d 2; flatten; dense 10"'


class LayerSpec(NamedTuple):
    """One node of the network graph as the user wrote it, arguments checked and defaults filled."""

    index: int  # 1-based position in the spec
    name: str
    type: str  # canonical type, or the rank-free family name ('conv') resolved by the engine
    args: Mapping[str, Any]
    inputs: tuple[str, ...]  # the nodes it reads ('input' is the network input)
    family: Mapping[int, str] | None = None  # rank -> canonical type, for a rank-free name
    path: tuple[str, ...] = ()  # the enclosing blocks, outermost first
    expect: Mapping[str, Any] | None = None  # the student's answers for this layer (check)
    ports: tuple[int | None, ...] = ()  # per input, which output of a layer with several (from: split1.0); () for none

    def port(self, position: int) -> int | None:
        return self.ports[position] if self.ports else None

    def input_label(self, position: int) -> str:
        """'split1.0' for an output of a split, else the input's name."""
        port = self.port(position)
        return self.inputs[position] if port is None else f"{self.inputs[position]}.{port}"


class OutputSpec(NamedTuple):
    """One output of the network (top-level `outputs:`): the layer it is, and whether only training runs it."""

    layer: str  # the layer's full name
    port: int | None = None  # which output of a split
    training_only: bool = False  # an auxiliary head: left out of inference MACs and memory

    @property
    def label(self) -> str:
        return self.layer if self.port is None else f"{self.layer}.{self.port}"


class NetworkSpec(NamedTuple):
    """A whole network: its input (in the layout's order) and its nodes in order."""

    input_dims: tuple[Any, ...]
    layers: tuple[LayerSpec, ...]
    layout: str = "hwc"
    name: str | None = None
    source: str = "<spec>"
    blocks: tuple[Any, ...] = ()  # blocks.BlockSpec for every residual/branches/repeat/template used
    expect: Mapping[str, Any] | None = None  # the student's answers for the whole network (check)
    outputs: tuple[OutputSpec, ...] = ()  # `outputs:` as written; () means the last layer alone


BLOCK_KINDS = ("residual", "branches", "repeat")
ENTRY_KEYS = ("type", "name", "from", "if", "expect")  # expect: a student's answers (check)
MERGES = ("add", "multiply", "concat")
RESIDUAL_KEYS = ("main", "shortcut", "merge", "axis", "after", "name", "from", "if")
BRANCHES_KEYS = ("paths", "merge", "axis", "after", "name", "from", "if")
REPEAT_KEYS = ("times", "layers", "name", "from", "if")
TEMPLATE_KEYS = ("params", "layers", "description")
VALUE = "\0value"  # a scalar written where a block's option mapping belongs
REPEAT_INDEX = "i"  # the copy number (0, 1, …) inside a repeat, as $i
ENTRIES_PER_LAYER = 4  # entries the expansion may visit per layer allowed (the rest are left out by if:)


class BlockSpec(NamedTuple):
    """One block as expanded: its full name, what it is, where it sits, and the nodes it holds."""

    name: str  # full dotted name, e.g. 'layer2.0'
    kind: str  # 'residual', 'branches', 'repeat', 'group' or a template's name
    path: tuple[str, ...]  # the enclosing blocks, outermost first
    first: int  # 1-based index of its first node
    last: int  # 1-based index of its last node (its output)

    @property
    def depth(self) -> int:
        """1 for a top-level block, 2 for a block inside it, …"""
        return len(self.path) + 1


class Template(NamedTuple):
    """A named block from the top-level `blocks:` section: its parameters and its layers."""

    name: str
    required: tuple[str, ...]
    defaults: Mapping[str, Any]
    layers: tuple[Any, ...]

    @property
    def params(self) -> tuple[str, ...]:
        return (*self.required, *self.defaults)

