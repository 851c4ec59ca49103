"""Blocks: `residual`, `branches`, `repeat` and named templates, expanded into plain layer nodes.

A spec may group layers into blocks. They exist only at load time: :func:`expand` turns them into
the flat list of layer entries the rest of convcalc already understands, each with a dotted name
(``layer2.0.conv1``), a resolved ``from`` list and its ``path`` (the enclosing blocks), plus one
:class:`BlockSpec` per block so the table can show the structure.

Naming rule (also in docs/spec-format.md): every block is a name scope. A node's full name is the block
names and its own name joined by dots. ``from:`` inside a block is looked up in the block first,
then in each enclosing block, then at the top level; ``input`` inside a block is that block's
input, and a block's name used from outside means its output (its last node). A group of exactly
one unnamed entry takes the group's name instead of adding a level, so a repeat copy that is one
bottleneck is ``layer1.0``, not ``layer1.0.bottleneck_1``.
"""

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from ..errors import SpecError, did_you_mean
from ..layers import all_names, family_args, lookup
from ..limits import DEFAULT_LIMITS, Limits, limit_error
from .records import MAPPINGS, BLOCK_KINDS, ENTRY_KEYS, MERGES, RESIDUAL_KEYS, BRANCHES_KEYS, REPEAT_KEYS, VALUE, REPEAT_INDEX, ENTRIES_PER_LAYER, BlockSpec, Template
from .entries import activation_after, split_entry
from .inline import PROBLEM_MARK
from .expressions import Env, substitute
from .templates import least_layers
from .inputs import InputFacts, ShapeTracker
from .names import Ref, check_keys, check_length, check_name, has_name, join, layer_list, name_text

# The records below are plain classes with __slots__, not dataclasses: nothing compares, hashes
# or prints them, and each dataclass costs ~0.3 ms to create at every start-up.


Source = Any  # a resolved full node name (str) or a names.Ref


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

# --------------------------------------------------------------------------- expansion


class Expanded(NamedTuple):
    """The flat layer nodes for spec.build_layers (each with its path), and the blocks."""

    nodes: tuple[Node, ...]
    blocks: tuple[BlockSpec, ...]


