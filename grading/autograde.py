"""Grading submissions with nbgrader; results from its gradebook and autograded notebooks.

Each submission that passes intake goes to ``course/submitted/`` and through
nbgrader's autograder, which records the scores in the gradebook. One that
does not, or whose grading fails, gets 0 in the gradebook too, so every
student is listed, and the reason goes to the status file (see
:mod:`grading.reports`).
"""
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import nbformat
from nbconvert.filters import strip_ansi
from nbgrader.preprocessors import Execute
from nbgrader.utils import rmtree

from course_utils import checks

from . import intake, reports
from .course import (GradingError, Status, available_chapters, course_notebook, graded_exercises,
                     is_released, open_course, release, run_step)
from .settings import COURSE_DIR, NOTEBOOKS_DIR

# The error output nbgrader's Execute adds to a cell it stopped at the timeout.
TIMEOUT_ENAME = Execute.error_on_timeout.default()["ename"]


@dataclass(frozen=True)
class SubmissionResult:
    student_id: str
    chapter: str
    status: Status
    reason: str = ""  # why there are no marks; for a graded one, what was repaired or stopped
    score: float = 0.0
    max_score: float = 0.0

    @property
    def status_text(self):
        return self.status.text(self.reason)


def autograde(submissions_dir, *, chapter=None, course_dir=COURSE_DIR, notebooks_dir=NOTEBOOKS_DIR,
              exercises=None):
    """Grade every ``submissions_dir/<student_id>/<chapter>.ipynb``; return the
    :class:`SubmissionResult` of each student folder and loose file, chapter by chapter.

    Without ``chapter``, grades the chapters that at least one student
    submitted. Releases a chapter first (with ``exercises``, see
    :func:`grading.course.release`) if the course does not have it yet, and
    refuses one released with other exercises or points than they declare.
    A submission that cannot be graded gets 0 and a reason; the batch goes on.
    """
    submissions_dir, course_dir = Path(submissions_dir), Path(course_dir).resolve()
    if not submissions_dir.is_dir():
        raise GradingError(f"no submissions folder at {submissions_dir}")
    student_dirs, loose_files = intake.scan(submissions_dir)
    chapters = [chapter] if chapter else [
        chapter for chapter in available_chapters(notebooks_dir)
        if any((student_dir / f"{chapter}.ipynb").is_file() for student_dir in student_dirs)]
    if not chapters:
        raise GradingError(f"no <chapter>.ipynb of {notebooks_dir} in any student folder of "
                           f"{submissions_dir}; name the chapter with --chapter")

    unreleased = [chapter for chapter in chapters if not is_released(course_dir, chapter)]
    if unreleased:
        release(unreleased, course_dir=course_dir, workspace=None, notebooks_dir=notebooks_dir,
                exercises=exercises)
    api = open_course(course_dir)
    results = []
    for chapter in chapters:
        with api.gradebook as gb:
            grade_ids = [exercise.test_id for exercise in graded_exercises(gb, chapter, exercises)]
            solution_cells = gb.find_notebook(chapter, chapter).solution_cells
            known_ids = grade_ids + [cell.name for cell in solution_cells]
            max_score = gb.find_assignment(chapter).max_score
        for student_dir in student_dirs:
            result = _grade_submission(api, student_dir, chapter, grade_ids, known_ids, max_score)
            reports.record_status(course_dir, result)
            results.append(result)
        for path in loose_files:
            result = SubmissionResult(path.name, chapter, Status.REJECTED,
                                      intake.loose_file_reason(path, chapter), max_score=max_score)
            reports.record_status(course_dir, result)
            results.append(result)
    return results


def cell_failure(cell, timeout):
    """What went wrong in an autograded ``cell``, in the learner's words, or "" if nothing did.

    A check's message (a ``CheckFailed``) is shown as it is, any other error
    with its type; ``timeout`` is the course's cell time limit in seconds.
    """
    errors = [output for output in cell.get("outputs", []) if output.output_type == "error"]
    if not errors:
        return ""
    if _timed_out(cell):
        return f"stopped: the cell was still running after {timeout} s (an endless loop?)"
    error = errors[-1]
    message = strip_ansi(error.evalue).strip()
    if error.ename == checks.CheckFailed.__name__:
        return message
    return f"{error.ename}: {message}" if message else error.ename


def _timed_out(cell):
    return any(output.get("ename") == TIMEOUT_ENAME for output in cell.get("outputs", []))


def _grade_submission(api, student_dir, chapter, grade_ids, known_ids, max_score):
    student = student_dir.name
    invalid = intake.invalid_student_id(student)
    if invalid:
        return SubmissionResult(student, chapter, Status.REJECTED, invalid, max_score=max_score)
    for step in (api.coursedir.submitted_directory, api.coursedir.autograded_directory,
                 api.coursedir.feedback_directory):
        # A new submission replaces the old one, including when it is broken.
        old = Path(api.coursedir.format_path(step, student, chapter))
        if old.exists():
            rmtree(str(old))
    try:
        notebook, copies = intake.read_submission(student_dir, chapter, grade_ids, known_ids)
    except intake.Unusable as problem:
        return _grade_zero(api, student, chapter, problem.status, str(problem))

    submitted = course_notebook(api, api.coursedir.submitted_directory, chapter, student)
    submitted.parent.mkdir(parents=True)
    nbformat.write(notebook, submitted)
    mtime = (student_dir / f"{chapter}.ipynb").stat().st_mtime
    submitted_at = datetime.fromtimestamp(mtime, timezone.utc)
    (submitted.parent / "timestamp.txt").write_text(f"{submitted_at:%Y-%m-%d %H:%M:%S.%f} UTC\n")
    failure = run_step(api.autograde, chapter, student, force=True, create=True)
    if failure:
        return _grade_zero(api, student, chapter, Status.BROKEN, failure)

    notes = [f"copied cells graded as plain code: {', '.join(copies)}"] if copies else []
    autograded = nbformat.read(
        course_notebook(api, api.coursedir.autograded_directory, chapter, student), as_version=4)
    stopped = [cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {number}"
               for number, cell in enumerate(autograded.cells, start=1)
               if _timed_out(cell)]
    if stopped:
        notes.append(f"stopped after {api.config.Execute.timeout} s, still running: "
                     f"{', '.join(stopped)}")
    with api.gradebook as gb:
        submission = gb.find_submission(chapter, student)
        return SubmissionResult(student, chapter, Status.GRADED, "; ".join(notes),
                                score=submission.score, max_score=submission.max_score)


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
