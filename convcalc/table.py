"""The terminal table. The only module that imports rich, and only when a table is printed."""
from __future__ import annotations

from typing import TextIO

from .engine import NetworkReport
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
    from rich.table import Table

    from .columns import COLUMNS, DEFAULT_COLUMNS, cost_lines, memory_lines, rows
    from .costs import network_costs

    columns = columns or DEFAULT_COLUMNS
    costs = costs or network_costs(report)
    console = Console(file=stream, width=None if stream.isatty() else 160, highlight=False)
    title = report.name or "Network"
    table = Table(title=f"{title} (layout {report.layout})", title_justify="left")
    for key in columns:
        column = COLUMNS[key]
        table.add_column(column.header, justify="right" if column.right else "left", overflow="fold")
    for row, cells in rows(report, costs, columns, depth):
        table.add_row(*cells, style="yellow" if row.warned else ("bold" if row.is_block else None))
    console.print(table)
    for text in totals_lines(report) + cost_lines(costs) + (memory_lines(costs) if show_memory else []):
        console.print(text)
    for text in warning_lines(report):
        console.print(text, style="yellow")
