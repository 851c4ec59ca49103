"""`convcalc check`: answers marked right or wrong, with exit codes 0 / 1 / 2.

The right values in these sheets are published ones (sources next to each sheet); a wrong answer
is one a student plausibly writes (forgetting the biases, the padding or the input depth).
"""
from __future__ import annotations

import pytest

from conftest import ROOT, run_cli

# CS231n lecture 5: 32x32x3 input, ten 5x5 filters, stride 1, pad 2 -> 32x32x10, 760 parameters.
CS231N = """
input: [32, 32, 3]
layers:
  - conv2d: {{filters: 10, kernel: 5, stride: 1, padding: 2, name: conv1}}
    expect: {answers}
"""

# CS231n notes, Real-world example: AlexNet conv1 on 227x227x3 -> 55x55x96, 34,944 parameters.
ALEXNET = """
input: [227, 227, 3]
layers:
  - conv2d: {{filters: 96, kernel: 11, stride: 4, name: conv1}}
    expect: {answers}
"""

VERDICTS = [
    pytest.param(CS231N, "{shape: [32, 32, 10], params: 760}", 0,
                 ["✓ layer 1 'conv1' shape: (32, 32, 10)", "✓ layer 1 'conv1' params: 760", "", "2 of 2 right"],
                 id="CS231n lecture 5: all right"),
    pytest.param(CS231N, "{shape: [32, 32, 10], params: 750}", 1,
                 ["✓ layer 1 'conv1' shape: (32, 32, 10)",
                  "✗ layer 1 'conv1' params: you wrote 750, right is 760",
                  "    weights = 5·5·3·10 = 750",
                  "    biases = 10",
                  "    params = 750 + 10 = 760",
                  "", "1 of 2 right, 1 wrong"],
                 id="CS231n lecture 5: biases forgotten (76 per filter, not 75)"),
    pytest.param(CS231N, "{shape: [28, 28, 10]}", 1,
                 ["✗ layer 1 'conv1' shape: you wrote (28, 28, 10), right is (32, 32, 10)",
                  "    H = (32 − 5 + 2·2)/1 + 1 = 32",
                  "    W = (32 − 5 + 2·2)/1 + 1 = 32",
                  "    D = K = 10",
                  "", "0 of 1 right, 1 wrong"],
                 id="CS231n lecture 5: padding forgotten ((32-5)/1+1 = 28 is the unpadded size)"),
    pytest.param(ALEXNET, "{shape: [55, 55, 96], weights: 34848, biases: 96, params: '34,944'}", 0,
                 ["✓ layer 1 'conv1' shape: (55, 55, 96)", "✓ layer 1 'conv1' weights: 34,848",
                  "✓ layer 1 'conv1' biases: 96", "✓ layer 1 'conv1' params: 34,944", "", "4 of 4 right"],
                 id="CS231n notes: AlexNet conv1, 34,848 weights + 96 biases"),
    pytest.param(ALEXNET, "{shape: [55, 55, 96], weights: 11616}", 1,
                 ["✓ layer 1 'conv1' shape: (55, 55, 96)",
                  "✗ layer 1 'conv1' weights: you wrote 11,616, right is 34,848",
                  "    weights = 11·11·3·96 = 34,848"],
                 id="CS231n notes: AlexNet conv1 weights without the input depth 3 (seed 000's confusion)"),
]


