"""Answer key of chapter 2 (linear model): see grading/answers.py. The grader's only."""
import warnings

import numpy as np


def _close(a, b):
    return np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-8, atol=1e-10)


def _arguments(case, names):
    """The case's arguments in the order of ``names``, passed positionally or by keyword."""
    given = {**dict(zip(names, case.get("args", ()))), **case.get("kwargs", {})}
    return tuple(given[name] for name in names if name in given)


def train_dev_test_split(case):
    # A split is judged by what it is (disjoint, aligned, complete, sized, reproducible,
    # shuffled for every seed), not against one right answer: the judge needs nothing here.
    return {}


def _quiet_polyfit(x, y, degree):
    """np.polyfit without its warning when the degree is too high for the samples."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.polyfit(x, y, degree)


def _mse_of(coefficients, x, y):
    return np.mean((np.polyval(coefficients, x) - y) ** 2)


def fit_errors(case):
    x_train, y_train, x_dev, y_dev, degree = _arguments(
        case, ("x_train", "y_train", "x_dev", "y_dev", "degree"))

    def errors(coefficients):
        return np.array([_mse_of(coefficients, x_train, y_train),
                         _mse_of(coefficients, x_dev, y_dev)])

    fit = np.polyfit(x_train, y_train, degree)
    expected = errors(fit)
    train, dev = expected
    bugs = {
        "the errors are swapped: return (train_mse, dev_mse)": np.array([dev, train]),
        "the polynomial was fitted on the dev set; fit on the training set only":
            errors(_quiet_polyfit(x_dev, y_dev, degree)),
        "the polynomial was fitted on training and dev data together; the dev set must "
        "stay unseen while fitting": errors(np.polyfit(np.concatenate([x_train, x_dev]),
                                                       np.concatenate([y_train, y_dev]),
                                                       degree)),
        "the polynomial has degree + 1; np.polyfit's deg is the degree itself":
            errors(np.polyfit(x_train, y_train, degree + 1)),
        "sums of squared errors instead of their means":
            np.array([train * len(x_train), dev * len(x_dev)]),
        "root mean squared errors (RMSE) instead of mean squared errors": np.sqrt(expected),
        "the coefficients are evaluated in reverse order: np.polyfit gives the highest power "
        "first, which is what np.polyval expects": errors(fit[::-1]),
    }
    if degree > 0:
        bugs["the polynomial has degree - 1"] = errors(np.polyfit(x_train, y_train, degree - 1))
    return {"expected": expected,
            "bugs": {bug: value for bug, value in bugs.items()
                     if not (np.shape(value) == np.shape(expected)
                             and np.allclose(value, expected, rtol=1e-6, atol=1e-10))}}


def forward(case):
    x, w, *b = (np.asarray(arg, dtype=float) for arg in _arguments(case, ("x", "w", "b")))
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
    y_hat, y = _arguments(case, ("y_hat", "y"))
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
    x, y, w_grid = _arguments(case, ("x", "y", "w_grid"))
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
    x, y, w_grid, b_grid = _arguments(case, ("x", "y", "w_grid", "b_grid"))
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
