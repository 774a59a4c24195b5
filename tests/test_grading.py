"""Tests of ``grading``: release, autograde, export and feedback with nbgrader.

The end-to-end tests release and grade the real chapter 2 notebook. A
one-exercise toy notebook covers, more cheaply, what needs no real chapter:
unusable submissions, timeouts, re-grading and nbgrader failures.
"""
import ast
import csv
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from nbgrader.api import Gradebook

from grading import pipeline

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
CHAPTER = "02_linear_model"
EXERCISES = {"forward": 2, "mse": 2, "exhaustive_search": 3, "cost_surface": 3}
TOY = "01_toy"

# nbgrader's gradebook makes SQLAlchemy warn about autoflush on every new submission.
pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def _nbgrader(cell):
    return cell.metadata.get("nbgrader", {})


def _between(source, begin, end):
    """The lines strictly between the ``begin`` and ``end`` marker lines."""
    lines = source.splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() == begin]
    ends = [i for i, line in enumerate(lines) if line.strip() == end]
    return [line for start, stop in zip(starts, ends)
            for line in lines[start + 1:stop] if line.strip()]


def _reference_submission(release_path, source_path):
    """The student version with every solution cell filled in from the source."""
    solutions = {
        _nbgrader(cell)["grade_id"]: "\n".join(
            line for line in cell.source.splitlines()
            if line.strip() not in (BEGIN_SOLUTION, END_SOLUTION))
        for cell in nbformat.read(source_path, as_version=4).cells
        if _nbgrader(cell).get("solution")}
    notebook = nbformat.read(release_path, as_version=4)
    for cell in notebook.cells:
        if _nbgrader(cell).get("grade_id") in solutions:
            cell.source = solutions[_nbgrader(cell)["grade_id"]]
    return notebook


def _edit_solution(notebook, grade_id, edit):
    cell = next(cell for cell in notebook.cells if _nbgrader(cell).get("grade_id") == grade_id)
    cell.source = edit(cell.source)
    return notebook


def _write_submission(submissions, student, notebook, name=None):
    folder = submissions / student
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / (name or f"{CHAPTER}.ipynb"))


def _toy_notebook():
    def cell(source, **nbgrader):
        metadata = {"schema_version": 3, "grade": False, "solution": False, "locked": False,
                    "task": False, **nbgrader}
        return new_code_cell(source, metadata={"nbgrader": metadata})

    notebook = new_notebook(cells=[
        new_markdown_cell("# Toy chapter"),
        cell(f"def square(x):\n    {BEGIN_SOLUTION}\n    return x * x\n    {END_SOLUTION}",
             grade_id="sol_square", solution=True),
        cell(f"assert square(2) == 4\n{BEGIN_HIDDEN}\nassert square(-3) == 9\n{END_HIDDEN}",
             grade_id="test_square", grade=True, locked=True, points=2),
    ])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    return notebook


