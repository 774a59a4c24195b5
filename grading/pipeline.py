"""Release chapters, autograde submissions, export grades and give feedback with nbgrader.

The course directory is a plain nbgrader course (``source/``, ``release/``,
``submitted/``, ``autograded/``, ``feedback/``, ``gradebook.db`` and
``nbgrader_config.py``), so the ``nbgrader`` command line and formgrader work on
it too. The one addition is ``grading_status.json``: why a submission got no
marks, which the gradebook has no place for.
"""
import csv
import json
import logging
import os
import re
import shutil
import sysconfig
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import nbformat
from nbgrader.api import MissingEntry
from nbgrader.apps import NbGraderAPI
from nbgrader.utils import rmtree
from traitlets.config.loader import PyFileConfigLoader

from .settings import CELL_TIMEOUT, COURSE_DIR, NOTEBOOKS_DIR, WORKSPACE_DIR

COURSE_ID = "pytorch-practice-course"
CONFIG_FILE = "nbgrader_config.py"
STATUS_FILE = "grading_status.json"
CSV_COLUMNS = ("student_id", "assignment", "exercise", "score", "max_score", "status")

# nbgrader treats a student id as a file glob and as a path component, so only
# ids that mean the same thing in both are accepted.
STUDENT_ID = re.compile(r"\w[\w.-]*")

# nbgrader reports progress at INFO and WARNING for every cell; failures come
# back to us in the captured log and are reported once, as a reason. The CLI's
# --verbose attaches a handler to see everything.
NBGRADER_LOG = logging.getLogger("grading.nbgrader")
NBGRADER_LOG.propagate = False
NBGRADER_LOG.addHandler(logging.NullHandler())

