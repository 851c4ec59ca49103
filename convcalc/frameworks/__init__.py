"""Frameworks: a computed network written as PyTorch or Keras code, and a model read back into a spec.

Stage 5 of a spec's trip, beside rendering. Reads each kind's declared counterparts from the
layer registry; may import engine, layers, arith, shapes, spec and errors. Export never imports a
framework; the importers import torch or onnx only inside the one reader that needs it.
Modules: naming (identifiers), draft (reading a declaration for one layer), adapters (the named
irregular steps declarations refer to), pytorch and keras (the writers), export (the dispatch),
importers/ (PyTorch, Keras JSON and ONNX to a spec: ``convcalc import``).
"""
