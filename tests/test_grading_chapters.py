"""Every chapter graded end to end with ``grading``, from its exercise definitions.

For each chapter that ``course_utils.checks`` declares and ``notebooks/``
holds, a class of generic submissions: the reference solutions (full marks),
the blank release (0) and, per exercise, the reference with only that
exercise's solution cells back to their stubs, which must cost exactly that
exercise's points. Chapter 2 also gets the unusual submissions a real class
hands in (broken, misnamed, copied cells, ...).
"""
import csv
import html

import nbformat
import pytest
from nbconvert.filters import strip_ansi
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader.api import Gradebook

from conftest import notebook_path
from course_utils import checks
from grading import pipeline, reports
from test_grading import (BEGIN_HIDDEN, BEGIN_SOLUTION, END_HIDDEN, END_SOLUTION,
                          assert_private, nbgrader_metadata, run_cli)

CHAPTERS = [chapter for chapter in sorted(checks.chapters()) if notebook_path(chapter).is_file()]
CHAPTER_2 = "02_linear_model"
TOTAL_2 = sum(exercise.points for exercise in checks.exercises(CHAPTER_2))

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")


def _between(source, begin, end):
    """The lines strictly between the ``begin`` and ``end`` marker lines."""
    lines = source.splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() == begin]
    ends = [i for i, line in enumerate(lines) if line.strip() == end]
    return [line for start, stop in zip(starts, ends)
            for line in lines[start + 1:stop] if line.strip()]


def _cells(path):
    """``{grade_id: cell}`` of the notebook at ``path``."""
    return {nbgrader_metadata(cell)["grade_id"]: cell
            for cell in nbformat.read(path, as_version=4).cells
            if "grade_id" in nbgrader_metadata(cell)}


def _submission(release_path, sources):
    """The student version with the cells of ``sources`` (grade id: code) filled in."""
    notebook = nbformat.read(release_path, as_version=4)
    for cell in notebook.cells:
        if nbgrader_metadata(cell).get("grade_id") in sources:
            cell.source = sources[nbgrader_metadata(cell)["grade_id"]]
    return notebook


def _reference_solutions(chapter):
    """``{grade_id: code}`` of the source notebook's solution cells, markers removed."""
    return {grade_id: "\n".join(line for line in cell.source.splitlines()
                                if line.strip() not in (BEGIN_SOLUTION, END_SOLUTION))
            for grade_id, cell in _cells(notebook_path(chapter)).items()
            if nbgrader_metadata(cell).get("solution")}


def _write(submissions, student, chapter, notebook, name=None, overwrite=False):
    folder = submissions / student
    folder.mkdir(parents=True, exist_ok=overwrite)
    nbformat.write(notebook, folder / (name or f"{chapter}.ipynb"))


