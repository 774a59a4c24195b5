"""Shared fixtures: the chapters, their notebooks' own solutions and stubs.

The reference solutions live only in the source notebooks; tests take them
from there, so there is one source of truth and no copy to drift. The
chapters are those that ``course_utils.checks`` declares; a new chapter's
notebook and checks module are picked up by every test parametrized over
``CHAPTERS``.
"""
import copy
import os
import pathlib
import tempfile

import nbformat
import pytest
from nbgrader.preprocessors import ClearSolutions

from course_utils import checks

# Grading draws hidden cases from the instructor's secret; the tests' own, not the machine's.
os.environ.setdefault("PYTORCH_PRACTICE_SECRET",
                      str(pathlib.Path(tempfile.mkdtemp(prefix="course-secret-")) / "secret"))

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CHAPTERS = sorted(checks.chapters())
CHAPTER_2 = NOTEBOOKS / "02_linear_model.ipynb"


def notebook_path(chapter):
    return NOTEBOOKS / f"{chapter}.ipynb"


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id", "")


def graded_functions(nb):
    """Run the setup cells and every solution cell of ``nb``; return the namespace.

    A stub cell that raises NotImplementedError at top level (an exercise whose
    answer is a value, not a function) leaves what it assigned before raising.
    """
    namespace = {}
    for cell in nb.cells:
        if grade_id(cell).startswith(("setup", "sol_")):
            try:
                exec(compile(cell.source, grade_id(cell), "exec"), namespace)
            except NotImplementedError:
                pass
    return namespace


def read_notebook(path=CHAPTER_2):
    return nbformat.read(path, as_version=4)


def execute(nb, allow_errors=False):
    """Run ``nb`` in a fresh kernel from the notebooks folder, as a learner's Run All does;
    return the seconds it took."""
    import time

    import nbclient

    started = time.perf_counter()
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=allow_errors,
                            resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    return time.perf_counter() - started


def chapter_namespace(chapter, stubs=False):
    """A chapter's functions as the solutions give them, or as the learner first gets them."""
    nb = copy.deepcopy(read_notebook(notebook_path(chapter)))
    if stubs:
        ClearSolutions().preprocess(nb, {})
    return graded_functions(nb)


@pytest.fixture(scope="session")
def solutions():
    """Chapter 2's reference solutions, taken from the source notebook."""
    return chapter_namespace("02_linear_model")


@pytest.fixture(scope="session")
def stubs():
    """Chapter 2's functions as the learner first gets them (nbgrader's stubs)."""
    return chapter_namespace("02_linear_model", stubs=True)
