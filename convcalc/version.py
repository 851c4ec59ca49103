"""The package's version, written once: pyproject.toml reads it, ``convcalc.__version__`` re-exports it.

A module of its own so that any stage can name the version without importing the package's facade
(which imports the library's entry points, and so every stage: an import circle).
"""
__version__ = "0.1.0"
