"""Spatial sizes grown without learning: zero padding and upsampling."""


from ..arith import dot, show
from ..shapes import Shape
from .args import Arg, padding, sizes
from .counterparts import Module, Param, also, counterpart, per_rank
from .registry import DATA_MOVEMENT, LayerKind, Outcome, register
from .windows import axis_pads, out_letter, per_axis


class _Padding(LayerKind):
    primary = "padding"
    args = (Arg("padding", padding, 1, "zeros on each side; per axis or [before, after] pairs"),)
    rule = "H2 = H1 + P_before + P_after on each spatial axis; D2 = D1; no parameters"
    pytorch = per_rank({2: counterpart("nn.ZeroPad2d", Param("padding", "padding", form="pads", positional=True))},
                       counterpart("nn.ConstantPad{rank}d", Param("padding", "padding", form="pads", positional=True),
                                   Param("value", literal=0.0, positional=True),
                                   reads=(Module("nn.ZeroPad{rank}d", (Param("padding", "padding", form="pads"),)),
                                          Module("F.pad", (Param("pad", "padding", form="pads", positional=True),
                                                           Param("mode", literal="constant", default="constant", positional=True),
                                                           Param("value", literal=0.0, default=0.0, positional=True))))))
    keras = counterpart("ZeroPadding{rank}D", Param("padding", "padding", form="pairs", positional=True))
    onnx = ("Pad",)
    flops_rule, receptive_field = DATA_MOVEMENT, "pad"

    def infer(self, args, inputs, ctx):
        shape = self.check_inputs(inputs, ctx)
        if args["padding"] == "same":
            raise ctx.error("zero padding takes sizes, not 'same'", "give the number of zeros per side")
        pads = axis_pads(args["padding"], shape.rank, ctx)
        size = tuple(w + b + a for w, (b, a) in zip(shape.spatial, pads))
        notes = tuple(f"{out_letter(n, shape.rank)} = {show(w)} + {show(b)} + {show(a)} = {show(o)}"
                      for n, w, (b, a), o in zip(shape.axis_names, shape.spatial, pads, size))
        return Outcome(Shape(size, shape.channels), notes=notes)


@register
class ZeroPad1D(_Padding):
    name, rank, family = "zeropad1d", 1, "zeropad,zeropadding"
    aliases = ("zeropadding1d", "constantpad1d")
    summary = "adds zeros at both ends"


@register
class ZeroPad2D(_Padding):
    name, rank, family = "zeropad2d", 2, "zeropad,zeropadding"
    aliases = ("zeropadding2d",)
    summary = "adds a border of zeros"


@register
class ZeroPad3D(_Padding):
    name, rank, family = "zeropad3d", 3, "zeropad,zeropadding"
    aliases = ("zeropadding3d",)
    summary = "adds a border of zeros"


class _Upsample(LayerKind):
    primary = "scale"
    args = (Arg("scale", sizes, 2, "factor per axis (PyTorch scale_factor, Keras size)"),)
    rule = "H2 = H1·scale on each spatial axis; D2 = D1; no parameters"
    # read back from any mode (bilinear sizes come out the same); a size instead of a scale is refused
    pytorch = counterpart("nn.Upsample", Param("scale_factor", "scale", form="floats"), Param("mode", literal="nearest", form="text"),
                          reads=(Module("nn.Upsample", (Param("scale_factor", "scale", form="floats"),)),
                                 *also("nn.UpsamplingNearest2d", "nn.UpsamplingBilinear2d", params=(Param("scale_factor", "scale", form="floats"),)),
                                 Module("F.interpolate", (Param("scale_factor", "scale", form="floats"), Param("mode"), Param("align_corners"),
                                                          Param("recompute_scale_factor"), Param("antialias")))))
    keras = counterpart("UpSampling{rank}D", Param("size", "scale", form="axes", positional=True))
    onnx = ("Resize",)
    flops_rule, receptive_field = DATA_MOVEMENT, "upsample"

    def infer(self, args, inputs, ctx):
        shape = self.check_inputs(inputs, ctx)
        scale = per_axis(args["scale"], shape.rank, "scale", ctx)
        size = tuple(w * s for w, s in zip(shape.spatial, scale))
        notes = tuple(f"{out_letter(n, shape.rank)} = {dot(w, s)} = {show(o)}" for n, w, s, o in zip(shape.axis_names, shape.spatial, scale, size))
        return Outcome(Shape(size, shape.channels), notes=notes)


@register
class Upsample1D(_Upsample):
    name, rank, family = "upsample1d", 1, "upsample,upsampling"
    aliases = ("upsampling1d",)
    summary = "repeats each position scale times (nearest neighbour)"


@register
class Upsample2D(_Upsample):
    name, rank, family = "upsample2d", 2, "upsample,upsampling"
    aliases = ("upsampling2d",)
    summary = "repeats each pixel scale × scale times (nearest neighbour or bilinear)"


@register
class Upsample3D(_Upsample):
    name, rank, family = "upsample3d", 3, "upsample,upsampling"
    aliases = ("upsampling3d",)
    summary = "repeats each voxel (nearest neighbour or trilinear)"
