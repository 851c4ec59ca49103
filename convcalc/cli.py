"""The command line: it reads options, calls the library, and turns SpecError into exit code 2.

No arithmetic here and no rich import at module level (the table renderer imports it). The
options every command shares, the error style and the exit codes live in cli_support.
"""
from __future__ import annotations

import sys

import click

from . import __version__
from .cli_support import (
    EXIT_CODES,
    ConvcalcGroup,
    chosen_format,
    fail,
    finish,
    format_option,
    limit_option,
    output_option,
    output_to,
    quiet_option,
    refuse,
    set_option,
    spec_argument,
    spec_options,
    strict_option,
    write_file,
)
from .errors import SpecError

FORMATS = ("table", "json", "csv", "markdown")

__all__ = ["fail", "main", "run"]


def _stdin_text(source: str, limits=None) -> str | None:
    if source != "-":
        return None
    from .limits import DEFAULT_LIMITS, check_size
    from .spec import decode

    limits = limits or DEFAULT_LIMITS
    stdin = sys.stdin
    closed = SpecError("standard input is closed, so '-' has no spec to read",
                       hint="pipe a spec in (convcalc summary - < net.yaml) or give its path")
    if stdin is None:  # started with stdin closed (<&-)
        raise closed
    reader = stdin.buffer if hasattr(stdin, "buffer") else None
    try:
        data = reader.read(limits.bytes + 1) if reader else stdin.read(limits.bytes + 1).encode("utf-8")  # bounded, like a file
    except (OSError, ValueError) as exc:  # a directory or a closed descriptor as stdin
        raise SpecError(f"cannot read standard input: {getattr(exc, 'strerror', None) or exc}",
                        hint="pipe a spec in (convcalc summary - < net.yaml) or give its path") from None
    check_size(len(data), "<stdin>", limits, known=False)
    return decode(data, "<stdin>")


def _load(spec: str, *, layout: str | None = None, strict: bool = False, assignments: tuple[str, ...] = (),
          limit_options: tuple[str, ...] = ()):
    """SPEC read (in its own layout) and computed as every command reads it, shapes to be shown in
    --layout, and the limits it was read under (SpecError on a problem)."""
    from .limits import parse_limits
    from .loading import load_report

    limits = parse_limits(limit_options)
    try:
        report = load_report(spec, strict=strict, stdin_text=_stdin_text(spec, limits), assignments=assignments, limits=limits)
    except RecursionError:  # only past a raised depth limit: the default keeps every step well inside Python's
        raise SpecError("the spec nests lists or blocks too deep to work through",
                        hint=f"nest them less deeply (--limit depth is {limits.depth:,}; the default 50 is safe)") from None
    if layout is not None:
        report = report._replace(display_layout=layout)
    return report, limits


