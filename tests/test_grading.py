"""Tests of ``grading`` on a one-exercise toy chapter: release, autograde, export, feedback.

The toy covers, cheaply, what needs no real chapter: the exercise
definitions as the source of points, unusable submissions, dead kernels,
timeouts, re-grading, nbgrader failures, feedback pages and the command
line. ``test_grading_chapters.py`` grades every real chapter end to end.
"""
import csv
import html
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from nbgrader.api import Gradebook

from grading import pipeline

REPO = Path(__file__).resolve().parents[1]
TOY = "01_toy"
# The toy has no checks module: it declares its one exercise here, as
# course_utils/checks/chNN.py would.
SQUARE = SimpleNamespace(name="square", points=2, test_id="test_square",
                         solution_ids=("sol_square",))
HIDDEN_TEST = "assert square(-3) == 9"

# nbgrader's gradebook makes SQLAlchemy warn about autoflush on every new submission.
pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def toy_exercises(chapter):
    """The toy's stand-in for ``course_utils.checks.exercises``."""
    return {TOY: [SQUARE]}[chapter]


def nbgrader_metadata(cell):
    return cell.metadata.get("nbgrader", {})


def edit_cell(notebook, grade_id, edit):
    """``notebook`` with ``edit(source)`` as the source of the cell ``grade_id``."""
    cell = next(cell for cell in notebook.cells
                if nbgrader_metadata(cell).get("grade_id") == grade_id)
    cell.source = edit(cell.source)
    return notebook


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "grading", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


def assert_private(page, course_dir):
    """A feedback page shows no hidden test, no path of the grading machine, no URL."""
    for secret in (BEGIN_HIDDEN, "hidden=True", "seed=", str(course_dir), str(Path.home()) + "/",
                   "http://", "https://", "src="):
        assert secret not in page, secret


def _toy_notebook(points=2):
    def cell(source, **nbgrader):
        metadata = {"schema_version": 3, "grade": False, "solution": False, "locked": False,
                    "task": False, **nbgrader}
        return new_code_cell(source, metadata={"nbgrader": metadata})

    notebook = new_notebook(cells=[
        new_markdown_cell("# Toy chapter"),
        cell(f"def square(x):\n    {BEGIN_SOLUTION}\n    return x * x\n    {END_SOLUTION}",
             grade_id="sol_square", solution=True),
        cell(f"assert square(2) == 4\n{BEGIN_HIDDEN}\n{HIDDEN_TEST}\n{END_HIDDEN}",
             grade_id="test_square", grade=True, locked=True, points=points),
    ])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    return notebook


