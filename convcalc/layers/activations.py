"""Activations: point-wise functions, one registered kind each; PReLU with its learnt slopes."""


from typing import Any

from .args import Arg, flag, integer, number
from .counterparts import Module, Param, also, counterpart, given_in_order
from .registry import LayerKind, Outcome, register


class _Activation(LayerKind):
    pointwise = True
    is_activation = True
    rule = "out = in; no parameters"

    def infer(self, args, inputs, ctx):
        axis, ndim = args.get("axis"), inputs[0].rank + 1
        if axis is not None and not -ndim <= axis < ndim:  # softmax over an axis the input does not have
            raise ctx.error(f"axis {axis} is out of range for {ndim}-axis inputs", f"use an axis from {-ndim} to {ndim - 1}")
        return Outcome(inputs[0])


def _activation(name: str, summary: str, aliases: tuple[str, ...] = (), args: tuple[Arg, ...] = (), *,
                pytorch: Any = None, keras: Any = None, onnx: tuple[str, ...] = (), flops: tuple[int, str] = (1, "")) -> None:
    fields = {"name": name, "summary": summary, "aliases": aliases, "args": args, "pytorch": pytorch, "keras": keras, "onnx": onnx,
              "flops_per_element": flops[0], "flops_rule": flops[1]}
    register(type(name, (_Activation,), fields))


def _keras_activation(name: str, *spellings: str) -> Any:
    """Keras' Activation layer with the function's name: Activation("relu"); ``spellings``: other
    names Keras gives the same function, read back as this kind."""
    return counterpart("Activation", Param("activation", literal=name, form="text", positional=True), reads=_spelt(*spellings))


def _spelt(*spellings: str) -> tuple[Module, ...]:
    return tuple(Module("Activation", (Param("activation", literal=s, form="text", positional=True),)) for s in spellings)


def _torch(module: str, function: str, *params: Param, namespaces: tuple[str, ...] = ("torch", "F", "Tensor")) -> Any:
    """nn.<module>, read back also from the function (torch.relu, F.relu, x.relu(), and their in-place forms)."""
    names = [f"{space}.{name}" for space in namespaces for name in (function, function + "_")]
    return counterpart(f"nn.{module}", *params, reads=also(*names, params=given_in_order(*params)))


_AXIS = Arg("axis", integer, -1, "does not change shapes")

_activation("relu", "max(0, x)",
            pytorch=_torch("ReLU", "relu"), keras=_keras_activation("relu"), onnx=("Relu",), flops=(1, "max(0, x)"))
_activation("relu6", "min(max(0, x), 6)",
            pytorch=_torch("ReLU6", "relu6", namespaces=("F",)), keras=counterpart("ReLU", Param("max_value", literal=6.0)), onnx=("Clip",),
            flops=(2, "max, min"))
_activation("sigmoid", "1 / (1 + e^−x)", ("logistic",),
            pytorch=_torch("Sigmoid", "sigmoid"), keras=_keras_activation("sigmoid"), onnx=("Sigmoid",),
            flops=(4, "negate, exp, add 1, divide"))
_activation("tanh", "hyperbolic tangent",
            pytorch=_torch("Tanh", "tanh"), keras=_keras_activation("tanh"), onnx=("Tanh",), flops=(1, "tanh"))
_activation("softmax", "normalised exponentials", args=(_AXIS,),
            pytorch=_torch("Softmax", "softmax", Param("dim", "axis", form="dim")),
            keras=counterpart("Softmax", Param("axis", "axis", form="axis"), reads=_spelt("softmax")), onnx=("Softmax",), flops=(3, "exp, add to the sum, divide"))
_activation("log_softmax", "log of softmax", ("logsoftmax",), (_AXIS,),
            pytorch=_torch("LogSoftmax", "log_softmax", Param("dim", "axis", form="dim")), keras=_keras_activation("log_softmax"),
            onnx=("LogSoftmax",),
            flops=(3, "exp, add to the sum, subtract the log-sum"))
