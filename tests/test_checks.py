"""The checks of chapter 2: they pass the solutions and catch typical bugs by name."""
import numpy as np
import pytest

from course_utils import checks, data

EXERCISES = ["forward", "mse", "exhaustive_search", "cost_surface"]
SEEDS = [None, 0, 1, 2, 20_121, 20_421]


@pytest.mark.parametrize("name", EXERCISES)
@pytest.mark.parametrize("seed", SEEDS)
def test_solution_passes(solutions, name, seed):
    getattr(checks, name)(solutions[name], seed=seed)


@pytest.mark.parametrize("name", EXERCISES)
def test_stub_fails_with_not_implemented(stubs, name):
    with pytest.raises(checks.CheckFailed, match=f"{name} is not implemented yet"):
        getattr(checks, name)(stubs[name])


def test_check_failure_is_an_assertion_error():
    """nbgrader counts a test cell as failed when it raises; AssertionError reads right."""
    assert issubclass(checks.CheckFailed, AssertionError)


def bugs(solutions):
    """Typical mistakes, each with the words its message must contain."""
    forward, mse = solutions["forward"], solutions["mse"]
    exhaustive_search, cost_surface = solutions["exhaustive_search"], solutions["cost_surface"]

    def search_returning(pick):
        def search(x, y, w_grid):
            best_w, costs = exhaustive_search(x, y, w_grid)
            return pick(w_grid, np.asarray(costs))
        return search

    def in_place_forward(x, w, b=0.0):
        if isinstance(x, np.ndarray):
            x *= w
            x += b
            return x
        return x * w + b

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
            (lambda x, w, b=0.0: None, "forget the `return`"),
            (in_place_forward, "changed x in place"),
        ],
        "mse": [
            (lambda y_hat, y: np.sum((y_hat - y) ** 2), "summed the squared errors"),
            (lambda y_hat, y: np.mean(y_hat - y), "not squared"),
            (lambda y_hat, y: np.mean(np.abs(y_hat - y)), "absolute errors"),
            (lambda y_hat, y: np.sqrt(np.mean((y_hat - y) ** 2)), "RMSE"),
            (lambda y_hat, y: (y_hat - y) ** 2, "per-sample losses"),
            (lambda y_hat, y: np.sum((y_hat - y) ** 2) / (len(y) - 1), "n - 1"),
            (lambda y_hat, y: np.sum((y_hat - y) ** 2) / 3, "fixed 3"),
        ],
        "exhaustive_search": [
            (search_returning(lambda g, c: (int(np.argmin(c)), c)), "index of the best w"),
            (search_returning(lambda g, c: (c.min(), c)), "least cost"),
            (search_returning(lambda g, c: (g[np.argmax(c)], c)), "largest cost"),
            (search_returning(lambda g, c: (g[np.argmin(c)], c * 3)), "sum over the samples"),
            (search_returning(lambda g, c: [g[np.argmin(c)], c]), "expected a tuple"),
            (search_returning(lambda g, c: (g[np.argmin(c)], c[:-1])), "shape"),
        ],
        "cost_surface": [
            (lambda *args: cost_surface(*args).T, "your surface is transposed"),
            (lambda *args: cost_surface(*args) * 3, "sum over the samples"),
            (lambda x, y, w, b: cost_surface(x, y, w, b * 0), "b is ignored"),
            (lambda *args: cost_surface(*args).tolist(), "expected a numpy array"),
            (lambda x, y, w, b: (forward(x[:, None, None], *np.meshgrid(w, b))
                                 - y[:, None, None]) ** 2, "per-sample losses"),
            (loop_surface, "loops over the grid in Python"),
            (index_loop_surface, "loops over the grid in Python"),
        ],
    }


def _cases():
    names = {"forward": 6, "mse": 7, "exhaustive_search": 6, "cost_surface": 7}
    return [(name, i) for name, count in names.items() for i in range(count)]


@pytest.mark.parametrize("name,case", _cases())
def test_typical_bug_gets_a_specific_message(solutions, name, case):
    buggy, words = bugs(solutions)[name][case]
    buggy.__name__ = name
    with pytest.raises(checks.CheckFailed) as failure:
        getattr(checks, name)(buggy)
    assert words in str(failure.value)


