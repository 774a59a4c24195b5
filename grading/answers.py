"""The grader's answer keys: what a correct solution and the typical bugs give, on any case.

A chapter's key is ``grading/keys/chNN.py``, beside the chapter's checks
module ``course_utils/checks/chNN.py``. It has one function per exercise,
named as the exercise, that takes one of its cases and returns the case's
**answer** as plain data: what the judge compares the learner's result with
(the expected result, the bug table, numbers for the messages). Its
``STAND_INS`` maps the name of a learner's function (or class) to a correct
version, for the exercises that use it (see ``Exercise.uses``).

The keys are the course's answers, and they stay with the grader: the
package a student's environment installs leaves them out (``keys/`` is no
Python package), the sandbox never sees them, and the release turns them into
the answers of the *visible* cases only (:func:`write_check_data`), which the
notebook's own test cells judge from. A grader finds them in ``keys/`` beside
this module, or in the folder named by ``PYTORCH_PRACTICE_KEYS`` (on a
JupyterHub, the grader's private copy).
"""
import importlib.util
import inspect
import os
import sys
import threading
from pathlib import Path

from course_utils import checks
from course_utils.checks import core

KEYS_DIR = Path(os.environ.get("PYTORCH_PRACTICE_KEYS", Path(__file__).with_name("keys")))
CHECK_DATA_FORMAT = 1
_LOADING = threading.RLock()  # the grader grades in threads: a key is loaded whole, once


class MissingKey(LookupError):
    """No answer key here for a chapter or exercise."""


def key(chapter):
    """The answer key module of ``chapter`` (e.g. ``"02_linear_model"``)."""
    name = f"grading.keys.ch{chapter[:2]}"
    with _LOADING:
        if name not in sys.modules:
            path = KEYS_DIR / f"ch{chapter[:2]}.py"
            if not path.is_file():
                raise MissingKey(f"no answer key for chapter {chapter} ({path} is not there)")
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            sys.modules[name] = module
        return sys.modules[name]


def compute(exercise, cases):
    """The answers of ``cases`` of ``exercise``, as plain data, one per case."""
    answer = getattr(key(exercise.chapter), exercise.name, None)
    if not callable(answer):
        raise MissingKey(f"the answer key of {exercise.chapter} has no {exercise.name}")
    return core.ensure_plain([core.to_plain(answer(case)) for case in cases])


def stand_ins(chapter, subjects):
    """``{subject: {"name", "source"}}``: the source of the key's correct version of each
    learner function or class in ``subjects``, for the sandbox to define."""
    table = getattr(key(chapter), "STAND_INS", {})
    return {subject: {"name": table[subject].__name__, "source": inspect.getsource(table[subject])}
            for subject in subjects if subject in table}


def check_data(chapter, exercises=None):
    """What the release writes beside a chapter's notebook: the answers of its visible cases
    (of ``exercises``, by default the chapter's declared ones)."""
    table = {}
    for exercise in checks.exercises(chapter) if exercises is None else exercises:
        cases = exercise.cases(None)
        table[exercise.name] = {"cases": core.cases_digest(cases),
                                "answers": compute(exercise, cases)}
    return {"format": CHECK_DATA_FORMAT, "chapter": chapter, "exercises": table}


def write_check_data(chapter, folder, exercises=None):
    """Write ``folder/.checks/<chapter>.json``; return its path."""
    path = Path(folder) / core.CHECK_DATA / f"{chapter}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(core.dumps_plain(check_data(chapter, exercises)) + "\n", encoding="utf-8")
    return path
