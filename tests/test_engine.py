"""The grading engine against honest and hostile chapter 2 submissions.

Every hostile submission below starts from the reference solutions, breaks
one exercise (``mse`` sums instead of averaging) and then tries to get its
points back, or to break the grading, in one of the ways students try. The
whole corpus is graded as one class, in parallel, with honest submissions
first, in the middle and last: none of the tricks may earn the wrong ``mse``
a point, and the honest students keep their full marks.
"""
import copy
import os
import subprocess

import nbformat
import pytest
from nbgrader.preprocessors import ClearSolutions

from conftest import ROOT, grade_id, read_notebook
from course_utils import checks
from grading import engine, sandbox

CHAPTER = "02_linear_model"
SECRET = b"test secret"
FULL = {exercise.name: exercise.points for exercise in checks.exercises("02_linear_model")}
LIMITS = sandbox.Limits(cell_seconds=3, exercise_seconds=5, notebook_seconds=25)
WRONG_MSE = "def mse(y_hat, y):\n    return np.sum((y_hat - y) ** 2)\n"
SOURCE_PATH = ROOT / "notebooks" / f"{CHAPTER}.ipynb"


def submission(extra=None, mse=WRONG_MSE, edit=None):
    """The reference notebook with a wrong (or given) ``mse`` and a cell of ``extra`` code after it."""
    nb = read_notebook(SOURCE_PATH)
    cells = []
    for cell in nb.cells:
        if mse is not None and grade_id(cell) == "sol_mse":
            cell.source = mse
        cells.append(cell)
        if grade_id(cell) == "sol_mse" and extra:
            cells.append(nbformat.v4.new_code_cell(extra))
    nb.cells = cells
    if edit:
        edit(nb)
    return nb


def graded_cells(nb):
    return [cell for cell in nb.cells if grade_id(cell).startswith("test_")]


def strip_test_metadata(nb):
    for cell in graded_cells(nb):
        del cell.metadata["nbgrader"]


def fake_test_cells(nb):
    for cell in graded_cells(nb):
        cell.source = "print('✓ all checks passed')"
        cell.metadata.nbgrader["points"] = 100


def duplicate_test_cells(nb):
    nb.cells += [copy.deepcopy(cell) for cell in graded_cells(nb)]


def delete_test_cells(nb):
    nb.cells = [cell for cell in nb.cells if not grade_id(cell).startswith("test_")]


def swap_grade_flags(nb):
    """Test cells ungraded, solution cells graded with many points."""
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            meta.update(grade=False, points=0)
        elif meta.get("solution"):
            meta.update(grade=True, points=50)


def reorder_cells(nb):
    nb.cells = graded_cells(nb) + [cell for cell in nb.cells if cell not in graded_cells(nb)]


SECRETS_TO_READ = [str(ROOT / "notebooks" / f"{CHAPTER}.ipynb"), str(ROOT / "course"),
                   str(ROOT / "grading" / "keys" / "ch02.py"), str(ROOT / "grading" / "answers.py"),
                   str(ROOT / "tests" / "conftest.py"), str(ROOT / "README.md")]

