"""The checks' shared core and every chapter's exercise definitions.

Parametrized over the chapters ``course_utils.checks`` declares, so a new
chapter's checks module is held to the same contract.
"""
import re

import nbclient
import nbformat
import numpy as np
import pytest

from conftest import CHAPTERS, chapter_namespace, grade_id, notebook_path, read_notebook, verdict_of
from course_utils import checks
from course_utils.checks import CheckFailed, core
from grading import answers

EXERCISES = [(chapter, exercise) for chapter in CHAPTERS for exercise in checks.exercises(chapter)]
IDS = [f"{chapter}-{exercise.name}" for chapter, exercise in EXERCISES]


@pytest.fixture(scope="module")
def namespaces():
    return {chapter: {"solutions": chapter_namespace(chapter),
                      "stubs": chapter_namespace(chapter, stubs=True)} for chapter in CHAPTERS}


# ------------------------------------------------------------------ definitions


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_chapter_has_its_notebook_and_unique_exercises(chapter):
    assert notebook_path(chapter).is_file()
    names = [exercise.name for exercise in checks.exercises(chapter)]
    assert names and len(set(names)) == len(names)
    for exercise in checks.exercises(chapter):
        assert type(exercise.points) is int and exercise.points > 0
        assert exercise.hidden_seeds, f"{exercise.name} has no hidden cases"
        assert exercise.summary


def test_every_notebook_has_a_checks_module():
    from conftest import NOTEBOOKS
    assert sorted(path.stem for path in NOTEBOOKS.glob("*.ipynb")) == CHAPTERS


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_cell_ids_follow_the_convention(chapter):
    """setup*, sol_<exercise>, test_<exercise>: the README's "Maintaining a chapter"."""
    nb = read_notebook(notebook_path(chapter))
    exercises = {exercise.name: exercise for exercise in checks.exercises(chapter)}
    solution_ids = {sid for exercise in exercises.values() for sid in exercise.solution_ids}
    marked = [cell for cell in nb.cells if "nbgrader" in cell.metadata]
    assert grade_id(marked[0]) == "setup" and marked[0].metadata.nbgrader["locked"]
    for cell in marked:
        meta, cid = cell.metadata.nbgrader, grade_id(cell)
        if meta.get("grade"):
            assert re.fullmatch(r"test_\w+", cid) and cid.removeprefix("test_") in exercises, cid
            assert meta["locked"] and not meta.get("solution"), cid
            assert meta["points"] == exercises[cid.removeprefix("test_")].points, \
                f"{cid}: the notebook's points differ from the checks module's"
        elif meta.get("solution"):
            assert cid in solution_ids, f"{cid} belongs to no declared exercise"
        else:
            assert cid.startswith("setup") and meta["locked"], cid
    ids = [grade_id(cell) for cell in marked]
    for exercise in exercises.values():
        assert exercise.test_id in ids and all(sid in ids for sid in exercise.solution_ids)
        assert ids.index(exercise.solution_ids[-1]) < ids.index(exercise.test_id)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_test_cells_call_their_declared_check(chapter):
    module = chapter[:2]
    nb = read_notebook(notebook_path(chapter))
    sources = {grade_id(cell): cell.source for cell in nb.cells}
    for exercise in checks.exercises(chapter):
        visible, _, hidden = sources[exercise.test_id].partition("### BEGIN HIDDEN TESTS")
        call = f"cu.checks.ch{module}.{exercise.name}("
        assert call in visible and f"{call}" in hidden and "hidden=True" in hidden
        assert "seed" not in hidden, "hidden seeds live in the checks module"


@pytest.mark.parametrize("chapter,exercise", EXERCISES, ids=IDS)
def test_cases_are_plain_data_and_hidden_ones_differ(chapter, exercise):
    visible = exercise.cases(None)
    assert visible
    core.ensure_plain(visible)
    for seed in exercise.hidden_seeds:
        hidden = exercise.cases(seed)
        core.ensure_plain(hidden)
        assert repr(hidden) != repr(visible) and repr(hidden) == repr(exercise.cases(seed))


@pytest.mark.parametrize("chapter,exercise", EXERCISES, ids=IDS)
def test_solution_passes_visible_and_hidden(namespaces, chapter, exercise):
    solution = namespaces[chapter]["solutions"][exercise.subject]
    for seed in (None, *exercise.hidden_seeds):
        verdict = verdict_of(exercise, solution, seed)
        assert verdict.passed and verdict.checks == len(exercise.cases(seed)), verdict.message
        assert verdict.message == "", "the reference solution gets no advice"


