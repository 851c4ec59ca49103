"""Speed of the homework mode: solve's brute force, --explain on a large spec, symbolic specs.

Run: PYTHONPATH=. python bench/bench_homework.py
"""
from __future__ import annotations

import time
from pathlib import Path

from convcalc import analyze, load_spec
from convcalc.render.explain import render_text
from convcalc.homework.solve import Bounds, Problem, solve

ROOT = Path(__file__).resolve().parent.parent


def timed(label: str, func, repeat: int = 5) -> None:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<58} {best * 1000:9.2f} ms  ({result})")


def main() -> None:
    timed("solve conv 224->112, default bounds (11, 8, 1)", lambda: len(solve(Problem("conv", 224, 112))))
    timed("solve conv 224->112, bounds (60, 20, 3)", lambda: len(solve(Problem("conv", 224, 112, bounds=Bounds(60, 20, 3)))), 1)
    timed("solve transposed 7->14, default bounds", lambda: len(solve(Problem("transposed", 7, 14))))
    vgg = load_spec(str(ROOT / "specs" / "vgg16.yaml"))
    timed("analyze + explain vgg16", lambda: len(render_text(analyze(vgg))))
    seed = load_spec(str(ROOT / "specs" / "homework_symbolic.yaml"))
    timed("analyze + explain the symbolic seed question", lambda: len(render_text(analyze(seed))))


if __name__ == "__main__":
    main()
