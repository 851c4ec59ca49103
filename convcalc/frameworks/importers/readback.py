"""The kinds' declared counterparts read backwards: a framework object's name and arguments to a
convcalc kind and its arguments.

One table per framework, built from the declarations (``convcalc/layers/counterparts.py``): every
constructor or function name (``{rank}`` filled in) to the ``Reading`` s that declare it, in the
registry's order. A reading turns the framework's values back into the kind's arguments through
the same ``Param`` records export writes from: an argument source inverts its ``form``, a fact
(``in.channels``) is checked against the layer's input, a ``literal`` is a condition, and a value an
adapter set is left to the reverse adapter of the same name (``graph.Builder`` folds the objects
those adapters add around a layer, such as an explicit pad before a convolution).
"""
from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, NamedTuple

from ...layers import KINDS, flag
from ...layers.counterparts import ALWAYS, FACTS, Counterpart, Module, PerRank
from ...layers.args import FLOAT_EXACT

MISSING: Any = object()  # a framework value not given: the framework's default applies


class Reading(NamedTuple):
    """One way a framework object means a kind: the declared Module whose Params it reads."""

    kind: str
    module: Module
    adapters: tuple[str, ...]
    rank: int | None  # the input's spatial rank this name is for (None: any)
    framework: str


class Refusal(Exception):
    """This reading does not fit the object (a literal differs, an argument it cannot hold)."""

    def __init__(self, text: str, literal: tuple[str, Any, Any] | None = None) -> None:
        super().__init__(text)
        self.literal = literal  # (argument, the framework's value, the value this kind needs)


def refusal_text(refusals: list[Refusal]) -> str:
    """Why no reading fits: one literal condition that every kind declaring the name puts on one argument
    ('activation='hard_tanh' is none of relu, sigmoid, …'), else the first reason."""
    literals = [r.literal for r in refusals if r.literal is not None]
    if literals and len(literals) == len(refusals) and len({name for name, _, _ in literals}) == 1:
        name, value, _ = literals[0]
        known = ", ".join(dict.fromkeys(repr(need) for _, _, need in literals))
        return f"{name}={value!r} is none that convcalc reads ({known})"
    return str(refusals[0])


@cache
def readings(framework: str) -> dict[str, tuple[Reading, ...]]:
    """Constructor or function name -> the readings that declare it, in the registry's order.

    A counterpart of several modules (separable = depthwise + pointwise) or whose call wraps its
    module in a function (global pooling = adaptive pooling, then flatten) is not read from one
    object: its parts are read as the kinds they are.
    """
    table: dict[str, list[Reading]] = {}
    for kind in KINDS.values():
        declared = getattr(kind, framework, None)
        options = [*declared.by_rank, (None, declared.otherwise)] if isinstance(declared, PerRank) else [(None, declared)]
        for rank, item in options:
            if not isinstance(item, Counterpart):
                continue
            ranks = [rank] if rank is not None else list(item.ranks or ([kind.rank] if kind.rank is not None else [None]))
            own = [item.modules[0]] if len(item.modules) == 1 and item.call == "{chain}" else []
            if framework == "keras" and item.function and not item.modules:  # a Lambda around that function: read by its name
                own = [Module(item.function, item.params)]
            for module in (*own, *item.reads):
                for r in ranks:
                    name = module.name.replace("{rank}", str(r)) if r is not None else module.name
                    if "{rank}" in name:
                        continue
                    entry = Reading(kind.name, module, item.adapters, r if kind.rank is None else kind.rank, framework)
                    if entry not in table.setdefault(name, []):
                        table[name].append(entry)
    return {name: tuple(entries) for name, entries in table.items()}


class Wrapped(NamedTuple):
    """A counterpart whose call wraps its one module in a function: global max pooling is
    nn.AdaptiveMaxPool{rank}d(1) inside torch.flatten(…, 1). Read as that kind only where no kind
    reads the module alone and the function is the module's sole reader."""

    reading: Reading
    outer: str  # the wrapping function's name, as the readings table has it ('torch.flatten')