@pytest.mark.parametrize("chapter,exercise", EXERCISES, ids=IDS)
def test_a_passing_check_prints_one_line(namespaces, chapter, exercise, capsys):
    exercise(namespaces[chapter]["solutions"][exercise.subject])
    out = capsys.readouterr().out
    assert re.fullmatch(rf"✓ {exercise.name}: \d+ checks? passed\n", out)


@pytest.mark.parametrize("chapter,exercise", EXERCISES, ids=IDS)
def test_stub_fails_as_not_implemented(namespaces, chapter, exercise):
    with pytest.raises(CheckFailed, match=f"{exercise.name} is not implemented yet"):
        exercise(namespaces[chapter]["stubs"][exercise.subject])


def _close(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-8, atol=1e-10)


def _bug_tables(answer):
    """The bug tables of an answer ({description: value}) and the values a correct
    solution may give."""
    tables = [table for key, table in answer.items() if key.endswith("bugs") and table]
    right = [answer[key] for key in ("expected", "best_w", "costs") if key in answer]
    right += [np.concatenate([[w], costs]) for w, costs in answer.get("results", [])]
    return tables, right


@pytest.mark.parametrize("chapter,exercise", EXERCISES, ids=IDS)
def test_visible_data_tells_the_likely_bugs_apart(chapter, exercise):
    """A bug is named on the first visible case where it shows, and there no other bug
    gives the same value: a message names one likely bug, never a coin toss.
    (Exercises without a bug table name their bugs by structure, tested in their chapter.)"""
    named = set()
    cases = exercise.cases(None)
    for case, answer in zip(cases, answers.compute(exercise, cases)):
        tables, right = _bug_tables(answer)
        for table in tables:
            bugs = {bug: value for bug, value in table.items()
                    if not any(_close(value, part) for part in right)}
            for bug, value in bugs.items():
                if bug in named:
                    continue
                named.add(bug)
                twins = [other for other, other_value in bugs.items()
                         if other != bug and _close(value, other_value)]
                assert not twins, (case.get("call"), bug, twins)
    if exercise.name != "train_dev_test_split":
        assert named


@pytest.mark.parametrize("chapter,exercise", EXERCISES, ids=IDS)
def test_checks_leave_no_global_state(namespaces, chapter, exercise):
    """Running a check twice gives the same verdict and leaves the namespace as it was."""
    solutions = namespaces[chapter]["solutions"]
    before = dict(solutions)
    first = verdict_of(exercise, solutions[exercise.subject], 5)
    again = verdict_of(exercise, solutions[exercise.subject], 5)
    assert first == again and first.passed
    assert solutions == before


# ------------------------------------------------------------------ running and judging


class Rigged:
    """Equal to everything, a number to float(): what a cheat would return."""

    def __eq__(self, other):
        return True

    def __float__(self):
        return 4.666666666666667

    __hash__ = object.__hash__


