"""Checks of the graded exercises.

Each check takes the learner's function, calls it on known inputs and either
returns ``None`` or raises :class:`CheckFailed` (an ``AssertionError``, so
nbgrader counts it as a failed test) with a message that says what was
expected, what came back, and the likely bug. Checks test type, then shape,
then values.

With ``seed=None`` a check uses the lecture's data, which the learner sees in
the notebook. With an integer ``seed`` it uses random data drawn from that
seed, so an answer hard-coded for the lecture's data fails. The notebook's
hidden tests pass seeds the learner never sees.

Each check grades one exercise only: while it runs the learner's
``exhaustive_search`` or ``cost_surface``, the learner's own ``forward`` and
``mse`` are swapped for correct ones, so a bug costs the points of the
exercise it is in and no others.

The checks only need the function object and numpy, so a grader process can
run them as well as the learner's kernel.
"""
import contextlib
import sys

import numpy as np

from . import data

__all__ = ["CheckFailed", "forward", "mse", "exhaustive_search", "cost_surface"]

RTOL = 1e-9
ATOL = 1e-12


class CheckFailed(AssertionError):
    """A learner's answer is wrong; the message says how."""


def _fail(message):
    raise CheckFailed(message)


def _name(fn):
    return getattr(fn, "__name__", "your function")


def _call(fn, *args):
    """``fn(*args)``, turning a missing implementation into a plain message."""
    try:
        return fn(*args)
    except NotImplementedError:
        _fail(f"{_name(fn)} is not implemented yet: replace "
              "`raise NotImplementedError()` with your code.")


@contextlib.contextmanager
def _correct_helpers(fn):
    """Run ``fn`` with correct ``forward`` and ``mse`` in place of the learner's.

    The exercises build on each other; without this, a bug in ``mse`` would
    also fail ``exhaustive_search``. The replacements exist only while the
    check runs and are not importable.
    """
    namespace = getattr(fn, "__globals__", {})
    correct = {"forward": lambda x, w, b=0.0: x * w + b,
               "mse": lambda y_hat, y: np.mean((np.asarray(y_hat) - y) ** 2)}
    saved = {name: namespace[name] for name in correct if name in namespace}
    namespace.update({name: correct[name] for name in saved})
    try:
        yield
    finally:
        namespace.update(saved)


def _number(value):
    """A number for messages: ``2.0``, not ``np.float64(2.0)``."""
    try:
        return repr(float(value))
    except (TypeError, ValueError):
        return repr(value)


def _as_float(value, what):
    """``value`` as a Python float if it is one number, else a helpful failure."""
    _fail_if_none(value, what)
    if isinstance(value, (list, tuple)):
        _fail(f"{what} returned a {type(value).__name__}, expected a single number.")
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        _fail(f"{what} returned {value!r} of type {type(value).__name__}, "
              "expected a number.")
    if array.size != 1:
        _fail(f"{what} returned an array of shape {array.shape}, expected a single "
              "number: did you forget to take the mean over the samples?")
    return float(array.reshape(()))


def _fail_if_none(value, what):
    if value is None:
        _fail(f"{what} returned None: did you forget the `return` statement?")


def _as_array(value, shape, what):
    """``value`` as an ndarray of ``shape``, else a failure naming the difference."""
    _fail_if_none(value, what)
    if isinstance(value, (list, tuple)):
        _fail(f"{what} returned a {type(value).__name__}, expected a numpy array: "
              "compute with numpy arithmetic on the arrays instead of building a list.")
    if not isinstance(value, np.ndarray):
        _fail(f"{what} returned {type(value).__name__}, expected a numpy array "
              f"of shape {shape}.")
    if value.shape != shape:
        _fail(f"{what} returned shape {value.shape}, expected {shape}.")
    return np.asarray(value, dtype=float)


def _close(actual, expected):
    return np.allclose(actual, expected, rtol=RTOL, atol=ATOL)


def _show(value):
    """A short printable form of a number or array for messages."""
    return np.array2string(np.asarray(value), precision=10, threshold=8, separator=", ")


def _random_line(seed, n=None):
    """Hidden-test data: a noisy line with random slope, intercept and size."""
    rng = np.random.default_rng(seed)
    n = n or int(rng.integers(4, 9))
    x = rng.uniform(-3.0, 3.0, n)
    w, b = rng.uniform(-3.0, 3.0, 2)
    return x, x * w + b + rng.normal(0.0, 0.3, n), rng


# ---------------------------------------------------------------- forward


