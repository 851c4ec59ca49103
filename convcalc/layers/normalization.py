"""Normalisation layers: batch, layer, group and local response normalisation."""


from ..arith import Size
from ..shapes import Shape
from .args import Arg, flag, non_negative_number, number, positive, proportion
from .counterparts import Counterpart, Param, counterpart, per_rank
from .registry import LayerKind, Outcome, register
from .windows import channels_per_group

_TORCH_EPS, _KERAS_EPS = Param("eps", "eps", 1e-5), Param("epsilon", "eps")
_KERAS_AFFINE = (Param("center", "affine", True), Param("scale", "affine", True))
# track_running_stats=False keeps no running statistics: no longer the counts convcalc gives (import refuses it)
_TORCH_BATCHNORM = (Param("num_features", "in.channels", positional=True), _TORCH_EPS, Param("momentum", "momentum", 0.1),
                    Param("affine", "affine", True), Param("track_running_stats", literal=True, default=True))
_TORCH_LAYERNORM = (Param("normalized_shape", "in.channels", positional=True), _TORCH_EPS, Param("elementwise_affine", "affine", True))

_NORM_FLOPS = "5 per element (mean, centre, square, sum, divide) + 2 with affine"


def _norm_flops(self, args, inputs, outcome):
    """Layer and group norm: mean, centre, square, sum and divide per element, and scale and shift."""
    return (7 if args.get("affine", True) else 5) * outcome.shape.numel()


class _ChannelNorm(LayerKind):
    pointwise = True
    def _scale_shift(self, shape: Shape, affine: bool) -> tuple[Size, Size, str]:
        c = shape.channels
        return (c, c, f"{c} + {c}") if affine else (0, 0, "0")


@register
class BatchNorm(_ChannelNorm):
    name = "batchnorm"
    aliases = ("batchnorm1d", "batchnorm2d", "batchnorm3d", "batchnormalization", "bn")
    args = (
        Arg("affine", flag, True, "learn a scale γ and shift β per channel"),
        Arg("eps", non_negative_number, 1e-5, "does not change counts"),
        Arg("momentum", proportion, 0.1, "does not change counts"),
    )
    summary = "batch normalisation over the channel axis"
    rule = "out = in; trainable 2·C (γ, β), non-trainable 2·C (moving mean and variance, as Keras counts them)"
    pytorch = per_rank({0: counterpart("nn.BatchNorm1d", *_TORCH_BATCHNORM)},
                       counterpart("nn.BatchNorm{rank}d", *_TORCH_BATCHNORM, ranks=(1, 2, 3)))
    keras = counterpart("BatchNormalization", _KERAS_EPS, Param("momentum", "momentum", form="keep"), *_KERAS_AFFINE)
    onnx = ("BatchNormalization",)
    flops_per_element, flops_rule = 2, "multiply and add (inference form, statistics folded into scale and shift)"

    def infer(self, args, inputs, ctx):
        shape = inputs[0]
        gamma, beta, terms = self._scale_shift(shape, args["affine"])
        c = shape.channels
        return Outcome(
            shape,
            gamma,
            beta,
            non_trainable=2 * c,
            param_terms=f"{terms} (γ, β) + {c} + {c} (moving mean, variance)",
        )


@register
class LayerNorm(_ChannelNorm):
    name = "layernorm"
    aliases = ("layernormalization",)
    args = (Arg("affine", flag, True, "learn a scale and shift per channel"), Arg("eps", non_negative_number, 1e-5, "does not change counts"))
    summary = "layer normalisation over the channel axis (Keras LayerNormalization default axis=-1)"
    rule = "out = in; trainable 2·C"
    pytorch = per_rank({0: counterpart("nn.LayerNorm", *_TORCH_LAYERNORM)},
                       counterpart("ChannelLayerNorm", *_TORCH_LAYERNORM,
                                   note="normalises over the channels at each position, as Keras LayerNormalization(axis=-1)"))
    keras = counterpart("LayerNormalization", _KERAS_EPS, *_KERAS_AFFINE)
    onnx = ("LayerNormalization",)
    flops_rule = _NORM_FLOPS
    flops = _norm_flops

    def infer(self, args, inputs, ctx):
        gamma, beta, terms = self._scale_shift(inputs[0], args["affine"])
        return Outcome(inputs[0], gamma, beta, param_terms=f"{terms} (γ, β)")


@register
class GroupNorm(_ChannelNorm):
    name = "groupnorm"
    aliases = ("groupnormalization",)
    primary = "groups"
    args = (
        Arg("groups", positive, doc="channel groups normalised together"),
        Arg("affine", flag, True, "learn a scale and shift per channel"),
        Arg("eps", non_negative_number, 1e-5, "does not change counts"),
    )
    summary = "group normalisation (PyTorch GroupNorm)"
    rule = "out = in; groups must divide C; trainable 2·C"
    pytorch = counterpart("nn.GroupNorm", Param("num_groups", "groups", positional=True), Param("num_channels", "in.channels", positional=True),
                          _TORCH_EPS, Param("affine", "affine", True), adapters=("no_single_value_groups",))
    keras = counterpart("GroupNormalization", Param("groups", "groups", positional=True), _KERAS_EPS, *_KERAS_AFFINE)
    onnx = ("GroupNormalization",)
    flops_rule = _NORM_FLOPS
    flops = _norm_flops

    def infer(self, args, inputs, ctx):
        channels_per_group(inputs[0].channels, args["groups"], "channels", ctx)
        gamma, beta, terms = self._scale_shift(inputs[0], args["affine"])
        return Outcome(inputs[0], gamma, beta, param_terms=f"{terms} (γ, β)")


@register
class LocalResponseNorm(LayerKind):
    name = "lrn"
    aliases = ("localresponsenorm", "local_response_norm", "localresponsenormalization")
    primary = "size"
    args = (
        Arg("size", positive, 5, "neighbouring channels summed over"),
        Arg("alpha", number, 1e-4, "does not change counts"),
        Arg("beta", number, 0.75, "does not change counts"),
        Arg("k", number, 1.0, "does not change counts"),
    )
    summary = "local response normalisation across channels (AlexNet)"
    rule = "out = in; no parameters"
    pytorch = counterpart("nn.LocalResponseNorm", Param("size", "size", positional=True), Param("alpha", "alpha", 1e-4),
                          Param("beta", "beta", 0.75), Param("k", "k", 1.0), ranks=(1, 2, 3))
    # no Keras layer: a Lambda around TensorFlow's, which takes images only
    keras = Counterpart(adapters=("tf_local_response_normalization",), ranks=(2,))
    onnx = ("LRN",)
    flops_rule = "0 (not counted)"

    def infer(self, args, inputs, ctx):
        return Outcome(inputs[0])
