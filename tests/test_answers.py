"""The answers stay with the grader: what a student holds cannot compute one, and nothing the
grader says about a hidden case gives one away.

* the answer keys are in no package a student installs, and without them nothing of the
  course (every function of ``course_utils`` and ``grading``, private ones included) computes
  an exercise's answer on new data, even for a student who knows the visible answers;
* the notebooks' own checks judge the visible cases from the check data the release wrote,
  which holds those cases' answers and nothing else;
* hidden cases fail with the course's fixed words: the same message whatever the hidden data,
  none of its numbers, nothing the learner's code put in its result or its exception;
* graded through the sandbox, a submission that hunts the course for answers, leaks its hidden
  inputs through its errors, or dumps the grader's stand-ins gains nothing and learns nothing.
"""
import importlib
import inspect
import json
import os
import shutil
import subprocess
import sys
import zipfile

import nbformat
import numpy as np
import pytest

from conftest import CHAPTERS, ROOT, chapter_namespace, grade_id, read_notebook, verdict_of
from course_utils import checks
from course_utils.checks import core
from grading import answers, engine, runner, sandbox

EXERCISES = [(chapter, exercise) for chapter in CHAPTERS for exercise in checks.exercises(chapter)]
IDS = [f"{chapter}-{exercise.name}" for chapter, exercise in EXERCISES]


# ------------------------------------------------------------------ what a student holds


def test_the_package_students_install_has_no_answer_keys(tmp_path):
    source = tmp_path / "source"  # built from a copy, as deploy/hub does: no build/ here
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(ROOT / name, source / name)
    for name in ("course_utils", "grading"):
        shutil.copytree(ROOT / name, source / name,
                        ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp_path,
                    source], check=True, capture_output=True)
    wheel, = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert any(name.startswith("course_utils/checks/ch02") for name in names)
    assert "grading/answers.py" in names
    assert not [name for name in names if "keys" in name.split("/")], names


def test_keys_are_found_beside_the_grader_or_where_the_variable_says(tmp_path):
    probe = ("from grading import answers\n"
             "try:\n    answers.key('02_linear_model'); print('found')\n"
             "except answers.MissingKey:\n    print('missing')\n")
    for keys, found in [(str(tmp_path), "missing"), (str(ROOT / "grading" / "keys"), "found")]:
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                             env={**os.environ, "PYTORCH_PRACTICE_KEYS": keys}, check=True)
        assert out.stdout.strip() == found



