"""The checks of chapter 1: they catch typical bugs by name and pass correct code in any style."""
import numpy as np
import pytest

from conftest import chapter_namespace, verdict_of
from course_utils.checks import CheckFailed, ch01
from grading import answers

EXERCISES = ["samples_needed", "edge_fraction", "de_db"]


@pytest.fixture(scope="module")
def reference():
    """Chapter 1's reference solutions, taken from its source notebook."""
    return chapter_namespace(ch01.CHAPTER)


def check(name, fn, seed=None, hidden=False):
    """Run chapter 1's check ``name`` on ``fn`` in this process, as a test cell does."""
    getattr(ch01, name)(fn, seed=seed, hidden=hidden)


def defined(source, name):
    """The function ``name`` that ``source`` (a learner's cell) defines."""
    namespace = {"np": np}
    exec(source, namespace)
    return namespace[name]


# ------------------------------------------------------------------ typical bugs

BUGS = {
    "samples_needed": [
        (lambda points_per_axis, dims: points_per_axis * dims, "grows linearly"),
        (lambda points_per_axis, dims: dims ** points_per_axis,
         "the exponent is the number of dimensions"),
        (lambda points_per_axis, dims: points_per_axis ** (dims - 1), "the exponent is dims"),
        (lambda points_per_axis, dims: points_per_axis ^ dims, "`^` is XOR"),
        (lambda points_per_axis, dims: int(np.power(points_per_axis, dims)), "int64"),
        (lambda points_per_axis, dims: [points_per_axis] * dims, "expected a single number"),
        (lambda points_per_axis, dims: None, "`return` statement missing"),
    ],
    "edge_fraction": [
        (lambda eps, dims: (1 - 2 * eps) ** dims, "volume of the inner cube"),
        (lambda eps, dims: 1 - (1 - eps) ** dims, "either face, 0 or 1"),
        (lambda eps, dims: 2 * eps * dims, "counts the edges and corners"),
        (lambda eps, dims: 1 - (1 - 2 * eps) ^ dims, "`^` is XOR"),
        (lambda eps, dims: f"{1 - (1 - 2 * eps) ** dims:.3f}", "expected a single number"),
    ],
    "de_db": [
        (lambda a, b: b + 1, "only the path b → c → e"),
        (lambda a, b: a + b, "only the path b → d → e"),
        (lambda a, b: (a + b) * (b + 1), "paths' products multiplied"),
        (lambda a, b: (b + 1 + 1) + (a + b + 1), "local derivatives were added"),
        (lambda a, b: ((a + b + 1e-6) * (b + 1e-6 + 1) - (a + b) * (b + 1)) / 1e-6,
         "finite difference"),
        (lambda a, b: [b + 1, a + b], "these are the two paths' products"),
        (lambda a, b: None, "`return` statement missing"),
    ],
}


@pytest.mark.parametrize("name,index", [(name, i) for name, bugs in BUGS.items()
                                        for i in range(len(bugs))])
def test_typical_bug_gets_a_specific_message(name, index):
    buggy, words = BUGS[name][index]
    with pytest.raises(CheckFailed) as failure:
        check(name, buggy)
    message = str(failure.value)
    assert words in message, message
    assert "Traceback" not in message and "np.float64" not in message


def test_forward_differences_fail_with_every_step():
    """Only the exact derivative passes: a small step loses digits on large numbers."""
    def forward_difference(h):
        def de_db(a, b):
            return ((a + b) * (b + h + 1) - (a + b) * (b + 1)) / h
        return de_db

    for h in (1e-2, 1e-4, 1e-6, 1e-8):
        with pytest.raises(CheckFailed):
            check("de_db", forward_difference(h))


def test_messages_show_expected_and_actual():
    with pytest.raises(CheckFailed) as failure:
        check("edge_fraction", lambda eps, dims: (1 - 2 * eps) ** dims)
    assert "edge_fraction(0.1, 3) returned 0.512, expected 0.488" in str(failure.value)
    with pytest.raises(CheckFailed) as failure:
        check("de_db", lambda a, b: b + 1)
    assert "de_db(2.0, 1.0) returned 2.0, expected 5.0" in str(failure.value)
    with pytest.raises(CheckFailed) as failure:
        check("samples_needed", lambda points_per_axis, dims: points_per_axis * dims)
    assert "samples_needed(5, 3) returned 15, expected 125" in str(failure.value)


# ------------------------------------------------------------------ correct code in other styles

CORRECT_STYLES = {
    "samples_needed": {
        "a loop": """
def samples_needed(points_per_axis, dims):
    total = 1
    for _ in range(dims):
        total *= points_per_axis
    return total
""",
        "a float power and a print": """
import math
def samples_needed(points_per_axis, dims):
    print("grid of", points_per_axis, "per axis in", dims, "dimensions")
    return math.pow(points_per_axis, dims)
""",
    },
    "edge_fraction": {
        "float32": """
def edge_fraction(eps, dims):
    inner = np.float32(1.0) - np.float32(2.0) * np.float32(eps)
    return float(1 - inner ** dims)
""",
        "a loop over the axes": """
def edge_fraction(eps, dims):
    inside = 1.0
    for axis in range(dims):
        inside = inside * (1 - eps - eps)
    return 1 - inside
""",
        "a numpy array": """
def edge_fraction(eps, dims):
    return 1.0 - np.prod(np.full(dims, 1.0 - 2.0 * eps))
""",
    },
    "de_db": {
        "a dict of local derivatives": """
def de_db(a, b):
    c, d = a + b, b + 1
    local = {("e", "c"): d, ("e", "d"): c, ("c", "b"): 1, ("d", "b"): 1}
    paths = [[("c", "b"), ("e", "c")], [("d", "b"), ("e", "d")]]
    total = 0
    for path in paths:
        product = 1
        for edge in path:
            product *= local[edge]
        total += product
    return total
""",
        "numpy scalars and a print": """
def de_db(a, b):
    c = np.float64(a) + b
    d = np.float64(b) + 1
    print("paths:", d, c)
    return np.array(d * 1 + c * 1)
""",
    },
}


@pytest.mark.parametrize("name,style", [(name, style) for name, styles in CORRECT_STYLES.items()
                                        for style in styles])
def test_correct_code_in_other_styles_passes(name, style):
    fn = defined(CORRECT_STYLES[name][style], name)
    check(name, fn)
    check(name, fn, hidden=True)


# ------------------------------------------------------------------ hidden data


def memorised(exercise, reference):
    """An answer copied from the first visible case, returned whatever the input."""
    case = exercise.cases(None)[0]
    answer = reference(*case["args"], **case["kwargs"])
    return lambda *args, **kwargs: answer


@pytest.mark.parametrize("name", EXERCISES)
def test_hard_coded_answers_fail_hidden_data(reference, name):
    """The visible answers returned whatever the input: the hidden cases catch it."""
    exercise = getattr(ch01, name)
    answer = memorised(exercise, reference[name])
    for seed in exercise.hidden_seeds:
        assert not verdict_of(exercise, answer, seed).passed


@pytest.mark.parametrize("name", EXERCISES)
def test_hidden_cases_differ_by_seed(name):
    exercise = getattr(ch01, name)
    first, second = (exercise.cases(seed) for seed in exercise.hidden_seeds)
    assert repr(first) != repr(second)


def test_the_lectures_derivative(reference):
    assert reference["de_db"](2.0, 1.0) == 5.0
    assert answers.key(ch01.CHAPTER).de_db({"args": (2.0, 1.0)})["expected"] == 5.0
