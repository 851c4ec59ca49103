"""convcalc: shapes and parameter counts of convolutional networks from a small spec.

The public facade: ``summary`` (a path, a shipped spec's name, spec text or a mapping to a
:class:`Summary` that carries every figure and shows itself as a table, in a terminal or a
notebook); ``summarize``, ``load_spec`` and ``analyze`` (the engine's report, in one or two steps);
and ``SpecError`` for every problem with a spec. ``__version__`` is the package's one version
(written in ``convcalc/version.py``, which pyproject.toml reads).
"""
from __future__ import annotations

from .version import __version__

import gc as _gc  # noqa: E402

_collecting = _gc.isenabled()
_gc.disable()  # loading the modules makes objects but no garbage: a collection now only delays start-up
try:
    from .engine import LayerReport, NetworkReport, analyze  # noqa: E402
    from .loading import summarize  # noqa: E402
    from .errors import SpecError  # noqa: E402
    from .spec import NetworkSpec, load_spec, spec_from_text  # noqa: E402
finally:
    if _collecting:
        from .limits import resume_gc  # noqa: E402

        resume_gc()


def from_torch(module, input_shape, *, as_identity=(), text=False):
    """A torch.nn.Module as a convcalc spec (NetworkSpec), read through torch.fx for one sample of
    ``input_shape`` (C, H, W; no batch). ``as_identity``: names or classes to read as identity;
    ``text=True`` gives the spec's YAML instead. Needs torch (pip install 'convcalc[torch]')."""
    from .frameworks.importers import import_torch

    imported = import_torch(module, input_shape, as_identity=as_identity)
    return imported.text if text else imported.spec()


def from_keras(model_or_config, *, as_identity=(), text=False):
    """A Keras model (or its to_json() text, config mapping, .json or .keras file) as a convcalc spec;
    reading the JSON needs no Keras."""
    from .frameworks.importers import import_keras

    imported = import_keras(model_or_config, as_identity=as_identity)
    return imported.text if text else imported.spec()


def from_onnx(path_or_model, *, as_identity=(), text=False):
    """An ONNX file (or onnx.ModelProto) as a convcalc spec. Needs onnx (pip install 'convcalc[onnx]')."""
    from .frameworks.importers import import_onnx

    imported = import_onnx(path_or_model, as_identity=as_identity)
    return imported.text if text else imported.spec()


_LAZY = {"LayerSummary", "Summary", "summary"}  # the library API (convcalc.api): not loaded by the CLI


def __getattr__(name: str) -> object:
    if name in _LAZY:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'convcalc' has no attribute {name!r}")


__all__ = [
    "from_keras",
    "from_onnx",
    "from_torch",
    "LayerReport",
    "LayerSummary",
    "NetworkReport",
    "NetworkSpec",
    "SpecError",
    "Summary",
    "__version__",
    "analyze",
    "load_spec",
    "spec_from_text",
    "summarize",
    "summary",
]
