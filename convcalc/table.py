"""The terminal table. The only module that imports rich, and only when a table is printed."""
from __future__ import annotations

from typing import TextIO

from .engine import NetworkReport
from .formats import HEADERS, _rows, totals_lines, warning_lines

RIGHT = ("#", "Params")  # right-justified columns


def print_table(report: NetworkReport, stream: TextIO) -> None:
    from rich.console import Console

    console = Console(file=stream, width=None if stream.isatty() else 160, highlight=False)
    title = f"{report.name or 'Network'} (layout {report.layout})"
    rows = _rows(report)
    if not _print_fast(console, title, rows):
        _print_rich_table(console, title, rows)
    if console.color_system is None and not console.is_terminal:  # plain text: what rich would write
        stream.write("".join(line + "\n" for line in (*totals_lines(report), *warning_lines(report))))
        return
    for text in totals_lines(report):
        console.print(text)
    for text in warning_lines(report):
        console.print(text, style="yellow")


def _print_rich_table(console, title: str, rows: list[list[str]]) -> None:
    """rich's own Table: it folds long cells to fit a narrow terminal."""
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for header in HEADERS:
        table.add_column(header, justify="right" if header in RIGHT else "left", overflow="fold")
    for row in rows:
        table.add_row(*row, style="yellow" if row[3].endswith("⚠") else None)
    console.print(table)


def _print_fast(console, title: str, rows: list[list[str]]) -> bool:
    """The same table as rich draws it (heavy head box), laid out here in one pass.

    rich's Table measures and wraps every cell, ~0.4 ms a row: most of a cold start. When the
    table fits the console as it is, the layout is simple; otherwise (False) rich's Table folds.
    """
    from rich.cells import cell_len
    from rich.text import Text

    widths = [cell_len(header) for header in HEADERS]
    for row in rows:
        for column, cell in enumerate(row):
            length = cell_len(cell)
            if length > widths[column]:
                widths[column] = length
    total = sum(widths) + 3 * len(widths) + 1
    if total > console.width or cell_len(title) > total:
        return False

    def cells(values: list[str]) -> list[str]:
        return [
            " " + (" " * (w - cell_len(v)) + v if h in RIGHT else v + " " * (w - cell_len(v))) + " "
            for v, w, h in zip(values, widths, HEADERS)
        ]

    def rule(left: str, line: str, cross: str, right: str) -> str:
        return left + cross.join(line * (w + 2) for w in widths) + right

    text = Text(end="")
    text.append(title + " " * (total - cell_len(title)) + "\n", style="italic")
    text.append(rule("┏", "━", "┳", "┓") + "\n┃")
    for cell in cells(HEADERS):
        text.append(cell, style="bold")
        text.append("┃")
    text.append("\n" + rule("┡", "━", "╇", "┩") + "\n")
    for row in rows:
        line = "│" + "│".join(cells(row)) + "│\n"
        text.append(line, style="yellow" if row[3].endswith("⚠") else None)
    text.append(rule("└", "─", "┴", "┘"))
    if console.color_system is None and not console.is_terminal:
        console.file.write(text.plain + "\n")  # no colour and no terminal: the very text rich would write
    else:
        console.print(text, soft_wrap=True)
    return True
