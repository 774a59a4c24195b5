"""Helpers of the PyTorch深度学习实践 notebooks, imported as ``import course_utils as cu``.

* ``cu.data``: the data sets;
* ``cu.plots``: static plots;
* ``cu.widgets``: live explorers driven by sliders;
* ``cu.checks``: the checks of the graded exercises.

Nothing here is a solution of a graded exercise.
"""
from . import checks, data, plots, widgets

__all__ = ["checks", "data", "plots", "widgets"]
