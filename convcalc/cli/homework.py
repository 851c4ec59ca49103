"""The homework commands: `check` (marks the answers written in a spec) and `solve` (finds the sizes
and hyperparameters of one axis). Exit code 1 means a wrong answer or no solution."""
from __future__ import annotations

import sys

import click

from ..errors import SpecError
from .reading import stdin_text
from .support import (
    chosen_format,
    fail,
    finish,
    format_option,
    limit_option,
    no_layout_option,
    output_option,
    quiet_option,
    refuse,
    set_option,
    spec_argument,
    strict_option,
    write_file,
)


@click.command(epilog="\b\nExamples:\n"
                     "  convcalc check specs/homework_cs231n_answers.yaml\n"
                     "  convcalc check specs/homework_cs231n_answers.yaml -f json -o verdicts.json")
@spec_argument("answers", "ANSWERS")
@format_option(("text", "json"), "text")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json (for a grading script).")
@output_option()
@no_layout_option("check shows them in the order the answers are written in")
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
    from ..homework.check import (
        CheckOptions,
        check_source,
        render_verdicts,
        render_verdicts_json,
    )
    from ..limits import int_digits, parse_limits

    output_format = chosen_format(output_format, "text", {"--json": "json" if as_json else None})
    try:
        limits = parse_limits(limit_options)
        with int_digits(limits):
            verdicts = check_source(answers, stdin_text=stdin_text(answers, limits), assignments=assignments, limits=limits,
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


@click.command(epilog="\b\nExamples:\n"
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
    from ..homework import solve as solver

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
