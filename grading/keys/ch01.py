"""Answer key of chapter 1 (overview): see grading/answers.py. The grader's only."""
import warnings

import numpy as np


def _close(a, b):
    return np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-6, atol=1e-10)


def samples_needed(case):
    points, dims = case["args"]
    return {"expected": points ** dims, "bugs": {
        "points_per_axis · dims grows linearly; a grid multiplies the points of every "
        "axis: points_per_axis ** dims": points * dims,
        "dims ** points_per_axis: the exponent is the number of dimensions": dims ** points,
        "points_per_axis ** (dims - 1): the exponent is dims itself": points ** (dims - 1),
        "`^` is XOR in Python, not a power: write `**`": points ^ dims}}


def edge_fraction(case):
    eps, dims = case["args"]
    return {"expected": 1.0 - (1.0 - 2.0 * eps) ** dims, "bugs": {
        "(1 - 2·eps) ** dims is the volume of the inner cube, the points farther than "
        "eps from the surface; the shell near the surface is 1 minus that":
            (1.0 - 2.0 * eps) ** dims,
        "1 - (1 - eps) ** dims counts one face per axis; a point is near the surface "
        "when it is within eps of either face, 0 or 1, so each axis keeps only "
        "1 - 2·eps": 1.0 - (1.0 - eps) ** dims,
        "2·eps·dims adds up one slab per face, which counts the edges and corners "
        "where slabs overlap more than once": 2.0 * eps * dims}}


def train_dev_test_split(case):
    # A split is judged by what it is (disjoint, aligned, complete, sized, reproducible),
    # not against one right answer: the judge needs nothing from the key.
    return {}


def _quiet_polyfit(x, y, degree):
    """np.polyfit without its warning when the degree is too high for the samples."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.polyfit(x, y, degree)


def _mse_of(coefficients, x, y):
    return np.mean((np.polyval(coefficients, x) - y) ** 2)


def fit_errors(case):
    x_train, y_train, x_dev, y_dev, degree = case["args"]

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
            "bugs": {bug: value for bug, value in bugs.items() if not _close(value, expected)}}


def de_db(case):
    a, b = case["args"]
    c, d = a + b, b + 1.0  # the lecture's graph: c = a + b, d = b + 1, e = c · d
    return {"expected": d * 1.0 + c * 1.0,  # ∂e/∂c·∂c/∂b + ∂e/∂d·∂d/∂b
            "paths": sorted([c, d]),
            "bugs": {"only the path b → c → e, whose product is ∂e/∂c · ∂c/∂b = d (that is "
                     "also ∂e/∂a); b reaches e along two paths: add the path b → d → e": d,
                     "only the path b → d → e, whose product is ∂e/∂d · ∂d/∂b = c; b reaches e "
                     "along two paths: add the path b → c → e": c,
                     "the two paths' products multiplied (that gives e = c · d itself); the "
                     "paths add up": c * d,
                     "along each path the local derivatives were added; along a path they "
                     "multiply (chain rule), and the paths' products add up":
                         (d + 1.0) + (c + 1.0)}}