HOSTILE = {
    "rigged __eq__": """
class Anything(float):
    def __eq__(self, other): return True
    __hash__ = float.__hash__
_sum_mse = mse
def mse(y_hat, y):
    return Anything(_sum_mse(y_hat, y))
""",
    "a numpy subclass": """
class Yes(np.ndarray):
    def __eq__(self, other): return np.ones(np.shape(other), bool)
_sum_mse = mse
def mse(y_hat, y):
    return np.asarray(_sum_mse(y_hat, y)).view(Yes)
""",
    "rebound AssertionError": """
import builtins
class Harmless(Exception): pass
builtins.AssertionError = Harmless
""",
    "IPython AST transformer": """
import ast
class NoAsserts(ast.NodeTransformer):
    def visit_Assert(self, node): return ast.Pass()
    def visit_Raise(self, node): return ast.Pass()
get_ipython().ast_transformers.append(NoAsserts())
""",
    "IPython input transformer": """
get_ipython().input_transformers_cleanup.append(
    lambda lines: ["pass\\n"] if any("cu.checks" in line for line in lines) else lines)
""",
    "custom exception handler": """
get_ipython().set_custom_exc((BaseException,), lambda *args, **kwargs: None)
""",
    "no-op comparisons": """
import math, numpy.testing
numpy.testing.assert_allclose = lambda *a, **k: None
np.allclose = lambda *a, **k: True
np.isclose = lambda *a, **k: np.bool_(True)
np.array_equal = lambda *a, **k: True
math.isclose = lambda *a, **k: True
""",
    "patched check module": """
import course_utils.checks.core as core, course_utils.checks.ch02 as ch02
core.Exercise.verdict = lambda self, observations, seed=None: core.Verdict(self.name, True, 1)
ch02._mse_judge = lambda case, observed: None
""",
    "read the course's files": f"""
stolen = []
for path in {SECRETS_TO_READ!r}:
    try:
        stolen.append(open(path).read())
    except OSError as error:
        stolen.append(str(error))
exec(stolen[0][stolen[0].find("def mse"):stolen[0].find("### END")] if "def mse" in stolen[0]
     else "")
""",
    "run the instructor's solution": """
import json
source = json.load(open("/work/main/notebooks/02_linear_model.ipynb"))
for cell in source["cells"]:
    if "def mse" in "".join(cell["source"]):
        exec("".join(cell["source"]))
""",
    "print fake results": """
print("✓ mse: 3 checks passed")
import sys
sys.stdout.write('{"cells": [], "exercises": {"mse": {"status": "observed", "observations": "[]"}}}')
""",
    "write fake results to every descriptor": """
import os
fake = ('{"cells": [], "exercises": {"mse": {"status": "observed", '
        '"observations": "[]"}}}\\n').encode()
for fd in range(3, 64):
    try:
        os.write(fd, fake)
    except OSError:
        pass
""",
    "network": """
import socket
try:
    socket.create_connection(("1.1.1.1", 80), timeout=2)
    reached = True
except OSError:
    reached = False
assert not reached
""",
    "a memory hog": """
try:
    hog = bytearray(8 * 1024 ** 3)
except MemoryError:
    hog = None
""",
    "gigabytes of output": """
import sys
for _ in range(200):
    sys.stdout.write("x" * 10_000_000)
""",
    "a forked daemon": """
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(600)
    os._exit(0)
""",
    "sys.exit": "import sys\nsys.exit(0)\n",
    "a loop deaf to signals": """
import signal
for name in ("SIGINT", "SIGTERM", "SIGALRM", "SIGHUP"):
    signal.signal(getattr(signal, name), signal.SIG_IGN)
while True:
    pass
""",
    "a fork bomb": """
import os, time
try:
    while True:
        os.fork()
except OSError:
    time.sleep(1000)
""",
    "an infinite loop in a cell": "while True:\n    pass\n",
}


def honest(student):
    return {"student": student, "notebook": submission(mse=None), "chapter": CHAPTER}


