"""Reading a spec: a file, standard input, inline text or a mapping to a checked NetworkSpec.

Stage 1 of a spec's trip: the source and its limits (``source``, ``yamlload``), the inline
grammar (``inline``), blocks and templates (``templates``, ``expressions``, ``blocks``) and the
graph of named nodes (``entries``, ``build``). May import errors, limits, arith, shapes and layers.
"""
from .build import build_spec
from .records import LayerSpec, NetworkSpec
from .source import decode, load_spec, parse_document, read_source, spec_from_text

__all__ = ["LayerSpec", "NetworkSpec", "build_spec", "decode", "load_spec", "parse_document", "read_source", "spec_from_text"]