CONFIG_TEMPLATE = """\
# Written by `python -m grading release`, which rewrites it keeping only c.Execute.timeout:
# change grading/pipeline.py, or release with --cell-timeout, instead.
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


class GradingError(Exception):
    """A problem the grader must fix before the command can do its job."""


@dataclass(frozen=True)
class Release:
    chapter: str
    release_notebook: Path
    workspace_notebook: Path | None = None  # None when no workspace was asked for
    kept_existing: bool = False  # the learner's notebook was already there and left alone
    backup: Path | None = None  # where reset_workspace moved the learner's notebook


@dataclass(frozen=True)
class SubmissionResult:
    student_id: str
    chapter: str
    status: str  # "graded", or why there are no marks: "missing", "broken", "rejected"
    reason: str = ""
    score: float = 0.0
    max_score: float = 0.0

    @property
    def status_text(self):
        return status_text(self.status, self.reason)


def status_text(status, reason):
    return f"{status}: {reason}" if reason else status


def available_chapters(notebooks_dir=NOTEBOOKS_DIR):
    return sorted(path.stem for path in Path(notebooks_dir).glob("*.ipynb"))


def release(chapters=None, *, course_dir=COURSE_DIR, workspace=WORKSPACE_DIR,
            notebooks_dir=NOTEBOOKS_DIR, reset_workspace=False, cell_timeout=None):
    """Generate the student version of each chapter and give the learner a copy.

    A notebook already in ``workspace`` is the learner's work and is kept,
    unless ``reset_workspace`` moves it to a timestamped backup first.
    ``workspace=None`` leaves the learner's folder alone. ``cell_timeout``
    (seconds) applies to all grading in the course; None keeps the current one.
    """
    notebooks_dir, course_dir = Path(notebooks_dir), Path(course_dir).resolve()
    chapters = list(chapters or available_chapters(notebooks_dir))
    if not chapters:
        raise GradingError(f"no notebooks to release in {notebooks_dir}")
    for chapter in chapters:
        if not (notebooks_dir / f"{chapter}.ipynb").is_file():
            raise GradingError(f"no notebook for chapter {chapter!r} in {notebooks_dir}")

    config_file = course_dir / CONFIG_FILE
    if cell_timeout is None:
        current = _load_config(course_dir).Execute if config_file.is_file() else {}
        cell_timeout = current.get("timeout", CELL_TIMEOUT)
    course_dir.mkdir(parents=True, exist_ok=True)
    config_file.write_text(CONFIG_TEMPLATE.format(course_id=COURSE_ID, cell_timeout=cell_timeout))
    api = _open_course(course_dir)
    return [_release_chapter(api, chapter, notebooks_dir, workspace, reset_workspace)
            for chapter in chapters]


def autograde(submissions_dir, *, chapter=None, course_dir=COURSE_DIR, notebooks_dir=NOTEBOOKS_DIR):
    """Grade every ``submissions_dir/<student_id>/<chapter>.ipynb``.

    Without ``chapter``, grades the chapters that at least one student
    submitted. Releases a chapter first if the course does not have it yet.
    A submission that cannot be graded gets 0 and a reason; the batch goes on.
    """
    submissions_dir, course_dir = Path(submissions_dir), Path(course_dir).resolve()
    if not submissions_dir.is_dir():
        raise GradingError(f"no submissions folder at {submissions_dir}")
    entries = sorted(path for path in submissions_dir.iterdir() if not path.name.startswith("."))
    student_dirs = [path for path in entries if path.is_dir()]
    loose_files = [path for path in entries if not path.is_dir()]
    chapters = [chapter] if chapter else [
        chapter for chapter in available_chapters(notebooks_dir)
        if any((student_dir / f"{chapter}.ipynb").is_file() for student_dir in student_dirs)]
    if not chapters:
        raise GradingError(f"no <chapter>.ipynb of {notebooks_dir} in any student folder of "
                           f"{submissions_dir}; name the chapter with --chapter")

    unreleased = [chapter for chapter in chapters if not _is_released(course_dir, chapter)]
    if unreleased:
        release(unreleased, course_dir=course_dir, workspace=None, notebooks_dir=notebooks_dir)
    api = _open_course(course_dir)
    results = []
    for chapter in chapters:
        with api.gradebook as gb:
            notebook = gb.find_notebook(chapter, chapter)
            # Graded cells must all be there; any cell nbgrader knows tells the chapter.
            grade_ids = [cell.name for cell in notebook.grade_cells]
            known_ids = grade_ids + [cell.name for cell in notebook.solution_cells]
            max_score = gb.find_assignment(chapter).max_score
        for student_dir in student_dirs:
            result = _grade_submission(api, student_dir, chapter, grade_ids, known_ids,
                                       max_score)
            _record_status(course_dir, result)
            results.append(result)
        for path in loose_files:
            # Whose it is cannot be told for sure; say so rather than skip it silently.
            result = SubmissionResult(
                path.name, chapter, "rejected",
                f"a file directly in {submissions_dir}: put each learner's notebook in "
                f"{submissions_dir}/<student_id>/{chapter}.ipynb", max_score=max_score)
            _record_status(course_dir, result)
            results.append(result)
    return results


def export(csv_path, *, chapter=None, course_dir=COURSE_DIR):
    """Write one CSV row per student and exercise; return the number of rows.

    Scores come from the gradebook, so a grader's manual override counts.
    """
    api = _open_course(Path(course_dir).resolve())
    statuses = _load_statuses(api.coursedir.root)
    rows = []
    with api.gradebook as gb:
        chapters = [chapter] if chapter else sorted(a.name for a in gb.assignments)
        student_ids = {student.id for student in gb.students}
        for chapter in chapters:
            rows += _chapter_rows(gb, api, chapter, student_ids, statuses.get(chapter, {}))
    rows.sort(key=lambda row: row[:3])
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        writer.writerows((student, chapter, *rest) for student, chapter, _, *rest in rows)
    return len(rows)


def feedback(*, chapter=None, course_dir=COURSE_DIR):
    """Generate HTML feedback for every autograded submission; return the files."""
    api = _open_course(Path(course_dir).resolve())
    chapters = [chapter] if chapter else sorted(api.get_source_assignments())
    files = []
    for chapter in chapters:
        students = api.get_autograded_students(chapter)
        if not students:
            continue
        result = api.generate_feedback(chapter)
        if not result["success"]:
            raise GradingError(f"nbgrader could not generate feedback for {chapter}: "
                               f"{_failure_reason(result)}")
        files += [_course_notebook(api, api.coursedir.feedback_directory, chapter, student)
                  .with_suffix(".html") for student in sorted(students)]
    if not files:
        raise GradingError("no autograded submissions to give feedback on: run autograde first")
    return files


def _open_course(course_dir):
    if not (course_dir / CONFIG_FILE).is_file():
        raise GradingError(f"no course at {course_dir}: run `python -m grading release` first")
    # The gradebook runs the `alembic` script, which is on PATH only in an
    # activated virtualenv, not when its python is called directly.
    scripts = sysconfig.get_path("scripts")
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([scripts, os.environ.get("PATH", "")])
    return NbGraderAPI(config=_load_config(course_dir), log=NBGRADER_LOG)


def _load_config(course_dir):
    return PyFileConfigLoader(CONFIG_FILE, path=str(course_dir)).load_config()


def _course_notebook(api, step, chapter, student="."):
    return Path(api.coursedir.format_path(step, student, chapter)) / f"{chapter}.ipynb"


def _is_released(course_dir, chapter):
    if not (course_dir / CONFIG_FILE).is_file():
        return False
    api = _open_course(course_dir)
    if not _course_notebook(api, api.coursedir.release_directory, chapter).is_file():
        return False
    with api.gradebook as gb:
        return any(assignment.name == chapter for assignment in gb.assignments)


def _release_chapter(api, chapter, notebooks_dir, workspace, reset_workspace):
    source = _course_notebook(api, api.coursedir.source_directory, chapter)
    source.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(notebooks_dir / f"{chapter}.ipynb", source)
    result = api.generate_assignment(chapter, force=True, create=True)
    if not result["success"]:
        raise GradingError(f"nbgrader could not generate {chapter}: {_failure_reason(result)}")
    released = _course_notebook(api, api.coursedir.release_directory, chapter)
    if workspace is None:
        return Release(chapter, released)

    target = Path(workspace) / f"{chapter}.ipynb"
    backup = None
    if target.exists():
        if not reset_workspace:
            return Release(chapter, released, target, kept_existing=True)
        backup = target.with_name(f"{chapter}.backup-{datetime.now():%Y%m%d-%H%M%S-%f}.ipynb")
        target.rename(backup)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(released, target)
    return Release(chapter, released, target, backup=backup)


def _grade_submission(api, student_dir, chapter, grade_ids, known_ids, max_score):
    student = student_dir.name
    if not STUDENT_ID.fullmatch(student):
        reason = (f"invalid student id {student!r}: use letters, digits, _, - and . only, "
                  "starting with a letter or digit")
        return SubmissionResult(student, chapter, "rejected", reason, max_score=max_score)
    for step in (api.coursedir.submitted_directory, api.coursedir.autograded_directory,
                 api.coursedir.feedback_directory):
        # A new submission replaces the old one, including when it is broken.
        old = Path(api.coursedir.format_path(step, student, chapter))
        if old.exists():
            rmtree(str(old))

    notebook = student_dir / f"{chapter}.ipynb"
    if not notebook.is_file():
        found = ", ".join(sorted(path.name for path in student_dir.iterdir())) or "nothing"
        return _grade_zero(api, student, chapter, "missing", f"no {notebook.name} (found: {found})")
    try:
        readable, repairs = _read_submission(notebook, chapter, grade_ids, known_ids)
    except UnusableSubmission as problem:
        return _grade_zero(api, student, chapter, "broken", str(problem))

    submitted = _course_notebook(api, api.coursedir.submitted_directory, chapter, student)
    submitted.parent.mkdir(parents=True)
    nbformat.write(readable, submitted)
    submitted_at = datetime.fromtimestamp(notebook.stat().st_mtime, timezone.utc)
    (submitted.parent / "timestamp.txt").write_text(f"{submitted_at:%Y-%m-%d %H:%M:%S.%f} UTC\n")
    result = api.autograde(chapter, student, force=True, create=True)
    if not result["success"]:
        return _grade_zero(api, student, chapter, "broken", _failure_reason(result))
    with api.gradebook as gb:
        submission = gb.find_submission(chapter, student)
        return SubmissionResult(student, chapter, "graded", repairs,
                                score=submission.score, max_score=submission.max_score)


class UnusableSubmission(Exception):
    """nbgrader cannot grade this file; the message says why."""


def _read_submission(path, chapter, grade_ids, known_ids):
    """The notebook at ``path`` made ready for nbgrader, and what was repaired.

    Raises :class:`UnusableSubmission` for a file nbgrader cannot grade.
    """
    try:
        # nbformat.read would log validation errors and return the notebook anyway.
        with open(path, encoding="utf-8") as fh:
            notebook = nbformat.reader.read(fh)
        nbformat.validate(notebook)
        notebook = nbformat.convert(notebook, nbformat.current_nbformat)
    except Exception as error:  # whatever the file holds, the submission is unusable
        message = str(error).strip().splitlines()
        raise UnusableSubmission(
            f"not a valid notebook: {message[0] if message else type(error).__name__}") from None

    present, copies = set(), []
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in present:
            # A cell copied in JupyterLab keeps its nbgrader marks, and nbgrader
            # refuses a notebook with an id twice: the copy runs as plain code.
            del cell.metadata["nbgrader"]
            copies.append(grade_id)
        elif grade_id:
            present.add(grade_id)
    if not present & set(known_ids):
        raise UnusableSubmission(f"not the {chapter} notebook: none of its graded cells is there")
    deleted = [grade_id for grade_id in grade_ids if grade_id not in present]
    if deleted:
        # nbgrader would grade the rest and leave these cells waiting for a human.
        raise UnusableSubmission(f"graded cells deleted: {', '.join(deleted)}")
    repairs = f"copied cells graded as plain code: {', '.join(copies)}" if copies else ""
    return notebook, repairs


def _grade_zero(api, student, chapter, status, reason):
    """Record 0 in the gradebook, so the student is listed like everyone else."""
    with api.gradebook as gb:
        gb.update_or_create_student(student)
        submission = gb.update_or_create_submission(chapter, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score = 0.0
                # As nbgrader does when re-autograding: a grader's manual score
                # stays, flagged for another look.
                grade.needs_manual_grade = grade.manual_score is not None
        gb.db.commit()
        return SubmissionResult(student, chapter, status, reason,
                                score=submission.score, max_score=submission.max_score)


# The root cause of a failure is the first exception line of the tracebacks nbgrader logs.
_EXCEPTION_LINE = re.compile(r"^\s+[\w.]+(?:Error|Exception): (?P<message>.+)$", re.MULTILINE)
_ERROR_LINE = re.compile(r"^\[ERROR\] (?P<message>.+)$", re.MULTILINE)


def _failure_reason(result):
    log = result.get("log", "")
    match = _EXCEPTION_LINE.search(log) or _ERROR_LINE.search(log)
    if match:
        return match["message"].strip()
    lines = result.get("error", "").strip().splitlines()
    return lines[-1] if lines else "unknown nbgrader error"


def _load_statuses(course_dir):
    path = Path(course_dir) / STATUS_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _record_status(course_dir, result):
    statuses = _load_statuses(course_dir)
    statuses.setdefault(result.chapter, {})[result.student_id] = {
        "status": result.status, "reason": result.reason}
    (course_dir / STATUS_FILE).write_text(
        json.dumps(statuses, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def _chapter_rows(gb, api, chapter, student_ids, statuses):
    """Rows ``(student, chapter, exercise index, exercise, score, max_score, status)``."""
    try:
        grade_cells = gb.find_notebook(chapter, chapter).grade_cells
    except MissingEntry:
        message = f"chapter {chapter!r} is not in the gradebook: release it first"
        raise GradingError(message) from None
    source = nbformat.read(_course_notebook(api, api.coursedir.source_directory, chapter),
                           as_version=nbformat.NO_CONVERT)
    order = [cell.metadata.get("nbgrader", {}).get("grade_id") for cell in source.cells]
    grade_cells = sorted(grade_cells, key=lambda cell: order.index(cell.name))

    rows = []
    # Rejected ids are only in the status file: the gradebook never saw them.
    for student in sorted(student_ids | statuses.keys()):
        try:
            submission = gb.find_submission(chapter, student)
        except MissingEntry:
            scores = {}
        else:
            scores = {grade.name: grade.score for notebook in submission.notebooks
                      for grade in notebook.grades}
        if student in statuses:
            status = status_text(statuses[student]["status"], statuses[student]["reason"])
        else:
            status = "graded" if scores else "missing: no submission"
        for index, cell in enumerate(grade_cells):
            rows.append((student, chapter, index, cell.name.removeprefix("test_"),
                         f"{scores.get(cell.name, 0.0):g}", f"{cell.max_score:g}", status))
    return rows