def _sheet(tmp_path, template: str, answers: str) -> str:
    path = tmp_path / "answers.yaml"
    path.write_text(template.format(answers=answers), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("template, answers, code, lines", VERDICTS)
def test_verdicts_and_exit_code(tmp_path, template, answers, code, lines):
    result = run_cli("check", _sheet(tmp_path, template, answers))
    assert result.exit_code == code, result.stderr
    out = result.stdout.splitlines()
    start = out.index(lines[0])
    assert out[start:start + len(lines)] == lines
    assert result.stderr == ""


# The seed question (001): n×m×1 image, 3×3 conv with k1 filters and padding, 5×5 conv with k2.
# The accepted answer's corrected counts: 3·3·k1 + k1 and 5·5·k2·k1 + k2. The asker's own
# "k1·3·3 + k2·5·5" forgets the input depth k1 and the biases.
SEED = """
input: [n, m, 1]
layers:
  - conv2d: {{filters: k1, kernel: 3, padding: 1}}
    expect: {{shape: [n, m, k1], params: "3*3*k1 + k1"}}
  - conv2d: {{filters: k2, kernel: 5, padding: 2}}
    expect: {{shape: [n, m, k2], params: "5·5·k2·k1 + k2"}}
expect: {{total_params: "{total}"}}
"""


@pytest.mark.parametrize(
    "total, code, last",
    [
        pytest.param("3*3*k1 + k1 + 5*5*k2*k1 + k2", 0, "5 of 5 right", id="seed 001 accepted answer (corrected)"),
        pytest.param("k1*3*3 + k2*5*5", 1, "4 of 5 right, 1 wrong", id="seed 001 the asker's Type 1 count"),
    ],
)
def test_symbolic_answers(tmp_path, total, code, last):
    result = run_cli("check", _seed(tmp_path, total))
    assert result.exit_code == code, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == last
    if code:
        assert f"✗ network total_params: you wrote {total}, right is 25·k1·k2 + 10·k1 + k2" in result.stdout


def _seed(tmp_path, total: str) -> str:
    path = tmp_path / "seed.yaml"
    path.write_text(SEED.format(total=total), encoding="utf-8")
    return str(path)


def test_set_substitutes_before_checking(tmp_path):
    """k1 = 32, k2 = 64: 3·3·32 + 32 = 320 and 5·5·64·32 + 64 = 51,264 (seed 001's formulas with numbers)."""
    path = tmp_path / "seed_numbers.yaml"
    path.write_text(
        "input: [n, m, 1]\nlayers:\n"
        "  - conv2d: {filters: k1, kernel: 3, padding: 1}\n    expect: {params: 320}\n"
        "  - conv2d: {filters: k2, kernel: 5, padding: 2}\n    expect: {params: 51264, shape: [n, m, 64]}\n",
        encoding="utf-8",
    )
    result = run_cli("check", str(path), "--set", "k1=32", "--set", "k2=64")
    assert result.exit_code == 0, result.stdout + result.stderr


def test_shipped_answers_sheet():
    """specs/homework_cs231n_answers.yaml: the AlexNet conv1 answers are right, conv2's are wrong on purpose."""
    result = run_cli("check", str(ROOT / "specs" / "homework_cs231n_answers.yaml"))
    assert result.exit_code == 1
    assert "✓ layer 1 'conv1' params: 34,944" in result.stdout  # CS231n notes
    assert "✓ layer 2 'pool1' shape: (27, 27, 96)" in result.stdout  # AlexNet: overlapping pooling 3/2 on 55 -> 27
    assert "✗ layer 3 'conv2' weights: you wrote 250, right is 24,000" in result.stdout


def test_shipped_answers_sheet_right_values_match_torch():
    torch = pytest.importorskip("torch")
    conv1 = torch.nn.Conv2d(3, 96, 11, stride=4)
    conv2 = torch.nn.Conv2d(96, 10, 5, padding=2)
    pool = torch.nn.MaxPool2d(3, stride=2)
    out = conv2(pool(conv1(torch.zeros(1, 3, 227, 227))))
    assert tuple(out.shape[1:]) == (10, 27, 27)
    weights = conv2.weight.numel()
    total = sum(p.numel() for p in conv1.parameters()) + sum(p.numel() for p in conv2.parameters())
    result = run_cli("check", str(ROOT / "specs" / "homework_cs231n_answers.yaml"))
    assert f"right is {weights:,}" in result.stdout
    assert f"✗ network total_params: you wrote 35,204, right is {total:,}" in result.stdout


def test_summary_ignores_expect():
    result = run_cli("summary", str(ROOT / "specs" / "homework_cs231n_answers.yaml"), "--format", "json")
    assert result.exit_code == 0, result.stderr


INVALID = [
    pytest.param(
        "input: [32, 32, 3]\nlayers:\n  - conv2d: {filters: 10, kernel: 5, name: conv1}\n    expect: {parms: 760}\n",
        "convcalc: error: layer 1 'conv1' (conv2d): unknown expect key 'parms'; did you mean 'params'?\n",
        id="misspelt layer expect key",
    ),
    pytest.param(
        "input: [32, 32, 3]\nlayers:\n  - conv2d: {filters: 10, kernel: 5}\nexpect: {total: 760}\n",
        "convcalc: error: expect: unknown expect key 'total'; the keys are: output_shape, total_params, trainable_params, non_trainable_params\n",
        id="unknown top-level expect key",
    ),
    pytest.param(
        "input: [32, 32, 3]\nlayers:\n  - conv2d: {filters: 10, kernel: 5, name: c}\n    expect: {shape: 28}\n",
        "convcalc: error: layer 1 'c' (conv2d): expect shape must be a list of sizes such as [55, 55, 96], got 28\n",
        id="shape not a list",
    ),
    pytest.param(
        "input: [32, 32, 3]\nlayers:\n  - conv2d: {filters: 10, kernel: 5, name: c}\n    expect: {params: true}\n",
        "convcalc: error: layer 1 'c' (conv2d): expect params must be a whole number (or a formula in quotes), got True\n",
        id="count not a number",
    ),
    pytest.param(
        "input: [32, 32, 3]\nlayers:\n  - conv2d: {filters: 10, kernel: 5}\n",
        "convcalc: error: {path} holds no answers to check; add e.g. 'expect: {{shape: [55, 55, 96], params: 34944}}' "
        "to a layer, or 'expect: {{total_params: …}}' at the top\n",
        id="no answers at all",
    ),
]


@pytest.mark.parametrize("text, message", INVALID)
def test_invalid_sheet_exits_2(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_cli("check", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == message.format(path=path)


def test_expect_in_every_entry_form(tmp_path):
    """expect: inside the arguments, in the {type: …} form, and next to a rank-free type name."""
    path = tmp_path / "forms.yaml"
    path.write_text(
        "input: [32, 32, 3]\nlayers:\n"
        "  - conv2d: {filters: 10, kernel: 5, padding: 2, expect: {params: 760}}\n"  # CS231n lecture 5
        "  - {type: maxpool2d, kernel: 2, expect: {shape: [16, 16, 10]}}\n"  # CS231n notes: 2x2/2 pooling halves
        "  - conv: {filters: 4, kernel: 1}\n    expect: {biases: 4}\n",  # one bias per filter (CS231n: + K biases)
        encoding="utf-8",
    )
    result = run_cli("check", str(path))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "3 of 3 right"


def test_expect_inside_a_residual_block(tmp_path):
    """torchvision resnet18 layer1.0: conv1 and conv2 are 3x3, 64 -> 64, bias=False: 36,864 weights each."""
    path = tmp_path / "block.yaml"
    path.write_text(
        "input: [56, 56, 64]\nlayers:\n"
        "  - residual:\n      name: block1\n      main:\n"
        "        - conv2d: {filters: 64, kernel: 3, padding: 1, bias: false, name: conv1}\n"
        "          expect: {params: 36864, shape: [56, 56, 64]}\n"
        "        - relu\n"
        "        - conv2d: {filters: 64, kernel: 3, padding: 1, bias: false, name: conv2, expect: {weights: 36864}}\n"
        "expect: {total_params: 73728}\n",
        encoding="utf-8",
    )
    result = run_cli("check", str(path))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == "✓ layer 1 'block1.conv1' params: 36,864"
    assert result.stdout.splitlines()[-1] == "4 of 4 right"


# The shipped sheet's answers and right values. Sources: CS231n notes (AlexNet conv1 on 227x227x3:
# 55x55x96, 34,848 weights + 96 biases = 34,944; 3x3/2 pooling to 27x27x96); nn.Conv2d(96, 10, 5,
# padding=2) in PyTorch 2.13: 24,000 weights, 24,010 parameters, output (10, 27, 27).
SHEET_JSON = [
    # (layer_index, layer_name, what, answer as written, correct, right)
    (1, "conv1", "shape", [55, 55, 96], [55, 55, 96], True),
    (1, "conv1", "weights", 34848, 34848, True),
    (1, "conv1", "biases", 96, 96, True),
    (1, "conv1", "params", 34944, 34944, True),
    (2, "pool1", "shape", [27, 27, 96], [27, 27, 96], True),
    (2, "pool1", "params", 0, 0, True),
    (3, "conv2", "shape", [27, 27, 10], [27, 27, 10], True),
    (3, "conv2", "weights", 250, 24000, False),  # 5·5·10: the input depth 96 left out
    (3, "conv2", "params", 260, 24010, False),
    (None, None, "output_shape", [27, 27, 10], [27, 27, 10], True),
    (None, None, "total_params", 35204, 34944 + 24010, False),
]


def test_check_json_for_a_grading_script():
    import json

    result = run_cli("check", str(ROOT / "specs" / "homework_cs231n_answers.yaml"), "--json")
    assert result.exit_code == 1, result.stderr
    data = json.loads(result.stdout)
    assert (data["right"], data["wrong"]) == (8, 3)
    got = [(a["layer_index"], a["layer_name"], a["what"], a["answer"], a["correct"], a["right"]) for a in data["answers"]]
    assert got == SHEET_JSON
    wrong_weights = data["answers"][7]
    assert wrong_weights["derivation"][0] == "weights = 5·5·96·10 = 24,000"  # the same lines as the text verdict


def test_check_json_keeps_formulas_as_text(tmp_path):
    """An answer written as a formula stays the text the student wrote; the right value is SymPy's text."""
    import json

    path = tmp_path / "symbolic.yaml"
    path.write_text(  # seed 001: a 3x3 convolution with k1 filters on one channel has 9·k1 weights and k1 biases
        "input: [n, m, 1]\nlayers:\n  - conv2d: {filters: k1, kernel: 3, padding: 1, name: conv1}\n"
        "    expect: {weights: 9*k1, params: '10*k1'}\n",
        encoding="utf-8",
    )
    result = run_cli("check", str(path), "--json")
    assert result.exit_code == 0, result.stdout + result.stderr
    answers = json.loads(result.stdout)["answers"]
    assert [(a["answer"], a["correct"], a["right"]) for a in answers] == [("9*k1", "9*k1", True), ("10*k1", "10*k1", True)]


@pytest.mark.parametrize("command", [
    ["check", "specs/homework_cs231n_answers.yaml"],
    ["export", "specs/lenet5.yaml", "--to", "pytorch"],
    ["draw", "specs/lenet5.yaml"],
])
def test_every_spec_command_takes_limit(command):
    """The safety limits apply to every command that reads a spec, and --limit raises them (docs/errors.md)."""
    result = run_cli(*command, "--limit", "layers=2")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"convcalc: error: {command[1]}:")
    assert result.stderr.endswith(
        "a list has too many entries: over the layers limit of 2 layers; "
        "if the spec is really meant to be this large, raise it with --limit layers=N\n"
    )
    assert run_cli(*command, "--limit", "layers=1000").exit_code in (0, 1)  # check: 1, some answers are wrong


ESCAPE = ("[c for c in ().__class__.__base__.__subclasses__() if c.__name__ == 'catch_warnings'][0]()"
          "._module.__builtins__['__import__']('os').system('touch {marker}')")


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        # an answer is read, never run: this one once created the marker file through SymPy's sympify (eval)
        (ESCAPE, "holds something an answer cannot (Call)"),
        ("__import__('os').system('touch {marker}')", "holds something an answer cannot (Call)"),
        ("k1.__class__", "holds something an answer cannot (Attribute)"),
        ("lambda: 1", "holds something an answer cannot (Lambda)"),
        ("'10*k1'", "holds something an answer cannot (str)"),
        # 9^9^9 has 369 million digits: refused at once instead of computed for minutes
        ("9^9^9", "raises to the power 387420489; an answer's powers are whole numbers up to 64, such as k1^2"),
        ("k1^(1/2)", "raises to the power 1/2; an answer's powers are whole numbers up to 64, such as k1^2"),
        ("k1 + " * 300 + "k1", "the answer is a formula of 1,502 characters, too long to read; write it in at most 1,000"),
        ("10*k1 +", "cannot read the formula"),
        ("k1/0", "divides by zero"),
    ],
    ids=["sandbox escape", "import", "attribute", "lambda", "string", "power tower", "root", "too long", "syntax", "zero"],
)
def test_an_answer_is_read_never_run(tmp_path, answer, message):
    marker = tmp_path / "ran"
    answer = answer.replace("{marker}", str(marker))
    path = tmp_path / "answers.yaml"
    path.write_text(
        "input: [n, m, 1]\nlayers:\n  - conv2d: {filters: k1, kernel: 3, padding: 1, name: c1}\n"
        f"    expect: {{params: {json_string(answer)}}}\n",
        encoding="utf-8",
    )
    result = run_cli("check", str(path))
    assert not marker.exists()
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("convcalc: error: layer 1 'c1': ")
    assert message in result.stderr


