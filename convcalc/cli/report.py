"""The commands that show what a spec computes: `summary` (and `explain`, the same with every
layer's arithmetic written out) and `draw`."""
from __future__ import annotations

import sys

import click

from ..errors import SpecError
from .reading import load
from .support import (
    chosen_format,
    fail,
    format_option,
    output_option,
    output_to,
    refuse,
    spec_argument,
    spec_options,
    write_file,
)

FORMATS = ("table", "json", "csv", "markdown")


@click.command(epilog="\b\nExamples:\n"
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
    from ..limits import paused_gc

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
    from ..limits import int_digits

    given = {"dtype": dtype, "batch": batch, "optimizer": optimizer, "flops": flops}
    cost_options = {name: value for name, value in given.items() if value is not None}  # the rest: costs.network_costs' defaults
    report = None
    try:
        if columns_text:
            from ..render.columns import parse_columns
        columns = parse_columns(columns_text) if columns_text else None  # None: the default, fitted to the width
        report, limits = load(spec, layout=layout, strict=strict, assignments=assignments, limit_options=limit_options)
    except SpecError as error:
        fail(error)
    show_memory = bool(columns and "memory" in columns) or any(o is not None for o in (dtype, batch, optimizer))
    try:  # a figure built from the sizes (a receptive field) may pass a limit: every figure is made before output
        with int_digits(limits), output_to(output) as out:
            if output_format == "table":
                from ..costs import network_costs
                from ..render.table import print_table

                print_table(report, out, depth, columns, network_costs(report, **cost_options), show_memory, quiet=quiet)
                if explain:  # what render.explain.print_explained writes, with --quiet reaching the table
                    from ..render.explain import render_text

                    out.write("\n" + render_text(report))
                return
            if explain:
                from ..render.explain import print_explained

                print_explained(report, output_format, out, depth, columns, show_memory=show_memory, **cost_options)
                return
            from ..render import formats

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
            raise  # not a formula: cli.support's one line for whatever nests past Python's limit
        from ..engine import SYMBOLS_TOO_DEEP

        fail(SpecError("the symbolic sizes are formulas nested too deep to print", hint=SYMBOLS_TOO_DEEP))


def _explain_command(**options) -> None:
    click.get_current_context().invoke(summary, explain=True, **options)


explain = click.Command(
        "explain",
        callback=_explain_command,
        params=[param for param in summary.params if param.name != "explain"],
        help="Same as 'summary --explain': every layer's formulas with the numbers put in.",
        epilog="\b\nExamples:\n"
               '  convcalc explain "input 32x32x3; conv2d 10 kernel=5 padding=2"\n'
               "  convcalc explain specs/lenet5.yaml -f markdown -o lenet5.md",
)


@click.command(epilog="\b\nExamples:\n"
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
    from ..limits import int_digits
    from ..render import draw as drawing

    to_file = output not in (None, "-")
    suffix_format = {".svg": "svg", ".png": "png"}.get(output[output.rfind("."):].lower() if to_file and "." in output else "")
    if output_format and suffix_format and suffix_format != output_format:
        refuse(f"--format {output_format} and -o {output} ask for different pictures; give one")
    try:
        kind = output_format or (suffix_format or drawing.picture_format(output) if to_file else "svg")
        if kind == "png" and not to_file and sys.stdout.isatty():
            raise SpecError("a PNG is not text for a terminal", hint="write it to a file with -o FILE.png, or pipe it", where="draw")
        report, limits = load(spec, layout=layout, strict=strict, assignments=assignments, limit_options=limit_options)
        options = {"theme": theme, "scale": scale, "depth": depth, "max_width": max_width}
        with int_digits(limits):
            svg = drawing.svg_text(report, **options)
            data = svg if kind == "svg" else drawing.png_bytes(svg, has_blocks=bool(report.spec.blocks))
            write_file(output or "-", data)
    except SpecError as error:
        fail(error)
