"""The nbgrader course directory: its config, the NbGraderAPI on it, its chapters, release.

The course directory is a plain nbgrader course (``source/``, ``release/``,
``submitted/``, ``autograded/``, ``feedback/``, ``gradebook.db`` and
``nbgrader_config.py``), so the ``nbgrader`` command line and formgrader work on
it too. A chapter is one notebook, ``notebooks/<chapter>.ipynb``, whose
exercises are declared in ``course_utils/checks/chNN.py``: release stamps
their points into the course's copy, so the declarations are the one source
of exercises and points.
"""
import dataclasses
import logging
import os
import re
import shutil
import sys
import sysconfig
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbgrader import utils as nbgrader_utils
from nbgrader.api import MissingEntry
from nbgrader.apps import NbGraderAPI
from traitlets.config.loader import PyFileConfigLoader

from course_utils import checks

from . import answers, editions
from .base import GradingError, Status  # noqa: F401 (Status: course.Status for callers)
from .settings import CELL_TIMEOUT, COURSE_DIR, NOTEBOOKS_DIR, WORKSPACE_DIR

COURSE_ID = "pytorch-practice-course"
CONFIG_FILE = "nbgrader_config.py"

# nbgrader logs progress at INFO and WARNING for every cell; a failure comes
# back to us as its exception (see run_step) and is reported once, as a
# reason. The CLI's --verbose attaches a handler to see everything.
NBGRADER_LOG = logging.getLogger("grading.nbgrader")
NBGRADER_LOG.propagate = False
NBGRADER_LOG.addHandler(logging.NullHandler())

CONFIG_TEMPLATE = """\
# Written by `python -m grading release`, which rewrites it keeping only c.Execute.timeout:
# change grading/course.py, or release with --cell-timeout, instead.
from pathlib import Path

c = get_config()  # noqa: F821 (traitlets provides it when it loads this file)
course = Path(__file__).resolve().parent
c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.root = str(course)
c.CourseDirectory.db_url = f"sqlite:///{{course / 'gradebook.db'}}"
# A cell still running after this many seconds (say, an infinite loop in a
# submission) is interrupted and fails, so one submission cannot hang the batch.
c.Execute.timeout = {cell_timeout}
# ipykernel warns about unencrypted local TCP at every start, i.e. once per student.
c.Execute.extra_arguments = ["--IPKernelApp.log_level=ERROR"]
"""


@dataclass(frozen=True)
class Release:
    chapter: str
    release_notebook: Path
    workspace_notebook: Path | None = None  # None when no workspace was asked for
    kept_existing: bool = False  # the learner's notebook was already there and left alone
    backup: Path | None = None  # where reset_workspace moved the learner's notebook
    due: datetime | None = None  # the chapter's due date (aware, UTC), from the course config
    language: str = "en"  # the edition released
    fell_back: bool = False  # the edition asked for is not complete yet: English instead


def available_chapters(notebooks_dir=NOTEBOOKS_DIR):
    """The chapter ids, one per notebook in ``notebooks_dir``, sorted."""
    return sorted(path.stem for path in Path(notebooks_dir).glob("*.ipynb"))


def releasable_chapters(notebooks_dir=NOTEBOOKS_DIR, exercises=None):
    """``(chapters, skipped)``: the chapters of ``notebooks_dir`` that a checks module
    declares, and ``{chapter: why not}`` for the notebooks that have none yet."""
    chapters, skipped = [], {}
    for chapter in available_chapters(notebooks_dir):
        try:
            declared_exercises(chapter, exercises)
        except GradingError as error:
            skipped[chapter] = str(error)
        else:
            chapters.append(chapter)
    return chapters, skipped


def declared_exercises(chapter, exercises=None):
    """The exercises of ``chapter`` in teaching order, from ``exercises(chapter)``.

    ``exercises`` defaults to :func:`course_utils.checks.exercises`; tests pass
    their own for notebooks that have no checks module.
    """
    try:
        return list((exercises or checks.exercises)(chapter))
    except KeyError:
        number = re.match(r"\d*", chapter)[0] or "NN"
        raise GradingError(f"no module of course_utils/checks declares chapter {chapter!r}: "
                           f"its exercises belong in course_utils/checks/ch{number}.py "
                           f"(CHAPTER = {chapter!r})") from None


