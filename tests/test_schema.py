"""`convcalc schema spec|output|check|solve|types|list`: JSON Schemas that say what convcalc itself
reads and writes.

The oracle is convcalc: every spec its loader reads must validate against the spec schema, and a
table of specs its loader refuses (with the loader's own message) must fail it; every JSON report
it writes must validate against the output schema, which must name exactly the keys it writes, and
every other command's JSON against its own schema. jsonschema comes with the `test` extra.
"""
from __future__ import annotations

import json

import pytest
import yaml
from conftest import ROOT, SPECS, run_cli

jsonschema = pytest.importorskip("jsonschema")

from convcalc import SpecError, __version__, load_spec, spec_from_text, summary  # noqa: E402
from convcalc.output_schema import OPTIONAL, SCHEMAS, output_schema  # noqa: E402
from convcalc.schema import PARSERS, spec_schema  # noqa: E402


@pytest.fixture(scope="module")
def spec_validator():
    schema = spec_schema()
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


@pytest.fixture(scope="module")
def output_validator():
    schema = output_schema()
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def _errors(validator, document) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(document)]


# --------------------------------------------------------------------------- the spec schema


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_every_shipped_spec_validates(spec_validator, spec):
    load_spec(str(spec))  # convcalc reads it
    assert _errors(spec_validator, yaml.safe_load(spec.read_text(encoding="utf-8"))) == []


# Specs convcalc reads, written as people write them: Keras and PyTorch spellings and names,
# the type: form, bare and inline layers, templates, blocks, symbols and expressions.
READ = [
    "input: [32, 32, 3]\nlayers:\n  - Conv2D: {filters: 10, kernel_size: 5, strides: 1, padding: same, activation: relu}\n"
    "  - MaxPooling2D: {pool_size: 2}\n  - Flatten\n  - Dense: 10",
    "input: [3, 32, 32]\nlayout: CHW\nlayers:\n  - {type: conv2d, out_channels: 8, kernel: 3, bias: false, name: c1}\n"
    "  - {batchnorm: {epsilon: 1e-5}}\n  - conv2d 8 kernel=3 padding=1\n  - {dropout: 0.5}\n  - {type: dropout, p: 0.1}",
    "input: [28, 28, 1]\nlayers:\n  - conv: {filters: 4, kernel: [3, 5], padding: [[1, 1], [2, 2]], padding_mode: zeros}\n"
    "  - maxpool: 2\n  - {relu: null, name: r, from: conv_1}\n  - global_avgpool\n  - dense: {units: 10, activation: linear}",
    "input: [n, m, 1]\nsymbols: [n, m, k1]\nlayers:\n  - conv2d: {filters: k1, kernel: 3, padding: 1}\n  - reshape: {shape: [-1]}",
    "name: 7\ndescription: 2.5\nsymbols: []\ninput: [8, 8, 1]\nlayers: [relu]",
    "input: [8, 8, 4]\nblocks:\n  unit:\n    params: [width, deep: false]\n    layers:\n"
    "      - conv2d: {filters: $width, kernel: 1}\n      - {relu: null, if: $deep}\n"
    "layers:\n  - unit: {width: 4, name: u1}\n  - repeat: {times: 2, layers: [unit: {width: $(4 * (i + 1))}]}\n"
    "  - residual: {main: [conv2d: {filters: 8, kernel: 1}], after: [relu]}\n"
    "  - branches: [[conv2d: {filters: 2, kernel: 1}], []]\n"
    "  - branches: {paths: {a: [conv2d: {filters: 2, kernel: 1}], b: null}, merge: concat, axis: -1}",
    '{"input": [28, 28, 1], "layers": [{"conv2d": {"filters": 4, "kernel": 3}}, "flatten", {"dense": 10}]}',
]


@pytest.mark.parametrize("text", READ, ids=range(len(READ)))
def test_specs_convcalc_reads_validate(spec_validator, text):
    spec_from_text(text)  # convcalc reads it (else the row is wrong)
    assert _errors(spec_validator, yaml.safe_load(text)) == []


