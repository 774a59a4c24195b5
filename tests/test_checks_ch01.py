"""The checks of chapter 1: they catch typical bugs by name and pass correct code in any style."""
import numpy as np
import pytest

from conftest import chapter_namespace, verdict_of
from course_utils.checks import CheckFailed, ch01
from grading import answers

# Some typical bugs fit a polynomial of too high a degree for the samples; that is the point.
pytestmark = pytest.mark.filterwarnings("ignore:Polyfit may be poorly conditioned")

EXERCISES = ["samples_needed", "edge_fraction", "train_dev_test_split", "fit_errors", "de_db"]


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

def split_with(choose):
    """A split whose index arrays ``choose(rng, n, n_dev, n_test)`` gives as (train, dev, test)."""
    def train_dev_test_split(X, y, dev_frac, test_frac, seed):
        rng = np.random.default_rng(seed)
        n = len(X)
        train, dev, test = choose(rng, n, round(dev_frac * n), round(test_frac * n))
        return X[train], y[train], X[dev], y[dev], X[test], y[test]
    return train_dev_test_split


def cut(order, n_dev, n_test):
    return order[n_dev + n_test:], order[:n_dev], order[n_dev:n_dev + n_test]


def misaligned(X, y, dev_frac, test_frac, seed):
    rng = np.random.default_rng(seed)
    n_dev, n_test = round(dev_frac * len(X)), round(test_frac * len(X))
    rows = cut(rng.permutation(len(X)), n_dev, n_test)
    labels = cut(rng.permutation(len(X)), n_dev, n_test)  # a second, different shuffle
    return X[rows[0]], y[labels[0]], X[rows[1]], y[labels[1]], X[rows[2]], y[labels[2]]


def shuffles_in_place(X, y, dev_frac, test_frac, seed):
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(X))
    X[:], y[:] = X[order], y[order]
    n_dev, n_test = round(dev_frac * len(X)), round(test_frac * len(X))
    train, dev, test = cut(np.arange(len(X)), n_dev, n_test)
    return X[train], y[train], X[dev], y[dev], X[test], y[test]


def global_random(X, y, dev_frac, test_frac, seed):
    order = np.random.permutation(len(X))  # np.random's global state: the seed is unused
    train, dev, test = cut(order, round(dev_frac * len(X)), round(test_frac * len(X)))
    return X[train], y[train], X[dev], y[dev], X[test], y[test]


def polyfit_errors(fit_on, degree_change=0, measure=lambda errors: np.mean(errors ** 2),
                   evaluate=np.polyval):
    def fit_errors(x_train, y_train, x_dev, y_dev, degree):
        x_fit, y_fit = fit_on(x_train, y_train, x_dev, y_dev)
        coefficients = np.polyfit(x_fit, y_fit, degree + degree_change)
        return (measure(evaluate(coefficients, x_train) - y_train),
                measure(evaluate(coefficients, x_dev) - y_dev))
    return fit_errors


