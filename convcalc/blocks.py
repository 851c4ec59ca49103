"""Blocks: `residual`, `branches`, `repeat` and named templates, expanded into plain layer nodes.

A spec may group layers into blocks. They exist only at load time: :func:`expand` turns them into
the flat list of layer entries the rest of convcalc already understands, each with a dotted name
(``layer2.0.conv1``), a resolved ``from`` list and its ``path`` (the enclosing blocks), plus one
:class:`BlockSpec` per block so the table can show the structure.

Naming rule (also in the README): every block is a name scope. A node's full name is the block
names and its own name joined by dots. ``from:`` inside a block is looked up in the block first,
then in each enclosing block, then at the top level; ``input`` inside a block is that block's
input, and a block's name used from outside means its output (its last node). A group of exactly
one unnamed entry takes the group's name instead of adding a level, so a repeat copy that is one
bottleneck is ``layer1.0``, not ``layer1.0.bottleneck_1``.
"""

import ast
import keyword
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, NamedTuple

from .errors import SpecError, did_you_mean
from .limits import DEFAULT_LIMITS, Limits, limit_error, max_bits
from .layers import all_names, lookup
from .spec import MAPPINGS, _split_entry, unprintable  # spec imports this module only inside build_spec: no cycle at import

BLOCK_KINDS = ("residual", "branches", "repeat")
ENTRY_KEYS = ("type", "name", "from", "if", "expect")  # expect: a student's answers (check)
MERGES = ("add", "multiply", "concat")
RESIDUAL_KEYS = ("main", "shortcut", "merge", "axis", "after", "name", "from", "if")
BRANCHES_KEYS = ("paths", "merge", "axis", "after", "name", "from", "if")
REPEAT_KEYS = ("times", "layers", "name", "from", "if")
TEMPLATE_KEYS = ("params", "layers", "description")
VALUE = "\0value"  # a scalar written where a block's option mapping belongs
REPEAT_INDEX = "i"  # the copy number (0, 1, …) inside a repeat, as $i
ENTRIES_PER_LAYER = 4  # entries the expansion may visit per layer allowed (the rest are left out by if:)


class BlockSpec(NamedTuple):
    """One block as expanded: its full name, what it is, where it sits, and the nodes it holds."""

    name: str  # full dotted name, e.g. 'layer2.0'
    kind: str  # 'residual', 'branches', 'repeat', 'group' or a template's name
    path: tuple[str, ...]  # the enclosing blocks, outermost first
    first: int  # 1-based index of its first node
    last: int  # 1-based index of its last node (its output)

    @property
    def depth(self) -> int:
        """1 for a top-level block, 2 for a block inside it, …"""
        return len(self.path) + 1


class Template(NamedTuple):
    """A named block from the top-level `blocks:` section: its parameters and its layers."""

    name: str
    required: tuple[str, ...]
    defaults: Mapping[str, Any]
    layers: tuple[Any, ...]

    @property
    def params(self) -> tuple[str, ...]:
        return (*self.required, *self.defaults)


# The private records below are plain classes with __slots__, not dataclasses: nothing
# compares, hashes or prints them, and each dataclass costs ~0.3 ms to create at every start-up.


class _Ref:
    """A `from` name as written, resolved once every node is known."""

    __slots__ = ("text", "scope", "position")

    def __init__(self, text: str, scope: tuple[str, ...], position: int) -> None:
        self.text = text
        self.scope = scope  # the block names it was written in
        self.position = position  # index of the node that reads it: only nodes before it are visible


Source = Any  # a resolved full node name (str) or a _Ref


class Node:
    """One layer entry once blocks are expanded: split and looked up once, for spec.build_layers."""

    __slots__ = ("index", "type", "raw", "name", "path", "sources", "kind", "family")

    def __init__(self, index: int, type: str, raw: dict[str, Any], name: str, path: tuple[str, ...], sources: list[Source] | Any,
                 kind: Any = None, family: dict[int, str] | None = None) -> None:
        self.index = index
        self.type = type  # as written (stripped), e.g. 'Conv2D' or the family name 'conv'
        self.raw = raw  # its arguments as written, without name and from
        self.name = name  # the full dotted name
        self.path = path
        self.sources = sources  # full names once finish() has resolved them
        self.kind = kind  # layers.LayerKind, or None for a rank-free family name
        self.family = family


class _Env:
    """The values `$name` stands for: a template's parameters, or the copy number in a repeat."""

    __slots__ = ("values", "owner", "limits")

    def __init__(self, values: dict[str, Any] | None = None, owner: str | None = None, limits: Limits = DEFAULT_LIMITS) -> None:
        self.values = {} if values is None else values
        self.owner = owner  # the template the values belong to, for messages
        self.limits = limits  # the digits limit bounds what an expression may compute


