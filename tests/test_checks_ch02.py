"""The checks of chapter 2: they catch typical bugs by name and pass correct code in any style."""
import numpy as np
import pytest

from conftest import graded_here
from course_utils import data
from course_utils.checks import CheckFailed, ch02

EXERCISES = ["forward", "mse", "exhaustive_search", "cost_surface"]


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
            (lambda *args: cost_surface(*args).T, "your surface is transposed"),
            (lambda *args: cost_surface(*args) * 3, "sum over the samples"),
            (lambda x, y, w, b: cost_surface(x, y, w, b * 0), "b is ignored"),
            (lambda *args: cost_surface(*args).tolist(), "expected a numpy array"),
            (lambda x, y, w, b: (forward(x[:, None, None], *np.meshgrid(w, b))
                                 - y[:, None, None]) ** 2, "per-sample losses"),
            (broadcast_error_surface, "give them two new axes, `x[:, None, None]`"),
            (lambda *args: cost_surface(*args) / 2, "halved"),
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