def on_train(x_train, y_train, x_dev, y_dev):
    return x_train, y_train


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
    "train_dev_test_split": [
        (misaligned, "pairs misaligned"),
        (split_with(lambda rng, n, d, t: (rng.permutation(n), *cut(rng.permutation(n), d, t)[1:])),
         "overlapping sets"),
        (split_with(lambda rng, n, d, t: (lambda o: (o[d + t:-1], o[:d], o[d:d + t]))(
            rng.permutation(n))), "1 of the 20 samples is lost"),
        (split_with(lambda rng, n, d, t: cut(rng.integers(0, n, n), d, t)), "more than once"),
        (split_with(lambda rng, n, d, t: cut(np.random.default_rng(0).permutation(n), d, t)),
         "ignores the seed"),
        (split_with(lambda rng, n, d, t: cut(np.arange(n), d, t)), "does not shuffle"),
        (global_random, "different split when called again with the same seed"),
        (split_with(lambda rng, n, d, t: cut(rng.permutation(n), t, d)), "swapped"),
        (split_with(lambda rng, n, d, t: cut(rng.permutation(n), d + 1, t)),
         "the dev set has 5 samples, expected round(0.2 · 20) = 4"),
        (lambda X, y, dev_frac, test_frac, seed: [(X, y), (X[:0], y[:0]), (X[:0], y[:0])],
         "not as three pairs"),
        (lambda X, y, dev_frac, test_frac, seed: (
            list(X), list(y), X[:0], y[:0], X[:0], y[:0]), "expected a numpy array"),
        (lambda X, y, dev_frac, test_frac, seed: (
            lambda p: (p[0], p[2], p[4], p[1], p[3], p[5]))(
            ch01_split(X, y, dev_frac, test_frac, seed)), "Is the order"),
        (lambda X, y, dev_frac, test_frac, seed: (X + 1, y, X[:0], y[:0], X[:0], y[:0]),
         "is not one of the samples given"),
        (lambda X, y, dev_frac, test_frac, seed: None, "`return` statement missing"),
    ],
    "fit_errors": [
        (lambda *args: polyfit_errors(on_train)(*args)[::-1], "errors are swapped"),
        (polyfit_errors(lambda xt, yt, xd, yd: (xd, yd)), "fitted on the dev set"),
        (polyfit_errors(lambda xt, yt, xd, yd: (np.r_[xt, xd], np.r_[yt, yd])),
         "training and dev data together"),
        (polyfit_errors(on_train, degree_change=1), "degree + 1"),
        (polyfit_errors(on_train, degree_change=-1), "degree - 1"),
        (polyfit_errors(on_train, measure=lambda errors: np.sum(errors ** 2)), "sums of squared"),
        (polyfit_errors(on_train, measure=lambda errors: np.sqrt(np.mean(errors ** 2))), "RMSE"),
        (polyfit_errors(on_train, evaluate=lambda c, x: np.polyval(c[::-1], x)), "reverse order"),
        (lambda *args: {"train": 0.0, "dev": 0.0}, "expected a tuple of two numbers"),
        (lambda x_train, y_train, x_dev, y_dev, degree: (x_train, x_dev),
         "train_mse is an array of shape (5,), expected one number"),
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


def ch01_split(X, y, dev_frac, test_frac, seed):
    return split_with(lambda rng, n, d, t: cut(rng.permutation(n), d, t))(
        X, y, dev_frac, test_frac, seed)


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
    "train_dev_test_split": {
        "Python's random with lists and int()": """
import random
def train_dev_test_split(X, y, dev_frac, test_frac, seed):
    indices = list(range(len(y)))
    random.Random(seed).shuffle(indices)
    n_dev, n_test = int(dev_frac * len(y)), int(test_frac * len(y))
    dev, test, train = indices[:n_dev], indices[n_dev:n_dev + n_test], indices[n_dev + n_test:]
    return X[train], y[train], X[dev], y[dev], X[test], y[test]
""",
        "a choice, sorted sets and prints": """
def train_dev_test_split(X, y, dev_frac, test_frac, seed):
    rng = np.random.default_rng(seed=seed)
    n = X.shape[0]
    test = np.sort(rng.choice(n, size=round(n * test_frac), replace=False))
    rest = np.setdiff1d(np.arange(n), test)
    dev = np.sort(rng.choice(rest, size=round(n * dev_frac), replace=False))
    train = np.setdiff1d(rest, dev)
    print("sizes:", len(train), len(dev), len(test))
    return X[train], y[train], X[dev], y[dev], X[test], y[test]
""",
        "a seeded global state and a list": """
def train_dev_test_split(X, y, dev_frac, test_frac, seed):
    np.random.seed(seed)
    order = np.random.permutation(len(X))
    n_test = round(test_frac * len(X))
    n_dev = round(dev_frac * len(X))
    test, dev, train = order[:n_test], order[n_test:n_test + n_dev], order[n_test + n_dev:]
    return [X[train], y[train], X[dev], y[dev], X[test], y[test]]
""",
    },
    "fit_errors": {
        "least squares on a Vandermonde matrix": """
def fit_errors(x_train, y_train, x_dev, y_dev, degree):
    A = np.vander(x_train, degree + 1)
    w, *_ = np.linalg.lstsq(A, y_train, rcond=None)
    train = np.mean((A @ w - y_train) ** 2)
    dev = np.mean((np.vander(x_dev, degree + 1) @ w - y_dev) ** 2)
    return [float(train), float(dev)]
""",
        "Polynomial.fit and a loop for the MSE": """
def fit_errors(x_train, y_train, x_dev, y_dev, degree):
    p = np.polynomial.Polynomial.fit(x_train, y_train, deg=degree)
    def mse(x, y):
        total = 0.0
        for x_n, y_n in zip(x, y):
            total += (p(x_n) - y_n) ** 2
        return total / len(x)
    print("coefficients:", p.convert().coef)
    return mse(x_train, y_train), mse(x_dev, y_dev)
""",
        "an array of two": """
def fit_errors(x_train, y_train, x_dev, y_dev, degree):
    c = np.polyfit(x_train, y_train, deg=degree)
    return np.array([np.mean((np.polyval(c, x) - y) ** 2)
                     for x, y in ((x_train, y_train), (x_dev, y_dev))])
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


def test_keyword_calls_of_the_reference_pass(reference):
    """The checks call positionally; a learner's keyword-only style still gets a fair run."""
    def split(X, y, dev_frac, test_frac, seed):
        return reference["train_dev_test_split"](X=X, y=y, dev_frac=dev_frac,
                                                 test_frac=test_frac, seed=seed)

    check("train_dev_test_split", split, hidden=True)


# ------------------------------------------------------------------ hidden data


def arguments(case):
    if "args" in case:
        return case["args"]
    return case["X"], case["y"], case["dev_frac"], case["test_frac"], case["seed"]


def memorised(exercise, reference):
    """An answer copied from the first visible case, returned whatever the input."""
    answer = reference(*arguments(exercise.cases(None)[0]))
    return lambda *args: answer


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


def test_an_in_place_shuffle_is_advice_not_a_failure(capsys):
    """Seen in the learner's process, where it could be hidden: it never decides a grade."""
    check("train_dev_test_split", shuffles_in_place)
    assert "shuffled its input X and y in place" in capsys.readouterr().out


def test_split_check_sees_the_caller_data_unchanged(reference):
    """The check hands each call its own copy: a learner's in-place shuffle spoils nothing."""
    case = ch01.train_dev_test_split.cases(None)[0]
    observed = ch01.train_dev_test_split.run(shuffles_in_place, case)
    assert observed["first"]["changed"] == [0, 1]
    np.testing.assert_array_equal(case["X"], np.arange(40.0).reshape(20, 2))
