"""The checks of chapter 2: they catch typical bugs by name and pass correct code in any style."""
import numpy as np
import pytest

from conftest import graded_here, verdict_of
from course_utils import data
from course_utils.checks import CheckFailed, ch02

EXERCISES = ["train_dev_test_split", "fit_errors", "forward", "mse", "exhaustive_search",
             "cost_surface"]


def check(name, fn, seed=None):
    """Run chapter 2's check ``name`` on ``fn`` in this process, as a test cell does."""
    getattr(ch02, name)(fn, seed=seed)


def bugs(solutions):
    """Typical mistakes, each with the words its message must contain."""
    forward, mse = solutions["forward"], solutions["mse"]
    exhaustive_search, cost_surface = solutions["exhaustive_search"], solutions["cost_surface"]

    def search_returning(pick):
        def search(x, y, w_grid):
            best_w, costs = exhaustive_search(x, y, w_grid)
            return pick(w_grid, np.asarray(costs))
        return search

    def summing_search(x, y, w_grid):
        best_w, costs = exhaustive_search(x, y, w_grid)
        return best_w, costs * len(x)

    def broadcast_error_surface(x, y, w_grid, b_grid):
        w_mesh, b_mesh = np.meshgrid(w_grid, b_grid)
        return np.mean((x * w_mesh + b_mesh - y) ** 2, axis=0)

    def loop_surface(x, y, w_grid, b_grid):
        return np.array([[mse(forward(x, w, b), y) for w in w_grid] for b in b_grid])

    def index_loop_surface(x, y, w_grid, b_grid):
        surface = np.empty((len(b_grid), len(w_grid)))
        for i in range(len(b_grid)):
            for j in range(len(w_grid)):
                surface[i, j] = mse(forward(x, w_grid[j], b_grid[i]), y)
        return surface

    return {
        "forward": [
            (lambda x, w, b=0.0: x + w + b, "added x and w"),
            (lambda x, w, b=0.0: x * w, "b is ignored"),
            (lambda x, w, b=0.0: x * (w + b), "x·(w + b)"),
            (lambda x, w, b=0.0: [x * w + b], "returned a list"),
            (lambda x, w, b=0.0: None, "`return` statement missing"),
            (lambda x, w, b=0.0: x ^ w + b, "`^` is XOR"),
            (lambda x, w, b=0.0: np.array([xi * w + b for xi in x]), "loop or list comprehension"),
            (lambda x, w, b=0.0: x ** w + b, "x ** w"),
            (lambda x, w, b=0.0: x * w * b, "multiplied by b"),
            (lambda x, w, b=0.0: float(x * w + b), "raised TypeError"),
        ],
        "mse": [
            (lambda y_hat, y: np.sum((y_hat - y) ** 2), "summed the squared errors"),
            (lambda y_hat, y: np.mean(y_hat - y), "not squared"),
            (lambda y_hat, y: np.mean(np.abs(y_hat - y)), "absolute errors"),
            (lambda y_hat, y: np.sqrt(np.mean((y_hat - y) ** 2)), "RMSE"),
            (lambda y_hat, y: (y_hat - y) ** 2, "per-sample losses"),
            (lambda y_hat, y: np.sum((y_hat - y) ** 2) / (len(y) - 1), "n - 1"),
            (lambda y_hat, y: np.sum((y_hat - y) ** 2) / 3, "fixed 3"),
            (lambda y_hat, y: np.mean((y_hat - y) ** 2) / 2, "½·MSE"),
            (lambda y_hat, y: np.mean((y_hat - y) ^ 2), "`^` is XOR"),
            (lambda y_hat, y: np.mean(y_hat - y) ** 2, "expected 4.666666666666667"),
        ],
        "exhaustive_search": [
            (search_returning(lambda g, c: (int(np.argmin(c)), c)), "index of the best w"),
            (search_returning(lambda g, c: (c.min(), c)), "least cost"),
            (search_returning(lambda g, c: (g[np.argmax(c)], c)), "largest cost"),
            (summing_search, "sum over the samples"),
            (search_returning(lambda g, c: {"best": g[np.argmin(c)]}), "expected a tuple"),
            (search_returning(lambda g, c: (c, g[np.argmin(c)])), "the order is (best_w, costs)"),
            (search_returning(lambda g, c: (g[np.argmin(c)], c[:-1])), "shape"),
            (lambda x, y, w_grid: None, "`return` statement missing"),
        ],
        "cost_surface": [
            (lambda x, y, w_grid, b_grid: cost_surface(x, y, w_grid, b_grid).T,
             "your surface is transposed"),
            (lambda x, y, w_grid, b_grid: cost_surface(x, y, w_grid, b_grid) * 3,
             "sum over the samples"),
            (lambda x, y, w_grid, b_grid: cost_surface(x, y, w_grid, b_grid * 0), "b is ignored"),
            (lambda x, y, w_grid, b_grid: cost_surface(x, y, w_grid, b_grid).tolist(),
             "expected a numpy array"),
            (lambda x, y, w_grid, b_grid: (forward(x[:, None, None], *np.meshgrid(w_grid, b_grid))
                                           - y[:, None, None]) ** 2, "per-sample losses"),
            (broadcast_error_surface, "give them two new axes, `x[:, None, None]`"),
            (lambda x, y, w_grid, b_grid: cost_surface(x, y, w_grid, b_grid) / 2, "halved"),
        ],
    }


