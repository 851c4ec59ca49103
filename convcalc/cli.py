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


def _stdin_text(source: str, limits) -> str | None:
    if source != "-":
        return None
    from .limits import check_size
    from .spec import decode

    data = click.get_binary_stream("stdin").read(limits.bytes + 1)  # bounded, like a file
    check_size(len(data), "<stdin>", limits, known=False)
    return decode(data, "<stdin>")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="convcalc")
def main() -> None:
    """Shapes and parameter counts of convolutional networks, layer by layer."""


@main.command()
@click.argument("spec")
@click.option("--format", "-f", "output_format", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("--layout", type=click.Choice(["hwc", "chw"]), help="Override the spec's layout: hwc = [H, W, C], chw = [C, H, W].")
@click.option("--strict", is_flag=True, help="Make a size that does not divide evenly an error.")
@click.option(
    "--limit",
    "limit_options",
    multiple=True,
    metavar="NAME=N",
    help="Raise a safety limit: bytes (5,000,000), depth (50), aliases (100,000), layers (100,000), digits (4,000).",
)
def summary(spec: str, output_format: str, as_json: bool, layout: str | None, strict: bool, limit_options: tuple[str, ...]) -> None:
    """Print every layer's output shape and parameters.

    SPEC is a YAML or JSON file, '-' for standard input, or an inline spec such as
    "input 32x32x3; conv2d 10 kernel=5 padding=2; maxpool2d 2; flatten; dense 10".
    """
    from .limits import paused_gc

    with paused_gc():  # linear time on 100,000-layer specs; see limits.paused_gc
        _summary(spec, "json" if as_json else output_format, layout, strict, limit_options)


def _summary(spec: str, output_format: str, layout: str | None, strict: bool, limit_options: tuple[str, ...]) -> None:
    from .engine import summarize
    from .limits import int_digits, parse_limits

    try:
        limits = parse_limits(limit_options)
        report = summarize(spec, layout=layout, strict=strict, stdin_text=_stdin_text(spec, limits), limits=limits)
    except SpecError as error:
        fail(error)
    out = click.get_text_stream("stdout")
    with int_digits(limits):
        if output_format == "table":
            from .table import print_table

            print_table(report, out)
            return
        from . import formats

        render = {"json": formats.render_json, "csv": formats.render_csv, "markdown": formats.render_markdown}[output_format]
        out.write(render(report))


@main.command()
def types() -> None:
    """List every layer type with its arguments and its rule."""
    from .layers import KINDS

    for kind in KINDS.values():
        args = ", ".join(a.name if a.required else f"{a.name}={a.default}" for a in kind.args) or "no arguments"
        aliases = f"  (also: {', '.join(kind.aliases)})" if kind.aliases else ""
        click.echo(f"{kind.name}: {args}{aliases}")
        click.echo(f"    {kind.summary}. {kind.rule}")


def run() -> None:
    """The `convcalc` console script and `python -m convcalc`: main() in a process of its own.

    At exit Python's collector walks every object once more (about 6 ms, over a tenth of a cold
    start); freezing them first skips that walk. Only here, where the process ends right after:
    tests call main() in-process and keep an ordinary collector.
    """
    import atexit
    import gc

    atexit.register(gc.freeze)
    main(prog_name="convcalc")


if __name__ == "__main__":  # pragma: no cover
    run()
