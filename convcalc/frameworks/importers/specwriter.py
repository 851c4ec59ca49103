"""An imported network written as a spec a person wants to read.

Layers keep their names. Where the model nests modules (PyTorch's ``layer1.0.conv1``), each module
that reads one input and gives one output becomes a block, so the full names come out as in the
model; modules of one class and one structure share one template (``blocks:``), the values that
differ between them its parameters; a module whose children are all the same template with the
same values is written as ``repeat``. A module that is no such block (two inputs, an inner
output read from outside) is written flat, its layers named ``<module>_<layer>``.
"""
from __future__ import annotations

import keyword
import re
from typing import Any, NamedTuple

from ...layers import KINDS, lookup
from ...spec.records import BLOCK_KINDS, ENTRY_KEYS
from .graph import PORT  # 'KEY#1' is output 1 of the layer KEY

CONTAINERS = ("Sequential", "ModuleList", "ModuleDict")


class Scoped(NamedTuple):
    """A layer and the modules around it, outermost first: ((name, class name), …)."""

    layer: Any
    scope: tuple


class _Scope:
    def __init__(self, name: str, cls: str) -> None:
        self.name, self.cls = name, cls
        self.items: list[Any] = []  # Scoped layers and _Scope children, in order
        self.children: dict[str, _Scope] = {}
        self.keys: list[str] = []  # every layer key inside, in order


class _Call(NamedTuple):
    """A block in a body: its group (template) and which instance it is."""

    group: int
    instance: int
    name: str
    source: str | None  # the key it reads


def clean_args(kind_name: str, args: dict[str, Any]) -> dict[str, Any]:
    """The arguments that differ from the kind's defaults, as YAML writes them."""
    kind = KINDS[kind_name]
    try:
        parsed = kind.parse_args(args)
    except Exception:  # noqa: BLE001  (written as read: the loader will name the problem)
        return {k: _plain(v) for k, v in args.items()}
    out = {}
    for arg in kind.args:
        if arg.name not in args:
            continue
        value = parsed[arg.name]
        if not arg.required and (value == arg.default or (value == "valid" and arg.default == 0)):  # valid: no padding
            continue
        if arg.shown_default and arg.shown_default in parsed and value == parsed[arg.shown_default]:
            continue
        out[arg.name] = _plain(args[arg.name])
    return out


NO_DEFAULT: Any = type("NoDefault", (), {"__repr__": lambda self: "NO_DEFAULT"})()


def _default(kind: Any, key: str) -> Any:
    """What a layer's argument is when it is not written: the kind's default, as a spec writes it."""
    if isinstance(kind, _Call):
        return NO_DEFAULT
    arg = next((a for a in KINDS[kind].args if a.name == key), None)
    if arg is None or arg.required or arg.default is None:
        return NO_DEFAULT
    return _plain(arg.default)


def _fixed_keys(kind: Any, args: dict[str, Any]) -> tuple[str, ...]:
    """The arguments a template cannot leave to a parameter's default: those the kind has no default for."""
    if isinstance(kind, _Call):
        return tuple(sorted(args))
    return tuple(sorted(key for key in args if _default(kind, key) is NO_DEFAULT))


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _local(name: str) -> str:
    text = str(name).replace(".", "_").strip() or "layer"
    return text + "_" if text == "input" else text


def _base(key: str) -> str:
    return key.split(PORT, 1)[0]


def _identifier(text: str) -> str:
    text = re.sub(r"\W", "_", text, flags=re.ASCII)
    if not text or text[0].isdigit():
        text = "p" + text
    if keyword.iskeyword(text) or text in ("name", "from", "if", "type", "true", "false", "i"):
        text += "_"
    return text


