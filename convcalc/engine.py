"""The engine: walks the network graph in order and applies each layer kind's rules.

It knows nothing of rendering; its result, :class:`NetworkReport`, is what every output
format reads. Work is linear in the number of layers.
"""

from typing import Any, NamedTuple

from .arith import AxisStep, Size, fmt, is_int, total
from .errors import SpecError
from .layers import KINDS, LayerContext, Outcome
from .limits import DEFAULT_LIMITS, Limits, check_int, int_digits, limit_error, max_bits
from .shapes import Shape
from .spec import LayerSpec, NetworkSpec


class LayerReport(NamedTuple):
    """One computed layer: where it reads from, what it outputs, what it holds."""

    spec: LayerSpec
    type: str  # canonical, resolved for rank-free names such as 'conv'
    input_shapes: tuple[Shape, ...]
    outcome: Outcome
    warnings: tuple[str, ...] = ()
    conditions: tuple[Any, ...] = ()  # SymPy conditions on the symbols for every output size to be ≥ 1 (n ≥ 7)

    @property
    def index(self) -> int:
        return self.spec.index

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def inputs(self) -> tuple[str, ...]:
        return self.spec.inputs

    @property
    def shape(self) -> Shape:
        return self.outcome.shape

    @property
    def output_shapes(self) -> tuple[Shape, ...]:
        """Every output: one, or the parts of a split."""
        return self.outcome.outputs or (self.outcome.shape,)

    def output_numel(self) -> Size:
        """Values the layer writes per sample (all its outputs)."""
        if not self.outcome.outputs:
            return self.outcome.shape.numel()
        return sum((shape.numel() for shape in self.outcome.outputs), 0)

    def shape_text(self, layout: str) -> str:
        """'(58, 28, 28)', or for a split '2 × (58, 28, 28)' / '(16, 28, 28) + (100, 28, 28)'."""
        shapes = self.output_shapes
        if len(shapes) == 1:
            return shapes[0].describe(layout)
        if all(s == shapes[0] for s in shapes):
            return f"{len(shapes)} × {shapes[0].describe(layout)}"
        return " + ".join(s.describe(layout) for s in shapes)

    @property
    def input_labels(self) -> tuple[str, ...]:
        """Where each input comes from as the spec writes it: 'split1.0' for one output of a split."""
        return tuple(self.spec.input_label(k) for k in range(len(self.spec.inputs)))


class NetworkOutput(NamedTuple):
    """One output of the network: the layer (and which of its outputs), its shape, and whether only training runs it."""

    label: str  # as the spec names it: 'fc', 'split1.0'
    layer: LayerReport
    shape: Shape
    training_only: bool = False


