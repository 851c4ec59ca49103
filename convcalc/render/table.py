"""The terminal table, laid out here in one pass over its rows: it reads at any width.

The box is the one rich's Table draws by default (heavy head), in ASCII where the output cannot
write box lines. When the table is wider than the terminal, the default columns that do not fit
are left out (a line says which, and how to see them); the columns --columns names are kept and
their cells wrapped at spaces. A word or number is split only when it alone is wider than the
terminal. Time and memory stay linear in the rows whatever their cells: rich's own Table measures
and wraps every cell (100,000 layers with one wide cell: 66 s and 658 MB). rich is imported for
cell widths and colour; this is the only module that imports it.
"""
from __future__ import annotations

import os
import re
from typing import Any, TextIO

from ..engine import NetworkReport
from .ascii import ascii_text, can_write
from .formats import remark_lines, totals_lines, warning_lines

# The order in which the default columns claim room on a narrow terminal (the first three always).
FIT_ORDER = ("name", "shape", "params", "index", "macs", "type", "formula", "flops", "memory", "param_memory", "rf", "inputs")
ALWAYS = 3
PIPED_WIDTH = 160  # piped or written to a file, without COLUMNS
_GLUED = re.compile(r"(\d) '")


def output_width(stream: TextIO) -> int:
    """COLUMNS when set (as rich and the shells read it), else the terminal's width, else 160."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isascii() and columns.isdigit() and int(columns) > 0:  # "²".isdigit() is true
        return int(columns)
    try:
        if stream.isatty():
            return os.get_terminal_size(stream.fileno()).columns or PIPED_WIDTH
    except (OSError, ValueError, AttributeError):
        pass
    return PIPED_WIDTH


class Box:
    """The characters of one box style: top, head row, head rule, body rows, bottom."""

    def __init__(self, top: str, head: str, rule: str, body: str, bottom: str) -> None:
        self.top, self.head, self.rule, self.body, self.bottom = top, head, rule, body, bottom


HEAVY_HEAD = Box("┏━┳┓", "┃┃┃", "┡━╇┩", "│││", "└─┴┘")  # rich.box.HEAVY_HEAD, rich.table.Table's default
ASCII = Box("+-++", "|||", "+=++", "|||", "+-++")


def print_table(
    report: NetworkReport,
    stream: TextIO,
    depth: int | None = None,
    columns: tuple[str, ...] | None = None,
    costs=None,
    show_memory: bool = False,
    *,
    quiet: bool = False,
    width: int | None = None,
) -> None:
    """Blocks show as rows with their summed figures, their layers indented below (to depth).

    ``columns`` None: the default columns, fitted to the width; named columns are all kept.
    ``quiet``: the table and totals only (no rounding warnings, no hint about hidden columns).
    """
    from rich.console import Console

    width = max(width or output_width(stream), 20)
    # Names come from the spec: no markup ('[/]' would raise, '[red]' would colour) and no emoji codes.
    console = Console(file=stream, width=width, highlight=False, markup=False, emoji=False)
    styled_lines = table_lines(report, width, depth, columns, costs, show_memory, quiet=quiet, unicode=can_write(stream))
    if console.color_system is None and not console.is_terminal:  # no colour and no terminal: the text only
        stream.write("".join(line + "\n" for line, _ in styled_lines))
        return
    from rich.text import Text

    styled = Text(end="")
    for line, style in styled_lines:
        styled.append(line, style=style)
        styled.append("\n")
    console.print(styled, soft_wrap=True)


def table_lines(report: NetworkReport, width: int, depth: int | None = None, columns: tuple[str, ...] | None = None,
                costs=None, show_memory: bool = False, *, quiet: bool = False, unicode: bool = True) -> list[tuple[str, str | None]]:
    """The table's lines at ``width`` (title, box, totals, notes), each with its style (None, 'bold',
    'yellow', 'italic'): what print_table writes, and what a notebook's rich display draws."""
    from ..costs import network_costs
    from .columns import COLUMNS, DEFAULT_COLUMNS, cost_lines, memory_lines, rows

    keys = columns or DEFAULT_COLUMNS
    costs = costs or network_costs(report)
    width = max(width, 20)
    text = (lambda s: s) if unicode else ascii_text
    shown = report.shown_layout
    title = f"{report.name or 'Network'} (layout {shown}" + (f"; the spec is written {report.layout})" if shown != report.layout else ")")
    headers = [text(COLUMNS[key].header) for key in keys]
    right = [COLUMNS[key].right for key in keys]
    body = [([text(c) for c in cells] if not unicode else cells, "yellow" if row.warned else ("bold" if row.is_block else None))
            for row, cells in rows(report, costs, keys, depth)]
    plan = fit(keys, headers, right, [cells for cells, _ in body], width, droppable=columns is None)
    lines = draw(plan, text(title), headers, right, body, HEAVY_HEAD if unicode else ASCII, width)
    footer = totals_lines(report) + cost_lines(costs) + (memory_lines(costs) if show_memory else []) + remark_lines(report)
    notes = [] if quiet else [*hidden_line(plan, width, bool(report.spec.blocks)), *warning_lines(report)]
    footer_lines = [(line, None) for item in footer for line in wrap_words(text(item), width, "  ")]
    footer_lines += [(line.replace("\u00a0", " "), "yellow") for item in notes
                     for line in wrap_words(_GLUED.sub("\\1\u00a0'", text(item)), width, "  ")]  # 4 'maxpool' on one line
    return [*lines, *footer_lines]