# --------------------------------------------------------------------------- parameters


_NAME = re.compile(r"[A-Za-z_]\w*")


def _pieces(text: str, fail) -> list[tuple[int, int, str, str]]:
    """Each $-piece of text as (start, end, kind, body): kind '$', 'name' or 'expr'."""
    found = []
    at = text.find("$")
    while at != -1:
        nxt = text[at + 1 : at + 2]
        if nxt == "$":
            found.append((at, at + 2, "$", "$"))
            end = at + 2
        elif nxt in ("{", "("):
            close, depth, end = {"{": "}", "(": ")"}[nxt], 0, None
            for pos in range(at + 1, len(text)):
                if text[pos] == nxt:
                    depth += 1
                elif text[pos] == close:
                    depth -= 1
                    if depth == 0:
                        end = pos + 1
                        break
            if end is None:
                raise fail(f"'{text}' opens {'$' + nxt} without closing it", f"write ${nxt}…{close}")
            found.append((at, end, "expr", text[at + 2 : end - 1]))
        else:
            match = _NAME.match(text, at + 1)
            if not match:
                raise fail(f"'{text}' has a '$' not followed by a name", "write $name, $(expression), or $$ for a dollar sign")
            end = match.end()
            found.append((at, end, "name", match.group(0)))
        at = text.find("$", end)
    return found


_SCALARS = frozenset((int, float, bool, type(None)))  # values that hold no $: returned as they are


def substitute(value: Any, env: _Env, fail) -> Any:
    """Replace `$name`, `$(expr)` / `${expr}` in every string of value; `$$` is a dollar sign.

    A string that is one piece alone keeps the value's type (a number stays a number)."""
    if type(value) is str:
        if "$" not in value:
            return value
    elif type(value) in _SCALARS:
        return value
    elif isinstance(value, MAPPINGS):
        return {k: substitute(v, env, fail) for k, v in value.items()}
    elif isinstance(value, list):
        return [substitute(v, env, fail) for v in value]
    elif not isinstance(value, str) or "$" not in value:
        return value
    pieces = _pieces(value, fail)

    def one(kind: str, body: str) -> Any:
        if kind == "$":
            return "$"
        return _lookup(body, env, fail) if kind == "name" else evaluate(body, env, fail)

    if len(pieces) == 1 and pieces[0][0] == 0 and pieces[0][1] == len(value):
        return one(pieces[0][2], pieces[0][3])
    out, last = [], 0
    for start, end, kind, body in pieces:
        out += [value[last:start], str(one(kind, body))]
        last = end
    return "".join(out) + value[last:]


def _lookup(name: str, env: _Env, fail) -> Any:
    if name in env.values:
        return env.values[name]
    if env.owner is None and not env.values:
        raise fail(f"'${name}' is used outside a block template", "$name stands for a parameter of a block in blocks: (write $$ for a dollar sign)")
    known = ", ".join(f"${k}" for k in env.values)
    where = f"block '{env.owner}'" if env.owner else "this repeat"
    raise fail(f"'${name}' is not a parameter of {where}", did_you_mean(name, env.values) or f"its parameters are: {known}")


_OPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: lambda a, b: a % b,
    ast.Pow: lambda a, b: a**b,
}
_COMPARE = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
}


@lru_cache(maxsize=1024)
def _parse(text: str) -> ast.Expression:
    """Parsed once per distinct text: a template's expressions come back in every copy of it."""
    return ast.parse(text, mode="eval")


def _too_many_digits_for_power(base: Any, exponent: Any, limits: Limits) -> bool:
    """base ** exponent has more digits than the limit, told before computing it (9 ** 9 ** 9 has
    369 million digits: computing it first would take minutes)."""
    if type(base) is not int or type(exponent) is not int or exponent <= 1 or abs(base) <= 1:
        return False
    return (abs(base).bit_length() - 1) * exponent > max_bits(limits)  # a lower bound on its bits


