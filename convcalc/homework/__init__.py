"""Homework (stage 5): marking a student's answers (``check``) and solving for a missing size (``solve``).
May import the base, layers, spec, computing and render (explain's formulas); SymPy only where a formula answer needs it.
"""
