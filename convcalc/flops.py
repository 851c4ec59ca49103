"""FLOPs conventions: what one "FLOP" counts, said wherever FLOPs are printed.

convcalc's default counts 2 FLOPs per multiply-add (a multiplication and an addition) and 1 per
output for a bias (costs.layer_flops, with its own rules for pooling, activations and merges).
The textbook count (Goodfellow, Bengio and Courville, *Deep Learning*, ch. 9, the edge detector:
"319 × 280 × 3 = 267,960 floating point operations (two multiplications and one addition per
output pixel)") counts, per output of a layer with weights, n multiplications and n − 1 additions
for its n inputs, and no bias: 2·MACs − outputs. Other layers count the same in both.
"""
from __future__ import annotations

from typing import Any

CONVENTIONS = ("default", "textbook")
WORDS = {
    "default": "2 per multiply-add + 1 per bias",
    "textbook": "n multiplications + n − 1 additions per output, no bias (textbook)",
}


def convention_flops(layer: Any, default_flops: Any, convention: str) -> Any:
    """One layer's FLOPs under ``convention``, from its default count and its multiply-adds."""
    if convention == "default":
        return default_flops
    if convention not in CONVENTIONS:
        raise ValueError(f"flops must be one of {', '.join(CONVENTIONS)}, got {convention!r}")
    macs = layer.outcome.macs
    if isinstance(macs, int) and macs == 0:
        return default_flops
    return 2 * macs - layer.outcome.shape.numel()  # a sum of n products needs n − 1 additions