@cache
def wrapped(framework: str) -> dict[str, tuple[Wrapped, ...]]:
    table: dict[str, list[Wrapped]] = {}
    for kind in KINDS.values():
        declared = getattr(kind, framework, None)
        options = [*declared.by_rank, (None, declared.otherwise)] if isinstance(declared, PerRank) else [(None, declared)]
        for rank, item in options:
            if not isinstance(item, Counterpart) or len(item.modules) != 1 or not item.call.startswith(("torch.", "F.")):
                continue
            outer = item.call.split("(")[0]
            ranks = [rank] if rank is not None else list(item.ranks or ([kind.rank] if kind.rank is not None else [None]))
            for r in ranks:
                name = item.modules[0].name.replace("{rank}", str(r))
                table.setdefault(name, []).append(Wrapped(Reading(kind.name, item.modules[0], item.adapters, r, framework), outer))
    return {name: tuple(entries) for name, entries in table.items()}


def names(framework: str) -> list[str]:
    return sorted(readings(framework))


# --------------------------------------------------------------------------- values back into arguments


def _scalar_or_list(values: Any) -> Any:
    """(3, 3) -> 3; (1, 3) -> [1, 3]; 3 -> 3: how a spec writes a per-axis value."""
    if isinstance(values, (list, tuple)):
        if not values:
            return None  # ATen's empty stride: the default (a pooling's stride is its kernel)
        values = [_whole(v) for v in values]
        return values[0] if values and all(v == values[0] for v in values) else values
    return _whole(values)


def _whole(value: Any) -> Any:
    """A whole float as its integer (scale_factor=2.0), within the 15 digits a float holds: past them it may
    not be the number meant (filters: 1e+23 in a Keras JSON read as 99,999,999,999,999,991,611,392), and
    stays a float, which the kind's argument check refuses as a size written so."""
    if isinstance(value, float) and value.is_integer() and abs(value) <= FLOAT_EXACT:
        return int(value)
    return value


def _pads(value: Any, rank: int) -> Any:
    """PyTorch's pad tuple (last axis first, before and after each) to [before, after] per axis."""
    if isinstance(value, int):
        return value
    flat = list(value)
    pairs = [(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)][::-1]
    pairs = [(0, 0)] * (rank - len(pairs)) + pairs
    return _pairs_or_size(pairs)


def _keras_pairs(value: Any, rank: int) -> Any:
    """Keras' padding: 1, (1, 2) per axis, or ((top, bottom), (left, right))."""
    if isinstance(value, int):
        return value
    items = list(value)
    if rank == 1 and len(items) == 2 and all(isinstance(v, int) for v in items):
        return _pairs_or_size([tuple(items)])
    pairs = [tuple(v) if isinstance(v, (list, tuple)) else (v, v) for v in items]
    return _pairs_or_size(pairs)


def _pairs_or_size(pairs: list[tuple[int, int]]) -> Any:
    if all(b == a for b, a in pairs):
        return _scalar_or_list([b for b, _ in pairs])
    return [list(pair) for pair in pairs]


def _dim(value: Any, rank: int, channels_first: bool) -> Any:
    """A framework axis (batch first) as a spec axis, None for the channels (the kinds' default).

    PyTorch (N, C, *spatial) reads into a chw spec, Keras (N, *spatial, C) into an hwc spec: both
    lose the batch axis, and the channels' axis is left out.
    """
    if isinstance(value, (list, tuple)):
        raise Refusal(f"one axis, not {list(value)}")
    if value == 0 or value < -(rank + 1) or value > rank + 1:
        raise Refusal(f"axis {value} is the batch axis or out of range" if value == 0 else f"axis {value} is out of range")
    channels = (1, -(rank + 1)) if channels_first else (-1, rank + 1)
    if value in channels:
        return None  # the channels: every kind's default axis
    return value - 1 if value > 0 else value