_activation("leaky_relu", "x, or slope·x below 0", ("leakyrelu", "lrelu"), (Arg("negative_slope", number, 0.01, "slope below 0"),),
            pytorch=_torch("LeakyReLU", "leaky_relu", Param("negative_slope", "negative_slope")),
            keras=counterpart("LeakyReLU", Param("negative_slope", "negative_slope")), onnx=("LeakyRelu",),
            flops=(2, "multiply, select"))
_activation("elu", "x, or α·(eˣ − 1) below 0", args=(Arg("alpha", number, 1.0, "scale below 0"),),
            pytorch=_torch("ELU", "elu", Param("alpha", "alpha")), keras=counterpart("ELU", Param("alpha", "alpha")), onnx=("Elu",),
            flops=(4, "exp, subtract 1, multiply α, select"))
_activation("selu", "scaled ELU",
            pytorch=_torch("SELU", "selu"), keras=_keras_activation("selu"), onnx=("Selu",), flops=(5, "as ELU plus the scale"))
_activation("gelu", "x·Φ(x)",
            pytorch=_torch("GELU", "gelu", namespaces=("F",)), keras=_keras_activation("gelu"), onnx=("Gelu",),
            flops=(5, "x/√2, erf, add 1, halve, multiply x"))
_activation("silu", "x·sigmoid(x)", ("swish",),
            pytorch=_torch("SiLU", "silu", namespaces=("F",)), keras=_keras_activation("silu", "swish"), onnx=("Sigmoid", "Mul"),
            flops=(5, "sigmoid (4) and a multiply"))
_activation("hardswish", "x·relu6(x + 3)/6", ("hswish",),
            pytorch=_torch("Hardswish", "hardswish", namespaces=("F",)), keras=_keras_activation("hard_swish", "hard_silu"), onnx=("HardSwish",),
            flops=(5, "hardsigmoid (4) and a multiply"))
_activation("hardsigmoid", "relu6(x + 3)/6", ("hsigmoid",),
            pytorch=_torch("Hardsigmoid", "hardsigmoid", namespaces=("F",)), keras=_keras_activation("hard_sigmoid"), onnx=("HardSigmoid",),
            flops=(4, "add 3, max, min, divide by 6"))
_activation("mish", "x·tanh(softplus(x))",
            pytorch=_torch("Mish", "mish", namespaces=("F",)), keras=_keras_activation("mish"), onnx=("Mish",),
            flops=(5, "exp, add 1, log, tanh, multiply"))
_activation("softplus", "log(1 + eˣ)",
            pytorch=_torch("Softplus", "softplus", namespaces=("F",)), keras=_keras_activation("softplus"), onnx=("Softplus",),
            flops=(3, "exp, add 1, log"))
_activation("identity", "passes its input through", ("linearactivation", "noop"),
            pytorch=counterpart("nn.Identity"), keras=counterpart("Identity", reads=_spelt("linear")), onnx=("Identity",), flops=(0, "nothing"))


@register
class PReLU(LayerKind):
    pointwise = True
    name = "prelu"
    args = (Arg("per_channel", flag, False, "one slope per channel instead of one shared slope (PyTorch num_parameters)"),)
    summary = "leaky ReLU with a learnt slope (PyTorch PReLU)"
    rule = "out = in; weights = 1, or C with per_channel"
    pytorch = counterpart("nn.PReLU", Param("num_parameters", "slopes", 1), adapters=("prelu_slopes",))
    keras = counterpart("PReLU", Param("shared_axes", "shared_axes", []), adapters=("prelu_slopes",))
    onnx = ("PRelu",)
    flops_per_element, flops_rule = 2, "multiply, select"

    def infer(self, args, inputs, ctx):
        slopes = inputs[0].channels if args["per_channel"] else 1
        return Outcome(inputs[0], slopes, param_terms=str(slopes))
