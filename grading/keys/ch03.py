"""Answer key of chapter 3 (gradient descent): see grading/answers.py. The grader's only."""
import numpy as np

from course_utils.checks.ch03 import PARAMETERS  # the signatures: a case may pass by keyword
from course_utils.i18n import N_


def _descend(schedule, x, y, w, lr, sign=1.0, scale=1.0, divide_by=None, log_after=False,
             log_epoch=False, full_gradient=False):
    """Gradient descent as the judge computes it, and as the typical bugs compute it.

    ``schedule`` lists, per epoch, the index arrays of its batches. Returns
    ``(w, costs)``, with ``costs[i]`` the batch's cost before update ``i``.
    The keywords make the bugs: ``sign=-1`` (uphill), ``scale=0.5`` (the
    factor 2 missing), ``divide_by`` (a fixed divisor instead of the batch's
    length; 1 is a sum), ``log_after`` (cost after the update), ``log_epoch``
    (the cost of all the data once per epoch), ``full_gradient`` (every update
    with the gradient of all the data).
    """
    costs = []
    with np.errstate(all="ignore"):
        for batches in schedule:
            if log_epoch:
                costs.append(np.mean((x * w - y) ** 2))
            for batch in batches:
                xb, yb = x[batch], y[batch]
                gx, gy = (x, y) if full_gradient else (xb, yb)
                loss = np.mean((xb * w - yb) ** 2)
                grad = np.sum(2 * gx * (gx * w - gy)) / (divide_by or len(gx))
                w = w - sign * lr * scale * grad
                if not log_epoch:
                    costs.append(np.mean((xb * w - yb) ** 2) if log_after else loss)
    return float(w), np.array(costs, dtype=float)


def _full_batches(n, epochs):
    return [[np.arange(n)]] * epochs


def _single_samples(n, epochs):
    return [[np.array([i]) for i in range(n)]] * epochs


def _split(order, batch_size):
    return [order[start:start + batch_size] for start in range(0, len(order), batch_size)]


def _shuffled_batches(n, epochs, batch_size, seed, how="permutation"):
    """The batches of ``minibatch_gd``: in data order for ``seed=None``, else shuffled.

    ``how`` is the documented way (``"permutation"``: ``rng.permutation(n)``
    each epoch from one ``rng = np.random.default_rng(seed)``), another correct
    one (``"in place"``: ``rng.shuffle`` of one index array each epoch), or a
    bug (``"once"``, ``"legacy"``, ``"none"``).
    """
    if seed is None or how == "none":
        return [_split(np.arange(n), batch_size)] * epochs
    if how == "legacy":
        legacy = np.random.RandomState(seed)
        return [_split(legacy.permutation(n), batch_size) for _ in range(epochs)]
    rng = np.random.default_rng(seed)
    if how == "once":
        return [_split(rng.permutation(n), batch_size)] * epochs
    if how == "in place":
        order = np.arange(n)
        schedule = []
        for _ in range(epochs):
            rng.shuffle(order)
            schedule.append(_split(order.copy(), batch_size))
        return schedule
    return [_split(rng.permutation(n), batch_size) for _ in range(epochs)]




def _arguments(name, case):
    """All the arguments of ``case`` in the signature's order, by position or by keyword."""
    kwargs = case.get("kwargs", {})
    return (*case["args"], *(kwargs[key] for key in PARAMETERS[name][len(case["args"]):]
                             if key in kwargs))


def _flat(w, costs):
    """``(w, costs)`` as one vector, so that a bug's whole result is compared at once."""
    return np.concatenate([[w], costs])


def cost_gradient(case):
    x, y, w = _arguments("cost_gradient", case)
    errors = x * w - y
    step = 1e-4 * max(1.0, abs(w))
    measured = (np.mean((x * (w + step) - y) ** 2) - np.mean((x * (w - step) - y) ** 2)) / (2 * step)
    return {"expected": np.mean(2 * x * errors), "finite_difference": measured, "bugs": {
        N_("the sign is flipped: ∂cost/∂w is the mean of 2·x·(x·w − y), not of 2·x·(y − x·w)"):
            -np.mean(2 * x * errors),
        N_("you summed over the samples instead of taking the mean"): np.sum(2 * x * errors),
        N_("the factor 2 is missing: the derivative of (x·w − y)² is 2·(x·w − y)·x"):
            np.mean(x * errors),
        N_("the factor x is missing: by the chain rule, the derivative of x·w − y with respect "
           "to w is x"): np.mean(2 * errors),
        N_("you returned the cost, not its gradient"): np.mean(errors ** 2),
        N_("2·mean(x)·mean(x·w − y): the mean of a product is not the product of the means"):
            2 * np.mean(x) * np.mean(errors),
    }}


