"""Homework: marking a student's answers (``check``) and solving for a missing size (``solve``).

Stage 5 of a spec's trip, beside rendering. May import engine, render, symbolic, layers, arith,
shapes and errors; SymPy only where a formula answer needs it.
"""