class RiggedFloat(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


class RiggedArray(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)


@pytest.mark.parametrize("value", [Rigged(), RiggedFloat(1.0), np.zeros(3).view(RiggedArray),
                                   [1.0, Rigged()], {"a": RiggedFloat(2.0)}, (np.float64, 1),
                                   np.array([Rigged()], dtype=object), {1: 2.0}],
                         ids=["rigged-eq", "float-subclass", "ndarray-subclass", "in-a-list",
                              "in-a-dict", "a-type", "object-array", "int-key"])
def test_judging_refuses_what_is_not_plain_data(value):
    with pytest.raises(core.NotPlainData):
        core.ensure_plain(value)


@pytest.mark.parametrize("value", [None, True, 3, 2.5, 1j, "text", np.arange(3.0),
                                   [1.0, (2, "a")], {"k": np.eye(2)}, core.Opaque("Tensor")])
def test_judging_accepts_plain_data(value):
    assert core.ensure_plain(value) is value


def test_running_turns_learner_objects_into_plain_data():
    assert type(core.to_plain(np.float64(2.5))) is float
    assert type(core.to_plain(np.float32(2.5))) is float
    assert core.to_plain(Rigged()).type_name == "Rigged"
    # A float subclass is a number: its stored value, whatever its methods say.
    assert core.to_plain(RiggedFloat(1.0)) == 1.0 and type(core.to_plain(RiggedFloat(1.0))) is float
    assert core.to_plain(np.zeros(2).view(RiggedArray)).type_name == "RiggedArray"
    plain = core.to_plain((np.arange(2.0), [np.int64(3)]))
    core.ensure_plain(plain)
    assert plain[1] == [3] and type(plain[1][0]) is int


def test_a_rigged_answer_fails_every_check(namespaces):
    for chapter, exercise in EXERCISES:
        # Defined in the notebook, as a learner's function is (chapter 4's steps run with
        # the notebook's Tensor).
        notebook = namespaces[chapter]["solutions"]
        notebook["Rigged"] = Rigged
        rigged = eval("lambda *args, **kwargs: Rigged()", notebook)  # noqa: S307
        verdict = verdict_of(exercise, rigged)
        assert not verdict.passed and "Rigged" in verdict.message, (chapter, exercise.name)


def test_judging_refuses_observations_that_are_not_plain():
    _, exercise = EXERCISES[0]
    cases = exercise.cases(None)
    observations = [{"value": Rigged(), "changed": []} for _ in cases]
    verdict = exercise.verdict(observations, cases, answers.compute(exercise, cases))
    assert not verdict.passed and "could not read" in verdict.message


@pytest.mark.parametrize("observed", [{}, {"value": 1.0}, [], "text", {"error": "x"},
                                      {"value": [1, 2], "changed": "all"}])
def test_judging_fails_closed_on_observations_of_the_wrong_shape(observed):
    for _, exercise in EXERCISES:
        cases = exercise.cases(None)
        verdict = exercise.verdict([observed] * len(cases), cases,
                                   answers.compute(exercise, cases))
        assert not verdict.passed and verdict.message, exercise.name


def test_call_records_errors_and_changed_inputs():
    def spoils(x, y):
        x += 1
        raise ValueError("boom")

    outcome = core.call(spoils, np.zeros(2), np.zeros(2))
    assert outcome == {"error": {"type": "ValueError", "message": "boom"}, "changed": [0]}
    core.ensure_plain(outcome)


def test_call_keeps_learner_prints_out_of_the_cell(capsys):
    core.call(print, "noise")
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("kind,message,words", [
    ("ValueError", "operands could not be broadcast together with shapes (3,) (5,9) ",
     "do not broadcast"),
    ("TypeError", "ufunc 'bitwise_xor' not supported for the input types", "`^` is XOR"),
    ("TypeError", "unsupported operand type(s) for ^: 'float' and 'int'", "`^` is XOR"),
    ("TypeError", "'float' object is not iterable", "list comprehension over a single number"),
    ("TypeError", "can't multiply sequence by non-int of type 'float'", "np.asarray"),
    ("TypeError", "unsupported operand type(s) for -: 'list' and 'list'", "Python list"),
    ("TypeError", "unsupported operand type(s) for *: 'NoneType' and 'float'", "`return`"),
    ("NameError", "name 'w' is not defined", "a name is not defined where the function runs"),
])
def test_error_hints_name_the_beginners_mistake(kind, message, words):
    assert words in core.error_hint({"type": kind, "message": message})


def test_error_hints_do_not_guess_at_other_errors():
    assert core.error_hint({"type": "RuntimeError", "message": "something else"}) == ""


def test_a_failure_renders_as_its_message_alone():
    failure = CheckFailed("mse(...) returned 14.0, expected 4.67.\nLikely bug: a sum", "mse")
    lines = failure._render_traceback_()
    assert len(lines) == 2 and "✗ mse: mse(...) returned 14.0" in lines[0]
    assert lines[1].strip() == "Likely bug: a sum"
    assert isinstance(failure, AssertionError), "nbgrader must count the cell as failed"


FAILING_TEST_CELL = """
import numpy as np
import course_utils as cu

def mse(y_hat, y):
    return np.sum((y_hat - y) ** 2)

cu.checks.ch02.mse(mse)
"""


def test_a_failing_test_cell_shows_the_message_without_course_utils_frames():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FAILING_TEST_CELL),
                                         nbformat.v4.new_code_cell("print('after')")])
    client = nbclient.NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True)
    client.execute()
    [error] = [out for out in nb.cells[0].outputs if out.output_type == "error"]
    assert error.ename == "CheckFailed"
    text = "\n".join(error.traceback)
    assert "summed the squared errors" in text and "expected 4.666666666666667" in text
    assert "course_utils" not in text and "Traceback" not in text
    assert len(error.traceback) <= 4
