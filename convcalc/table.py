"""The terminal table. The only module that imports rich, and only when a table is printed."""
from __future__ import annotations

from typing import TextIO

from .engine import NetworkReport
from .formats import totals_lines, warning_lines


def print_table(
    report: NetworkReport,
    stream: TextIO,
    columns: tuple[str, ...] | None = None,
    costs=None,
    show_memory: bool = False,
) -> None:
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
    warned = {layer.index for layer in report.layers if layer.warnings}
    for position, row in enumerate(rows(report, costs, columns)):
        is_warned = position > 0 and report.layers[position - 1].index in warned
        table.add_row(*row, style="yellow" if is_warned else None)
    console.print(table)
    for text in totals_lines(report) + cost_lines(costs) + (memory_lines(costs) if show_memory else []):
        console.print(text)
    for text in warning_lines(report):
        console.print(text, style="yellow")