# Specs convcalc refuses for what a schema can see, and the loader's words for each.
REFUSED = [
    ("input: [32, 32, 3]\nlayer: [relu]", "unknown top-level key 'layer'"),
    ("layers: [relu]", "has no input"),
    ("input: [32, 32, 3]\nlayers: []", "has no layers"),
    ("description: {a: 1}\ninput: [32, 32, 3]\nlayers: [relu]", "description must be text"),
    ("symbols: [n, n]\ninput: [n, 3, 3]\nlayers: [relu]", "the symbol 'n' is listed twice"),
    ("input: [32, 32, 3]\nlayout: nchw\nlayers: [relu]", "layout must be 'hwc' or 'chw'"),
    ("input: [1, 2, 3, 4, 5]\nlayers: [relu]", "input has 5 axes"),
    ("input: [32, 32, 3]\nlayers:\n  - conv2d: {filters: 10, kernel: 5, padd: 2}", "unknown argument 'padd'"),
    ("input: [32, 32, 3]\nlayers:\n  - conv2d: {filters: 10}", "missing required argument 'kernel'"),
    ("input: [32, 32, 3]\nlayers:\n  - conv2d: 10", "missing required argument 'kernel'"),
    ("input: [32, 32, 3]\nlayers:\n  - relu: 3", "relu takes no value"),
    ("input: [32, 32, 3]\nlayers:\n  - dense: {units: 0}", "units must be an integer ≥ 1"),
    ("input: [32, 32, 3]\nlayers:\n  - conv2d: {filters: 4, kernel: 3, bias: 1}", "bias must be true or false"),
    ("input: [32, 32, 3]\nlayers:\n  - dropout: 1.5", "rate must be a number from 0 up to (not including) 1"),
    ("input: [32, 32, 3]\nlayers:\n  - batchnorm: {eps: -0.1}", "eps must be a number ≥ 0"),
    ("input: [32, 32, 3]\nlayers:\n  - batchnorm: {momentum: 1.5}", "momentum must be a number from 0 to 1"),
    ("input: [32, 32, 3]\nlayers:\n  - {type: dropout, rat: 0.5}", "unknown argument 'rat'"),
    ("input: [32, 32, 3]\nlayers:\n  - avgpool2d: {kernel: 2, dilation_rate: 2}", "unknown argument 'dilation_rate'"),
    ("input: [32, 32, 3]\nlayers:\n  - flatten: {activation: relu}", "unknown argument 'activation'"),
    ("input: [32, 32, 3]\nlayers:\n  - residual: {main: [relu], shortcutt: [relu]}", "unknown residual option 'shortcutt'"),
    ("input: [32, 32, 3]\nlayers:\n  - repeat: {layers: [relu]}", "repeat needs times"),
    ("input: [32, 32, 3]\nlayers:\n  - {name: a}", "exactly one layer type"),
    ("input: [32, 32, 3]\nblocks:\n  unit: {layers: [relu], param: [a]}\nlayers: [unit]", "unknown key 'param'"),
]


@pytest.mark.parametrize(("text", "words"), REFUSED, ids=[w for _, w in REFUSED])
def test_specs_convcalc_refuses_fail_the_schema(spec_validator, text, words):
    with pytest.raises(SpecError) as caught:
        spec_from_text(text)
    assert words in caught.value.message
    assert _errors(spec_validator, yaml.safe_load(text)) != []


def test_every_kind_and_argument_is_in_the_schema():
    """A registry walk: each kind is a key of a layer entry with each of its arguments, defaults and
    Keras/PyTorch aliases; and every argument checker has its schema (a new one fails here: add it to
    convcalc/schema.py's PARSERS)."""
    from convcalc.layers import KINDS, argument_aliases

    schema = spec_schema()
    keyed = schema["definitions"]["entry"]["anyOf"][1]["else"]["properties"]
    unmapped = sorted({f"{kind.name}.{arg.name} ({arg.parse.__name__})" for kind in KINDS.values() for arg in kind.args
                       if arg.parse not in PARSERS})
    assert unmapped == [], "give each new argument checker its schema in PARSERS (convcalc/schema.py)"
    for kind in KINDS.values():
        assert keyed[kind.name] == {"$ref": f"#/definitions/kind.{kind.name}"}
        arguments = schema["definitions"][f"arguments.{kind.name}"]["properties"]
        for arg in kind.args:
            assert arg.doc in arguments[arg.name]["description"]
            if not arg.required and arg.shown_default is None and isinstance(arg.default, (bool, int, str)):
                assert arguments[arg.name]["default"] == arg.default
        for own, aliases in argument_aliases(kind).items():
            assert all(alias in arguments for alias in aliases), (kind.name, own)


