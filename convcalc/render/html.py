"""The table as HTML, for a notebook (``Summary._repr_html_``): the terminal table's rows and cells,
then its totals and notes. Every text from the spec is escaped; no script, no external style."""
from __future__ import annotations

from html import escape

from ..costs import NetworkCosts
from ..engine import NetworkReport
from .columns import COLUMNS, DEFAULT_COLUMNS, cost_lines, memory_lines, rows
from .formats import totals_lines, warning_lines

# One style block for the table (as pandas writes its own): cells in monospace, numbers right-aligned.
STYLE = """<style scoped>
.convcalc-summary { border-collapse: collapse; }
.convcalc-summary caption { text-align: left; font-weight: bold; }
.convcalc-summary th, .convcalc-summary td { padding: 1px 8px; text-align: left; white-space: pre; font-family: monospace; }
.convcalc-summary .num { text-align: right; }
.convcalc-summary .block { font-weight: bold; }
.convcalc-summary .warned, .convcalc-summary .note { color: #9a6700; }
.convcalc-summary .note { white-space: normal; }
</style>"""


def html_table(report: NetworkReport, costs: NetworkCosts, columns: tuple[str, ...] | None = None, depth: int | None = None,
               show_memory: bool = False) -> str:
    """One <table> with a caption (the network and its layout), a header row, a row per block and
    layer (blocks bold, rounded sizes marked ⚠), and the totals and notes in a footer."""
    keys = columns or DEFAULT_COLUMNS
    shown = report.shown_layout
    title = f"{report.name or 'Network'} (layout {shown}" + (f"; the spec is written {report.layout})" if shown != report.layout else ")")
    classes = [' class="num"' if COLUMNS[key].right else "" for key in keys]
    out = [STYLE, '<table class="convcalc-summary">', f"<caption>{escape(title)}</caption>",
           "<thead><tr>" + "".join(f"<th{c}>{escape(COLUMNS[key].header)}</th>" for key, c in zip(keys, classes)) + "</tr></thead>",
           "<tbody>"]
    for row, cells in rows(report, costs, keys, depth):
        kind = ' class="block"' if row.is_block else (' class="warned"' if row.warned else "")
        out.append(f"<tr{kind}>" + "".join(f"<td{c}>{escape(cell)}</td>" for cell, c in zip(cells, classes)) + "</tr>")
    out.append("</tbody>")
    footer = totals_lines(report) + cost_lines(costs) + (memory_lines(costs) if show_memory else [])
    span = len(keys)
    out.append("<tfoot>")
    out += [f'<tr><td colspan="{span}">{escape(line)}</td></tr>' for line in footer]
    out += [f'<tr><td colspan="{span}" class="note">{escape(line)}</td></tr>' for line in warning_lines(report)]
    out.append("</tfoot></table>")
    return "\n".join(out)
