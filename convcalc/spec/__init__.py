"""Reading a spec (stage 1): a file, standard input, inline text or a mapping to a checked NetworkSpec.
May import the base (errors, limits, arith, shapes, symbols) and layers, and pyyaml; nothing later.

The source and its limits (``source``, ``yamlload``), the shipped specs (``shipped``, ``catalogue``),
the inline grammar (``inline``), blocks and templates (``templates``, ``expressions``, ``blocks``,
``names``) and the graph of named nodes (``entries``, ``build``).
"""
from .build import build_spec
from .records import LayerSpec, NetworkSpec
from .source import decode, load_spec, parse_document, read_source, read_stdin, spec_from_text

__all__ = ["LayerSpec", "NetworkSpec", "build_spec", "decode", "load_spec", "parse_document", "read_source", "read_stdin", "spec_from_text"]