def evaluate(text: str, env: _Env, fail) -> Any:
    """A small, safe expression on parameters: + - * // % **, /, comparisons, and/or/not, a if c else b."""
    try:
        tree = _parse(text.strip())
    except SyntaxError:
        raise fail(f"cannot read the expression '{text}'", "write e.g. ${filters * 4} or ${2 if i == 0 else 1}") from None

    def ev(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool)):
            return node.value
        if isinstance(node, ast.Name):
            if node.id in ("true", "false"):
                return node.id == "true"
            return _lookup(node.id, env, fail)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            left, right = ev(node.left), ev(node.right)
            if isinstance(node.op, ast.Pow) and _too_many_digits_for_power(left, right, env.limits):
                raise fail(f"'{text}' makes a number of more than {env.limits.digits:,} digits",
                           "if the spec is really meant to be this large, raise it with --limit digits=N")
            return _bounded(_OPS[type(node.op)](left, right))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            left, right = ev(node.left), ev(node.right)
            if isinstance(left, int) and isinstance(right, int) and right and left % right == 0:
                return left // right
            return left / right
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd, ast.Not)):
            operand = ev(node.operand)
            return -operand if isinstance(node.op, ast.USub) else (not operand if isinstance(node.op, ast.Not) else operand)
        if isinstance(node, ast.BoolOp):
            values = [ev(v) for v in node.values]
            return all(values) if isinstance(node.op, ast.And) else any(values)
        if isinstance(node, ast.Compare):
            left = ev(node.left)
            for op, right_node in zip(node.ops, node.comparators):
                right = ev(right_node)
                if type(op) not in _COMPARE or not _COMPARE[type(op)](left, right):
                    return False if type(op) in _COMPARE else _bad(op)
                left = right
            return True
        if isinstance(node, ast.IfExp):
            return ev(node.body) if ev(node.test) else ev(node.orelse)
        return _bad(node)

    def _bounded(result: Any) -> Any:
        """Every step stays within the digits limit: a product of products would grow without end."""
        if type(result) is int and result.bit_length() > max_bits(env.limits):
            raise fail(f"'{text}' makes a number of more than {env.limits.digits:,} digits",
                       "if the spec is really meant to be this large, raise it with --limit digits=N")
        return result

    def _bad(node: ast.AST) -> Any:
        raise fail(f"'{text}' uses something a spec expression does not allow ({type(node).__name__})",
                   "use numbers, parameters, + - * / // % **, comparisons, and/or/not, and 'a if c else b'")

    try:
        return ev(tree)
    except SpecError:
        raise
    except (ArithmeticError, TypeError, ValueError) as exc:
        raise fail(f"cannot compute '{text}': {exc}") from None


# --------------------------------------------------------------------------- templates


def read_templates(section: Any) -> dict[str, Template]:
    """The top-level `blocks:` mapping to Templates; its problems are reported as 'blocks.NAME'."""
    if section is None:
        return {}
    if not isinstance(section, MAPPINGS):
        raise SpecError("blocks must be a mapping of block names to {params, layers}", where="blocks",
                        hint="write e.g. 'blocks: {bottleneck: {params: [filters], layers: [...]}}'")
    templates: dict[str, Template] = {}
    for name, body in section.items():
        where = f"blocks.{name}"
        name = str(name)
        if not re.fullmatch(r"[A-Za-z_]\w*", name):
            raise SpecError(f"'{name}' cannot name a block", hint="use letters, digits and _", where=where)
        if name in BLOCK_KINDS or name in ENTRY_KEYS or lookup(name) != (None, None):
            raise SpecError(f"'{name}' is already a layer type or keyword", hint="give the block another name", where=where)
        if isinstance(body, list):
            body = {"layers": body}
        if not isinstance(body, MAPPINGS):
            raise SpecError("a block needs layers:", hint="write e.g. '{params: [filters], layers: [...]}'", where=where)
        for key in body:
            if key not in TEMPLATE_KEYS:
                raise SpecError(f"unknown key '{key}'", hint=did_you_mean(str(key), TEMPLATE_KEYS) or "a block takes params:, layers: and description:", where=where)
        layers = body.get("layers")
        if not isinstance(layers, list) or not layers:
            raise SpecError("a block needs a non-empty layers: list", hint="list its layers as in the top-level layers:", where=where)
        required, defaults = _read_params(body.get("params"), where)
        templates[name] = Template(name, required, defaults, tuple(layers))
    return templates


def _read_params(params: Any, where: str) -> tuple[tuple[str, ...], dict[str, Any]]:
    """params: [filters, stride: 1] — a bare name is required, `name: value` has a default."""
    required: list[str] = []
    defaults: dict[str, Any] = {}
    if params is None:
        return (), {}
    items: list[tuple[str, Any, bool]] = []
    if isinstance(params, MAPPINGS):
        items = [(str(k), v, True) for k, v in params.items()]
    elif isinstance(params, list):
        for item in params:
            if isinstance(item, str):
                items.append((item, None, False))
            elif isinstance(item, MAPPINGS) and len(item) == 1:
                (k, v), = item.items()
                items.append((str(k), v, True))
            else:
                raise SpecError(f"cannot read the parameter {item!r}", hint="write params: [filters, stride: 1]", where=where)
    else:
        raise SpecError(f"params must be a list, got {params!r}", hint="write params: [filters, stride: 1]", where=where)
    for key, value, has_default in items:
        if not re.fullmatch(r"[A-Za-z_]\w*", key) or key in ("name", "from", "if", "type"):
            raise SpecError(f"'{key}' cannot name a parameter", hint="use letters, digits and _ (not name, from, if, type)", where=where)
        if keyword.iskeyword(key) or key in ("true", "false"):
            raise SpecError(f"'{key}' cannot name a parameter: it is a word of the expression language", hint=f"call it e.g. {key}_", where=where)
        if key in required or key in defaults:
            raise SpecError(f"parameter '{key}' is listed twice", where=where)
        if has_default:
            defaults[key] = value
        else:
            required.append(key)
    return tuple(required), defaults


