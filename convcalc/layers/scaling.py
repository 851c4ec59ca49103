"""What a residual branch passes through before its add: a learnt per-channel scale (layer scale)
and stochastic depth (the branch dropped for a whole sample while training)."""

from ..arith import show
from .args import Arg, flag, number, rate
from .counterparts import NoCounterpart, Param, counterpart
from .registry import LayerKind, Outcome, register


@register
class LayerScale(LayerKind):
    pointwise = True
    name = "layer_scale"
    aliases = ("layerscale",)
    args = (Arg("init", number, 1e-6, "the scales' starting value (ConvNeXt's 1e-6); does not change counts"),)
    summary = "multiplies each channel by a learnt scale γ (CaiT, ConvNeXt); C parameters"
    pytorch = counterpart("LayerScale", Param("channels", "in.channels", positional=True), Param("init", "init", 1e-6))
    keras = NoCounterpart("keras.layers has no LayerScale (keras_hub and keras_cv have their own)", "export to PyTorch")
    onnx = ("Mul",)
    macs_rule = "0 (one multiply per value, nothing accumulated: torchvision counts none)"
    flops_per_element, flops_rule = 1, "multiply by γ"
    rule = "out = in; weights = C (γ); 0 MACs (one multiply per value, no accumulate: torchvision counts none)"

    def infer(self, args, inputs, ctx):
        shape = inputs[0]
        c = shape.channels
        return Outcome(shape, c, param_terms=str(c), notes=(f"γ: one scale per channel, D1 = {show(c)}",))


@register
class StochasticDepth(LayerKind):
    pointwise = True
    name = "stochastic_depth"
    aliases = ("drop_path", "droppath", "stochasticdepth")
    primary = "rate"
    args = (
        Arg("rate", rate, 0.1, "chance that the branch is dropped for a sample while training"),
        Arg("per_sample", flag, True, "drop per sample (torchvision's mode 'row'); false: the whole batch ('batch')"),
    )
    summary = "drops a residual branch for whole samples while training (Huang et al. 2016; torchvision StochasticDepth)"
    pytorch = counterpart("StochasticDepth", Param("p", "rate", positional=True), Param("mode", "drop_mode", "row", "text"),
                          adapters=("drop_path_mode",))
    keras = counterpart("Dropout", Param("rate", "rate", positional=True), Param("noise_shape", "noise_shape"),
                        adapters=("drop_path_noise",), note="a Dropout whose mask is one value per sample drops whole samples")
    onnx = ("Identity",)
    flops_rule = "0 (the identity at inference)"
    rule = "out = in; no parameters"

    def infer(self, args, inputs, ctx):
        return Outcome(inputs[0])