@pytest.fixture
def toy(tmp_path):
    """Paths of a course made of the toy chapter, nothing created yet."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nbformat.write(_toy_notebook(), notebooks / f"{TOY}.ipynb")
    return {"notebooks_dir": notebooks, "course_dir": tmp_path / "course",
            "workspace": tmp_path / "workspace", "submissions": tmp_path / "submissions"}


def _toy_submission(toy, student, solution="def square(x):\n    return x * x"):
    # nbgrader restores the locked cells from the source, so the source notebook
    # with the solution cell replaced stands in for a learner's notebook.
    notebook = _edit_solution(_toy_notebook(), "sol_square", lambda _: solution)
    folder = toy["submissions"] / student
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, folder / f"{TOY}.ipynb")


def _run_cli(*args):
    return subprocess.run([sys.executable, "-m", "grading", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def chapter2(tmp_path_factory):
    """Chapter 2 released, graded for a class of typical submissions, and exported."""
    root = tmp_path_factory.mktemp("chapter2")
    course, workspace, submissions = root / "course", root / "workspace", root / "submissions"
    releases = pipeline.release([CHAPTER], course_dir=course, workspace=workspace)
    released, source = releases[0].release_notebook, NOTEBOOKS / f"{CHAPTER}.ipynb"

    def transpose_result(source):
        name = next(node.name for node in ast.parse(source).body
                    if isinstance(node, ast.FunctionDef))
        return f"{source}\n\n_correct_{name} = {name}\n\n" \
               f"def {name}(*args):\n    return _correct_{name}(*args).T\n"

    _write_submission(submissions, "ref", _reference_submission(released, source))
    _write_submission(submissions, "blank", nbformat.read(released, as_version=4))
    _write_submission(submissions, "buggy", _edit_solution(
        _reference_submission(released, source), "sol_cost_surface", transpose_result))
    (submissions / "broken").mkdir()
    (submissions / "broken" / f"{CHAPTER}.ipynb").write_text('{"cells": [', encoding="utf-8")
    _write_submission(submissions, "misnamed", _reference_submission(released, source),
                      name="chapter2_final.ipynb")
    _write_submission(submissions, "bad id", _reference_submission(released, source))
    # Bugs in the exercises the others build on cost only their own points.
    _write_submission(submissions, "mse_sum", _edit_solution(
        _reference_submission(released, source), "sol_mse",
        lambda code: code.replace("np.mean(", "np.sum(")))
    _write_submission(submissions, "forward_no_b", _edit_solution(
        _reference_submission(released, source), "sol_forward",
        lambda code: code.replace("x * w + b", "x * w")))
    copied = _reference_submission(released, source)
    index = next(i for i, cell in enumerate(copied.cells)
                 if _nbgrader(cell).get("grade_id") == "sol_mse")
    copied.cells.insert(index + 1, nbformat.from_dict(copied.cells[index]))
    copied.cells[index + 1].id = "copy-of-mse"
    _write_submission(submissions, "copied_cell", copied)
    _write_submission(submissions, "other_chapter", new_notebook(cells=[new_code_cell("1 + 1")]))
    nbformat.write(_reference_submission(released, source), submissions / "loose.ipynb")

    results = pipeline.autograde(submissions, chapter=CHAPTER, course_dir=course)
    csv_path = root / "grades.csv"
    pipeline.export(csv_path, course_dir=course)
    with open(csv_path, newline="", encoding="utf-8") as fh:
        header, *rows = list(csv.reader(fh))
    return {"course": course, "workspace": workspace, "release": releases[0], "header": header,
            "rows": rows, "results": {result.student_id: result for result in results}}


def test_release_removes_solutions_and_hidden_tests(chapter2):
    source = nbformat.read(NOTEBOOKS / f"{CHAPTER}.ipynb", as_version=4)
    release_path = chapter2["course"] / "release" / CHAPTER / f"{CHAPTER}.ipynb"
    assert chapter2["release"].release_notebook == release_path
    released = {_nbgrader(cell).get("grade_id"): cell.source
                for cell in nbformat.read(release_path, as_version=4).cells if _nbgrader(cell)}

    text = release_path.read_text(encoding="utf-8")
    for marker in (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN):
        assert marker not in text
    graded = [cell for cell in source.cells if _nbgrader(cell).get("grade")]
    assert {_nbgrader(cell)["grade_id"].removeprefix("test_") for cell in graded} == set(EXERCISES)
    for cell in source.cells:
        grade_id = _nbgrader(cell).get("grade_id")
        if _nbgrader(cell).get("solution"):
            assert "raise NotImplementedError" in released[grade_id]
            for line in _between(cell.source, BEGIN_SOLUTION, END_SOLUTION):
                assert line not in released[grade_id]
        if _nbgrader(cell).get("grade"):
            hidden = _between(cell.source, BEGIN_HIDDEN, END_HIDDEN)
            assert hidden, f"{grade_id} has no hidden tests"
            for line in hidden:
                assert line not in released[grade_id]
            assert cell.source.split(BEGIN_HIDDEN)[0].strip() in released[grade_id]

    workspace_copy = chapter2["workspace"] / f"{CHAPTER}.ipynb"
    assert chapter2["release"].workspace_notebook == workspace_copy
    assert workspace_copy.read_bytes() == release_path.read_bytes()


def test_autograde_scores_every_kind_of_submission(chapter2):
    summary = {student: (result.status, result.score, result.max_score)
               for student, result in chapter2["results"].items()}
    assert summary == {
        "ref": ("graded", 10, 10),
        "blank": ("graded", 0, 10),
        "buggy": ("graded", 7, 10),
        "broken": ("broken", 0, 10),
        "misnamed": ("missing", 0, 10),
        "bad id": ("rejected", 0, 10),
        "mse_sum": ("graded", 8, 10),
        "forward_no_b": ("graded", 8, 10),
        "copied_cell": ("graded", 10, 10),
        "other_chapter": ("broken", 0, 10),
        "loose.ipynb": ("rejected", 0, 10),
    }
    assert "sol_mse" in chapter2["results"]["copied_cell"].reason
    assert "not the 02_linear_model notebook" in chapter2["results"]["other_chapter"].reason
    assert "<student_id>" in chapter2["results"]["loose.ipynb"].reason
    assert "JSON" in chapter2["results"]["broken"].reason
    assert "chapter2_final.ipynb" in chapter2["results"]["misnamed"].reason


def test_export_has_one_row_per_student_and_exercise(chapter2):
    assert chapter2["header"] == ["student_id", "assignment", "exercise", "score", "max_score",
                                  "status"]
    students = sorted(chapter2["results"])
    assert [(row[0], row[2]) for row in chapter2["rows"]] == \
        [(student, exercise) for student in students for exercise in EXERCISES]
    full_marks = {exercise: str(points) for exercise, points in EXERCISES.items()}
    scores = {
        "ref": full_marks,
        "buggy": {**full_marks, "cost_surface": "0"},
        "mse_sum": {**full_marks, "mse": "0"},
        "forward_no_b": {**full_marks, "forward": "0"},
        "copied_cell": full_marks,
    }
    for student, _, exercise, score, max_score, status in chapter2["rows"]:
        assert (score, max_score) == (scores.get(student, {}).get(exercise, "0"),
                                      str(EXERCISES[exercise])), (student, exercise)
        assert status == chapter2["results"][student].status_text
    statuses = {row[0]: row[5] for row in chapter2["rows"]}
    assert statuses["ref"] == "graded"
    assert statuses["broken"].startswith("broken: ") and "JSON" in statuses["broken"]
    assert statuses["misnamed"].startswith("missing: ")
    assert statuses["bad id"].startswith("rejected: ")
    assert {row[1] for row in chapter2["rows"]} == {CHAPTER}


def test_gradebook_lists_unusable_submissions_and_takes_overrides(chapter2, tmp_path):
    config = chapter2["course"] / "nbgrader_config.py"
    assert f"c.Execute.timeout = {pipeline.CELL_TIMEOUT}\n" in config.read_text()
    with Gradebook(f"sqlite:///{chapter2['course'] / 'gradebook.db'}",
                   pipeline.COURSE_ID) as gb:
        assert {student.id for student in gb.students} == {
            "ref", "blank", "buggy", "broken", "misnamed", "mse_sum", "forward_no_b",
            "copied_cell", "other_chapter"}
        assert gb.find_submission(CHAPTER, "broken").score == 0
        grade = gb.find_grade("test_mse", CHAPTER, CHAPTER, "blank")
        grade.manual_score = 1.5
        gb.db.commit()
    try:
        pipeline.export(tmp_path / "grades.csv", chapter=CHAPTER, course_dir=chapter2["course"])
        with open(tmp_path / "grades.csv", newline="", encoding="utf-8") as fh:
            rows = {(row["student_id"], row["exercise"]): row["score"]
                    for row in csv.DictReader(fh)}
        assert rows["blank", "mse"] == "1.5"
        assert rows["blank", "forward"] == "0"
    finally:
        with Gradebook(f"sqlite:///{chapter2['course'] / 'gradebook.db'}",
                       pipeline.COURSE_ID) as gb:
            gb.find_grade("test_mse", CHAPTER, CHAPTER, "blank").manual_score = None
            gb.db.commit()


def test_cli_exports_and_gives_feedback(chapter2, tmp_path):
    exported = _run_cli("export", tmp_path / "grades.csv", "--course-dir", chapter2["course"])
    assert exported.returncode == 0, exported.stderr
    with open(tmp_path / "grades.csv", newline="", encoding="utf-8") as fh:
        assert list(csv.reader(fh)) == [chapter2["header"], *chapter2["rows"]]

    feedback = _run_cli("feedback", "--chapter", CHAPTER, "--course-dir", chapter2["course"])
    assert feedback.returncode == 0, feedback.stderr
    files = [chapter2["course"] / "feedback" / student / CHAPTER / f"{CHAPTER}.html"
             for student in sorted(student for student, result in chapter2["results"].items()
                                   if result.status == "graded")]
    assert feedback.stdout.split() == ["feedback:", *map(str, files)]
    assert all(path.is_file() for path in files)


def test_release_never_overwrites_the_learners_notebook(tmp_path):
    course, workspace = tmp_path / "course", tmp_path / "workspace"
    first, = pipeline.release([CHAPTER], course_dir=course, workspace=workspace, cell_timeout=5)
    mine = workspace / f"{CHAPTER}.ipynb"
    assert first.workspace_notebook == mine and not first.kept_existing
    notebook = nbformat.read(mine, as_version=4)
    notebook.cells.append(new_markdown_cell("My notes"))
    nbformat.write(notebook, mine)
    my_work = mine.read_bytes()

    again, = pipeline.release([CHAPTER], course_dir=course, workspace=workspace)
    assert again.kept_existing and again.backup is None
    assert mine.read_bytes() == my_work

    reset, = pipeline.release([CHAPTER], course_dir=course, workspace=workspace,
                              reset_workspace=True)
    assert reset.backup.parent == workspace and reset.backup.read_bytes() == my_work
    assert mine.read_bytes() == first.release_notebook.read_bytes()
    assert "c.Execute.timeout = 5\n" in (course / "nbgrader_config.py").read_text()


def test_autograde_releases_first_and_zeroes_unusable_submissions(toy):
    _toy_submission(toy, "ok")
    _toy_submission(toy, "dot.name")
    _toy_submission(toy, "deleted_tests")
    deleted = toy["submissions"] / "deleted_tests" / f"{TOY}.ipynb"
    notebook = nbformat.read(deleted, as_version=4)
    notebook.cells = [cell for cell in notebook.cells if not _nbgrader(cell).get("grade")]
    nbformat.write(notebook, deleted)
    _toy_submission(toy, "kills_kernel", solution="import os\nos._exit(1)")
    (toy["submissions"] / "not_a_notebook").mkdir()
    (toy["submissions"] / "not_a_notebook" / f"{TOY}.ipynb").write_text(json.dumps({"hello": 1}))
    (toy["submissions"] / ".ipynb_checkpoints").mkdir()

    results = pipeline.autograde(toy["submissions"], course_dir=toy["course_dir"],
                                 notebooks_dir=toy["notebooks_dir"])

    assert (toy["course_dir"] / "release" / TOY / f"{TOY}.ipynb").is_file()
    summary = {result.student_id: (result.status, result.score, result.max_score)
               for result in results}
    assert summary == {"ok": ("graded", 2, 2), "dot.name": ("graded", 2, 2),
                       "deleted_tests": ("broken", 0, 2), "not_a_notebook": ("broken", 0, 2),
                       "kills_kernel": ("broken", 0, 2)}
    reasons = {result.student_id: result.reason for result in results}
    assert "test_square" in reasons["deleted_tests"]
    assert "not a valid notebook" in reasons["not_a_notebook"]
    assert reasons["kills_kernel"] == "Kernel died"
    assert (toy["course_dir"] / "submitted" / "ok" / TOY / "timestamp.txt").is_file()
    statuses = json.loads((toy["course_dir"] / "grading_status.json").read_text(encoding="utf-8"))
    assert statuses[TOY]["deleted_tests"] == {"status": "broken",
                                              "reason": reasons["deleted_tests"]}


def test_infinite_loop_times_out_and_regrading_replaces_results(toy):
    pipeline.release(course_dir=toy["course_dir"], workspace=None,
                     notebooks_dir=toy["notebooks_dir"], cell_timeout=2)
    _toy_submission(toy, "looper", solution="def square(x):\n    while True:\n        pass")
    first, = pipeline.autograde(toy["submissions"], chapter=TOY, course_dir=toy["course_dir"])
    assert (first.status, first.score) == ("graded", 0)

    _toy_submission(toy, "looper")
    second, = pipeline.autograde(toy["submissions"], chapter=TOY, course_dir=toy["course_dir"])
    assert (second.status, second.score) == ("graded", 2)

    (toy["submissions"] / "looper" / f"{TOY}.ipynb").write_text("not json")
    third, = pipeline.autograde(toy["submissions"], chapter=TOY, course_dir=toy["course_dir"])
    assert (third.status, third.score) == ("broken", 0)
    assert not (toy["course_dir"] / "autograded" / "looper" / TOY).exists()


@pytest.mark.parametrize("verb", [[], ["release"], ["autograde"], ["export"], ["feedback"]],
                         ids=["grading", "release", "autograde", "export", "feedback"])
def test_cli_help(verb):
    completed = _run_cli(*verb, "--help")
    assert completed.returncode == 0, completed.stderr
    assert "usage: python -m grading" in completed.stdout


def test_cli_reports_errors_in_one_line(tmp_path):
    completed = _run_cli("autograde", tmp_path / "nowhere", "--course-dir", tmp_path / "course")
    assert completed.returncode == 1
    assert completed.stderr.strip().splitlines() == [
        f"grading: error: no submissions folder at {tmp_path / 'nowhere'}"]


def test_release_reports_why_nbgrader_failed(toy):
    notebook = _toy_notebook()
    test_cell = notebook.cells[-1]
    notebook.cells.append(new_code_cell(test_cell.source, metadata=test_cell.metadata))
    nbformat.write(notebook, toy["notebooks_dir"] / f"{TOY}.ipynb")
    reason = f"^nbgrader could not generate {TOY}: Duplicate grade id: test_square$"
    with pytest.raises(pipeline.GradingError, match=reason):
        pipeline.release(course_dir=toy["course_dir"], workspace=toy["workspace"],
                         notebooks_dir=toy["notebooks_dir"])
    assert not toy["workspace"].exists()
