"""Spatial sizes changed without learning: zero padding, and resizing (upsampling by a scale, or to a size)."""


from ..arith import dot, is_int, product, show
from ..shapes import Shape
from .args import INTERPOLATIONS, Arg, flag, interpolation, layer_name, padding, sizes
from .counterparts import Counterpart, Module, Param, also, counterpart, per_rank
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
    args = (
        Arg("scale", sizes, None, "factor per axis (PyTorch scale_factor, Keras UpSampling size); 2 when no size is given", "2"),
        Arg("size", sizes, None, "the output's spatial size instead (PyTorch size, Keras Resizing height and width)"),
        Arg("like", layer_name, None, "a layer above whose spatial size to take (F.interpolate(x, size=other.shape[-2:]))"),
        Arg("mode", interpolation, "nearest", "nearest, nearest-exact, linear, bilinear, trilinear, bicubic or area"),
        Arg("align_corners", flag, False, "PyTorch align_corners; does not change shapes"),
    )
    rule = ("H2 = H1·scale, or size, or the like layer's size, on each spatial axis; D2 = D1; no parameters; "
            "0 MACs (fixed interpolation weights: torchvision and fvcore count none)")
    _READ = (Param("size", "size"), Param("scale_factor", "scale", form="floats"), Param("mode", "mode"),
             Param("align_corners", "align_corners"))
    pytorch = counterpart("nn.Upsample", Param("size", "output_size", None), Param("scale_factor", "scale_factor", None),
                          Param("mode", "torch_mode", form="text"), Param("align_corners", "corners", None),
                          adapters=("interpolation",),
                          reads=(Module("nn.Upsample", _READ),
                                 *also("nn.UpsamplingNearest2d", params=_READ[:2]),
                                 *also("nn.UpsamplingBilinear2d", params=_READ[:2]),
                                 Module("F.interpolate", (*_READ, Param("recompute_scale_factor"), Param("antialias")))))
    keras = Counterpart(adapters=("resize",), note="UpSampling1D/2D/3D for a whole scale, Resizing for another 2D size",
                        reads=(Module("UpSampling{rank}D", (Param("size", "scale", form="axes", positional=True),
                                                            Param("interpolation", "mode"))),))
    onnx = ("Resize",)
    macs_rule = "0 (fixed interpolation weights; torchvision and fvcore count none)"
    flops_rule = ("nearest 0; linear, bilinear, trilinear 2·2^d − 1, bicubic 2·4^d − 1 (a weighted sum of the inputs read), "
                  "area ⌈in/out⌉^d, per output element")
    receptive_field = "upsample"

    def flops(self, args, inputs, outcome):
        """A weighted sum of the taps read for each output value: taps multiplies and taps − 1 adds;
        nearest copies (0); area averages its window (adds and a divide: the window's volume)."""
        mode, shape_in, n_out = args.get("mode", "nearest"), inputs[0], outcome.shape.numel()
        if mode == "area":
            return product(-(-i // o) if is_int(i) and is_int(o) else i / o
                           for i, o in zip(shape_in.spatial, outcome.shape.spatial)) * n_out
        taps = INTERPOLATIONS[mode][2] ** shape_in.rank
        return 0 if taps == 1 else (2 * taps - 1) * n_out

    def infer(self, args, inputs, ctx):
        shape = self.check_inputs(inputs, ctx)
        given = [key for key in ("scale", "size", "like") if args[key] is not None]
        if len(given) > 1:
            raise ctx.error(f"{' and '.join(given)} are given; an upsampling takes one of scale, size or like",
                            "keep the one that says what you mean")
        mode = args["mode"]
        ranks = INTERPOLATIONS[mode][1]
        if ranks is not None and shape.rank not in ranks:
            hint = {1: "linear", 2: "bilinear", 3: "trilinear"}.get(shape.rank, "nearest")
            raise ctx.error(f"mode {mode} interpolates {ranks[0]} spatial axes; this input has {shape.rank}",
                            f"use mode: {hint} (or linear, which convcalc takes on any rank)")
        if args["like"] is not None:
            target = _like_shape(args["like"], shape, ctx)
            size = target.spatial
            notes = tuple(f"{out_letter(n, shape.rank)} = {show(o)} (the size of {args['like']})" for n, o in zip(shape.axis_names, size))
        elif args["size"] is not None:
            size = per_axis(args["size"], shape.rank, "size", ctx)
            notes = tuple(f"{out_letter(n, shape.rank)} = {show(o)} (size)" for n, o in zip(shape.axis_names, size))
        else:
            scale = per_axis(2 if args["scale"] is None else args["scale"], shape.rank, "scale", ctx)
            size = tuple(w * s for w, s in zip(shape.spatial, scale))
            notes = tuple(f"{out_letter(n, shape.rank)} = {dot(w, s)} = {show(o)}" for n, w, s, o in zip(shape.axis_names, shape.spatial, scale, size))
        if mode != "nearest":
            notes += (f"mode {mode}" + (", align_corners" if args["align_corners"] else "") + ": 0 MACs (fixed weights, not learnt)",)
        return Outcome(Shape(size, shape.channels), notes=notes)


def _like_shape(name: str, shape: Shape, ctx) -> Shape:
    known = ctx.shapes or {}
    if name not in known:
        raise ctx.error(f"like '{name}' names no layer above", "name a layer above (or input) whose size to take")
    target = known[name]
    if target.rank != shape.rank:
        raise ctx.error(f"like '{name}' has {target.rank} spatial axes, {target.describe(ctx.layout)}; this input has {shape.rank}",
                        "name a layer with as many spatial axes")
    return target


@register
class Upsample1D(_Upsample):
    name, rank, family = "upsample1d", 1, "upsample,upsampling,resize,interpolate"
    aliases = ("upsampling1d",)
    summary = "resizes by scale, to a size or like another layer (nearest or linear)"


@register
class Upsample2D(_Upsample):
    name, rank, family = "upsample2d", 2, "upsample,upsampling,resize,interpolate"
    aliases = ("upsampling2d", "resizing")
    summary = "resizes by scale, to a size or like another layer (nearest, bilinear, bicubic…; Keras UpSampling2D, Resizing)"


@register
class Upsample3D(_Upsample):
    name, rank, family = "upsample3d", 3, "upsample,upsampling,resize,interpolate"
    aliases = ("upsampling3d",)
    summary = "resizes by scale, to a size or like another layer (nearest or trilinear)"