# --------------------------------------------------------------------------- expansion


class Expanded(NamedTuple):
    """The flat layer nodes for spec.build_layers (each with its path), and the blocks."""

    nodes: tuple[Node, ...]
    blocks: tuple[BlockSpec, ...]


def expand(layers: list[Any], templates: Mapping[str, Template], limits: Limits = DEFAULT_LIMITS) -> Expanded:
    # Found before any work: 21 templates that each use the one before twice make 2**21 layers.
    for visits, bound, what in ((False, limits.layers, "layers"), (True, ENTRIES_PER_LAYER * limits.layers, "entries")):
        least = least_layers(layers, templates, visits=visits, max_nesting=limits.depth)
        if least > bound:
            text = f"{least:,}" if least < 10**15 else f"about 10^{len(str(least)) - 1}"
            raise limit_error("layers", f"the blocks expand to at least {text} {what}", limits, where="layers")
    expander = _Expander(templates, limits)
    expander.group(layers, (), (), "input", _Env(limits=limits))
    return expander.finish()


def least_layers(entries: Any, templates: Mapping[str, Template], *, visits: bool = False, max_nesting: int = 50) -> int:
    """How many layers these entries make at the least, counted without expanding them.

    An entry under if:, and a repeat whose times is not a plain number, count nothing; a block
    counts what it holds (a template what its body holds, once per use) plus its merge layer.
    So this is a lower bound, and a spec over the layers limit by it is one for certain.
    With ``visits``: the entries the expansion must at least look at instead, an entry under
    if: included (a repeat of a billion copies of a left-out layer makes no layer but takes hours).
    Templates nested past ``max_nesting`` count nothing (expansion stops there with its own message).
    """
    memo: dict[str, int] = {}

    def template(name: str, seen: tuple[str, ...]) -> int:
        if name in seen or len(seen) >= max_nesting:  # uses itself, or nested past the limit: expansion reports it
            return 0
        if name not in memo:
            memo[name] = count(list(templates[name].layers), seen + (name,))
        return memo[name]

    def count(items: Any, seen: tuple[str, ...]) -> int:
        if items is None:
            return 0
        total = 0
        for entry in items if isinstance(items, list) else [items]:
            own = 1 if visits else 0  # a block's own entry is a visit, not a layer
            if isinstance(entry, str):
                words = entry.split()
                total += own + template(words[0], seen) if words and words[0] in templates else 1
                continue
            if not isinstance(entry, MAPPINGS) or "if" in entry:
                total += own
                continue
            kinds = [str(entry["type"])] if "type" in entry else [str(k) for k in entry if k not in ENTRY_KEYS]
            if len(kinds) != 1:
                continue
            kind, value = kinds[0], entry.get(kinds[0])
            options = value if isinstance(value, MAPPINGS) else {}
            merge = 0 if visits else 1
            if kind in templates:
                total += own + template(kind, seen)
            elif kind == "repeat":
                times = options.get("times")
                total += own + (times * count(options.get("layers"), seen) if type(times) is int and times > 0 else 0)
            elif kind == "residual":
                total += own + count(options.get("main"), seen) + count(options.get("shortcut"), seen) + merge + count(options.get("after"), seen)
            elif kind == "branches":
                paths = value if isinstance(value, list) else options.get("paths")
                paths = list(paths.values()) if isinstance(paths, MAPPINGS) else paths if isinstance(paths, list) else []
                total += own + sum(count(path, seen) for path in paths) + merge + count(options.get("after"), seen)
            else:
                total += 1
        return total

    return count(entries, ())


