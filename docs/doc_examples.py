"""The commands shown in README.md and docs/*.md: found, run, and their shown output compared.

A fenced block in `sh`, `shell`, `bash` or `console` holds commands (a `pycon` block is a Python
session, run as a doctest). In `sh` every line that is not
blank or a `#` comment is a command; in `console` a command starts with `$ ` and the lines after it,
up to the next command, are the output it prints (stdout, then stderr), compared line by line (each
line's trailing spaces ignored). A line `…` in an output matches any number of lines, so an excerpt
can be shown; an output without `…` is rewritten by `python docs/generate.py` when the tool changes.

A comment line right before a block's fence changes how it is run:
    <!-- docs-test: exit 1 -->              every convcalc command of the block must exit 1 (default 0)
    <!-- docs-test: needs torch -->         skipped when the module cannot be imported
    <!-- docs-test: skip REASON -->         not run: illustrative only, and why (last: the rest is the reason)
Commands run from a scratch folder holding `specs/` (a link to the shipped specs), so a block may
create files and use them. `pip install …` and `python -m pytest …` are not run (they are what CI
itself runs). A command with shell syntax (pipes, redirections, `&&`, heredocs) runs in bash with
`convcalc` and `python` on PATH meaning this checkout; a plain `convcalc …` runs in-process through
click's CliRunner. Blocks in other languages must not hold convcalc commands unless marked skip.
"""
from __future__ import annotations

import importlib.util
import os
import re
import shlex
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMAND_LANGS = {"sh", "shell", "bash", "console"}
GAP = {"…", "..."}
# The terminal examples are shown as at a 100-column terminal without colour.
ENV = {"COLUMNS": "100", "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([^`\s]*)(.*)$")
_DIRECTIVE = re.compile(r"^\s*<!--\s*docs-test:\s*(.*?)\s*-->\s*$")
_HEREDOC = re.compile(r"<<-?\s*(['\"]?)(\w+)\1")
_SHELL_SYNTAX = {"|", "||", "&&", ";", ">", ">>", "<", "<<", "&", "(", ")", "2>", "2>&1"}


def doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@dataclass
class Command:
    text: str  # as written, without "$ "; several lines for a heredoc or a continued line
    line: int  # 1-based line in the file
    expected: list[str] | None = None  # console blocks: the shown output
    output_lines: tuple[int, int] = (0, 0)  # 0-based [start, end) of the shown output in the file


@dataclass
class Block:
    path: Path
    line: int  # 1-based line of the opening fence
    lang: str
    body: list[str]
    skip: str | None = None
    exit_code: int = 0
    needs: tuple[str, ...] = ()
    commands: list[Command] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(ROOT).as_posix()}:{self.line}"


def _directive(lines: list[str], fence_index: int) -> str | None:
    j = fence_index - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    match = _DIRECTIVE.match(lines[j]) if j >= 0 else None
    return match.group(1) if match else None


def _apply_directive(block: Block, text: str) -> None:
    text, _, reason = text.partition("skip")  # a reason is free text, and comes last
    if _:
        block.skip = reason.strip()
        if not block.skip:
            raise ValueError(f"{block.id}: 'docs-test: skip' needs a reason")
    for item in filter(None, (part.strip() for part in text.split(";"))):
        word, _, rest = item.partition(" ")
        rest = rest.strip()
        if word == "exit" and rest.isdigit():
            block.exit_code = int(rest)
        elif word == "needs" and rest:
            block.needs = tuple(m.strip() for m in rest.split(","))
        else:
            raise ValueError(f"{block.id}: unknown docs-test directive {item!r}")


def parse_blocks(path: Path, text: str | None = None) -> list[Block]:
    """Every fenced block of a Markdown file (or of text, that file's new text), with its commands."""
    lines = (path.read_text(encoding="utf-8") if text is None else text).split("\n")
    blocks, i = [], 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        indent, fence, lang = match.group(1), match.group(2), match.group(3).lower()
        end = i + 1
        while end < len(lines) and not lines[end].strip().startswith(fence):
            end += 1
        body = [line[len(indent):] if line.startswith(indent) else line.lstrip() for line in lines[i + 1:end]]
        block = Block(path, i + 1, lang, body)
        directive = _directive(lines, i)
        if directive is not None:
            _apply_directive(block, directive)
        if lang in COMMAND_LANGS:
            block.commands = _commands(body, i + 1, console=lang == "console")
        elif lang == "pycon":  # a Python session: the whole block is one doctest
            block.commands = [Command("\n".join(body), i + 2)]
        blocks.append(block)
        i = end + 1
    return blocks