class Writer:
    def __init__(self, scoped: list[Scoped], output_key: str) -> None:
        self.scoped = scoped
        self.output = output_key
        self.index = {s.layer.key: n for n, s in enumerate(scoped)}
        self.readers: dict[str, set[str]] = {}
        for s in scoped:
            for k in s.layer.inputs:
                self.readers.setdefault(_base(k), set()).add(s.layer.key)
        self.groups: list[dict[str, Any]] = []  # each: {"cls", "signature", "instances": [raw bodies], "name"}
        self.group_of: dict[tuple, int] = {}

    # ---- the scope tree

    def tree(self) -> _Scope:
        root = _Scope("", "")
        for item in self.scoped:
            node = root
            node.keys.append(item.layer.key)
            for name, cls in item.scope:
                child = node.children.get(name)
                if child is None:
                    child = node.children[name] = _Scope(name, cls)
                    node.items.append(child)
                node = child
                node.keys.append(item.layer.key)
            node.items.append(item)
        return root

    def blockable(self, scope: _Scope) -> str | None:
        """The one key the module reads from outside, when it can be a block; else None."""
        inside = set(scope.keys)
        positions = [self.index[k] for k in scope.keys]
        if max(positions) - min(positions) + 1 != len(positions):
            return None
        sources = {k for key in scope.keys for k in self._inputs(key) if _base(k) not in inside}
        if len(sources) != 1:
            return None
        last = scope.keys[-1]
        for key in scope.keys:
            outside = (self.readers.get(key, set()) - inside) or ({"<output>"} if key == self.output else set())
            if outside and key != last:
                return None
        return sources.pop()

    def _inputs(self, key: str) -> list[str]:
        return self.scoped[self.index[key]].layer.inputs

    # ---- bodies: (kind or _Call, args, name, input keys, output key)

    def body(self, scope: _Scope, prefix: str = "") -> list[tuple]:
        """The entries of one module, in the network's order (a module written flat may interleave)."""
        return self._activations([entry for _, entry in sorted(self._positioned(scope, prefix), key=lambda pair: pair[0])])

    def _activations(self, entries: list[tuple]) -> list[tuple]:
        """A convolution or dense layer and the activation '<name>_<kind>' right after it, its only
        reader (as a Keras layer's activation= is read): written as one entry with activation:,
        which the loader makes into the same two layers, the name meaning the activation's output."""
        out: list[tuple] = []
        for entry in entries:
            kind, args, name, inputs, key = entry
            if out and isinstance(kind, str) and KINDS[kind].is_activation and not args:
                before = out[-1]
                b_kind, b_args, b_name, b_inputs, b_key = before
                if (isinstance(b_kind, str) and KINDS[b_kind].category in ("conv", "dense") and name == f"{b_name}_{kind}"
                        and inputs == [b_key] and self.readers.get(b_key, set()) == {key} and "activation" not in b_args):
                    out[-1] = (b_kind, {**b_args, "activation": kind}, b_name, b_inputs, key)
                    continue
            out.append(entry)
        return out

    def _positioned(self, scope: _Scope, prefix: str) -> list[tuple[int, tuple]]:
        entries: list[tuple[int, tuple]] = []
        for item in scope.items:
            if isinstance(item, Scoped):
                layer = item.layer
                entry = (layer.kind, clean_args(layer.kind, layer.args), prefix + _local(layer.name), list(layer.inputs), layer.key)
                entries.append((self.index[layer.key], entry))
                continue
            source = self.blockable(item)
            if source is None:
                entries += self._positioned(item, prefix + _local(item.name) + "_")
                continue
            inner = self.body(item)
            group = self.group(item, inner, source)
            call = _Call(group, len(self.groups[group]["instances"]) - 1, prefix + _local(item.name), source)
            entries.append((self.index[item.keys[0]], (call, {}, call.name, [source], item.keys[-1])))
        return entries

    def group(self, scope: _Scope, inner: list[tuple], source: str) -> int:
        signature = (scope.cls, tuple(self._shape(entry, inner, source) for entry in inner))
        number = self.group_of.get(signature)
        if number is None:
            number = self.group_of[signature] = len(self.groups)
            self.groups.append({"cls": scope.cls, "first": scope.name, "instances": [], "params": {}})
        self.groups[number]["instances"].append((inner, source))
        return number

    def _shape(self, entry: tuple, body: list[tuple], source: str) -> tuple:
        kind, args, name, inputs, _ = entry
        what = ("call", kind.group) if isinstance(kind, _Call) else kind
        return (what, _fixed_keys(kind, args), name, tuple(self._ref(k, body, source, entry) for k in inputs))

    @staticmethod
    def _ref(key: str, body: list[tuple], source: str, entry: tuple) -> str:
        if key == source:
            return "input"
        base, _, port = key.partition(PORT)
        for other in body:
            if other[4] == base:
                return f"{other[2]}.{port}" if port else other[2]  # a split's output k: from: NAME.k
        return key  # the network input at the top level

    # ---- templates

    def parameterise(self) -> None:
        """For each group (children before parents): the values that differ become parameters."""
        for group in self.groups:
            bodies = [self.concrete(inner) for inner, _ in group["instances"]]
            keys = {(j, key) for body in bodies for j, entry in enumerate(body) for key in entry[1]}
            positions: dict[tuple[int, str], list[Any]] = {}
            for j, key in sorted(keys):
                positions[(j, key)] = [body[j][1].get(key, self.default(body[j][0], key)) for body in bodies]
            varying = {pos: values for pos, values in positions.items() if any(v != values[0] for v in values)}
            names: dict[tuple[int, str], str] = {}
            taken: dict[str, list[Any]] = {}
            for (j, key), values in varying.items():
                base = _identifier(key)
                if base in taken and taken[base] != values:
                    base = _identifier(f"{key}_{bodies[0][j][2]}")
                while base in taken and taken[base] != values:
                    base += "_"
                taken[base] = values
                names[(j, key)] = base
            defaults = {names[(j, key)]: self.default(bodies[0][j][0], key) for j, key in varying}
            defaults = {name: value for name, value in defaults.items() if value is not NO_DEFAULT and value in taken[name]}
            group["params"] = {name: defaults.get(name, NO_DEFAULT) for name in taken}
            group["names"] = names
            group["bodies"] = bodies
            group["values"] = [{names[pos]: values[n] for pos, values in varying.items()
                                if names[pos] not in defaults or values[n] != defaults[names[pos]]} for n in range(len(bodies))]

    def default(self, kind: Any, key: str) -> Any:
        """An argument's value when it is not written: the kind's default, or the nested template's."""
        if isinstance(kind, _Call):
            return self.groups[kind.group]["params"].get(key, NO_DEFAULT)
        return _default(kind, key)

    def concrete(self, inner: list[tuple]) -> list[tuple]:
        """A raw body with each nested block's parameter values filled in."""
        out = []
        for kind, args, name, inputs, key in inner:
            if isinstance(kind, _Call):
                args = dict(self.groups[kind.group]["values"][kind.instance])
            out.append((kind, args, name, inputs, key))
        return out

    def template_names(self) -> list[str]:
        used: set[str] = set()
        names = []
        for group in self.groups:
            cls = group["cls"]
            if cls in CONTAINERS or not cls:  # a container, or no class known (ONNX): named after its first use
                cls = group["first"] if not group["first"].isdigit() else (cls or "block")
            base = re.sub(r"\W", "_", cls, flags=re.ASCII) or "block"
            if base[0].isdigit():
                base = "block_" + base
            if base in BLOCK_KINDS or base in ENTRY_KEYS or lookup(base) != (None, None):
                base += "_block"
            name, n = base, 2
            while name in used:
                name, n = f"{base}_{n}", n + 1
            used.add(name)
            names.append(name)
        return names

    # ---- the document

    def entries(self, body: list[tuple], source: str, names: list[str], template: dict | None = None) -> list[dict]:
        out = []
        previous = source
        for j, (kind, args, name, inputs, key) in enumerate(body):
            written = dict(args)
            if template is not None:
                for (at, arg), param in template["names"].items():
                    if at == j:
                        written[arg] = f"${param}"
            refs = [self._ref(k, body, source, None) for k in inputs]
            entry = {**written, "name": name}
            if inputs != [previous]:
                entry["from"] = refs[0] if len(refs) == 1 else refs
            type_name = names[kind.group] if isinstance(kind, _Call) else kind
            out.append({type_name: entry})
            previous = key
        if template is not None:
            out = self.repeated(out) or out
        return out

    @staticmethod
    def repeated(entries: list[dict]) -> list[dict] | None:
        """A body that is one template (or one layer) n times, named 0 … n-1, with the same values: a repeat."""
        if len(entries) < 2:
            return None
        first_type, first = next(iter(entries[0].items()))
        for n, entry in enumerate(entries):
            (type_name, options), = entry.items()
            if type_name != first_type or options.get("name") != str(n) or "from" in options:
                return None
            if {k: v for k, v in options.items() if k != "name"} != {k: v for k, v in first.items() if k != "name"}:
                return None
        args = {k: v for k, v in first.items() if k != "name"}
        return [{"repeat": {"times": len(entries), "layers": [{first_type: args} if args else first_type]}}]

    def document(self, name: str | None, input_dims: list[int], layout: str) -> dict[str, Any]:
        root = self.tree()
        top = self.body(root)
        self.parameterise()
        names = self.template_names()
        blocks = {}
        for group, tname in zip(self.groups, names):
            _, source = group["instances"][0]
            body = self.entries(group["bodies"][0], source, names, group)
            params = [name if default is NO_DEFAULT else {name: default} for name, default in group["params"].items()]
            blocks[tname] = {"params": params, "layers": body} if params else {"layers": body}
        layers = self.entries(self.concrete(top), "input", names)
        document: dict[str, Any] = {}
        if name:
            document["name"] = name
        document["layout"] = layout
        document["input"] = list(input_dims)
        if blocks:
            document["blocks"] = blocks
        document["layers"] = layers
        return document


