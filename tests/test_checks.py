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
        ],
        "mse": [
            (lambda y_hat, y: np.sum((y_hat - y) ** 2), "summed the squared errors"),
            (lambda y_hat, y: np.mean(y_hat - y), "not squared"),
            (lambda y_hat, y: np.mean(np.abs(y_hat - y)), "absolute errors"),
            (lambda y_hat, y: np.sqrt(np.mean((y_hat - y) ** 2)), "RMSE"),
            (lambda y_hat, y: (y_hat - y) ** 2, "per-sample losses"),
            (lambda y_hat, y: np.sum((y_hat - y) ** 2) / (len(y) - 1), "n - 1"),
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
    names = {"forward": 5, "mse": 6, "exhaustive_search": 6, "cost_surface": 7}
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
        "mse": lambda y_hat, y: 14 / 3,
        "exhaustive_search": lambda x, y, w_grid: lecture_search,
        "cost_surface": lambda x, y, w_grid, b_grid: lecture_surface,
    }


@pytest.mark.parametrize("name", ["mse", "exhaustive_search", "cost_surface"])
def test_hard_coded_answer_passes_visible_but_fails_hidden_data(solutions, name):
    answer = hard_coded(solutions)[name]
    getattr(checks, name)(answer)
    with pytest.raises(checks.CheckFailed):
        getattr(checks, name)(answer, seed=20_221)


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
