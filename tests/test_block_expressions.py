"""Template expressions: the functions modern networks compute widths with, and messages in the spec's words.

Each row's expected value comes from the function's own documentation or from the layer width a
published model has (torchvision's model printouts), not from convcalc's code.
"""
from __future__ import annotations

import pytest

from conftest import run_cli

E = "convcalc: error: "


def _spec(expression: str, params: str = "c: 16") -> str:
    return (
        "input: [4, 4, 8]\n"
        "blocks:\n"
        "  b:\n"
        f"    params: {{{params}}}\n"
        "    layers:\n"
        f"      - conv2d: {{filters: '{expression}', kernel: 1}}\n"
        "layers:\n"
        "  - b\n"
    )


def _filters(tmp_path, expression: str, params: str = "c: 16") -> int:
    path = tmp_path / "spec.yaml"
    path.write_text(_spec(expression, params), encoding="utf-8")
    result = run_cli("summary", str(path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    import json

    return json.loads(result.stdout)["output_shape"][-1]


VALUES = [
    ("torchvision efficientnet_b0 features[1][0]: SE fc1 is Conv2d(32, 8, 1), squeeze = max(1, 32 // 4)",
     "$(max(1, c // 4))", "c: 32", 8),
    ("torchvision efficientnet: max(1, c // 4) is never 0 (a 3-channel block still squeezes to 1)",
     "$(max(1, c // 4))", "c: 3", 1),
    ("Python docs, min(): the smallest of two or more arguments",
     "$(min(c, 5, 9))", "c: 16", 5),
    ("Python docs, round(): 'round(0.5) and round(-0.5) are 0, and round(1.5) is 2' (halves to even)",
     "$(round(c / 2) + 1)", "c: 5", 3),
    ("Python docs, round(): round(3.5) is 4 (halves to the even neighbour)",
     "$(round(c / 2))", "c: 7", 4),
    ("torchvision regnet_y_400mf trunk_output.block1[0]: SE fc1 is Conv2d(48, 8): int(round(0.25 * 32))",
     "$(int(round(0.25 * c)))", "c: 32", 8),
    ("Python docs, int(): a float is truncated towards zero, int(2.9) == 2",
     "$(int(c / 10 * 3))", "c: 9", 2),
    ("Python docs, math.ceil: the smallest integer >= x; ceil(16 / 3) == 6",
     "$(ceil(c / 3))", "c: 16", 6),
    ("Python docs, math.floor: the largest integer <= x; floor(16 / 3) == 5",
     "$(floor(c / 3))", "c: 16", 5),
    ("torchvision mobilenet_v3_large features[4]: SE on 72 channels squeezes to 24 = _make_divisible(72 // 4, 8)",
     "$(make_divisible(c // 4, 8))", "c: 72", 24),
    ("torchvision mobilenet_v3_large features[6]: SE on 120 channels squeezes to 32 = _make_divisible(120 // 4, 8)",
     "$(make_divisible(c // 4, 8))", "c: 120", 32),
    ("torchvision mobilenet_v3_small features[1]: SE on 16 channels squeezes to 8 = _make_divisible(16 // 4, 8)",
     "$(make_divisible(c // 4, 8))", "c: 16", 8),
    ("torchvision MobileNetV2(width_mult=0.5) first conv: _make_divisible(32 * 0.5, 8) = 16",
     "$(make_divisible(c * 0.5, 8))", "c: 32", 16),
    ("exact past 2**53: ceil(c / 3) for c = 10**30 + 1 is (10**30 + 1 + 2) // 3 (a float would round)",
     "$(ceil(c / 3) - 333333333333333333333333333334 + 1)", "c: 1000000000000000000000000000001", 1),
]


@pytest.mark.parametrize("source, expression, params, expected", VALUES, ids=[v[0][:60] for v in VALUES])
def test_expression_functions(tmp_path, source, expression, params, expected):
    assert _filters(tmp_path, expression, params) == expected, source


ERRORS = [
    ("a flow mapping split at the comma",
     "input: [4, 4, 8]\nblocks:\n  b:\n    params: [c]\n    layers:\n      - conv2d: {filters: $(max(1, c // 4)), kernel: 1}\n"
     "layers:\n  - b: {c: 8}\n",
     "layer 1 'b_1' (conv2d): YAML split 'filters: $(max(1, c // 4))' at the comma: inside {…} a comma ends a value; "
     "quote the expression (filters: '$(max(1, c // 4))') or write the mapping one key per line"),
    ("a flow mapping of template parameters split at the comma",
     "input: [4, 4, 8]\nblocks:\n  b:\n    params: [c]\n    layers:\n      - conv2d: {filters: $c, kernel: 1}\n"
     "  outer:\n    params: [d]\n    layers:\n      - b: {c: $(max(1,d)), name: x}\nlayers:\n  - outer: {d: 8}\n",
     # the comma's spacing is lost with the split: the message writes it ', '
     "layer 1 'outer_1.x' (b): YAML split 'c: $(max(1, d))' at the comma: inside {…} a comma ends a value; "
     "quote the expression (c: '$(max(1, d))') or write the mapping one key per line"),
    ("an unknown function",
     _spec("$(sqrt(c))"),
     "layer 1 'b_1' (conv2d): 'sqrt(c)' calls sqrt(), which spec expressions do not have; "
     "the functions are max, min, round, int, ceil, floor, make_divisible"),
    ("a method call",
     _spec("$(c.bit_length())"),
     "layer 1 'b_1' (conv2d): 'c.bit_length()' calls c.bit_length(), which spec expressions do not have; "
     "the functions are max, min, round, int, ceil, floor, make_divisible"),
    ("too few arguments",
     _spec("$(max(c))"),
     "layer 1 'b_1' (conv2d): 'max(c)' gives max() 1 argument; it takes 2 or more"),
    ("too many arguments",
     _spec("$(ceil(c, 2))"),
     "layer 1 'b_1' (conv2d): 'ceil(c, 2)' gives ceil() 2 arguments; it takes 1"),
    ("a named argument",
     _spec("$(round(c, ndigits=1))"),
     "layer 1 'b_1' (conv2d): 'round(c, ndigits=1)' gives round() a named or starred argument; write round(a, b) with plain values"),
    ("text given to a function",
     _spec("$(max(c, \"a\"))"),
     "layer 1 'b_1' (conv2d): cannot compute 'max(c, \"a\")': max() takes numbers, got 'a'"),
    ("indexing",
     _spec("$([c][0])"),
     "layer 1 'b_1' (conv2d): '[c][0]' is not a spec expression; use numbers, parameters, + - * / // % **, comparisons, "
     "and/or/not, 'a if c else b' and max, min, round, int, ceil, floor, make_divisible"),
    ("a membership test",
     _spec("$(1 + (c in c))"),
     "layer 1 'b_1' (conv2d): '1 + (c in c)' uses 'c in c', which a spec expression does not allow; use numbers, parameters, "
     "+ - * / // % **, comparisons, and/or/not, 'a if c else b' and max, min, round, int, ceil, floor, make_divisible"),
    ("make_divisible with a fractional divisor",
     _spec("$(make_divisible(c, 2.5))"),
     "layer 1 'b_1' (conv2d): cannot compute 'make_divisible(c, 2.5)': make_divisible needs a whole divisor ≥ 1, got 2.5"),
    ("a power of a fraction past the digits limit",
     _spec("$((c / 3) ** 100000)"),
     "layer 1 'b_1' (conv2d): '(c / 3) ** 100000' makes a number of more than 4,000 digits; "
     "if the spec is really meant to be this large, raise it with --limit digits=N"),
]


@pytest.mark.parametrize("text, message", [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_expression_errors_speak_the_spec_language(tmp_path, text, message):
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_cli("summary", str(path))
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", E + message + "\n")
    for jargon in ("(Call)", "(Attribute)", "(Subscript)", "(Compare)", "ast."):
        assert jargon not in result.stderr
