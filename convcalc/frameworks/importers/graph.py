"""An imported network as it is read: layers added one by one, each computed at once by its kind.

The importers (torch, keras, onnx) walk a model's graph in order and add one layer per framework
object through :class:`Builder`, which picks the declared reading (``readback``), checks the
declared facts against the input it computed (``in_channels`` against the channels it has),
undoes the declaration's adapters by name (``REVERSE``: an explicit pad before a layer folded
back into its padding, a crop after a transposed convolution into its "same"), and computes the
output shape with the kind's own rule, so that the next object can be read against it.
Anything it cannot represent is a SpecError naming the object, its name and its position.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ...errors import ArgError, SpecError
from ...layers import KINDS, LayerContext
from ...shapes import Shape
from .readback import MISSING, Read, Refusal, read, readings, refusal_text

PORT = "#"  # 'KEY#1': the second output of the layer KEY (a split); written `from: NAME.1`
IDENTITY_HINT = "if it changes no shape and holds no parameters, read it as identity with --as-identity {name}"


class Layer:
    """One imported layer: the framework objects it stands for, its kind, arguments and shape."""

    __slots__ = ("adapters", "args", "inputs", "key", "keys", "kind", "name", "output_shapes", "pending", "readers", "scope", "shape",
                 "where")

    def __init__(self, key: str, name: str, scope: tuple, kind: str | None, args: dict[str, Any], inputs: list[str], where: str) -> None:
        self.key = key  # the framework's id of the object (fx node, Keras layer, ONNX output)
        self.name = name  # its own name within its scope
        self.scope = scope  # the enclosing modules, outermost first: ((name, class name), …)
        self.kind = kind  # None: a pending object an adapter must fold (a -inf pad, a crop)
        self.args = args
        self.inputs = inputs  # keys of the layers it reads ('input': the network input)
        self.shape: Shape | None = None
        self.output_shapes: tuple[Shape, ...] = ()  # a split's several outputs, read as the ports 'KEY#0', 'KEY#1'
        self.where = where  # 'node 12 'layer1.0.conv1' (nn.Conv2d)', for messages
        self.adapters: tuple[str, ...] = ()
        self.pending: dict[str, Any] = {}
        self.keys = [key]  # every framework object folded into it
        self.readers = 0


class Builder:
    """The layers read so far, their shapes, and what each framework key now means."""

    def __init__(self, input_dims: tuple[int, ...], layout: str, framework: str, readers: Mapping[str, int] | None = None) -> None:
        self.layout = layout
        self.framework = framework
        self.input_shape = Shape.from_layout(tuple(input_dims), layout)
        self.layers: dict[str, Layer] = {}
        self.alias: dict[str, str] = {}  # a folded or renamed key -> the key of the layer it now means
        self.reader_counts = dict(readers or {})  # key -> how many objects read it (for folds: only a sole reader folds)
        self.outputs: list[str] = []  # the model's outputs when it has several (set by the reader)

    # ---- lookups

    def resolve(self, key: str) -> str:
        if PORT in key:  # one output of a split: its layer's key resolved, the port kept
            base, port = key.split(PORT, 1)
            return f"{self.resolve(base)}{PORT}{port}"
        seen = 0
        while key in self.alias and seen <= len(self.alias):
            key, seen = self.alias[key], seen + 1
        return key

    def shape(self, key: str) -> Shape:
        key = self.resolve(key)
        if key == "input":
            return self.input_shape
        if PORT in key:
            base, port = key.split(PORT, 1)
            return self.layers[base].output_shapes[int(port)]
        layer = self.layers[key]
        if layer.shape is None:
            raise SpecError(f"{layer.where} cannot be represented on its own", where=layer.where)
        return layer.shape

    def layer(self, key: str) -> Layer | None:
        return self.layers.get(self.resolve(key))

    def sole_reader(self, key: str) -> bool:
        return self.reader_counts.get(key, 1) <= 1

    # ---- adding

    def add(self, key: str, name: str, scope: tuple, kind: str, args: dict[str, Any], inputs: list[str], where: str,
            adapters: tuple[str, ...] = ()) -> Layer:
        """A layer of a known kind; its shape computed now (a SpecError names ``where``)."""
        layer = Layer(key, name, scope, kind, args, [self.resolve(k) for k in inputs], where)
        layer.adapters = adapters
        for reverse in adapters:
            step = REVERSE.get((self.framework, reverse))
            if step is not None:
                step(self, layer)
        _drop_adapted(layer)
        outcome = self.infer(layer)
        layer.shape, layer.output_shapes = outcome.shape, tuple(outcome.outputs or ())
        self.layers[key] = layer
        return layer

    def add_pending(self, key: str, name: str, scope: tuple, inputs: list[str], where: str, **facts: Any) -> Layer:
        """An object that is no layer by itself but that an adapter of its neighbour folds."""
        layer = Layer(key, name, scope, None, {}, [self.resolve(k) for k in inputs], where)
        layer.pending = facts
        before = self.shape(layer.inputs[0])
        sides = facts.get("pads") or [(-b, -a) for b, a in facts.get("crop", [])]
        layer.shape = Shape(tuple(w + b + a for w, (b, a) in zip(before.spatial, sides)), before.channels)
        for reverse in self.adapters_of(layer.inputs[0]):  # a crop after a transposed convolution
            step = AFTER.get((self.framework, reverse))
            if step is not None and step(self, layer):
                return layer
        self.layers[key] = layer
        return layer

    def adapters_of(self, key: str) -> tuple[str, ...]:
        found = self.layer(key)
        return found.adapters if found is not None else ()

    def compute(self, layer: Layer) -> Shape:
        return self.infer(layer).shape

    def infer(self, layer: Layer) -> Any:
        """The kind's Outcome for the layer (its shape, and a split's several outputs)."""
        kind = KINDS[layer.kind]
        try:
            parsed = kind.parse_args(layer.args)
        except ArgError as exc:
            raise SpecError(f"{layer.where}: {exc.problem}", hint=exc.hint, where=None) from None
        shapes = tuple(self.shape(k) for k in layer.inputs)
        ctx = LayerContext(len(self.layers) + 1, layer.name, layer.kind, self.layout, tuple(layer.inputs))
        count = len(shapes)
        if count < kind.min_inputs or (kind.max_inputs is not None and count > kind.max_inputs):
            raise SpecError(f"{layer.where}: reads {count} inputs, and {layer.kind} takes "
                            f"{kind.min_inputs}{'' if kind.max_inputs == kind.min_inputs else ' or more'}")
        try:
            return kind.infer(parsed, shapes, ctx)
        except SpecError as exc:
            raise SpecError(f"{layer.where}: read as {layer.kind}, {exc.problem}", hint=exc.hint) from None

    def remove(self, key: str, into: str) -> Layer:
        """Fold the layer ``key`` into the layer being added: it goes, and its key means ``into``."""
        folded = self.layers.pop(key)
        self.alias[key] = into
        return folded

    # ---- reading a framework object through the declarations

    def add_read(self, key: str, name: str, scope: tuple, framework_name: str, values: Mapping[str, Any], inputs: list[str],
                 where: str) -> Layer:
        """The object read as the first declared kind that fits it (for the input's rank)."""
        options = readings(self.framework).get(framework_name, ())
        rank = self.shape(inputs[0]).rank if inputs else None
        refusals = []
        for reading in options:
            if reading.rank is not None and rank is not None and reading.rank != rank:
                continue
            try:
                found = read(reading, values, rank)
            except Refusal as why:
                refusals.append(why)
                continue
            self.check_facts(found, inputs, where)
            args = dict(found.args)
            for source, value in found.adapted.items():
                args.setdefault("\0" + source, value)  # for the reverse adapters, removed before the kind reads them
            layer = self.add(key, name, scope, reading.kind, args, inputs, where, reading.adapters)
            return layer
        if options and refusals:
            raise SpecError(f"{where}: cannot import it: {refusal_text(refusals)}", hint=IDENTITY_HINT.format(name=name))
        if options:
            ranks = sorted({r.rank for r in options if r.rank is not None})
            raise SpecError(f"{where}: cannot import it for an input with {rank} spatial axes (convcalc reads it for {ranks})")
        raise unsupported(where, name)

    def check_facts(self, found: Read, inputs: list[str], where: str) -> None:
        if not inputs:
            return
        shape = self.shape(inputs[0])
        known = {"in.channels": shape.channels, "in.numel": shape.numel()}
        for source, value in found.facts.items():
            if source in known and isinstance(value, int) and value != known[source]:
                what = "channels" if source == "in.channels" else "values"
                raise SpecError(f"{where}: expects {value:,} input {what}, but its input {shape.describe(self.layout)} has "
                                f"{known[source]:,}", hint="check the input shape given with --input")

    def finished(self) -> list[Layer]:
        """The layers in order; an object left pending (a -inf pad no pooling folded) is refused."""
        for layer in self.layers.values():
            if layer.kind is None:
                raise SpecError(f"{layer.where}: {layer.pending.get('why', 'cannot be represented')}",
                                hint=IDENTITY_HINT.format(name=layer.name))
        return list(self.layers.values())


def needed(layers: list[Layer], outputs: list[str | None]) -> list[Layer]:
    """The layers the outputs read, in their order (a branch that leads to no output goes; a split's
    output 'KEY#k' needs the layer KEY)."""
    wanted = {key.split(PORT, 1)[0] for key in outputs if key is not None}
    kept = []
    for layer in reversed(layers):
        if layer.key in wanted:
            kept.append(layer)
            wanted.update(key.split(PORT, 1)[0] for key in layer.inputs)
    return list(reversed(kept))


MALFORMED = (KeyError, TypeError, ValueError, IndexError, AttributeError)  # what a model's odd structure raises while read


def malformed(exc: Exception, where: str) -> SpecError:
    """A model whose structure the reader did not expect: one line naming where, never a traceback."""
    text = str(exc).splitlines()[0] if str(exc) else ""
    return SpecError(f"{where}: cannot read it ({type(exc).__name__}{': ' + text[:200] if text else ''})",
                     hint="convcalc could not follow this part of the model; read a model without it, or report it")


def unsupported(where: str, name: str) -> SpecError:
    return SpecError(f"{where}: convcalc has no layer kind for it", hint=IDENTITY_HINT.format(name=name))


# --------------------------------------------------------------------------- reverse adapters

REVERSE: dict[tuple[str, str], Callable[[Builder, Layer], None]] = {}  # (framework, adapter) -> undo, before computing
AFTER: dict[tuple[str, str], Callable[[Builder, Layer], bool]] = {}  # (framework, adapter) -> fold a pending object after


def reverse(*adapters: str, frameworks: tuple[str, ...] = ("pytorch", "keras"), table: dict = REVERSE):
    def register(fn):
        for framework in frameworks:
            for name in adapters:
                table[(framework, name)] = fn
        return fn

    return register


def _adapted(layer: Layer, source: str, default: Any = MISSING) -> Any:
    return layer.args.pop("\0" + source, default)


def _drop_adapted(layer: Layer) -> None:
    for key in [k for k in layer.args if k.startswith("\0")]:
        del layer.args[key]


def _pairs(padding: Any, rank: int) -> list[tuple[int, int]] | None:
    """A layer's own padding as (before, after) per axis; None for "same"."""
    if padding in (None, "valid"):
        return [(0, 0)] * rank
    if padding == "same":
        return None
    if isinstance(padding, int):
        return [(padding, padding)] * rank
    if padding and isinstance(padding[0], (list, tuple)):
        return [tuple(p) for p in padding]
    return [(p, p) for p in padding]


def _fold_pad_before(builder: Builder, layer: Layer, fills: tuple[float, ...]) -> None:
    """An explicit pad object right before the layer (its only reader) becomes the layer's padding;
    written "same" when that is what it amounts to."""
    source = builder.layer(layer.inputs[0])
    if source is None or not builder.sole_reader(source.key):
        return
    pads = source.pending.get("pads") if source.kind is None else None
    fill = source.pending.get("fill", 0.0) if source.kind is None else 0.0
    if source.kind is not None:
        if KINDS[source.kind].receptive_field != "pad":
            return
        pads = _pairs(source.args.get("padding", 1), builder.shape(source.inputs[0]).rank)
    if pads is None or fill not in fills or any(b < 0 or a < 0 for b, a in pads):
        return
    rank = len(pads)
    own = _pairs(layer.args.get("padding", 0), rank)
    if own is None:
        return
    total = [(pb + ob, pa + oa) for (pb, pa), (ob, oa) in zip(pads, own)]
    args = {k: v for k, v in layer.args.items() if not k.startswith("\0")}
    args["padding"] = [list(p) for p in total] if any(b != a for b, a in total) else [b for b, _ in total]
    trial = Layer(layer.key, layer.name, layer.scope, layer.kind, args, list(source.inputs), layer.where)
    try:
        builder.compute(trial)
    except SpecError:
        return  # a padding the kind does not take (more than half a pooling's kernel): the pad stays a layer
    builder.remove(source.key, layer.key)
    layer.inputs = trial.inputs
    layer.keys = source.keys + layer.keys
    layer.args.update(args)
    _prefer_same(builder, layer, total)


def _prefer_same(builder: Builder, layer: Layer, total: list[tuple[int, int]]) -> None:
    """Write "same" where it pads exactly as the explicit padding does (as a Keras model said it)."""
    trial = Layer(layer.key, layer.name, layer.scope, layer.kind, {**layer.args, "padding": "same"}, layer.inputs, layer.where)
    trial.args.pop("count_include_pad", None)
    kind = KINDS[layer.kind]
    try:
        parsed = kind.parse_args({k: v for k, v in trial.args.items() if not k.startswith("\0")})
        ctx = LayerContext(0, layer.name, layer.kind, builder.layout, tuple(layer.inputs))
        outcome = kind.infer(parsed, tuple(builder.shape(k) for k in layer.inputs), ctx)
    except (SpecError, ArgError):
        return
    if [(s.pad_before, s.pad_after) for s in outcome.axes] == total:
        layer.args = {k: v for k, v in trial.args.items()}


@reverse("explicit_padding", frameworks=("pytorch", "keras", "onnx"))
def explicit_padding(builder: Builder, layer: Layer) -> None:
    _fold_pad_before(builder, layer, (0.0,))
    _drop_adapted(layer)


@reverse("avg_pool_padding", frameworks=("pytorch", "keras", "onnx"))
def avg_pool_padding(builder: Builder, layer: Layer) -> None:
    _fold_pad_before(builder, layer, (0.0,))
    _drop_adapted(layer)


@reverse("max_pool_padding", frameworks=("pytorch", "keras", "onnx"))
def max_pool_padding(builder: Builder, layer: Layer) -> None:
    _fold_pad_before(builder, layer, (0.0, float("-inf")))  # -inf never wins a maximum: as PyTorch's own padding
    _drop_adapted(layer)


@reverse("prelu_slopes")
def prelu_slopes(builder: Builder, layer: Layer) -> None:
    slopes = _adapted(layer, "slopes")
    shared = _adapted(layer, "shared_axes")
    rank = builder.shape(layer.inputs[0]).rank
    if slopes is not MISSING and slopes not in (None, 1):
        layer.args["per_channel"] = True
    if shared not in (MISSING, None) and sorted(shared) == list(range(1, rank + 1)):
        layer.args["per_channel"] = True
    _drop_adapted(layer)


@reverse("interpolation", frameworks=("pytorch",))
def interpolation(builder: Builder, layer: Layer) -> None:
    """nn.Upsample's size, scale_factor, mode and align_corners back into an upsampling's size, scale,
    mode and align_corners (PyTorch's bilinear and trilinear are convcalc's too)."""
    size, scale = _adapted(layer, "output_size"), _adapted(layer, "scale_factor")
    mode, corners = _adapted(layer, "torch_mode"), _adapted(layer, "corners")
    if size not in (MISSING, None):
        layer.args["size"] = list(size) if isinstance(size, (list, tuple)) else size
    elif scale not in (MISSING, None):
        values = [int(s) if float(s).is_integer() else s for s in (scale if isinstance(scale, (list, tuple)) else [scale])]
        layer.args["scale"] = values[0] if len(set(values)) == 1 else values
    if mode not in (MISSING, None):
        layer.args["mode"] = mode
    if corners not in (MISSING, None):
        layer.args["align_corners"] = bool(corners)
    _drop_adapted(layer)


@reverse("linear_axis", "dense_axis")
def last_axis(builder: Builder, layer: Layer) -> None:
    """nn.Linear and Keras Dense act on the last axis of a multi-axis input (W in a chw spec, the
    channels in an hwc one): the dense layer's axis -1, its in_features that axis' size."""
    in_features = _adapted(layer, "in_features")
    shape = builder.shape(layer.inputs[0])
    size = shape.in_layout(builder.layout)[-1] if shape.rank else shape.numel()
    if in_features not in (MISSING, None) and in_features != size:
        raise SpecError(f"{layer.where}: expects {in_features:,} input features, but the last axis of its input "
                        f"{shape.describe(builder.layout)} has {size:,}", hint="check the input shape given with --input")
    if shape.rank:
        layer.args["axis"] = -1
    _drop_adapted(layer)


@reverse("permute_dims")
def permute_dims(builder: Builder, layer: Layer) -> None:
    """PyTorch's dims (batch first, then C and the spatial axes: a chw spec's own order) or Keras'
    1-based dims over (*spatial, channels) (an hwc spec's order) back into the order of the spec's axes."""
    torch_dims, keras_dims = _adapted(layer, "torch_dims"), _adapted(layer, "keras_dims")
    source, destination = _adapted(layer, "torch_move_source"), _adapted(layer, "torch_move_destination")
    if source is not MISSING and destination is not MISSING:  # x.movedim(1, -1): the permutation it amounts to
        torch_dims = _movedim_order(source, destination, builder.shape(layer.inputs[0]).rank + 2, layer.where)
    if torch_dims is not MISSING:
        dims = list(torch_dims)
        if not dims or dims[0] != 0:
            raise SpecError(f"{layer.where}: a permute that moves the batch axis ({dims})", hint="convcalc reads permutes of one sample's axes")
        layer.args["order"] = [d - 1 for d in dims[1:]]
    elif keras_dims is not MISSING:
        layer.args["order"] = [d - 1 for d in keras_dims]
    _drop_adapted(layer)


def _movedim_order(source: Any, destination: Any, n: int, where: str) -> list[int]:
    """torch.movedim's permutation of n axes: the sources go to the destinations, the other axes keep their order."""
    sources = [source] if isinstance(source, int) else list(source)
    destinations = [destination] if isinstance(destination, int) else list(destination)
    try:
        sources = [s + n if s < 0 else s for s in sources]
        destinations = [d + n if d < 0 else d for d in destinations]
    except TypeError:
        raise SpecError(f"{where}: movedim({source!r}, {destination!r}) names no axes") from None
    if (len(sources) != len(destinations) or len(set(sources)) != len(sources) or len(set(destinations)) != len(destinations)
            or not all(0 <= a < n for a in (*sources, *destinations))):
        raise SpecError(f"{where}: movedim({source!r}, {destination!r}) is no reordering of {n} axes")
    order: list[int | None] = [None] * n
    for s, d in zip(sources, destinations):
        order[d] = s
    rest = iter(a for a in range(n) if a not in sources)
    return [a if a is not None else next(rest) for a in order]


@reverse("split_sizes", frameworks=("pytorch",))
def split_sizes(builder: Builder, layer: Layer) -> None:
    """torch.split's split_size_or_sections (the size of each part, or a list of the sizes) and dim back into
    the split's sections (a number of equal parts, or the sizes) and axis."""
    sizes, dim = _adapted(layer, "split_sizes"), _adapted(layer, "split_dim", 0)
    shape = builder.shape(layer.inputs[0])
    rank = shape.rank
    if dim in (MISSING, None):
        dim = 0
    if not isinstance(dim, int) or not -(rank + 2) <= dim < rank + 2 or dim % (rank + 2) == 0:
        raise SpecError(f"{layer.where}: a split along dim {dim!r}", hint="convcalc splits one sample's axes, not the batch")
    dim %= rank + 2
    if dim != 1:
        layer.args["axis"] = dim - 1  # a chw spec's axes are PyTorch's without the batch
    size = shape.in_layout(builder.layout)[dim - 1]
    if isinstance(sizes, int):  # the size of each part, the last one smaller: as torch.split
        parts = [sizes] * (size // sizes) + ([size % sizes] if size % sizes else [])
        layer.args["sections"] = len(parts) if len(set(parts)) == 1 else parts
    elif isinstance(sizes, (list, tuple)):
        layer.args["sections"] = [int(v) for v in sizes]
    _drop_adapted(layer)


@reverse("transposed_padding", "depthwise", "flatten_first", "broadcast", "no_strided_dilation", "adaptive_as_fixed")
def nothing_to_undo(builder: Builder, layer: Layer) -> None:
    """Read as written: these adapters add no object that import must fold (the flatten before a
    dense layer, or the reshape before a broadcasting merge, stays a layer of its own)."""


@reverse("transposed_padding", frameworks=("pytorch", "keras", "onnx"), table=AFTER)
def crop_after_transposed(builder: Builder, pending: Layer) -> bool:
    """A crop right after a transposed convolution (its only reader): PyTorch's negative pad, read
    as "same" where it gives the W·S of Keras' "same"; Keras' Cropping, read as PyTorch's padding P."""
    source = builder.layer(pending.inputs[0])
    crop = pending.pending.get("crop")
    if source is None or crop is None or not builder.sole_reader(source.key):
        return False
    rank = len(crop)
    if builder.framework == "keras":
        if any(b != a for b, a in crop):
            return False
        args = {**source.args, "padding": [b for b, _ in crop]}
    else:
        args = {**source.args, "padding": "same"}
        args.pop("output_padding", None)
    trial = Layer(source.key, source.name, source.scope, source.kind, args, source.inputs, source.where)
    try:
        shape = builder.compute(trial)
    except SpecError:
        return False
    full = source.shape
    want = [w - b - a for w, (b, a) in zip(full.spatial, crop)]
    if list(shape.spatial) != want or len(want) != rank:
        return False
    source.args, source.shape = args, shape
    source.keys += pending.keys
    if builder.framework == "keras":  # Keras' names: the crop carries the layer's name, the layer '<name>_full'
        source.name = pending.name
    builder.alias[pending.key] = source.key
    return True
