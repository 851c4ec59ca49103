"""Activations: point-wise functions, one registered kind each; PReLU with its learnt slopes."""


from .args import Arg, flag, integer, number
from .registry import LayerKind, Outcome, register


class _Activation(LayerKind):
    pointwise = True
    rule = "out = in; no parameters"

    def infer(self, args, inputs, ctx):
        return Outcome(inputs[0])


def _activation(name: str, summary: str, aliases: tuple[str, ...] = (), args: tuple[Arg, ...] = ()) -> None:
    register(type(name, (_Activation,), {"name": name, "summary": summary, "aliases": aliases, "args": args}))


_activation("relu", "max(0, x)")
_activation("relu6", "min(max(0, x), 6)")
_activation("sigmoid", "1 / (1 + e^−x)", ("logistic",))
_activation("tanh", "hyperbolic tangent")
_activation("softmax", "normalised exponentials", args=(Arg("axis", integer, -1, "does not change shapes"),))
_activation("log_softmax", "log of softmax", ("logsoftmax",), (Arg("axis", integer, -1, "does not change shapes"),))
_activation("leaky_relu", "x, or slope·x below 0", ("leakyrelu", "lrelu"), (Arg("negative_slope", number, 0.01, "slope below 0"),))
_activation("elu", "x, or α·(eˣ − 1) below 0", args=(Arg("alpha", number, 1.0, "scale below 0"),))
_activation("selu", "scaled ELU")
_activation("gelu", "x·Φ(x)")
_activation("silu", "x·sigmoid(x)", ("swish",))
_activation("hardswish", "x·relu6(x + 3)/6", ("hswish",))
_activation("hardsigmoid", "relu6(x + 3)/6", ("hsigmoid",))
_activation("mish", "x·tanh(softplus(x))")
_activation("softplus", "log(1 + eˣ)")
_activation("identity", "passes its input through", ("linearactivation", "noop"))


@register
class PReLU(LayerKind):
    pointwise = True
    name = "prelu"
    args = (Arg("per_channel", flag, False, "one slope per channel instead of one shared slope (PyTorch num_parameters)"),)
    summary = "leaky ReLU with a learnt slope (PyTorch PReLU)"
    rule = "out = in; weights = 1, or C with per_channel"

    def infer(self, args, inputs, ctx):
        slopes = inputs[0].channels if args["per_channel"] else 1
        return Outcome(inputs[0], slopes, param_terms=str(slopes))
