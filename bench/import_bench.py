"""`convcalc import` of ResNet-50 from PyTorch against one torchinfo summary of the same model.

Usage:  python bench/import_bench.py [--runs 7]

The model is the plain torch.nn ResNet-50 of tests/test_zoo_torch.py (torchvision's structure and
counts, no torchvision needed). In one process, the runs alternate so that a busy machine slows
both alike, and the medians are compared:
  * import: convcalc.frameworks.importers.import_torch(model, (3, 224, 224)), to the YAML text
    (torch.fx tracing, reading every node through the declarations, the spec written);
  * torchinfo: torchinfo.summary(model, input_size=(1, 3, 224, 224), verbose=0), which runs one
    forward pass with hooks on every module.
Also shown: torch.fx symbolic tracing alone, the floor an fx-based import cannot go below.
Target (issue 15): the import well under one torchinfo summary (ratio printed). torchinfo is
needed for the bench only (pip install torchinfo); it is no dependency of convcalc.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def resnet50():
    import torch

    import test_zoo_torch

    test_zoo_torch.torch = torch
    factory, shape = test_zoo_torch.models()["resnet50"]
    return factory().eval(), shape


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args(argv)
    try:
        import torch
        import torchinfo
    except ImportError as exc:
        print(f"needs torch and torchinfo (pip install torch torchinfo): {exc}", file=sys.stderr)
        return 2
    import torch.fx

    from convcalc.frameworks.importers import import_torch

    torch.set_grad_enabled(False)
    model, shape = resnet50()
    steps = {
        "convcalc import": lambda: import_torch(model, shape).text,
        "torchinfo summary": lambda: torchinfo.summary(model, input_size=(1, *shape), verbose=0, device="cpu"),
        "torch.fx trace alone": lambda: torch.fx.symbolic_trace(model),
    }
    for fn in steps.values():  # warm up: first imports, first allocations
        fn()
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(options.runs):
        for name, fn in steps.items():
            times[name].append(timed(fn))
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"ResNet-50, input {tuple(shape)}, {options.runs} runs each, interleaved; medians:")
    for name, value in medians.items():
        print(f"  {name:22} {value * 1000:8.1f} ms   (min {min(times[name]) * 1000:.1f} ms)")
    ratio = medians["convcalc import"] / medians["torchinfo summary"]
    print(f"import / torchinfo summary: {ratio:.2f}  (target: well under 1)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