def json_string(text: str) -> str:
    import json

    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar


@pytest.mark.parametrize(
    "answer",
    ["10*k1", "10·k1", "k1·10", "(3^2 + 1)·k1", "3*3*k1 + k1", "max(10*k1, 0)"],
)
def test_formula_answers_in_every_written_form(tmp_path, answer):
    """Seed 001: a 3×3 convolution with k1 filters on one channel holds 9·k1 weights + k1 biases = 10·k1."""
    path = tmp_path / "answers.yaml"
    path.write_text("input: [n, m, 1]\nlayers:\n  - conv2d: {filters: k1, kernel: 3, padding: 1, name: c1}\n"
                    f"    expect: {{params: {json_string(answer)}}}\n", encoding="utf-8")
    result = run_cli("check", str(path))
    assert result.exit_code == 0, result.stdout + result.stderr


def test_a_shape_answer_copied_from_convcalc_output(tmp_path):
    """The table writes ⌊(n − 3)/2⌋ + 1 for a 3-wide, stride-2 window (PyTorch Conv2d: floor((n − 3)/2) + 1);
    a student may paste it back as the answer."""
    path = tmp_path / "answers.yaml"
    path.write_text("input: [n, n, 1]\nlayers:\n  - conv2d: {filters: 4, kernel: 3, stride: 2, name: c1}\n"
                    f"    expect: {{shape: [{json_string('⌊(n − 3)/2⌋ + 1')}, 'floor((n-3)/2) + 1', 4]}}\n", encoding="utf-8")
    result = run_cli("check", str(path))
    assert result.exit_code == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("answer", "exit_code"),
    [
        # PyTorch Conv2d, kernel 3, stride 2: floor((n − 3)/2) + 1; (n − 2)/2 differs for every even n
        ("floor((n - 3)/2) + 1", 0),
        ("floor((n - 2)/2) + 1", 1),
        ("ceil((n - 4)/2) + 1", 0),  # ⌈(n − 4)/2⌉ = ⌊(n − 3)/2⌋ for every integer n
        ("(n - 1)/2", 1),  # right for odd n only
        # once expanded by SymPy's simplify for minutes: a huge wrong answer is now decided at once
        ("(n + m + k1 + 1)^64", 1),
    ],
)
def test_formula_answers_are_compared_for_every_size(tmp_path, answer, exit_code):
    path = tmp_path / "answers.yaml"
    path.write_text("input: [n, n, 1]\nlayers:\n  - conv2d: {filters: k1, kernel: 3, stride: 2, name: c1}\n"
                    f"    expect: {{shape: [{json_string(answer)}, 'floor((n-3)/2) + 1', k1]}}\n", encoding="utf-8")
    result = run_cli("check", str(path))
    assert result.exit_code == exit_code, result.stdout + result.stderr