def graded_exercises(gb, chapter, exercises=None):
    """``chapter``'s declared exercises (see :func:`declared_exercises`), after
    checking that the course released exactly these, for these points."""
    try:
        notebook = gb.find_notebook(chapter, chapter)
    except MissingEntry:
        message = f"chapter {chapter!r} is not in the gradebook: release it first"
        raise GradingError(message) from None
    declared = declared_exercises(chapter, exercises)
    graded = {cell.name: cell.max_score for cell in notebook.grade_cells}
    if graded != {exercise.test_id: exercise.points for exercise in declared}:
        raise GradingError(f"the course's {chapter} has other exercises or points than "
                           "its definitions in course_utils.checks: release it again, "
                           "then autograde")
    return declared


def release(chapters=None, *, course_dir=COURSE_DIR, workspace=WORKSPACE_DIR,
            notebooks_dir=NOTEBOOKS_DIR, reset_workspace=False, cell_timeout=None,
            exercises=None, config=None, language=None, fallback=False):
    """Generate the student version of each chapter and give the learner a copy.

    Returns one :class:`Release` per chapter. The course's source copy of each
    notebook gets the points of its declared exercises (``exercises``, see
    :func:`declared_exercises`); a chapter whose graded cells and declarations
    differ is refused before anything is written. A notebook already in
    ``workspace`` is the learner's work and is kept, unless
    ``reset_workspace`` moves it to a timestamped backup first.
    ``workspace=None`` leaves the learner's folder alone. ``cell_timeout``
    (seconds) applies to all grading in the course; None keeps the current one.
    Without ``chapters``, every notebook that a checks module declares is
    released. ``config`` (a :class:`grading.config.CourseConfig`) gives the
    due dates, which go into the gradebook for formgrader. ``language`` picks the
    edition (``"en"`` or ``"zh"``: see :mod:`grading.editions`); by default the
    config's, else English. A chapter whose edition is not complete is refused, or,
    with ``fallback`` (the learner's own choice of language), released in English.
    """
    notebooks_dir, course_dir = Path(notebooks_dir), Path(course_dir).resolve()
    if not chapters:
        chapters, skipped = releasable_chapters(notebooks_dir, exercises)
        if not chapters and skipped:
            raise GradingError("no chapter to release: " + "; ".join(skipped.values()))
    chapters = list(chapters)
    if not chapters:
        raise GradingError(f"no notebooks to release in {notebooks_dir}")
    for chapter in chapters:
        if not (notebooks_dir / f"{chapter}.ipynb").is_file():
            raise GradingError(f"no notebook for chapter {chapter!r} in {notebooks_dir}")
    language = language or (config.language if config is not None else editions.DEFAULT)
    sources = {chapter: stamp_points(
        _edition(nbformat.read(notebooks_dir / f"{chapter}.ipynb", as_version=nbformat.NO_CONVERT),
                 chapter, language, fallback),
        chapter, declared_exercises(chapter, exercises)) for chapter in chapters}
    language_info = kernel_language_info()
    for source in sources.values():
        source.metadata.language_info = language_info

    config_file = course_dir / CONFIG_FILE
    if cell_timeout is None:
        current = load_config(course_dir).Execute if config_file.is_file() else {}
        cell_timeout = current.get("timeout", CELL_TIMEOUT)
    course_dir.mkdir(parents=True, exist_ok=True)
    config_file.write_text(CONFIG_TEMPLATE.format(course_id=COURSE_ID, cell_timeout=cell_timeout))
    api = open_course(course_dir)
    releases = [_release_chapter(api, chapter, source, workspace, reset_workspace,
                                 declared_exercises(chapter, exercises),
                                 editions.language_of(source))
                for chapter, source in sources.items()]
    releases = [dataclasses.replace(item, language=editions.language_of(sources[item.chapter]),
                                    fell_back=editions.language_of(sources[item.chapter])
                                    != language) for item in releases]
    if config is None:
        return releases
    with api.gradebook as gb:
        for chapter in chapters:
            due = config.due_date(chapter)
            gb.find_assignment(chapter).duedate = due.replace(tzinfo=None) if due else None
        gb.db.commit()
    return [dataclasses.replace(item, due=config.due_date(item.chapter)) for item in releases]