def _ascii_fallback() -> None:
    """A terminal or pipe that cannot write '·', '←' or box lines gets ASCII stand-ins, never '?'."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", "") or "").lower().replace("-", "").replace("_", "")
        if hasattr(stream, "reconfigure") and encoding != "utf8":
            from .render.ascii import error_handler

            stream.reconfigure(errors=error_handler())


@click.group("convcalc", cls=ConvcalcGroup, epilog=EXIT_CODES,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="convcalc")
def main() -> None:
    """Shapes and parameter counts of convolutional networks, layer by layer.

    \b
    Examples:
      convcalc summary "input 32x32x3; conv2d 10 kernel=5 padding=2"
      convcalc summary specs/resnet50.yaml --depth 1
      convcalc explain specs/lenet5.yaml -f markdown -o lenet5.md

    Every command takes -f/--format and -o/--output; 'convcalc COMMAND --help' shows its options.
    Shell completion: eval "$(_CONVCALC_COMPLETE=bash_source convcalc)" (zsh_source, fish_source).
    """
    _ascii_fallback()


@main.command(epilog="\b\nExamples:\n"
                     '  convcalc summary "input 32x32x3; conv2d 10 kernel=5 padding=2; maxpool2d 2; flatten; dense 10"\n'
                     "  convcalc summary specs/resnet50.yaml --depth 2 -c name,shape,params,macs\n"
                     "  convcalc summary specs/vgg16.yaml -f csv -o vgg16.csv")
@spec_argument()
@format_option(FORMATS, "table")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@output_option()
@click.option("--columns", "-c", "columns_text", metavar="LIST",
              help="Columns of the table, Markdown or CSV, comma-separated: index, name, type, inputs, shape, params, "
                   "formula, macs, flops, memory, param_memory, rf. Default: index,name,type,shape,params,formula,macs "
                   "(a narrow terminal leaves some out). JSON has them all.")
@click.option("--depth", type=click.IntRange(min=1), help="Table, Markdown, CSV: show blocks nested at most this deep (1 = top level only).")
@click.option("--explain", is_flag=True, help="Write out every layer's arithmetic with its numbers.")
@click.option("--dtype", type=click.Choice(["float32", "float16", "bfloat16", "int8"]), help="Element size for memory figures [default: float32].")
@click.option("--batch", type=click.IntRange(min=1), help="Samples per batch for memory figures [default: 1].")
@click.option("--optimizer", type=click.Choice(["sgd", "momentum", "adam"]), help="Optimizer state in the training estimate [default: adam].")
@click.option("--flops", type=click.Choice(["default", "textbook"]), default="default", show_default=True,
              help="How FLOPs are counted: 2 per multiply-add + 1 per bias, or the textbook's n multiplications + n − 1 "
                   "additions per output, no bias.")
@spec_options
def summary(
    spec: str, output_format: str | None, as_json: bool, output: str | None, columns_text: str | None, depth: int | None,
    explain: bool = False, dtype: str | None = None, batch: int | None = None, optimizer: str | None = None,
    layout: str | None = None, strict: bool = False, assignments: tuple[str, ...] = (), limit_options: tuple[str, ...] = (),
    quiet: bool = False, flops: str = "default",
) -> None:
    """Print every layer's output shape and parameters.

    SPEC is a YAML or JSON file, '-' for standard input, or an inline spec such as
    "input 32x32x3; conv2d 10 kernel=5 padding=2; maxpool2d 2; flatten; dense 10".
    """
    from .limits import paused_gc

    output_format = chosen_format(output_format, "table", {"--json": "json" if as_json else None})
    if output_format == "json" and columns_text:
        refuse("--columns chooses the columns of the table, Markdown and CSV; JSON has every column")
    if output_format == "json" and depth is not None:
        refuse("--depth shortens the table, Markdown and CSV; JSON lists every layer, and every block under \"blocks\"")
    if explain and depth is not None and output_format in ("csv", "markdown"):
        refuse(f"--depth: explain writes every layer in {output_format}; it shortens the table only")
    with paused_gc():  # linear time on 100,000-layer specs; see limits.paused_gc
        _summary(spec, output_format, output, layout, strict, depth, explain, assignments, columns_text, dtype, batch,
                 optimizer, limit_options, quiet, flops)


def _summary(spec, output_format, output, layout, strict, depth, explain, assignments, columns_text, dtype, batch, optimizer,
             limit_options, quiet, flops="default") -> None:
    from .limits import int_digits

    cost_options = {"dtype": dtype or "float32", "batch": batch or 1, "optimizer": optimizer or "adam", "flops": flops}
    report = None
    try:
        if columns_text:
            from .render.columns import parse_columns
        columns = parse_columns(columns_text) if columns_text else None  # None: the default, fitted to the width
        report, limits = _load(spec, layout=layout, strict=strict, assignments=assignments, limit_options=limit_options)
    except SpecError as error:
        fail(error)
    show_memory = bool(columns and "memory" in columns) or any(o is not None for o in (dtype, batch, optimizer))
    try:  # a figure built from the sizes (a receptive field) may pass a limit: every figure is made before output
        with int_digits(limits), output_to(output) as out:
            if output_format == "table":
                from .costs import network_costs
                from .render.table import print_table

                print_table(report, out, depth, columns, network_costs(report, **cost_options), show_memory, quiet=quiet)
                if explain:  # what render.explain.print_explained writes, with --quiet reaching the table
                    from .render.explain import render_text

                    out.write("\n" + render_text(report))
                return
            if explain:
                from .render.explain import print_explained

                print_explained(report, output_format, out, depth, columns, show_memory=show_memory, **cost_options)
                return
            from .render import formats

            if output_format == "json":
                pieces = formats.json_pieces(report, **cost_options)  # every figure is made before the first piece
                # a layer at a time: 100,000 layers nested 48 blocks deep are 830 MB of text (2.3 GB held whole);
                # a spec with symbols is printed whole first, so that a formula that cannot print fails before any output
                out.writelines(list(pieces) if report.symbols else pieces)
            elif output_format == "markdown":
                out.write(formats.render_markdown(report, columns, depth=depth, quiet=quiet, **cost_options))
            else:
                out.write(formats.render_csv(report, columns, depth=depth, **cost_options))
    except SpecError as error:
        fail(error)
    except RecursionError:  # SymPy prints a size's formula recursively: floors nested once per layer
        if report is None or not report.symbols:
            raise  # not a formula: cli_support's one line for whatever nests past Python's limit
        from .engine import SYMBOLS_TOO_DEEP

        fail(SpecError("the symbolic sizes are formulas nested too deep to print", hint=SYMBOLS_TOO_DEEP))


def _explain_command(**options) -> None:
    click.get_current_context().invoke(summary, explain=True, **options)


main.add_command(
    click.Command(
        "explain",
        callback=_explain_command,
        params=[param for param in summary.params if param.name != "explain"],
        help="Same as 'summary --explain': every layer's formulas with the numbers put in.",
        epilog="\b\nExamples:\n"
               '  convcalc explain "input 32x32x3; conv2d 10 kernel=5 padding=2"\n'
               "  convcalc explain specs/lenet5.yaml -f markdown -o lenet5.md",
    )
)


def _no_layout(what: str):
    """--layout where shapes are not shown in the user's order: a clear refusal, not 'no such option'."""
    def refuse_layout(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
        if value is not None:
            refuse(f"--layout only changes how shapes are shown, and {what}; the spec is read in its own order "
                   "(write layout: chw in it, or 'input 3x32x32 layout=chw')")

    return click.option("--layout", hidden=True, expose_value=False, callback=refuse_layout)


@main.command(epilog="\b\nExamples:\n"
                     "  convcalc draw specs/resnet18.yaml -o resnet18.svg --depth 2\n"
                     "  convcalc draw specs/lenet5.yaml -o lenet5.png --theme dark\n"
                     "  convcalc draw specs/lenet5.yaml -f png > lenet5.png")
@spec_argument()
@format_option(("svg", "png"), "svg", "The picture format (else from -o's suffix)")
@output_option("Write FILE (.svg or .png); without it, or with '-', the picture goes to standard output.")
@click.option("--theme", type=click.Choice(["light", "dark"]), default="light", show_default=True)
@click.option("--scale", type=click.Choice(["sqrt", "log", "linear"]), default="sqrt", show_default=True, help="How sizes map to box sides.")
@click.option("--depth", type=int, help="Draw each block nested at this level as one node (1 = top-level blocks).")
@click.option("--width", "max_width", type=click.IntRange(min=0), default=1500, show_default=True,
              help="Wrap a longer network into rows this many pixels wide; 0 never wraps.")
@spec_options
def draw(spec: str, output_format: str | None, output: str | None, theme: str, scale: str, depth: int | None, max_width: int,
         layout: str | None = None, strict: bool = False, assignments: tuple[str, ...] = (), limit_options: tuple[str, ...] = (),
         quiet: bool = False) -> None:
    """Draw the network as activation volumes with their kernels (SVG or PNG).

    Needs the optional extra: pip install 'convcalc[draw]'.
    """
    from .limits import int_digits
    from .render import draw as drawing

    to_file = output not in (None, "-")
    suffix_format = {".svg": "svg", ".png": "png"}.get(output[output.rfind("."):].lower() if to_file and "." in output else "")
    if output_format and suffix_format and suffix_format != output_format:
        refuse(f"--format {output_format} and -o {output} ask for different pictures; give one")
    try:
        kind = output_format or (suffix_format or drawing.picture_format(output) if to_file else "svg")
        if kind == "png" and not to_file and sys.stdout.isatty():
            raise SpecError("a PNG is not text for a terminal", hint="write it to a file with -o FILE.png, or pipe it", where="draw")
        report, limits = _load(spec, layout=layout, strict=strict, assignments=assignments, limit_options=limit_options)
        options = {"theme": theme, "scale": scale, "depth": depth, "max_width": max_width}
        with int_digits(limits):
            svg = drawing.svg_text(report, **options)
            data = svg if kind == "svg" else drawing.png_bytes(svg, has_blocks=bool(report.spec.blocks))
            write_file(output or "-", data)
    except SpecError as error:
        fail(error)


@main.command(epilog="\b\nExamples:\n"
                     "  convcalc export specs/resnet18.yaml -f pytorch -o resnet18.py\n"
                     "  convcalc export specs/lenet5.yaml -f keras -o lenet5_keras.py\n"
                     "  convcalc export specs/lenet5.yaml -f pytorch | python -")
@spec_argument()
@format_option(("pytorch", "keras"), "", "The framework to write code for", required=True)
@click.option("--to", "target", type=click.Choice(["pytorch", "keras"]), help="Same as --format.")
@output_option()
@_no_layout("export writes shapes in the framework's own order")
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
    from .frameworks.export import export as export_code
    from .limits import int_digits

    framework = chosen_format(output_format, "", {f"--to {target}": target})
    if not framework:
        raise click.MissingParameter(ctx=click.get_current_context(), param_hint="'--format' / '-f'", param_type="option")
    try:
        report, limits = _load(spec, strict=strict, assignments=assignments, limit_options=limit_options)
        with int_digits(limits):
            code = export_code(report, framework)
        write_file(output or "-", code)
    except SpecError as error:
        fail(error)


@main.command("import", epilog="\b\nExamples:\n"
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
    from .frameworks.importers import import_source

    try:
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


@main.command(epilog="\b\nExamples:\n"
                     "  convcalc types\n"
                     "  convcalc types -f markdown -o layers.md")
@format_option(("text", "markdown", "json"), "text")
@click.option("--markdown", is_flag=True, help="Same as --format markdown.")
@output_option()
def types(output_format: str | None, markdown: bool, output: str | None) -> None:
    """List every layer type with its arguments, defaults, aliases and rule."""
    from .layers import reference_rows

    output_format = chosen_format(output_format, "text", {"--markdown": "markdown" if markdown else None})
    rows = reference_rows()
    if output_format == "json":
        import json

        text = json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    elif output_format == "markdown":
        lines = ["| type | primary | arguments (default) | also written | rule |", "|---|---|---|---|---|"]
        for row in rows:
            cells = [f"`{row['type']}`", row["primary"], row["arguments"], row["aliases"], row["rule"]]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        text = "\n".join(lines) + "\n"
    else:
        text = "".join(f"{row['type']}: {row['arguments']}" + (f"  (also: {row['aliases']})" if row["aliases"] else "")
                       + f"\n    {row['summary']}. {row['rule']}\n" for row in rows)
    with output_to(output) as out:
        out.write(text)


@main.command(epilog="\b\nExamples:\n"
                     "  convcalc check specs/homework_cs231n_answers.yaml\n"
                     "  convcalc check specs/homework_cs231n_answers.yaml -f json -o verdicts.json")
@spec_argument("answers", "ANSWERS")
@format_option(("text", "json"), "text")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json (for a grading script).")
@output_option()
@_no_layout("check shows them in the order the answers are written in")
@quiet_option
@limit_option
@set_option
@strict_option
@click.option("--flops", type=click.Choice(["default", "textbook"]), default="default", show_default=True,
              help="How FLOPs answers are counted: 2 per multiply-add + 1 per bias, or the textbook's n multiplications + "
                   "n − 1 additions per output, no bias.")
def check(answers: str, output_format: str | None, as_json: bool, output: str | None, strict: bool = False,
          assignments: tuple[str, ...] = (), limit_options: tuple[str, ...] = (), quiet: bool = False, flops: str = "default") -> None:
    """Mark the answers in a spec (expect: on layers and at the top) right or wrong, and name each mistake.

    Exit code 0 when every answer is right, 1 when any is wrong or cannot be read, 2 for an invalid spec.
    """
    from .homework.check import CheckOptions, check_source, render_verdicts, render_verdicts_json
    from .limits import int_digits, parse_limits

    output_format = chosen_format(output_format, "text", {"--json": "json" if as_json else None})
    try:
        limits = parse_limits(limit_options)
        with int_digits(limits):
            verdicts = check_source(answers, stdin_text=_stdin_text(answers, limits), assignments=assignments, limits=limits,
                                    options=CheckOptions(flops=flops, strict=strict))
            text = (render_verdicts_json if output_format == "json" else render_verdicts)(verdicts)
        code = 0 if all(v.right for v in verdicts) else 1
        if output not in (None, "-"):
            write_file(output, text)
            sys.exit(code)
    except SpecError as error:
        fail(error)
    finish(text, code)


def _solutions_limit(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        refuse(f"solve calls it --max-solutions {value} (--limit raises the safety limits of the commands that read a spec)")


@main.command(epilog="\b\nExamples:\n"
                     "  convcalc solve --in 224 --out 112 --kernel 7\n"
                     "  convcalc solve --in 7 --kernel 3 --stride 2\n"
                     "  convcalc solve --out 55 --kernel 11 --stride 4\n"
                     "  convcalc solve --in 32 --out 16 --op pool -f json")
@click.option("--in", "size_in", type=int, help="Input size along one axis (leave it out to find it).")
@click.option("--out", "size_out", type=int, help="Wanted output size along that axis (leave it out to compute it).")
@click.option("--op", type=click.Choice(["conv", "pool", "transposed"]), default="conv", show_default=True)
@click.option("--kernel", type=int, help="Fix the kernel size.")
@click.option("--stride", type=int, help="Fix the stride.")
@click.option("--padding", help="Fix the padding: pixels on each side, or same / valid.")
@click.option("--dilation", type=int, help="Fix the dilation.")
@click.option("--output-padding", type=int, help="Fix the output padding (--op transposed).")
@click.option("--ceil-mode", is_flag=True, help="Round up, as PyTorch pooling with ceil_mode=True (--op pool).")
@click.option("--max-kernel", type=int, default=11, show_default=True, help="Largest kernel tried when none is given.")
@click.option("--max-stride", type=int, default=8, show_default=True, help="Largest stride tried when none is given.")
@click.option("--max-dilation", type=int, default=1, show_default=True, help="Largest dilation tried when none is given.")
@click.option("--max-solutions", type=click.IntRange(min=1), default=20, show_default=True, help="Print at most this many solutions.")
@click.option("--limit", hidden=True, expose_value=False, callback=_solutions_limit)
@format_option(("text", "json"), "text")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@output_option()
def solve(size_in, size_out, op, kernel, stride, padding, dilation, output_padding, ceil_mode, max_kernel, max_stride,
          max_dilation, max_solutions, output_format, as_json, output) -> None:
    """Compute an output size (no --out), find the input sizes (no --in), or find the kernel / stride /
    padding / dilation that turn size --in into size --out.

    Exit code 0 with at least one solution, 1 with none, 2 for invalid options.
    """
    from .homework import solve as solver

    output_format = chosen_format(output_format, "text", {"--json": "json" if as_json else None})
    try:
        problem = solver.Problem(op, size_in, size_out, kernel, stride, solver.padding_option(padding), dilation,
                                 output_padding, ceil_mode, solver.Bounds(max_kernel, max_stride, max_dilation))
        solutions = solver.solve(problem)
        render = solver.render_json if output_format == "json" else solver.render_text
        text = render(problem, solutions, max_solutions)
        if output not in (None, "-"):
            write_file(output, text)
            sys.exit(0 if solutions else 1)
    except SpecError as error:
        fail(error)
    finish(text, 0 if solutions else 1)


from .cli_catalog import list_command, schema_command  # noqa: E402  (list and schema: what convcalc has)

main.add_command(list_command)
main.add_command(schema_command)


def run() -> None:
    """The `convcalc` console script and `python -m convcalc`: main() in a process of its own.

    Python's shutdown would then walk every object with the collector (about 6 ms, over a tenth
    of a cold start) and tear down every module one by one (about 1.5 ms more). Nothing is left
    to do at that point but to hand over the output, so the process flushes its streams and ends
    with os._exit. Only here: tests call main() in-process and keep an ordinary interpreter.
    A reader that stops early (`| head`) closes the pipe; that ends the run quietly, as for `cat`.
    Output that cannot be written (a full disk) is one line on stderr and exit code 1.
    """
    import os

    if sys.stderr is None:  # started with standard error closed (`2>&-`): messages go nowhere, codes stay
        sys.stderr = open(os.devnull, "w", encoding="utf-8")
    if sys.stdout is None:  # started with standard output closed (`>&-`): nowhere to write the answer
        os._exit(_unwritable(OSError(9, "standard output is closed")))
    try:
        main(prog_name="convcalc")
        code = 0
    except SystemExit as exit_:  # click ends every run this way, with our exit code
        code = exit_.code
    except KeyboardInterrupt:  # between click's own steps (while starting up or parsing)
        sys.stderr.write("convcalc: interrupted\n")
        code = 130
    except OSError as error:  # raised while writing: click itself only catches a closed pipe
        code = _unwritable(error)
    if code is not None and not isinstance(code, int):  # sys.exit("text"): what Python itself does
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:
            pass
        except OSError as error:
            code = _unwritable(error)
    os._exit(code or 0)


def _unwritable(error: OSError) -> int:
    try:
        sys.stderr.write(f"convcalc: error: cannot write the output: {error.strerror or error}\n")
        sys.stderr.flush()
    except OSError:
        pass
    return 1


if __name__ == "__main__":  # pragma: no cover
    run()