def expand(layers: list[Any], templates: Mapping[str, Template], limits: Limits = DEFAULT_LIMITS,
           input_shape: Any = None, layout: str = "hwc") -> Expanded:
    # Found before any work: 21 templates that each use the one before twice make 2**21 layers.
    for visits, bound, what in ((False, limits.layers, "layers"), (True, ENTRIES_PER_LAYER * limits.layers, "entries")):
        least = least_layers(layers, templates, visits=visits, max_nesting=limits.depth)
        if least > bound:
            text = f"{least:,}" if least < 10**15 else f"about 10^{len(str(least)) - 1}"
            raise limit_error("layers", f"the blocks expand to at least {text} {what}", limits, where="layers")
    expander = _Expander(templates, limits)
    if input_shape is not None:  # what $in.channels needs: shapes computed as templates ask for them
        expander.tracker = ShapeTracker(input_shape, layout, expander.nodes, expander.resolve)
    expander.group(layers, (), (), "input", Env(limits=limits))
    return expander.finish()


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
        self.redirect: dict[str, str] = {}  # a layer with activation= -> its activation layer, what its name means
        self.positions: dict[str, int] = {}  # full node name -> index, as nodes are added
        self.block_ranges: dict[str, BlockSpec] = {}  # filled by finish(); resolve's messages read it
        self.tracker: ShapeTracker | None = None

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
            if join(scope, local) not in self.used:
                return local

    def name_before(self, entry: Any, scope: tuple[str, ...], forced_name: str | None) -> str | None:
        """A layer's name before its values are worked out (for a message about them): written
        plainly, given by its block, or the next automatic one; None when it is an expression too."""
        try:
            type_written, _, name, _ = split_entry(entry, self.next_index)
        except SpecError:
            return None
        if name is not None:
            return join(scope, name) if isinstance(name, str) and "$" not in name else None
        if forced_name is not None:
            return join(scope, forced_name)
        kind, _ = lookup(type_written)
        if kind is None:
            return None
        count = self.counters.get((scope, kind.name), 0) + 1
        while join(scope, f"{kind.name}_{count}") in self.used:
            count += 1
        return join(scope, f"{kind.name}_{count}")

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

    def group(self, entries: Any, scope: tuple[str, ...], path: tuple[str, ...], prev: Source, env: Env) -> Source:
        """Expand a list of entries in one scope; each reads the one before unless it says from."""
        for entry in entries:
            prev = self.entry(entry, scope, path, prev, env)
        return prev

    def entry(self, entry: Any, scope, path, prev: Source, env: Env, *, forced_name: str | None = None, kind_label: str | None = None) -> Source:
        self.visited += 1
        if self.visited > ENTRIES_PER_LAYER * self.limits.layers:  # repeats of blocks whose entries are all left out
            raise limit_error("layers", f"the blocks expand to more than {ENTRIES_PER_LAYER * self.limits.layers:,} entries",
                              self.limits, where=f"layer {self.next_index}")
        kind, options, inline = self.classify(entry, env)
        fail = self.failer(name_text(options.get("name")), kind)
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

    def block(self, kind, options, inline, fail, scope, path, prev: Source, env: Env, forced_name, kind_label) -> Source:
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
            local = check_name(name, fail)
        if local is None:
            local = self.auto_name(scope, kind)
        full = check_length(join(scope, local), fail)
        fail = self.failer(full, kind_label or kind)
        if sources is not None:
            listed = sources if isinstance(sources, list) else [sources]
            if len(listed) != 1 or not isinstance(listed[0], (str, int)) or isinstance(listed[0], bool):
                raise fail(f"a block reads one input; from must name one layer, got {sources!r}",
                           "merge several inputs first with add or concat")
            prev = Ref(str(listed[0]), scope, self.next_index)
        if kind == "repeat":
            options = {k: (v if k == "layers" else substitute(v, env, fail)) for k, v in options.items()}
        elif kind in BLOCK_KINDS:
            options = {k: (substitute(v, env, fail) if k in ("merge", "axis") else v) for k, v in options.items()}
        if kind in self.templates:
            return self.template(self.templates[kind], options, full, local, scope, path, prev, env, fail, kind_label)
        reader = {"residual": self.residual, "branches": self.branches, "repeat": self.repeat}[kind]
        return self.open_block(full, kind_label or kind, scope + (local,), path, prev, fail,
                               lambda inner_scope, inner_path, block_input: reader(options, inner_scope, inner_path, block_input, env, fail, full))

    def classify(self, entry: Any, env: Env) -> tuple[str, dict[str, Any], bool]:
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
            inner = isinstance(value, MAPPINGS) and kind in BLOCK_KINDS and "expect" in value
            if "expect" in entry or inner:
                what = f"a {kind} block" if kind in BLOCK_KINDS else f"a block ('{kind}')"
                raise self.failer(name_text(entry.get("name") or (value.get("name") if inner else None)), kind)(
                    f"expect: on {what} is not checked",
                    "put expect: on the layer whose answer it is (the block's last layer for its output shape), "
                    "or on the network (a top-level expect:)")
            if kind == "branches" and isinstance(value, list):
                value = {"paths": value}
            options = dict(value) if isinstance(value, MAPPINGS) else ({} if value is None else {VALUE: value})
            for key in ("name", "from", "if"):
                if key in entry:
                    if key in options:
                        raise self.failer(name_text(entry.get("name") or (value.get("name") if inner else None)), kind)(f"'{key}' is given twice", "give it once")
                    options[key] = entry[key]
            return kind, options, False
        return kind, {}, False

    def open_block(self, full, kind, inner_scope, path, block_input, fail, body) -> Source:
        """Record a block around the nodes body() adds; its name then means its output."""
        self.claim(full, fail, "block")
        record = [full, kind, path, self.next_index, 0]
        self.blocks.append(record)
        self.block_names[full] = record  # by record, not position: an empty block is removed below
        self.aliases[join(inner_scope, "input")] = (block_input, self.next_index)
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
        if len(entries) == 1 and not has_name(entries[0]):
            return self.entry(entries[0], scope, path, block_input, env, forced_name=local)
        return self.open_block(join(scope, local), kind, scope + (local,), path, block_input, fail,
                               lambda s, p, i: self.group(entries, s, p, i, env))

    def residual(self, options, scope, path, block_input, env, fail, full) -> Source:
        check_keys(options, RESIDUAL_KEYS, "residual", fail)
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
        return self.group(layer_list(options.get("after"), "after", fail), scope, path, merged, env)

    def branches(self, options, scope, path, block_input, env, fail, full) -> Source:
        check_keys(options, BRANCHES_KEYS, "branches", fail)
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
        return self.group(layer_list(options.get("after"), "after", fail), scope, path, merged, env)

    def repeat(self, options, scope, path, block_input, env, fail, full) -> Source:
        check_keys(options, REPEAT_KEYS, "repeat", fail)
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
            inner = Env({**env.values, REPEAT_INDEX: copy}, env.owner, env.limits, env.facts)
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
        inner_env = Env({**template.defaults, **options}, template.name, env.limits, self.input_facts(prev, full, template.name))
        self.stack.append(template.name)
        try:
            body = list(template.layers)
            if len(body) == 1 and not has_name(body[0]):
                return self.entry(body[0], scope, path, prev, inner_env, forced_name=local, kind_label=kind_label or template.name)
            return self.open_block(full, kind_label or template.name, scope + (local,), path, prev, fail,
                                   lambda s, p, i: self.group(body, s, p, i, inner_env))
        finally:
            self.stack.pop()

    def input_facts(self, prev: Source, full: str, block: str):
        """$in inside a template: its input's shape, computed the first time an expression asks."""
        found: list[InputFacts] = []

        def facts() -> InputFacts:
            if not found:
                if self.tracker is None:
                    raise SpecError("$in needs the network's input shape", layer_index=self.next_index, layer_name=full)
                reader = Node(self.next_index, block, {}, full, (), None)
                found.append(InputFacts(self.tracker.shape_of(prev, reader), self.tracker.layout, block))
            return found[0]

        return facts

    def merge_kind(self, options, default: str, fail) -> str:
        merge = options.get("merge", default)
        if merge not in MERGES:
            raise fail(f"merge must be one of {', '.join(MERGES)}, got {merge!r}", did_you_mean(str(merge), MERGES))
        if "axis" in options and merge != "concat":
            raise fail("axis applies only to merge: concat")
        return merge

    def merge_node(self, merge: str, options, sources: list[Source], scope, path, env) -> str:
        local = merge if join(scope, merge) not in self.used else self.auto_name(scope, merge)
        raw = {"axis": options["axis"]} if "axis" in options else {}
        return self.add_node(merge, raw, join(scope, local), path, list(sources))

    def layer(self, entry, scope, path, prev: Source, env: Env, forced_name: str | None, written: str | None) -> Source:
        index = self.next_index
        fail = self.failer(None, written)
        try:
            if isinstance(entry, MAPPINGS) and "if" in entry:
                entry = dict(entry)
                condition = substitute(entry.pop("if"), env, fail)
                if not isinstance(condition, bool):
                    raise fail(f"if must be true or false, got {condition!r}", "write e.g. if: $project")
                if not condition:
                    return prev
            entry = substitute(entry, env, fail)
        except SpecError as error:  # its values are not worked out: the name it would have, if it says one
            if error.layer_index == index and error.layer_name is None:
                error.layer_name = self.name_before(entry, scope, forced_name)
                error.args = (error.message,)
            raise
        type_written, raw, name, sources = split_entry(entry, index)
        kind, family = lookup(type_written)
        if kind is None and family is None:
            choices = [*all_names(), *self.templates, *BLOCK_KINDS]
            hint = did_you_mean(type_written, choices) or "see 'convcalc types' for every layer type, or define it under blocks:"
            raise SpecError(f"unknown layer type '{type_written}'", hint=hint, layer_index=index, layer_name=name)
        canonical = kind.name if kind else re.sub(r"[\s\-]", "_", str(type_written).lower())
        fail = self.failer(name, canonical)
        if name is not None:
            local = check_name(name, fail)
        else:
            local = forced_name or self.auto_name(scope, canonical)
        full = check_length(join(scope, local), fail)
        if PROBLEM_MARK in raw:  # the inline text was wrong: said now that the layer has its name
            raise self.failer(full, canonical)(*raw[PROBLEM_MARK])
        if full in self.block_names:
            raise fail(f"the name '{full}' is already used by block '{full}'", "give each layer its own name")
        if sources is None:
            listed: Any = [prev]
        elif isinstance(sources, (str, int)) and not isinstance(sources, bool):
            listed = [Ref(str(sources), scope, index)]
        elif isinstance(sources, list) and sources and all(isinstance(s, (str, int)) and not isinstance(s, bool) for s in sources):
            listed = [Ref(str(s), scope, index) for s in sources]
        else:
            listed = sources  # build_layers reports it
        if "like" in raw and isinstance(raw["like"], (str, int)) and not isinstance(raw["like"], bool):
            raw["like"] = Ref(str(raw["like"]), scope, index)  # a layer name (resize's like:), scoped as from: is
        if "activation" not in raw:  # the common case, before anything else is made
            return self.add_node(type_written, raw, full, path, listed, kind, family)
        activation = activation_after(raw, kind or family_args(family), self.failer(full, canonical))
        added = self.add_node(type_written, raw, full, path, listed, kind, family)
        if activation is None:
            return added
        # Keras' Conv2D(…, activation='relu'): a relu layer after it, whose output the layer's name then means
        after = self.add_node(activation.name, {}, join(scope, f"{local}_{activation.name}"), path, [added], activation)
        self.redirect[added] = after
        return after

    def add_node(self, type_written: str, raw: dict[str, Any], full: str, path, sources, kind=None, family=None) -> str:
        if kind is None and family is None:
            kind, family = lookup(type_written)
        if len(self.nodes) >= self.limits.layers:  # a block nested in a block … doubles with every level
            raise limit_error("layers", f"the blocks expand to more than {self.limits.layers:,} layers", self.limits,
                              where=f"layer {self.next_index}")
        index = len(self.nodes) + 1
        self.positions[full] = index
        self.nodes.append(Node(index, type_written, raw, full, path, sources, kind, family))
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
            if isinstance(node.raw.get("like"), Ref):
                node.raw["like"] = self.resolve(node.raw["like"], node, key="like")
        return Expanded(tuple(self.nodes), blocks)

    def resolve(self, source: Source, node: Node, depth: int = 0, key: str = "from") -> Any:
        """The full node name a source means, seen from the node reading it."""
        if not isinstance(source, Ref):
            return source
        if depth > 64:
            raise SpecError(f"from '{source.text}' goes round in a circle", layer_index=node.index, layer_name=node.name, layer_type=node.type)
        candidates = [join(source.scope[:n], source.text) for n in range(len(source.scope), -1, -1)]
        for candidate in candidates:
            if candidate == "input":
                return "input"
            if candidate in self.positions and self.positions[candidate] < source.position:
                return self.redirect.get(candidate, candidate)
            if candidate in self.aliases and self.aliases[candidate][1] <= source.position:
                return self.resolve(self.aliases[candidate][0], node, depth + 1)
        port = re.fullmatch(r"(.+)\.(\d+)", source.text)  # split1.0: output 0 of the layer split1
        if port and key == "from":
            target = self.resolve(Ref(port.group(1), source.scope, source.position), node, depth + 1, key)
            if target in self.positions:
                return f"{target}.{port.group(2)}"

        def fail(problem: str, hint: str) -> SpecError:
            return SpecError(f"{key} '{source.text}' {problem}", hint=hint, layer_index=node.index, layer_name=node.name, layer_type=node.type)

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
