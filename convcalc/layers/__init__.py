"""The layer kinds (stage 2): one declaration per kind, grouped by family as Keras and torch.nn group theirs.
May import the base only (errors, arith, shapes, symbols; SymPy lazily); every later stage imports from here.

The registry (``registry``), the argument checks (``args``), the rules several kinds share
(``windows``), the framework counterparts' records (``counterparts``) and one module per family.
"""
from .args import REQUIRED, Arg, dims, flag, integer, non_negative, number, offsets, optional_integer, padding, positive, rate, size_words, sizes
from .registry import (
    KINDS,
    LayerContext,
    LayerKind,
    Outcome,
    all_names,
    argument_aliases,
    axes_word,
    family_args,
    lookup,
    normalise,
    reference_rows,
    register,
)
from .windows import axis_pads, per_axis, sliding_window

# Each family registers its kinds when imported, in the order `convcalc types` lists them.
from . import convolutional, local, pooling, core, resizing, rearranging, normalization, scaling, activations, merging  # noqa: E402,F401  isort: skip

__all__ = [
    "KINDS", "REQUIRED", "Arg", "LayerContext", "LayerKind", "Outcome", "all_names", "argument_aliases", "axes_word", "axis_pads", "dims",
    "family_args", "flag", "integer", "lookup", "non_negative", "normalise", "number", "offsets", "optional_integer",
    "padding", "per_axis", "positive", "rate", "reference_rows", "register", "size_words", "sizes", "sliding_window",
]