@pytest.fixture(scope="module", params=CHAPTERS)
def graded(request, tmp_path_factory):
    """A chapter released, graded for the generic class, exported and given feedback."""
    chapter = request.param
    root = tmp_path_factory.mktemp(chapter)
    course, workspace, submissions = root / "course", root / "workspace", root / "submissions"
    release, = pipeline.release([chapter], course_dir=course, workspace=workspace)
    exercises = checks.exercises(chapter)
    reference = _reference_solutions(chapter)
    stubs = _cells(release.release_notebook)

    _write(submissions, "ref", chapter, _submission(release.release_notebook, reference))
    _write(submissions, "blank", chapter, nbformat.read(release.release_notebook, as_version=4))
    for exercise in exercises:
        one_stub = {**reference, **{cell_id: stubs[cell_id].source
                                    for cell_id in exercise.solution_ids}}
        _write(submissions, f"stub_{exercise.name}", chapter,
               _submission(release.release_notebook, one_stub))

    results = pipeline.autograde(submissions, chapter=chapter, course_dir=course)
    csv_path = root / "grades.csv"
    pipeline.export(csv_path, course_dir=course)
    with open(csv_path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    pages = pipeline.feedback(course_dir=course)
    return {"chapter": chapter, "exercises": exercises, "course": course.resolve(),
            "workspace": workspace, "release": release, "rows": rows, "pages": pages,
            "results": {result.student_id: result for result in results}}


def test_release_removes_solutions_and_hidden_tests(graded):
    chapter = graded["chapter"]
    source = nbformat.read(notebook_path(chapter), as_version=4)
    release_path = graded["course"] / "release" / chapter / f"{chapter}.ipynb"
    assert graded["release"].release_notebook.resolve() == release_path
    released = {grade_id: cell.source for grade_id, cell in _cells(release_path).items()}

    text = release_path.read_text(encoding="utf-8")
    for marker in (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN):
        assert marker not in text
    graded_ids = {nbgrader_metadata(cell)["grade_id"] for cell in source.cells
                  if nbgrader_metadata(cell).get("grade")}
    assert graded_ids == {exercise.test_id for exercise in graded["exercises"]}
    for cell in source.cells:
        grade_id = nbgrader_metadata(cell).get("grade_id")
        if nbgrader_metadata(cell).get("solution"):
            assert "raise NotImplementedError" in released[grade_id]
            for line in _between(cell.source, BEGIN_SOLUTION, END_SOLUTION):
                assert line not in released[grade_id]
        if nbgrader_metadata(cell).get("grade"):
            hidden = _between(cell.source, BEGIN_HIDDEN, END_HIDDEN)
            assert hidden, f"{grade_id} has no hidden tests"
            for line in hidden:
                assert line not in released[grade_id]
            assert cell.source.split(BEGIN_HIDDEN)[0].strip() in released[grade_id]

    workspace_copy = graded["workspace"] / f"{chapter}.ipynb"
    assert graded["release"].workspace_notebook == workspace_copy
    assert workspace_copy.read_bytes() == release_path.read_bytes()


def test_release_takes_the_points_from_the_definitions(graded):
    chapter, exercises = graded["chapter"], graded["exercises"]
    source = _cells(graded["course"] / "source" / chapter / f"{chapter}.ipynb")
    assert {exercise.test_id: nbgrader_metadata(source[exercise.test_id])["points"]
            for exercise in exercises} == {exercise.test_id: exercise.points
                                           for exercise in exercises}
    with Gradebook(f"sqlite:///{graded['course'] / 'gradebook.db'}", pipeline.COURSE_ID) as gb:
        assert gb.find_assignment(chapter).max_score == sum(e.points for e in exercises)


def test_one_bug_costs_one_exercise(graded):
    exercises = graded["exercises"]
    points = {exercise.name: exercise.points for exercise in exercises}
    lost = {"ref": set(), "blank": set(points),
            **{f"stub_{name}": {name} for name in points}}
    total = sum(points.values())
    assert {student: (result.status, result.score, result.max_score)
            for student, result in graded["results"].items()} == {
        student: (pipeline.Status.GRADED, total - sum(points[name] for name in names), total)
        for student, names in lost.items()}

    assert [(row["student_id"], row["exercise"]) for row in graded["rows"]] == \
        [(student, name) for student in sorted(lost) for name in points]
    for row in graded["rows"]:
        name = row["exercise"]
        full = name not in lost[row["student_id"]]
        assert (row["score"], row["max_score"], row["status"]) == \
            (f"{points[name] if full else 0:g}", f"{points[name]:g}", "graded"), row


def test_feedback_pages_show_scores_and_messages_but_no_tests_or_paths(graded):
    chapter, exercises, course = graded["chapter"], graded["exercises"], graded["course"]
    assert graded["pages"] == [course / "feedback" / student / chapter / f"{chapter}.html"
                               for student in sorted(graded["results"])]
    for page in graded["pages"]:
        text = page.read_text(encoding="utf-8")
        assert_private(text, course)
        student = page.parent.parent.name
        result = graded["results"][student]
        assert f"{result.score:g}/{result.max_score:g}" in text
        autograded = _cells(course / "autograded" / student / chapter / f"{chapter}.ipynb")
        for exercise in exercises:
            assert f"{html.escape(exercise.name)} <span" in text
            if student == "ref":
                assert f"{exercise.points:g}/{exercise.points:g}" in text
            if student in ("blank", f"stub_{exercise.name}"):
                error, = [output for output in autograded[exercise.test_id].outputs
                          if output.output_type == "error"]
                assert error.ename == "CheckFailed"
                assert html.escape(strip_ansi(error.evalue).strip()) in text
            for line in autograded[exercise.test_id].source.splitlines():
                if line.strip() and not line.startswith(("import ", '"""')):
                    assert line not in text, (student, line)


@pytest.fixture(scope="module")
def chapter2_class(tmp_path_factory):
    """Chapter 2 graded for the unusual submissions of a real class, and exported."""
    root = tmp_path_factory.mktemp("chapter2_class")
    course, submissions = root / "course", root / "submissions"
    release, = pipeline.release([CHAPTER_2], course_dir=course, workspace=None)
    reference = _submission(release.release_notebook, _reference_solutions(CHAPTER_2))

    (submissions / "broken").mkdir(parents=True)
    (submissions / "broken" / f"{CHAPTER_2}.ipynb").write_text('{"cells": [', encoding="utf-8")
    _write(submissions, "misnamed", CHAPTER_2, reference, name="chapter2_final.ipynb")
    _write(submissions, "bad id", CHAPTER_2, reference)
    copied = nbformat.from_dict(reference)
    index = next(i for i, cell in enumerate(copied.cells)
                 if nbgrader_metadata(cell).get("grade_id") == "sol_mse")
    copied.cells.insert(index + 1, nbformat.from_dict(copied.cells[index]))
    copied.cells[index + 1].id = "copy-of-mse"
    _write(submissions, "copied_cell", CHAPTER_2, copied)
    _write(submissions, "other_chapter", CHAPTER_2, new_notebook(cells=[new_code_cell("1 + 1")]))
    nbformat.write(reference, submissions / "loose.ipynb")
    _write(submissions, "dot.name", CHAPTER_2, reference)
    deleted = nbformat.from_dict(reference)
    deleted.cells = [cell for cell in deleted.cells if not nbgrader_metadata(cell).get("grade")]
    _write(submissions, "deleted_tests", CHAPTER_2, deleted)
    crashing = nbformat.from_dict(reference)
    crashing.cells.append(new_code_cell("import os\nos._exit(1)"))
    _write(submissions, "kills_python", CHAPTER_2, crashing)
    (submissions / "not_a_notebook").mkdir()
    (submissions / "not_a_notebook" / f"{CHAPTER_2}.ipynb").write_text('{"hello": 1}')
    (submissions / ".ipynb_checkpoints").mkdir()

    results = pipeline.autograde(submissions, chapter=CHAPTER_2, course_dir=course)
    csv_path = root / "grades.csv"
    pipeline.export(csv_path, course_dir=course)
    with open(csv_path, newline="", encoding="utf-8") as fh:
        header, *rows = list(csv.reader(fh))
    return {"course": course, "header": header, "rows": rows, "submissions": submissions,
            "results": {result.student_id: result for result in results}}


def test_autograde_scores_every_kind_of_submission(chapter2_class):
    Status = pipeline.Status
    summary = {student: (result.status, result.score, result.max_score)
               for student, result in chapter2_class["results"].items()}
    assert summary == {
        "broken": (Status.BROKEN, 0, TOTAL_2),
        "misnamed": (Status.MISSING, 0, TOTAL_2),
        "bad id": (Status.REJECTED, 0, TOTAL_2),
        "copied_cell": (Status.GRADED, TOTAL_2, TOTAL_2),
        "other_chapter": (Status.BROKEN, 0, TOTAL_2),
        "loose.ipynb": (Status.REJECTED, 0, TOTAL_2),
        "dot.name": (Status.GRADED, TOTAL_2, TOTAL_2),
        "deleted_tests": (Status.GRADED, TOTAL_2, TOTAL_2),
        "kills_python": (Status.BROKEN, 0, TOTAL_2),
        "not_a_notebook": (Status.BROKEN, 0, TOTAL_2),
    }
    assert all(type(result.status) is Status for result in chapter2_class["results"].values())
    results = chapter2_class["results"]
    assert "sol_mse" in results["copied_cell"].reason
    assert "not the 02_linear_model notebook" in results["other_chapter"].reason
    assert "<student_id>" in results["loose.ipynb"].reason
    assert "JSON" in results["broken"].reason
    assert "chapter2_final.ipynb" in results["misnamed"].reason
    assert "not a valid notebook" in results["not_a_notebook"].reason
    assert "without results" in results["kills_python"].reason
    course = chapter2_class["course"]
    assert (course / "submitted" / "dot.name" / CHAPTER_2 / "timestamp.txt").is_file()


def test_export_has_one_row_per_student_and_exercise(chapter2_class):
    exercises = checks.exercises(CHAPTER_2)
    assert chapter2_class["header"][:6] == ["student_id", "assignment", "exercise", "score",
                                            "max_score", "status"]
    assert chapter2_class["header"] == list(reports.CSV_COLUMNS)
    assert [(row[0], row[2]) for row in chapter2_class["rows"]] == \
        [(student, exercise.name) for student in sorted(chapter2_class["results"])
         for exercise in exercises]
    points = {exercise.name: exercise.points for exercise in exercises}
    for student, chapter, exercise, score, max_score, status, *_ in chapter2_class["rows"]:
        full = student in ("copied_cell", "dot.name", "deleted_tests")
        assert (score, max_score) == (f"{points[exercise] if full else 0:g}",
                                      f"{points[exercise]:g}"), (student, exercise)
        assert status == chapter2_class["results"][student].status_text
        assert chapter == CHAPTER_2
    statuses = {row[0]: row[5] for row in chapter2_class["rows"]}
    assert statuses["copied_cell"].startswith("graded: copied cells")
    assert statuses["broken"].startswith("broken: ") and "JSON" in statuses["broken"]
    assert statuses["misnamed"].startswith("missing: ")
    assert statuses["bad id"].startswith("rejected: ")


def test_gradebook_lists_unusable_submissions_and_takes_overrides(chapter2_class, tmp_path):
    course = chapter2_class["course"]
    assert f"c.Execute.timeout = {pipeline.CELL_TIMEOUT}\n" in \
        (course / "nbgrader_config.py").read_text()
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", pipeline.COURSE_ID) as gb:
        assert {student.id for student in gb.students} == {
            "broken", "misnamed", "copied_cell", "other_chapter", "dot.name", "deleted_tests",
            "kills_python", "not_a_notebook"}
        assert gb.find_submission(CHAPTER_2, "broken").score == 0
        grade = gb.find_grade("test_mse", CHAPTER_2, CHAPTER_2, "copied_cell")
        grade.manual_score = 1.5
        gb.db.commit()
    try:
        pipeline.export(tmp_path / "grades.csv", chapter=CHAPTER_2, course_dir=course)
        with open(tmp_path / "grades.csv", newline="", encoding="utf-8") as fh:
            rows = {(row["student_id"], row["exercise"]): row["score"]
                    for row in csv.DictReader(fh)}
        assert rows["copied_cell", "mse"] == "1.5"
        assert rows["copied_cell", "forward"] == "2"
    finally:
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}", pipeline.COURSE_ID) as gb:
            gb.find_grade("test_mse", CHAPTER_2, CHAPTER_2, "copied_cell").manual_score = None
            gb.db.commit()