class NetworkReport(NamedTuple):
    """A whole network computed: the input, every layer, and the totals."""

    spec: NetworkSpec
    input_shape: Shape
    layers: tuple[LayerReport, ...]
    display_layout: str | None = None  # --layout: the order shapes are shown in (None: the spec's own)
    limits: Limits = DEFAULT_LIMITS  # what it was computed under (the figures built later stay within them too)

    @property
    def layout(self) -> str:
        """The order the spec is written in: its axis arguments and expected answers are read in it."""
        return self.spec.layout

    @property
    def shown_layout(self) -> str:
        """The order the renderers write shapes in: --layout, else the spec's own."""
        return self.display_layout or self.spec.layout

    @property
    def name(self) -> str | None:
        return self.spec.name

    @property
    def trainable_params(self) -> Size:
        return total(layer.outcome.trainable for layer in self.layers)

    @property
    def non_trainable_params(self) -> Size:
        return total(layer.outcome.non_trainable for layer in self.layers)

    @property
    def total_params(self) -> Size:
        return self.trainable_params + self.non_trainable_params

    @property
    def output_shape(self) -> Shape:
        """The (first, main) output's shape."""
        return self.outputs[0].shape

    @property
    def outputs(self) -> tuple[NetworkOutput, ...]:
        """The outputs named by `outputs:`, or the last layer alone."""
        if not self.spec.outputs:
            last = self.layers[-1]
            return (NetworkOutput(last.name, last, last.shape),)
        by_name = {layer.name: layer for layer in self.layers}
        found = []
        for output in self.spec.outputs:
            layer = by_name[output.layer]
            shape = layer.shape if output.port is None else layer.output_shapes[output.port]
            found.append(NetworkOutput(output.label, layer, shape, output.training_only))
        return tuple(found)

    def training_only_layers(self) -> frozenset[str]:
        """The layers that only training-only outputs need: an auxiliary head that inference never runs."""
        marked = [o for o in self.spec.outputs if o.training_only]
        if not marked:
            return frozenset()
        needed = _ancestors([o.layer for o in self.spec.outputs if not o.training_only], self.layers)
        return frozenset(_ancestors([o.layer for o in marked], self.layers) - needed)

    @property
    def warnings(self) -> list[tuple[LayerReport, str]]:
        return [(layer, text) for layer in self.layers for text in layer.warnings]

    @property
    def symbols(self) -> list[str]:
        """The names of the symbols the spec uses ('k1', 'n'), after --set; [] for a numeric spec."""
        from .symbolic import spec_symbols

        return spec_symbols(self.spec)

    @property
    def conditions(self) -> list[Any]:
        """For which values of the symbols every size of the network is at least 1: [n ≥ 7, m ≥ 7]."""
        found = [condition for layer in self.layers for condition in layer.conditions] if self.symbols else []
        if not found:
            return []
        from .symbolic import combined_conditions

        return combined_conditions(found)


def _ancestors(names: list[str], layers: tuple[LayerReport, ...]) -> set[str]:
    """The named layers and every layer they read from, directly or not (one walk back, linear)."""
    seen = set(names)
    for layer in reversed(layers):
        if layer.name in seen:
            seen.update(layer.inputs)
    seen.discard("input")
    return seen


def rounding_warnings(axes: tuple[AxisStep, ...]) -> tuple[str, ...]:
    """One warning per distinct floored division: 'H and W: (224 − 7 + 2·3)/2 + 1 = 112.5 → 112 (floored)'."""
    by_text: dict[str, list[str]] = {}
    for step in axes:
        if step.exact is not None and step.rounding == "floor":
            by_text.setdefault(step.text, []).append(step.axis)
    return tuple(f"{' and '.join(names)}: {text} (floored)" for text, names in by_text.items())


def _resolve_type(layer: LayerSpec, shape: Shape) -> str:
    if layer.family is None:
        return layer.type
    if shape.rank not in layer.family:
        ranks = ", ".join(f"{KINDS[name].name}" for _, name in sorted(layer.family.items()))
        raise SpecError(
            f"'{layer.type}' has no form for an input with {shape.rank} spatial axes (its input is a vector)"
            if shape.rank == 0
            else f"'{layer.type}' has no form for an input with {shape.rank} spatial axes",
            hint=f"its forms are {ranks}",
            layer_index=layer.index,
            layer_name=layer.name,
            layer_type=layer.type,
        )
    return layer.family[shape.rank]


def analyze(spec: NetworkSpec, *, strict: bool = False, limits: Limits = DEFAULT_LIMITS) -> NetworkReport:
    """Compute every layer's shape and parameters; raise SpecError on the first invalid layer."""
    with int_digits(limits):
        return _analyze(spec, strict, limits)


