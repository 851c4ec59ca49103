"""`solve:` questions in an answer sheet: "what padding keeps 32 at 32 with a 5×5 filter?", answered and marked.

A question is written with the options of `convcalc solve` (in, out, op, kernel, stride, padding,
dilation, output_padding, ceil_mode), the one asked for named by ``find`` and the student's value
as ``answer``. The answer is right when the solver's forward rule gives the question's sizes with it.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..errors import SpecError
from .answers import read_answer, written_text
from .solve import Bounds, InputSizes, Problem, Solution, count, rounding_note, solve
from .verdicts import Verdict

QUESTION_KEYS = ("in", "out", "op", "kernel", "stride", "padding", "dilation", "output_padding", "ceil_mode", "find", "answer")
FINDABLE = ("out", "in", "kernel", "stride", "padding", "dilation", "output_padding")
_ATTRIBUTE = {"out": "size_out", "in": "size_in"}


def _question_error(number: int, problem: str, hint: str | None = None) -> SpecError:
    return SpecError(problem, hint=hint, where=f"expect: solve {number}")


def _problem(question: dict[str, Any], number: int) -> tuple[Problem, str]:
    unknown = [key for key in question if key not in QUESTION_KEYS]
    if unknown:
        raise _question_error(number, f"unknown key '{unknown[0]}'", f"a solve question takes: {', '.join(QUESTION_KEYS)}")
    if "answer" not in question:
        raise _question_error(number, "the question has no answer", "add e.g. 'find: padding, answer: 2'")
    find = question.get("find")
    if find is None:
        missing = [key for key in ("out", "in") if key not in question]
        if len(missing) != 1:
            raise _question_error(number, "say what the question asks for", f"add find: one of {', '.join(FINDABLE)}")
        find = missing[0]
    if find not in FINDABLE:
        raise _question_error(number, f"find: {find!r} is not something solve finds", f"choose one of {', '.join(FINDABLE)}")
    values: dict[str, Any] = {}
    for key in ("in", "out", "kernel", "stride", "dilation", "output_padding"):
        raw = question.get(key)
        if key == find or raw is None:
            continue
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise _question_error(number, f"{key} must be a whole number, got {raw!r}")
        values[key] = raw
    padding = question.get("padding")
    if find != "padding" and padding is not None:
        if isinstance(padding, str) and padding.strip().lower() in ("same", "valid"):
            padding = padding.strip().lower()
        elif isinstance(padding, bool) or not isinstance(padding, int):
            raise _question_error(number, f"padding must be a whole number, 'same' or 'valid', got {padding!r}")
    else:
        padding = None
    op = question.get("op", "conv")
    ceil_mode = question.get("ceil_mode", False)
    if not isinstance(ceil_mode, bool):
        raise _question_error(number, f"ceil_mode must be true or false, got {ceil_mode!r}")
    problem = Problem(str(op), values.get("in"), values.get("out"), values.get("kernel"), values.get("stride"), padding,
                      values.get("dilation"), values.get("output_padding"), ceil_mode, Bounds(max_dilation=values.get("dilation") or 1))
    return problem, find


def _value(solution: Solution, find: str) -> Any:
    return getattr(solution, _ATTRIBUTE.get(find, find))


def _question_text(problem: Problem, find: str) -> str:
    parts = [f"{name} {value}" for name, value in (("in", problem.size_in), ("out", problem.size_out), ("kernel", problem.kernel),
                                                   ("stride", problem.stride), ("padding", problem.padding),
                                                   ("dilation", problem.dilation), ("output_padding", problem.output_padding))
             if value is not None]
    return f"{problem.op}: {', '.join(parts)}: {find}?"


def solve_verdicts(raw: Any) -> list:
    """One verdict per question (a mapping, or a list of them)."""

    questions = raw if isinstance(raw, list) else [raw]
    verdicts = []
    for number, question in enumerate(questions, start=1):
        where = f"solve {number}"
        if not isinstance(question, dict):
            raise _question_error(number, f"a solve question is a mapping such as {{in: 32, out: 32, kernel: 5, find: padding, "
                                          f"answer: 2}}, got {question!r}")
        problem, find = _problem(question, number)
        answer = question["answer"]
        solutions = solve(problem)
        run = isinstance(solutions, InputSizes)  # input sizes low..high, maybe too many to list
        values = list(dict.fromkeys(_value(s, find) for s in (solutions[:1000] if run else solutions)))
        derivation = [_question_text(problem, find)] + [f"{find} {_value(s, find)}: {s.step.text} {rounding_note(s)}".rstrip()
                                                        for s in solutions[:6]]
        if count(solutions) > 6:
            derivation.append(f"… and {count(solutions) - 6} more")
        shown = ", ".join(str(v) for v in values[:6]) + (" …" if len(values) > 6 else "") if values else "none"
        reading = read_answer(answer, "size")
        if find == "padding" and isinstance(answer, str) and answer.strip().lower() in ("same", "valid"):
            reading = None
            chosen = answer.strip().lower()
        if reading is not None and not reading.readable:
            verdicts.append(Verdict(where, find, written_text(answer), shown, "unreadable", tuple(derivation), written=answer,
                                    value=values, diagnosis=f"cannot read it: {reading.problem}"))
            continue
        if reading is not None:
            chosen = reading.value
        if run:
            inside = type(chosen) is int and solutions.low <= chosen <= solutions.high
            matching = [solutions[chosen - solutions.low]] if inside and find == "in" else []
        else:
            matching = [s for s in solutions if _value(s, find) == chosen]
        details: tuple[str, ...] = ()
        diagnosis = ""
        if matching:
            status = "right"
            if matching[0].rounded:
                details = (f"({matching[0].step.text} {rounding_note(matching[0])}; "
                           f"{'an exact one: ' + str(values[0]) if not solutions[0].rounded else 'no setting fits exactly'})",)
        else:
            status = "wrong"
            diagnosis = _what_the_answer_gives(problem, find, chosen)
        verdicts.append(Verdict(where, find, written_text(answer), shown, status, tuple(derivation), written=answer,
                                value=values, diagnosis=diagnosis, details=details))
    return verdicts


def _what_the_answer_gives(problem: Problem, find: str, chosen: Any) -> str:
    """'With padding 1 the output is (32 − 5 + 2·1)/1 + 1 = 30, not 32.' — the student's value run forwards."""
    if find == "out" or not isinstance(chosen, (int, str)) or isinstance(chosen, bool):
        return ""
    fields = {"in": "size_in", "kernel": "kernel", "stride": "stride", "padding": "padding", "dilation": "dilation",
              "output_padding": "output_padding"}
    given = {fields[find]: chosen, "size_out": None}
    try:
        forward = replace(problem, **given)
        result = solve(forward)[0]
    except (SpecError, TypeError, ValueError):
        return ""
    return f"With {find} {chosen} the output is {result.step.text}, not {problem.size_out}."
