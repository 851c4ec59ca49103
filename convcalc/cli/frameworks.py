"""The commands between convcalc and the frameworks: `export` (a spec as PyTorch or Keras code) and
`import` (an ONNX, Keras or PyTorch model as a spec)."""
from __future__ import annotations

import click

from ..errors import SpecError
from .reading import load
from .support import (
    chosen_format,
    fail,
    format_option,
    limit_option,
    no_layout_option,
    output_option,
    quiet_option,
    set_option,
    spec_argument,
    strict_option,
    write_file,
)


@click.command(epilog="\b\nExamples:\n"
                     "  convcalc export specs/resnet18.yaml -f pytorch -o resnet18.py\n"
                     "  convcalc export specs/lenet5.yaml -f keras -o lenet5_keras.py\n"
                     "  convcalc export specs/lenet5.yaml -f pytorch | python -")
@spec_argument()
@format_option(("pytorch", "keras"), "", "The framework to write code for", required=True)
@click.option("--to", "target", type=click.Choice(["pytorch", "keras"]), help="Same as --format.")
@output_option()
@no_layout_option("export writes shapes in the framework's own order")
@quiet_option
@limit_option
@set_option
@strict_option
def export(spec: str, output_format: str | None, target: str | None, output: str | None, strict: bool = False,
           assignments: tuple[str, ...] = (), limit_options: tuple[str, ...] = (), quiet: bool = False) -> None:
    """Write the network as PyTorch (nn.Module) or Keras (functional API) code.

    The module runs on its own: `convcalc export SPEC -f pytorch | python -` prints the
    output shape of a zero tensor passed through it.
    """
    from ..frameworks.export import export as export_code
    from ..limits import int_digits

    framework = chosen_format(output_format, "", {f"--to {target}": target})
    if not framework:
        raise click.MissingParameter(ctx=click.get_current_context(), param_hint="'--format' / '-f'", param_type="option")
    try:
        report, limits = load(spec, strict=strict, assignments=assignments, limit_options=limit_options)
        with int_digits(limits):
            code = export_code(report, framework)
        write_file(output or "-", code)
    except SpecError as error:
        fail(error)


@click.command("import", epilog="\b\nExamples:\n"
                               "  convcalc import model.onnx -o model.yaml\n"
                               "  convcalc import keras_model.json > model.yaml\n"
                               "  convcalc import torchvision.models:resnet18 --input 3x224x224 -o r18.yaml")
@spec_argument("source", "SOURCE")
@format_option(("yaml", "json"), "yaml", "The spec's format")
@output_option()
@click.option("--input", "input_shape", metavar="SHAPE",
              help="The input of one sample, channels first for PyTorch (3x224x224; no batch). Needed for PyTorch; "
                   "overrides a Keras model's own.")
@click.option("--as-identity", "as_identity", multiple=True, metavar="NAME",
              help="Read this module, layer, node or operation (by name or class) as identity: for one that changes "
                   "no shape and holds no parameters, such as a custom activation. Repeatable.")
@quiet_option
def import_(source: str, output_format: str | None, output: str | None, input_shape: str | None, as_identity: tuple[str, ...],
            quiet: bool = False) -> None:
    """Read a model into a convcalc spec: an ONNX file, a Keras model's JSON, or a PyTorch module.

    SOURCE is an .onnx file (needs pip install 'convcalc[onnx]'), a Keras model.to_json() file or
    .keras archive (needs nothing), or a PyTorch module or factory as package.module:name or
    file.py:name (needs pip install 'convcalc[torch]'; give --input). Anything convcalc cannot
    represent is an error naming it and its place.
    """
    import contextlib
    import io

    from ..frameworks.importers import import_source

    try:
        # a model's own code runs here (its module, factory and forward): what it prints (print('loading'),
        # argparse's usage) went into the spec on stdout and made stderr more than one line; it is dropped
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            imported = import_source(source, input_shape=input_shape, as_identity=as_identity)
        if output_format == "json":
            import json

            text = json.dumps(imported.document, indent=2, ensure_ascii=False) + "\n"
        else:
            text = imported.text
        imported.spec()  # what it wrote reads back as a spec, or the error says why
        write_file(output or "-", text)
    except SpecError as error:
        fail(error)