BUG_COUNTS = {"forward": 10, "mse": 10, "exhaustive_search": 8, "cost_surface": 7}


def _cases():
    return [(name, i) for name, count in BUG_COUNTS.items() for i in range(count)]


@pytest.mark.parametrize("name,case", _cases())
def test_typical_bug_gets_a_specific_message(solutions, name, case):
    buggy, words = bugs(solutions)[name][case]
    with pytest.raises(CheckFailed) as failure:
        check(name, buggy)
    assert words in str(failure.value)


def test_every_bug_case_is_tested(solutions):
    assert {name: len(cases) for name, cases in bugs(solutions).items()} == BUG_COUNTS


def test_message_shows_expected_and_actual(solutions):
    with pytest.raises(CheckFailed) as failure:
        check("mse", lambda y_hat, y: np.sum((y_hat - y) ** 2))
    assert "returned 14.0, expected 4.666666666666667" in str(failure.value)


def hard_coded(solutions):
    """Answers copied for the lecture's data: right there, wrong anywhere else."""
    x, y = data.hours_points()
    w_grid = data.lecture_w_grid()
    lecture_search = solutions["exhaustive_search"](x, y, w_grid)
    surface_grids = (np.arange(0.0, 4.1, 0.5), np.arange(-2.0, 2.1, 1.0))
    lecture_surface = solutions["cost_surface"](x, y, *surface_grids)
    return {
        "exhaustive_search": lambda x, y, w_grid: lecture_search,
        "cost_surface": lambda x, y, w_grid, b_grid: lecture_surface,
    }


@pytest.mark.parametrize("name", ["exhaustive_search", "cost_surface"])
def test_hard_coded_answer_fails_hidden_data(solutions, name):
    answer = hard_coded(solutions)[name]
    for seed in getattr(ch02, name).hidden_seeds:
        with pytest.raises(CheckFailed):
            check(name, answer, seed=seed)


def test_visible_mse_check_catches_a_hard_coded_lecture_value():
    with pytest.raises(CheckFailed, match="expected 0.9"):
        check("mse", lambda y_hat, y: 14 / 3)


def test_hidden_data_depends_on_the_seed():
    x1, y1, _ = ch02._random_line(1)
    x2, y2, _ = ch02._random_line(2)
    assert not (len(x1) == len(x2) and np.allclose(x1, x2))
    visible_x, _ = data.hours_points()
    assert not (len(x1) == len(visible_x) and np.allclose(x1, visible_x))


NOTEBOOK_WITH_BROKEN_HELPERS = """
import numpy as np

def forward(x, w, b=0.0):
    return x + w + b            # Exercise 1 wrong

def mse(y_hat, y):
    return np.sum((y_hat - y) ** 2)   # Exercise 2 wrong

def exhaustive_search(x, y, w_grid):
    costs = np.array([mse(forward(x, w), y) for w in w_grid])
    return w_grid[np.argmin(costs)], costs

def cost_surface(x, y, w_grid, b_grid):
    w_mesh, b_mesh = np.meshgrid(w_grid, b_grid)
    y_hat = forward(x[:, None, None], w_mesh, b_mesh)
    return np.mean((y_hat - y[:, None, None]) ** 2, axis=0)
"""


