"""The terminal table. The only module that imports rich, and only when a table is printed."""
from __future__ import annotations

from typing import TextIO

from .engine import NetworkReport
from .formats import HEADERS, totals_lines, warning_lines
from .tree import tree_rows


def print_table(report: NetworkReport, stream: TextIO, depth: int | None = None) -> None:
    """Blocks show as rows with their summed parameters, their layers indented below (to depth)."""
    from rich.console import Console
    from rich.table import Table

    console = Console(file=stream, width=None if stream.isatty() else 160, highlight=False)
    title = report.name or "Network"
    table = Table(title=f"{title} (layout {report.layout})", title_justify="left")
    for header in HEADERS:
        justify = "right" if header in ("#", "Params") else "left"
        table.add_column(header, justify=justify, overflow="fold")
    for row in tree_rows(report, depth):
        table.add_row(*row.cells, style="yellow" if row.warned else ("bold" if row.is_block else None))
    console.print(table)
    for text in totals_lines(report):
        console.print(text)
    for text in warning_lines(report):
        console.print(text, style="yellow")
