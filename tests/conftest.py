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


_EXECUTED = {}


def executed_source(chapter, language="en"):
    """The chapter's source notebook with its solutions after a Run All, run once per session
    for every module that reads its outputs; a copy. ``language="zh"``: its Chinese edition,
    run as a learner of that edition runs it (the checks speak Chinese)."""
    if (chapter, language) not in _EXECUTED:
        from grading import editions

        nb = read_notebook(notebook_path(chapter))
        saved = os.environ.get("COURSE_LANGUAGE")
        if language != "en":
            nb = editions.edition(nb, language)
            os.environ["COURSE_LANGUAGE"] = language  # the kernel's: no check data beside it
        try:
            execute(nb)
        finally:
            if saved is None:
                os.environ.pop("COURSE_LANGUAGE", None)
            else:
                os.environ["COURSE_LANGUAGE"] = saved
        _EXECUTED[chapter, language] = nb
    return copy.deepcopy(_EXECUTED[chapter, language])


def verdict_of(exercise, subject, seed=None, hidden=None):
    """The check's verdict on ``subject`` for the cases of ``seed``, judged against the
    grader's key as the grader judges (hidden cases, by default, as hidden)."""
    from grading import answers

    cases = exercise.cases(seed)
    return exercise.verdict(exercise.observe(subject, cases=cases), cases,
                            answers.compute(exercise, cases),
                            hidden=seed is not None if hidden is None else hidden)


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


class InProcessSandbox:
    """The runner's side of grading, in this process, on a namespace: for tests of what the
    engine decides (:class:`grading.engine._Steps`) without a sandbox."""

    def __init__(self, namespace):
        self.namespace = namespace

    def ask(self, request):
        from course_utils.checks import core
        from grading import runner

        def observe(exercise, subject, cases, stand_ins):
            with core.helpers_in_place(subject, runner.define_stand_ins(stand_ins)):
                return {"status": "observed",
                        "observations": core.dumps_plain(exercise.observe(subject, cases=cases))}

        return runner.reply(request, self.namespace, observe)


def graded_here(chapter, namespace, student="alice", secret=b"tests", visible_only=False):
    """``{exercise: (passed, message)}`` as the grader judges ``namespace``'s functions."""
    from grading import engine, sandbox

    steps = engine._Steps(chapter, checks.exercises(chapter), sandbox.Limits())
    steps.run(InProcessSandbox(namespace), student, secret, visible_only, None)
    return {name: (outcome.passed, outcome.message) for name, outcome in steps.outcomes.items()}


# ------------------------------------------------------------------ the browser tests' Lab


@pytest.fixture(scope="session")
def lab_workspace(tmp_path_factory):
    """The folder the browser tests' Lab serves: the learner's workspace as the start
    releases it, each chapter's solved notebook, and what a browser module adds."""
    from test_browser import add_solved, missing_browser

    reason = missing_browser()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {reason}")
        pytest.skip(reason)
    return add_solved(tmp_path_factory.mktemp("browser") / "workspace")


@pytest.fixture(scope="session")
def lab(lab_workspace):
    """The learner's Lab as the conda route starts it (start.py releases the workspace),
    one for every browser module."""
    from test_browser import START_HERE, jupyter_lab

    with jupyter_lab(lab_workspace, timeout=300, start=START_HERE) as url:
        yield url


@pytest.fixture(scope="session")
def browser_context(lab):
    from playwright.sync_api import sync_playwright

    from test_browser import launch_chromium

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context()
        context.requested = []
        context.on("request", lambda request: context.requested.append(request.url))
        yield context
        browser.close()


@pytest.fixture
def expect():
    from playwright.sync_api import expect
    # Lab and the kernel share two cores with Chromium in CI: 5 s is too tight a default.
    expect.set_options(timeout=15_000)
    return expect