def _analyze(spec: NetworkSpec, strict: bool, limits: Limits) -> NetworkReport:
    input_shape = Shape.from_layout(spec.input_dims, spec.layout)
    shapes: dict[str, Shape] = {"input": input_shape}
    several: dict[str, tuple[Shape, ...]] = {}  # the outputs of layers with more than one (split)
    reports: list[LayerReport] = []
    needed: list[Any] = []  # the conditions of the layers so far (symbolic specs only)
    for layer in spec.layers:
        inputs = _input_shapes(layer, shapes, several)
        type_name = _resolve_type(layer, inputs[0])
        ctx = LayerContext(layer.index, layer.name, type_name, spec.layout, layer.inputs, shapes)
        try:
            outcome = KINDS[type_name].infer(layer.args, inputs, ctx)
        except SpecError:
            raise
        except (ArithmeticError, ValueError, TypeError) as exc:  # a symbolic case a rule cannot decide
            if "integer string conversion" in str(exc):  # a count past Python's 4,300-digit text limit
                raise limit_error("digits", f"layer {layer.index} '{layer.name}': a count has too many digits", limits) from None
            raise ctx.error(f"cannot compute this layer: {exc}") from None
        except RecursionError:  # SymPy recurses through a size's formula: floors nested once per layer
            raise ctx.error("its size is a formula nested too deep to work out", SYMBOLS_TOO_DEEP) from None
        outcome = _plain_integers(outcome)
        try:
            conditions = _check_positive(outcome.shape, ctx)
            if conditions:
                needed = _check_together(needed, conditions, ctx)
        except RecursionError:
            raise ctx.error("its size is a formula nested too deep to work out", SYMBOLS_TOO_DEEP) from None
        _check_digits(outcome, ctx, limits)
        warnings = rounding_warnings(outcome.axes)
        if strict and warnings:
            raise ctx.error(f"size does not divide evenly: {warnings[0]}", "fix kernel, stride or padding, or drop --strict")
        reports.append(LayerReport(layer, type_name, inputs, outcome, warnings, conditions))
        shapes[layer.name] = outcome.shape
        if outcome.outputs:
            several[layer.name] = outcome.outputs
    _check_outputs(spec, several)
    return NetworkReport(spec, input_shape, tuple(reports), limits=limits)


SYMBOLS_TOO_DEEP = "give the symbols numbers with --set NAME=N, or split the network"


def _check_outputs(spec: NetworkSpec, several: dict[str, tuple[Shape, ...]]) -> None:
    for position, output in enumerate(spec.outputs, start=1):
        outputs = several.get(output.layer)
        problem = hint = None
        if outputs is not None and output.port is None:
            problem = f"output '{output.layer}' is a layer with {len(outputs)} outputs"
            hint = "name one of them: " + " or ".join(f"{output.layer}.{k}" for k in range(len(outputs)))
        elif outputs is None and output.port is not None:
            problem, hint = f"output '{output.label}': '{output.layer}' has one output", f"write {output.layer}"
        elif outputs is not None and output.port >= len(outputs):
            problem, hint = f"output '{output.label}': '{output.layer}' has outputs 0 to {len(outputs) - 1}", None
        if problem:
            raise SpecError(problem, hint=hint, where=f"outputs[{position}]")


def _input_shapes(layer: LayerSpec, shapes: dict[str, Shape], several: dict[str, tuple[Shape, ...]]) -> tuple[Shape, ...]:
    """The shape of each input; `from: split1.0` names one output of a layer with several."""
    found = []
    for position, name in enumerate(layer.inputs):
        port = layer.port(position)
        outputs = several.get(name)
        fail = lambda problem, hint: SpecError(problem, hint=hint, layer_index=layer.index, layer_name=layer.name,  # noqa: E731
                                               layer_type=layer.type)
        if outputs is None and port is not None:
            raise fail(f"from '{name}.{port}' names an output of '{name}', which has one output", f"write from: {name}")
        if outputs is not None and port is None:
            choices = " or ".join(f"{name}.{k}" for k in range(len(outputs)))
            raise fail(f"from '{name}' names a layer with {len(outputs)} outputs", f"name one of them: from: {choices}")
        if outputs is not None and port >= len(outputs):
            raise fail(f"from '{name}.{port}' names output {port}, but '{name}' has outputs 0 to {len(outputs) - 1}",
                       f"write from: {name}.{len(outputs) - 1} for the last")
        found.append(shapes[name] if outputs is None else outputs[port])
    return tuple(found)