def test_a_bug_in_forward_or_mse_costs_only_their_own_exercises():
    """The grader checks the exercises that use them with its own correct ones."""
    namespace = {}
    exec(NOTEBOOK_WITH_BROKEN_HELPERS, namespace)
    broken_forward, broken_mse = namespace["forward"], namespace["mse"]
    graded = graded_here(ch02.CHAPTER, namespace)
    assert {name: passed for name, (passed, _) in graded.items()} == {
        "train_dev_test_split": False, "fit_errors": False,  # not in this notebook
        "forward": False, "mse": False, "exhaustive_search": True, "cost_surface": True}
    assert "Checked with a correct forward and mse in place of yours" in \
        graded["exhaustive_search"][1]
    assert namespace["forward"] is broken_forward and namespace["mse"] is broken_mse, \
        "the learner's own functions must be back after the check"


def test_in_the_notebook_a_check_says_its_helpers_fail_their_own_check():
    namespace = {}
    exec(NOTEBOOK_WITH_BROKEN_HELPERS.replace("np.argmin", "np.argmax"), namespace)
    with pytest.raises(CheckFailed) as failure:
        check("exhaustive_search", namespace["exhaustive_search"])
    assert "This check runs your forward and mse, which do not pass their own check yet" \
        in str(failure.value)


VECTORISED_VARIANTS = {
    "broadcasting without meshgrid": """
def cost_surface(x, y, w_grid, b_grid):
    y_hat = x[:, None, None] * w_grid[None, None, :] + b_grid[None, :, None]
    return ((y_hat - y[:, None, None]) ** 2).mean(axis=0)
""",
    "np.add.outer and prints": """
def cost_surface(x, y, w_grid, b_grid):
    print(w_grid, b_grid)
    step = w_grid[1] - w_grid[0]
    y_hat = np.multiply.outer(x, w_grid)[:, None, :] + b_grid[None, :, None]
    surface = np.mean((y_hat - y[:, None, None]) ** 2, axis=0)
    print(surface, min(surface.ravel()), step)
    return surface
""",
    "a loop over the samples only": """
def cost_surface(x, y, w_grid, b_grid):
    w_mesh, b_mesh = np.meshgrid(w_grid, b_grid)
    total = np.zeros_like(w_mesh)
    for x_n, y_n in zip(x, y):
        total = total + (x_n * w_mesh + b_mesh - y_n) ** 2
    return total / len(x)
""",
}

LOOP_VARIANTS = {
    "np.asarray then a double loop": """
def cost_surface(x, y, w_grid, b_grid):
    w_grid, b_grid = np.asarray(w_grid), np.asarray(b_grid)
    return np.array([[np.mean((x * w + b - y) ** 2) for w in w_grid] for b in b_grid])
""",
    "tolist": """
def cost_surface(x, y, w_grid, b_grid):
    return np.array([[np.mean((x * w + b - y) ** 2) for w in w_grid.tolist()]
                     for b in b_grid.tolist()])
""",
    "index loop": """
def cost_surface(x, y, w_grid, b_grid):
    surface = np.zeros((len(b_grid), len(w_grid)))
    for i in range(len(b_grid)):
        for j in range(len(w_grid)):
            surface[i, j] = np.mean((x * w_grid[j] + b_grid[i] - y) ** 2)
    return surface
""",
    "np.vectorize": """
def cost_surface(x, y, w_grid, b_grid):
    w_mesh, b_mesh = np.meshgrid(w_grid, b_grid)
    return np.vectorize(lambda w, b: np.mean((x * w + b - y) ** 2))(w_mesh, b_mesh)
""",
    "a loop over rows": """
def cost_surface(x, y, w_grid, b_grid):
    return np.array([np.mean((x[:, None] * w_grid + b - y[:, None]) ** 2, axis=0)
                     for b in b_grid])
""",
}


def _defined(source):
    namespace = {"np": np}
    exec(source, namespace)
    return namespace["cost_surface"]


