"""Answer key of chapter 2 (linear model): see grading/answers.py. The grader's only."""
import numpy as np


def _close(a, b):
    return np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-8, atol=1e-10)


def forward(case):
    x, w, *b = (np.asarray(arg, dtype=float) for arg in case["args"])
    expected = x * w + (b[0] if b else 0.0)
    if not b:
        bugs = {"you added x and w; the model multiplies them": x + w,
                "you computed x ** w; the model multiplies x by w": x ** w,
                "you multiplied by b (0 by default) instead of adding it": x * w * 0.0}
    else:
        b = b[0]
        bugs = {"b is ignored": x * w,
                "you computed x·(w + b); b is added after x·w": x * (w + b),
                "you added x, w and b; the model multiplies x by w, then adds b": x + w + b,
                "you computed (x + b)·w; b is added after x·w": (x + b) * w,
                "you multiplied by b instead of adding it": x * w * b}
    return {"expected": expected if expected.ndim else float(expected), "bugs": bugs}


def _mse(y_hat, y):
    return float(np.mean((y_hat - y) ** 2))


def mse(case):
    y_hat, y = case["args"]
    errors, n, expected = y_hat - y, len(y), _mse(y_hat, y)
    bugs = {
        "you summed the squared errors instead of taking their mean": np.sum(errors ** 2),
        "the errors are not squared": np.mean(errors),
        "you averaged absolute errors instead of squared ones": np.mean(np.abs(errors)),
        "you took the square root (that is RMSE, not MSE)": np.sqrt(expected),
        "you halved the MSE (d2l's ½·MSE convention; this course uses the plain mean)":
            expected / 2,
        "you divided by a fixed 3 instead of the number of samples, len(y)":
            np.sum(errors ** 2) / 3,
    }
    if n > 1:
        bugs["you divided by n - 1 instead of n"] = np.sum(errors ** 2) / (n - 1)
    return {"expected": expected,
            "bugs": {bug: value for bug, value in bugs.items() if not _close(value, expected)}}


def _costs(x, y, w_grid):
    return np.mean((x[None, :] * w_grid[:, None] - y[None, :]) ** 2, axis=1)


def exhaustive_search(case):
    x, y, w_grid = case["args"]
    costs = _costs(x, y, w_grid)
    return {"best_w": float(w_grid[np.argmin(costs)]), "costs": costs,
            "cost_bugs": {"each cost is a sum over the samples instead of a mean":
                          costs * len(x)},
            "bugs": {"best_w is the index of the best w; return w_grid[index]":
                     float(np.argmin(costs)),
                     "best_w is the least cost; return the w at which it occurs": costs.min(),
                     "best_w is a w with the largest cost; use np.argmin":
                     float(w_grid[np.argmax(costs)])}}


def cost_surface(case):
    x, y, w_grid, b_grid = case["args"]
    w_mesh, b_mesh = np.meshgrid(w_grid, b_grid)
    expected = np.mean((x[:, None, None] * w_mesh + b_mesh - y[:, None, None]) ** 2, axis=0)
    return {"expected": expected, "bugs": {
        "a sum over the samples instead of a mean": expected * len(x),
        "b is ignored": np.mean((x[:, None, None] * w_mesh - y[:, None, None]) ** 2, axis=0),
        "the MSE is halved (d2l's ½·MSE convention; this course uses the plain mean)":
            expected / 2}}


# Correct versions for the exercises that use them; they accept the extra arguments a
# learner may pass. Each is sent to the sandbox as its source, with numpy as np.
def _forward_stand_in(x, w, b=0.0, *args, **kwargs):
    return np.asarray(x) * w + b


def _mse_stand_in(y_hat, y, *args, axis=None, **kwargs):
    return np.mean((np.asarray(y_hat) - np.asarray(y)) ** 2, axis=axis)


STAND_INS = {"forward": _forward_stand_in, "mse": _mse_stand_in}