def _gd_bugs(case):
    x, y, w0, lr, epochs = _arguments("gradient_descent", case)
    schedule = _full_batches(len(x), epochs)
    return {
        N_("the sign is flipped: w moves uphill; step against the gradient, "
           "`w = w - lr * grad`"): _flat(*_descend(schedule, x, y, w0, lr, sign=-1.0)),
        N_("the gradient sums over the samples instead of taking the mean"):
            _flat(*_descend(schedule, x, y, w0, lr, divide_by=1)),
        N_("the factor 2 is missing from the gradient"):
            _flat(*_descend(schedule, x, y, w0, lr, scale=0.5)),
        N_("the cost is logged after the update; log it before, as the lecture does"):
            _flat(*_descend(schedule, x, y, w0, lr, log_after=True)),
        N_("w is updated inside the loop over the samples: that is SGD (Exercise 4); gradient "
           "descent makes one update per epoch with the gradient of all the samples"):
            _flat(*_descend(_single_samples(len(x), epochs), x, y, w0, lr, log_epoch=True)),
        N_("the learning rate is hard-coded to the lecture's 0.01: use the argument lr"):
            _flat(*_descend(schedule, x, y, w0, 0.01)),
        N_("the start is hard-coded to the lecture's w = 1.0: start from the argument w0"):
            _flat(*_descend(schedule, x, y, 1.0, lr)),
    }


def gradient_descent(case):
    x, y, w0, lr, epochs = _arguments("gradient_descent", case)
    return {"results": [_descend(_full_batches(len(x), epochs), x, y, w0, lr)],
            "bugs": _gd_bugs(case)}


def critical_learning_rate(case):
    x, = _arguments("critical_learning_rate", case)
    return {"expected": 2 / (2 * np.mean(x ** 2)), "bugs": {
        N_("2 / mean(x²): the cost's curvature (second derivative) is 2·mean(x²), so the "
           "critical rate is 2 / (2·mean(x²))"): 2 / np.mean(x ** 2),
        N_("1 / (2·mean(x²)) is the rate that lands on the minimum in one step; gradient "
           "descent still converges up to twice that"): 1 / (2 * np.mean(x ** 2)),
        N_("a sum over the samples instead of the mean"): 2 / (2 * np.sum(x ** 2)),
        N_("mean(x)² is not mean(x²): square each x first, then average"):
            2 / (2 * np.mean(x) ** 2),
        N_("x is not squared: the gradient is 2·x·(x·w − y), so the curvature has x·x"):
            2 / (2 * np.mean(x)),
    }}


def _sgd_bugs(case):
    x, y, w0, lr, epochs = _arguments("sgd", case)
    schedule = _single_samples(len(x), epochs)
    return {
        N_("the sign is flipped: w moves uphill; step against the gradient, "
           "`w = w - lr * grad`"): _flat(*_descend(schedule, x, y, w0, lr, sign=-1.0)),
        N_("the factor 2 is missing from the gradient"):
            _flat(*_descend(schedule, x, y, w0, lr, scale=0.5)),
        N_("each loss is logged after its update; log it before"):
            _flat(*_descend(schedule, x, y, w0, lr, log_after=True)),
        N_("every update uses the gradient of all the samples (batch GD's gradient); SGD uses "
           "the gradient of the current sample only, 2·xₙ·(xₙ·w − yₙ)"):
            _flat(*_descend(schedule, x, y, w0, lr, full_gradient=True)),
        N_("the learning rate is hard-coded to the lecture's 0.01: use the argument lr"):
            _flat(*_descend(schedule, x, y, w0, 0.01)),
        N_("the start is hard-coded to the lecture's w = 1.0: start from the argument w0"):
            _flat(*_descend(schedule, x, y, 1.0, lr)),
    }


def sgd(case):
    x, y, w0, lr, epochs = _arguments("sgd", case)
    return {"results": [_descend(_single_samples(len(x), epochs), x, y, w0, lr)],
            "bugs": _sgd_bugs(case)}


