"""Checks of the graded exercises, one module per chapter.

``course_utils/checks/chNN.py`` declares its chapter's exercises once: the
notebook's test cells call them (``cu.checks.ch02.mse(mse)``), the grader and
the test suite read them through :func:`exercises`. Adding a chapter means
adding its notebook and its checks module; nothing else lists exercises.
"""
import importlib
import pkgutil

from . import core
from .core import CheckFailed, Exercise, Verdict

__all__ = ["CheckFailed", "Exercise", "Verdict", "chapters", "exercises", "core"]


def _modules():
    names = sorted(info.name for info in pkgutil.iter_modules(__path__)
                   if info.name.startswith("ch") and info.name[2:].isdigit())
    return [importlib.import_module(f"{__name__}.{name}") for name in names]


def chapters():
    """``{chapter id: [Exercise, …]}`` for every chapter, e.g. ``"02_linear_model"``."""
    return {module.CHAPTER: list(module.EXERCISES) for module in _modules()}


def exercises(chapter):
    """The exercises of ``chapter`` (its notebook's name, e.g. ``"02_linear_model"``).

    Imports only that chapter's module, ``chNN`` for ``NN_...``, so that one
    chapter's checks never depend on another's.
    """
    try:
        module = importlib.import_module(f"{__name__}.ch{chapter[:2]}")
    except ImportError:
        module = None
    if getattr(module, "CHAPTER", None) != chapter:
        raise KeyError(f"no checks module declares chapter {chapter!r}")
    return list(module.EXERCISES)


def __getattr__(name):
    # cu.checks.ch02 works after `import course_utils as cu`, without importing every chapter.
    if name.startswith("ch") and name[2:].isdigit():
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