FORMS = {
    "value": lambda value, rank, fw: _whole(value),
    "axes": lambda value, rank, fw: value if isinstance(value, str) else _scalar_or_list(value),
    "floats": lambda value, rank, fw: _scalar_or_list(value),
    "text": lambda value, rank, fw: value,
    "dim": lambda value, rank, fw: _dim(value, rank, True),
    "axis": lambda value, rank, fw: _dim(value, rank, False),
    "keep": lambda value, rank, fw: round(1 - value, 10),
    "pads": lambda value, rank, fw: _pads(value, rank),
    "pairs": lambda value, rank, fw: _keras_pairs(value, rank),
    "items": lambda value, rank, fw: _items(value),
    "tuple": lambda value, rank, fw: [_whole(v) for v in value],  # int() took 2.5 as 2 and '٣' as 3: the kind checks them
}


def _items(value: Any) -> list[int]:
    """x.reshape(N, 16, 5, 5) back to [16, 5, 5]: the batch comes first (a traced x.size(0), or -1)."""
    items = list(value[0] if len(value) == 1 and isinstance(value[0], (list, tuple)) else value)
    if not items or (isinstance(items[0], int) and items[0] != -1) or (items[0] == -1 and -1 in items[1:]):
        raise Refusal(f"a reshape to {items} that does not keep the batch first")
    rest = items[1:]
    if not all(isinstance(v, int) for v in rest):
        raise Refusal(f"a reshape to sizes convcalc cannot read ({items})")
    return rest


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, str) or isinstance(b, str):
        return str(a).lower() == str(b).lower()
    return a == b


class Read(NamedTuple):
    """A framework object read as a kind: the arguments, the facts to check, the adapter values."""

    reading: Reading
    args: dict[str, Any]
    facts: dict[str, Any]  # fact source -> the framework's value (checked against the layer's input)
    adapted: dict[str, Any]  # values the declaration's adapters set on export, for their reverse


def read(reading: Reading, values: Mapping[str, Any], rank: int | None) -> Read:
    """The kind's arguments from the framework's values (name -> value; MISSING: not given)."""
    kind = KINDS[reading.kind]
    own = {a.name: a for a in kind.args}
    args: dict[str, Any] = {}
    facts: dict[str, Any] = {}
    adapted: dict[str, Any] = {}
    for param in reading.module.params:
        value = values.get(param.name, MISSING)
        if value is MISSING:
            if param.default is ALWAYS:
                continue
            value = param.default
        if not param.source:  # a literal condition, or an argument that changes no count
            if param.literal is not None and not _same(value, param.literal):
                raise Refusal(f"{param.name}={value!r} (it reads as {reading.kind} only with {param.name}={param.literal!r})",
                              (param.name, value, param.literal))
            continue
        if param.source in FACTS or "*" in param.source:
            facts[param.source] = value
            continue
        arg = own.get(param.source)
        if arg is not None and arg.parse is flag and not isinstance(value, bool):
            value = value is not None  # PyTorch keeps the bias tensor, or None
        if value is None:
            continue  # None: the kind's default (a pooling's stride: its kernel)
        if arg is None:
            adapted[param.source] = value
            continue
        converted = FORMS[param.form](value, rank or 0, reading.framework)
        if converted is None:
            continue  # the channels' axis: the kind's default
        if param.source in args and not _same(args[param.source], converted):
            raise Refusal(f"{param.name}={value!r} disagrees with the other argument that gives {param.source}")
        args[param.source] = converted
    missing = [a.name for a in kind.args if a.required and a.name not in args]
    if missing and not adapted:  # with adapter values, its reverse adapter gives the argument
        raise Refusal(f"no value for {kind.name}'s {missing[0]}")
    return Read(reading, args, facts, adapted)