def _minibatch_results(case, how="permutation", **bug):
    x, y, w0, lr, epochs, batch_size, seed = _arguments("minibatch_gd", case)
    schedule = _shuffled_batches(len(x), epochs, batch_size, seed, how)
    return _descend(schedule, x, y, w0, bug.pop("lr", lr), **bug)


def _minibatch_bugs(case):
    *_, batch_size, seed = _arguments("minibatch_gd", case)
    # Seed 0 (the notebook's SEED) unshuffled is the bug `if seed:`, false for 0 as for None.
    unshuffled = (
        N_("seed=0 did not shuffle: `if seed:` is false for 0 as for None; test `if seed is "
           "None:` (or `is not None`), so that every seed, 0 included, shuffles") if seed == 0 else
        N_("with a seed, the samples must be shuffled at the start of every epoch"))
    return {
        N_("the sign is flipped: w moves uphill; step against the gradient, "
           "`w = w - lr * grad`"): _flat(*_minibatch_results(case, sign=-1.0)),
        N_("each batch's gradient is a sum over its samples instead of their mean"):
            _flat(*_minibatch_results(case, divide_by=1)),
        N_("the factor 2 is missing from the gradient"):
            _flat(*_minibatch_results(case, scale=0.5)),
        N_("each cost is logged after its update; log it before"):
            _flat(*_minibatch_results(case, log_after=True)),
        N_("the gradient is divided by batch_size, but the last batch can be smaller: divide "
           "by the batch's own length (np.mean does)"):
            _flat(*_minibatch_results(case, divide_by=batch_size)),
        unshuffled: _flat(*_minibatch_results(case, how="none")),
        N_("every epoch has the same order: make the generator once, before the loop, and draw "
           "`rng.permutation(len(x))` at the start of each epoch"):
            _flat(*_minibatch_results(case, how="once")),
        N_("np.random.seed / np.random.permutation is the old global generator: use "
           "`rng = np.random.default_rng(seed)` and `rng.permutation(len(x))`"):
            _flat(*_minibatch_results(case, how="legacy")),
        N_("the learning rate is hard-coded to the lecture's 0.01: use the argument lr"):
            _flat(*_minibatch_results(case, lr=0.01)),
    }


def minibatch_gd(case):
    # Two equally correct ways to shuffle: rng.permutation, or rng.shuffle of one index array.
    return {"results": [_minibatch_results(case, how) for how in ("permutation", "in place")],
            "bugs": _minibatch_bugs(case)}


def affine_gradients(case):
    x, y, w, b = _arguments("affine_gradients", case)
    errors, no_bias = x * w + b - y, x * w - y
    dw, db = np.mean(2 * x * errors), np.mean(2 * errors)
    step = 1e-4 * max(1.0, abs(w), abs(b))

    def cost(w, b):
        return np.mean((x * w + b - y) ** 2)

    measured = np.array([(cost(w + step, b) - cost(w - step, b)) / (2 * step),
                         (cost(w, b + step) - cost(w, b - step)) / (2 * step)])
    return {"expected": np.array([dw, db]), "finite_differences": measured, "bugs": {
        N_("the two are swapped: return (dcost_dw, dcost_db) in that order"): np.array([db, dw]),
        N_("b is left out of the prediction: ŷ = x·w + b"):
            np.array([np.mean(2 * x * no_bias), np.mean(2 * no_bias)]),
        N_("the signs are flipped: the error is ŷ − y = x·w + b − y"): np.array([-dw, -db]),
        N_("you summed over the samples instead of taking the mean"):
            np.array([np.sum(2 * x * errors), np.sum(2 * errors)]),
        N_("the factor 2 is missing: the derivative of (ŷ − y)² is 2·(ŷ − y)·∂ŷ"):
            np.array([dw, db]) / 2,
        N_("dcost_db has a factor x: ∂ŷ/∂b is 1, so ∂cost/∂b is the mean of 2·(ŷ − y)"):
            np.array([dw, dw]),
        N_("dcost_dw is missing the factor x: ∂ŷ/∂w is x"): np.array([db, db]),
    }}


# A correct cost_gradient for the exercises that use it, accepting the extra arguments a
# learner may pass; sent to the sandbox as its source, with numpy as np.
def _cost_gradient_stand_in(x, y, w, *args, **kwargs):
    x, y = np.asarray(x), np.asarray(y)
    return np.mean(2 * x * (x * w - y))


STAND_INS = {"cost_gradient": _cost_gradient_stand_in}
