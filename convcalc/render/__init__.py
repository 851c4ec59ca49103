"""Rendering a report: the terminal table, JSON, CSV and Markdown, the explained arithmetic, the picture.

Stage 4 of a spec's trip. May import engine, costs, symbolic, layers, arith, shapes and errors;
rich is imported only by ``table``, drawsvg only by ``draw``. Nothing below imports from here.
"""
