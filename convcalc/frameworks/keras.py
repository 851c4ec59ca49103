"""A computed network as a Keras functional model, written from each kind's declared ``keras`` counterpart."""
from __future__ import annotations

import re

from ..engine import LayerReport, NetworkReport
from .adapters import ADAPTERS
from .adapters_blocks import KERAS_FUNCTIONS
from .draft import Draft, check_numeric, counterpart_for, num
from .naming import Names, docstring_text


def keras_lines(layer: LayerReport, report: NetworkReport, names: Names) -> tuple[list[str], set[str]]:
    """One layer's lines of build_model, and the import lines they need (and the functions, in ``draft.helpers``)."""
    lines, draft = _drafted(layer, report, names)
    return lines, draft.imports


def _drafted(layer: LayerReport, report: NetworkReport, names: Names) -> tuple[list[str], Draft]:
    inputs = ["inputs" if name == "input" else names.of[name] + ("" if port is None else f"[{port}]")
              for name, port in zip(layer.inputs, layer.spec.ports or (None,) * len(layer.inputs))]
    draft = Draft(layer, "keras", report, names, inputs)
    declared = counterpart_for(draft)
    for name in declared.adapters:
        ADAPTERS["keras"][name](draft)
    if draft.kind.max_inputs != 1:
        draft.x = "[" + ", ".join(draft.inputs) + "]"  # a merge layer takes the list
    lines = list(draft.before)
    x = draft.x
    if declared.function:  # a function the code defines, called by a Lambda: Keras' JSON names it and holds the arguments
        values = ", ".join(f'"{param.name}": {draft.written(param, declared) or num(None)}' for param in declared.params)
        lines.append(f'{draft.out} = layers.Lambda({declared.function}, arguments={{{values}}}, name="{draft.out}")({x})')
        draft.helpers.add(declared.function)
    for module in declared.modules:
        out = draft.extra(module.suffix) if module.suffix else draft.out
        args = draft.arguments(module)
        line = f'{out} = layers.{draft.constructor(module)}({", ".join(args)}{", " if args else ""}name="{out}")({x})'
        lines.append(line + (f"  # {draft.line_comment}" if draft.line_comment else ""))
        x = out
    return lines + draft.after, draft


def _outputs(report: NetworkReport, names: Names) -> str:
    """The model's outputs: the spec's (training-only heads included: Keras trains them), or its last
    layer; and every branch that ends elsewhere (a side head), since Keras keeps only the layers that
    lead to an output, so that the model holds every layer convcalc counts."""
    def text(output) -> str:
        return names.of[output.layer.name] + ("" if output.label == output.layer.name else f"[{output.label.rsplit('.', 1)[1]}]")

    last = report.layers[-1]
    if report.spec.outputs:
        main, covered = [text(o) for o in report.outputs], {o.layer.name for o in report.outputs}
    else:
        main, covered = [names.of[last.name] + ("[0]" if last.outcome.outputs else "")], {last.name}
    read = {name for layer in report.layers for name in layer.inputs}
    ends = [names.of[layer.name] for layer in report.layers if layer.name not in read and layer.name not in covered]
    every = main + ends
    return every[0] if len(every) == 1 else "[" + ", ".join(every) + "]"


def to_keras(report: NetworkReport) -> str:
    """A self-contained Python module building the network with the Keras functional API."""
    check_numeric(report)
    names = Names(report)
    body: list[str] = []
    imports: set[str] = set()
    functions: set[str] = set()
    for layer in report.layers:
        lines, draft = _drafted(layer, report, names)
        body += lines
        imports |= draft.imports
        functions |= draft.helpers
    layout = report.layout
    spec_input = ", ".join(str(d) for d in report.input_shape.in_layout(layout))
    keras_input = report.input_shape.in_layout("hwc")
    keras_text = "(" + ", ".join(str(d) for d in keras_input) + ("," if len(keras_input) == 1 else "") + ")"
    title = docstring_text(report.name or "network")
    model_name = re.sub(r"\W+", "_", title, flags=re.ASCII).strip("_") or "network"
    lines = [
        f'"""{title}: written by convcalc from {docstring_text(report.spec.source)}.',
        "",
        "Every layer below has the output shape and parameter count that `convcalc summary` prints.",
        '"""',
        *sorted(imports),
        "import keras",
        "from keras import layers",
        "",
        f"# convcalc input: ({spec_input}) in {layout} order; Keras takes it channels last: (None, {', '.join(map(str, keras_input))}).",
    ]
    if layout == "chw":
        lines.append("# (The spec is written channels first, as PyTorch; this model is channels-last.)")
    for function in sorted(functions):
        lines.append(KERAS_FUNCTIONS[function].rstrip("\n"))
    lines += ["", "", "def build_model():", f"    inputs = keras.Input(shape={keras_text}, name=\"input\")"]
    lines += [f"    {line}" for line in body]
    # Keras keeps only the layers that lead to an output: a branch that ends elsewhere (a side head)
    # is an output too, so that the model holds every layer convcalc counts.
    outputs = _outputs(report, names)
    lines += [
        f'    return keras.Model(inputs, {outputs}, name="{model_name}")',
        "",
        "",
        'if __name__ == "__main__":',
        "    model = build_model()",
        "    model.summary()",
        '    print("output shape:", model.output_shape)',
        "",
    ]
    return "\n".join(lines)