def test_cli_exports_and_gives_feedback(chapter2_class, tmp_path):
    course = chapter2_class["course"]
    exported = run_cli("export", tmp_path / "grades.csv", "--course-dir", course)
    assert exported.returncode == 0, exported.stderr
    with open(tmp_path / "grades.csv", newline="", encoding="utf-8") as fh:
        assert list(csv.reader(fh)) == [chapter2_class["header"], *chapter2_class["rows"]]

    feedback = run_cli("feedback", "--chapter", CHAPTER_2, "--course-dir", course)
    assert feedback.returncode == 0, feedback.stderr
    students = sorted(student for student, result in chapter2_class["results"].items()
                      if result.status is not pipeline.Status.REJECTED)
    pages = [course / "feedback" / student / CHAPTER_2 / f"{CHAPTER_2}.html"
             for student in students]
    assert feedback.stdout.split() == ["feedback:", *map(str, pages)]
    text = {student: page.read_text(encoding="utf-8") for student, page in zip(students, pages)}
    for student in students:
        assert_private(text[student], course)
    results = chapter2_class["results"]
    for student in ("broken", "misnamed", "other_chapter", "not_a_notebook", "kills_python"):
        reason = html.escape(results[student].reason)
        assert f"Not graded ({results[student].status}): {reason}" in text[student]
    assert "Note: copied cells graded as plain code: sol_mse" in text["copied_cell"]


