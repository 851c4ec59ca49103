"""Locally connected layers: a convolution's windows without parameter sharing (Keras 2's LocallyConnected1D/2D).

Every output position has its own filters: the output shape is a convolution's, the weights are a
convolution's times the number of output positions, and there is one bias per position and filter
(Keras 2: "(30*30)*(3*3*3*64) + (30*30)*64 parameters"). CS231n's notes count AlexNet's first layer
this way to show what parameter sharing saves: 55·55·96 neurons with 11·11·3 + 1 parameters each,
105,705,600 in all. Keras 3 removed these layers and PyTorch never had one, so export to Keras refuses them
and export to PyTorch writes a small class that unfolds the windows.
"""

from ..arith import dot, fmt, product
from ..shapes import Shape
from .args import Arg, flag, positive, sizes
from .counterparts import NoCounterpart, Param, counterpart
from .registry import LayerKind, Outcome, register
from .windows import SIZE_ARGS, depth_note, per_axis, sliding_window


class _LocallyConnected(LayerKind):
    category, window_reach = "conv", "all"
    primary = "filters"
    args = (
        Arg("filters", positive, doc="filters K at each output position"),
        Arg("kernel", sizes, doc="filter size F; one per axis allowed"),
        SIZE_ARGS["stride"],
        Arg("padding", SIZE_ARGS["padding"].parse, 0, "zeros added on each side (Keras 2 takes 'valid' only: 0)"),
        Arg("bias", flag, True, "one bias per output position and filter"),
    )
    summary = "locally connected layer (Keras 2 LocallyConnected): a convolution's windows, with no parameter sharing"
    rule = ("H2 = ⌊(H1 − F + 2P)/S⌋ + 1 on each spatial axis (W2 alike); D2 = K; weights = H2·W2·F·F·D1·K, "
            "biases = H2·W2·K (one set per output position: no parameter sharing)")
    pytorch = counterpart("LocallyConnected{rank}d", Param("in_channels", "in.channels", positional=True),
                          Param("out_channels", "filters", positional=True), Param("size_out", "size_out", positional=True),
                          Param("kernel_size", "kernel", form="axes"), Param("stride", "stride", 1, "axes"),
                          Param("padding", "pad", 0), Param("bias", "bias", True), adapters=("locally_connected",),
                          note="PyTorch has no locally connected layer: a small class that unfolds the windows")
    keras = NoCounterpart("Keras 3 removed LocallyConnected1D/2D (Keras 2.x had them)",
                          "export the network without it, or use Keras 2's LocallyConnected layers by hand")
    onnx = ()
    macs_rule = "output elements × C_in × kernel volume (each position with its own weights)"
    flops_rule, receptive_field = "2·MACs + output elements (bias adds)", "window"

    def infer(self, args, inputs, ctx):
        shape = self.check_inputs(inputs, ctx)
        if args["padding"] == "same":
            raise ctx.error("a locally connected layer takes no 'same' padding (Keras: 'valid' only)",
                            "give the padding in pixels, or 0")
        filters = args["filters"]
        steps = sliding_window(shape, args, ctx)
        kernel = per_axis(args["kernel"], shape.rank, "kernel", ctx)
        out = Shape(tuple(s.size_out for s in steps), filters)
        positions = out.spatial_numel()
        per_position = product(kernel) * shape.channels * filters
        biases = positions * filters if args["bias"] else 0
        where = dot(*out.spatial)
        weight_terms = f"{where}·{dot(*kernel, shape.channels, filters)}"
        bias_terms = f"{where}·{dot(filters)}"
        return Outcome(
            out,
            positions * per_position,
            biases,
            param_terms=f"{weight_terms} + {bias_terms}" if args["bias"] else weight_terms,
            axes=steps,
            notes=(depth_note(filters, "K", shape.channels),),
            macs=positions * per_position,
            weight_terms=weight_terms,
            param_notes=(f"no parameter sharing: each of the {where} = {fmt(positions)} output positions has its own "
                         f"{dot(*kernel, shape.channels, filters)} = {fmt(per_position)} weights"
                         + (f" and {fmt(filters)} biases" if args["bias"] else ""),),
        )


@register
class LocallyConnected1D(_LocallyConnected):
    name, rank, family = "locally_connected1d", 1, "locally_connected,locallyconnected"
    aliases = ("locallyconnected1d",)


@register
class LocallyConnected2D(_LocallyConnected):
    name, rank, family = "locally_connected2d", 2, "locally_connected,locallyconnected"
    aliases = ("locallyconnected2d",)