def kernel_language_info():
    """The notebook metadata ``language_info`` that ipykernel reports for this Python.

    JupyterLab writes the kernel's ``language_info`` into a notebook when the
    kernel starts, so a notebook released without it would show unsaved
    changes a few seconds after the learner opens it. The release runs in the
    environment whose Python runs the learner's kernel (``make lab``,
    ``start.py``, the hub's shared environment), so this is what the kernel
    will report. ``tests/test_browser.py`` checks that a fresh notebook stays
    unmodified.
    """
    from ipykernel.ipkernel import IPythonKernel

    return nbformat.from_dict(IPythonKernel.language_info)


def _edition(source, chapter, language, fallback=False):
    """The ``language`` edition of a chapter's source notebook; refused where its prose is
    not all in that language yet (English, the source's first language, always is), or
    with ``fallback`` the English one."""
    missing = editions.problems(source) if language != editions.DEFAULT else []
    if missing and fallback:
        return editions.edition(source, editions.DEFAULT)
    if missing:
        raise GradingError(f"{chapter} has no complete {language} edition yet ({len(missing)} "
                           f"prose cells without their twin, the first: {missing[0]})")
    return editions.edition(source, language)


def stamp_points(notebook, chapter, exercises):
    """``notebook`` with each exercise's points in its test cell's nbgrader metadata.

    Raises :class:`GradingError` if an exercise has no graded test cell or no
    solution cell, or a graded cell belongs to no exercise.
    """
    cells = {cell.metadata.nbgrader.grade_id: cell for cell in notebook.cells
             if "grade_id" in cell.metadata.get("nbgrader", {})}
    graded = {grade_id for grade_id, cell in cells.items()
              if nbgrader_utils.is_grade(cell) or nbgrader_utils.is_task(cell)}
    for exercise in exercises:
        if exercise.test_id not in graded:
            raise GradingError(f"{chapter}: exercise {exercise.name!r} has no graded test cell "
                               f"{exercise.test_id!r} in the notebook")
        for solution_id in exercise.solution_ids:
            if solution_id not in cells or not nbgrader_utils.is_solution(cells[solution_id]):
                raise GradingError(f"{chapter}: exercise {exercise.name!r} has no solution cell "
                                   f"{solution_id!r} in the notebook")
        cells[exercise.test_id].metadata.nbgrader.points = exercise.points
    undeclared = sorted(graded - {exercise.test_id for exercise in exercises})
    if undeclared:
        raise GradingError(f"{chapter}: graded cells that no exercise declares: "
                           f"{', '.join(undeclared)}; declare them in course_utils.checks "
                           "or make them ungraded")
    return notebook


def open_course(course_dir):
    """The :class:`NbGraderAPI` of the course at ``course_dir`` (an absolute path)."""
    if not (course_dir / CONFIG_FILE).is_file():
        raise GradingError(f"no course at {course_dir}: run `python -m grading release` first")
    # The gradebook runs the `alembic` script, which is on PATH only in an
    # activated virtualenv, not when its python is called directly.
    scripts = sysconfig.get_path("scripts")
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([scripts, os.environ.get("PATH", "")])
    return NbGraderAPI(config=load_config(course_dir), log=NBGRADER_LOG)


def load_config(course_dir):
    """The course's nbgrader config, as traitlets loads it."""
    return PyFileConfigLoader(CONFIG_FILE, path=str(course_dir)).load_config()


def course_notebook(api, step, chapter, student="."):
    """The path of ``chapter``'s notebook in a step folder of the course (``source``, ...)."""
    return Path(api.coursedir.format_path(step, student, chapter)) / f"{chapter}.ipynb"


def is_released(course_dir, chapter):
    """Whether the course has ``chapter``'s release notebook and gradebook entry."""
    if not (course_dir / CONFIG_FILE).is_file():
        return False
    api = open_course(course_dir)
    if not course_notebook(api, api.coursedir.release_directory, chapter).is_file():
        return False
    with api.gradebook as gb:
        return any(assignment.name == chapter for assignment in gb.assignments)


