"""Frameworks: a computed network written as PyTorch or Keras code (and, later, read back from them).

Stage 5 of a spec's trip, beside rendering. Reads each kind's declared counterparts from the
layer registry; may import engine, layers, arith, shapes and errors, never a framework itself.
Modules: naming (identifiers), draft (reading a declaration for one layer), adapters (the named
irregular steps declarations refer to), pytorch and keras (the writers), export (the dispatch).
"""
