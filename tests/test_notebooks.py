"""The source notebooks: clean, valid for nbgrader, and they run and teach the lecture's numbers."""
import re
import subprocess

import nbclient
import nbformat
import pytest
from nbgrader.nbgraderformat import MetadataValidator

from conftest import (CHAPTERS, NOTEBOOKS, ROOT, execute, executed_source, notebook_path,
                      read_notebook)
from course_utils import checks, glossary

SOURCES = sorted(NOTEBOOKS.glob("*.ipynb"))


def committed_notebooks():
    listed = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=ROOT, text=True,
                            capture_output=True, check=True).stdout.split()
    return [ROOT / path for path in listed]


def test_notebooks_are_committed():
    assert set(map(notebook_path, CHAPTERS)) <= set(committed_notebooks())


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_outputs(path):
    nb = read_notebook(path)
    dirty = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
             and (cell.outputs or cell.execution_count is not None)]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs; clear them before committing"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_valid_nbgrader_source(path):
    nb = read_notebook(path)
    nbformat.validate(nb)
    MetadataValidator().validate_nb(nb)
    graded = [c.metadata.nbgrader for c in nb.cells
              if c.metadata.get("nbgrader", {}).get("grade")]
    assert graded and all(c["locked"] and c["points"] > 0 for c in graded)


def test_chapter_2_public_contract():
    """The exercise names and points the grader and the README rely on."""
    nb = read_notebook()
    points = {exercise.name: exercise.points for exercise in checks.exercises("02_linear_model")}
    assert points == {"train_dev_test_split": 3, "fit_errors": 2, "forward": 2, "mse": 2,
                      "exhaustive_search": 3, "cost_surface": 3}
    assert "15 points in all" in nb.cells[0].source
    sources = "\n".join(c.source for c in nb.cells)
    for signature in ["def train_dev_test_split(X, y, dev_frac, test_frac, seed):",
                      "def fit_errors(x_train, y_train, x_dev, y_dev, degree):",
                      "def forward(x, w, b=0.0):", "def mse(y_hat, y):",
                      "def exhaustive_search(x, y, w_grid):",
                      "def cost_surface(x, y, w_grid, b_grid):"]:
        assert signature in sources


@pytest.fixture(params=CHAPTERS)
def chapter(request):
    return request.param


@pytest.fixture
def executed(chapter):
    """The chapter's Chinese edition after Run All (the English one: each chapter's own module
    and :func:`executed_chapter_2`; the code cells are the same)."""
    return executed_source(chapter, "zh")


@pytest.fixture(scope="module")
def executed_chapter_2():
    return executed_source("02_linear_model")


def stdout_of(nb):
    return "".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                   for out in cell.outputs if out.output_type == "stream")


def test_runs_top_to_bottom(executed):
    nb = executed
    errors = [out for cell in nb.cells if cell.cell_type == "code"
              for out in cell.outputs if out.output_type == "error"]
    assert not errors


def test_the_chinese_edition_prints_the_same_numbers_and_chinese_checks(executed, chapter):
    """Every line the English edition prints that is not a check's verdict, the Chinese prints
    too (the lecture's numbers); the checks' verdicts are Chinese."""
    chinese = stdout_of(executed).splitlines()
    english = stdout_of(executed_source(chapter)).splitlines()
    verdicts = [line for line in chinese if line.startswith("✓")]
    assert verdicts and all(re.search("[\u4e00-\u9fff]", line) for line in verdicts), verdicts
    numbers = [line for line in english if not line.startswith("✓")]
    assert [line for line in chinese if not line.startswith("✓")] == numbers


@pytest.mark.parametrize("line", [
    "w=0.0                  MSE=18.666666666666668",
    "w=0.30000000000000004  MSE=13.486666666666665",
    "w=1.0                  MSE=4.666666666666667",
    "w=2.0                  MSE=0.0",
    "w=3.0                  MSE=4.666666666666667",
    "w=4.0                  MSE=18.666666666666668",
    "best w = 2.0",
    "MSE = 4.666666666666667",
    "prediction at x = 4: 8.0",
    "shape: (17, 41)",
    "minimum 0.0000 at w = 2.00, b = 0.00",
    # The training, dev and test sets, cut by the learner's own split (the reference's here);
    # the degree chosen on the dev set, the test set used once after the choice.
    "sizes (train, dev, test): 12 4 4",
    "same seed, same split: True",
    "every sample in one set: True",
    "degree 0: training MSE 5.00, dev MSE 12.10",
    "degree 9: training MSE 0.04, dev MSE 713338.19",
    "chosen on the dev set: degree 3",
    "test MSE of degree 3: 1.01",
])
def test_prints_the_lectures_numbers(executed_chapter_2, line):
    assert line in stdout_of(executed_chapter_2).splitlines()


