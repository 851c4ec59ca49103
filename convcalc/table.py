"""The terminal table. The only module that imports rich, and only when a table is printed."""
from __future__ import annotations

from typing import TextIO

from .engine import NetworkReport
from .formats import HEADERS, _rows, totals_lines, warning_lines


def print_table(report: NetworkReport, stream: TextIO) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=stream, width=None if stream.isatty() else 160, highlight=False)
    title = report.name or "Network"
    table = Table(title=f"{title} (layout {report.layout})", title_justify="left")
    for header in HEADERS:
        justify = "right" if header in ("#", "Params") else "left"
        table.add_column(header, justify=justify, overflow="fold")
    for row in _rows(report):
        table.add_row(*row, style="yellow" if row[3].endswith("⚠") else None)
    console.print(table)
    for text in totals_lines(report):
        console.print(text)
    for text in warning_lines(report):
        console.print(text, style="yellow")
