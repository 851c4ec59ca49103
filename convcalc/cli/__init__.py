"""The command line (the last stage): reads options, calls the library, turns SpecError into one line and exit 2.
May import every stage, and click (only here); nothing in the library imports this package.

The group `main` and the console script `run` are here; the commands live one module per group of
jobs (report: summary, explain, draw; frameworks: export, import; homework: check, solve; catalog:
types, list, schema), each imported only when its command runs (COMMANDS), and what they share
(options, error style, exit codes) in support.
No arithmetic here and no rich import at module level (the table renderer imports it).
"""
from __future__ import annotations

import sys

import click

from ..version import __version__
from .support import EXIT_CODES, ConvcalcGroup, exit_on_interrupt, fail

__all__ = ["fail", "main", "run"]

# Each command: its module, the name it has there, and the first paragraph of its help (what
# `convcalc --help` shortens into its list). A run imports its own command's module only;
# tests/test_cli.py checks this table against the commands themselves.
COMMANDS = {
    "summary": (".report", "summary", "Print every layer's output shape and parameters."),
    "explain": (".report", "explain", "Same as 'summary --explain': every layer's formulas with the numbers put in."),
    "draw": (".report", "draw", "Draw the network as activation volumes with their kernels (SVG or PNG)."),
    "export": (".frameworks", "export", "Write the network as PyTorch (nn.Module) or Keras (functional API) code."),
    "import": (".frameworks", "import_",
               "Read a model into a convcalc spec: an ONNX file, a Keras model's JSON, or a PyTorch module."),
    "types": (".catalog", "types", "List every layer type with its arguments, defaults, aliases and rule."),
    "check": (".homework", "check",
              "Mark the answers in a spec (expect: on layers and at the top) right or wrong, and name each mistake."),
    "solve": (".homework", "solve", ("Compute an output size (no --out), find the input sizes (no --in), or find the "
                                     "kernel / stride / padding / dilation that turn size --in into size --out.")),
    "list": (".catalog", "list_command", "List the specs that ship with convcalc; give a name as SPEC to any command."),
    "schema": (".catalog", "schema_command", ("Print a JSON Schema: of a spec file (spec), of `summary --format json` "
                                               "(output), or of the JSON of check, solve, types or list.")),
}


def _ascii_fallback() -> None:
    """A terminal or pipe that cannot write '·', '←' or box lines gets ASCII stand-ins, never '?'."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", "") or "").lower().replace("-", "").replace("_", "")
        if hasattr(stream, "reconfigure") and encoding != "utf8":
            from ..render.ascii import error_handler

            stream.reconfigure(errors=error_handler())


@click.group("convcalc", cls=ConvcalcGroup, lazy=COMMANDS, epilog=EXIT_CODES,
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

    exit_on_interrupt()
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
