"""Listings of what convcalc has rather than what a spec computes: the layer kinds (`convcalc types`)
and the specs that ship with it (`convcalc list`), as text, Markdown or JSON."""
from __future__ import annotations


def kinds_listing(output_format: str) -> str:
    """Every layer kind with its arguments, defaults, aliases and rule: 'text', 'markdown' or 'json'."""
    from ..layers import reference_rows

    rows = reference_rows()
    if output_format == "json":
        from .formats import versioned_json

        return versioned_json({"types": rows})  # schema_version and convcalc_version first
    if output_format == "markdown":
        lines = ["| type | primary | arguments (default) | also written | rule |", "|---|---|---|---|---|"]
        for row in rows:
            cells = [f"`{row['type']}`", row["primary"], row["arguments"], row["aliases"], row["rule"]]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        return "\n".join(lines) + "\n"
    return "".join(f"{row['type']}: {row['arguments']}" + (f"  (also: {row['aliases']})" if row["aliases"] else "")
                   + f"\n    {row['summary']}. {row['rule']}\n" for row in rows)


def specs_listing(output_format: str) -> str:
    """The shipped specs, by the name any command takes as SPEC: 'text' or 'json' (with their paths)."""
    from ..spec import catalogue, shipped

    rows = catalogue.catalogue()
    if output_format == "json":
        from .formats import versioned_json

        return versioned_json({"specs": [row._asdict() for row in rows]})
    if not rows:
        return "No shipped specs were found (the package was installed without its specs).\n"
    header = ("NAME", "NETWORK", "INPUT")
    named = [(row.name, row.title, f"{'×'.join(str(size) for size in row.input)} {row.layout}") for row in rows]
    widths = [max(len(cells[n]) for cells in [header, *named]) for n in range(3)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(cells, widths)).rstrip() for cells in [header, *named]]
    lines += ["", "Give a name as SPEC: convcalc summary resnet50. The files are in " + (shipped.folder() or "?") + "."]
    return "\n".join(lines) + "\n"