def test_schema_command_prints_the_schemas(tmp_path):
    assert json.loads(run_cli("schema", "spec").stdout) == spec_schema()
    result = run_cli("schema", "output", "-o", str(tmp_path / "out.json"))
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8")) == output_schema()
    wrong = run_cli("schema", "specs")
    assert wrong.exit_code == 2 and wrong.stdout == ""
    assert wrong.stderr.startswith("convcalc: error: invalid value for 'spec|output|check|solve|types|list': 'specs' is not one of "
                                   "'spec', 'output', 'check', 'solve', 'types', 'list'")


# --------------------------------------------------------------------------- the output schema


def _outputs():
    """(id, JSON text) for every shipped spec, and for the options that change the record."""
    for spec in SPECS:
        yield spec.stem, ("summary", str(spec.relative_to(ROOT)), "-f", "json")
    yield "explain", ("explain", "specs/resnet18.yaml", "-f", "json")
    yield "layout", ("summary", "specs/lenet5.yaml", "-f", "json", "--layout", "chw")
    yield "memory", ("summary", "specs/mobilenet_v2.yaml", "-f", "json", "--dtype", "int8", "--batch", "8", "--optimizer", "sgd")
    yield "set", ("summary", "specs/homework_symbolic.yaml", "-f", "json", "--set", "k1=32")
    yield "fraction", ("summary", "input 5x5x1; conv_transpose2d 1 kernel=3 stride=2; conv2d 1 kernel=2 stride=3", "-f", "json")


OUTPUTS = list(_outputs())


@pytest.mark.parametrize("args", [args for _, args in OUTPUTS], ids=[name for name, _ in OUTPUTS])
def test_every_json_output_validates(output_validator, monkeypatch, args):
    if "symbolic" in " ".join(args):
        pytest.importorskip("sympy")
    monkeypatch.chdir(ROOT)
    result = run_cli(*args)
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert _errors(output_validator, record) == []
    assert (record["schema_version"], record["convcalc_version"]) == (1, __version__)


def test_the_output_schema_names_exactly_the_keys_written():
    """Additions are allowed by the schema (additionalProperties), so this catches drift both ways:
    a key written but not described, or described but never written."""
    schema = output_schema()
    definitions = schema["definitions"]
    record = summary(ROOT / "specs" / "resnet18.yaml").to_dict()
    explained = json.loads(run_cli("explain", str(ROOT / "specs/resnet18.yaml"), "-f", "json").stdout)
    # keys written only for some specs (a split's output_shapes, a training-only head's figures) are optional
    assert set(schema["properties"]) - set(OPTIONAL) == (set(record) | set(explained)) - set(OPTIONAL)
    assert set(schema["required"]) == set(record) - set(OPTIONAL)
    assert set(definitions["layer"]["properties"]) - set(OPTIONAL) == set(explained["layers"][0]) - set(OPTIONAL)
    assert set(definitions["layer"]["required"]) == set(record["layers"][0])
    assert set(definitions["block"]["properties"]) == set(record["blocks"][0]) == set(definitions["block"]["required"])
    assert set(definitions["memory"]["properties"]) == set(record["memory"])