def _commands(body: list[str], first: int, *, console: bool) -> list[Command]:
    """first: the 0-based file line of body[0]."""
    commands: list[Command] = []
    k = 0
    while k < len(body):
        line = body[k]
        is_command = line.startswith("$ ") if console else bool(line.strip()) and not line.lstrip().startswith("#")
        if not is_command:
            if console and commands:
                commands[-1].expected.append(line.rstrip())
                commands[-1].output_lines = (commands[-1].output_lines[0], first + k + 1)
            k += 1
            continue
        text_lines = [line[2:] if console else line]
        start = k
        while text_lines[-1].endswith("\\") and k + 1 < len(body):
            k += 1
            text_lines.append(body[k])
        heredoc = _HEREDOC.search(text_lines[0])
        if heredoc:
            while k + 1 < len(body) and body[k].strip() != heredoc.group(2):
                k += 1
                text_lines.append(body[k])
        k += 1
        commands.append(Command("\n".join(text_lines), first + start + 1, [] if console else None, (first + k, first + k)))
    return commands


# --------------------------------------------------------------------------- running


@dataclass
class Outcome:
    exit_code: int
    output: str  # stdout then stderr
    ran: bool = True


_NOT_RUN = ("pip install", "python -m pytest", "python3 -m pytest")


def runnable_part(text: str) -> str | None:
    """The part of a command that a test runs: installs and the test suite itself are not run."""
    while True:
        stripped = text.strip()
        if not stripped:
            return None
        if stripped.startswith(_NOT_RUN):
            tokens = _tokens(stripped)
            if "&&" not in tokens:
                return None
            text = stripped.split("&&", 1)[1]
            continue
        return stripped


def _tokens(text: str) -> list[str]:
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.commenters = "#"
    lexer.whitespace_split = True
    return list(lexer)


def _in_process_args(text: str) -> list[str] | None:
    """The arguments of a plain `convcalc …` command, or None when it needs a shell."""
    if "\n" in text:
        return None
    try:
        tokens = _tokens(text)
    except ValueError:
        return None
    if any(t in _SHELL_SYNTAX or t.startswith(("<", ">", "|", "&", ";")) for t in tokens) or "$(" in text or "`" in text:
        return None
    if tokens[:1] == ["convcalc"]:
        return tokens[1:]
    if tokens[:3] in (["python", "-m", "convcalc"], ["python3", "-m", "convcalc"]):
        return tokens[3:]
    return None


@contextmanager
def scratch_folder():
    """A working folder with specs/ linked in, and bin/ shims so that a shell finds this checkout."""
    with tempfile.TemporaryDirectory(prefix="convcalc-docs-") as name:
        folder = Path(name)
        (folder / "specs").symlink_to(ROOT / "specs", target_is_directory=True)
        shims = folder / ".bin"
        shims.mkdir()
        for shim, line in (("convcalc", f'exec "{sys.executable}" -m convcalc "$@"'), ("python", f'exec "{sys.executable}" "$@"'),
                           ("python3", f'exec "{sys.executable}" "$@"')):
            (shims / shim).write_text(f"#!/bin/sh\n{line}\n", encoding="utf-8")
            (shims / shim).chmod(0o755)
        yield folder


def _package_root() -> str:
    import convcalc

    return str(Path(convcalc.__file__).resolve().parent.parent)


