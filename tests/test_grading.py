"""Tests of ``grading``'s release and command line on a one-exercise toy chapter.

The toy covers, cheaply, what needs no real chapter: the exercise
definitions as the source of points, nbgrader failures at release, and the
command line. Grading needs a chapter's real checks (they run in the
sandbox): ``test_grading_chapters.py`` grades every real chapter end to end,
``test_engine.py`` the engine against hostile submissions.
"""
import re
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
    for secret in (BEGIN_HIDDEN, "hidden=True", str(course_dir), str(Path.home()) + "/",
                   "http://", "https://", "src="):
        assert secret not in page, secret
    # A hidden test's seed reads `seed=30121`; `seed=None` is a public signature (chapter 3).
    assert not re.search(r"\bseed\s*=\s*\d", page)


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


def test_status_is_a_fixed_set_of_lowercase_values():
    assert {str(status) for status in pipeline.Status} == {"graded", "missing", "broken",
                                                           "rejected"}
    assert pipeline.Status.BROKEN.text("not JSON") == "broken: not JSON"
    assert pipeline.Status.GRADED.text() == "graded"


VERBS = ["release", "collect", "autograde", "feedback", "export", "status", "check", "audit",
         "delete-class-data"]


@pytest.mark.parametrize("verb", [[], *([verb] for verb in VERBS)], ids=["grading", *VERBS])
def test_cli_help(verb):
    completed = run_cli(*verb, "--help")
    assert completed.returncode == 0, completed.stderr
    assert "usage: python -m grading" in completed.stdout
    examples = completed.stdout.split("examples:\n" if verb else "a class, start to end:\n")[1]
    assert f"python -m grading {verb[0] if verb else 'release'}" in examples


def test_every_verb_is_on_the_command_line():
    from grading.__main__ import build_parser

    verbs = build_parser()._subparsers._group_actions[0].choices
    assert sorted(verbs) == sorted(VERBS)


def test_release_documents_the_course_config_it_reads(tmp_path):
    """The format shown by `release --help` is one the config reader takes."""
    from grading import config

    text = run_cli("release", "--help").stdout
    example = text.split("every key optional):\n")[1]
    lines = [line[4:] for line in example.splitlines() if line.startswith("    ")]
    path = tmp_path / "course.toml"
    path.write_text("\n".join(lines))
    loaded = config.load(path, required=True)
    assert loaded.late.percent == 10 and loaded.roster == {"alice", "bob"}
    assert "02_linear_model" in loaded.due


def test_cli_reports_errors_in_one_line(tmp_path):
    completed = run_cli("autograde", tmp_path / "nowhere", "--course-dir", tmp_path / "course")
    assert completed.returncode == 1
    assert completed.stderr.strip().splitlines() == [
        f"grading: error: no submissions folder at {tmp_path / 'nowhere'}"]


def test_release_builds_the_edition_asked_for_and_refuses_one_not_translated(toy):
    with pytest.raises(pipeline.GradingError, match=r"01_toy has no complete zh edition yet"):
        _release(toy, language="zh")
    source = _toy_notebook()
    source.cells.insert(1, new_markdown_cell("# 玩具章节", metadata={"tags": ["zh"]}))
    nbformat.write(source, toy["notebooks_dir"] / f"{TOY}.ipynb")
    released, = _release(toy, language="zh")
    for notebook in (released.release_notebook, released.workspace_notebook):
        edition = nbformat.read(notebook, as_version=4)
        assert [cell.source for cell in edition.cells if cell.cell_type == "markdown"] == \
            ["# 玩具章节"]
        assert edition.metadata.course.language == "zh"