def forward(fn, seed=None):
    """Check ``forward(x, w, b=0.0)``: the linear model ŷ = x·w + b (chapter 2)."""
    for x, w, b in [(2.0, 3.0, None), (2.0, 3.0, 1.0), (-1.5, 0.5, -2.0)]:
        args = (x, w) if b is None else (x, w, b)
        expected = x * w + (b or 0.0)
        call = f"forward{args}"
        actual = _as_float(_call(fn, *args), call)
        if _close(actual, expected):
            continue
        hint = ""
        if b is None and _close(actual, x + w):
            hint = " It looks like you added x and w; the model multiplies them."
        elif b is not None and _close(actual, x * w):
            hint = " It looks like b is ignored."
        elif b is not None and _close(actual, x * (w + b)):
            hint = " It looks like you computed x·(w + b); b is added after x·w."
        _fail(f"{call} returned {actual!r}, expected {expected!r}.{hint}")

    if seed is None:
        x, _ = data.hours_points()
        w, b = 2.0, 0.5
    else:
        x, _, rng = _random_line(seed)
        w, b = rng.uniform(-3.0, 3.0, 2)
    call = f"forward(x, w={w:.3g}, b={b:.3g}) with x = {_show(x)}"
    given = x.copy()
    actual = _as_array(_call(fn, x, w, b), x.shape, call)
    if not np.array_equal(x, given):
        _fail(f"{call} changed x in place (x is now {_show(x)}): compute a new array "
              "with `x * w + b` instead of `x *= w`.")
    if not _close(actual, x * w + b):
        _fail(f"{call} returned {_show(actual)}, expected {_show(x * w + b)}.")

    w_many = np.array([1.0, 2.0, 3.0])
    actual = _as_array(_call(fn, 2.0, w_many), (3,), "forward(2.0, w=[1, 2, 3])")
    if not _close(actual, 2.0 * w_many):
        _fail(f"forward(2.0, w=[1, 2, 3]) returned {_show(actual)}, expected [2, 4, 6]: "
              "the model should work for an array of weights too.")


# ---------------------------------------------------------------- mse


def mse(fn, seed=None):
    """Check ``mse(y_hat, y)``: the mean of the squared errors (chapter 2).

    Without a seed it uses the lecture's data and a second, visible example
    of another size, so dividing by a fixed 3 shows up before grading does.
    """
    if seed is None:
        x, y = data.hours_points()
        examples = [(x * 1.0, y), (np.array([0.5, 1.0, 4.0, 2.0, 1.5]),
                                   np.array([1.0, 1.0, 3.0, 3.0, 0.0]))]
    else:
        _, y, rng = _random_line(seed)
        examples = [(y + rng.normal(0.0, 1.0, y.shape), y)]
    for y_hat, y in examples:
        _check_mse_on(fn, y_hat, y)


def _check_mse_on(fn, y_hat, y):
    errors = y_hat - y
    expected = float(np.mean(errors ** 2))
    call = f"mse(y_hat={_show(y_hat)}, y={_show(y)})"
    result = _call(fn, y_hat, y)
    if isinstance(result, np.ndarray) and result.shape == y.shape:
        _fail(f"{call} returned an array of shape {result.shape}, expected one number: "
              "these look like the per-sample losses; the cost is their mean.")
    actual = _as_float(result, call)
    if _close(actual, expected):
        return
    likely = {
        "you summed the squared errors instead of taking their mean":
            float(np.sum(errors ** 2)),
        "the errors are not squared": float(np.mean(errors)),
        "you averaged absolute errors instead of squared ones":
            float(np.mean(np.abs(errors))),
        "you took the square root (that is RMSE, not MSE)":
            float(np.sqrt(np.mean(errors ** 2))),
        "you divided by n - 1 instead of n":
            float(np.sum(errors ** 2) / (len(y) - 1)),
        "you divided by a fixed 3 instead of the number of samples, len(y)":
            float(np.sum(errors ** 2) / 3),
    }
    hint = next((f" It looks like {bug}." for bug, value in likely.items()
                 if _close(actual, value)), "")
    _fail(f"{call} returned {actual!r}, expected {expected!r}.{hint}")


# ---------------------------------------------------------------- exhaustive_search


def exhaustive_search(fn, seed=None):
    """Check ``exhaustive_search(x, y, w_grid)`` returns ``(best_w, costs)`` (chapter 2)."""
    if seed is None:
        x, y = data.hours_points()
        w_grid = data.lecture_w_grid()
    else:
        x, y, rng = _random_line(seed)
        w_grid = np.sort(rng.uniform(-4.0, 4.0, int(rng.integers(15, 40))))
    call = f"exhaustive_search(x, y, w_grid) with {len(w_grid)} grid values"
    with _correct_helpers(fn):
        result = _call(fn, x, y, w_grid)
    if not isinstance(result, tuple) or len(result) != 2:
        _fail(f"{call} returned {type(result).__name__}"
              f"{'' if not isinstance(result, tuple) else f' of length {len(result)}'}, "
              "expected a tuple (best_w, costs): end with `return best_w, costs`.")
    best_w, costs = result
    if isinstance(costs, (list, tuple)):
        if any(cost is None for cost in costs):
            _fail(f"{call}: costs holds None: does the loop store a value for every w?")
        costs = np.asarray(costs, dtype=float)
    costs = _as_array(costs, w_grid.shape, f"{call}: costs")
    expected_costs = np.mean((x[None, :] * w_grid[:, None] - y[None, :]) ** 2, axis=1)
    if not _close(costs, expected_costs):
        wrong = int(np.argmax(~np.isclose(costs, expected_costs, rtol=RTOL, atol=ATOL)))
        hint = ""
        if _close(costs, expected_costs * len(x)):
            hint = " It looks like each cost is a sum over the samples instead of a mean."
        _fail(f"{call}: costs[{wrong}] (w = {_number(w_grid[wrong])}) is "
              f"{_number(costs[wrong])}, expected {_number(expected_costs[wrong])}.{hint}")
    expected_w = float(w_grid[np.argmin(expected_costs)])
    best = _as_float(best_w, f"{call}: best_w")
    if _close(best, expected_w):
        return
    likely = [
        (int(np.argmin(expected_costs)), "the index of the best w; return w_grid[index]"),
        (expected_costs.min(), "the least cost; return the w at which it occurs"),
        (w_grid[np.argmax(expected_costs)], "a w with the largest cost; use np.argmin"),
    ]
    guesses = [bug for value, bug in likely if _close(best, value)]
    hint = f" That is {' or '.join(guesses)}." if guesses else ""
    _fail(f"{call}: best_w is {best!r}, expected {expected_w!r}.{hint}")