class _Expander:
    def __init__(self, templates: Mapping[str, Template], limits: Limits = DEFAULT_LIMITS) -> None:
        self.templates = templates
        self.limits = limits
        self.visited = 0  # entries expanded so far, left out by if: or not
        self.nesting = 0  # blocks open around the entry being expanded
        self.nodes: list[Node] = []
        self.blocks: list[list[Any]] = []  # [name, kind, path, first, last]
        self.block_names: dict[str, list[Any]] = {}  # full name -> its record in self.blocks
        self.aliases: dict[str, tuple[Source, int]] = {}  # name -> (what it means, first index that sees it)
        self.counters: dict[tuple[tuple[str, ...], str], int] = {}
        self.used: set[str] = set()
        self.stack: list[str] = []  # the templates being expanded, to catch one that uses itself

    # ---- errors and names

    @property
    def next_index(self) -> int:
        return len(self.nodes) + 1

    def failer(self, name: str | None, kind: str | None):
        def fail(problem: str, hint: str | None = None) -> SpecError:
            return SpecError(problem, hint=hint, layer_index=self.next_index, layer_name=name, layer_type=kind)

        return fail

    def auto_name(self, scope: tuple[str, ...], base: str) -> str:
        key = (scope, base)
        while True:
            self.counters[key] = self.counters.get(key, 0) + 1
            local = f"{base}_{self.counters[key]}"
            if _join(scope, local) not in self.used:
                return local

    def claim(self, full: str, fail, what: str) -> None:
        """Block names must not clash with any other node or block name."""
        if full in self.used:
            owner = next((f"layer {n.index}" for n in self.nodes if n.name == full), None)
            if owner is None:
                first, last = self.block_names[full][3:5]
                owner = f"the block at layers {first}–{last}" if last >= first else "an empty block"
            raise fail(f"the name '{full}' is already used by {owner}", f"give each {what} its own name")
        self.used.add(full)

    # ---- the walk

    def group(self, entries: Any, scope: tuple[str, ...], path: tuple[str, ...], prev: Source, env: _Env) -> Source:
        """Expand a list of entries in one scope; each reads the one before unless it says from."""
        for entry in entries:
            prev = self.entry(entry, scope, path, prev, env)
        return prev

    def entry(self, entry: Any, scope, path, prev: Source, env: _Env, *, forced_name: str | None = None, kind_label: str | None = None) -> Source:
        self.visited += 1
        if self.visited > ENTRIES_PER_LAYER * self.limits.layers:  # repeats of blocks whose entries are all left out
            raise limit_error("layers", f"the blocks expand to more than {ENTRIES_PER_LAYER * self.limits.layers:,} entries",
                              self.limits, where=f"layer {self.next_index}")
        kind, options, inline = self.classify(entry, env)
        fail = self.failer(_name_text(options.get("name")), kind)
        if kind not in BLOCK_KINDS and kind not in self.templates:
            return self.layer(entry, scope, path, prev, env, forced_name, kind or None)
        if self.nesting >= self.limits.depth:  # 400 templates that each use the one before: Python's recursion would end it
            raise limit_error("depth", f"blocks are nested more than {self.limits.depth:,} deep", self.limits,
                              where=f"layer {self.next_index}")
        self.nesting += 1
        try:
            return self.block(kind, options, inline, fail, scope, path, prev, env, forced_name, kind_label)
        finally:
            self.nesting -= 1

    def block(self, kind, options, inline, fail, scope, path, prev: Source, env: _Env, forced_name, kind_label) -> Source:
        """A residual, branches, repeat or template entry, one level deeper than the one it sits in."""
        if inline:
            raise fail(f"a {kind} block cannot be written inline", f"write it as a mapping: '- {kind}: {{...}}'")
        condition = substitute(options.pop("if", True), env, fail)
        if not isinstance(condition, bool):
            raise fail(f"if must be true or false, got {condition!r}", "write e.g. if: $project")
        if not condition:
            return prev
        name = substitute(options.pop("name", None), env, fail)
        sources = substitute(options.pop("from", None), env, fail)
        local = forced_name if name is None and forced_name is not None else None
        if name is not None:
            local = _check_name(name, fail)
        if local is None:
            local = self.auto_name(scope, kind)
        full = _join(scope, local)
        fail = self.failer(full, kind_label or kind)
        if sources is not None:
            listed = sources if isinstance(sources, list) else [sources]
            if len(listed) != 1 or not isinstance(listed[0], (str, int)) or isinstance(listed[0], bool):
                raise fail(f"a block reads one input; from must name one layer, got {sources!r}",
                           "merge several inputs first with add or concat")
            prev = _Ref(str(listed[0]), scope, self.next_index)
        if kind == "repeat":
            options = {k: (v if k == "layers" else substitute(v, env, fail)) for k, v in options.items()}
        elif kind in BLOCK_KINDS:
            options = {k: (substitute(v, env, fail) if k in ("merge", "axis") else v) for k, v in options.items()}
        if kind in self.templates:
            return self.template(self.templates[kind], options, full, local, scope, path, prev, env, fail, kind_label)
        reader = {"residual": self.residual, "branches": self.branches, "repeat": self.repeat}[kind]
        return self.open_block(full, kind_label or kind, scope + (local,), path, prev, fail,
                               lambda inner_scope, inner_path, block_input: reader(options, inner_scope, inner_path, block_input, env, fail, full))

    def classify(self, entry: Any, env: _Env) -> tuple[str, dict[str, Any], bool]:
        """(type written, its options, written inline?) — block options keep name/from/if inside."""
        if isinstance(entry, str):
            words = entry.split()
            return (words[0] if words else entry), {}, len(words) > 1
        if not isinstance(entry, MAPPINGS):
            return "", {}, False
        entry = {str(k): v for k, v in entry.items()}
        if "type" in entry:
            return str(entry["type"]), {k: v for k, v in entry.items() if k != "type"}, False
        keys = [k for k in entry if k not in ENTRY_KEYS]
        if len(keys) != 1:
            return "", {}, False
        kind = keys[0]
        value = entry[kind]
        if kind in BLOCK_KINDS or kind in self.templates:
            if kind == "branches" and isinstance(value, list):
                value = {"paths": value}
            options = dict(value) if isinstance(value, MAPPINGS) else ({} if value is None else {VALUE: value})
            for key in ("name", "from", "if"):
                if key in entry:
                    if key in options:
                        raise self.failer(None, kind)(f"'{key}' is given twice", "give it once")
                    options[key] = entry[key]
            return kind, options, False
        return kind, {}, False

    def open_block(self, full, kind, inner_scope, path, block_input, fail, body) -> Source:
        """Record a block around the nodes body() adds; its name then means its output."""
        self.claim(full, fail, "block")
        record = [full, kind, path, self.next_index, 0]
        self.blocks.append(record)
        self.block_names[full] = record  # by record, not position: an empty block is removed below
        self.aliases[_join(inner_scope, "input")] = (block_input, self.next_index)
        output = body(inner_scope, path + (full,), block_input)
        record[4] = len(self.nodes)
        if record[4] < record[3]:  # an empty block (every entry skipped, repeat 0 times): no row
            self.blocks.remove(record)
        self.aliases[full] = (output, self.next_index)
        return output

    def sub_group(self, entries: Any, local: str, kind: str, scope, path, block_input, env, fail) -> Source:
        """A path, shortcut or repeat copy: one unnamed entry takes the group's name, else a 'group' block."""
        if entries is None or entries == []:
            return block_input
        if not isinstance(entries, list):
            entries = [entries]
        if len(entries) == 1 and not _has_name(entries[0]):
            return self.entry(entries[0], scope, path, block_input, env, forced_name=local)
        return self.open_block(_join(scope, local), kind, scope + (local,), path, block_input, fail,
                               lambda s, p, i: self.group(entries, s, p, i, env))

    def residual(self, options, scope, path, block_input, env, fail, full) -> Source:
        _check_keys(options, RESIDUAL_KEYS, "residual", fail)
        main = options.get("main")
        if not isinstance(main, list) or not main:
            raise fail("a residual block needs a main: list of layers", "write main: [conv2d: {...}, batchnorm, ...]")
        merge = self.merge_kind(options, "add", fail)
        main_out = self.group(main, scope, path, block_input, env)
        shortcut = options.get("shortcut")
        if shortcut is not None and not isinstance(shortcut, list):
            raise fail("shortcut must be a list of layers (leave it out for the identity)", "write shortcut: [conv2d: {...}, batchnorm]")
        short_out = self.sub_group(shortcut, "shortcut", "shortcut", scope, path, block_input, env, fail)
        merged = self.merge_node(merge, options, [main_out, short_out], scope, path, env)
        return self.group(_list(options.get("after"), "after", fail), scope, path, merged, env)

    def branches(self, options, scope, path, block_input, env, fail, full) -> Source:
        _check_keys(options, BRANCHES_KEYS, "branches", fail)
        paths = options.get("paths")
        if isinstance(paths, MAPPINGS):
            named = [(str(k), v) for k, v in paths.items()]
        elif isinstance(paths, list):
            named = [(f"branch{n}", v) for n, v in enumerate(paths, start=1)]
        else:
            raise fail("a branches block needs paths: a list of layer lists", "write paths: [[conv2d: {...}], [maxpool2d: 3, conv2d: {...}]]")
        if len(named) < 2:
            raise fail(f"a branches block needs at least 2 paths, got {len(named)}", "a single path needs no branches block")
        merge = self.merge_kind(options, "concat", fail)
        outputs = [self.sub_group(body, local, "path", scope, path, block_input, env, fail) for local, body in named]
        merged = self.merge_node(merge, options, outputs, scope, path, env)
        return self.group(_list(options.get("after"), "after", fail), scope, path, merged, env)

    def repeat(self, options, scope, path, block_input, env, fail, full) -> Source:
        _check_keys(options, REPEAT_KEYS, "repeat", fail)
        times = substitute(options.get("times"), env, fail)
        if isinstance(times, bool) or not isinstance(times, int) or times < 0:
            raise fail(f"repeat needs times: a whole number ≥ 0, got {times!r}", "write e.g. times: 3")
        layers = options.get("layers")
        if not isinstance(layers, list) or not layers:
            raise fail("repeat needs a layers: list (the group copied times times)", "write layers: [bottleneck: {filters: 64}]")
        if times > self.limits.layers:
            raise limit_error("layers", f"repeat {times:,} times", self.limits, where=f"layer {self.next_index}")
        output = block_input
        for copy in range(times):
            inner = _Env({**env.values, REPEAT_INDEX: copy}, env.owner, env.limits)
            output = self.sub_group(layers, str(copy), "group", scope, path, output, inner, fail)
        return output

    def template(self, template: Template, options, full, local, scope, path, prev, env, fail, kind_label) -> Source:
        options = substitute(options, env, fail)
        if VALUE in options:
            example = ", ".join(f"{p}: ..." for p in template.params)
            raise fail(f"{template.name} takes its parameters as a mapping, got {options[VALUE]!r}",
                       f"write - {template.name}: {{{example}}}")
        for key in options:
            if key not in template.params:
                known = ", ".join(template.params) or "no parameters"
                raise fail(f"unknown parameter '{key}'", did_you_mean(key, template.params) or f"{template.name} takes: {known}")
        missing = [p for p in template.required if p not in options]
        if missing:
            raise fail(f"missing parameter '{missing[0]}'", f"{template.name} needs: {', '.join(template.required)}")
        if template.name in self.stack:
            raise fail(f"block '{template.name}' uses itself", "a block cannot contain itself")
        inner_env = _Env({**template.defaults, **options}, template.name, env.limits)
        self.stack.append(template.name)
        try:
            body = list(template.layers)
            if len(body) == 1 and not _has_name(body[0]):
                return self.entry(body[0], scope, path, prev, inner_env, forced_name=local, kind_label=kind_label or template.name)
            return self.open_block(full, kind_label or template.name, scope + (local,), path, prev, fail,
                                   lambda s, p, i: self.group(body, s, p, i, inner_env))
        finally:
            self.stack.pop()

    def merge_kind(self, options, default: str, fail) -> str:
        merge = options.get("merge", default)
        if merge not in MERGES:
            raise fail(f"merge must be one of {', '.join(MERGES)}, got {merge!r}", did_you_mean(str(merge), MERGES))
        if "axis" in options and merge != "concat":
            raise fail("axis applies only to merge: concat")
        return merge

    def merge_node(self, merge: str, options, sources: list[Source], scope, path, env) -> str:
        local = merge if _join(scope, merge) not in self.used else self.auto_name(scope, merge)
        raw = {"axis": options["axis"]} if "axis" in options else {}
        return self.add_node(merge, raw, _join(scope, local), path, list(sources))

    def layer(self, entry, scope, path, prev: Source, env: _Env, forced_name: str | None, written: str | None) -> Source:
        index = self.next_index
        if isinstance(entry, MAPPINGS) and "if" in entry:
            entry = dict(entry)
            fail = self.failer(None, written)
            condition = substitute(entry.pop("if"), env, fail)
            if not isinstance(condition, bool):
                raise fail(f"if must be true or false, got {condition!r}", "write e.g. if: $project")
            if not condition:
                return prev
        entry = substitute(entry, env, self.failer(None, written))
        type_written, raw, name, sources = _split_entry(entry, index)
        kind, family = lookup(type_written)
        if kind is None and family is None:
            choices = [*all_names(), *self.templates, *BLOCK_KINDS]
            hint = did_you_mean(type_written, choices) or "see 'convcalc types' for every layer type, or define it under blocks:"
            raise SpecError(f"unknown layer type '{type_written}'", hint=hint, layer_index=index, layer_name=name)
        canonical = kind.name if kind else re.sub(r"[\s\-]", "_", str(type_written).lower())
        fail = self.failer(name, canonical)
        if name is not None:
            local = _check_name(name, fail)
        else:
            local = forced_name or self.auto_name(scope, canonical)
        full = _join(scope, local)
        if full in self.block_names:
            raise fail(f"the name '{full}' is already used by block '{full}'", "give each layer its own name")
        if sources is None:
            listed: Any = [prev]
        elif isinstance(sources, (str, int)) and not isinstance(sources, bool):
            listed = [_Ref(str(sources), scope, index)]
        elif isinstance(sources, list) and sources and all(isinstance(s, (str, int)) and not isinstance(s, bool) for s in sources):
            listed = [_Ref(str(s), scope, index) for s in sources]
        else:
            listed = sources  # build_layers reports it
        return self.add_node(type_written, raw, full, path, listed, kind, family)

    def add_node(self, type_written: str, raw: dict[str, Any], full: str, path, sources, kind=None, family=None) -> str:
        if kind is None and family is None:
            kind, family = lookup(type_written)
        if len(self.nodes) >= self.limits.layers:  # a block nested in a block … doubles with every level
            raise limit_error("layers", f"the blocks expand to more than {self.limits.layers:,} layers", self.limits,
                              where=f"layer {self.next_index}")
        self.nodes.append(Node(self.next_index, type_written, raw, full, path, sources, kind, family))
        self.used.add(full)
        return full

    # ---- resolving `from`

    def finish(self) -> Expanded:
        self.positions = {node.name: node.index for node in self.nodes}
        blocks = tuple(BlockSpec(name, kind, path, first, last) for name, kind, path, first, last in self.blocks)
        self.block_ranges = {b.name: b for b in blocks}
        for node in self.nodes:
            if isinstance(node.sources, list):  # a list of bad values stays as written: build_layers reports it
                node.sources = [self.resolve(s, node) for s in node.sources]
        return Expanded(tuple(self.nodes), blocks)

    def resolve(self, source: Source, node: Node, depth: int = 0) -> Any:
        """The full node name a source means, seen from the node reading it."""
        if not isinstance(source, _Ref):
            return source
        if depth > 64:
            raise SpecError(f"from '{source.text}' goes round in a circle", layer_index=node.index, layer_name=node.name, layer_type=node.type)
        candidates = [_join(source.scope[:n], source.text) for n in range(len(source.scope), -1, -1)]
        for candidate in candidates:
            if candidate == "input":
                return "input"
            if candidate in self.positions and self.positions[candidate] < source.position:
                return candidate
            if candidate in self.aliases and self.aliases[candidate][1] <= source.position:
                return self.resolve(self.aliases[candidate][0], node, depth + 1)
        def fail(problem: str, hint: str) -> SpecError:
            return SpecError(f"from '{source.text}' {problem}", hint=hint, layer_index=node.index, layer_name=node.name, layer_type=node.type)

        for candidate in candidates:  # not visible from here: say why
            if candidate in self.positions:
                if self.positions[candidate] == node.index:
                    raise fail("names the layer itself", "a layer reads from layers above it")
                raise fail(f"names layer {self.positions[candidate]}, which comes later", "a layer reads only from layers above it")
            block = self.block_ranges.get(candidate)
            if block is not None:
                if block.first <= node.index <= block.last:
                    raise fail(f"names the block '{block.name}' this layer is inside", "a layer reads from layers above it; 'input' is the block's input")
                raise fail(f"names the block '{block.name}' (layers {block.first}–{block.last}), which comes later", "a layer reads only from layers above it")
        return source.text  # names nothing: build_layers says so, with the names it knows


