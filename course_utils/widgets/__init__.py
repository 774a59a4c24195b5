"""Live explorers: sliders that run the learner's functions and redraw a plot.

:mod:`course_utils.widgets.core` is the skeleton every explorer is built on
(:class:`~course_utils.widgets.core.Explorer`, drawing into a
:class:`~course_utils.widgets.core.LiveFigure`); each chapter's explorers are
in ``course_utils/widgets/chNN.py`` and are called from its notebook as
``cu.widgets.chNN.<explorer>(...)``. Chapter 2's ``linear_explorer`` is also
``cu.widgets.linear_explorer``.
"""
import importlib

from . import core
from .ch02 import LinearExplorer, linear_explorer
from .core import Explorer, ExerciseNotReady, LiveFigure

__all__ = ["core", "Explorer", "ExerciseNotReady", "LiveFigure", "LinearExplorer",
           "linear_explorer"]


def __getattr__(name):
    # cu.widgets.ch03 works after `import course_utils as cu`.
    if name.startswith("ch") and name[2:].isdigit():
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
