"""The command line: it reads options, calls the library, and turns SpecError into exit code 2.

No arithmetic here and no rich import at module level (the table renderer imports it).
"""
from __future__ import annotations

import sys

import click

from . import __version__
from .errors import SpecError

FORMATS = ("table", "json", "csv", "markdown")


def fail(error: SpecError) -> None:
    """One clear line on stderr and exit code 2 (click's own ClickException would exit 1)."""
    message = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in error.message)
    click.echo(f"convcalc: error: {message}", err=True)  # control characters escaped: one line, always
    sys.exit(2)


def _stdin_text(source: str, limits=None) -> str | None:
    if source != "-":
        return None
    from .limits import DEFAULT_LIMITS, check_size
    from .spec import decode

    limits = limits or DEFAULT_LIMITS
    stdin = sys.stdin
    reader = stdin.buffer if hasattr(stdin, "buffer") else None
    data = reader.read(limits.bytes + 1) if reader else stdin.read(limits.bytes + 1).encode("utf-8")  # bounded, like a file
    check_size(len(data), "<stdin>", limits, known=False)
    return decode(data, "<stdin>")


def _set_option(command):
    return click.option("--set", "assignments", multiple=True, metavar="NAME=N",
                        help="Give a symbol a value, e.g. --set k1=32.")(command)


def _limit_option(command):
    return click.option(
        "--limit",
        "limit_options",
        multiple=True,
        metavar="NAME=N",
        help="Raise a safety limit: bytes (5,000,000), depth (50), aliases (100,000), layers (100,000), digits (4,000).",
    )(command)


def _load(spec: str, *, layout: str | None = None, strict: bool = False, assignments: tuple[str, ...] = (),
          limit_options: tuple[str, ...] = ()):
    """SPEC read and computed as every command reads it, and the limits it was read under (SpecError on a problem)."""
    from .limits import parse_limits
    from .loading import load_report

    limits = parse_limits(limit_options)
    try:
        report = load_report(spec, layout=layout, strict=strict, stdin_text=_stdin_text(spec, limits), assignments=assignments,
                             limits=limits)
    except RecursionError:  # only past a raised depth limit: the default keeps every step well inside Python's
        raise SpecError("the spec nests lists or blocks too deep to work through",
                        hint=f"nest them less deeply (--limit depth is {limits.depth:,}; the default 50 is safe)") from None
    return report, limits


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="convcalc")
def main() -> None:
    """Shapes and parameter counts of convolutional networks, layer by layer."""
    for stream in (sys.stdout, sys.stderr):  # a non-UTF-8 terminal gets '?' for '·', never a traceback
        if hasattr(stream, "reconfigure") and (getattr(stream, "encoding", "") or "").lower().replace("-", "") != "utf8":
            stream.reconfigure(errors="replace")


