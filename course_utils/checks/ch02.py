"""Chapter 2 (linear model): its exercises, declared once.

The test cells call them: ``cu.checks.ch02.forward(forward)``; the hidden
tests ``cu.checks.ch02.forward(forward, hidden=True)``. Each exercise has
visible cases on the lecture's data (and a second, visible example where one
case cannot tell two likely bugs apart) and hidden cases drawn from a seed.
Their answers come from the grader's key, ``grading/keys/ch02.py``.

``exhaustive_search`` and ``cost_surface`` use the learner's ``forward`` and
``mse``. The grader checks them with correct ones in place of the learner's
when those fail their own checks, so a bug costs only the exercise it is in.
"""
import numpy as np

from .. import data
from .core import (as_array, as_number, call, count_lines, declare, describe, Exercise, Fail,
                   likely, raised, show)

CHAPTER = "02_linear_model"
RTOL, ATOL = 1e-8, 1e-10


def _close(actual, expected):
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    return actual.shape == expected.shape and np.allclose(actual, expected, rtol=RTOL,
                                                          atol=ATOL)


def _random_line(seed):
    """Hidden data: a noisy line with random slope, intercept and size; and the generator."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(4, 9))
    x = rng.uniform(-3.0, 3.0, n)
    w, b = rng.uniform(-3.0, 3.0, 2)
    return x, x * w + b + rng.normal(0.0, 0.3, n), rng


# ------------------------------------------------------------------ judging helpers


def _first_difference(actual, expected):
    index = np.unravel_index(
        np.argmax(~np.isclose(actual, expected, rtol=RTOL, atol=ATOL)), expected.shape)
    return index


def _bug_of(actual, answer):
    return likely(actual, answer["bugs"], _close)


# ------------------------------------------------------------------ forward


def _forward_cases(seed):
    x, _ = data.hours_points()
    w_mesh, b_mesh = np.meshgrid(np.array([0.0, 1.5, 3.0, 4.0]), np.array([-1.0, 1.0]))
    if seed is None:
        return [
            {"args": (2.0, 3.0), "call": "forward(2.0, 3.0)"},
            {"args": (2.0, 3.0, 0.5), "call": "forward(2.0, 3.0, 0.5)"},
            {"args": (x, 2.0, 0.5), "call": f"forward(x, 2.0, 0.5) with x = {show(x)}"},
            {"args": (2.0, np.array([1.0, 2.0, 3.0])), "call": "forward(2.0, w=[1, 2, 3])"},
            {"args": (x[:, None, None], w_mesh, b_mesh),
             "call": "forward(x[:, None, None], W, B) with W, B = np.meshgrid(w_grid, b_grid) "
                     "of shape (2, 4), as the cost surface calls it"},
        ]
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3.0, 3.0, int(rng.integers(4, 9)))
    w, b = (round(float(v), 3) for v in rng.uniform(-3.0, 3.0, 2))
    w_grid, b_grid = rng.uniform(-3, 3, int(rng.integers(3, 6))), rng.uniform(-3, 3, 2)
    w_mesh, b_mesh = np.meshgrid(w_grid, b_grid)
    return [
        {"args": (round(float(x[0]), 3), w, b), "call": "forward(x, w, b) on hidden numbers"},
        {"args": (x, w, b), "call": "forward(x, w, b) on a hidden array x"},
        {"args": (x[:, None, None], w_mesh, b_mesh),
         "call": "forward(x[:, None, None], W, B) on a hidden grid"},
    ]


def _forward_run(forward, case):
    return call(forward, *case["args"])


def _forward_judge(case, observed, answer):
    text = case["call"]
    if "error" in observed:
        raise raised(text, observed["error"], "forward")
    expected = answer["expected"]
    if type(expected) is float:
        actual = as_number(observed["value"], text)
    else:
        actual = as_array(observed["value"], expected.shape, text)
    if not _close(actual, expected):
        raise Fail(f"{text} returned {show(actual)}, expected {show(expected)}.",
                   bug=_bug_of(actual, answer))
    return None


forward = Exercise(
    name="forward", points=2, cases=_forward_cases, run=_forward_run, judge=_forward_judge,
    inputs=("x", "w", "b"),
    hidden_seeds=(20_121, 20_122),
    summary="forward gives x * w + b for numbers, arrays of inputs and arrays of weights")


# ------------------------------------------------------------------ mse


def _mse_cases(seed):
    if seed is None:
        x, y = data.hours_points()
        return [
            {"args": (x * 1.0, y), "call": f"mse(y_hat={show(x)}, y={show(y)})"},
            {"args": (np.array([0.5, 1.0, 4.0, 2.0, 1.5]), np.array([1.0, 1.0, 3.0, 3.0, 0.0])),
             "call": "mse(y_hat=[0.5, 1, 4, 2, 1.5], y=[1, 1, 3, 3, 0])"},
            {"args": (np.array([3.0]), np.array([6.0])),
             "call": "mse(y_hat=[3.0], y=[6.0]) (one sample, as the explorer calls it)"},
        ]
    rng = np.random.default_rng(seed)
    y = rng.uniform(-5.0, 5.0, int(rng.integers(4, 9)))
    return [{"args": (y + rng.normal(0.0, 1.0, y.shape), y), "call": "mse(y_hat, y) on hidden data"}]


def _mse_run(mse, case):
    return call(mse, *case["args"])


def _mse_judge(case, observed, answer):
    text = case["call"]
    if "error" in observed:
        raise raised(text, observed["error"], "mse")
    value, y = observed["value"], case["args"][1]
    if type(value) is np.ndarray and value.shape == y.shape and y.size > 1:
        raise Fail(f"{text} returned {describe(value)}, expected one number: these look like "
                   "the per-sample losses; the cost is their mean.",
                   reason="it returned one loss per sample, not their mean")
    actual, expected = as_number(value, text), answer["expected"]
    if not _close(actual, expected):
        raise Fail(f"{text} returned {show(actual)}, expected {show(expected)}.",
                   bug=_bug_of(actual, answer))
    return None


mse = Exercise(
    name="mse", points=2, cases=_mse_cases, run=_mse_run, judge=_mse_judge,
    inputs=("y_hat", "y"),
    hidden_seeds=(20_221, 20_222),
    summary="mse returns one number, the mean of the squared errors")


# ------------------------------------------------------------------ exhaustive_search


def _search_cases(seed):
    if seed is None:
        x, y = data.hours_points()
        return [
            {"args": (np.array([1.0, 2.0, 3.0, 4.0]), np.array([3.0, 5.0, 7.0, 9.5]),
                      np.arange(0.5, 4.01, 0.25)),
             "call": "exhaustive_search(x=[1, 2, 3, 4], y=[3, 5, 7, 9.5], "
                     "w_grid=np.arange(0.5, 4.01, 0.25))"},
            {"args": (x, y, data.lecture_w_grid()),
             "call": "exhaustive_search(x, y, np.arange(0.0, 4.1, 0.1)) on the lecture's data"},
        ]
    x, y, rng = _random_line(seed)
    w_grid = np.sort(rng.uniform(-4.0, 4.0, int(rng.integers(15, 40))))
    return [{"args": (x, y, w_grid), "call": "exhaustive_search(x, y, w_grid) on hidden data"}]


def _search_run(exhaustive_search, case):
    return call(exhaustive_search, *case["args"])


def _search_judge(case, observed, answer):
    text = case["call"]
    if "error" in observed:
        raise raised(text, observed["error"], "exhaustive_search")
    result, w_grid = observed["value"], case["args"][2]
    if result is None:
        raise Fail(f"{text} returned None: is the `return` statement missing? "
                   "End with `return best_w, costs`.", reason="it returned None")
    if type(result) not in (tuple, list) or len(result) != 2:
        raise Fail(f"{text} returned {describe(result)}, expected a tuple (best_w, costs): "
                   "end with `return best_w, costs`.",
                   reason="it did not return a pair (best_w, costs)")
    best_w, costs = result
    if (type(best_w) in (list, tuple, np.ndarray) and np.size(best_w) == len(w_grid)
            and np.size(costs) == 1):
        raise Fail(f"{text} returned (costs, best_w): the order is (best_w, costs).",
                   reason="it returned (costs, best_w): the order is (best_w, costs)")
    if type(costs) in (list, tuple):
        odd = [cost for cost in costs if type(cost) not in (int, float)]
        if odd:
            raise Fail(f"{text}: costs holds {describe(odd[0])}: does the loop store one "
                       "number for every w?", reason="costs holds something other than numbers")
        costs = np.array(costs, dtype=float)
    costs = as_array(costs, w_grid.shape, f"{text}: costs")
    expected_costs = answer["costs"]
    if not _close(costs, expected_costs):
        i = _first_difference(costs, expected_costs)[0]
        raise Fail(f"{text}: costs[{i}] (w = {show(w_grid[i])}) is {show(costs[i])}, "
                   f"expected {show(expected_costs[i])}.", reason="the costs are wrong",
                   bug=likely(costs, answer["cost_bugs"], _close))
    best = as_number(best_w, f"{text}: best_w")
    if not _close(best, answer["best_w"]):
        raise Fail(f"{text}: best_w is {show(best)}, expected {show(answer['best_w'])}.",
                   reason="best_w is wrong", bug=_bug_of(best, answer))
    return None


exhaustive_search = Exercise(
    name="exhaustive_search", points=3, cases=_search_cases, run=_search_run,
    inputs=("x", "y", "w_grid"),
    judge=_search_judge, hidden_seeds=(20_321, 20_322), uses=(forward, mse),
    summary="exhaustive_search returns (best_w, costs) with the MSE of every grid value")


# ------------------------------------------------------------------ cost_surface

SMALL_GRID = (np.linspace(0, 4, 6), np.linspace(-2, 2, 5))
LARGE_GRID = (np.linspace(0, 4, 60), np.linspace(-2, 2, 50))


def _surface_cases(seed):
    if seed is None:
        x, y = data.hours_points()
        w_grid, b_grid = np.arange(0.0, 4.1, 0.5), np.arange(-2.0, 2.1, 1.0)
        return [{"args": (x, y, w_grid, b_grid), "loop_probe": True,
                 "call": f"cost_surface(x, y, w_grid, b_grid) with len(x) = {len(x)}, "
                         f"len(w_grid) = {len(w_grid)}, len(b_grid) = {len(b_grid)}"}]
    x, y, rng = _random_line(seed)
    w_grid = np.linspace(-4.0, 4.0, int(rng.integers(6, 12)))
    b_grid = np.linspace(-3.0, 3.0, int(rng.integers(13, 20)))
    return [{"args": (x, y, w_grid, b_grid),
             "call": "cost_surface(x, y, w_grid, b_grid) on hidden data"}]


def _surface_run(cost_surface, case):
    observed = call(cost_surface, *case["args"])
    if case.get("loop_probe"):
        x, y = case["args"][:2]
        observed["lines"] = [count_lines(cost_surface, x, y, *SMALL_GRID),
                             count_lines(cost_surface, x, y, *LARGE_GRID)]
    return observed


BROADCAST_HINT = ("x and y have shape (n,) and the grid (len(b_grid), len(w_grid)): give them "
                  "two new axes, `x[:, None, None]`, so that every sample meets every grid "
                  "point, then average over axis 0.")


def _surface_judge(case, observed, answer):
    text = case["call"]
    if "error" in observed:
        raise raised(text, observed["error"], "cost_surface", BROADCAST_HINT)
    x, _, w_grid, b_grid = case["args"]
    shape, result = (len(b_grid), len(w_grid)), observed["value"]
    if type(result) is np.ndarray:
        if result.shape == shape[::-1]:
            raise Fail(f"{text} returned shape {result.shape}, expected {shape}: your surface "
                       "is transposed. C[i, j] must be the cost at w = w_grid[j] and "
                       "b = b_grid[i], which is the layout np.meshgrid(w_grid, b_grid) gives.",
                       reason="the surface is transposed: C[i, j] must be the cost at "
                              "w = w_grid[j] and b = b_grid[i]")
        if result.shape == (len(x),) + shape:
            raise Fail(f"{text} returned shape {result.shape}, expected {shape}: these look "
                       "like the per-sample losses; take their mean over the samples, axis 0.",
                       reason="it returned the per-sample losses, not their mean over axis 0")
    surface, expected = as_array(result, shape, text), answer["expected"]
    if not _close(surface, expected):
        i, j = _first_difference(surface, expected)
        raise Fail(f"{text}: C[{i}, {j}] (w = {show(w_grid[j])}, b = {show(b_grid[i])}) is "
                   f"{show(surface[i, j])}, expected {show(expected[i, j])}.",
                   reason="the surface's values are wrong", bug=_bug_of(surface, answer))
    small, large = (observed.get("lines") or [None, None])[:2]
    # 100 times the grid points: a loop over the points runs ~100 times the lines
    # (~10 times for a loop over one axis); vectorised code about as many.
    if type(small) is int and type(large) is int and small > 0 and large > 3 * small:
        return (f"Note: {text} gives the right values but seems to loop over the grid in "
                f"Python: a 100 times larger grid ran {large / small:.0f} times as many lines. "
                "Vectorise it: build the grid with np.meshgrid and let numpy compute every grid "
                "point at once.")
    return None


cost_surface = Exercise(
    name="cost_surface", points=3, cases=_surface_cases, run=_surface_run,
    inputs=("x", "y", "w_grid", "b_grid"),
    judge=_surface_judge, hidden_seeds=(20_421, 20_422), uses=(forward, mse),
    summary="cost_surface has shape (len(b_grid), len(w_grid)) and the right values")

EXERCISES = declare(CHAPTER, forward, mse, exhaustive_search, cost_surface)
__all__ = ["CHAPTER", "EXERCISES", *(exercise.name for exercise in EXERCISES)]