# --------------------------------------------------------------------------- fitting


class Plan:
    """Which columns are shown, and how wide each is (cells wider than that are wrapped)."""

    def __init__(self, kept: list[int], widths: list[int], hidden: list[str], lengths: list[list[int]]) -> None:
        self.kept, self.widths, self.hidden = kept, widths, hidden
        self.lengths = lengths  # every cell's width in cells, row by row (measured once)


def _cell_len(text: str) -> int:
    from rich.cells import cell_len

    return len(text) if text.isascii() else cell_len(text)


def _span(widths: list[int]) -> int:
    return sum(widths) + 3 * len(widths) + 1  # '│ ' before each cell, ' ' after, and the closing '│'


def fit(keys, headers: list[str], right: list[bool], cells: list[list[str]], width: int, droppable: bool) -> Plan:
    """The columns that fit the width: natural widths when they fit; else the default columns in
    FIT_ORDER while they fit; then the widest text columns narrowed to their longest word, and
    only past that (one word wider than the terminal) narrowed further."""
    from rich.cells import cell_len

    natural = [cell_len(h) for h in headers]
    lengths = [[len(cell) if cell.isascii() else cell_len(cell) for cell in row] for row in cells]
    for row in lengths:
        natural = list(map(max, natural, row))
    kept = list(range(len(keys)))
    if _span(natural) <= width:
        return Plan(kept, natural, [], lengths)
    if droppable:
        rank = {key: n for n, key in enumerate(FIT_ORDER)}
        order = sorted(kept, key=lambda i: rank.get(keys[i], len(FIT_ORDER)))
        kept, used = [], 1
        for n, i in enumerate(order):
            claim = natural[i] if right[i] or n >= ALWAYS else min(natural[i], width // 2)  # a long name wraps
            if n < ALWAYS or used + claim + 3 <= width:
                kept.append(i)
                used += claim + 3
        kept.sort()
    widths = [natural[i] for i in kept]
    if _span(widths) > width:  # the kept text columns wrap at spaces: no narrower than their longest word
        words = {i: max((cell_len(w) for w in headers[i].split()), default=1) for i in kept if not right[i]}
        for row, row_lengths in zip(cells, lengths):
            for i, longest in words.items():
                if row_lengths[i] > longest:
                    words[i] = max(longest, *(cell_len(w) for w in row[i].split()))
        floors = [words.get(i, natural[i]) for i in kept]
        narrowed = list(widths)
        _narrow(narrowed, floors, width)
        if _span(narrowed) > width:  # a word wider than the room: split it, the only way left
            narrowed = list(widths)
            _narrow(narrowed, [min(f, 8) if i in words else f for f, i in zip(floors, kept)], width)
        widths = narrowed
    return Plan(kept, widths, [keys[i] for i in range(len(keys)) if i not in kept], lengths)


def _narrow(widths: list[int], floors: list[int], width: int) -> None:
    """Take the excess off the widest column first, none below its floor."""
    excess = _span(widths) - width
    while excess > 0:
        wide = [k for k in range(len(widths)) if widths[k] > floors[k]]
        if not wide:
            return
        k = max(wide, key=lambda k: widths[k])
        second = max((widths[j] for j in wide if j != k), default=0)
        cut = min(excess, widths[k] - floors[k], max(widths[k] - second, 1))
        widths[k] -= cut
        excess -= cut


def hidden_line(plan: Plan, width: int, has_blocks: bool) -> list[str]:
    if not plan.hidden:
        return []
    ways = "--columns, --depth, a wider terminal" if has_blocks else "--columns or a wider terminal"
    return [f"Hidden at {width} columns: {', '.join(plan.hidden)} (see {ways})"]


# --------------------------------------------------------------------------- drawing


def wrap_words(text: str, width: int, indent: str = "") -> list[str]:
    """Lines of at most width cells, broken at spaces (leading spaces kept); a word wider than
    the width is split, the only way left."""
    from rich.cells import cell_len

    if cell_len(text) <= width:
        return [text]
    lead = text[: len(text) - len(text.lstrip(" "))]
    if cell_len(lead) >= width:
        lead = ""
    lines: list[str] = []
    line = lead
    for word in text[len(lead):].split(" "):
        room = width - cell_len(line) - (0 if line.strip() == "" else 1)
        if cell_len(word) <= room:
            line = (line + " " + word) if line.strip() else line + word
            continue
        if line.strip():
            lines.append(line)
            line = lead + (indent if indent else "")
        while cell_len(line) + cell_len(word) > width:  # one word wider than the line
            room = max(width - cell_len(line), 1)
            piece = _cells_prefix(word, room)
            lines.append(line + piece)
            word = word[len(piece):]
            line = lead + indent
        line += word
    if line.strip() or not lines:
        lines.append(line)
    return lines


def _cells_prefix(word: str, room: int) -> str:
    from rich.cells import cell_len

    end = min(len(word), room)
    while end > 1 and cell_len(word[:end]) > room:
        end -= 1
    return word[:max(end, 1)]


def draw(plan: Plan, title: str, headers: list[str], right: list[bool], body, box: Box, width: int) -> list[tuple[str, str | None]]:
    """The table's lines, each with its style (None, 'bold', 'yellow', 'italic')."""
    from rich.cells import cell_len

    widths, kept = plan.widths, plan.kept
    aligns = [right[i] for i in kept]
    total = _span(widths)
    columns = list(zip(kept, widths, aligns))

    def rule(chars: str, line: str) -> str:
        left, _, cross, end = chars
        return left + cross.join(line * (w + 2) for w in widths) + end

    def one_line(cells: list[str], lengths: list[int], bar: str) -> str | None:
        """The row on one line (most rows), or None when a cell must wrap."""
        parts = []
        for i, w, is_right in columns:
            pad = w - lengths[i]
            if pad < 0:
                return None
            parts.append(f" {' ' * pad}{cells[i]} " if is_right else f" {cells[i]}{' ' * pad} ")
        return bar + bar.join(parts) + bar

    def row_lines(cells: list[str], bar: str) -> list[str]:
        wrapped = [[c] if _cell_len(c) <= w else wrap_words(c, w) for c, w in zip(cells, widths)]
        height = max(len(lines) for lines in wrapped)
        out = []
        for n in range(height):
            parts = []
            for lines, w, is_right in zip(wrapped, widths, aligns):
                value = lines[n] if n < len(lines) else ""
                pad = " " * (w - _cell_len(value))
                parts.append(" " + (pad + value if is_right else value + pad) + " ")
            out.append(bar + bar.join(parts) + bar)
        return out

    lines: list[tuple[str, str | None]] = []
    title_width = cell_len(title)
    for line in [title + " " * (total - title_width)] if title_width <= total else wrap_words(title, max(total, width)):
        lines.append((line, "italic"))
    lines.append((rule(box.top, box.top[1]), None))
    for line in row_lines([headers[i] for i in kept], box.head[0]):
        lines.append((line, "bold"))
    lines.append((rule(box.rule, box.rule[1]), None))
    bar = box.body[0]
    for (cells, style), lengths in zip(body, plan.lengths):
        line = one_line(cells, lengths, bar)
        if line is not None:
            lines.append((line, style))
            continue
        for line in row_lines([cells[i] for i in kept], bar):
            lines.append((line, style))
    lines.append((rule(box.bottom, box.bottom[1]), None))
    return lines


class TableRenderable:
    """The table as a rich renderable, drawn at the console's width when rich asks for it (a
    notebook's or a terminal's rich.print of a report)."""

    def __init__(self, report: NetworkReport, costs: Any, depth: int | None, columns: Any, show_memory: bool) -> None:
        self.report, self.costs, self.depth, self.columns, self.show_memory = report, costs, depth, columns, show_memory

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from rich.text import Text

        from ..limits import int_digits

        with int_digits(self.report.limits):
            lines = table_lines(self.report, options.max_width, self.depth, self.columns, self.costs, self.show_memory,
                                unicode=not options.ascii_only)
        for line, style in lines:
            yield Text(line, style=style or "", end="\n", no_wrap=True, overflow="ignore")
