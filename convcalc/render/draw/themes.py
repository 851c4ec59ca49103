"""Colours for a light page and a dark one, and the legend's words for each colour family."""
from __future__ import annotations

THEMES = ("light", "dark")

PALETTES = {
    "light": {
        "background": "#ffffff", "text": "#1f2328", "muted": "#57606a", "outline": "#3d444d", "edge": "#6e7781",
        "kernel": "#e36209", "window": "#bf3989", "unit": "#cf222e", "reshape": "#e6e0c8",
        "input": "#d0d7de", "conv": "#8cb8e6", "pool": "#95d5a6", "dense": "#c8a9e8", "merge": "#f6d28b",
        "block": "#88d0cb", "other": "#f2c29b",
    },
    "dark": {
        "background": "#0d1117", "text": "#e6edf3", "muted": "#9198a1", "outline": "#c9d1d9", "edge": "#8b949e",
        "kernel": "#f0883e", "window": "#db61a2", "unit": "#ff7b72", "reshape": "#8a8470",
        "input": "#57606a", "conv": "#2f6db3", "pool": "#2e8b4f", "dense": "#7a52b3", "merge": "#b58407",
        "block": "#1f8a84", "other": "#b3693b",
    },
}

LEGEND_NAMES = {
    "input": "input", "conv": "convolution", "pool": "pooling", "dense": "dense", "merge": "merge",
    "reshape": "flatten / reshape", "block": "block", "other": "other",
}

# what a window's colour and depth say, by the window's family (kernel or pooling window) and reach
WINDOW_WORDS = {
    ("kernel", "all"): "kernel: through the whole input depth",
    ("kernel", "channel"): "depthwise kernel: one channel at a time",
    ("window", "all"): "window: through the whole input depth",
    ("window", "channel"): "pooling window: one channel at a time",
}


def palette(theme: str) -> dict[str, str]:
    return PALETTES[theme]


def window_colour(category: str) -> str:
    """Convolutions' windows are kernels (weights); every other window (pooling) holds none."""
    return "kernel" if category == "conv" else "window"


def shade(colour: str, factor: float) -> str:
    """A lighter (factor > 1) or darker (< 1) version of '#rrggbb', for the lit and shaded faces."""
    channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    if factor >= 1:
        mixed = [round(c + (255 - c) * (factor - 1)) for c in channels]
    else:
        mixed = [round(c * factor) for c in channels]
    return "#" + "".join(f"{min(255, max(0, c)):02x}" for c in mixed)
