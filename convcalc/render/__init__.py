"""Rendering a report (stage 4): the terminal table, JSON, CSV, Markdown, HTML, the explained arithmetic, the picture.
May import the base, layers, spec and computing (engine, costs, flops, symbolic); rich only in ``table``, drawsvg in ``draw``.
"""
