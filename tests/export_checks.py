"""Running an export under its framework and comparing every layer with convcalc's report.

Shared by the declaration walk (test_declarations.py) and the export property test
(test_export_property.py). The facts come from the frameworks: output shapes of the tensors the
exported code computes, ``numel()`` of PyTorch's parameters and batch-norm buffers, and Keras'
trainable and non-trainable weights.
"""
from __future__ import annotations

import os
import sys
from math import prod

import pytest

from convcalc.frameworks.export import class_name, identifiers, to_keras, to_pytorch


def need_torch():
    return pytest.importorskip("torch", reason="runs the exported module: pip install 'convcalc[torch]'")


def need_keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")  # CI has torch, never TensorFlow
    need_torch()
    return pytest.importorskip("keras", reason="the Keras check needs keras (optional)")


def running_stats(module) -> int:
    return sum(b.numel() for name, b in module.named_buffers() if name.rsplit(".", 1)[-1] in ("running_mean", "running_var"))


def run_torch_export(report, label: str = "<export>"):
    """Exec the PyTorch export, run a zero tensor through it: (the model, the forward's local variables)."""
    torch = need_torch()
    namespace: dict = {"__name__": "convcalc_export_under_test"}
    exec(compile(to_pytorch(report), label, "exec"), namespace)  # noqa: S102  the code under test
    model = namespace[class_name(report)]().eval()
    forward_code = type(model).forward.__code__
    values: dict = {}

    def profiler(frame, event, arg):  # keeps the forward's local variables at its return
        if event == "return" and frame.f_code is forward_code:
            values.update(frame.f_locals)

    sys.setprofile(profiler)
    try:
        with torch.no_grad():
            values["__output__"] = model(torch.zeros(1, *namespace["INPUT_SHAPE"]))
    finally:
        sys.setprofile(None)
    return model, values


def torch_mismatches(report) -> list[str]:
    """Exec the PyTorch export, run a zero tensor, and list every layer whose shape or counts differ."""
    from convcalc.frameworks.export import torch_layers

    model, values = run_torch_export(report)
    realised, _ = torch_layers(report)
    problems = []
    for layer, item in zip(report.layers, realised):
        want = tuple((1, *shape.in_layout("chw")) for shape in layer.output_shapes)  # a split: every part
        value = values.get(item.ident)
        got = None if value is None else tuple(tuple(part.shape) for part in (value if isinstance(value, tuple) else (value,)))
        modules = [getattr(model, attr) for attr, _ in item.modules]
        counts = (sum(p.numel() for m in modules for p in m.parameters()), sum(running_stats(m) for m in modules))
        if got != want or counts != (layer.outcome.trainable, layer.outcome.non_trainable):
            problems.append(f"{layer.name}: torch {got} {counts}, convcalc {want} {(layer.outcome.trainable, layer.outcome.non_trainable)}")
    if sum(p.numel() for p in model.parameters()) != report.trainable_params:
        problems.append("total parameters differ")
    return problems


def keras_model(report):
    need_keras()
    code = to_keras(report)
    if "import tensorflow" in code:
        pytest.importorskip("tensorflow", reason="this export needs TensorFlow")
    namespace: dict = {"__name__": "convcalc_export_under_test"}
    exec(compile(code, "<export>", "exec"), namespace)  # noqa: S102  the code under test
    return namespace["build_model"]()


def keras_mismatches(report) -> list[str]:
    """Build the Keras export and list every layer whose output shape or weight counts differ."""
    model = keras_model(report)
    names = identifiers(report)
    problems = []
    for layer in report.layers:
        built = model.get_layer(names[layer.name])
        parts = built.output if isinstance(built.output, (list, tuple)) else [built.output]  # a split: every part
        shape = tuple(tuple(part.shape) for part in parts)
        # a transposed convolution cropped afterwards keeps its weights in '<name>_full'
        owners = [built] + [item for item in model.layers if item.name == names[layer.name] + "_full"]
        counts = (sum(prod(w.shape) for o in owners for w in o.trainable_weights),
                  sum(prod(w.shape) for o in owners for w in o.non_trainable_weights))
        want = tuple((None, *part.in_layout("hwc")) for part in layer.output_shapes)
        if shape != want or counts != (layer.outcome.trainable, layer.outcome.non_trainable):
            problems.append(f"{layer.name}: keras {shape} {counts}, convcalc {layer.shape} {(layer.outcome.trainable, layer.outcome.non_trainable)}")
    if model.count_params() != report.total_params:
        problems.append(f"total parameters differ: keras {model.count_params()}, convcalc {report.total_params}")
    return problems
