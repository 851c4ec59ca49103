"""A PyTorch module read into a convcalc spec through torch.fx symbolic tracing.

The module is traced, never run: modules convcalc declares (``nn.Conv2d``, ``nn.BatchNorm2d``, …)
and every ``torch.nn`` module stay whole (fx's leaves); everything else (a ResNet block's forward)
is traced through, so its functional calls (``torch.relu``, ``x + y``, ``torch.cat``) are read
too. Each node is looked up by name in the table the declarations give (``readback``), with a
handler only for what no declaration can say: the arithmetic on sizes (``x.size(0)``,
``x.shape[1]``), a mean over the spatial axes, and calls that only pass their input on.
A custom ``torch.autograd.Function`` is kept as one node named after its class. Where fx cannot
trace, ``import_torch`` hands the model to ``torch_export``, which reads it through torch.export with
this module's reader (so this module never imports that one). Only these two modules import torch.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...errors import SpecError
from .graph import MALFORMED, PORT, Builder, malformed, needed, unsupported
from .readback import MISSING, Refusal, read, readings, wrapped
from .specwriter import Scoped

BATCH: Any = type("Batch", (), {"__repr__": lambda self: "N"})()  # the batch size: a traced x.size(0)
PASS_ON = {"Tensor.contiguous", "Tensor.clone", "Tensor.detach", "F.dropout_", "Tensor.float"}  # no layer: the input passes on
IGNORED_KEYWORDS = {"inplace"}  # a function's keyword that changes no shape or count


def require_torch() -> Any:
    try:
        import torch
    except ImportError:
        raise SpecError("importing a PyTorch model needs torch", hint="pip install 'convcalc[torch]'") from None
    return torch


def function_name(target: Any) -> str:
    """'operator.add', 'F.relu', 'torch.cat', or the function's own name."""
    import torch
    import torch.nn.functional as F

    module = getattr(target, "__module__", None) or ""
    name = getattr(target, "__name__", repr(target))
    if module in ("operator", "_operator"):
        return f"operator.{name}"
    function = getattr(target, "_convcalc_function", None)
    if function is not None:
        return function.__name__
    if getattr(F, name, None) is target:
        return f"F.{name}"
    if getattr(torch, name, None) is target:
        return f"torch.{name}"
    return f"{module}.{name}" if module else name


def module_name(module: Any) -> str:
    """'nn.Conv2d' for a torch.nn module, else the class's own name (a helper class of export)."""
    cls = type(module)
    return f"nn.{cls.__name__}" if cls.__module__.startswith("torch.nn") else cls.__name__


def trace(model: Any, identity: Iterable[str] = (), *, stack_traces: bool = False) -> Any:
    """The fx graph of ``model``: declared and torch.nn modules kept whole, custom autograd Functions as one node."""
    torch = require_torch()
    import torch.fx  # noqa: F401  (torch.fx is a submodule torch does not load by itself)

    known = readings("pytorch")
    kept = set(identity)

    class Tracer(torch.fx.Tracer):
        def is_leaf_module(self, m: Any, qualified: str) -> bool:
            return module_name(m) in known or qualified in kept or type(m).__name__ in kept or super().is_leaf_module(m, qualified)

    base = torch.autograd.Function
    original = base.__dict__["apply"]

    def apply(cls: Any, *args: Any, **kwargs: Any) -> Any:
        proxies = [a for a in args if isinstance(a, torch.fx.Proxy)]
        if not proxies:
            return original.__func__(cls, *args, **kwargs)
        def stand_in(*a: Any, **k: Any) -> Any:  # never called: the graph is read, not run
            raise NotImplementedError
        stand_in._convcalc_function = cls  # type: ignore[attr-defined]
        stand_in.__name__ = f"{cls.__name__}.apply"
        return proxies[0].tracer.create_proxy("call_function", stand_in, args, kwargs)

    base.apply = classmethod(apply)
    try:
        tracer = Tracer()
        tracer.record_stack_traces = stack_traces  # for the tests: which line of forward made each node
        return tracer.trace(model), model
    except SpecError:
        raise
    except Exception as exc:  # fx's TraceError, or the model's own code failing on a Proxy
        raise SpecError(f"cannot trace the model with torch.fx: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
                        hint="convcalc reads a model through torch.fx symbolic tracing; control flow that depends on "
                             "tensor values cannot be traced: trace a part of the model that has none", where="trace") from None
    finally:
        base.apply = original


