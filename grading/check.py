"""A learner's self-check: one notebook graded here with the grader's engine, visible cases only.

``python -m grading check workspace/02_linear_model.ipynb`` reads the
notebook as autograde does (:mod:`grading.intake`), runs it with the same
engine (:func:`grading.engine.grade` with ``visible_only``: the learner's
cells in a fresh sandbox, or straight in a subprocess where there is no
bubblewrap) and judges each exercise on the cases the notebook shows, from
the check data beside it (``.checks/``, as the notebook's own test cells do).
On those cases it gives what autograde gives; the grader also draws hidden
cases. No course directory, secret, answer key or root is needed.
"""
import time
from dataclasses import dataclass
from pathlib import Path

from course_utils import checks
from course_utils.checks import core

from . import engine, intake, sandbox
from .names import match_chapter
from .config import Limits
from .base import GradingError


@dataclass
class Checked:
    chapter: str
    path: Path
    graded: engine.Graded
    seconds: float
    isolation: sandbox.Isolation


def chapter_of(path, notebook, chapters=None):
    """The chapter of the notebook at ``path``: by its name, else by its exercises' cells."""
    chapters = chapters if chapters is not None else sorted(checks.chapters())
    chapter, _ = match_chapter(path.stem, chapters)
    if chapter:
        return chapter
    ids = {cell.metadata.get("nbgrader", {}).get("grade_id") for cell in notebook.cells}
    found = [name for name in chapters
             if ids & {f"sol_{exercise.name}" for exercise in checks.exercises(name)}]
    if len(found) == 1:
        return found[0]
    raise GradingError(f"cannot tell which chapter {path.name} is: name it with --chapter "
                       f"({', '.join(chapters)})")


def check(path, *, chapter=None, limits=None, isolation=None):
    """Grade the notebook at ``path`` on the visible cases; return :class:`Checked`."""
    started = time.perf_counter()
    path = Path(path)
    if not path.exists():
        raise GradingError(f"no notebook at {path}")
    try:
        notebook = intake.read_notebook(path, limits=Limits()).notebook
    except intake.Unusable as problem:
        raise GradingError(str(problem)) from None
    if chapter is None:
        chapter = chapter_of(path, notebook)
    else:
        try:
            checks.exercises(chapter)
        except KeyError:
            raise GradingError(f"no chapter {chapter!r}: the chapters are "
                               f"{', '.join(sorted(checks.chapters()))}") from None
    isolation = isolation or sandbox.detect()
    try:
        graded = engine.grade(notebook, chapter, "self-check", b"",
                              limits=limits or sandbox.Limits(), isolation=isolation,
                              visible_only=True, check_data=path.parent)
    except core.MissingAnswers as missing:
        raise GradingError(str(missing)) from None
    return Checked(chapter, path, graded, time.perf_counter() - started, isolation)


def table(checked):
    """The result as lines for the terminal: one per exercise, then the total."""
    graded = checked.graded
    name_width = max([len("exercise")] + [len(result.name) for result in graded.exercises])
    lines = [f"{checked.path.name}: chapter {checked.chapter}, visible cases only",
             f"  {'exercise':<{name_width}}  {'score':>7}  message"]
    indent = " " * (name_width + 13)
    for result in graded.exercises:
        score = f"{result.score:g}/{result.points:g}"
        message = [line.strip() for line in result.message.splitlines() if line.strip()] \
            if result.message else ["passed"]
        lines.append(f"  {result.name:<{name_width}}  {score:>7}  {message[0]}")
        # The likely bug is often on the message's second line: show it all.
        lines += [indent + line for line in message[1:]]
    total = f"{graded.score:g}/{graded.max_score:g}"
    lines.append(f"  {'total':<{name_width}}  {total:>7}  in {checked.seconds:.1f} s")
    if graded.failure:
        lines.append(f"Your notebook could not be run to the end: {graded.failure}")
    lines.append("The grader also checks hidden cases: solve each exercise in general.")
    return lines


def isolation_note(isolation):
    """One short line for a learner when the engine runs without its sandbox, else ""."""
    if isolation.bwrap:
        return ""
    return ("note: no sandbox (bubblewrap) here, so your notebook runs as you; "
            "that is fine for your own work")