def test_exhaustive_search_table_has_41_rows(executed_chapter_2):
    rows = [line for line in stdout_of(executed_chapter_2).splitlines()
            if line.startswith("w=")]
    assert len(rows) == 41


def test_every_figure_and_the_explorer_render(executed_chapter_2):
    kinds = [key for cell in executed_chapter_2.cells if cell.cell_type == "code"
             for out in cell.outputs for key in out.get("data", {})]
    assert kinds.count("image/png") == 3
    assert kinds.count("application/vnd.jupyter.widget-view+json") == 2
    tables = [out["data"]["text/markdown"] for cell in executed_chapter_2.cells
              if cell.cell_type == "code" for out in cell.outputs
              if "text/markdown" in out.get("data", {})]
    assert tables == [glossary.markdown_table(chapter=2)]


def test_lecture_numbers_from_the_solutions(solutions):
    import numpy as np
    x, y = np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0])
    best_w, costs = solutions["exhaustive_search"](x, y, np.arange(0.0, 4.1, 0.1))
    assert [costs[i] for i in (0, 10, 20, 30, 40)] == [
        18.666666666666668, 4.666666666666667, 0.0, 4.666666666666667, 18.666666666666668]
    assert best_w == 2.0
    w_grid, b_grid = np.linspace(0.0, 4.0, 41), np.linspace(-2.0, 2.0, 21)
    surface = solutions["cost_surface"](x, y, w_grid, b_grid)
    i, j = np.unravel_index(np.argmin(surface), surface.shape)
    assert (w_grid[j], b_grid[i]) == (pytest.approx(2.0), pytest.approx(0.0))


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """Every chapter's student version, as ``python -m grading release`` makes it."""
    from grading import pipeline

    course = tmp_path_factory.mktemp("release") / "course"
    return {item.chapter: item.release_notebook
            for item in pipeline.release(CHAPTERS, course_dir=course, workspace=None)}


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_nbgrader_validate_passes_on_source_and_fails_on_release(released, chapter):
    from nbgrader.validator import Validator

    assert Validator().validate(str(notebook_path(chapter))) == {}, \
        "the solutions must pass every test"
    text = released[chapter].read_text()
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    failed = Validator().validate(str(released[chapter]))["failed"]
    assert len(failed) == len(checks.exercises(chapter)), \
        "every exercise's test must fail on the stubs"
    for cell in failed:
        assert "not implemented yet" in cell["error"], cell["error"]
        assert "Traceback" not in cell["error"] and "course_utils" not in cell["error"]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_run_all_on_a_fresh_notebook_gives_messages_not_name_errors(released, chapter):
    """As Validate does, every cell runs; explorers say what is missing, no NameError."""
    nb = nbformat.read(released[chapter], as_version=4)
    execute(nb, allow_errors=True)
    errors = [out for cell in nb.cells if cell.cell_type == "code"
              for out in cell.outputs if out.output_type == "error"]
    assert {"NotImplementedError", "CheckFailed"} <= {error.ename for error in errors}
    for cell in nb.cells:
        kinds = [key for out in cell.get("outputs", []) for key in out.get("data", {})]
        if "application/vnd.jupyter.widget-view+json" in kinds:
            assert not [out for out in cell.outputs if out.output_type == "error"], cell.source
    names = [exercise.name for exercise in checks.exercises(chapter)]
    assert not [error.evalue for error in errors if error.ename == "NameError"
                and any(f"'{name}'" in error.evalue for name in names)]
    state = nb.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]
    readouts = [model["state"]["value"] for model in state.values()
                if model["model_name"] == "HTMLModel"]
    assert readouts and all("is not implemented yet" in text for text in readouts)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_run_all_on_a_fresh_notebook_stops_at_the_first_exercise_with_one_short_message(
        released, chapter):
    """Run All stops where the first exercise is first needed, saying in one line what to
    write; no traceback into the learner's own stub."""
    nb = nbformat.read(released[chapter], as_version=4)
    with pytest.raises(nbclient.exceptions.CellExecutionError):
        execute(nb)
    [stopped] = [cell for cell in nb.cells if cell.cell_type == "code"
                 and any(out.output_type == "error" for out in cell.outputs)]
    [error] = [out for out in stopped.outputs if out.output_type == "error"]
    first = checks.exercises(chapter)[0]
    text = "\n".join(error.traceback)
    assert len(error.traceback) == 1 and f"{first.subject} is not written yet" in text, text
    assert "Traceback" not in text and "raise NotImplementedError()" in text
    ran = [cell for cell in nb.cells if cell.cell_type == "code" and cell.execution_count]
    assert ran[-1] is stopped, "nothing ran after it"
