"""What grading leaves behind for the instructor: the status file and the CSV of grades.

The gradebook holds the scores, manual overrides included. The one addition
is ``grading_status.json`` in the course directory: what became of each
submission (a :class:`~grading.course.Status`) and why, which the gradebook
has no place for.
"""
import csv
import json
from pathlib import Path

from nbgrader.api import MissingEntry

from .course import Status, graded_exercises, open_course
from .settings import COURSE_DIR

STATUS_FILE = "grading_status.json"
CSV_COLUMNS = ("student_id", "assignment", "exercise", "score", "max_score", "status")


def record_status(course_dir, result):
    """Write ``result``'s status and reason to the status file, replacing earlier ones."""
    path = Path(course_dir) / STATUS_FILE
    statuses = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    statuses.setdefault(result.chapter, {})[result.student_id] = {
        "status": str(result.status), "reason": result.reason}
    path.write_text(json.dumps(statuses, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")


def load_statuses(course_dir):
    """``{chapter: {student: (Status, reason)}}`` from the status file ({} if none)."""
    path = Path(course_dir) / STATUS_FILE
    if not path.exists():
        return {}
    return {chapter: {student: (Status(entry["status"]), entry["reason"])
                      for student, entry in students.items()}
            for chapter, students in json.loads(path.read_text(encoding="utf-8")).items()}


def export(csv_path, *, chapter=None, course_dir=COURSE_DIR, exercises=None):
    """Write one CSV row per student and exercise; return the number of rows.

    Exercises come in the order of their definitions (``exercises``, see
    :func:`~grading.course.graded_exercises`), scores from the gradebook,
    so a grader's manual override counts.
    """
    course_dir = Path(course_dir).resolve()
    api = open_course(course_dir)
    statuses = load_statuses(course_dir)
    rows = []
    with api.gradebook as gb:
        chapters = [chapter] if chapter else sorted(a.name for a in gb.assignments)
        student_ids = {student.id for student in gb.students}
        for chapter in chapters:
            rows += _chapter_rows(gb, chapter, graded_exercises(gb, chapter, exercises),
                                  student_ids, statuses.get(chapter, {}))
    rows.sort(key=lambda row: row[:3])
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        writer.writerows((student, chapter, *rest) for student, chapter, _, *rest in rows)
    return len(rows)


def _chapter_rows(gb, chapter, exercises, student_ids, statuses):
    """Rows ``(student, chapter, exercise index, exercise, score, max_score, status)``."""
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
            status, reason = statuses[student]
        else:
            status, reason = (Status.GRADED, "") if scores else (Status.MISSING, "no submission")
        for index, exercise in enumerate(exercises):
            rows.append((student, chapter, index, exercise.name,
                         f"{scores.get(exercise.test_id, 0.0):g}", f"{exercise.points:g}",
                         status.text(reason)))
    return rows