def test_a_key_is_loaded_whole_when_students_are_graded_at_once(tmp_path):
    """The grader grades students in threads: none may see a key half loaded."""
    (tmp_path / "ch02.py").write_text("import time\ntime.sleep(0.3)\ndef forward(case):\n"
                                      "    return {}\n")
    probe = ("from concurrent.futures import ThreadPoolExecutor\n"
             "from grading import answers\n"
             "with ThreadPoolExecutor(4) as pool:\n"
             "    whole = pool.map(lambda _: hasattr(answers.key('02_linear_model'), 'forward'),"
             " range(4))\n"
             "print(all(whole))\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         env={**os.environ, "PYTORCH_PRACTICE_KEYS": str(tmp_path)}, check=True)
    assert out.stdout.strip() == "True"

HUNT = r'''
import importlib, json, pkgutil, sys, warnings
import numpy as np
warnings.simplefilter("ignore")
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import course_utils
from course_utils import checks
from course_utils.checks import core

def members():
    # Every callable of course_utils and of grading.answers, private ones too.
    names = ["course_utils"] + [info.name for info in pkgutil.walk_packages(
        course_utils.__path__, "course_utils.")] + ["grading.answers"]
    for name in names:
        module = importlib.import_module(name)
        for attribute, member in vars(module).items():
            if callable(member) and getattr(member, "__module__", "").startswith(
                    ("course_utils", "grading")):
                yield f"{name}.{attribute}", member

def results(member, case):
    args, kwargs = tuple(case.get("args", ())), dict(case.get("kwargs", {}))
    for how in (lambda: member(*args, **kwargs), lambda: member(case)):
        try:
            with core.time_limit(1.0):
                yield core.to_plain(how())
        except BaseException:
            pass
    plt.close("all")

def gives(result, answer):
    expected = answer.get("expected", answer.get("best_w"))
    try:
        return expected is not None and np.shape(result) == np.shape(expected) \
            and bool(np.allclose(result, expected))
    except Exception:
        return False

found = []
candidates = list(members())
for chapter in sorted(checks.chapters()):
    for exercise in checks.exercises(chapter):
        visible = exercise.cases(None)
        known = core.answers_for(exercise, visible, visible=True, folder=sys.argv[1])
        for name, member in candidates:
            # A student who knows the visible answers keeps what gives every one of them.
            if all(any(gives(result, answer) for result in results(member, case))
                   for case, answer in zip(visible, known)
                   if "expected" in answer or "best_w" in answer) and any(
                    "expected" in answer or "best_w" in answer for answer in known):
                found.append([chapter, exercise.name, name])
print(json.dumps(found))
'''


def test_nothing_a_student_holds_computes_an_answer(tmp_path):
    """Without the keys, nothing of the course gives an exercise's answers on new data,
    even to a student who knows the visible answers (the check data has them) and keeps
    whatever function gives those."""
    from grading import course

    course.release(course_dir=tmp_path / "course", workspace=tmp_path / "ws")
    out = subprocess.run([sys.executable, "-c", HUNT, str(tmp_path / "ws")],
                         capture_output=True, text=True, cwd=tmp_path, timeout=900,
                         env={**os.environ, "PYTORCH_PRACTICE_KEYS": str(tmp_path / "none"),
                              "MPLBACKEND": "Agg"})
    assert out.returncode == 0, out.stderr[-2000:]
    for chapter, name, member in json.loads(out.stdout.strip().splitlines()[-1]):
        exercise = getattr(checks, f"ch{chapter[:2]}").__dict__[name]
        module, _, attribute = member.rpartition(".")
        function = getattr(importlib.import_module(module), attribute)
        cases = exercise.cases(31) + exercise.cases(32)
        computed = [any(_gives(value, answer) for value in _calls(function, case))
                    for case, answer in zip(cases, answers.compute(exercise, cases))]
        assert not all(computed), f"{member} computes {name}'s answers on hidden data"


def _calls(function, case):
    for how in (lambda: function(*case.get("args", ()), **case.get("kwargs", {})),
                lambda: function(case)):
        try:
            yield core.to_plain(how())
        except Exception:
            pass


def _gives(result, answer):
    expected = answer.get("expected", answer.get("best_w"))
    try:
        return expected is not None and np.shape(result) == np.shape(expected) \
            and bool(np.allclose(result, expected))
    except Exception:
        return False


# ------------------------------------------------------------------ the check data


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_check_data_holds_the_visible_answers_only(chapter, tmp_path):
    path = answers.write_check_data(chapter, tmp_path)
    assert path == tmp_path / ".checks" / f"{chapter}.json"
    data = core.loads_plain(path.read_text(encoding="utf-8"))
    assert set(data["exercises"]) == {exercise.name for exercise in checks.exercises(chapter)}
    for exercise in checks.exercises(chapter):
        cases = exercise.cases(None)
        entry = data["exercises"][exercise.name]
        assert entry["cases"] == core.cases_digest(cases)
        assert len(entry["answers"]) == len(cases)
        assert core.dumps_plain(entry["answers"]) == core.dumps_plain(
            answers.compute(exercise, cases))


def test_the_notebook_checks_judge_from_the_check_data_without_the_keys(tmp_path):
    """A released chapter's test cells in a kernel that has no keys: the data decides."""
    answers.write_check_data("02_linear_model", tmp_path)
    solutions = chapter_namespace("02_linear_model")
    code = (f"import os, sys; os.chdir({str(tmp_path)!r})\n"
            "from course_utils.checks import ch02, CheckFailed\n"
            "import numpy as np\n"
            "ch02.mse(lambda y_hat, y: np.mean((y_hat - y) ** 2))\n"
            "try:\n    ch02.mse(lambda y_hat, y: np.sum((y_hat - y) ** 2))\n"
            "except CheckFailed as failure:\n    print(failure)\n")
    env = {**os.environ, "PYTORCH_PRACTICE_KEYS": str(tmp_path / "none")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert "✓ mse: 3 checks passed" in out.stdout, out.stderr
    assert "summed the squared errors" in out.stdout
    assert solutions["mse"]  # the data agrees with the reference, tested above

    (tmp_path / ".checks" / "02_linear_model.json").write_text(json.dumps(
        {"__dict__": {"exercises": {"__dict__": {}}}}))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert "not for this version of the course" in out.stdout + out.stderr


# ------------------------------------------------------------------ hidden messages


def _numbers_in(value, found=None):
    """Every number of a plain value (the case's data, an answer)."""
    found = [] if found is None else found
    if type(value) is dict:
        for item in value.values():
            _numbers_in(item, found)
    elif type(value) in (list, tuple):
        for item in value:
            _numbers_in(item, found)
    elif type(value) is np.ndarray and value.dtype.kind in "iuf":
        found += [float(item) for item in value.ravel()]
    elif type(value) in (int, float) and type(value) is not bool:
        found.append(float(value))
    return found


def _spellings(number):
    """How a number may be written in a message."""
    if number == int(number) and abs(number) < 1000:
        return set()  # small whole numbers (sizes, 2, 3) are everywhere in fixed words
    return {repr(number), f"{number:.6g}", f"{number:.4g}", f"{number:.3f}", f"{number:.2f}",
            str(round(number, 10))} - {"0.00", "-0.00", "0.000", "-0.000"}


class Leaky(Exception):
    pass


def _leakers(exercise):
    """Wrong answers that try to put what they were given, or something of their own, into
    the message: their arguments in the exception, in the result, in the type's name."""
    def raises(*args, **kwargs):
        raise ValueError(f"leak {args!r} {kwargs!r}")

    def raises_own_type(*args, **kwargs):
        raise type(f"Leak_{abs(hash(repr(args))) % 10**8}", (Exception,), {})(repr(args))

    def returns_args(*args, **kwargs):
        return args

    def returns_object(*args, **kwargs):
        return type(f"Leak{abs(hash(repr(args))) % 10**8}", (), {})()

    def returns_scaled(*args, **kwargs):
        return np.asarray(args[0] if args else 0.0, dtype=float) * 1.0001 + 0.123456789

    return [raises, raises_own_type, returns_object, returns_args, returns_scaled]


# Wrong answers that fail the same way whatever the data. (One whose way of failing depends on
# the data, as returns_scaled's shape does, can choose among the course's fixed words: a bit or
# two per feedback, as the score itself gives; never the data.)
SAME_FAILURE = ("raises", "raises_own_type", "returns_object")


@pytest.mark.parametrize("chapter,exercise", EXERCISES, ids=IDS)
def test_hidden_messages_give_nothing_away(chapter, exercise):
    """The same words whatever the hidden data, none of its numbers, nothing of the result."""
    seeds = (11, 12)
    for leaker in _leakers(exercise):
        messages = []
        for seed in seeds:
            cases = exercise.cases(seed)
            verdict = verdict_of(exercise, leaker, seed)
            assert not verdict.passed
            messages.append(verdict.message)
            numbers = _numbers_in(cases) + _numbers_in(answers.compute(exercise, cases))
            for number in numbers:
                for text in _spellings(number):
                    assert text not in verdict.message, (leaker.__name__, text, verdict.message)
            assert "leak" not in verdict.message.lower(), verdict.message
        # Seed-independent: the case's description and the reason, never its data.
        if leaker.__name__ in SAME_FAILURE:
            assert messages[0] == messages[1], (leaker.__name__, messages)


@pytest.mark.parametrize("chapter,exercise", EXERCISES, ids=IDS)
def test_hidden_cases_are_described_without_their_data(chapter, exercise):
    for seed in (1, 2, 3):
        for case in exercise.cases(seed):
            assert "call" in case
            for number in _numbers_in(case):
                for text in _spellings(number):
                    assert text not in case["call"], (case["call"], text)


# ------------------------------------------------------------------ through the sandbox

CHAPTER = "02_linear_model"
SECRET = b"answers secret"
LIMITS = sandbox.Limits(cell_seconds=10, exercise_seconds=20, notebook_seconds=90)
SOURCE = read_notebook(ROOT / "notebooks" / f"{CHAPTER}.ipynb")

HUNTING_MSE = '''
import importlib, pkgutil, sys
import numpy as np

def _candidates():
    for package in ("course_utils", "grading"):
        try:
            root = importlib.import_module(package)
        except Exception:
            continue
        names = [package] + [info.name for info in pkgutil.walk_packages(
            getattr(root, "__path__", []), package + ".")]
        for name in names + ["grading.answers", "grading.keys.ch02"]:
            try:
                module = importlib.import_module(name)
            except Exception:
                continue
            for member in vars(module).values():
                if callable(member):
                    yield member

_LECTURE = (np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0]))
_found = []
for _member in _candidates():
    for _args in (_LECTURE, ({"args": _LECTURE},)):
        try:
            if abs(float(_member(*_args)) - 4.666666666666667) < 1e-9:
                _found.append((_member, len(_args)))
        except BaseException:
            pass

def mse(y_hat, y):
    for member, arity in _found:
        try:
            return float(member(y_hat, y) if arity == 2 else member({"args": (y_hat, y)}))
        except BaseException:
            pass
    return np.sum((y_hat - y) ** 2)
'''

LEAKING_MSE = '''
import numpy as np

_VISIBLE = ([2.0, 4.0, 6.0], [1.0, 1.0, 3.0, 3.0, 0.0], [6.0])

def mse(y_hat, y):
    if not any(len(y) == len(seen) and np.allclose(y, seen) for seen in _VISIBLE):
        raise ValueError(f"LEAKED {y_hat.tolist()} {y.tolist()}")
    return np.mean((y_hat - y) ** 2)
'''

STAND_IN_DUMP = '''
import inspect
import numpy as np

def forward(x, w, b=0.0):
    return x + w + b            # wrong: the grader brings its own for exhaustive_search

def exhaustive_search(x, y, w_grid):
    source = inspect.getsource(forward) if forward.__name__ != "forward" else ""
    if source:
        raise ValueError("STAND-IN " + source)
    return w_grid[0], [0.0] * len(w_grid)
'''

LOOP_WITHOUT_COUNTER = '''
import sys
sys.settrace = lambda *args, **kwargs: None   # the old loop counter would be blind

def cost_surface(x, y, w_grid, b_grid):
    return np.array([[np.mean((x * w + b - y) ** 2) for w in w_grid] for b in b_grid])
'''


def _notebook(**sources):
    nb = nbformat.from_dict(json.loads(json.dumps(SOURCE)))
    for cell in nb.cells:
        if grade_id(cell) in sources:
            cell.source = sources[grade_id(cell)]
    return nb


@pytest.fixture(scope="module")
def hostile():
    items = {
        "honest": _notebook(),
        "hunter": _notebook(sol_mse=HUNTING_MSE),
        "leaker": _notebook(sol_mse=LEAKING_MSE),
        "dumper": _notebook(sol_forward=STAND_IN_DUMP.split("def exhaustive_search")[0],
                            sol_exhaustive_search="import inspect\ndef exhaustive_search"
                            + STAND_IN_DUMP.split("def exhaustive_search")[1]),
        "looper": _notebook(sol_cost_surface=LOOP_WITHOUT_COUNTER),
    }
    results = engine.grade_many([{"student": student, "notebook": nb, "chapter": CHAPTER}
                                 for student, nb in items.items()], SECRET, jobs=2,
                                limits=LIMITS)
    return {result.student: result for result in results}


def _total():
    return sum(exercise.points for exercise in checks.exercises(CHAPTER))


def _exercise(name):
    return next(e for e in checks.exercises(CHAPTER) if e.name == name)


def _by_name(result):
    return {exercise.name: exercise for exercise in result.exercises}


def test_an_honest_student_keeps_full_marks(hostile):
    assert hostile["honest"].score == _total(), [e.message for e in hostile["honest"].exercises]


def test_hunting_the_course_for_answers_earns_nothing(hostile):
    graded = _by_name(hostile["hunter"])
    assert graded["mse"].score == 0
    assert hostile["hunter"].score == _total() - graded["mse"].points


def test_errors_cannot_carry_hidden_data_out(hostile):
    mse = _by_name(hostile["leaker"])["mse"]
    assert mse.score == 0 and "on hidden data" in mse.message
    assert "LEAKED" not in mse.message and "[" not in mse.message
    for seed in engine.hidden_seeds(SECRET, CHAPTER, "mse", "leaker"):
        for number in _numbers_in(_exercise("mse").cases(seed)):
            for text in _spellings(number):
                assert text not in mse.message


def test_the_graders_stand_ins_cannot_be_dumped(hostile):
    search = _by_name(hostile["dumper"])["exhaustive_search"]
    assert search.score == 0
    assert "STAND-IN" not in search.message and "asarray" not in search.message
    assert "Checked with a correct forward in place of yours" in search.message


def test_what_is_measured_in_the_submissions_process_is_not_graded(hostile):
    """The loop over the grid used to cost points, counted by a tracer the submission could
    switch off: now it is advice, so switching it off changes nothing."""
    surface = _by_name(hostile["looper"])["cost_surface"]
    assert surface.score == 3


# ------------------------------------------------------------------ one definition per exercise


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_exercise_has_its_key_and_nothing_else_does(chapter):
    """The key adds the answers to the exercises the checks module declares: one function
    per exercise, named as it, and stand-ins only for what other exercises use."""
    key = answers.key(chapter)
    exercises = checks.exercises(chapter)
    public = {name for name, member in vars(key).items()
              if callable(member) and not name.startswith("_") and not inspect.isclass(member)
              and member.__module__ == key.__name__}
    assert public == {exercise.name for exercise in exercises}
    used = {helper.subject for exercise in exercises for helper in exercise.uses}
    assert set(getattr(key, "STAND_INS", {})) == used
    # Each stands alone (the sandbox defines it from its source, with numpy as np), and the
    # reference solutions of the exercises that use it pass with it in place.
    stand_ins = runner.define_stand_ins(answers.stand_ins(chapter, used))
    solutions = chapter_namespace(chapter)
    for exercise in exercises:
        if exercise.uses:
            subject = solutions[exercise.subject]
            with core.helpers_in_place(subject, {helper.subject: stand_ins[helper.subject]
                                                 for helper in exercise.uses}):
                assert verdict_of(exercise, subject).passed, exercise.name
