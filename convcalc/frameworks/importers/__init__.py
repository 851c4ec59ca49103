"""Import (stage 5, frameworks): a PyTorch module, a Keras model's JSON or an ONNX file read into a convcalc spec.
May import the base, layers and spec (which reads back what it writes); torch and onnx only in their own reader, when called.

The kinds' declared counterparts are read backwards (``readback``); each importer walks its
framework's graph and adds one layer per object through ``graph.Builder``; ``specwriter`` writes
the spec a person reads (names kept, repeated modules as templates). Every failure is a SpecError
that names the object and its position.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any, NamedTuple

from ...errors import SpecError

KERAS_SUFFIXES = (".json", ".keras")


class Imported(NamedTuple):
    """A model read into a spec: the document, its YAML text, and where it came from."""

    document: dict[str, Any]
    text: str
    source: str

    def spec(self):
        """The spec as every command reads it (the YAML text through the loader)."""
        from ...spec import spec_from_text

        return spec_from_text(self.text, f"<import of {self.source}>")  # a label, not a path: never read as JSON


def _finish(builder: Any, scoped: list, name: str | None, source: str) -> Imported:
    from .specwriter import to_yaml, write_document

    if not scoped:
        raise SpecError("the model has no layer convcalc can read", where=source)
    input_dims = list(builder.input_shape.in_layout(builder.layout))
    document = write_document(scoped, scoped[-1].layer.key, name, input_dims, builder.layout)
    count = len(scoped)
    text = to_yaml(document, f"Imported by convcalc from {source}: {count} layers.")
    outputs = [key for key in getattr(builder, "outputs", []) or []]
    if len(outputs) > 1:  # several outputs: named as the written spec names their layers (its layers are scoped's, in order)
        written = Imported(document, text, source).spec().layers
        position = {item.layer.key: n for n, item in enumerate(scoped)}
        document["outputs"] = [written[position[key]].name for key in outputs]
        text = to_yaml(document, f"Imported by convcalc from {source}: {count} layers, {len(outputs)} outputs.")
    return Imported(document, text, source)


def import_torch(model: Any, input_shape: Iterable[int], *, as_identity: Iterable[str] = (), source: str = "<torch module>") -> Imported:
    """A torch.nn.Module read through torch.fx (torch.export where fx cannot trace) for one sample of
    ``input_shape`` (C, H, W: no batch)."""
    from .torch import read_torch

    dims = _dims(input_shape)
    try:
        builder, scoped, name = read_torch(model, dims, as_identity)
    except SpecError as untraceable:
        if untraceable.where != "trace":
            raise
        from .torch_export import read_exported  # where fx cannot trace: torch.export runs the model once

        builder, scoped, name = read_exported(model, dims, as_identity)
    return _finish(builder, scoped, name, source)


def import_keras(model_or_config: Any, *, as_identity: Iterable[str] = (), source: str = "<keras model>",
                 input_shape: Any = None) -> Imported:
    """A Keras model, its ``to_json()`` text, its config mapping, or a .json / .keras file;
    ``input_shape`` (H, W, C) for a model whose input size is not fixed."""
    from .graph import MALFORMED, malformed
    from .keras import read_keras

    dims = _dims(input_shape) if input_shape is not None else None
    try:
        builder, scoped, name = read_keras(model_or_config, as_identity, dims)
    except MALFORMED as exc:  # a config of an unexpected structure, outside any one layer
        raise malformed(exc, source) from None
    return _finish(builder, scoped, name, source)


def import_onnx(path_or_model: Any, *, as_identity: Iterable[str] = (), source: str | None = None) -> Imported:
    """An ONNX file (or a loaded onnx.ModelProto), read from its graph and initializers."""
    from .graph import MALFORMED, malformed
    from .onnx import read_onnx

    try:
        builder, scoped, name = read_onnx(path_or_model, as_identity)
    except MALFORMED as exc:
        raise malformed(exc, source or "onnx") from None
    return _finish(builder, scoped, name, source or (str(path_or_model) if isinstance(path_or_model, (str, os.PathLike)) else "<onnx model>"))


def _dims(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, str):
        from ...layers.args import foreign_digits

        foreign = foreign_digits(shape)  # the spec's rule: int() reads '٣x８x8' as 3x8x8
        if foreign is not None:
            problem, ascii_form = foreign
            raise SpecError(f"the input shape {shape!r}: {problem}", hint="write sizes with 0-9" + (f", as in {ascii_form}" if ascii_form else ""),
                            where="--input")
        from ...spec.inline import inline_value

        shape = inline_value(shape) if not shape.replace("x", "").replace(" ", "").isdigit() else [int(s) for s in shape.split("x")]
    try:
        dims = tuple(int(d) for d in shape)
    except (TypeError, ValueError):
        raise SpecError(f"the input shape must be sizes such as 3x224x224, got {shape!r}", where="--input") from None
    if not dims or any(d < 1 for d in dims) or len(dims) > 4:
        raise SpecError(f"the input shape must be 1 to 4 positive sizes (C, H, W: one sample, no batch), got {shape!r}", where="--input")
    return dims


def import_source(source: str, *, input_shape: str | None = None, as_identity: Iterable[str] = ()) -> Imported:
    """What `convcalc import SOURCE` reads: an .onnx file, a Keras .json/.keras, or a PyTorch factory
    ('package.module:name' or 'file.py:name', called with no arguments when it is not a module yet)."""
    lowered = source.lower()
    if lowered.endswith(".onnx"):
        _exists(source)
        return import_onnx(source, as_identity=as_identity, source=source)
    if lowered.endswith(KERAS_SUFFIXES):
        _exists(source)
        return import_keras(source, as_identity=as_identity, source=source, input_shape=input_shape)
    if ":" in source or lowered.endswith(".py"):
        if input_shape is None:
            raise SpecError("a PyTorch model needs its input shape", hint="give --input, e.g. --input 3x224x224 (C, H, W; no batch)",
                            where=source)
        model = _torch_factory(source)
        return import_torch(model, input_shape, as_identity=as_identity, source=source)
    raise SpecError(f"cannot tell what '{source}' is", where=source,
                    hint="give an .onnx file, a Keras .json or .keras file, or a PyTorch factory as package.module:name or file.py:name")


def _exists(path: str) -> None:
    if not os.path.isfile(path):
        raise SpecError(f"no such file: '{path}'", where=path)


def _torch_factory(source: str) -> Any:
    import importlib
    import importlib.util
    import sys

    from .torch import require_torch

    torch = require_torch()
    where, _, attribute = source.rpartition(":") if ":" in source else (source, "", "")
    try:
        if where.endswith(".py"):
            _exists(where)
            spec = importlib.util.spec_from_file_location(os.path.splitext(os.path.basename(where))[0], where)
            module = importlib.util.module_from_spec(spec)
            sys.modules.setdefault(spec.name, module)
            spec.loader.exec_module(module)
        else:
            module = importlib.import_module(where)
    except SpecError:
        raise
    except SystemExit as exc:  # a script that parses its command line or exits when imported
        raise SpecError(f"importing '{where}' ran code that ends the program (SystemExit: {exc.code!r})", where=source,
                        hint="keep a script's own code under if __name__ == '__main__':, or name a module that defines the model") from None
    except Exception as exc:  # noqa: BLE001  (the user's code failing to import: named, not a traceback)
        raise SpecError(f"cannot import '{where}': {type(exc).__name__}: {exc}", where=source) from None
    if not attribute:
        found = [v for v in vars(module).values() if isinstance(v, torch.nn.Module)]
        if len(found) != 1:
            raise SpecError(f"'{where}' does not name one model", hint=f"name it: {where}:NAME", where=source)
        return found[0]
    if not hasattr(module, attribute):
        raise SpecError(f"'{where}' has no '{attribute}'", where=source)
    model = getattr(module, attribute)
    if not isinstance(model, torch.nn.Module):
        try:
            model = model()
        except SystemExit as exc:
            raise SpecError(f"calling {attribute}() ends the program (SystemExit: {exc.code!r})", where=source,
                            hint="name a module, or a factory that takes no arguments") from None
        except Exception as exc:  # noqa: BLE001
            raise SpecError(f"calling {attribute}() failed: {type(exc).__name__}: {exc}", where=source,
                            hint="name a module, or a factory that takes no arguments") from None
    if not isinstance(model, torch.nn.Module):
        raise SpecError(f"{attribute} is no torch.nn.Module (it is {type(model).__name__})", where=source)
    return model