@pytest.fixture
def toy(tmp_path):
    """Keyword arguments of the grading functions for a course of the toy chapter, and
    its submissions folder; nothing created yet but the notebook."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nbformat.write(_toy_notebook(), notebooks / f"{TOY}.ipynb")
    return {"notebooks_dir": notebooks, "course_dir": tmp_path / "course",
            "workspace": tmp_path / "workspace", "submissions": tmp_path / "submissions"}


def _release(toy, **kwargs):
    return pipeline.release(course_dir=toy["course_dir"], workspace=toy["workspace"],
                            notebooks_dir=toy["notebooks_dir"], exercises=toy_exercises,
                            **kwargs)


def _autograde(toy, **kwargs):
    return pipeline.autograde(toy["submissions"], course_dir=toy["course_dir"],
                              notebooks_dir=toy["notebooks_dir"], exercises=toy_exercises,
                              **kwargs)


def _toy_submission(toy, student, solution="def square(x):\n    return x * x"):
    # nbgrader restores the locked cells from the source, so the source notebook
    # with the solution cell replaced stands in for a learner's notebook.
    notebook = edit_cell(_toy_notebook(), "sol_square", lambda _: solution)
    folder = toy["submissions"] / student
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, folder / f"{TOY}.ipynb")


def test_release_never_overwrites_the_learners_notebook(toy):
    first, = _release(toy, cell_timeout=5)
    mine = toy["workspace"] / f"{TOY}.ipynb"
    assert first.workspace_notebook == mine and not first.kept_existing
    notebook = nbformat.read(mine, as_version=4)
    notebook.cells.append(new_markdown_cell("My notes"))
    nbformat.write(notebook, mine)
    my_work = mine.read_bytes()

    again, = _release(toy)
    assert again.kept_existing and again.backup is None
    assert mine.read_bytes() == my_work

    reset, = _release(toy, reset_workspace=True)
    assert reset.backup.parent == toy["workspace"] and reset.backup.read_bytes() == my_work
    assert mine.read_bytes() == first.release_notebook.read_bytes()
    assert "c.Execute.timeout = 5\n" in (toy["course_dir"] / "nbgrader_config.py").read_text()


def test_release_stamps_the_declared_points(toy):
    nbformat.write(_toy_notebook(points=5), toy["notebooks_dir"] / f"{TOY}.ipynb")
    released, = _release(toy)

    source = toy["course_dir"] / "source" / TOY / f"{TOY}.ipynb"
    for path in (source, released.release_notebook):
        cell = nbformat.read(path, as_version=4).cells[-1]
        assert nbgrader_metadata(cell)["points"] == SQUARE.points, path
    with Gradebook(f"sqlite:///{toy['course_dir'] / 'gradebook.db'}", pipeline.COURSE_ID) as gb:
        assert gb.find_assignment(TOY).max_score == SQUARE.points
    assert nbgrader_metadata(nbformat.read(toy["notebooks_dir"] / f"{TOY}.ipynb",
                                           as_version=4).cells[-1])["points"] == 5

    _toy_submission(toy, "ok")
    changed = SimpleNamespace(**{**vars(SQUARE), "points": 3})
    with pytest.raises(pipeline.GradingError, match=f"{TOY} has other exercises or points"):
        pipeline.autograde(toy["submissions"], course_dir=toy["course_dir"],
                           notebooks_dir=toy["notebooks_dir"], exercises=lambda _: [changed])


def test_release_refuses_graded_cells_and_exercises_that_do_not_match(toy):
    notebook = _toy_notebook()
    extra = nbformat.from_dict(notebook.cells[-1])
    extra.metadata.nbgrader.grade_id, extra.id = "test_cube", "cube"
    notebook.cells.append(extra)
    nbformat.write(notebook, toy["notebooks_dir"] / f"{TOY}.ipynb")
    with pytest.raises(pipeline.GradingError, match="no exercise declares: test_cube"):
        _release(toy)
    assert not toy["course_dir"].exists() and not toy["workspace"].exists()

    cube = SimpleNamespace(name="cube", points=1, test_id="test_cube", solution_ids=("sol_cube",))
    nbformat.write(_toy_notebook(), toy["notebooks_dir"] / f"{TOY}.ipynb")
    with pytest.raises(pipeline.GradingError, match="'cube' has no graded test cell 'test_cube'"):
        pipeline.release(course_dir=toy["course_dir"], workspace=None,
                         notebooks_dir=toy["notebooks_dir"], exercises=lambda _: [SQUARE, cube])


def test_release_needs_the_chapters_checks_module(toy):
    with pytest.raises(pipeline.GradingError, match="belong in course_utils/checks/ch01.py"):
        pipeline.release(course_dir=toy["course_dir"], workspace=None,
                         notebooks_dir=toy["notebooks_dir"])


def test_release_reports_why_nbgrader_failed(toy):
    notebook = _toy_notebook()
    test_cell = notebook.cells[-1]
    notebook.cells.append(new_code_cell(test_cell.source, metadata=test_cell.metadata))
    nbformat.write(notebook, toy["notebooks_dir"] / f"{TOY}.ipynb")
    reason = f"^nbgrader could not generate {TOY}: Duplicate grade id: test_square$"
    with pytest.raises(pipeline.GradingError, match=reason):
        _release(toy)
    assert not toy["workspace"].exists()


def test_autograde_releases_first_and_zeroes_unusable_submissions(toy):
    _toy_submission(toy, "ok")
    _toy_submission(toy, "dot.name")
    _toy_submission(toy, "deleted_tests")
    deleted = toy["submissions"] / "deleted_tests" / f"{TOY}.ipynb"
    notebook = nbformat.read(deleted, as_version=4)
    notebook.cells = [cell for cell in notebook.cells if not nbgrader_metadata(cell).get("grade")]
    nbformat.write(notebook, deleted)
    _toy_submission(toy, "kills_kernel", solution="import os\nos._exit(1)")
    (toy["submissions"] / "not_a_notebook").mkdir()
    (toy["submissions"] / "not_a_notebook" / f"{TOY}.ipynb").write_text(json.dumps({"hello": 1}))
    (toy["submissions"] / ".ipynb_checkpoints").mkdir()

    results = _autograde(toy)

    assert (toy["course_dir"] / "release" / TOY / f"{TOY}.ipynb").is_file()
    summary = {result.student_id: (result.status, result.score, result.max_score)
               for result in results}
    Status = pipeline.Status
    assert summary == {"ok": (Status.GRADED, 2, 2), "dot.name": (Status.GRADED, 2, 2),
                       "deleted_tests": (Status.BROKEN, 0, 2),
                       "not_a_notebook": (Status.BROKEN, 0, 2),
                       "kills_kernel": (Status.BROKEN, 0, 2)}
    assert all(type(result.status) is Status for result in results)
    reasons = {result.student_id: result.reason for result in results}
    assert "test_square" in reasons["deleted_tests"]
    assert "not a valid notebook" in reasons["not_a_notebook"]
    assert reasons["kills_kernel"] == \
        "the kernel died (the notebook crashed Python, e.g. with os._exit)"
    assert (toy["course_dir"] / "submitted" / "ok" / TOY / "timestamp.txt").is_file()
    statuses = json.loads((toy["course_dir"] / "grading_status.json").read_text(encoding="utf-8"))
    assert statuses[TOY]["deleted_tests"] == {"status": "broken",
                                              "reason": reasons["deleted_tests"]}
    assert statuses[TOY]["ok"] == {"status": "graded", "reason": ""}

    csv_path = toy["course_dir"].parent / "grades.csv"
    assert pipeline.export(csv_path, course_dir=toy["course_dir"], exercises=toy_exercises) == 5
    with open(csv_path, newline="", encoding="utf-8") as fh:
        rows = {row["student_id"]: row for row in csv.DictReader(fh)}
    assert rows["ok"] == {"student_id": "ok", "assignment": TOY, "exercise": "square",
                          "score": "2", "max_score": "2", "status": "graded"}
    assert rows["kills_kernel"]["status"] == f"broken: {reasons['kills_kernel']}"


def test_status_is_a_fixed_set_of_lowercase_values():
    assert {str(status) for status in pipeline.Status} == {"graded", "missing", "broken",
                                                           "rejected"}
    assert pipeline.Status.BROKEN.text("not JSON") == "broken: not JSON"
    assert pipeline.Status.GRADED.text() == "graded"


def test_infinite_loop_times_out_and_regrading_replaces_results(toy):
    _release(toy, cell_timeout=2)
    _toy_submission(toy, "looper", solution="def square(x):\n    while True:\n        pass")
    first, = _autograde(toy, chapter=TOY)
    assert (first.status, first.score) == (pipeline.Status.GRADED, 0)
    assert first.reason == "stopped after 2 s, still running: test_square"
    page = (pipeline.feedback(course_dir=toy["course_dir"], exercises=toy_exercises)[0]
            .read_text(encoding="utf-8"))
    assert "still running after 2 s" in page

    _toy_submission(toy, "looper")
    second, = _autograde(toy, chapter=TOY)
    assert (second.status, second.score, second.reason) == (pipeline.Status.GRADED, 2, "")

    (toy["submissions"] / "looper" / f"{TOY}.ipynb").write_text("not json")
    third, = _autograde(toy, chapter=TOY)
    assert (third.status, third.score) == (pipeline.Status.BROKEN, 0)
    assert not (toy["course_dir"] / "autograded" / "looper" / TOY).exists()
    assert not (toy["course_dir"] / "feedback" / "looper" / TOY).exists()


def test_feedback_pages_show_scores_messages_and_code_but_no_tests_or_paths(toy):
    _toy_submission(toy, "right")
    _toy_submission(toy, "wrong", solution="def square(x):\n    return x + x  # <b>doubled</b>")
    _toy_submission(toy, "leaky", solution=(
        "import os\n\ndef square(x):\n"
        "    raise ValueError('no /var/tmp/grader/data.csv in ' + os.getcwd())"))
    (toy["submissions"] / "broken").mkdir()
    (toy["submissions"] / "broken" / f"{TOY}.ipynb").write_text('{"cells": [')
    _autograde(toy)

    pages = pipeline.feedback(course_dir=toy["course_dir"], exercises=toy_exercises)
    feedback_dir = toy["course_dir"].resolve() / "feedback"
    assert pages == [feedback_dir / student / TOY / f"{TOY}.html"
                     for student in ("broken", "leaky", "right", "wrong")]
    text = {page.parent.parent.name: page.read_text(encoding="utf-8") for page in pages}
    for student, page in text.items():
        assert_private(page, toy["course_dir"].resolve())
        assert HIDDEN_TEST not in page and "square(2) == 4" not in page
        assert f"<strong>{student}</strong>" in page and "square" in page
    assert "2/2" in text["right"] and "passed" in text["right"]
    assert "return x * x" in text["right"]
    assert "0/2" in text["wrong"] and "AssertionError" in text["wrong"]
    assert html.escape("return x + x  # <b>doubled</b>") in text["wrong"]
    assert "<b>" not in text["wrong"]
    assert f"ValueError: no &lt;path&gt; in &lt;course&gt;/autograded/leaky/{TOY}" in text["leaky"]
    assert "Not graded (broken): not a valid notebook" in text["broken"]
    assert (feedback_dir / "right" / TOY / "timestamp.txt").is_file()


@pytest.mark.parametrize("verb", [[], ["release"], ["autograde"], ["export"], ["feedback"]],
                         ids=["grading", "release", "autograde", "export", "feedback"])
def test_cli_help(verb):
    completed = run_cli(*verb, "--help")
    assert completed.returncode == 0, completed.stderr
    assert "usage: python -m grading" in completed.stdout


def test_cli_reports_errors_in_one_line(tmp_path):
    completed = run_cli("autograde", tmp_path / "nowhere", "--course-dir", tmp_path / "course")
    assert completed.returncode == 1
    assert completed.stderr.strip().splitlines() == [
        f"grading: error: no submissions folder at {tmp_path / 'nowhere'}"]
