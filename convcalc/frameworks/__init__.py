"""Frameworks (stage 5): a computed network written as PyTorch or Keras code, and a model read back into a spec.
May import the base, layers, spec and computing, never render; torch or onnx only inside the one importer that needs it.

Export reads each kind's declared counterparts from the layer registry and never imports a framework.
Modules: naming (identifiers), draft (reading a declaration for one layer), adapter_registry and
adapters, adapters_blocks (the named irregular steps declarations refer to), pytorch and keras (the
writers), export (the dispatch), importers/ (PyTorch, Keras JSON and ONNX to a spec: ``convcalc import``).
"""
