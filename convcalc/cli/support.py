"""What every convcalc command shares at the edge of the process: one error style, honest exit
codes, the options every command spells the same way, and where the output goes.

Click is imported in the cli package only; nothing in the library imports it.
"""
from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from collections.abc import Iterator
from typing import Any

import click

from ..errors import SpecError

EXIT_CODES = (
    "\b\nExit codes:\n"
    "  0    done (also when the reader stops early, as `| head` does: the rest\n"
    "       of the output is dropped quietly)\n"
    "  1    check: an answer is wrong; solve: no solution; the output could not\n"
    "       be written (a full disk)\n"
    "  2    a usage error or an invalid spec: one 'convcalc: error:' line\n"
    "  130  interrupted (Ctrl-C)"
)


class Interrupted(Exception):
    """Ctrl-C, taken out of click's hands (click prints 'Aborted!' and exits 1)."""


class PipeClosed(Exception):
    """The reader of standard output went away (`convcalc summary x.yaml | head -1`)."""


def message_line(text: str) -> str:
    """One line, always: control characters (a newline in a layer's name) escaped."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def fail(error: SpecError) -> None:
    """One clear line on stderr and exit code 2 (click's own ClickException would exit 1)."""
    click.echo(f"convcalc: error: {message_line(error.message)}", err=True)
    sys.exit(2)


def usage_fail(error: click.ClickException) -> None:
    """Click's usage errors (bad option, missing argument, bad choice) in convcalc's style: one
    line and exit code 2, with the command whose --help explains it."""
    if isinstance(error, click.NoSuchOption):  # its words differ between click releases
        close = list(error.possibilities or ())  # closest first
        text = f"no such option '{error.option_name}'" + (f"; did you mean '{close[0]}'?" if close else "")
    else:
        text = message_line(" ".join(error.format_message().split())).rstrip(".").replace(". Did you mean", "; did you mean")
    if text[:1].isupper() and not text[1:2].isupper():
        text = text[0].lower() + text[1:]
    context = getattr(error, "ctx", None)
    command = context.command_path if context is not None else "convcalc"
    see = f"(see '{command} --help')" if text.endswith("?") else f"; see '{command} --help'"
    click.echo(f"convcalc: error: {text}{' ' if text.endswith('?') else ''}{see}", err=True)
    sys.exit(2)


def _interrupted() -> None:
    newline = "\n" if sys.stderr is not None and sys.stderr.isatty() else ""  # after the terminal's '^C'
    click.echo(f"{newline}convcalc: interrupted", err=True)
    sys.exit(130)


def exit_on_interrupt() -> None:
    """Ctrl-C ends the process at once with one line and 130, wherever it comes. Raised as
    KeyboardInterrupt, it lands in whatever code runs: inside torch's import it aborted the process
    in pybind11, was swallowed (the answer printed, exit 0) or became 'importing needs torch'. Only
    for the console script (run()); a caller of main() keeps Python's KeyboardInterrupt."""
    import signal

    def interrupted(signum: int, frame: Any) -> None:
        newline = "\n" if sys.stderr is not None and sys.stderr.isatty() else ""  # after the terminal's '^C'
        with contextlib.suppress(OSError):
            os.write(2, f"{newline}convcalc: interrupted\n".encode())
        os._exit(130)

    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not where the caller ignores it (a background job)
        signal.signal(signal.SIGINT, interrupted)


def silence_stdout() -> None:
    """After the reader went away: what is still buffered (and any later write) goes nowhere,
    so that neither this run nor Python's own exit reports a broken pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):  # not a real file: nothing is flushed later
        pass


def _is_closed_pipe(error: OSError) -> bool:
    return isinstance(error, BrokenPipeError) or error.errno == errno.EPIPE


class ConvcalcGroup(click.Group):
    """click.Group with convcalc's exit codes: usage errors as one 'convcalc: error:' line and
    exit 2, Ctrl-C as one line and 130, a closed pipe as a quiet end (click says 1 to both).

    Its commands are loaded when asked for: `lazy` maps a command's name to the module (relative
    to this package) and attribute that define it, and the first paragraph of its help, so that a
    run imports only its own command's module and `convcalc --help` lists them all from that data.
    """

    def __init__(self, *args: Any, lazy: dict[str, tuple[str, str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})
        self._listing = False  # True while the group's --help lists its commands

    def list_commands(self, ctx: click.Context | None) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context | None, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            module, attribute, first_paragraph = self.lazy[cmd_name]
            if self._listing:  # a stand-in with the same help: click shortens it as it would the command's
                return click.Command(cmd_name, help=first_paragraph)
            import importlib

            self.commands[cmd_name] = getattr(importlib.import_module(module, __package__), attribute)
        return self.commands.get(cmd_name)

    def all_commands(self) -> dict[str, click.Command]:
        """Every command, loaded (for the tests and the docs that walk them all)."""
        return {name: command for name in self.list_commands(None) if (command := self.get_command(None, name))}

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_commands(ctx, formatter)
        finally:
            self._listing = False

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args=args, prog_name=prog_name, complete_var=complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args=args, prog_name=prog_name, complete_var=complete_var, standalone_mode=False, **extra)
        except click.ClickException as error:
            if type(error).__name__ == "NoArgsIsHelpError":  # bare `convcalc` (click >= 8.2): the help, as click 8.0-8.1 do
                click.echo(error.ctx.get_help())
                sys.exit(0)
            usage_fail(error)
        except (click.Abort, Interrupted):
            _interrupted()
        except PipeClosed:
            sys.exit(0)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise Interrupted() from None
        except RecursionError:  # whatever nests past Python's own limit (symbolic sizes printed, blocks): no traceback
            fail(SpecError("the spec nests too deep to work through (past Python's recursion limit)",
                           hint="nest blocks or symbolic sizes less deeply"))
        except OSError as error:
            if not _is_closed_pipe(error):
                raise
            silence_stdout()
            raise PipeClosed() from None


def finish(text: str, code: int) -> None:
    """Write a command's answer and end with its code; a reader that stops early changes neither
    the answer's code (check's 1 still means a wrong answer) nor anything on stderr."""
    try:
        click.echo(text, nl=False)
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
    sys.exit(code)


# --------------------------------------------------------------------------- where output goes


def write_file(path: str, data: str | bytes) -> None:
    """FILE written at once (a spec error never leaves half a file); '-' is standard output."""
    if path == "-":
        if isinstance(data, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
        else:
            sys.stdout.write(data)
        return
    try:
        if isinstance(data, bytes):
            with open(path, "wb") as handle:
                handle.write(data)
        else:
            with open(path, "w", encoding="utf-8", newline="") as handle:
                handle.write(data)
    except OSError as exc:
        raise SpecError(f"cannot write '{path}': {exc.strerror or exc}", hint="check that the folder exists and is writable") from None


@contextlib.contextmanager
def output_to(path: str | None) -> Iterator[Any]:
    """The stream a command renders into: standard output for no -o or '-o -', else a buffer
    written to FILE once the whole output is ready."""
    if path is None or path == "-":
        yield sys.stdout
        return
    buffer = io.StringIO()
    yield buffer
    try:
        write_file(path, buffer.getvalue())
    except SpecError as error:
        fail(error)


# --------------------------------------------------------------------------- one grammar


def _complete_path(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """A SPEC completes as a file name (the shell lists the files; inline specs are typed)."""
    from click.shell_completion import CompletionItem

    return [CompletionItem(incomplete, type="file")]


def spec_argument(name: str = "spec", metavar: str = "SPEC"):
    return click.argument(name, metavar=metavar, shell_complete=_complete_path)


def format_option(choices: tuple[str, ...], default: str, what: str = "The output format", required: bool = False):
    help_text = f"{what}: {', '.join(choices)}" + ("." if required else f" [default: {default}].")
    return click.option("--format", "-f", "output_format", type=click.Choice(choices), default=None, required=False,
                        help=help_text)


def output_option(what: str = "Write FILE instead of standard output ('-' is standard output)."):
    return click.option("--output", "-o", "output", metavar="FILE", type=click.Path(dir_okay=False, allow_dash=True),
                        help=what)


def layout_option(command):
    return click.option("--layout", type=click.Choice(["hwc", "chw"]),
                        help="Show shapes in this order: hwc = (H, W, C), chw = (C, H, W). The spec is still read in its "
                             "own order (a spec says layout: chw, or inline 'input 3x32x32 layout=chw').")(command)


def no_layout_option(what: str):
    """--layout where shapes are not shown in the user's order: a clear refusal, not 'no such option'."""
    def refuse_layout(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
        if value is not None:
            refuse(f"--layout only changes how shapes are shown, and {what}; the spec is read in its own order "
                   "(write layout: chw in it, or 'input 3x32x32 layout=chw')")

    return click.option("--layout", hidden=True, expose_value=False, callback=refuse_layout)


def strict_option(command):
    return click.option("--strict", is_flag=True, help="Make a size that does not divide evenly an error (exit 2).")(command)


def set_option(command):
    return click.option("--set", "assignments", multiple=True, metavar="NAME=N",
                        help="Give a symbol a value, e.g. --set k1=32.")(command)


def limit_option(command):
    return click.option(
        "--limit",
        "limit_options",
        multiple=True,
        metavar="NAME=N",
        help="Raise a safety limit: bytes (5,000,000), depth (50), aliases (100,000), layers (100,000), digits (4,000).",
    )(command)


def quiet_option(command):
    return click.option("--quiet", "-q", is_flag=True,
                        help="Only results: no warnings, hints or notes on stdout or stderr.")(command)


def spec_options(command):
    """The options of every command that reads a spec, in the order --help lists them."""
    for option in (quiet_option, limit_option, set_option, strict_option, layout_option):
        command = option(command)
    return command


def chosen_format(given: str | None, default: str, aliases: dict[str, str | None]) -> str:
    """--format, or the alias that means one ({'--json': 'json'}, {'--to keras': 'keras'}); two
    that disagree are a usage error, never a silent choice."""
    said = {f"--format {given}": given} if given else {}
    said.update((flag, meaning) for flag, meaning in aliases.items() if meaning)
    meanings = set(said.values())
    if len(meanings) > 1:
        refuse(f"{' and '.join(said)} ask for different formats; give one")
    return meanings.pop() if meanings else default


def refuse(text: str) -> None:
    """A usage error found after parsing (two options that conflict): the same one line and exit 2."""
    raise click.UsageError(text, ctx=click.get_current_context(silent=True))
