"""A hostile class graded through the whole pipeline: the course and the class stay intact.

The submissions try to reach what the grader keeps (the gradebook and its
manual scores, the course's config, another student's files, the submissions
folder). Each runs in its sandbox, where none of those exist, so afterwards
the course's own files and the submissions are byte for byte what they were,
no manual score exists, and the honest students keep their full marks.
"""
import hashlib
import os

import nbformat
import pytest
from nbgrader.api import Gradebook

from conftest import ROOT, grade_id, read_notebook
from course_utils import checks
from grading import pipeline, sandbox

CHAPTER = "02_linear_model"

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")


def attacks(course, submissions):
    return {
        "zero_everyone": f"""
import sqlite3
for path in ["{course}/gradebook.db", "gradebook.db", "../gradebook.db"]:
    try:
        db = sqlite3.connect(path)
        db.execute("update grade set manual_score = 0")
        db.commit()
    except Exception:
        pass
""",
        "config_code": f"""
for path in ["{course}/nbgrader_config.py", "nbgrader_config.py"]:
    try:
        with open(path, "a") as config:
            config.write("\\nimport os; os.system('touch /tmp/owned')\\n")
    except OSError:
        pass
""",
        "overwrite_classmate": f"""
import glob, os
for path in glob.glob("{course}/submitted/*/*/*.ipynb") + glob.glob("{submissions}/*/*.ipynb"):
    try:
        with open(path, "w") as notebook:
            notebook.write("{{}}")
    except OSError:
        pass
""",
        "read_and_exfiltrate": f"""
import os, shutil
for root in ["{course}", "{ROOT}/notebooks", os.path.expanduser("~/.config")]:
    try:
        shutil.copytree(root, "/tmp/stolen" + root.replace("/", "_"))
    except OSError:
        pass
""",
    }


def fingerprints(folder):
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def hostile_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    course, submissions = root / "course", root / "submissions"
    pipeline.release([CHAPTER], course_dir=course, workspace=None)
    reference = read_notebook(ROOT / "notebooks" / f"{CHAPTER}.ipynb")
    students = {"honest_a": reference, "honest_z": reference}
    for name, code in attacks(course.resolve(), submissions.resolve()).items():
        notebook = nbformat.from_dict(reference)
        index = next(i for i, cell in enumerate(notebook.cells) if grade_id(cell) == "sol_mse")
        notebook.cells.insert(index + 1, nbformat.v4.new_code_cell(code))
        students[name] = notebook
    for student, notebook in students.items():
        (submissions / student).mkdir(parents=True)
        nbformat.write(notebook, submissions / student / f"{CHAPTER}.ipynb")
    kept = {"source": fingerprints(course / "source"), "release": fingerprints(course / "release"),
            "config": (course / "nbgrader_config.py").read_bytes(),
            "submissions": fingerprints(submissions)}
    results = {r.student_id: r for r in pipeline.autograde(submissions, course_dir=course)}
    return {"course": course, "submissions": submissions, "kept": kept, "results": results}


def test_every_student_is_graded_and_the_honest_keep_full_marks(hostile_class):
    results = hostile_class["results"]
    assert {student: result.status for student, result in results.items()} == \
        {student: pipeline.Status.GRADED for student in results}
    points = sum(exercise.points for exercise in checks.exercises(CHAPTER))
    assert all(result.score == points for result in results.values()), \
        {student: result.score for student, result in results.items()}


def test_the_course_and_the_submissions_are_untouched(hostile_class):
    course, kept = hostile_class["course"], hostile_class["kept"]
    assert fingerprints(course / "source") == kept["source"]
    assert fingerprints(course / "release") == kept["release"]
    assert (course / "nbgrader_config.py").read_bytes() == kept["config"]
    assert fingerprints(hostile_class["submissions"]) == kept["submissions"]
    submitted = course / "submitted" / "honest_a" / CHAPTER / f"{CHAPTER}.ipynb"
    assert nbformat.read(submitted, as_version=4).cells


def test_no_submission_can_set_a_manual_score(hostile_class):
    course = hostile_class["course"]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", pipeline.COURSE_ID) as gb:
        grades = [grade for student in gb.students
                  for grade in gb.find_submission(CHAPTER, student.id).notebooks[0].grades]
    assert grades and all(grade.manual_score is None for grade in grades)


def test_the_isolation_is_complete_where_ci_runs():
    """CI installs bubblewrap and runs as root: the guarantees above hold in full there."""
    isolation = sandbox.detect()
    if isolation.missing and not os.environ.get("CI"):
        pytest.skip(isolation.warning)
    assert not isolation.missing, isolation.warning