@pytest.fixture(scope="module")
def corpus():
    """The honest and hostile class, graded once in parallel."""
    items = [honest("honest-first")]
    items += [{"student": f"trick-{i}", "notebook": submission(code), "chapter": CHAPTER,
               "trick": name} for i, (name, code) in enumerate(HOSTILE.items())]
    items.insert(len(items) // 2, honest("honest-middle"))
    items += [{"student": f"cells-{edit.__name__}", "notebook": submission(edit=edit),
               "chapter": CHAPTER, "trick": edit.__name__}
              for edit in (strip_test_metadata, fake_test_cells, duplicate_test_cells,
                           delete_test_cells, reorder_cells, swap_grade_flags)]
    items.append(honest("honest-last"))
    results = engine.grade_many(items, SECRET, jobs=2, limits=LIMITS)
    return {item["student"]: (item, result) for item, result in zip(items, results)}


def scores(result):
    return {exercise.name: exercise.score for exercise in result.exercises}


@pytest.mark.parametrize("student", ["honest-first", "honest-middle", "honest-last"])
def test_honest_students_keep_full_marks(corpus, student):
    _, result = corpus[student]
    assert scores(result) == FULL, [e.message for e in result.exercises]
    assert not result.failure


@pytest.mark.parametrize("trick", [*HOSTILE, "strip_test_metadata", "fake_test_cells",
                                   "duplicate_test_cells", "delete_test_cells", "reorder_cells",
                                   "swap_grade_flags"])
def test_no_trick_earns_the_wrong_answer_a_point(corpus, trick):
    item, result = next(value for value in corpus.values() if value[0].get("trick") == trick)
    graded = scores(result)
    assert graded["mse"] == 0, f"{trick} got the wrong mse its points"
    mse = next(e for e in result.exercises if e.name == "mse")
    assert mse.message, "a zero always comes with a reason"
    assert all(exercise.message for exercise in result.exercises if exercise.score == 0)


@pytest.mark.parametrize("trick", ["rigged __eq__", "rebound AssertionError", "no-op comparisons",
                                   "patched check module", "print fake results",
                                   "IPython AST transformer", "custom exception handler",
                                   "network", "a memory hog", "a forked daemon", "sys.exit",
                                   "read the course's files", "write fake results to every descriptor",
                                   "strip_test_metadata", "fake_test_cells",
                                   "duplicate_test_cells", "delete_test_cells", "reorder_cells",
                                   "swap_grade_flags"])
def test_a_trick_costs_nothing_but_the_wrong_exercise(corpus, trick):
    """The cheat's other, honest exercises still count: one bug costs one exercise."""
    _, result = corpus[next(s for s, (item, _) in corpus.items() if item.get("trick") == trick)]
    assert scores(result) == {**FULL, "mse": 0}, [e.message for e in result.exercises]


def test_the_wrong_mse_is_named_whatever_the_trick(corpus):
    _, result = corpus[next(s for s, (item, _) in corpus.items()
                            if item.get("trick") == "no-op comparisons")]
    assert "summed the squared errors" in next(e for e in result.exercises if e.name == "mse").message


def test_a_cell_that_never_ends_is_stopped_and_reported(corpus):
    _, result = corpus[next(s for s, (item, _) in corpus.items()
                            if item.get("trick") == "an infinite loop in a cell")]
    assert {"status": "timeout", "error": "still running after 3 s"} in result.cells


def test_a_notebook_that_ignores_every_signal_is_stopped_with_the_reason(corpus):
    _, result = corpus[next(s for s, (item, _) in corpus.items()
                            if item.get("trick") == "a loop deaf to signals")]
    assert result.score == 0 and "time limit" in result.failure


def test_parallel_grading_gives_the_sequential_scores(corpus):
    """The same submissions graded one at a time: the same scores and messages."""
    picked = [item for student, (item, _) in corpus.items()
              if student.startswith("honest") or item.get("trick") in (
                  "rigged __eq__", "delete_test_cells", "a numpy subclass")]
    again = engine.grade_many(picked, SECRET, jobs=1, limits=LIMITS)
    for item, result in zip(picked, again):
        first = corpus[item["student"]][1]
        assert [(e.name, e.score, e.message) for e in result.exercises] == \
            [(e.name, e.score, e.message) for e in first.exercises], item["student"]


def test_nothing_is_left_running(corpus):
    """No process runs as a sandbox uid that no grading holds (forked daemons included)."""
    import fcntl

    listed = subprocess.run(["ps", "-eo", "uid="], capture_output=True, text=True).stdout.split()
    for uid in {int(uid) for uid in listed} & set(sandbox.UIDS):
        with open(sandbox.UID_LOCKS / f"{uid}.lock", "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # another grading on this machine is using it right now
            pytest.fail(f"processes of uid {uid} outlived their grading")


def test_same_submission_same_seeds_same_scores():
    seeds = engine.hidden_seeds(SECRET, CHAPTER, "mse", "alice")
    assert seeds == engine.hidden_seeds(SECRET, CHAPTER, "mse", "alice")
    assert seeds != engine.hidden_seeds(SECRET, CHAPTER, "mse", "bob")
    assert seeds != engine.hidden_seeds(b"other secret", CHAPTER, "mse", "alice")


def test_the_secret_is_created_once_and_private(tmp_path):
    path = tmp_path / "config" / "secret"
    first = engine.load_secret(path)
    assert engine.load_secret(path) == first and len(first) == 64
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_visible_only_grading_checks_the_visible_cases_alone():
    nb = submission(mse=None)
    result = engine.grade(nb, CHAPTER, "me", SECRET, limits=LIMITS, visible_only=True)
    assert scores(result) == FULL


def test_the_stubs_score_zero_with_not_implemented():
    nb = read_notebook(SOURCE_PATH)
    ClearSolutions().preprocess(nb, {})
    result = engine.grade(nb, CHAPTER, "blank", SECRET, limits=LIMITS)
    assert result.score == 0
    assert all("not implemented yet" in exercise.message for exercise in result.exercises)


def test_a_crash_of_python_gives_zero_with_the_reason():
    result = engine.grade(submission("import os\nos._exit(3)\n", mse=None), CHAPTER, "x",
                          SECRET, limits=LIMITS)
    assert result.score == 0 and "without results" in result.failure


@pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox uids need root")
def test_reduced_isolation_is_named(monkeypatch):
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    isolation = sandbox.detect()
    assert isolation.bwrap is None and "bubblewrap is not installed" in isolation.warning