@pytest.mark.parametrize("variant", VECTORISED_VARIANTS)
def test_vectorised_variants_pass(variant, capsys):
    check("cost_surface", _defined(VECTORISED_VARIANTS[variant]))
    check("cost_surface", _defined(VECTORISED_VARIANTS[variant]), seed=3)


@pytest.mark.parametrize("variant", LOOP_VARIANTS)
def test_loops_over_the_grid_get_advice(variant, capsys):
    """Counted in the learner's process, where a submission could switch the count off:
    advice, never a lost point."""
    check("cost_surface", _defined(LOOP_VARIANTS[variant]))
    assert "seems to loop over the grid in Python" in capsys.readouterr().out


def test_changing_an_input_in_place_is_advice(capsys):
    """Seen in the learner's process, like the loop count: advice only."""
    def in_place_mse(y_hat, y):
        y_hat -= y
        return np.mean(y_hat ** 2)

    check("mse", in_place_mse)
    assert "changed its input y_hat in place" in capsys.readouterr().out


def test_loop_check_gives_a_debuggers_tracer_back():
    import sys

    def tracer(frame, event, arg):
        return None

    sys.settrace(tracer)
    try:
        check("cost_surface", _defined(VECTORISED_VARIANTS["broadcasting without meshgrid"]))
        assert sys.gettrace() is tracer
    finally:
        sys.settrace(None)


def test_messages_show_plain_numbers(solutions):
    def summing_search(x, y, w_grid):
        best_w, costs = solutions["exhaustive_search"](x, y, w_grid)
        return best_w, costs * len(x)

    with pytest.raises(CheckFailed) as failure:
        check("exhaustive_search", summing_search)
    assert "np.float64" not in str(failure.value)
    assert "is 108.75, expected 27.1875" in str(failure.value)


CORRECT_STYLES = {
    "forward": {
        "np.multiply and np.add": """
def forward(x, w, b=0.0):
    return np.add(np.multiply(x, w), b)
""",
        "prints and keyword b": """
def forward(x, w, b=0.0):
    print("forward called with", x, w, b)
    y_hat = x * w
    y_hat = y_hat + b
    return y_hat
""",
    },
    "mse": {
        "the lecture's loop over samples": """
def mse(y_hat, y):
    total = 0.0
    for y_hat_n, y_n in zip(y_hat, y):
        total += (y_hat_n - y_n) ** 2
    return total / len(y)
""",
        "an axis keyword": """
def mse(y_hat, y, axis=None):
    return ((np.asarray(y_hat) - np.asarray(y)) ** 2).mean(axis=axis)
""",
        "float32": """
def mse(y_hat, y):
    return float(np.mean((y_hat.astype(np.float64) - y) ** 2))
""",
    },
    "exhaustive_search": {
        "the lecture's loop with lists": """
def exhaustive_search(x, y, w_grid):
    w_list, mse_list = [], []
    for w in w_grid:
        l_sum = 0
        for x_val, y_val in zip(x, y):
            l_sum += (forward(x_val, w) - y_val) ** 2
        w_list.append(w)
        mse_list.append(l_sum / len(x))
    return w_list[mse_list.index(min(mse_list))], mse_list
""",
        "a list of length two": """
def exhaustive_search(x, y, w_grid):
    costs = np.array([mse(forward(x, w), y) for w in w_grid])
    return [w_grid[np.argmin(costs)], costs]
""",
    },
    "cost_surface": {
        "mse called with an extra keyword": """
def cost_surface(x, y, w_grid, b_grid):
    W, B = np.meshgrid(w_grid, b_grid)
    return mse(forward(x[:, None, None], W, B), y[:, None, None], axis=0)
""",
    },
}

HELPERS = """
import numpy as np

def forward(x, w, b=0.0):
    return x * w + b

def mse(y_hat, y, axis=None):
    return np.mean((y_hat - y) ** 2, axis=axis)
"""


@pytest.mark.parametrize("name,style", [(name, style) for name, styles in CORRECT_STYLES.items()
                                        for style in styles])
def test_correct_code_in_other_styles_passes(name, style):
    namespace = {}
    exec(HELPERS + CORRECT_STYLES[name][style], namespace)
    for seed in (None, *getattr(ch02, name).hidden_seeds):
        check(name, namespace[name], seed=seed)