# ---------------------------------------------------------------- cost_surface


def _python_lines(fn, *args):
    """How many lines of Python code run during ``fn(*args)``.

    A loop over grid points runs its body once per point, so the count grows
    with the grid; vectorised numpy code runs the same lines whatever the size.
    """
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return tracer

    previous = sys.gettrace()  # a debugger's tracer, if any, comes back afterwards
    sys.settrace(tracer)
    try:
        with contextlib.redirect_stdout(None):
            fn(*args)
    finally:
        sys.settrace(previous)
    return count


def cost_surface(fn, seed=None):
    """Check ``cost_surface(x, y, w_grid, b_grid)`` (chapter 2, homework).

    The answer must have shape ``(len(b_grid), len(w_grid))`` with ``C[i, j]``
    the MSE at ``w = w_grid[j], b = b_grid[i]``, computed without a Python loop
    over grid points. The grids have different lengths, because a square grid
    hides a transposed surface.
    """
    if seed is None:
        x, y = data.hours_points()
        w_grid = np.arange(0.0, 4.1, 0.5)
        b_grid = np.arange(-2.0, 2.1, 1.0)
    else:
        x, y, rng = _random_line(seed)
        w_grid = np.linspace(-4.0, 4.0, int(rng.integers(6, 12)))
        b_grid = np.linspace(-3.0, 3.0, int(rng.integers(13, 20)))
    shape = (len(b_grid), len(w_grid))
    call = (f"cost_surface(x, y, w_grid, b_grid) with len(w_grid) = {len(w_grid)}, "
            f"len(b_grid) = {len(b_grid)}")
    with _correct_helpers(fn):
        result = _call(fn, x, y, w_grid, b_grid)
    if isinstance(result, np.ndarray):
        if result.shape == shape[::-1]:
            _fail(f"{call} returned shape {result.shape}, expected {shape}: your surface "
                  "is transposed. C[i, j] must be the cost at w = w_grid[j] and "
                  "b = b_grid[i], which is the layout np.meshgrid(w_grid, b_grid) gives.")
        if result.shape == (len(x),) + shape:
            _fail(f"{call} returned shape {result.shape}, expected {shape}: these look "
                  "like the per-sample losses; take their mean over the samples axis.")
    surface = _as_array(result, shape, call)

    w_mesh, b_mesh = np.meshgrid(w_grid, b_grid)
    expected = np.mean(
        (x[:, None, None] * w_mesh + b_mesh - y[:, None, None]) ** 2, axis=0)
    if not _close(surface, expected):
        i, j = np.unravel_index(
            np.argmax(~np.isclose(surface, expected, rtol=RTOL, atol=ATOL)), shape)
        hint = ""
        if _close(surface, expected * len(x)):
            hint = " It looks like a sum over the samples instead of a mean."
        elif _close(surface, np.mean((x[:, None, None] * w_mesh - y[:, None, None]) ** 2,
                                     axis=0)):
            hint = " It looks like b is ignored."
        _fail(f"{call}: C[{i}, {j}] (w = {w_grid[j]:.3g}, b = {b_grid[i]:.3g}) is "
              f"{_number(surface[i, j])}, expected {_number(expected[i, j])}.{hint}")

    with _correct_helpers(fn):
        small = _python_lines(fn, x, y, np.linspace(0, 4, 6), np.linspace(-2, 2, 5))
        large = _python_lines(fn, x, y, np.linspace(0, 4, 60), np.linspace(-2, 2, 50))
    # 100 times the grid points: a loop over the points runs ~100 times the
    # lines (~10 times for a loop over one axis); vectorised code about as many.
    if large > 3 * small:
        _fail(f"{call} gives the right values but loops over the grid in Python: a "
              f"100 times larger grid ran {large / small:.0f} times as many lines of Python. "
              "Vectorise it: build the grid with np.meshgrid and let numpy compute every "
              "grid point at once.")
