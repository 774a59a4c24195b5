"""Chapter 2 (linear model): its exercises, declared once.

The test cells call them: ``cu.checks.ch02.forward(forward)``; the hidden
tests ``cu.checks.ch02.forward(forward, hidden=True)``. Each exercise has
visible cases on the lecture's data (and a second, visible example where one
case cannot tell two likely bugs apart) and hidden cases drawn from a seed.

``exhaustive_search`` and ``cost_surface`` use the learner's ``forward`` and
``mse``. Those stay when they are correct; a wrong one is replaced, while the
check runs, by a correct one that accepts the same extra arguments, so a bug
costs only the exercise it is in.
"""
import numpy as np

from .. import data
from .core import (as_array, as_number, call, changed_inputs, count_lines, describe, Exercise,
                   Fail, helpers_in_place, likely, raised, replaced_note, show)

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
        {"args": (round(float(x[0]), 3), w, b), "call": f"forward({x[0]:.3f}, {w}, {b})"},
        {"args": (x, w, b), "call": f"forward(x, {w}, {b}) on hidden data"},
        {"args": (x[:, None, None], w_mesh, b_mesh),
         "call": "forward(x[:, None, None], W, B) on a hidden grid"},
    ]


def _forward_expected(case):
    x, w, *b = case["args"]
    return np.asarray(x) * w + (b[0] if b else 0.0)


def _forward_bugs(case):
    x, w, *b = (np.asarray(arg, dtype=float) for arg in case["args"])
    if not b:
        return {"you added x and w; the model multiplies them": x + w,
                "you computed x ** w; the model multiplies x by w": x ** w,
                "you multiplied by b (0 by default) instead of adding it": x * w * 0.0}
    b = b[0]
    return {"b is ignored": x * w,
            "you computed x·(w + b); b is added after x·w": x * (w + b),
            "you added x, w and b; the model multiplies x by w, then adds b": x + w + b,
            "you computed (x + b)·w; b is added after x·w": (x + b) * w,
            "you multiplied by b instead of adding it": x * w * b}


def _forward_run(forward, case):
    return call(forward, *case["args"])


def _forward_judge(case, observed):
    text = case["call"]
    if "error" in observed:
        raise Fail(raised(text, observed["error"], "forward"))
    changed_inputs(observed, text, ("x", "w", "b"))
    expected = _forward_expected(case)
    if expected.ndim == 0:
        actual = as_number(observed["value"], text)
    else:
        actual = as_array(observed["value"], expected.shape, text)
    if not _close(actual, expected):
        raise Fail(f"{text} returned {show(actual)}, expected {show(expected)}."
                   + likely(actual, _forward_bugs(case), _close))


