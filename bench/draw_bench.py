"""Time `convcalc draw` on the ResNet-18 fixture (68 layers): layout + SVG, and PNG when CairoSVG loads.

Run: PYTHONPATH=. python bench/draw_bench.py
"""
from __future__ import annotations

import time
from pathlib import Path

from convcalc import summarize
from convcalc.render.draw import png_bytes, svg_text

SPEC = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "resnet18.yaml"


def best_of(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    report = summarize(str(SPEC))
    svg = svg_text(report)
    print(f"resnet18: {len(report.layers)} layers, SVG {len(svg):,} bytes")
    print(f"svg_text: {best_of(10, lambda: svg_text(report)) * 1000:.1f} ms (best of 10)")
    try:
        print(f"png_bytes: {best_of(3, lambda: png_bytes(svg)) * 1000:.1f} ms (best of 3)")
    except Exception as exc:  # noqa: BLE001 - a missing cairo is reported, not fatal
        print(f"png_bytes: skipped ({exc})")


if __name__ == "__main__":
    main()
