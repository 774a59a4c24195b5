"""A learner's self-check: one notebook graded here with the grader's engine, visible cases only.

``python -m grading check workspace/02_linear_model.ipynb`` reads the
notebook as autograde does (:mod:`grading.intake`), runs it with the same
engine (:func:`grading.engine.grade` with ``visible_only``: the learner's
cells in a fresh sandbox, or straight in a subprocess where there is no
bubblewrap) and judges each exercise on the cases the notebook shows, from
the check data beside it (``.checks/``, as the notebook's own test cells do).
On those cases it gives what autograde gives; the grader also draws hidden
cases. No course directory, secret, answer key or root is needed.

It grades the file as saved: its table says which file and when it was last
saved (what JupyterLab has not saved is not in it), and a cell with a syntax
error is named with its line, not reported as a function that is not defined.
"""
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from course_utils import checks, i18n
from course_utils.checks import core

from . import editions, engine, intake, sandbox
from .names import match_chapter
from .config import Limits
from .base import GradingError

_ = i18n.translator(__name__)


@dataclass
class Checked:
    chapter: str
    path: Path
    graded: engine.Graded
    seconds: float
    isolation: sandbox.Isolation
    saved: datetime  # the file's modification time, local
    syntax_errors: list = field(default_factory=list)  # of :class:`SyntaxProblem`
    language: str = i18n.DEFAULT  # the notebook's edition: the table speaks it


@dataclass
class SyntaxProblem:
    start: str  # the cell's first line: how a learner finds a cell that is no exercise's
    line: int
    error: str
    exercise: str = ""  # the (first) exercise whose solution cell it is, if any
    grade_id: str = ""


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
    return Checked(chapter, path, graded, time.perf_counter() - started, isolation,
                   datetime.fromtimestamp(path.stat().st_mtime),
                   syntax_problems(notebook, chapter, graded.cells),
                   editions.language_of(notebook))


def syntax_problems(notebook, chapter, reports):
    """The learner's cells that did not compile, from the runner's reports (one per cell that
    :func:`engine.learner_code_cells` gives, in order)."""
    exercises = checks.exercises(chapter)
    solution = {}
    for exercise in exercises:
        for grade_id in exercise.solution_ids:
            solution.setdefault(grade_id, exercise.name)
    problems = []
    for cell, report in zip(engine.learner_code_cells(notebook, exercises), reports):
        if "line" not in report:
            continue
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        exercise = solution.get(grade_id, "")
        first = next((line.strip() for line in engine._source(cell).splitlines() if line.strip()),
                     "")
        problems.append(SyntaxProblem(first[:40], report["line"], report["error"], exercise,
                                      grade_id or ""))
    return problems


def table(checked):
    """The result as lines for the terminal, in the notebook's language: one per exercise,
    then the total."""
    with i18n.using(checked.language):
        return _table(checked)


def _table(checked):
    graded = checked.graded
    heading = _("exercise")
    name_width = max([len(heading)] + [len(result.name) for result in graded.exercises])
    saved = checked.saved.strftime(
        "%H:%M:%S" if checked.saved.date() == datetime.now().date() else "%Y-%m-%d %H:%M:%S")
    lines = [_("graded {path}, saved {saved}: what you have not saved is not in it",
               path=checked.path, saved=saved),
             _("chapter {chapter}, visible cases only", chapter=checked.chapter),
             f"  {heading:<{name_width}}  {_('score'):>7}  {_('message')}"]
    indent = " " * (name_width + 13)
    syntax = {problem.grade_id: problem for problem in checked.syntax_errors if problem.grade_id}
    failed = {result.name for result in graded.exercises if result.score < result.points}
    exercises = {exercise.name: exercise for exercise in checks.exercises(checked.chapter)}
    explained = set()
    for result in graded.exercises:
        score = f"{result.score:g}/{result.points:g}"
        message = [line.strip() for line in result.message.splitlines() if line.strip()] \
            if result.message else [_("passed")]
        found = [syntax[grade_id] for grade_id in exercises[result.name].solution_ids
                 if grade_id in syntax] if result.name in failed else []
        if found:
            message = [syntax_message(found[0])]
            explained.add(id(found[0]))
        lines.append(f"  {result.name:<{name_width}}  {score:>7}  {message[0]}")
        # The likely bug is often on the message's second line: show it all.
        lines += [indent + line for line in message[1:]]
    total = f"{graded.score:g}/{graded.max_score:g}"
    seconds = _("in {seconds} s", seconds=f"{checked.seconds:.1f}")
    lines.append(f"  {_('total'):<{name_width}}  {total:>7}  {seconds}")
    if graded.failure:
        lines.append(_("Your notebook could not be run to the end: {failure}",
                       failure=graded.failure))
    lines += [syntax_message(problem) for problem in checked.syntax_errors
              if id(problem) not in explained]
    lines.append(_("The grader also checks hidden cases: solve each exercise in general."))
    return lines


def syntax_message(problem):
    if problem.exercise:
        return _("The cell of {exercise} has a syntax error on its line {line} ({error}): fix "
                 "it, run the cell, save, check again", exercise=problem.exercise,
                 line=problem.line, error=problem.error)
    return _("The cell that starts {start} has a syntax error on its line {line} ({error}): "
             "fix it, run the cell, save, check again", start=repr(problem.start),
             line=problem.line, error=problem.error)


def isolation_note(isolation):
    """One short line for a learner when the engine runs without its sandbox, else ""."""
    if isolation.bwrap:
        return ""
    with i18n.using(i18n.system_language()):  # before the notebook is read: the system's
        return _("note: no sandbox (bubblewrap) here, so your notebook runs as you; "
                 "that is fine for your own work")
