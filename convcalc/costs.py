"""What a network costs: MACs, FLOPs, memory and receptive fields, from the computed report alone.

Pure functions over a :class:`~convcalc.engine.NetworkReport`: no forward pass, no framework.
Every count is an exact Python integer (or a SymPy expression for a symbolic spec); receptive
field positions may be fractions after a transposed or upsampling layer. The per-kind rules are
declared on the kinds (convcalc/layers: ``flops``, ``flops_rule``, ``receptive_field``); here is
``FLOP_RULES``, the docs' table, written from them. Receptive fields are computed in receptive.py.
"""

from typing import Any, NamedTuple

from .arith import Size, is_int, total
from .engine import LayerReport, NetworkReport
from .layers import KINDS
from .receptive import FIELD_RULES, AxisField, Field, receptive_fields  # noqa: F401  (costs' names: columns, api, tests)

# --------------------------------------------------------------------------- settings

DTYPE_BYTES = {"float32": 4, "float16": 2, "bfloat16": 2, "int8": 1}
# Optimizer state kept per trainable parameter: plain SGD (PyTorch's default momentum=0) keeps
# nothing, SGD with momentum one velocity buffer, Adam/AdamW two moments (m and v).
OPTIMIZER_STATES = {"sgd": 0, "momentum": 1, "adam": 2}


# --------------------------------------------------------------------------- FLOPs


def layer_flops(layer: LayerReport) -> Size:
    """Floating-point operations of one layer for one sample, by its kind's declared rule.

    One elementary operation is one FLOP; a compare or select counts one, and a transcendental
    function (exp, log, tanh, erf) counts one. Each kind states its rule (``flops``, ``flops_rule``
    in convcalc/layers); ``FLOP_RULES`` is the table of them all.
    """
    return KINDS[layer.type].flops(layer.spec.args, layer.input_shapes, layer.outcome)


def flop_rules() -> tuple[tuple[str, str, str], ...]:
    """(kinds, MACs rule, FLOPs rule) rows, one per distinct rule, in registry order: the docs' table."""
    groups: dict[tuple[str, str], list[str]] = {}
    for kind in KINDS.values():
        groups.setdefault((kind.macs_rule, kind.flops_text), []).append(kind.name)
    return tuple((_kinds_label(names), macs, flops) for (macs, flops), names in groups.items())


def _kinds_label(names: list[str]) -> str:
    """'conv1d/2d/3d, depthwise_conv2d': kinds of one family by rank written once."""
    import re

    families: dict[str, list[str]] = {}
    for name in names:
        match = re.fullmatch(r"(.*?)([123]d)", name)
        base, rank = (match.group(1), match.group(2)) if match else (name, "")
        families.setdefault(base, []).append(rank)
    return ", ".join(base + "/".join(ranks) for base, ranks in families.items())


def __getattr__(name: str) -> Any:
    if name == "FLOP_RULES":  # written from the registry when asked for (the docs), not at start-up
        return flop_rules()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --------------------------------------------------------------------------- memory


class MemoryEstimate(NamedTuple):
    """Bytes for a batch at one element size. Every layer is taken to write a new tensor.

    ``activation_bytes``: every layer's output once (what torchinfo calls the forward pass size).
    ``inference_peak_bytes``: the most activation bytes alive at once in a forward pass that frees
    each tensor after its last reader (input included), in spec order.
    Training keeps the input and every layer's output for the backward pass, one gradient per
    trainable parameter, and the optimizer's state (``OPTIMIZER_STATES`` buffers per parameter).
    """

    dtype: str
    bytes_per_element: int
    batch: int
    optimizer: str
    input_bytes: Size
    activation_bytes: Size
    parameter_bytes: Size
    inference_peak_bytes: Size
    gradient_bytes: Size
    optimizer_state_bytes: Size

    @property
    def inference_bytes(self) -> Size:
        """Parameters plus the peak of live activations: what a forward pass needs at least."""
        return self.parameter_bytes + self.inference_peak_bytes

    @property
    def training_activation_bytes(self) -> Size:
        return self.input_bytes + self.activation_bytes

    @property
    def training_bytes(self) -> Size:
        return self.parameter_bytes + self.gradient_bytes + self.optimizer_state_bytes + self.training_activation_bytes


