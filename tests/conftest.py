"""Shared fixtures: the chapter notebooks' own solutions and stubs.

The reference solutions live only in the source notebooks; tests take them
from there, so there is one source of truth and no copy to drift.
"""
import copy
import pathlib

import nbformat
import pytest
from nbgrader.preprocessors import ClearSolutions

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CHAPTER_2 = NOTEBOOKS / "02_linear_model.ipynb"


def graded_functions(nb):
    """Run the setup cell and every solution cell of ``nb``; return the namespace."""
    namespace = {}
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id == "setup" or grade_id.startswith("sol_"):
            exec(compile(cell.source, grade_id, "exec"), namespace)
    return namespace


def read_notebook(path=CHAPTER_2):
    return nbformat.read(path, as_version=4)


@pytest.fixture(scope="session")
def solutions():
    """Chapter 2's reference solutions, taken from the source notebook."""
    return graded_functions(read_notebook())


@pytest.fixture(scope="session")
def stubs():
    """Chapter 2's functions as the learner first gets them (nbgrader's stubs)."""
    nb = copy.deepcopy(read_notebook())
    ClearSolutions().preprocess(nb, {})
    return graded_functions(nb)
