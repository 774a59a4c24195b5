"""Helpers of the PyTorch深度学习实践 notebooks, imported as ``import course_utils as cu``.

* ``cu.data``: the data sets;
* ``cu.plots``: static plots;
* ``cu.widgets``: live explorers driven by sliders;
* ``cu.checks``: the checks of the graded exercises;
* ``cu.glossary``: the course's terms, English ↔ 中文;
* ``cu.stubs``: a short message, not a traceback, for an exercise not written yet;
* ``cu.fonts``: the course's Chinese font, for figures (registered here) and JupyterLab.

Nothing here is a solution of a graded exercise.
"""
from . import checks, data, fonts, glossary, plots, stubs, widgets

__all__ = ["checks", "data", "glossary", "plots", "widgets"]

stubs.install()
fonts.register()