@pytest.mark.parametrize("convention", ["default", "textbook"])
def test_csv_says_how_its_flops_are_counted_as_json_does(convention):
    """CSV has no place for a note beside the numbers: a flops_convention column carries JSON's
    flops_convention on every row, and the file stays plain CSV (one header row, no comments)."""
    import csv
    import io

    spec = str(ROOT / "specs" / "lenet5.yaml")
    record = json.loads(run_cli("summary", spec, "-f", "json", "--flops", convention).stdout)
    rows = list(csv.DictReader(io.StringIO(run_cli("summary", spec, "-f", "csv", "-c", "name,flops", "--flops", convention).stdout)))
    assert {row["flops_convention"] for row in rows} == {record["flops_convention"]}
    assert [int(row["flops"]) for row in rows[1:]] == [layer["flops"] for layer in record["layers"]]



# --------------------------------------------------------------------------- the other commands' JSON

# Each command's -f json and the schema that describes it: summary and explain write the report
# (output), import writes a spec (a spec carries no version: it is read back as written).
JSON_SCHEMA_OF = {"summary": "output", "explain": "output", "check": "check", "solve": "solve", "types": "types",
                  "list": "list", "import": "spec", "schema": None}  # schema prints a JSON Schema (checked above)


def test_every_command_that_writes_json_has_its_schema():
    """A walk over the CLI: a command whose --format offers json is in JSON_SCHEMA_OF (a new one fails here)."""
    import click

    from convcalc.cli import main

    writes_json = sorted(name for name, command in main.all_commands().items()
                         for p in command.params if p.name == "output_format" and isinstance(p.type, click.Choice) and "json" in p.type.choices)
    assert writes_json == sorted(JSON_SCHEMA_OF)
    assert {which for which in JSON_SCHEMA_OF.values() if which} <= set(SCHEMAS)


COMMAND_OUTPUTS = [
    ("check", ("check", "specs/homework_cs231n_answers.yaml", "-f", "json"), 1),  # wrong on purpose in two places: exit 1
    ("check", ("check", "specs/homework_seed_answers.yaml", "-f", "json"), 1),  # the seed question's sheet: two wrong
    ("solve", ("solve", "--in", "224", "--out", "112", "--kernel", "7", "--stride", "2", "-f", "json"), 0),
    ("solve", ("solve", "--in", "32", "--kernel", "3", "--stride", "2", "--padding", "same", "--op", "transposed", "-f", "json"), 0),
    ("solve", ("solve", "--in", "32", "--out", "16", "--op", "pool", "-f", "json"), 0),
    ("solve", ("solve", "--out", "16", "--kernel", "3", "--stride", "2", "--padding", "1", "-f", "json"), 0),
    ("types", ("types", "-f", "json"), 0),
    ("list", ("list", "-f", "json"), 0),
]


@pytest.mark.parametrize(("which", "args", "exit_code"), COMMAND_OUTPUTS, ids=[" ".join(a[:2]) + f"-{i}" for i, (_, a, _) in enumerate(COMMAND_OUTPUTS)])
def test_every_command_json_validates_and_says_its_versions(monkeypatch, which, args, exit_code):
    schema = SCHEMAS[which]()
    jsonschema.Draft7Validator.check_schema(schema)
    monkeypatch.chdir(ROOT)
    result = run_cli(*args)
    assert result.exit_code == exit_code, result.stderr
    record = json.loads(result.stdout)
    assert _errors(jsonschema.Draft7Validator(schema), record) == []
    assert list(record)[:2] == ["schema_version", "convcalc_version"]
    assert (record["schema_version"], record["convcalc_version"]) == (1, __version__)
    assert set(schema["properties"]) == set(record)  # the schema names exactly the keys written


def test_the_existing_keys_of_check_and_solve_stay_as_they_were():
    """Additive: a script that read check's or solve's JSON before the versions were added reads it still."""
    verdicts = json.loads(run_cli("check", str(ROOT / "specs" / "homework_cs231n_answers.yaml"), "-f", "json").stdout)
    assert (verdicts["right"], verdicts["wrong"]) == (8, 3)  # the sheet's README example: 8 of 11 right, 3 wrong
    solved = json.loads(run_cli("solve", "--in", "224", "--out", "112", "--kernel", "7", "--stride", "2", "-f", "json").stdout)
    assert [s["padding"] for s in solved["solutions"]] == [3]  # torchvision's ResNet conv1: 7x7, stride 2, padding 3