@main.command()
@click.argument("spec")
@click.option("--format", "-f", "output_format", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("--layout", type=click.Choice(["hwc", "chw"]), help="Override the spec's layout: hwc = [H, W, C], chw = [C, H, W].")
@click.option("--strict", is_flag=True, help="Make a size that does not divide evenly an error.")
@click.option("--depth", type=click.IntRange(min=1), help="Table: show blocks nested at most this deep (1 = top level only).")
@click.option("--explain", is_flag=True, help="Write out every layer's arithmetic with its numbers.")
@_set_option
@click.option("--columns", "-c", "columns_text", metavar="LIST",
              help="Columns of the table, Markdown or CSV, comma-separated: index, name, type, inputs, shape, params, "
                   "formula, macs, flops, memory, param_memory, rf. Default: index,name,type,shape,params,formula,macs. "
                   "JSON has them all.")
@click.option("--dtype", type=click.Choice(["float32", "float16", "bfloat16", "int8"]), help="Element size for memory figures [default: float32].")
@click.option("--batch", type=click.IntRange(min=1), help="Samples per batch for memory figures [default: 1].")
@click.option("--optimizer", type=click.Choice(["sgd", "momentum", "adam"]), help="Optimizer state in the training estimate [default: adam].")
@_limit_option
def summary(
    spec: str, output_format: str, as_json: bool, layout: str | None, strict: bool, depth: int | None,
    explain: bool = False, assignments: tuple[str, ...] = (), columns_text: str | None = None,
    dtype: str | None = None, batch: int | None = None, optimizer: str | None = None, limit_options: tuple[str, ...] = (),
) -> None:
    """Print every layer's output shape and parameters.

    SPEC is a YAML or JSON file, '-' for standard input, or an inline spec such as
    "input 32x32x3; conv2d 10 kernel=5 padding=2; maxpool2d 2; flatten; dense 10".
    """
    from .limits import paused_gc

    with paused_gc():  # linear time on 100,000-layer specs; see limits.paused_gc
        _summary(spec, "json" if as_json else output_format, layout, strict, depth, explain, assignments,
                 columns_text, dtype, batch, optimizer, limit_options)


def _summary(spec, output_format, layout, strict, depth, explain, assignments, columns_text, dtype, batch, optimizer, limit_options) -> None:
    from .limits import int_digits

    cost_options = {"dtype": dtype or "float32", "batch": batch or 1, "optimizer": optimizer or "adam"}
    try:
        if columns_text or output_format == "table":
            from .render.columns import parse_columns
        columns = parse_columns(columns_text) if columns_text or output_format == "table" else None  # JSON has them all
        report, limits = _load(spec, layout=layout, strict=strict, assignments=assignments, limit_options=limit_options)
    except SpecError as error:
        fail(error)
    out = sys.stdout
    show_memory = bool(columns and "memory" in columns) or any(o is not None for o in (dtype, batch, optimizer))
    with int_digits(limits):
        if explain:
            from .render.explain import print_explained

            print_explained(report, output_format, out, depth, columns if columns_text else None, show_memory=show_memory,
                            **cost_options)
            return
        if output_format == "table":
            from .costs import network_costs
            from .render.table import print_table

            print_table(report, out, depth, columns, network_costs(report, **cost_options), show_memory)
            return
        from .render import formats

        if output_format == "json":
            out.write(formats.render_json(report, **cost_options))
        elif output_format == "markdown":
            out.write(formats.render_markdown(report, columns if columns_text else None, **cost_options))
        else:
            out.write(formats.render_csv(report, columns if columns_text else None, **cost_options))


@main.command()
@click.argument("spec")
@click.option("--output", "-o", "output", metavar="FILE", help="Write FILE (.svg or .png); without it the SVG goes to standard output.")
@click.option("--theme", type=click.Choice(["light", "dark"]), default="light", show_default=True)
@click.option("--scale", type=click.Choice(["log", "linear"]), default="log", show_default=True, help="How sizes map to box sides.")
@click.option("--depth", type=int, help="Draw each block nested at this level as one node (1 = top-level blocks).")
@click.option("--width", "max_width", type=click.IntRange(min=0), default=1500, show_default=True, help="Wrap a longer network into rows this many pixels wide; 0 never wraps.")
@click.option("--layout", type=click.Choice(["hwc", "chw"]), help="Override the spec's layout for the shape labels.")
@_set_option
@_limit_option
def draw(spec: str, output: str | None, theme: str, scale: str, depth: int | None, max_width: int, layout: str | None,
         assignments: tuple[str, ...] = (), limit_options: tuple[str, ...] = ()) -> None:
    """Draw the network as activation volumes with their kernels (SVG or PNG).

    Needs the optional extra: pip install 'convcalc[draw]'.
    """
    from .render import draw as drawing
    from .limits import int_digits

    try:
        if output is not None:
            drawing.picture_format(output)
        report, limits = _load(spec, layout=layout, assignments=assignments, limit_options=limit_options)
        options = dict(theme=theme, scale=scale, depth=depth, max_width=max_width)
        with int_digits(limits):
            if output is None:
                click.echo(drawing.svg_text(report, **options), nl=False)
            else:
                drawing.write_picture(report, output, **options)
    except SpecError as error:
        fail(error)


@main.command()
@click.argument("spec")
@click.option("--to", "target", type=click.Choice(["pytorch", "keras"]), required=True, help="The framework to write code for.")
@click.option("--output", "-o", "output", type=click.Path(dir_okay=False, writable=True), help="Write to FILE instead of standard output.")
@click.option("--layout", type=click.Choice(["hwc", "chw"]), help="Override the spec's layout: hwc = [H, W, C], chw = [C, H, W].")
@_set_option
@_limit_option
def export(spec: str, target: str, output: str | None, layout: str | None,
           assignments: tuple[str, ...] = (), limit_options: tuple[str, ...] = ()) -> None:
    """Write the network as PyTorch (nn.Module) or Keras (functional API) code.

    The module runs on its own: `convcalc export SPEC --to pytorch | python -` prints the
    output shape of a zero tensor passed through it.
    """
    from .frameworks.export import export as export_code
    from .limits import int_digits

    try:
        report, limits = _load(spec, layout=layout, assignments=assignments, limit_options=limit_options)
        with int_digits(limits):
            code = export_code(report, target)
    except SpecError as error:
        fail(error)
    if output is None:
        sys.stdout.write(code)
        return
    try:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(code)
    except OSError as exc:
        fail(SpecError(f"cannot write '{output}': {exc.strerror}"))


@main.command()
@click.option("--markdown", is_flag=True, help="Print the reference as a Markdown table.")
def types(markdown: bool) -> None:
    """List every layer type with its arguments, defaults, aliases and rule."""
    from .layers import reference_rows

    rows = reference_rows()
    if markdown:
        click.echo("| type | primary | arguments (default) | also written | rule |")
        click.echo("|---|---|---|---|---|")
        for row in rows:
            cells = [f"`{row['type']}`", row["primary"], row["arguments"], row["aliases"], row["rule"]]
            click.echo("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        return
    for row in rows:
        click.echo(f"{row['type']}: {row['arguments']}" + (f"  (also: {row['aliases']})" if row["aliases"] else ""))
        click.echo(f"    {row['summary']}. {row['rule']}")


def _explain_command(**options) -> None:
    click.get_current_context().invoke(summary, explain=True, **options)


main.add_command(
    click.Command(
        "explain",
        callback=_explain_command,
        params=[param for param in summary.params if param.name != "explain"],
        help="Same as 'summary --explain': every layer's formulas with the numbers put in.",
    )
)


@main.command()
@click.argument("answers")
@click.option("--layout", type=click.Choice(["hwc", "chw"]), help="Override the spec's layout.")
@click.option("--json", "as_json", is_flag=True, help="Print the verdicts as JSON (for a grading script).")
@_set_option
@_limit_option
def check(answers: str, layout: str | None, as_json: bool = False, assignments: tuple[str, ...] = (),
          limit_options: tuple[str, ...] = ()) -> None:
    """Mark the answers in a spec (expect: on layers and at the top) right or wrong.

    Exit code 0 when every answer is right, 1 when any is wrong, 2 for an invalid spec.
    """
    from .homework.check import check_report, render_verdicts, render_verdicts_json
    from .limits import int_digits

    try:
        report, limits = _load(answers, layout=layout, assignments=assignments, limit_options=limit_options)
        with int_digits(limits):
            verdicts = check_report(report)
            text = (render_verdicts_json if as_json else render_verdicts)(verdicts)
    except SpecError as error:
        fail(error)
    click.echo(text, nl=False)
    sys.exit(0 if all(v.right for v in verdicts) else 1)


@main.command()
@click.option("--in", "size_in", type=int, required=True, help="Input size along one axis.")
@click.option("--out", "size_out", type=int, required=True, help="Wanted output size along that axis.")
@click.option("--op", type=click.Choice(["conv", "pool", "transposed"]), default="conv", show_default=True)
@click.option("--kernel", type=int, help="Fix the kernel size.")
@click.option("--stride", type=int, help="Fix the stride.")
@click.option("--padding", type=int, help="Fix the padding (each side).")
@click.option("--dilation", type=int, help="Fix the dilation.")
@click.option("--output-padding", type=int, help="Fix the output padding (--op transposed).")
@click.option("--ceil-mode", is_flag=True, help="Round up, as PyTorch pooling with ceil_mode=True (--op pool).")
@click.option("--max-kernel", type=int, default=11, show_default=True, help="Largest kernel tried when none is given.")
@click.option("--max-stride", type=int, default=8, show_default=True, help="Largest stride tried when none is given.")
@click.option("--max-dilation", type=int, default=1, show_default=True, help="Largest dilation tried when none is given.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Print at most this many solutions.")
@click.option("--json", "as_json", is_flag=True, help="Print the solutions as JSON.")
def solve(size_in, size_out, op, kernel, stride, padding, dilation, output_padding, ceil_mode, max_kernel, max_stride,
          max_dilation, limit, as_json) -> None:
    """Find the kernel / stride / padding / dilation that turn size --in into size --out.

    Exit code 0 with at least one solution, 1 with none, 2 for invalid options.
    """
    from .homework import solve as solver

    problem = solver.Problem(op, size_in, size_out, kernel, stride, padding, dilation, output_padding, ceil_mode,
                             solver.Bounds(max_kernel, max_stride, max_dilation))
    try:
        solutions = solver.solve(problem)
    except SpecError as error:
        fail(error)
    render = solver.render_json if as_json else solver.render_text
    click.echo(render(problem, solutions, limit), nl=False)
    sys.exit(0 if solutions else 1)


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