def _check_digits(outcome: Outcome, ctx: LayerContext, limits: Limits) -> None:
    """Keep every count printable: no more digits than the limit (10**400 channels are fine)."""
    shape = outcome.shape
    sizes = (outcome.macs, outcome.weights, outcome.biases, outcome.non_trainable, shape.channels, *shape.spatial)
    widest = 0
    for size in sizes:
        if type(size) is int:  # not a SymPy expression (whose | means 'or')
            widest |= size  # as many bits as the widest count
    if widest.bit_length() <= max_bits(limits):
        return
    for size in sizes:
        if type(size) is int:
            check_int(size, f"layer {ctx.index} '{ctx.name}': a count", limits)


def _plain_integers(outcome: Outcome) -> Outcome:
    """SymPy's whole numbers as Python ints: n − n + 1 is SymPy's 1, which JSON would write as the text "1"."""
    shape = outcome.shape
    sizes = (*shape.spatial, shape.channels, outcome.weights, outcome.biases, outcome.non_trainable, outcome.macs)
    if all(type(size) is int for size in sizes):
        return outcome
    whole = [int(size) if type(size) is not int and getattr(size, "is_Integer", False) else size for size in sizes]
    rank = len(shape.spatial)
    return outcome._replace(shape=Shape(tuple(whole[:rank]), whole[rank]), weights=whole[rank + 1], biases=whole[rank + 2],
                            non_trainable=whole[rank + 3], macs=whole[rank + 4])


def _check_together(needed: list[Any], conditions: tuple[Any, ...], ctx: LayerContext) -> list[Any]:
    """The conditions so far and this layer's, refused when no value of the symbols meets them all."""
    from .symbolic import combined_conditions, condition_text

    combined = combined_conditions([*needed, *conditions])
    if combined[:1] == [False]:  # SymPy's false
        texts = list(dict.fromkeys(condition_text(c) for c in [*combined_conditions(needed), *conditions]))
        names = ", ".join(sorted({str(s) for c in conditions for s in c.free_symbols}))
        raise ctx.error(f"no value of {names} keeps every size up to here at least 1: they need {' and '.join(texts)}",
                        "use a smaller kernel or stride, or more padding")
    return combined


def _check_positive(shape: Shape, ctx: LayerContext) -> tuple[Any, ...]:
    """Every output size at least 1; a symbolic one refused when it is below 1 for every value of its
    symbols, and the conditions returned under which the others are (n ≥ 3)."""
    conditions: list[Any] = []
    for axis, size in zip((*shape.axis_names, "C"), (*shape.spatial, shape.channels)):
        if is_int(size):
            if size < 1:
                raise ctx.error(f"the output shrinks to {size} on axis {axis}", "use a smaller kernel or stride, or more padding")
            continue
        from .symbolic import NEVER, WHEN, size_condition

        verdict, condition = size_condition(size)
        if verdict == NEVER:
            names = ", ".join(sorted(str(symbol) for symbol in size.free_symbols))
            raise ctx.error(f"the output size {fmt(size)} on axis {axis} is below 1 for every value of {names}",
                            "use a smaller kernel or stride, or more padding")
        if verdict == WHEN and condition not in conditions:
            conditions.append(condition)
    return tuple(conditions)



def param_formula(layer: LayerReport) -> str:
    """'11·11·3·96 + 96 = 34,944', or '' for a layer without parameters."""
    out = layer.outcome
    if not out.param_terms:
        return ""
    total = fmt(out.params)
    return out.param_terms if out.param_terms == total else f"{out.param_terms} = {total}"


def value(size: Any) -> Any:
    """An exact int stays an int; a symbolic size becomes its text (for JSON)."""
    if type(size) is int:
        return size
    if hasattr(type(size), "free_symbols"):  # a SymPy expression (on the class: the property recurses)
        from .symbols import plain  # only a spec with symbols gets here: SymPy is loaded already

        return plain(size)
    return str(size)


__all__ = ["LayerReport", "NetworkOutput", "NetworkReport", "analyze", "fmt", "param_formula", "value"]