def write_document(scoped: list[Scoped], output_key: str, name: str | None, input_dims: list[int], layout: str) -> dict[str, Any]:
    return Writer(scoped, output_key).document(name, input_dims, layout)


def to_yaml(document: dict[str, Any], comment: str = "") -> str:
    """The spec as YAML: one line per layer (a flow mapping), blocks before layers."""
    import yaml

    def flow(value: Any) -> str:
        return yaml.safe_dump(value, default_flow_style=True, width=10**9, sort_keys=False, allow_unicode=True).strip()

    lines = [f"# {line}" for line in comment.splitlines()] if comment else []
    for key in ("name", "layout", "input"):
        if key in document:
            value = document[key]
            lines.append(f"{key}: {flow(value) if isinstance(value, list) else flow([value])[1:-1]}")
    if document.get("blocks"):
        lines.append("blocks:")
        for tname, body in document["blocks"].items():
            lines.append(f"  {tname}:")
            if body.get("params"):
                lines.append(f"    params: {flow(body['params'])}")
            lines.append("    layers:")
            lines += [f"      - {flow(entry)}" for entry in body["layers"]]
    lines.append("layers:")
    lines += [f"  - {flow(entry)}" for entry in document["layers"]]
    if document.get("outputs"):  # several outputs (detection scales, an auxiliary head), by the written layers' names
        lines.append(f"outputs: {flow(document['outputs'])}")
    return "\n".join(lines) + "\n"
