"""`convcalc check`: a student's answers (``expect:`` in a spec) marked right or wrong.

A wrong answer comes back with the right value and its derivation (the --explain lines that
produce it), so the student sees where their arithmetic went another way.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..arith import fmt, is_int
from ..engine import LayerReport, NetworkReport, value
from ..errors import SpecError
from ..render.explain import explain_layer, pretty, total_lines


@dataclass(frozen=True)
class Verdict:
    """One answer: where it belongs, what it is about, what was written and what is right."""

    where: str  # "layer 1 'conv1'" or "network"
    what: str  # 'shape', 'params', 'total_params', …
    answer: str  # as the student wrote it
    correct: str  # the right value as convcalc prints it
    right: bool
    derivation: tuple[str, ...] = ()
    layer_index: int | None = None  # None for an answer about the whole network
    layer_name: str | None = None
    written: Any = None  # the answer exactly as the spec holds it (a number, text or a list)
    value: Any = None  # the right value: an exact int, a list of them, or a formula's text


def _number(answer: Any, where: str) -> Any:
    """An answer as an int (34944, '34,944', '34 944') or, when it has letters, a SymPy formula."""
    if is_int(answer):
        return answer
    text = str(answer).strip().replace(",", "").replace("_", "").replace(" ", "")
    if text.isdecimal():  # not isdigit(): '²' is a digit that int() cannot read
        return int(text)
    from .formulas import parse_formula

    return parse_formula(str(answer), where)


def _same(answer: Any, value: Any, where: str) -> bool:
    written = _number(answer, where)
    if is_int(written) and is_int(value):
        return written == value
    return _equal_for_every_size(written, value)


POINTS = 40  # sizes at which two formulas are compared: 24 small (1 to 24), 16 large (10^6 to 10^9)


def _equal_for_every_size(first: Any, second: Any) -> bool:
    """Two formulas in the sizes (n, k1, …) compared exactly at 40 sizes, small and large, the same
    40 on every run: different formulas of the kind a network gives (polynomials, with floors and
    ceilings of fractions) differ at some of them. SymPy's simplify decided this before, but an
    answer such as (k1 + k2 + n + m + 1)^64 made it expand for minutes, and it could not prove
    some right answers with floors equal."""
    import random

    import sympy  # one side is a formula: SymPy is already loaded for it

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


def _written(answer: Any) -> str:
    if isinstance(answer, list):
        return "(" + ", ".join(str(a) for a in answer) + ")"
    return fmt(answer) if is_int(answer) else str(answer)


def _shape_right(answer: list, dims: tuple, where: str) -> bool:
    return len(answer) == len(dims) and all(_same(a, d, where) for a, d in zip(answer, dims))


def _layer_verdicts(layer: LayerReport, layout: str) -> list[Verdict]:
    where = f"layer {layer.index} '{layer.name}'"
    explained = explain_layer(layer, layout)
    out = layer.outcome
    counts = {
        "params": out.params,
        "weights": out.weights,
        "biases": out.biases,
        "trainable_params": out.trainable,
        "non_trainable_params": out.non_trainable,
    }
    verdicts = []
    for key, answer in (layer.spec.expect or {}).items():
        if key == "shape":
            dims = out.shape.in_layout(layout)
            right = _shape_right(answer, dims, where)
            verdicts.append(Verdict(where, key, _written(answer), pretty(out.shape.describe(layout)), right, explained.shape_lines,
                                    layer.index, layer.name, answer, [value(d) for d in dims]))
        else:
            right = _same(answer, counts[key], where)
            verdicts.append(Verdict(where, key, _written(answer), pretty(fmt(counts[key])), right, explained.param_lines,
                                    layer.index, layer.name, answer, value(counts[key])))
    return verdicts


def _network_verdicts(report: NetworkReport) -> list[Verdict]:
    totals = {
        "total_params": report.total_params,
        "trainable_params": report.trainable_params,
        "non_trainable_params": report.non_trainable_params,
    }
    verdicts = []
    for key, answer in (report.spec.expect or {}).items():
        if key == "output_shape":
            shape = report.output_shape
            right = _shape_right(answer, shape.in_layout(report.layout), "expect")
            derivation = tuple(f"layer {layer.index} '{layer.name}' → {pretty(layer.shape.describe(report.layout))}" for layer in report.layers)
            verdicts.append(Verdict("network", key, _written(answer), pretty(shape.describe(report.layout)), right, derivation,
                                    written=answer, value=[value(d) for d in shape.in_layout(report.layout)]))
        else:
            right = _same(answer, totals[key], "expect")
            per_layer = tuple(
                f"layer {layer.index} '{layer.name}': {pretty(fmt(layer.outcome.params))}"
                for layer in report.layers
                if not (is_int(layer.outcome.params) and layer.outcome.params == 0)
            )
            derivation = per_layer + (total_lines(report) if key == "total_params" else ())
            verdicts.append(Verdict("network", key, _written(answer), pretty(fmt(totals[key])), right, derivation,
                                    written=answer, value=value(totals[key])))
    return verdicts


def check_report(report: NetworkReport) -> list[Verdict]:
    """Every answer in the spec, in spec order (layers first, then the network's totals)."""
    verdicts: list[Verdict] = []
    for layer in report.layers:
        verdicts += _layer_verdicts(layer, report.layout)
    verdicts += _network_verdicts(report)
    if not verdicts:
        raise SpecError(
            f"{report.spec.source} holds no answers to check",
            hint="add e.g. 'expect: {shape: [55, 55, 96], params: 34944}' to a layer, or 'expect: {total_params: …}' at the top",
        )
    return verdicts


def render_verdicts(verdicts: list[Verdict]) -> str:
    """'✓ layer 1 'conv1' shape (55, 55, 96)' or '✗ …: you wrote …, right is …' and the derivation."""
    lines = []
    for verdict in verdicts:
        if verdict.right:
            lines.append(f"✓ {verdict.where} {verdict.what}: {verdict.answer}")
            continue
        lines.append(f"✗ {verdict.where} {verdict.what}: you wrote {verdict.answer}, right is {verdict.correct}")
        lines += [f"    {line}" for line in verdict.derivation]
    wrong = sum(not v.right for v in verdicts)
    lines.append("")
    lines.append(f"{len(verdicts) - wrong} of {len(verdicts)} right" + (f", {wrong} wrong" if wrong else ""))
    return "\n".join(lines) + "\n"


def render_verdicts_json(verdicts: list[Verdict]) -> str:
    """The verdicts for a grading script: counts, then every answer with the exact right value."""
    import json

    wrong = sum(not v.right for v in verdicts)
    record = {
        "right": len(verdicts) - wrong,
        "wrong": wrong,
        "answers": [
            {
                "layer_index": v.layer_index,
                "layer_name": v.layer_name,
                "what": v.what,
                "answer": v.written,
                "correct": v.value,
                "right": v.right,
                "derivation": list(v.derivation),
            }
            for v in verdicts
        ],
    }
    return json.dumps(record, indent=2, ensure_ascii=False) + "\n"
