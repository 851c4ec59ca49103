"""A kind's counterparts in PyTorch, Keras and ONNX: plain records, read forwards by export and
backwards by import.

Each kind declares three class attributes beside its arguments and shape rule::

    pytorch = counterpart("nn.Conv{rank}d",
                          Param("in_channels", "in.channels", positional=True),
                          Param("out_channels", "filters", positional=True),
                          Param("kernel_size", "kernel", form="axes"),
                          Param("stride", "stride", 1, "axes"), ...,
                          adapters=("explicit_padding",))
    keras = counterpart("Conv{rank}D", Param("filters", "filters", positional=True), ...)
    onnx = ("Conv",)

Records:

- ``Param(name, source, default, form, positional, literal, same_as)``: one framework argument.
  ``name`` is the framework's keyword; ``source`` where its value comes from: an argument of the
  kind (``"filters"``), a fact of the layer (``FACTS``: ``in.channels``, ``in.numel``,
  ``out.channels``, ``out.chw``, ``out.hwc``), a product of those (``"in.channels*depth_multiplier"``)
  or a value an adapter sets (named in that adapter's docstring); ``literal`` a fixed value instead.
  ``default`` is the framework's own default: the argument is left out when its written text equals
  the default's (``ALWAYS``: always written); ``same_as`` leaves it out when written as that other
  argument, and stands in for a value of None (a pooling's stride is its kernel). ``form`` says how
  the value is written (``FORMS``: ``value``, ``axes`` one number or one per spatial axis, ``floats``,
  ``text`` a quoted string, ``dim``/``axis`` a spec axis as a PyTorch dim or Keras axis, ``keep``
  1 − momentum, ``pads``/``pairs`` paddings, ``items``/``tuple`` a shape).
- ``Module(name, params, suffix)``: one framework object; ``{rank}`` in the name is the input's
  spatial rank (``nn.Conv{rank}d``); ``suffix`` names an extra object after the layer's own
  (``_depthwise``).
- ``Counterpart(modules, call, params, join, ranks, requires, adapters, note)``: the kind in one
  framework. PyTorch writes ``call`` in forward (``{chain}`` the modules applied in order to the input,
  ``{x}`` the input, ``{inputs}`` all inputs joined by ``join``, ``{<param>}`` a written ``params``
  value): a kind without modules is a function (``torch.cat([{inputs}], dim={dim})``). ``ranks``:
  the input ranks the framework has a form for; ``requires``: argument values the framework needs;
  ``adapters``: names of functions in ``convcalc/frameworks/adapters.py`` for what data cannot say
  (asymmetric padding as a separate pad module, a transposed "same" crop); ``note``: a comment.
  In Keras, ``function`` (with no modules) is a function the exported code defines (``KERAS_FUNCTIONS``
  in ``frameworks/adapters_blocks.py``), called by a ``Lambda`` with ``params`` as its ``arguments``:
  Keras writes such a Lambda's function by name and its arguments as JSON, so import reads it back.
- ``PerRank(by_rank, otherwise)``: different counterparts by input rank (``nn.ZeroPad2d`` but
  ``nn.ConstantPad{rank}d``).
- ``NoCounterpart(reason, hint)``: the framework has no such layer; export refuses, naming the layer.
- ``reads`` (a ``Counterpart`` field, import only): other framework objects or functions that mean
  this kind when a model is read back, as ``Module`` records (``also(...)`` writes them). A name is
  a constructor (``nn.Flatten``, Keras ``ReLU``) or a function: ``torch.relu``, ``F.relu``
  (torch.nn.functional), ``Tensor.relu`` (a tensor method), ``operator.add`` (``x + y``). A
  function's tensor arguments come first and are the layer's inputs; its ``positional`` Params
  name the values after them, in order. A ``literal`` Param is a condition: the object means this
  kind only when that argument has that value (Keras ``Activation("relu")``, ``ReLU(max_value=6)``).

To add a kind: write its class (arguments, ``infer``), then ``pytorch`` and ``keras`` as above
(``NoCounterpart`` where a framework has no such layer) and ``onnx``; its costs beside them when
the defaults do not fit (``registry.LayerKind``: ``macs_rule``, ``flops_rule``, ``flops`` or
``flops_per_element``, ``receptive_field``). tests/test_declarations.py walks the registry and
fails until a kind declares both frameworks, with sources that exist, and exports code that runs.
Its toy kind is a complete example in one class. Reading backwards (framework name and arguments
to a kind): ``framework_names`` maps each constructor name (rank filled in) to the kinds that
declare it; a plain ``Param`` whose source is an argument inverts one to one; facts are checks;
a named adapter is the one irregular step to undo (``frameworks/adapters.py`` says what each does);
``frameworks/importers/readback.py`` walks the declarations, and their ``reads``, this way.
"""

from typing import Any


class _Always:
    __slots__ = ()

    def __repr__(self) -> str:
        return "ALWAYS"


ALWAYS: Any = _Always()  # a Param default: the framework has none, so the argument is always written

# Facts of a layer a Param may name as its source (besides the kind's own arguments).
FACTS = {
    "in.channels": "channels of the (first) input",
    "in.numel": "values per sample of the (first) input",
    "out.channels": "channels of the output",
    "out.chw": "the output's sizes, channels first",
    "out.hwc": "the output's sizes, channels last",
}
FORMS = ("value", "axes", "floats", "text", "dim", "axis", "keep", "pads", "pairs", "items", "tuple")
FRAMEWORKS = {"pytorch": "PyTorch", "keras": "Keras"}