def _join(scope: tuple[str, ...], local: str) -> str:
    return ".".join((*scope, local))


def _name_text(name: Any) -> str | None:
    return None if name is None else str(name)


def _has_name(entry: Any) -> bool:
    if not isinstance(entry, MAPPINGS):
        return isinstance(entry, str) and "name=" in entry
    if "name" in entry:
        return True
    inner = [v for k, v in entry.items() if k not in ENTRY_KEYS]
    return len(inner) == 1 and isinstance(inner[0], MAPPINGS) and "name" in inner[0]


def _check_name(name: Any, fail) -> str:
    if isinstance(name, bool) or not isinstance(name, (str, int)) or not str(name).strip():
        raise fail(f"a name must be text, got {name!r}", "e.g. name: conv1")
    text = str(name).strip()
    if not text.isprintable():
        raise fail(f"the name {text!r} holds {unprintable(text)}", "write a name as one line of visible text, e.g. conv1")
    if "." in text:
        raise fail(f"the name '{text}' contains '.'", "dots join block names (layer1.conv1); write layer1_conv1 or use a block")
    if text == "input":
        raise fail("'input' names the network's (or block's) input", "choose another name")
    return text


def _check_keys(options: Mapping[str, Any], allowed: tuple[str, ...], kind: str, fail) -> None:
    for key in options:
        if key == VALUE:
            raise fail(f"{kind} takes a mapping of options, got {options[key]!r}", f"its options are: {', '.join(allowed)}")
        if key not in allowed:
            raise fail(f"unknown {kind} option '{key}'", did_you_mean(str(key), allowed) or f"its options are: {', '.join(allowed)}")


def _list(value: Any, what: str, fail) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise fail(f"{what} must be a list of layers, got {value!r}", f"write {what}: [relu]")
    return value


__all__ = ["BlockSpec", "Template", "Expanded", "Node", "expand", "read_templates", "substitute", "evaluate", "BLOCK_KINDS"]