def test_every_bug_case_is_tested(solutions):
    assert {name: len(cases) for name, cases in bugs(solutions).items()} == dict(
        (name, sum(1 for n, _ in _cases() if n == name)) for name in EXERCISES)


def test_message_shows_expected_and_actual(solutions):
    with pytest.raises(checks.CheckFailed) as failure:
        checks.mse(lambda y_hat, y: np.sum((y_hat - y) ** 2))
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
def test_hard_coded_answer_passes_visible_but_fails_hidden_data(solutions, name):
    answer = hard_coded(solutions)[name]
    getattr(checks, name)(answer)
    with pytest.raises(checks.CheckFailed):
        getattr(checks, name)(answer, seed=20_221)


def test_visible_mse_check_catches_a_hard_coded_lecture_value():
    with pytest.raises(checks.CheckFailed, match="expected 0.9"):
        checks.mse(lambda y_hat, y: 14 / 3)


def test_hidden_data_depends_on_the_seed():
    x1, y1, _ = checks._random_line(1)
    x2, y2, _ = checks._random_line(2)
    assert not (len(x1) == len(x2) and np.allclose(x1, x2))
    visible_x, _ = data.hours_points()
    assert not (len(x1) == len(visible_x) and np.allclose(x1, visible_x))


def test_checks_leave_no_global_state(solutions):
    """A check can run twice, in any order, with the same verdict (grader reuse)."""
    for name in EXERCISES:
        getattr(checks, name)(solutions[name], seed=5)
        getattr(checks, name)(solutions[name], seed=5)


def test_course_utils_hands_out_no_solution():
    """Learners import course_utils: nothing in it may pass an exercise's check."""
    import inspect

    import course_utils

    callables = {f"{module.__name__}.{name}": member
                 for module in (course_utils.checks, course_utils.data, course_utils.plots,
                                course_utils.widgets)
                 for name, member in inspect.getmembers(module, callable)
                 if getattr(member, "__module__", "").startswith("course_utils")}
    assert len(callables) > 15
    for name, member in callables.items():
        for exercise in EXERCISES:
            try:
                getattr(checks, exercise)(member)
            except Exception:
                continue
            pytest.fail(f"{name} passes the check of {exercise}")


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
    namespace = {}
    exec(NOTEBOOK_WITH_BROKEN_HELPERS, namespace)
    broken_forward, broken_mse = namespace["forward"], namespace["mse"]
    for name in ["exhaustive_search", "cost_surface"]:
        for seed in (None, 20_321):
            getattr(checks, name)(namespace[name], seed=seed)
    assert namespace["forward"] is broken_forward and namespace["mse"] is broken_mse, \
        "the learner's own functions must be back after the check"
    for name in ["forward", "mse"]:
        with pytest.raises(checks.CheckFailed):
            getattr(checks, name)(namespace[name])


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
    checks.cost_surface(_defined(VECTORISED_VARIANTS[variant]))
    checks.cost_surface(_defined(VECTORISED_VARIANTS[variant]), seed=3)


@pytest.mark.parametrize("variant", LOOP_VARIANTS)
def test_loops_over_the_grid_fail(variant):
    with pytest.raises(checks.CheckFailed, match="loops over the grid in Python"):
        checks.cost_surface(_defined(LOOP_VARIANTS[variant]))


def test_loop_check_gives_a_debuggers_tracer_back():
    import sys

    def tracer(frame, event, arg):
        return None

    sys.settrace(tracer)
    try:
        checks.cost_surface(_defined(VECTORISED_VARIANTS["broadcasting without meshgrid"]))
        assert sys.gettrace() is tracer
    finally:
        sys.settrace(None)


def test_messages_show_plain_numbers(solutions):
    with pytest.raises(checks.CheckFailed) as failure:
        checks.exhaustive_search(lambda x, y, g: (2.0, solutions["exhaustive_search"](x, y, g)[1] * 3))
    assert "np.float64" not in str(failure.value)
    assert "is 56.0, expected 18.666666666666668" in str(failure.value)