class _Record:
    """A plain record: fields in ``__slots__``, set once by ``__init__``, compared and shown by value.

    Not a NamedTuple: each NamedTuple class costs about 0.2 ms to define, and these load with every
    command (``convcalc summary`` starts in tens of milliseconds).
    """

    __slots__ = ()

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._values() == self._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{n}={getattr(self, n)!r}' for n in self.__slots__)})"


class Param(_Record):
    """One argument of a framework's constructor or function, and where convcalc has its value."""

    __slots__ = ("default", "form", "literal", "name", "positional", "same_as", "source")

    def __init__(self, name: str, source: str = "", default: Any = ALWAYS, form: str = "value", positional: bool = False,
                 literal: Any = None, same_as: str = "") -> None:
        self.name, self.source, self.default, self.form = name, source, default, form
        self.positional, self.literal, self.same_as = positional, literal, same_as


class Module(_Record):
    """One framework object a layer becomes: its constructor ('{rank}' filled in) and arguments."""

    __slots__ = ("name", "params", "suffix")

    def __init__(self, name: str, params: tuple[Param, ...] = (), suffix: str = "") -> None:
        self.name, self.params, self.suffix = name, params, suffix


class Requires(_Record):
    """A value the framework needs: argument ``source`` equal to ``value`` on every axis."""

    __slots__ = ("hint", "reason", "source", "value")

    def __init__(self, source: str, value: Any, reason: str, hint: str = "") -> None:
        self.source, self.value, self.reason, self.hint = source, value, reason, hint


class Counterpart(_Record):
    """A kind in one framework: its modules or function, and the named adapters for the rest."""

    __slots__ = ("adapters", "call", "function", "join", "modules", "note", "params", "ranks", "reads", "requires")

    def __init__(self, modules: tuple[Module, ...] = (), call: str = "{chain}", params: tuple[Param, ...] = (), join: str = ", ",
                 ranks: tuple[int, ...] | None = None, requires: tuple[Requires, ...] = (), adapters: tuple[str, ...] = (),
                 note: str = "", function: str = "", reads: tuple[Module, ...] = ()) -> None:
        self.modules, self.call, self.params, self.join = modules, call, params, join
        self.ranks, self.requires, self.adapters, self.note, self.function = ranks, requires, adapters, note, function
        self.reads = reads  # import only: other objects or functions read back as this kind


class PerRank(_Record):
    """Counterparts that differ by the input's spatial rank; ``otherwise`` for the other ranks."""

    __slots__ = ("by_rank", "otherwise")

    def __init__(self, by_rank: tuple[tuple[int, Any], ...], otherwise: Any) -> None:
        self.by_rank, self.otherwise = by_rank, otherwise


class NoCounterpart(_Record):
    """The framework has no such layer: export refuses with this reason."""

    __slots__ = ("hint", "reason")

    def __init__(self, reason: str, hint: str = "") -> None:
        self.reason, self.hint = reason, hint


def counterpart(name: str, *params: Param, **fields: Any) -> Counterpart:
    """The common case: one module, its arguments, and any Counterpart field by keyword."""
    suffix = fields.pop("suffix", "")
    return Counterpart(modules=(Module(name, params, suffix),), **fields)


def function(name: str, call: str, *params: Param, **fields: Any) -> Counterpart:
    """A framework function, method or operator written in place (no module): its name as a tracer
    sees it (torch.cat, Tensor.reshape, operator.add), and how forward writes it."""
    return Counterpart(call=call, params=params, function=name, **fields)


def also(*names: str, params: tuple[Param, ...] = ()) -> tuple[Module, ...]:
    """``reads`` entries: each name with the same Params (``torch.relu``, ``F.relu``, ``Tensor.relu``)."""
    return tuple(Module(name, params) for name in names)


def given_in_order(*params: Param) -> tuple[Param, ...]:
    """A function's Params: the same arguments, given positionally in this order after its input."""
    return tuple(Param(p.name, p.source, p.default, p.form, True, p.literal, p.same_as) for p in params)


def per_rank(by_rank: dict[int, Any], otherwise: Any) -> PerRank:
    return PerRank(tuple(by_rank.items()), otherwise)


def for_rank(declared: Any, rank: int) -> Any:
    """The Counterpart (or NoCounterpart, or None) a declaration gives for an input of this rank."""
    if isinstance(declared, PerRank):
        return dict(declared.by_rank).get(rank, declared.otherwise)
    return declared


def framework_names(framework: str) -> dict[str, list[tuple[str, int | None]]]:
    """Constructor or function name (rank filled in) -> [(kind, input rank or None for any)], for
    reading a model backwards. A counterpart written by adapters alone (a Keras Lambda) has none."""
    from .registry import KINDS

    table: dict[str, list[tuple[str, int | None]]] = {}
    for kind in KINDS.values():
        declared = getattr(kind, framework)
        if isinstance(declared, PerRank):
            special = [(r, c) for r, c in declared.by_rank if kind.rank in (None, r)]
            options = [([r], c) for r, c in special] + [(None, declared.otherwise)]
        else:
            special, options = [], [(None, declared)]
        for ranks, item in options:
            if not isinstance(item, Counterpart):
                continue
            if ranks is None:
                ranks = list(item.ranks) if item.ranks else [kind.rank]
                ranks = [r for r in ranks if r not in {r2 for r2, _ in special}] if special else ranks
            names = [m.name for m in item.modules[:1]] or ([item.function] if item.function else [])
            for name in names:
                for rank in ranks:
                    text = name.replace("{rank}", str(rank)) if rank is not None else name
                    if rank is None and "{rank}" in name:
                        continue
                    entry = (kind.name, rank)
                    if entry not in table.setdefault(text, []):
                        table[text].append(entry)
    return table