def test_a_manual_score_survives_a_regrade(chapter2_class):
    course = chapter2_class["course"]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", pipeline.COURSE_ID) as gb:
        gb.find_grade("test_forward", CHAPTER_2, CHAPTER_2, "dot.name").manual_score = 0.5
        gb.db.commit()
    try:
        pipeline.autograde(chapter2_class["submissions"], chapter=CHAPTER_2, course_dir=course,
                           force=True)
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}", pipeline.COURSE_ID) as gb:
            grade = gb.find_grade("test_forward", CHAPTER_2, CHAPTER_2, "dot.name")
            assert (grade.manual_score, grade.auto_score, grade.score) == (0.5, 2, 0.5)
    finally:
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}", pipeline.COURSE_ID) as gb:
            gb.find_grade("test_forward", CHAPTER_2, CHAPTER_2, "dot.name").manual_score = None
            gb.db.commit()


def test_regrading_keeps_unchanged_submissions_and_replaces_changed_ones(tmp_path):
    course, submissions = tmp_path / "course", tmp_path / "submissions"
    release, = pipeline.release([CHAPTER_2], course_dir=course, workspace=None, cell_timeout=2)
    reference = _reference_solutions(CHAPTER_2)
    looping = {**reference, "sol_mse": "def mse(y_hat, y):\n    while True:\n        pass"}
    _write(submissions, "looper", CHAPTER_2, _submission(release.release_notebook, looping))
    _write(submissions, "steady", CHAPTER_2, _submission(release.release_notebook, reference))
    limits = {"call_seconds": 1}
    first = {r.student_id: r for r in pipeline.autograde(submissions, course_dir=course,
                                                        limits=limits)}
    assert (first["looper"].status, first["looper"].score) == (pipeline.Status.GRADED,
                                                                TOTAL_2 - 2)  # mse: 0 of 2
    page = pipeline.feedback(course_dir=course)[0].read_text(encoding="utf-8")
    assert "still running after 1 s" in page and "never returned" in page

    _write(submissions, "looper", CHAPTER_2, _submission(release.release_notebook, reference),
           overwrite=True)
    second = {r.student_id: r for r in pipeline.autograde(submissions, course_dir=course,
                                                         limits=limits)}
    assert (second["looper"].score, second["looper"].regraded) == (TOTAL_2, True)
    assert (second["steady"].score, second["steady"].regraded) == (TOTAL_2, False)

    (submissions / "looper" / f"{CHAPTER_2}.ipynb").write_text("not json")
    third = {r.student_id: r for r in pipeline.autograde(submissions, course_dir=course,
                                                        limits=limits)}
    assert (third["looper"].status, third["looper"].score) == (pipeline.Status.BROKEN, 0)
    assert not (course / "autograded" / "looper" / CHAPTER_2).exists()
    assert not (course / "feedback" / "looper" / CHAPTER_2).exists()


def test_feedback_scrubs_paths_from_messages(tmp_path):
    course, submissions = tmp_path / "course", tmp_path / "submissions"
    release, = pipeline.release([CHAPTER_2], course_dir=course, workspace=None)
    leaky = {**_reference_solutions(CHAPTER_2), "sol_forward": (
        "import os\n\ndef forward(x, w, b=0.0):\n"
        "    raise ValueError('no /var/tmp/grader/data.csv in ' + os.getcwd() + ' <b>x</b>')")}
    _write(submissions, "leaky", CHAPTER_2, _submission(release.release_notebook, leaky))
    pipeline.autograde(submissions, course_dir=course)
    page, = pipeline.feedback(course_dir=course)
    text = page.read_text(encoding="utf-8")
    assert_private(text, course.resolve())
    assert "raised ValueError: no &lt;path&gt; in &lt;path&gt; &lt;b&gt;x&lt;/b&gt;" in text
    assert "<b>x</b>" not in text
