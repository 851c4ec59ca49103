"""The terminal table. The only module that imports rich, and only when a table is printed."""
from __future__ import annotations

from typing import TextIO

from ..engine import NetworkReport
from .formats import totals_lines, warning_lines


def print_table(
    report: NetworkReport,
    stream: TextIO,
    depth: int | None = None,
    columns: tuple[str, ...] | None = None,
    costs=None,
    show_memory: bool = False,
) -> None:
    """Blocks show as rows with their summed figures, their layers indented below (to depth)."""
    from rich.console import Console

    from .columns import COLUMNS, DEFAULT_COLUMNS, cost_lines, memory_lines, rows
    from ..costs import network_costs

    columns = columns or DEFAULT_COLUMNS
    costs = costs or network_costs(report)
    # Names come from the spec: no markup ('[/]' would raise, '[red]' would colour) and no emoji codes.
    console = Console(file=stream, width=None if stream.isatty() else 160, highlight=False, markup=False, emoji=False)
    title = f"{report.name or 'Network'} (layout {report.layout})"
    headers = [COLUMNS[key].header for key in columns]
    right = [COLUMNS[key].right for key in columns]
    styled = [(cells, "yellow" if row.warned else ("bold" if row.is_block else None)) for row, cells in rows(report, costs, columns, depth)]
    if not _print_fast(console, title, headers, right, styled):
        _print_rich_table(console, title, headers, right, styled)
    lines = totals_lines(report) + cost_lines(costs) + (memory_lines(costs) if show_memory else [])
    if console.color_system is None and not console.is_terminal:  # plain text: what rich would write
        stream.write("".join(line + "\n" for line in (*lines, *warning_lines(report))))
        return
    for text in lines:
        console.print(text)
    for text in warning_lines(report):
        console.print(text, style="yellow")


def _print_rich_table(console, title: str, headers: list[str], right: list[bool], styled: list[tuple[list[str], str | None]]) -> None:
    """rich's own Table: it folds long cells to fit a narrow terminal."""
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for header, is_right in zip(headers, right):
        table.add_column(header, justify="right" if is_right else "left", overflow="fold")
    for cells, style in styled:
        table.add_row(*cells, style=style)
    console.print(table)


def _print_fast(console, title: str, headers: list[str], right: list[bool], styled: list[tuple[list[str], str | None]]) -> bool:
    """The same table as rich draws it (heavy head box), laid out here in one pass.

    rich's Table measures and wraps every cell, ~0.4 ms a row: most of a cold start. When the
    table fits the console as it is and no cell spans lines, the layout is simple; otherwise
    (False) rich's Table folds the cells.
    """
    from rich.cells import cell_len
    from rich.text import Text

    widths = [cell_len(header) for header in headers]
    for cells, _ in styled:
        for column, cell in enumerate(cells):
            if "\n" in cell:
                return False
            length = cell_len(cell)
            if length > widths[column]:
                widths[column] = length
    total = sum(widths) + 3 * len(widths) + 1
    if total > console.width or cell_len(title) > total:
        return False

    def padded(values: list[str]) -> list[str]:
        return [
            " " + (" " * (w - cell_len(v)) + v if r else v + " " * (w - cell_len(v))) + " "
            for v, w, r in zip(values, widths, right)
        ]

    def rule(left: str, line: str, cross: str, end: str) -> str:
        return left + cross.join(line * (w + 2) for w in widths) + end

    text = Text(end="")
    text.append(title + " " * (total - cell_len(title)) + "\n", style="italic")
    text.append(rule("┏", "━", "┳", "┓") + "\n┃")
    for cell in padded(headers):
        text.append(cell, style="bold")
        text.append("┃")
    text.append("\n" + rule("┡", "━", "╇", "┩") + "\n")
    for cells, style in styled:
        text.append("│" + "│".join(padded(cells)) + "│\n", style=style)
    text.append(rule("└", "─", "┴", "┘"))
    if console.color_system is None and not console.is_terminal:
        console.file.write(text.plain + "\n")  # no colour and no terminal: the very text rich would write
    else:
        console.print(text, soft_wrap=True)
    return True