forward = Exercise(
    name="forward", points=2, cases=_forward_cases, run=_forward_run, judge=_forward_judge,
    hidden_seeds=(20_121, 20_122),
    expected=_forward_expected, bugs=_forward_bugs,
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


def _mse_expected(case):
    y_hat, y = case["args"]
    return np.mean((y_hat - y) ** 2)


def _mse_bugs(case):
    y_hat, y = case["args"]
    errors, n = y_hat - y, len(y)
    bugs = {
        "you summed the squared errors instead of taking their mean": np.sum(errors ** 2),
        "the errors are not squared": np.mean(errors),
        "you averaged absolute errors instead of squared ones": np.mean(np.abs(errors)),
        "you took the square root (that is RMSE, not MSE)": np.sqrt(np.mean(errors ** 2)),
        "you halved the MSE (d2l's ½·MSE convention; this course uses the plain mean)":
            np.mean(errors ** 2) / 2,
        "you divided by a fixed 3 instead of the number of samples, len(y)":
            np.sum(errors ** 2) / 3,
    }
    if n > 1:
        bugs["you divided by n - 1 instead of n"] = np.sum(errors ** 2) / (n - 1)
    expected = _mse_expected(case)
    return {bug: value for bug, value in bugs.items() if not _close(value, expected)}


def _mse_run(mse, case):
    return call(mse, *case["args"])


def _mse_judge(case, observed):
    text = case["call"]
    if "error" in observed:
        raise Fail(raised(text, observed["error"], "mse"))
    changed_inputs(observed, text, ("y_hat", "y"))
    value, y = observed["value"], case["args"][1]
    if type(value) is np.ndarray and value.shape == y.shape and y.size > 1:
        raise Fail(f"{text} returned {describe(value)}, expected one number: these look like "
                   "the per-sample losses; the cost is their mean.")
    actual, expected = as_number(value, text), _mse_expected(case)
    if not _close(actual, expected):
        raise Fail(f"{text} returned {show(actual)}, expected {show(expected)}."
                   + likely(actual, _mse_bugs(case), _close))


mse = Exercise(
    name="mse", points=2, cases=_mse_cases, run=_mse_run, judge=_mse_judge,
    hidden_seeds=(20_221, 20_222), expected=_mse_expected, bugs=_mse_bugs,
    summary="mse returns one number, the mean of the squared errors")


# ------------------------------------------------------------------ correct helpers


def _correct_helpers():
    """Correct ``forward`` and ``mse`` accepting the extra arguments a learner may pass."""
    def forward(x, w, b=0.0, *args, **kwargs):
        return np.asarray(x) * w + b

    def mse(y_hat, y, *args, axis=None, **kwargs):
        return np.mean((np.asarray(y_hat) - np.asarray(y)) ** 2, axis=axis)

    return {"forward": forward, "mse": mse}


HELPERS = {"forward": forward, "mse": mse}


def _run_with_helpers(fn, *args):
    """Running half of an exercise that uses ``forward`` and ``mse``.

    Observes the learner's helpers on their own visible cases, then calls
    ``fn`` twice: with the learner's helpers and with correct ones. The judge
    decides which call counts (:func:`_chosen`), so that decision is not
    made where the learner's code runs.
    """
    namespace = getattr(fn, "__globals__", {})
    helpers = {name: exercise.observe(namespace[name]) if callable(namespace.get(name)) else None
               for name, exercise in HELPERS.items()}
    own = call(fn, *args)
    with helpers_in_place(fn, _correct_helpers()):
        corrected = call(fn, *args)
    return {"helpers": helpers, "own": own, "corrected": corrected}


def _chosen(observed):
    """The call that counts: the learner's own helpers when they pass their checks, else
    the correct ones, with the names of the helpers replaced (judging half)."""
    wrong = sorted(name for name, seen in observed["helpers"].items()
                   if seen is not None and not HELPERS[name].verdict(seen).passed)
    chosen = dict(observed["corrected"] if wrong else observed["own"])
    chosen["replaced"] = wrong
    return chosen


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
    return [{"args": (x, y, w_grid), "call": f"exhaustive_search(x, y, w_grid) on hidden data "
                                             f"with {len(w_grid)} grid values"}]


def _search_costs(case):
    x, y, w_grid = case["args"]
    return np.mean((x[None, :] * w_grid[:, None] - y[None, :]) ** 2, axis=1)


def _search_expected(case):
    costs = _search_costs(case)
    return case["args"][2][np.argmin(costs)], costs


def _search_bugs(case):
    w_grid, costs = case["args"][2], _search_costs(case)
    return {"best_w is the index of the best w; return w_grid[index]": float(np.argmin(costs)),
            "best_w is the least cost; return the w at which it occurs": costs.min(),
            "best_w is a w with the largest cost; use np.argmin": w_grid[np.argmax(costs)]}


def _search_run(exhaustive_search, case):
    return _run_with_helpers(exhaustive_search, *case["args"])


def _search_judge(case, observed):
    observed, text = _chosen(observed), case["call"]
    if "error" in observed:
        raise Fail(raised(text, observed["error"], "exhaustive_search") + replaced_note(observed))
    changed_inputs(observed, text, ("x", "y", "w_grid"))
    result, w_grid = observed["value"], case["args"][2]
    if result is None:
        raise Fail(f"{text} returned None: is the `return` statement missing? "
                   "End with `return best_w, costs`.")
    if type(result) not in (tuple, list) or len(result) != 2:
        raise Fail(f"{text} returned {describe(result)}, expected a tuple (best_w, costs): "
                   "end with `return best_w, costs`.")
    best_w, costs = result
    if (type(best_w) in (list, tuple, np.ndarray) and np.size(best_w) == len(w_grid)
            and np.size(costs) == 1):
        raise Fail(f"{text} returned (costs, best_w): the order is (best_w, costs).")
    if type(costs) in (list, tuple):
        if any(type(cost) not in (int, float) for cost in costs):
            raise Fail(f"{text}: costs holds {describe(next(c for c in costs if type(c) not in (int, float)))}"
                       ": does the loop store one number for every w?")
        costs = np.array(costs, dtype=float)
    costs = as_array(costs, w_grid.shape, f"{text}: costs")
    expected_w, expected_costs = _search_expected(case)
    if not _close(costs, expected_costs):
        i = _first_difference(costs, expected_costs)[0]
        hint = likely(costs, {"each cost is a sum over the samples instead of a mean":
                              expected_costs * len(case["args"][0])}, _close)
        raise Fail(f"{text}: costs[{i}] (w = {show(w_grid[i])}) is {show(costs[i])}, "
                   f"expected {show(expected_costs[i])}.{hint}{replaced_note(observed)}")
    best = as_number(best_w, f"{text}: best_w")
    if not _close(best, expected_w):
        raise Fail(f"{text}: best_w is {show(best)}, expected {show(expected_w)}."
                   + likely(best, _search_bugs(case), _close) + replaced_note(observed))


exhaustive_search = Exercise(
    name="exhaustive_search", points=3, cases=_search_cases, run=_search_run,
    judge=_search_judge, hidden_seeds=(20_321, 20_322), expected=_search_expected,
    bugs=_search_bugs,
    summary="exhaustive_search returns (best_w, costs) with the MSE of every grid value")


# ------------------------------------------------------------------ cost_surface

SMALL_GRID = (np.linspace(0, 4, 6), np.linspace(-2, 2, 5))
LARGE_GRID = (np.linspace(0, 4, 60), np.linspace(-2, 2, 50))


def _surface_cases(seed):
    if seed is None:
        x, y = data.hours_points()
        return [{"args": (x, y, np.arange(0.0, 4.1, 0.5), np.arange(-2.0, 2.1, 1.0)),
                 "loop_probe": True}]
    x, y, rng = _random_line(seed)
    w_grid = np.linspace(-4.0, 4.0, int(rng.integers(6, 12)))
    b_grid = np.linspace(-3.0, 3.0, int(rng.integers(13, 20)))
    return [{"args": (x, y, w_grid, b_grid)}]


def _surface_call(case):
    x, _, w_grid, b_grid = case["args"]
    return (f"cost_surface(x, y, w_grid, b_grid) with len(x) = {len(x)}, "
            f"len(w_grid) = {len(w_grid)}, len(b_grid) = {len(b_grid)}")


def _surface_expected(case):
    x, y, w_grid, b_grid = case["args"]
    w_mesh, b_mesh = np.meshgrid(w_grid, b_grid)
    return np.mean((x[:, None, None] * w_mesh + b_mesh - y[:, None, None]) ** 2, axis=0)


def _surface_bugs(case):
    x, y, w_grid, b_grid = case["args"]
    w_mesh, _ = np.meshgrid(w_grid, b_grid)
    expected = _surface_expected(case)
    return {"a sum over the samples instead of a mean": expected * len(x),
            "b is ignored": np.mean((x[:, None, None] * w_mesh - y[:, None, None]) ** 2, axis=0),
            "the MSE is halved (d2l's ½·MSE convention; this course uses the plain mean)":
                expected / 2}


def _surface_run(cost_surface, case):
    observed = _run_with_helpers(cost_surface, *case["args"])
    if case.get("loop_probe"):
        x, y = case["args"][:2]
        with helpers_in_place(cost_surface, _correct_helpers()):
            observed["lines"] = [count_lines(cost_surface, x, y, *SMALL_GRID),
                                 count_lines(cost_surface, x, y, *LARGE_GRID)]
    return observed


BROADCAST_HINT = ("x and y have shape (n,) and the grid (len(b_grid), len(w_grid)): give them "
                  "two new axes, `x[:, None, None]`, so that every sample meets every grid "
                  "point, then average over axis 0.")


def _surface_judge(case, observed):
    lines = observed.get("lines") or [None, None]
    observed, text = _chosen(observed), _surface_call(case)
    if "error" in observed:
        raise Fail(raised(text, observed["error"], "cost_surface", BROADCAST_HINT)
                   + replaced_note(observed))
    changed_inputs(observed, text, ("x", "y", "w_grid", "b_grid"))
    x, _, w_grid, b_grid = case["args"]
    shape, result = (len(b_grid), len(w_grid)), observed["value"]
    if type(result) is np.ndarray:
        if result.shape == shape[::-1]:
            raise Fail(f"{text} returned shape {result.shape}, expected {shape}: your surface "
                       "is transposed. C[i, j] must be the cost at w = w_grid[j] and "
                       "b = b_grid[i], which is the layout np.meshgrid(w_grid, b_grid) gives.")
        if result.shape == (len(x),) + shape:
            raise Fail(f"{text} returned shape {result.shape}, expected {shape}: these look "
                       "like the per-sample losses; take their mean over the samples, axis 0.")
    surface, expected = as_array(result, shape, text), _surface_expected(case)
    if not _close(surface, expected):
        i, j = _first_difference(surface, expected)
        raise Fail(f"{text}: C[{i}, {j}] (w = {show(w_grid[j])}, b = {show(b_grid[i])}) is "
                   f"{show(surface[i, j])}, expected {show(expected[i, j])}."
                   + likely(surface, _surface_bugs(case), _close) + replaced_note(observed))
    small, large = lines
    # 100 times the grid points: a loop over the points runs ~100 times the
    # lines (~10 times for a loop over one axis); vectorised code about as many.
    if small and large and large > 3 * small:
        raise Fail(f"{text} gives the right values but loops over the grid in Python: a 100 "
                   f"times larger grid ran {large / small:.0f} times as many lines of Python. "
                   "Vectorise it: build the grid with np.meshgrid and let numpy compute every "
                   "grid point at once.")


cost_surface = Exercise(
    name="cost_surface", points=3, cases=_surface_cases, run=_surface_run,
    judge=_surface_judge, hidden_seeds=(20_421, 20_422), expected=_surface_expected,
    bugs=_surface_bugs,
    summary="cost_surface has shape (len(b_grid), len(w_grid)), the right values, no grid loop")

EXERCISES = (forward, mse, exhaustive_search, cost_surface)
__all__ = ["CHAPTER", "EXERCISES", *(exercise.name for exercise in EXERCISES)]
