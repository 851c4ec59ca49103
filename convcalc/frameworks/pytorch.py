"""A computed network as a PyTorch module, written from each kind's declared ``pytorch`` counterpart.

The text realises every layer exactly as convcalc computed it (an asymmetric "same" padding becomes
an explicit pad, a transposed "same" an explicit crop: adapters), so that running it reproduces
convcalc's shapes and parameter counts; the cross-check tests do just that for every shipped spec.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..engine import LayerReport, NetworkReport
from .adapters import ADAPTERS
from .adapters_blocks import HELPERS as BLOCK_HELPERS
from .draft import Draft, check_numeric, counterpart_for
from .naming import Names, class_name, docstring_text


@dataclass(frozen=True)
class TorchLayer:
    """How one spec layer is realised: its modules (attribute, constructor) and its forward expression."""

    name: str  # the spec's layer name
    ident: str  # the forward variable holding its output, and its main module attribute
    modules: tuple[tuple[str, str], ...]  # (attribute, constructor text), in call order
    expression: str  # the right-hand side in forward
    comment: str = ""  # a note placed above its constructor


# Classes the generated code defines when a declaration names them as a module.
HELPERS = {
    "ChannelLayerNorm": '''

class ChannelLayerNorm(nn.LayerNorm):
    """LayerNorm over the channel axis at every position (Keras LayerNormalization, axis=-1)."""

    def forward(self, x):
        return super().forward(x.movedim(1, -1)).movedim(-1, 1)
''',
    **BLOCK_HELPERS,
}


def torch_layer(layer: LayerReport, report: NetworkReport, names: Names) -> tuple[TorchLayer, set[str]]:
    """One layer's modules and forward expression, from its kind's declaration (and helpers it needs)."""
    inputs = ["x" if name == "input" else names.of[name] + ("" if port is None else f"[{port}]")
              for name, port in zip(layer.inputs, layer.spec.ports or (None,) * len(layer.inputs))]
    draft = Draft(layer, "pytorch", report, names, inputs)
    declared = counterpart_for(draft)
    for name in declared.adapters:
        ADAPTERS["pytorch"][name](draft)
    own = []
    for module in declared.modules:
        attr = draft.extra(module.suffix) if module.suffix else draft.ident
        constructor = draft.constructor(module)
        if constructor in HELPERS:
            draft.helpers.add(constructor)
        own.append((attr, f"{constructor}({', '.join(draft.arguments(module))})"))
    modules = draft.before + own + draft.after
    chain = draft.x
    for attr, _ in modules:
        chain = f"self.{attr}({chain})"
    written = {}
    for param in declared.params:
        written[param.name] = draft.written(param, declared)
    expression = declared.call.format(chain=chain, x=draft.x, inputs=declared.join.join(draft.inputs), **written)
    comment = "; ".join(note for note in (declared.note, *draft.notes) if note)
    return TorchLayer(layer.name, draft.ident, tuple(modules), expression, comment), draft.helpers


def torch_layers(report: NetworkReport) -> tuple[tuple[TorchLayer, ...], set[str]]:
    """How every layer is realised in PyTorch (the cross-check test reads the modules from here)."""
    check_numeric(report)
    names = Names(report)
    helpers: set[str] = set()
    realised = []
    for layer in report.layers:
        item, needs = torch_layer(layer, report, names)
        realised.append(item)
        helpers |= needs
    return tuple(realised), helpers


def _torch_shape(layer: LayerReport) -> str:
    return "(N, " + ", ".join(str(d) for d in layer.shape.in_layout("chw")) + ")"


def _params_text(layer: LayerReport) -> str:
    out = layer.outcome
    text = f"{out.trainable:,} parameters"
    if out.non_trainable:
        text += f" + {out.non_trainable:,} running statistics (buffers)"
    return text


def _output_text(output, names: dict[str, str]) -> str:
    return names[output.layer.name] + ("" if output.label == output.layer.name else f"[{output.label.rsplit('.', 1)[1]}]")


def _returns(report: NetworkReport, names: dict[str, str]) -> list[str]:
    """The network's output; with several, a tuple; a training-only head only while training."""
    outputs = report.outputs
    if not report.spec.outputs and report.layers[-1].outcome.outputs:  # a split at the end: its first part
        return [f"        return {names[report.layers[-1].name]}[0]"]
    always = [_output_text(o, names) for o in outputs if not o.training_only]
    lines = []
    if any(o.training_only for o in outputs):
        every = ", ".join(_output_text(o, names) for o in outputs)
        lines.append("        if self.training:  # the training-only heads too")
        lines.append(f"            return {every}")
    lines.append(f"        return {', '.join(always)}")
    return lines


def to_pytorch(report: NetworkReport) -> str:
    """A self-contained Python module defining the network as an ``nn.Module``."""
    realised, helpers = torch_layers(report)
    names = Names(report).of
    cls = class_name(report)
    layout = report.layout
    spec_input = ", ".join(str(d) for d in report.input_shape.in_layout(layout))
    torch_input = ", ".join(str(d) for d in report.input_shape.in_layout("chw"))
    title = docstring_text(report.name or "network")
    lines = [
        f'"""{title}: written by convcalc from {docstring_text(report.spec.source)}.',
        "",
        "Every layer below has the output shape and parameter count that `convcalc summary` prints.",
        '"""',
        "import torch",
        "from torch import nn",
        "",
        f"# convcalc input: ({spec_input}) in {layout} order; PyTorch takes it channels first: (N, {torch_input}).",
    ]
    if layout == "hwc":
        lines.append("# (The spec is written height-width-channels, as Keras; this model takes NCHW tensors.)")
    lines.append(f"INPUT_SHAPE = ({torch_input}{',' if report.input_shape.rank == 0 else ''})")
    for helper in sorted(helpers):
        lines.append(HELPERS[helper].rstrip("\n"))
    renamed = [(layer.name, names[layer.name]) for layer in report.layers if names[layer.name] != layer.name]
    counts = f"{report.trainable_params:,} parameters"
    if report.non_trainable_params:
        counts += f" + {report.non_trainable_params:,} batchnorm running statistics"
    lines += ["", "", f"class {cls}(nn.Module):", f'    """{title}: {counts}."""', ""]
    if renamed:
        lines.append("    # spec layer name -> attribute name")
        lines += [f"    #   {name!r} -> {ident}" for name, ident in renamed]
    lines.append("    def __init__(self):")
    lines.append("        super().__init__()")
    for layer, item in zip(report.layers, realised):
        if not item.modules:
            continue
        if item.comment:
            lines.append(f"        # {item.comment}")
        for attr, ctor in item.modules:
            note = f"  # {_params_text(layer)}" if attr == item.ident and layer.outcome.params else ""
            lines.append(f"        self.{attr} = {ctor}{note}")
    lines += ["", "    def forward(self, x):", f"        # x: (N, {torch_input})"]
    for layer, item in zip(report.layers, realised):
        lines.append(f"        {item.ident} = {item.expression}  # {_torch_shape(layer)}")
    lines += _returns(report, names)
    lines += [
        "",
        "",
        'if __name__ == "__main__":',
        f"    model = {cls}().eval()",
        "    with torch.no_grad():",
        "        out = model(torch.zeros(1, *INPUT_SHAPE))",
        '    print("output shape:", tuple(out.shape))',
        '    print("trainable parameters:", sum(p.numel() for p in model.parameters()))',
        "",
    ]
    return "\n".join(lines)
