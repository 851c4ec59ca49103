"""Time `convcalc draw` (layout and SVG) as networks grow, per layer and per doubling of the size.

Usage:  PYTHONPATH=. python bench/draw_bench.py [--quick] [--max N] [--shapes chain,residual,...]

For each shape, the spec is made with 1,250, 2,500, 5,000, 10,000 and 20,000 layers (--max
changes the last; --quick stops at 5,000) and drawn in this process (`svg_text`, the whole
road from the report to the SVG text; the report is computed beforehand and not timed), best of
--runs (3). Printed per size: the CPU seconds (the machine is shared: CPU time is what the work
costs, wall time what others left of the machine, printed beside it), the microseconds per layer,
and the ratio to the size before (the baseline measured in the same run): linear time doubles
with the size (×2.00 per step), quadratic time quadruples. Shapes:
  chain      conv2d + relu, repeated (issue 12 measured 1.5 s at 2k and 32 s at 16k: ×4 a step)
  residual   residual blocks (conv, relu, conv, add with the block's input): a skip lane each
  inception  four towers (1, 2, 2 and 2 layers) joined by a concat, repeated
  nested     skips nested 30 deep (a U that does not fit: strips), then repeated
Then the shipped specs' pictures, and ResNet-18's PNG when CairoSVG loads.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from convcalc import analyze, spec_from_text, summarize
from convcalc.render.draw import png_bytes, svg_text

ROOT = Path(__file__).resolve().parent.parent
LIMITS = None  # the default limits allow 100,000 layers


def chain(n: int) -> str:
    return "".join("  - conv2d: {filters: 8, kernel: 3, padding: 1}\n  - relu\n" for _ in range(n // 2))


def residual(n: int) -> str:
    out, k = [], 0
    while 4 * (k + 1) <= n:
        before = "input" if k == 0 else f"a{k - 1}"
        out.append(
            f"  - conv2d: {{filters: 8, kernel: 3, padding: 1, from: {before}, name: c{k}}}\n  - relu: {{name: r{k}}}\n"
            f"  - conv2d: {{filters: 8, kernel: 3, padding: 1, name: d{k}}}\n  - add: {{from: [d{k}, {before}], name: a{k}}}\n"
        )
        k += 1
    return "".join(out)


def inception(n: int) -> str:
    out, k = [], 0
    while 8 * (k + 1) <= n:
        before = "input" if k == 0 else f"m{k - 1}"
        out.append(
            f"  - conv2d: {{filters: 4, kernel: 1, from: {before}, name: b1_{k}}}\n"
            f"  - conv2d: {{filters: 4, kernel: 1, from: {before}, name: b2a_{k}}}\n"
            f"  - conv2d: {{filters: 4, kernel: 3, padding: 1, name: b2b_{k}}}\n"
            f"  - conv2d: {{filters: 4, kernel: 1, from: {before}, name: b3a_{k}}}\n"
            f"  - conv2d: {{filters: 4, kernel: 5, padding: 2, name: b3b_{k}}}\n"
            f"  - maxpool2d: {{kernel: 3, stride: 1, padding: 1, from: {before}, name: b4a_{k}}}\n"
            f"  - conv2d: {{filters: 8, kernel: 1, name: b4b_{k}}}\n"
            f"  - concat: {{from: [b1_{k}, b2b_{k}, b3b_{k}, b4b_{k}], name: m{k}}}\n"
        )
        k += 1
    return "".join(out)


def nested(n: int, depth: int = 30) -> str:
    """Skips nested `depth` deep (each level a conv down, a conv up and an add), repeated to n layers."""
    out, k, last = [], 0, "input"
    per = 3 * depth
    while per * (k + 1) <= n:
        names = []
        for level in range(depth):
            name = f"e{k}_{level}"
            out.append(f"  - conv2d: {{filters: 8, kernel: 3, padding: 1, from: {last}, name: {name}}}\n")
            names.append(name)
            last = name
        for level in reversed(range(depth)):
            out.append(f"  - conv2d: {{filters: 8, kernel: 3, padding: 1, from: {last}, name: u{k}_{level}}}\n")
            out.append(f"  - add: {{from: [u{k}_{level}, {names[level]}], name: s{k}_{level}}}\n")
            last = f"s{k}_{level}"
        k += 1
    return "".join(out)


SHAPES = {"chain": chain, "residual": residual, "inception": inception, "nested": nested}


def timed(work) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    work()
    return time.process_time() - cpu, time.perf_counter() - wall


def best(runs: int, work) -> tuple[float, float]:
    return min(timed(work) for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description="time convcalc draw per layer as networks grow")
    parser.add_argument("--quick", action="store_true", help="stop at 5,000 layers")
    parser.add_argument("--max", type=int, default=20_000, help="the largest size (default 20,000 layers)")
    parser.add_argument("--shapes", default=",".join(SHAPES), help="which shapes (default: all)")
    parser.add_argument("--runs", type=int, default=3, help="best of how many runs per size (default 3)")
    args = parser.parse_args()
    largest = 5_000 if args.quick else args.max
    sizes = []
    size = 1_250
    while size <= largest:
        sizes.append(size)
        size *= 2
    print(f"{'shape':10s} {'layers':>7s} {'CPU s':>7s} {'wall s':>7s} {'µs/layer':>9s} {'× step':>7s}")
    for shape in args.shapes.split(","):
        before = None
        for size in sizes:
            report = analyze(spec_from_text(f"input: [16, 16, 8]\nlayers:\n{SHAPES[shape](size)}", f"{shape}.yaml"))
            layers = len(report.layers)
            seconds, wall = best(args.runs, lambda: svg_text(report))  # noqa: B023 - called here, at once
            step = f"{seconds / before:6.2f}×" if before else "      -"
            print(f"{shape:10s} {layers:7,d} {seconds:7.2f} {wall:7.2f} {seconds / layers * 1e6:9.0f} {step}", flush=True)
            before = seconds
    print("\nshipped specs (svg_text, CPU ms, best of 3):")
    for spec in sorted((ROOT / "specs").glob("*.yaml")):
        if spec.stem == "homework_symbolic":
            continue
        report = summarize(str(spec))
        seconds, _ = best(3, lambda: svg_text(report))  # noqa: B023
        print(f"  {spec.stem:24s} {len(report.layers):4d} layers {seconds * 1000:7.1f} ms")
    report = summarize(str(ROOT / "specs" / "resnet18.yaml"))
    svg = svg_text(report)
    try:
        print(f"\nresnet18 png_bytes: {best(3, lambda: png_bytes(svg))[0] * 1000:.1f} CPU ms (best of 3)")
    except Exception as exc:  # noqa: BLE001 - a missing cairo is reported, not fatal
        print(f"\nresnet18 png_bytes: skipped ({exc})")


if __name__ == "__main__":
    main()
