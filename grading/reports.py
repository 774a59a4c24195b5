"""What grading leaves behind for the instructor: the status file and the CSV of grades.

The gradebook holds the scores, manual overrides included, and each
submission's time. The one addition is ``grading_status.json`` in the
course directory: what became of each submission (a
:class:`~grading.course.Status`) and why, which the gradebook has no place
for, with the fingerprint of what was graded (so ``status`` can tell a
submission collected since).
"""
import csv
import json
import os
from datetime import datetime, timezone
from pathlib import Path

from nbgrader.api import MissingEntry

from .config import CourseConfig
from .course import Status, graded_exercises, open_course
from .settings import COURSE_DIR

STATUS_FILE = "grading_status.json"
# One row per student and exercise. The first six are the exercise's; the rest are the
# chapter's, the same on each of its rows: when it was submitted, how late, the chapter's
# score before and after the late penalty.
CSV_COLUMNS = ("student_id", "assignment", "exercise", "score", "max_score", "status",
               "submitted_at", "late_by_hours", "assignment_raw_score", "late_penalty",
               "assignment_score", "assignment_max_score")


def record_status(course_dir, *results):
    """Write each result's status and reason to the status file, replacing earlier ones."""
    path = Path(course_dir) / STATUS_FILE
    statuses = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    for result in results:
        statuses.setdefault(result.chapter, {})[result.student_id] = {
            "status": str(result.status), "reason": result.reason,
            "submitted_at": result.submitted_at.isoformat() if result.submitted_at else None,
            "submission": result.submission, "score": result.score,
            "max_score": result.max_score, "late_seconds": result.late_seconds,
            "penalty": result.penalty, "graded_at": now}
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(statuses, indent=2, sort_keys=True, ensure_ascii=False)
                         + "\n", encoding="utf-8")
    os.replace(temporary, path)


def load_status_entries(course_dir):
    """``{chapter: {student: entry}}`` of the status file, as written ({} if none)."""
    path = Path(course_dir) / STATUS_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def load_statuses(course_dir):
    """``{chapter: {student: (Status, reason)}}`` from the status file ({} if none)."""
    return {chapter: {student: (Status(entry["status"]), entry["reason"])
                      for student, entry in students.items()}
            for chapter, students in load_status_entries(course_dir).items()}


def grade_rows(*, chapter=None, course_dir=COURSE_DIR, exercises=None, config=None):
    """The CSV's rows, as dicts with the keys of :data:`CSV_COLUMNS` (all text), sorted
    by student, chapter and the exercises' order of definition."""
    config = config or CourseConfig()
    course_dir = Path(course_dir).resolve()
    api = open_course(course_dir)
    statuses = load_statuses(course_dir)
    rows = []
    with api.gradebook as gb:
        chapters = [chapter] if chapter else sorted(a.name for a in gb.assignments)
        student_ids = {student.id for student in gb.students}
        for chapter in chapters:
            rows += _chapter_rows(gb, chapter, graded_exercises(gb, chapter, exercises),
                                  student_ids, statuses.get(chapter, {}), config)
    rows.sort(key=lambda row: row[:3])
    return [dict(zip(CSV_COLUMNS, (student, chapter, *rest)))
            for student, chapter, _, *rest in rows]


def export(csv_path, *, chapter=None, course_dir=COURSE_DIR, exercises=None, config=None,
           report=None):
    """Write one CSV row per student and exercise; return the number of rows.

    Exercises come in the order of their definitions (``exercises``, see
    :func:`~grading.course.graded_exercises`), scores from the gradebook,
    so a grader's manual override counts; the late penalty from the
    submission's time and ``config`` (a :class:`~grading.config.CourseConfig`).
    ``report`` names an HTML report of the same rows to write too
    (:mod:`grading.report`).
    """
    rows = grade_rows(chapter=chapter, course_dir=course_dir, exercises=exercises,
                      config=config)
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    if report is not None:
        from . import report as html_report

        html_report.write(report, rows, course_dir=course_dir, config=config)
    return len(rows)


def _chapter_rows(gb, chapter, exercises, student_ids, statuses, config):
    """Rows ``(student, chapter, exercise index, exercise, score, max_score, status, ...)``."""
    rows = []
    max_total = sum(exercise.points for exercise in exercises)
    # Rejected ids are only in the status file: the gradebook never saw them.
    for student in sorted(student_ids | statuses.keys()):
        try:
            submission = gb.find_submission(chapter, student)
        except MissingEntry:
            submission, scores = None, {}
        else:
            scores = {grade.name: grade.score for notebook in submission.notebooks
                      for grade in notebook.grades}
        if student in statuses:
            status, reason = statuses[student]
        else:
            status, reason = (Status.GRADED, "") if scores else (Status.MISSING, "no submission")
        submitted_at = None
        if submission is not None and submission.timestamp is not None:
            submitted_at = submission.timestamp.replace(tzinfo=timezone.utc)
        raw = sum(scores.get(exercise.test_id, 0.0) for exercise in exercises)
        late = config.seconds_late(chapter, submitted_at) if status is not Status.REJECTED \
            else 0.0
        penalty = config.late.penalty(late, raw, max_total)
        chapter_columns = (submitted_at.isoformat(timespec="seconds") if submitted_at else "",
                           f"{late / 3600:g}" if late else "0", f"{raw:g}", f"{penalty:g}",
                           f"{max(0.0, raw - penalty):g}", f"{max_total:g}")
        for index, exercise in enumerate(exercises):
            rows.append((student, chapter, index, exercise.name,
                         f"{scores.get(exercise.test_id, 0.0):g}", f"{exercise.points:g}",
                         status.text(reason), *chapter_columns))
    return rows