def run_command(text: str, folder: Path) -> Outcome:
    """Run one documented command in the scratch folder; installs and pytest are not run."""
    text = runnable_part(text)
    if text is None:
        return Outcome(0, "", ran=False)
    args = _in_process_args(text)
    if args is not None:
        return _run_in_process(args, folder)
    env = {**os.environ, **ENV, "PATH": f"{folder / '.bin'}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYTHONPATH": _package_root() + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run(["bash", "-c", "set -o pipefail\n" + text], cwd=folder, env=env, capture_output=True, check=False,
                          text=True, encoding="utf-8", timeout=300)
    return Outcome(done.returncode, done.stdout + done.stderr)


def _run_in_process(args: list[str], folder: Path) -> Outcome:
    from click.testing import CliRunner

    from convcalc.cli import main

    try:
        runner = CliRunner(mix_stderr=False)  # click < 8.2
    except TypeError:
        runner = CliRunner()  # click >= 8.2 keeps stdout and stderr apart
    here = os.getcwd()
    os.chdir(folder)
    try:
        result = runner.invoke(main, args, env=ENV, catch_exceptions=False, prog_name="convcalc")
    finally:
        os.chdir(here)
    return Outcome(result.exit_code, result.stdout + result.stderr)


def missing_modules(block: Block) -> list[str]:
    return [m for m in block.needs if importlib.util.find_spec(m) is None]


# --------------------------------------------------------------------------- comparing


def normalise(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def has_gap(expected: list[str]) -> bool:
    return any(line.strip() in GAP for line in expected)


def matches(expected: list[str], actual: list[str]) -> bool:
    """Every expected line in order; a `…` line stands for any number of lines."""
    expected = list(expected)
    while expected and not expected[-1]:
        expected.pop()
    pieces: list[list[str]] = [[]]
    for line in expected:
        if line.strip() in GAP:
            pieces.append([])
        else:
            pieces[-1].append(line)
    if len(pieces) == 1:
        return pieces[0] == actual
    first, *middle, last = pieces
    if actual[:len(first)] != first:
        return False
    at = len(first)
    for piece in middle:
        found = next((j for j in range(at, len(actual) - len(piece) + 1) if actual[j:j + len(piece)] == piece), None)
        if found is None:
            return False
        at = found + len(piece)
    return len(actual) - at >= len(last) and (not last or actual[len(actual) - len(last):] == last)


def check_block(block: Block) -> list[str]:
    """What is wrong with a block's commands: [] when every command exits as documented and prints what is shown."""
    problems = []
    if block.lang == "pycon":
        return _check_session(block)
    with scratch_folder() as folder:
        for command in block.commands:
            outcome = run_command(command.text, folder)
            if not outcome.ran:
                continue
            where = f"{block.path.relative_to(ROOT).as_posix()}:{command.line}: {command.text}"
            documented = block.exit_code if re.search(r"\bconvcalc\b", command.text) else 0  # a helper (cat > file) exits 0
            if outcome.exit_code != documented:
                problems.append(f"{where}\n  exit code {outcome.exit_code}, documented {documented}\n"
                                + _indent(outcome.output))
            elif command.expected is not None and not matches(command.expected, normalise(outcome.output)):
                problems.append(f"{where}\n  the output differs from the one shown; it is now:\n" + _indent(outcome.output)
                                + ("" if has_gap(command.expected) else "\n  (run python docs/generate.py to rewrite it)"))
    return problems


def _check_session(block: Block) -> list[str]:
    """A `pycon` block run as a doctest (`...` in an output matches anything), from the scratch folder."""
    import doctest
    import io

    (command,) = block.commands
    name = block.path.relative_to(ROOT).as_posix()
    test = doctest.DocTestParser().get_doctest(command.text, {}, block.id, name, command.line - 1)
    report = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    with scratch_folder() as folder:
        here = os.getcwd()
        os.chdir(folder)
        try:
            runner.run(test, out=report.write)
        finally:
            os.chdir(here)
    return [report.getvalue()] if runner.failures else []


def _indent(text: str) -> str:
    """The output for a failure message: its head and its tail, where excerpts in the docs are taken from."""
    lines = normalise(text)
    if len(lines) > 60:
        lines = [*lines[:20], f"… ({len(lines) - 60} lines)", *lines[-40:]]
    return "\n".join("    " + line for line in lines)


def refreshed_text(path: Path, text: str | None = None) -> str:
    """The file (or text, its new text) with every full (no `…`) console output as the command prints it now."""
    text = path.read_text(encoding="utf-8") if text is None else text
    lines = text.split("\n")
    edits = []
    for block in parse_blocks(path, text):
        if block.lang != "console" or block.skip or missing_modules(block):
            continue
        with scratch_folder() as folder:
            for command in block.commands:
                outcome = run_command(command.text, folder)
                if outcome.ran and command.expected is not None and not has_gap(command.expected):
                    start, end = command.output_lines
                    trailing_blanks = len(command.expected) - len(normalise("\n".join(command.expected)))
                    end -= trailing_blanks  # the blank line before the next command stays
                    edits.append((start, end, normalise(outcome.output)))
    for start, end, new in sorted(edits, reverse=True):
        lines[start:end] = new
    return "\n".join(lines)