def _peak_live_elements(report: NetworkReport) -> Size:
    """The largest sum of live tensor sizes while computing any one layer (symbolic: the sum of all).

    A tensor lives from the layer that makes it until its last reader is done (one never read, until
    the next layer is done). The live total is kept as a running sum, a tensor added once and taken
    off once: re-adding the live set at every layer made one concat of 50,000 inputs quadratic.
    """
    skipped = report.training_only_layers()  # an auxiliary head inference never runs
    last_reader: dict[str, int] = {"input": 0}
    for position, layer in enumerate(report.layers):
        if layer.name not in skipped:
            for name in layer.inputs:
                last_reader[name] = position
    sizes = {"input": report.input_shape.numel()}
    sizes.update({layer.name: 0 if layer.name in skipped else layer.output_numel() for layer in report.layers})
    if not all(is_int(v) for v in sizes.values()):
        return total(sizes.values())
    freed_after: dict[int, int] = {}  # position -> elements freed once that layer is done
    freed_after[last_reader["input"]] = sizes["input"]
    for position, layer in enumerate(report.layers):
        done = max(position + 1, last_reader.get(layer.name, -1))
        freed_after[done] = freed_after.get(done, 0) + sizes[layer.name]
    peak, live = 0, sizes["input"]
    for position, layer in enumerate(report.layers):
        live += sizes[layer.name]
        if live > peak:
            peak = live
        live -= freed_after.get(position, 0)
    return peak


def memory_estimate(report: NetworkReport, *, dtype: str = "float32", batch: int = 1, optimizer: str = "adam") -> MemoryEstimate:
    """The memory figures for ``batch`` samples stored as ``dtype`` (see :class:`MemoryEstimate`)."""
    if dtype not in DTYPE_BYTES:
        raise ValueError(f"dtype must be one of {', '.join(DTYPE_BYTES)}, got {dtype!r}")
    if optimizer not in OPTIMIZER_STATES:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZER_STATES)}, got {optimizer!r}")
    if not is_int(batch) or batch < 1:
        raise ValueError(f"batch must be an integer ≥ 1, got {batch!r}")
    width = DTYPE_BYTES[dtype]
    activations = total(layer.output_numel() for layer in report.layers)
    trainable = report.trainable_params  # a sum over the layers: once
    return MemoryEstimate(
        dtype=dtype,
        bytes_per_element=width,
        batch=batch,
        optimizer=optimizer,
        input_bytes=batch * report.input_shape.numel() * width,
        activation_bytes=batch * activations * width,
        parameter_bytes=(trainable + report.non_trainable_params) * width,
        inference_peak_bytes=batch * _peak_live_elements(report) * width,
        gradient_bytes=trainable * width,
        optimizer_state_bytes=OPTIMIZER_STATES[optimizer] * trainable * width,
    )


# --------------------------------------------------------------------------- all together


class LayerCost(NamedTuple):
    """One layer's costs for one sample; ``activation_bytes`` is for the whole batch."""

    macs: Size
    flops: Size
    activation_elements: Size
    activation_bytes: Size
    parameter_bytes: Size
    receptive_field: Field | None


class NetworkCosts(NamedTuple):
    """Per-layer costs (in the report's layer order), totals, and the memory estimate."""

    layers: tuple[LayerCost, ...]
    memory: MemoryEstimate
    flops_convention: str = "default"  # see convcalc.flops
    training_only: tuple[bool, ...] = ()  # per layer: only a training-only output needs it (left out of the totals)

    def _sum(self, what: str, training_only: bool = False) -> Size:
        if not self.training_only:
            return total(getattr(c, what) for c in self.layers) if not training_only else 0
        return total(getattr(c, what) for c, flag in zip(self.layers, self.training_only) if flag == training_only)

    @property
    def total_macs(self) -> Size:
        """What inference computes: a training-only head is left out (training_only_macs)."""
        return self._sum("macs")

    @property
    def total_flops(self) -> Size:
        return self._sum("flops")

    @property
    def training_only_macs(self) -> Size:
        return self._sum("macs", True)

    @property
    def training_only_flops(self) -> Size:
        return self._sum("flops", True)


def network_costs(report: NetworkReport, *, dtype: str = "float32", batch: int = 1, optimizer: str = "adam",
                  flops: str = "default") -> NetworkCosts:
    """MACs, FLOPs (counted by the ``flops`` convention, convcalc.flops), memory and receptive field of every layer."""
    from .flops import convention_flops

    memory = memory_estimate(report, dtype=dtype, batch=batch, optimizer=optimizer)
    width = memory.bytes_per_element
    fields = receptive_fields(report)
    layers = []
    for layer, field in zip(report.layers, fields):
        elements = layer.output_numel()
        layers.append(
            LayerCost(
                macs=layer.outcome.macs,
                flops=convention_flops(layer, layer_flops(layer), flops),
                activation_elements=elements,
                activation_bytes=batch * elements * width,
                parameter_bytes=layer.outcome.params * width,
                receptive_field=field,
            )
        )
    skipped = report.training_only_layers()
    return NetworkCosts(tuple(layers), memory, flops, tuple(layer.name in skipped for layer in report.layers) if skipped else ())