def run_step(step, *args, **kwargs):
    """Run one NbGraderAPI step, e.g. ``run_step(api.autograde, chapter, student)``.

    Returns None on success, else why it failed, in words.
    """
    failures = _Failures()
    NBGRADER_LOG.addHandler(failures)
    try:
        result = step(*args, **kwargs)
    finally:
        NBGRADER_LOG.removeHandler(failures)
    return None if result["success"] else failures.reason()


# Failures whose own message would not tell the grader what happened.
_EXPLAINED = {
    DeadKernelError: "the kernel died (the notebook crashed Python, e.g. with os._exit)",
    # Its message quotes the cell, which may hold hidden tests.
    CellTimeoutError: "a cell ran past the time limit and could not be interrupted",
}


class _Failures(logging.Handler):
    """Keeps the last exception nbgrader logs while it handles a failure.

    nbgrader catches the exception of a failed notebook and logs its traceback
    as text (``log.error(traceback.format_exc())``, without ``exc_info``), so
    the exception is the one being handled while the record is emitted.
    """

    def __init__(self):
        super().__init__(logging.ERROR)
        self.error = None
        self.last_message = ""

    def emit(self, record):
        self.error = (record.exc_info[1] if record.exc_info else sys.exception()) or self.error
        self.last_message = record.getMessage()

    def reason(self):
        """Why the step failed, in words: from the last exception nbgrader handled."""
        error = self.error
        if error is None:
            return self.last_message or "nbgrader failed; run with --verbose to see its log"
        # nbgrader re-raises some errors as its own ("Notebook failed to validate"),
        # cutting the link to their cause; the innermost one says why.
        while not isinstance(error, tuple(_EXPLAINED)) and (error.__cause__ or error.__context__):
            error = error.__cause__ or error.__context__
        for kind, reason in _EXPLAINED.items():
            if isinstance(error, kind):
                return reason
        message = str(error).strip().splitlines()
        return message[0] if message else type(error).__name__


def _release_chapter(api, chapter, source, workspace, reset_workspace, exercises, language):
    source_path = course_notebook(api, api.coursedir.source_directory, chapter)
    source_path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(source, source_path)
    # The answers of the visible cases, for the notebook's own test cells: released with it.
    # (A test's toy chapter, declared without cases, has none.)
    has_check_data = all(isinstance(exercise, checks.Exercise) for exercise in exercises)
    check_data = (answers.write_check_data(chapter, source_path.parent, exercises, language)
                  if has_check_data else None)
    failure = run_step(api.generate_assignment, chapter, force=True, create=True)
    if failure:
        raise GradingError(f"nbgrader could not generate {chapter}: {failure}")
    released = course_notebook(api, api.coursedir.release_directory, chapter)
    if check_data and not (released.parent / check_data.relative_to(source_path.parent)).is_file():
        raise GradingError(f"nbgrader did not release {chapter}'s check data {check_data.name}")
    if workspace is None:
        return Release(chapter, released)

    target = Path(workspace) / f"{chapter}.ipynb"
    backup = None
    if target.exists() and not reset_workspace:
        if has_check_data:  # the release's, in the language of the notebook kept
            answers.write_check_data(chapter, workspace, exercises, _edition_of(target))
        return Release(chapter, released, target, kept_existing=True)
    if target.exists():
        backup = target.with_name(f"{chapter}.backup-{datetime.now():%Y%m%d-%H%M%S-%f}.ipynb")
        target.rename(backup)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(released, target)
    if check_data:  # always the release's: it is generated, never the learner's work
        answers.write_check_data(chapter, workspace, exercises, language)
    return Release(chapter, released, target, backup=backup)


def _edition_of(path):
    """The language of the learner's notebook at ``path``; English if it cannot be read."""
    try:
        return editions.language_of(nbformat.read(path, as_version=nbformat.NO_CONVERT))
    except Exception:  # noqa: BLE001 - the learner's file: any damage means "not known"
        return editions.DEFAULT
