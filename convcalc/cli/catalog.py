"""The commands that print what convcalc has rather than what a spec computes: `types` (the layer
kinds), `list` (the specs that ship with it) and `schema` (the JSON Schemas of a spec and of the JSON
output)."""
from __future__ import annotations

import click

from ..errors import SpecError
from .support import chosen_format, fail, format_option, output_option, output_to


@click.command("list", epilog="\b\nExamples:\n"
                              "  convcalc list\n"
                              "  convcalc summary resnet50 --depth 1\n"
                              "  convcalc list -f json -o specs.json")
@format_option(("text", "json"), "text")
@output_option()
def list_command(output_format: str | None, output: str | None) -> None:
    """List the specs that ship with convcalc; give a name as SPEC to any command.

    Each is a YAML file to read and copy; `convcalc list -f json` gives their paths.
    """
    from ..render.listings import specs_listing

    output_format = chosen_format(output_format, "text", {})
    try:
        text = specs_listing(output_format)
    except SpecError as error:
        fail(error)
    with output_to(output) as out:
        out.write(text)


@click.command("schema", epilog="\b\nExamples:\n"
                                "  convcalc schema spec -o convcalc-spec.schema.json\n"
                                "  convcalc schema output -o convcalc-output.schema.json\n"
                                "  convcalc schema check")
@click.argument("which", type=click.Choice(["spec", "output", "check", "solve", "types", "list"]),
                metavar="spec|output|check|solve|types|list")
@format_option(("json",), "json")
@output_option()
def schema_command(which: str, output_format: str | None, output: str | None) -> None:
    """Print a JSON Schema: of a spec file (spec), of `summary --format json` (output), or of the
    JSON of check, solve, types or list.

    The spec schema is written from the layer kinds (types, arguments, defaults, aliases); point
    an editor at it with a first line '# yaml-language-server: $schema=convcalc-spec.schema.json'.
    """
    import json

    from ..output_schema import schema

    chosen_format(output_format, "json", {})
    text = json.dumps(schema(which), indent=2, ensure_ascii=False) + "\n"
    with output_to(output) as out:
        out.write(text)


@click.command(epilog="\b\nExamples:\n"
                     "  convcalc types\n"
                     "  convcalc types -f markdown -o layers.md")
@format_option(("text", "markdown", "json"), "text")
@click.option("--markdown", is_flag=True, help="Same as --format markdown.")
@output_option()
def types(output_format: str | None, markdown: bool, output: str | None) -> None:
    """List every layer type with its arguments, defaults, aliases and rule."""
    from ..render.listings import kinds_listing

    output_format = chosen_format(output_format, "text", {"--markdown": "markdown" if markdown else None})
    with output_to(output) as out:
        out.write(kinds_listing(output_format))
