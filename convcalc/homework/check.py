"""`convcalc check`: a student's answers (``expect:`` in a spec) marked right or wrong, and a wrong one named.

Every answer is read as the student wrote it (:mod:`answers`), compared with the right value
(:mod:`figures`), and a wrong one is matched against the answers the classic mistakes give
(:mod:`mistakes`): "You left out the biases: 5,000 − 4,900 = 100 = the 100 biases, one per
filter." A shape is marked axis by axis. One answer that cannot be read is marked so in place;
the rest of the sheet is still marked. A layer that cannot be computed (its kernel larger than
its input) answers `valid: false` right and leaves the answers after it unmarked.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..arith import is_int
from ..costs import network_costs
from ..engine import LayerReport, NetworkReport, analyze, value
from ..errors import SpecError
from ..limits import DEFAULT_LIMITS, Limits
from ..spec import NetworkSpec
from ..render.explain import axis_letters, pretty
from . import mistakes
from .answers import Reading, foreign_digit_problem, read_answer, written_text
from .figures import FLOPS_CONVENTIONS, FLOPS_WORDS, Figure, ancestors, flops_under, layer_figure, network_figure, network_totals_with_input
from .validity import invalid_reason, mark_valid
from .questions import solve_verdicts
from .verdicts import STATUSES, Verdict

@dataclass(frozen=True)
class CheckOptions:
    """How figures with more than one convention are counted."""

    flops: str = "default"  # or 'textbook'
    dtype: str = "float32"
    strict: bool = False  # a size that does not divide evenly makes its layer invalid (as summary --strict)


# --------------------------------------------------------------------------- comparing


POINTS = 40  # sizes at which two formulas are compared: 24 small (1 to 24), 16 large (10^6 to 10^9)


def _symbolic(value: Any) -> bool:
    return hasattr(value, "free_symbols") and not is_int(value)


def same(written: Any, right: Any) -> bool:
    """Exact equality of numbers (an int equals the Fraction 4/1); formulas compared for every size."""
    if _symbolic(written) or _symbolic(right):
        return _equal_for_every_size(written, right)
    return written == right


def _equal_for_every_size(first: Any, second: Any) -> bool:
    """Two formulas in the sizes (n, k1, …) compared exactly at 40 sizes, small and large, the same
    40 on every run: different formulas of the kind a network gives (polynomials, with floors and
    ceilings of fractions) differ at some of them. SymPy's simplify decided this before, but an
    answer such as (k1 + k2 + n + m + 1)^64 made it expand for minutes, and it could not prove
    some right answers with floors equal."""
    import random

    import sympy  # one side is a formula: SymPy is already loaded for it

    if isinstance(first, Fraction):
        first = sympy.Rational(first.numerator, first.denominator)
    if isinstance(second, Fraction):
        second = sympy.Rational(second.numerator, second.denominator)
    first, second = sympy.sympify(first), sympy.sympify(second)  # ints and SymPy objects only, never text
    symbols = sorted(first.free_symbols | second.free_symbols, key=str)
    if not symbols:
        return bool(first == second)
    draw = random.Random(len(symbols))  # fixed: the same verdict on every run
    for point in range(POINTS):
        sizes = {s: sympy.Integer(draw.randint(1, 24) if point < 24 else draw.randint(10**6, 10**9)) for s in symbols}
        if first.xreplace(sizes) != second.xreplace(sizes):
            return False
    return True


def _matches(reading: Reading, right: Any) -> bool:
    return reading.matches(right, same)


# --------------------------------------------------------------------------- marking one answer


class _Mark:
    """What marking one answer found: its status, a diagnosis and detail lines."""

    def __init__(self, status: str, diagnosis: str = "", details: Iterable[str] = ()) -> None:
        self.status, self.diagnosis, self.details = status, diagnosis, tuple(d for d in details if d)


_LETTERS: list[frozenset] = [frozenset()]  # the symbols of the spec being marked (set by check_spec)


def _read(raw: Any, what: str) -> Reading:
    return read_answer(raw, what, letters=_LETTERS[-1])


def _unreadable(reading: Reading) -> _Mark:
    return _Mark("unreadable", f"cannot read it: {reading.problem}")


def _mark_count(raw: Any, right: Any, candidates: Iterable[mistakes.Candidate], factor_note: Any = None) -> _Mark:
    reading = _read(raw, "count")
    if not reading.readable:
        return _unreadable(reading)
    notes = [reading.note]
    if _matches(reading, right):
        return _Mark("right", details=notes)
    if reading.tolerance is not None:  # '12.8M': a candidate within the rounding the student wrote
        diagnosis = mistakes.match(candidates, reading.value, lambda _written, candidate: reading.matches(candidate, same))
        return _Mark("wrong", diagnosis, notes)
    diagnosis = mistakes.match(candidates, reading.value, same)
    if not diagnosis and reading.other is not None:
        diagnosis = mistakes.match(candidates, reading.other, same)
    if not diagnosis and factor_note is not None:
        diagnosis = factor_note(reading.value)
    if not diagnosis and isinstance(reading.value, Fraction):
        diagnosis = f"{mistakes.n(reading.value)} is not a whole number: a count of {'values' if right else 'things'} is whole."
    return _Mark("wrong", diagnosis, notes)


def shape_items(raw: Any) -> list[Any] | None:
    """[13, 32, 150], '13x32x150', '(13, 32, 150)', '13 × 32 × 150' to a list of items; None if not a shape."""
    if isinstance(raw, (list, tuple)):
        return list(raw)
    if not isinstance(raw, str):
        return [raw] if raw is not None and not isinstance(raw, bool) else None
    text = _outer_brackets_off(raw.strip())
    if not text:
        return None
    if re.search(r"[A-Za-z_]\w*\s*\(", text):  # max(n, m) holds commas and an x
        return [part.strip() for part in re.split(r",\s+", text)] if ", " in text else [text]
    return [part for part in re.split(r"\s*(?:[x×X]|,\s|,(?=\S))\s*", text) if part != ""]


def _outer_brackets_off(text: str) -> str:
    """'(55, 55, 96)' → '55, 55, 96'; '(n − 2)x(m − 2)' stays as it is (its first bracket closes early)."""
    if len(text) < 2 or (text[0], text[-1]) not in (("(", ")"), ("[", "]")):
        return text
    depth = 0
    for position, char in enumerate(text):
        depth += char in "(["
        depth -= char in ")]"
        if depth == 0 and position < len(text) - 1:
            return text
    return text[1:-1].strip()


def _mark_shape(raw: Any, dims: tuple, layer: LayerReport | None, layout: str, rank_shape: Any) -> _Mark:
    items = shape_items(raw)
    if items is None:
        return _Mark("unreadable", f"cannot read it: {written_text(raw)} is not a shape such as (55, 55, 96)")
    foreign = foreign_digit_problem(written_text(raw))  # named whichever part it is in
    if foreign:
        return _Mark("unreadable", f"cannot read it: {foreign}")
    readings = [_read(item, "size") for item in items]
    bad = next((r for r in readings if not r.readable), None)
    if bad is not None:
        return _Mark("unreadable", f"cannot read {bad.written!r}: {bad.problem}")
    values = [r.value for r in readings]
    notes = [r.note for r in readings]
    if len(values) == len(dims) and all(_matches(r, d) for r, d in zip(readings, dims)):
        return _Mark("right", details=notes)
    if len(values) != len(dims):
        diagnosis = (mistakes.four_d(layer, values, dims, layout) if layer is not None else "") or (
            f"The output has {len(dims)} axes {_letters_text(rank_shape, layout)}; you wrote {len(values)}.")
        return _Mark("wrong", diagnosis, notes)
    letters = axis_letters(rank_shape, layout)
    marks = [f"{letter} = {mistakes.n(v)} {'✓' if _matches(r, d) else '✗ (' + pretty(mistakes.n(d)) + ')'}"
             for letter, v, r, d in zip(letters, values, readings, dims)]
    diagnosis = mistakes.other_layout(values, rank_shape, layout)
    if not diagnosis and layer is not None:
        diagnosis = _axis_diagnosis(layer, readings, dims, layout)
    return _Mark("wrong", diagnosis, ["per axis: " + ", ".join(marks)] + notes)


def _letters_text(shape: Any, layout: str) -> str:
    return "(" + ", ".join(axis_letters(shape, layout)) + ")"


def _axis_diagnosis(layer: LayerReport, readings: list[Reading], dims: tuple, layout: str) -> str:
    """One sentence per distinct slip on the wrong axes: H and W with the same slip say it once."""
    shape = layer.outcome.shape
    channel_position = 0 if layout == "chw" else len(dims) - 1
    spatial_positions = [i for i in range(len(dims)) if i != channel_position]
    sentences: list[str] = []
    for position, reading, right in zip(range(len(dims)), readings, dims):
        if _matches(reading, right):
            continue
        if position == channel_position and shape.rank:
            sentence = mistakes.match(mistakes.depth_candidates(layer), reading.value, same)
        else:
            axis = spatial_positions.index(position) if shape.rank else None
            step = layer.outcome.axes[axis] if axis is not None and axis < len(layer.outcome.axes) else None
            sentence = ""
            if step is not None:
                sentence = (mistakes.unrounded(step, reading.value)
                            or mistakes.match(mistakes.axis_candidates(step, layer), reading.value, same)
                            or mistakes.axis_fit(step, layer, reading.value))
        if sentence and sentence not in sentences:
            sentences.append(sentence)
    return " ".join(sentences)


def _mark_field(raw: Any, right: Any, layer: LayerReport | None, report: NetworkReport) -> _Mark:
    items = shape_items(raw) if not is_int(raw) else [raw]
    if items is None:
        return _Mark("unreadable", f"cannot read it: {written_text(raw)} is not a size such as 5 or 5x5")
    readings = [_read(item, "size") for item in items]
    bad = next((r for r in readings if not r.readable), None)
    if bad is not None:
        return _unreadable(bad)
    sizes = right if isinstance(right, tuple) else None
    if sizes is None:
        if all(_matches(r, right) for r in readings):
            return _Mark("right")
    elif len(readings) == len(sizes) and all(_matches(r, s) for r, s in zip(readings, sizes)):
        return _Mark("right")
    written = readings[0].value
    diagnosis = mistakes.match(mistakes.field_candidates(report, layer), written, same) if layer is not None else ""
    return _Mark("wrong", diagnosis)


# --------------------------------------------------------------------------- a layer, the network


def _verdict(where: str, key: str, raw: Any, fig: Figure, mark: _Mark, layer: LayerReport | None) -> Verdict:
    shown_value = [value(v) for v in fig.value] if isinstance(fig.value, tuple) else (
        fig.value if isinstance(fig.value, bool) else value(fig.value))
    return Verdict(where, key, written_text(raw), fig.shown, mark.status, fig.derivation,
                   None if layer is None else layer.index, None if layer is None else layer.name,
                   raw, shown_value, mark.diagnosis, mark.details)


def _layer_verdicts(layer: LayerReport, report: NetworkReport, costs, options: CheckOptions) -> list[Verdict]:
    where = f"layer {layer.index} '{layer.name}'"
    cost = costs.layers[layer.index - 1]
    layout = report.layout
    verdicts = []
    for key, raw in (layer.spec.expect or {}).items():
        if key == "valid":
            verdicts.append(mark_valid(where, raw, invalid_reason(layer), layer))
            continue
        fig = layer_figure(key, layer, cost, report, costs, layout, options.flops)
        if fig is None:
            verdicts.append(Verdict(where, key, written_text(raw), "none", "unmarked", (), layer.index, layer.name, raw, None,
                                    f"this layer's output is a vector: it has no {key.replace('_', ' ')}"))
            continue
        if key == "shape":
            mark = _mark_shape(raw, fig.value, layer, layout, layer.outcome.shape)
        elif key == "receptive_field":
            mark = _mark_field(raw, fig.value, layer, report)
        else:
            mark = _mark_count(raw, fig.value, _count_candidates(key, layer, report, cost, costs, options),
                               (lambda written, key=key: mistakes.differing_factor(layer, key, written)))
        verdicts.append(_verdict(where, key, raw, fig, mark, layer))
    return verdicts


def _count_candidates(key: str, layer: LayerReport, report: NetworkReport, cost, costs, options: CheckOptions):
    if key in ("params", "weights", "biases", "trainable_params"):
        before = next((item.input_shapes[0].channels for item in ancestors(report, layer) if item.input_shapes[0].rank), None)
        return mistakes.count_candidates(layer, key, before)
    if key == "macs":
        return mistakes.macs_candidates(layer)
    if key == "flops":
        return _flops_candidates(layer, cost, options.flops)
    if key in ("activations", "activation_memory"):
        return mistakes.activation_candidates(layer, key, costs.memory.bytes_per_element)
    return iter(())


def _flops_candidates(layer: LayerReport, cost, convention: str):
    for other in ("default", "textbook", "mac2", "macs"):
        if other != convention:
            count = flops_under(layer, cost, other)
            yield mistakes.Candidate(count, f"{mistakes.n(count)} counts FLOPs as {FLOPS_WORDS[other]}; this check counts "
                                            f"{FLOPS_WORDS[convention]}" + (" (check --flops textbook for the textbook count)."
                                                                             if other == "textbook" else "."))


def _network_verdicts(report: NetworkReport, costs, options: CheckOptions) -> list[Verdict]:
    verdicts = []
    last = report.layers[-1]
    for key, raw in (report.spec.expect or {}).items():
        if key == "valid":
            reasons = [invalid_reason(layer) for layer in report.layers]
            reason = next((r for r in reasons if r), "")
            verdicts.append(mark_valid("network", raw, reason, None))
            continue
        if key == "solve":
            verdicts += solve_verdicts(raw)
            continue
        fig = network_figure(key, report, costs, options.flops)
        if fig is None:
            verdicts.append(Verdict("network", key, written_text(raw), "none", "unmarked", (), written=raw,
                                    diagnosis=f"the network has no {key.replace('_', ' ')}"))
            continue
        if key == "output_shape":
            mark = _mark_shape(raw, fig.value, last if last.shape == report.output_shape else None, report.layout,
                               report.output_shape)
        elif key == "receptive_field":
            mark = _mark_field(raw, fig.value, last, report)
        else:
            candidates = list(mistakes.total_candidates(report, key))
            if key in ("activations", "activation_memory"):
                with_input = network_totals_with_input(report, costs, key)
                reading = _read(raw, "count")
                if reading.readable and _matches(reading, with_input):
                    mark = _Mark("right", details=[f"(counted with the input, as CS231n's VGGNet table does; without it: "
                                                   f"{mistakes.n(fig.value)})"])
                    verdicts.append(_verdict("network", key, raw, fig, mark, None))
                    continue
            if key == "total_flops":
                candidates = [mistakes.Candidate(sum((flops_under(layer, cost, other) for layer, cost in zip(report.layers, costs.layers)), 0),
                                                 f"That counts FLOPs as {FLOPS_WORDS[other]}; this check counts {FLOPS_WORDS[options.flops]}.")
                              for other in ("default", "textbook", "mac2", "macs") if other != options.flops]
            mark = _mark_count(raw, fig.value, candidates)
        verdicts.append(_verdict("network", key, raw, fig, mark, None))
    return verdicts


def _unmarked(where: str, expect: dict, layer: LayerReport | None, reason: str, index=None, name=None) -> list[Verdict]:
    return [Verdict(where, key, written_text(raw), "?", "unmarked", (), index, name, raw, None, reason)
            for key, raw in expect.items()]


# --------------------------------------------------------------------------- the sheet


def _analyze_partly(spec: NetworkSpec, limits: Limits, strict: bool = False) -> tuple[NetworkReport, SpecError | None]:
    """The report, or the report of the layers before the first one that cannot be computed, and its error."""
    try:
        return analyze(spec, strict=strict, limits=limits), None
    except SpecError as error:
        if error.layer_index is None or not _asks_valid(spec):
            raise
        kept = spec._replace(layers=tuple(layer for layer in spec.layers if layer.index < error.layer_index))
        return analyze(kept, strict=strict, limits=limits), error


def _asks_valid(spec: NetworkSpec) -> bool:
    return "valid" in (spec.expect or {}) or any("valid" in (layer.expect or {}) for layer in spec.layers)


def check_spec(spec: NetworkSpec, *, limits: Limits = DEFAULT_LIMITS, options: CheckOptions = CheckOptions()) -> list[Verdict]:
    """Every answer in the spec, in spec order (layers first, then the network's own)."""
    if options.flops not in FLOPS_CONVENTIONS:
        raise SpecError(f"unknown FLOPs convention '{options.flops}'", hint=f"choose {' or '.join(FLOPS_CONVENTIONS)}", where="--flops")
    from ..symbolic import spec_symbols

    _LETTERS.append(frozenset(spec_symbols(spec)))
    try:
        return _check_spec(spec, limits, options)
    finally:
        _LETTERS.pop()


def _check_spec(spec: NetworkSpec, limits: Limits, options: CheckOptions) -> list[Verdict]:
    report, failure = _analyze_partly(spec, limits, options.strict)
    costs = network_costs(report, dtype=options.dtype) if report.layers else None
    verdicts: list[Verdict] = []
    for layer in report.layers:
        verdicts += _layer_verdicts(layer, report, costs, options)
    if failure is not None:
        reason = failure.problem + (f"; {failure.hint}" if failure.hint else "")
        for layer in spec.layers[len(report.layers):]:
            where = f"layer {layer.index} '{layer.name}'"
            expect = dict(layer.expect or {})
            if layer.index == failure.layer_index and "valid" in expect:
                verdicts.append(mark_valid(where, expect.pop("valid"), reason, None, layer.index, layer.name))
            cause = reason if layer.index == failure.layer_index else f"layer {failure.layer_index} cannot be computed"
            verdicts += _unmarked(where, expect, None, f"cannot be marked: {cause}", layer.index, layer.name)
        expect = dict(spec.expect or {})
        if "valid" in expect:
            verdicts.append(mark_valid("network", expect.pop("valid"), f"layer {failure.layer_index}: {reason}", None))
        if "solve" in expect:
            verdicts += solve_verdicts(expect.pop("solve"))
        verdicts += _unmarked("network", expect, None, f"cannot be marked: layer {failure.layer_index} cannot be computed")
    else:
        verdicts += _network_verdicts(report, costs, options)
    if not verdicts:
        raise SpecError(
            f"{spec.source} holds no answers to check",
            hint="add e.g. 'expect: {shape: [55, 55, 96], params: 34944}' to a layer, or 'expect: {total_params: …}' at the top",
        )
    return verdicts


def check_report(report: NetworkReport, options: CheckOptions = CheckOptions()) -> list[Verdict]:
    """The answers of a spec that is already computed."""
    return check_spec(report.spec, options=options)


def check_source(source: str, *, layout: str | None = None, stdin_text: str | None = None, assignments: Iterable[str] = (),
                 limits: Limits = DEFAULT_LIMITS, options: CheckOptions = CheckOptions()) -> list[Verdict]:
    """Read SPEC (path, '-' or inline text), put in the --set values, and mark every answer in it."""
    from ..spec import load_spec
    from ..symbolic import parse_assignments, substitute

    values = parse_assignments(assignments, limits)
    spec = load_spec(source, layout=layout, stdin_text=stdin_text, limits=limits)
    return check_spec(substitute(spec, values), limits=limits, options=options)


# --------------------------------------------------------------------------- output

_MARKS = {"right": "✓", "wrong": "✗", "unreadable": "?", "unmarked": "–"}


def render_verdicts(verdicts: list[Verdict]) -> str:
    """'✓ layer 1 'conv1' shape: (55, 55, 96)', or '✗ …: you wrote …, right is …', the mistake named, and the derivation."""
    lines = []
    for v in verdicts:
        head = f"{_MARKS[v.status]} {v.where} {v.what}: "
        if v.status == "right":
            lines.append(head + v.answer)
            lines += [f"    {d}" for d in v.details]
            continue
        if v.status == "unreadable":
            lines.append(head + f"{v.answer} — {v.diagnosis}")
            continue
        if v.status == "unmarked":
            lines.append(head + f"{v.answer} — {v.diagnosis}")
            continue
        lines.append(head + f"you wrote {v.answer}, right is {v.correct}")
        lines += [f"    {d}" for d in (v.diagnosis, *v.details) if d]
        lines += [f"    {line}" for line in v.derivation]
    counts = {status: sum(v.status == status for v in verdicts) for status in STATUSES}
    tail = ", ".join(f"{counts[s]} {s}" for s in STATUSES[1:] if counts[s])
    lines.append("")
    lines.append(f"{counts['right']} of {len(verdicts)} right" + (f", {tail}" if tail else ""))
    return "\n".join(lines) + "\n"


def _plain(item: Any) -> Any:
    if isinstance(item, float):
        return getattr(item, "text", None) or item
    if isinstance(item, (list, tuple)):
        return [_plain(i) for i in item]
    if isinstance(item, dict):
        return {str(k): _plain(v) for k, v in item.items()}
    return item if item is None or isinstance(item, (bool, int, str)) else str(item)


def render_verdicts_json(verdicts: list[Verdict]) -> str:
    """The verdicts for a grading script: counts, then every answer with the exact right value."""
    from ..render.formats import versioned_json

    counts = {status: sum(v.status == status for v in verdicts) for status in STATUSES}
    record = {
        "right": counts["right"],
        "wrong": counts["wrong"],
        "unreadable": counts["unreadable"],
        "unmarked": counts["unmarked"],
        "answers": [
            {
                "layer_index": v.layer_index,
                "layer_name": v.layer_name,
                "what": v.what,
                "answer": _plain(v.written),
                "correct": _plain(v.value),
                "right": v.right,
                "status": v.status,
                "diagnosis": v.diagnosis,
                "details": list(v.details),
                "derivation": list(v.derivation),
            }
            for v in verdicts
        ],
    }
    return versioned_json(record)