def test_a_wrong_helper_is_replaced_by_one_taking_the_same_extra_arguments():
    namespace = {}
    exec(HELPERS + CORRECT_STYLES["cost_surface"]["mse called with an extra keyword"]
         + "\ndef mse(y_hat, y, axis=None):\n    return np.sum((y_hat - y) ** 2, axis=axis)\n",
         namespace)
    graded = graded_here(ch02.CHAPTER, namespace)
    assert graded["cost_surface"][0] and not graded["mse"][0]


def test_a_bug_in_the_search_says_which_helper_was_replaced():
    namespace = {}
    exec(HELPERS + "def mse(y_hat, y):\n    return np.sum((y_hat - y) ** 2)\n"
         "def exhaustive_search(x, y, w_grid):\n"
         "    costs = np.array([mse(forward(x, w), y) for w in w_grid])\n"
         "    return w_grid[np.argmax(costs)], costs\n", namespace)
    passed, message = graded_here(ch02.CHAPTER, namespace)["exhaustive_search"]
    assert not passed and "largest cost" in message
    assert "Checked with a correct mse in place of yours" in message


def test_forward_that_passes_works_where_the_chapter_uses_it(solutions):
    """forward(x[:, None, None], W, B) is how cost_surface and plots call it."""
    def scalar_only(x, w, b=0.0):
        return x * w + b if np.ndim(x) == 0 or np.ndim(w) == 0 else np.dot(x, w) + b

    with pytest.raises(CheckFailed) as failure:
        check("forward", scalar_only)
    assert "as the cost surface calls it" in str(failure.value)


# ------------------------------------------------------------------ train_dev_test_split, fit_errors
# Some typical bugs fit a polynomial of too high a degree for the samples; that is the point.
polyfit_warnings = pytest.mark.filterwarnings("ignore:Polyfit may be poorly conditioned")


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


def seed_zero_is_no_seed(X, y, dev_frac, test_frac, seed):
    """`if seed:` is False for 0: the notebook's own seed silently disables the shuffle."""
    order = np.random.default_rng(seed).permutation(len(X)) if seed else np.arange(len(X))
    train, dev, test = cut(order, round(dev_frac * len(X)), round(test_frac * len(X)))
    return X[train], y[train], X[dev], y[dev], X[test], y[test]


def seed_zero_unseeded(X, y, dev_frac, test_frac, seed):
    """`default_rng(seed) if seed else default_rng()`: seed 0 gives a new split every call."""
    rng = np.random.default_rng(seed) if seed else np.random.default_rng()
    train, dev, test = cut(rng.permutation(len(X)), round(dev_frac * len(X)),
                           round(test_frac * len(X)))
    return X[train], y[train], X[dev], y[dev], X[test], y[test]


SPLIT_AND_FIT_BUGS = {
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
            reference_split(X, y, dev_frac, test_frac, seed)), "Is the order"),
        (lambda X, y, dev_frac, test_frac, seed: (X + 1, y, X[:0], y[:0], X[:0], y[:0]),
         "is not one of the samples given"),
        (lambda X, y, dev_frac, test_frac, seed: None, "`return` statement missing"),
        (seed_zero_is_no_seed, "seed 0 is taken for no seed: `if seed:` is False for 0"),
        (seed_zero_unseeded, "seed 0 is taken for no seed"),
        (lambda X, y, dev, test, seed: reference_split(X, y, dev, test, seed),
         "unexpected keyword argument 'dev_frac'"),
    ],
    "fit_errors": [
        (lambda x_train, y_train, x_dev, y_dev, degree: polyfit_errors(on_train)(
            x_train, y_train, x_dev, y_dev, degree)[::-1], "errors are swapped"),
        (polyfit_errors(lambda xt, yt, xd, yd: (xd, yd)), "fitted on the dev set"),
        (polyfit_errors(lambda xt, yt, xd, yd: (np.r_[xt, xd], np.r_[yt, yd])),
         "training and dev data together"),
        (polyfit_errors(on_train, degree_change=1), "degree + 1"),
        (polyfit_errors(on_train, degree_change=-1), "degree - 1"),
        (polyfit_errors(on_train, measure=lambda errors: np.sum(errors ** 2)), "sums of squared"),
        (polyfit_errors(on_train, measure=lambda errors: np.sqrt(np.mean(errors ** 2))), "RMSE"),
        (polyfit_errors(on_train, evaluate=lambda c, x: np.polyval(c[::-1], x)), "reverse order"),
        (lambda x_train, y_train, x_dev, y_dev, degree: {"train": 0.0, "dev": 0.0},
         "expected a tuple of two numbers"),
        (lambda x_train, y_train, x_dev, y_dev, degree: (x_train, x_dev),
         "train_mse is an array of shape (5,), expected one number"),
    ],
}