def read_torch(model: Any, input_shape: tuple[int, ...], identity: Iterable[str] = ()) -> tuple[Builder, list[Scoped], str]:
    """The model's layers in order (and their module scopes) for the input shape (C, H, W), one sample."""
    identity = tuple(identity)
    graph, model = trace(model, identity)  # SpecError(where="trace") where fx cannot: import_torch then tries torch.export
    modules = dict(model.named_modules())
    nodes = list(graph.nodes)
    readers = {node.name: len(node.users) for node in nodes}
    builder = Builder(tuple(input_shape), "chw", "pytorch", readers)
    reader = _Reader(builder, modules, set(identity))
    for position, node in enumerate(nodes, start=1):
        try:
            reader.node(node, position)
        except MALFORMED as exc:
            raise malformed(exc, f"node {position} '{node.name}' ({node.op} {getattr(node.target, '__name__', node.target)})") from None
    layers = builder.finished()
    return builder, reader.scoped(layers), type(model).__name__


class _Reader:
    def __init__(self, builder: Builder, modules: dict[str, Any], identity: set[str]) -> None:
        self.builder = builder
        self.modules = modules
        self.identity = identity
        self.values: dict[str, Any] = {}  # node name -> ('layer', key) | ('value', python value)
        self.placeholders = 0
        self.output: str | None = None
        self.outputs: list[str] = []
        self.scopes: dict[str, tuple] = {}  # layer key -> module scope
        self.counters: dict[tuple, int] = {}
        self.calls: dict[str, int] = {}  # module -> calls so far (a ReLU module may be called twice)
        self.absorbed: dict[str, str] = {}  # a node read as part of the layer before it (the flatten of a global pooling)

    # ---- values

    def value(self, arg: Any) -> Any:
        import torch.fx

        if isinstance(arg, torch.fx.Node):
            return self.values[arg.name]
        if isinstance(arg, (list, tuple)):
            return type(arg)(self.value(a) for a in arg)
        if isinstance(arg, dict):
            return {k: self.value(v) for k, v in arg.items()}
        return ("value", arg)

    @staticmethod
    def plain(value: Any) -> Any:
        """A traced value as Python data: a tensor stays ('layer', key)."""
        if isinstance(value, tuple) and len(value) == 2 and value[0] == "value":
            return value[1]
        if isinstance(value, (list, tuple)) and not (len(value) == 2 and value[0] == "layer"):
            return type(value)(_Reader.plain(v) for v in value)
        return value

    @staticmethod
    def is_tensor(value: Any) -> bool:
        return isinstance(value, tuple) and len(value) == 2 and value[0] == "layer"

    # ---- nodes

    def node(self, node: Any, position: int) -> None:
        op = node.op
        if op == "placeholder":
            self.placeholders += 1
            if self.placeholders > 1 and node.args == ():
                raise SpecError(f"the model's forward takes more than one input ('{node.target}')",
                                hint="convcalc reads models with one input tensor", where=f"node {position} '{node.name}'")
            self.values[node.name] = ("layer", "input") if self.placeholders == 1 else ("value", node.args[0] if node.args else None)
            return
        if op == "output":
            result = self.value(node.args[0])
            if isinstance(result, (list, tuple)) and len(result) == 1 and self.is_tensor(result[0]):  # torch.export's (out,)
                result = result[0]
            several = isinstance(result, (list, tuple)) and len(result) > 1 and all(self.is_tensor(r) for r in result)
            if not (self.is_tensor(result) or several):
                raise SpecError("the model returns no tensor (or something besides tensors)",
                                hint="convcalc reads models that return a tensor, or a tuple of tensors", where=f"node {position} 'output'")
            self.outputs = [r[1] for r in result] if several else [result[1]]  # several: an auxiliary head, detection scales
            self.output = self.outputs[0]
            return
        if op == "get_attr":
            self.values[node.name] = ("value", ("attribute", node.target))
            return
        if node.name in self.absorbed:
            key = self.builder.resolve(self.absorbed[node.name])
            self.builder.layers[key].keys.append(node.name)
            self.builder.alias[node.name] = key
            self.values[node.name] = ("layer", key)
            return
        scope, name, framework = self.where_of(node)
        where = f"node {position} '{'.'.join([*[s for s, _ in scope], name])}' ({framework})"
        if op == "call_module":
            module = self.modules[node.target]
            self.call(node, scope, name, framework, where, self.module_values(module, framework), [self.value(a) for a in node.args])
            return
        args = [self.value(a) for a in node.args]
        kwargs = {k: self.value(v) for k, v in node.kwargs.items()}
        handler = HANDLERS.get(framework)
        if handler is not None:
            self.values[node.name] = handler(self, node, where, args, kwargs, scope, name)
            return
        if framework in PASS_ON:
            self.values[node.name] = args[0]
            return
        tensors, rest = self.split(args)
        if not tensors and all(not self.is_tensor(v) for v in kwargs.values()):  # arithmetic on sizes: x.size(2) // 2
            self.values[node.name] = ("value", self.evaluate(node, where, rest, kwargs))
            return
        if not readings("pytorch").get(framework) and framework not in self.identity and name not in self.identity:
            # inside a module of the model's own (a custom activation), that module is what to read as identity
            raise unsupported(where, ".".join(s for s, _ in scope) if scope else name)
        values = self.function_values(framework, rest, kwargs, where)
        self.call(node, scope, name, framework, where, values, tensors)

    def call(self, node: Any, scope: tuple, name: str, framework: str, where: str, values: dict[str, Any], inputs: list[Any]) -> None:
        keys = []
        for item in inputs:
            if self.is_tensor(item):
                keys.append(item[1])
            elif isinstance(item, (list, tuple)) and item and all(self.is_tensor(v) for v in item):
                keys.extend(v[1] for v in item)
        if not keys:
            raise SpecError(f"{where}: reads no tensor", hint="convcalc reads layers that take the network's tensors")
        full = ".".join([*[s for s, _ in scope], name])
        builder = self.builder
        if name in self.identity or full in self.identity or framework in self.identity or framework.split(".")[-1] in self.identity:
            layer = builder.add(node.name, name, scope, "identity", {}, keys[:1], where)
        elif framework in _pad_names():
            layer = self.pad(node, scope, name, where, values, keys)
        elif framework not in readings("pytorch") and framework in wrapped("pytorch"):
            layer = self.wrapped(node, scope, name, framework, where, values, keys)
        else:
            layer = builder.add_read(node.name, name, scope, framework, values, keys, where)
        key = builder.resolve(node.name)
        self.values[node.name] = ("layer", key)
        if len(layer.output_shapes) > 1:  # a split: a list of its outputs, which getitem picks from
            self.values[node.name] = [("layer", f"{key}{PORT}{k}") for k in range(len(layer.output_shapes))]
        self.scopes[layer.key] = scope

    def wrapped(self, node: Any, scope: tuple, name: str, framework: str, where: str, values: dict[str, Any], keys: list[str]) -> Any:
        """A module declared only inside a function (AdaptiveMaxPool3d(1) in torch.flatten: global max
        pooling), read with that function when the function is its sole reader."""
        users = list(node.users)
        rank = self.builder.shape(keys[0]).rank
        for option in wrapped("pytorch")[framework]:
            if len(users) != 1 or option.reading.rank not in (None, rank):
                continue
            user = users[0]
            outer = f"Tensor.{user.target}" if user.op == "call_method" else function_name(user.target) if user.op == "call_function" else ""
            outer_kinds = {r.kind for r in readings("pytorch").get(option.outer, ())}
            if not outer_kinds & {r.kind for r in readings("pytorch").get(outer, ())}:
                continue
            try:
                found = read(option.reading, values, rank)
                self.values[node.name] = ("layer", node.name)  # what the function reads, before the layer is made
                _, rest = self.split([self.value(a) for a in user.args])
                for reading in readings("pytorch")[outer]:
                    read(reading, self.function_values(outer, rest, {k: self.value(v) for k, v in user.kwargs.items()}, where), rank)
            except (Refusal, SpecError):
                continue
            self.absorbed[user.name] = node.name
            return self.builder.add(node.name, name, scope, option.reading.kind, found.args, keys, where, option.reading.adapters)
        raise unsupported(where, name)

    def where_of(self, node: Any) -> tuple[tuple, str, str]:
        """(module scope, own name, framework name) of a call."""
        stack = list(node.meta.get("nn_module_stack", {}).values())
        if node.op == "call_module":
            module = self.modules[node.target]
            parts = node.target.split(".")
            scope = tuple((part, self._class_of(".".join(parts[: i + 1]))) for i, part in enumerate(parts[:-1]))
            calls = self.calls[node.target] = self.calls.get(node.target, 0) + 1
            if calls > 1 and any(True for _ in module.parameters()):
                raise SpecError(f"node {node.name}: the module '{node.target}' ({module_name(module)}) is called {calls} times and holds "
                                "parameters", hint="convcalc gives each call its own layer, and would count its parameters "
                                "once per call: give each call a module of its own", where=node.target)
            return scope, parts[-1] if calls == 1 else f"{parts[-1]}_{calls}", module_name(module)
        scope = tuple((path.split(".")[-1], self._class_of(path)) for path, _ in ((_path(s), s) for s in stack))
        target = node.target
        framework = f"Tensor.{target}" if node.op == "call_method" else function_name(target)
        base = framework.split(".")[-1].rstrip("_") or "op"
        count = self.counters[(scope, base)] = self.counters.get((scope, base), 0) + 1
        return scope, base if count == 1 else f"{base}_{count}", framework

    def _class_of(self, path: str) -> str:
        module = self.modules.get(path)
        return type(module).__name__ if module is not None else ""

    # ---- framework values

    def module_values(self, module: Any, framework: str) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for reading in readings("pytorch").get(framework, ()):
            for param in reading.module.params:
                if param.name not in values:
                    values[param.name] = getattr(module, param.name, MISSING)
        return values

    def split(self, args: list[Any]) -> tuple[list[Any], list[Any]]:
        """The leading tensor arguments (a tensor, or a list of them) and the values after them."""
        tensors = []
        for position, item in enumerate(args):
            if self.is_tensor(item) or (isinstance(item, (list, tuple)) and item and all(self.is_tensor(v) for v in item)):
                tensors.append(item)
                continue
            return tensors, [self.plain(a) for a in args[position:]]
        return tensors, []

    def function_values(self, framework: str, rest: list[Any], kwargs: dict[str, Any], where: str) -> dict[str, Any]:
        options = readings("pytorch").get(framework, ())
        if not options:
            return {}
        params = options[0].module.params
        positional = [p for p in params if p.positional]
        values: dict[str, Any] = {}
        if len(rest) > len(positional) and positional and positional[-1].form in ("items", "tuple"):  # x.view(n, -1), x.permute(0, 2, 1)
            rest = [*rest[: len(positional) - 1], tuple(rest[len(positional) - 1:])]
        elif positional and positional[-1].form in ("items", "tuple") and len(rest) == len(positional):
            rest = [*rest[:-1], tuple(rest[-1]) if isinstance(rest[-1], (list, tuple)) else (rest[-1],)]
        if len(rest) > len(positional):
            raise SpecError(f"{where}: takes {len(rest)} values after its input; convcalc reads {len(positional)}",
                            hint=f"write the values as keywords ({', '.join(p.name for p in params) or 'none'})")
        for param, item in zip(positional, rest):
            values[param.name] = item
        declared = {p.name for p in params}
        for key, item in kwargs.items():
            plain = self.plain(item)
            if key in IGNORED_KEYWORDS or (plain is None and key not in declared):  # None: as if not given
                continue
            if key not in declared:
                raise SpecError(f"{where}: cannot import its argument {key}={plain!r}",
                                hint=f"convcalc reads {framework} with: {', '.join(sorted(declared)) or 'its input only'}")
            values[key] = plain
        return values

    def evaluate(self, node: Any, where: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """Python arithmetic on sizes (x.size(2) // 2, 4 * c): done here, on the values."""
        target = node.target
        if getattr(target, "__module__", None) in ("operator", "_operator") and not any(a is BATCH for a in args):
            try:
                return target(*args, **kwargs)
            except Exception:  # noqa: BLE001  (any failure of the model's own arithmetic)
                pass
        raise unsupported(where, node.name)

    def pad(self, node: Any, scope: tuple, name: str, where: str, values: dict[str, Any], keys: list[str]) -> Any:
        """A pad object: zeros become a zero-padding layer; -inf or a crop waits for its neighbour to fold it."""
        pads = values.get("padding", values.get("pad", MISSING))
        fill = values.get("value", 0.0)
        fill = 0.0 if fill in (MISSING, None) else float(fill)
        mode = values.get("mode", "constant")
        rank = self.builder.shape(keys[0]).rank
        flat = [pads] * (2 * rank) if isinstance(pads, int) else list(pads)
        pairs = [(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)][::-1]
        pairs = [(0, 0)] * (rank - len(pairs)) + pairs
        builder = self.builder
        if mode not in ("constant", MISSING) or len(pairs) != rank:
            raise SpecError(f"{where}: cannot import padding mode '{mode}'", hint="convcalc counts constant (zero) padding; the shapes "
                            "are the same: read it as zero padding by editing the model, or map it with --as-identity if it pads nothing")
        if all(b <= 0 and a <= 0 for b, a in pairs) and any(b or a for b, a in pairs):
            return builder.add_pending(node.name, name, scope, keys, where, crop=[(-b, -a) for b, a in pairs],
                                       why="a negative padding (a crop) that follows no transposed convolution")
        if fill == 0.0 and all(b >= 0 and a >= 0 for b, a in pairs):
            return builder.add_read(node.name, name, scope, _pad_reading(rank), {"padding": tuple(flat)}, keys, where)
        return builder.add_pending(node.name, name, scope, keys, where, pads=pairs, fill=fill,
                                   why=f"padding with {fill} (only a max pooling right after it can fold -inf padding)")

    def scoped(self, layers: list[Any]) -> list[Scoped]:
        """The layers the output depends on, with their scopes, in order."""
        if self.output is None or "input" in self.outputs:
            raise SpecError("the model returns its input: there is no layer to read", where="output")
        self.builder.outputs = [self.builder.resolve(key) for key in self.outputs]
        return [Scoped(layer, self.scopes.get(layer.key, layer.scope)) for layer in needed(layers, self.builder.outputs)]


def _path(stack_item: Any) -> str:
    return stack_item[0] if isinstance(stack_item, tuple) else str(stack_item)


def _pad_names() -> set[str]:
    from ...layers import KINDS

    return {name for name, entries in readings("pytorch").items() if all(KINDS[e.kind].receptive_field == "pad" for e in entries)}


def _pad_reading(rank: int) -> str:
    """The declared name a zero pad of this rank reads back through."""
    from ...layers import KINDS

    for name, entries in readings("pytorch").items():
        if any(KINDS[e.kind].receptive_field == "pad" and e.rank == rank and e.module.params and e.module.params[0].form == "pads"
               and all(p.literal is None or p.literal == 0.0 for p in e.module.params) for e in entries):
            if "{" not in name and not name.startswith("F."):
                return name
    raise SpecError(f"no zero padding for {rank} spatial axes")


# --------------------------------------------------------------------------- handlers: what no declaration says


def _size_of(reader: _Reader, tensor: Any) -> tuple:
    shape = reader.builder.shape(tensor[1])
    return (BATCH, *shape.in_layout("chw"))


def _getattr(reader: _Reader, node: Any, where: str, args: list[Any], kwargs: dict, scope: tuple, name: str) -> Any:
    owner, attribute = args[0], reader.plain(args[1])
    if reader.is_tensor(owner) and attribute == "shape":
        return ("value", _size_of(reader, owner))
    if reader.is_tensor(owner) and attribute == "ndim":
        return ("value", len(_size_of(reader, owner)))
    raise unsupported(where, node.name)


def _getitem(reader: _Reader, node: Any, where: str, args: list[Any], kwargs: dict, scope: tuple, name: str) -> Any:
    owner, index = args[0], reader.plain(args[1])
    if reader.is_tensor(owner):
        raise SpecError(f"{where}: indexes or slices a tensor ({index!r})", hint="convcalc has no layer that slices a tensor; "
                        "read a model without it")
    if isinstance(owner, (list, tuple)) and not (len(owner) == 2 and owner[0] == "value"):
        return owner[index]
    return ("value", reader.plain(owner)[index])


def _size(reader: _Reader, node: Any, where: str, args: list[Any], kwargs: dict, scope: tuple, name: str) -> Any:
    sizes = _size_of(reader, args[0])
    dim = reader.plain(args[1]) if len(args) > 1 else reader.plain(kwargs.get("dim", ("value", None)))
    return ("value", sizes if dim is None else sizes[dim])


def _dim(reader: _Reader, node: Any, where: str, args: list[Any], kwargs: dict, scope: tuple, name: str) -> Any:
    return ("value", len(_size_of(reader, args[0])))


def _mean(reader: _Reader, node: Any, where: str, args: list[Any], kwargs: dict, scope: tuple, name: str) -> Any:
    """x.mean((2, 3)): global average pooling; with keepdim=True, adaptive average pooling to 1."""
    tensor = args[0]
    dims = reader.plain(args[1]) if len(args) > 1 else reader.plain(kwargs.get("dim", ("value", None)))
    keep = reader.plain(args[2]) if len(args) > 2 else reader.plain(kwargs.get("keepdim", ("value", False)))
    if not reader.is_tensor(tensor):
        raise unsupported(where, node.name)
    shape = reader.builder.shape(tensor[1])
    dims = [dims] if isinstance(dims, int) else list(dims or [])
    spatial = sorted(d % (shape.rank + 2) for d in dims)
    if shape.rank == 0 or spatial != list(range(2, shape.rank + 2)):
        raise SpecError(f"{where}: a mean over dimensions {dims}", hint="convcalc reads a mean over every spatial axis "
                        "(global average pooling); " + "other means have no layer kind")
    kind, args_ = (f"adaptive_avgpool{shape.rank}d", {"output_size": 1}) if keep else ("global_avgpool", {})
    layer = reader.builder.add(node.name, name, scope, kind, args_, [tensor[1]], where)
    reader.scopes[layer.key] = scope
    return ("layer", layer.key)


HANDLERS = {
    "operator.getattr": _getattr,
    "builtins.getattr": _getattr,
    "getattr": _getattr,
    "operator.getitem": _getitem,
    "Tensor.size": _size,
    "Tensor.dim": _dim,
    "Tensor.mean": _mean,
    "torch.mean": _mean,
}