def reference_split(X, y, dev_frac, test_frac, seed):
    return split_with(lambda rng, n, d, t: cut(rng.permutation(n), d, t))(
        X, y, dev_frac, test_frac, seed)


@polyfit_warnings
@pytest.mark.parametrize("name,index", [(name, i) for name, bugs in SPLIT_AND_FIT_BUGS.items()
                                        for i in range(len(bugs))])
def test_typical_split_and_fit_bugs_get_a_specific_message(name, index):
    buggy, words = SPLIT_AND_FIT_BUGS[name][index]
    with pytest.raises(CheckFailed) as failure:
        check(name, buggy)
    message = str(failure.value)
    assert words in message, message
    assert "Traceback" not in message and "np.float64" not in message


def test_a_split_ignoring_seed_0_fails_hidden_cases_too_in_fixed_words():
    """Seed 0 is among the visible and the hidden cases' seeds; the hidden message names the
    bug without the case's numbers."""
    exercise = ch02.train_dev_test_split
    assert 0 in [exercise.cases(None)[0]["seed"], *exercise.cases(None)[1]["other_seeds"]]
    for seed in exercise.hidden_seeds:
        verdict = verdict_of(exercise, seed_zero_is_no_seed, seed)
        assert not verdict.passed
        assert verdict.message == (
            "train_dev_test_split(X, y, dev_frac, test_frac, seed) on hidden data: with one of "
            "the seeds it does not shuffle.\nLikely bug: " + ch02.SEED_ZERO_BUG)


SPLIT_AND_FIT_STYLES = {
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
}


@polyfit_warnings
@pytest.mark.parametrize("name,style", [(name, style)
                                        for name, styles in SPLIT_AND_FIT_STYLES.items()
                                        for style in styles])
def test_correct_split_and_fit_in_other_styles_pass(name, style):
    namespace = {"np": np}
    exec(SPLIT_AND_FIT_STYLES[name][style], namespace)
    fn = namespace[name]
    check(name, fn)
    check(name, fn, seed=ch02.__dict__[name].hidden_seeds[0])


def test_the_notebooks_keyword_calls_are_among_the_visible_cases():
    """Each exercise is run as the notebook's cells call it: by the signature's names."""
    for exercise in ch02.EXERCISES:
        cases = exercise.cases(None)
        passed = [case.get("kwargs", {}) for case in cases] if exercise.name != \
            "train_dev_test_split" else [{"seed": case["seed"]} for case in cases]
        assert any(passed), exercise.name


def test_a_positional_only_learner_function_fails_with_a_message_that_says_why(solutions):
    def mse(a, b):  # works positionally, not as the notebook calls it, mse(y_hat=..., y=...)
        return solutions["mse"](a, b)

    with pytest.raises(CheckFailed, match="keep the parameters' names"):
        check("mse", mse)


def test_an_in_place_shuffle_is_advice_not_a_failure(capsys):
    """Seen in the learner's process, where it could be hidden: it never decides a grade."""
    check("train_dev_test_split", shuffles_in_place)
    assert "shuffled its input X and y in place" in capsys.readouterr().out


def test_split_check_sees_the_caller_data_unchanged():
    """The check hands each call its own copy: a learner's in-place shuffle spoils nothing."""
    case = ch02.train_dev_test_split.cases(None)[0]
    observed = ch02.train_dev_test_split.run(shuffles_in_place, case)
    assert observed["first"]["changed"] == [0, 1]
    np.testing.assert_array_equal(case["X"], np.arange(40.0).reshape(20, 2))
