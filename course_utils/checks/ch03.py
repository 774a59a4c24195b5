"""Chapter 3 (gradient descent): its exercises, declared once.

The test cells call them: ``cu.checks.ch03.cost_gradient(cost_gradient)``; the
hidden tests ``cu.checks.ch03.cost_gradient(cost_gradient, hidden=True)``.
Visible cases use the lecture's data (x = [1, 2, 3], y = [2, 4, 6]) and a
second data set where the lecture's setup cannot show a bug (a hard-coded
learning rate, number of epochs or start; a last batch smaller than the
others); hidden cases use data drawn from a seed.

``gradient_descent``, ``sgd`` and ``minibatch_gd`` may use the learner's
``cost_gradient`` and the notebook's ``cost``. Their running half calls them
with the learner's helpers and again with correct ones that accept the same
extra arguments; when a helper fails its own check the judge takes the second
call, so a bug costs only the exercise it is in (as in chapter 2).

Tolerances suit float32 as well as float64: a learner may compute in either.
"""
import numpy as np

from .. import data
from .core import (as_number, call, changed_inputs, describe, Exercise, Fail, helpers_in_place,
                   likely, raised, replaced_note, show)

CHAPTER = "03_gradient_descent"
# float32 keeps about 7 digits and a hundred epochs lose one or two; every
# bug named below is many orders of magnitude further off.
RTOL = 1e-5

LECTURE = "on the lecture's data"


def _second_data():
    """A visible data set besides the lecture's, as fresh arrays: a learner may change them."""
    return np.array([1.0, 2.0, 3.0, 4.0]), np.array([3.0, 5.0, 7.0, 9.5])


def _five_data():
    """Five samples, so that batches of 2 leave a last batch of 1; fresh arrays."""
    return np.array([0.5, 1.0, 3.0, 4.0, -1.0]), np.array([1.0, 1.0, 3.0, 3.0, 0.5])


def _close(actual, expected):
    """Equal within RTOL, relative to the largest expected value (costs fall to ~0)."""
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    if actual.shape != expected.shape:
        return False
    scale = float(np.max(np.abs(expected), initial=0.0))
    with np.errstate(all="ignore"):
        return bool(np.allclose(actual, expected, rtol=RTOL, atol=RTOL * max(scale, 1e-3)))


def _random_data(seed):
    """Hidden data: a noisy line with random slope and size; and the generator."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(4, 9))
    x = np.round(rng.uniform(-3.0, 3.0, n), 2)
    y = np.round(x * rng.uniform(-3.0, 3.0) + rng.normal(0.0, 0.5, n), 2)
    return x, y, rng


def _lecture_data():
    return data.hours_points()


# ------------------------------------------------------------------ judging helpers


def _numbers(value, length, what, mistakes=None):
    """``value`` (a list, tuple or array) as a float array of ``length`` entries.

    ``mistakes`` maps a wrong length to the likely bug that gives it.
    """
    if value is None:
        raise Fail(f"{what} is None: is it returned?")
    if type(value) in (list, tuple):
        odd = [item for item in value if not (type(item) in (int, float, bool) or (
            type(item) is np.ndarray and item.size == 1))]
        if odd:
            raise Fail(f"{what} holds {describe(odd[0])}: store one number per step, "
                       "e.g. `costs.append(cost(x, y, w))`.")
        value = np.array([float(np.reshape(item, ())) for item in value])
    if type(value) is not np.ndarray:
        raise Fail(f"{what} is {describe(value)}, expected a list or array of {length} numbers.")
    if value.size != length:
        hint = (mistakes or {}).get(value.size, "")
        raise Fail(f"{what} has {value.size} entries, expected {length}."
                   + (f"\nLikely bug: {hint}" if hint else ""))
    # An array of shape (epochs, steps per epoch) holds the same numbers in the same order.
    return value.astype(float).ravel()


def _pair(result, what, names):
    """A returned pair such as ``(w, costs)``, else a failure."""
    if result is None:
        raise Fail(f"{what} returned None: is the `return` statement missing? "
                   f"End with `return {', '.join(names)}`.")
    if type(result) not in (tuple, list) or len(result) != 2:
        raise Fail(f"{what} returned {describe(result)}, expected a pair "
                   f"({', '.join(names)}): end with `return {', '.join(names)}`.")
    return result


def _first_difference(actual, expected):
    """The first index where ``actual`` and ``expected`` differ beyond the tolerance."""
    scale = max(float(np.max(np.abs(expected), initial=0.0)), 1e-3)
    with np.errstate(all="ignore"):
        off = ~np.isclose(actual, expected, rtol=RTOL, atol=RTOL * scale)
    return int(np.argmax(off))


# ------------------------------------------------------------------ the judge's own descent


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


def _flat(w, costs):
    """``(w, costs)`` as one vector, so that a bug's whole result is compared at once."""
    return np.concatenate([[w], costs])


# ------------------------------------------------------------------ correct helpers

COST_PROBES = (0.0, 1.0, 2.5)


def _correct_helpers():
    """Correct ``cost`` and ``cost_gradient``, accepting extra arguments a learner may pass."""
    def cost(x, y, w, *args, **kwargs):
        return np.mean((np.asarray(x) * w - np.asarray(y)) ** 2)

    def cost_gradient(x, y, w, *args, **kwargs):
        x, y = np.asarray(x), np.asarray(y)
        return np.mean(2 * x * (x * w - y))

    return {"cost": cost, "cost_gradient": cost_gradient}


def _observe_helper(name, fn):
    """What the learner's helper does on known inputs (running half)."""
    if name == "cost_gradient":
        return cost_gradient.observe(fn)
    x, y = _lecture_data()
    return [call(fn, x, y, w) for w in COST_PROBES]


def _helper_is_wrong(name, seen):
    """Judging half: does the observed helper fail (its check, or the given cost's values)?"""
    if name == "cost_gradient":
        return not cost_gradient.verdict(seen).passed
    x, y = _lecture_data()
    return not all(type(each.get("value")) in (int, float)
                   and _close(each["value"], np.mean((x * w - y) ** 2))
                   for each, w in zip(seen, COST_PROBES))


def _calls(fn, args, repeat):
    observed = call(fn, *args)
    if repeat and "error" not in observed:
        observed["again"] = call(fn, *args).get("value")
    return observed


def _run_with_helpers(fn, args, repeat=False):
    """Running half of an exercise that may use ``cost`` and ``cost_gradient``.

    Observes the learner's helpers, then calls ``fn(*args)`` with the
    learner's helpers and with correct ones; the judge decides which call
    counts (:func:`_chosen`), so that decision is not made where the
    learner's code runs. With ``repeat`` each call runs twice and
    ``"again"`` holds the second result, which must equal the first.
    """
    namespace = getattr(fn, "__globals__", {})
    helpers = {name: _observe_helper(name, namespace[name]) if callable(namespace.get(name))
               else None for name in ("cost", "cost_gradient")}
    own = _calls(fn, args, repeat)
    with helpers_in_place(fn, _correct_helpers()):
        corrected = _calls(fn, args, repeat)
    return {"helpers": helpers, "own": own, "corrected": corrected}


def _chosen(observed):
    """The call that counts: with the learner's own helpers when they are right, else with
    correct ones, naming the helpers replaced (judging half)."""
    wrong = sorted(name for name, seen in observed["helpers"].items()
                   if seen is not None and _helper_is_wrong(name, seen))
    chosen = dict(observed["corrected"] if wrong else observed["own"])
    chosen["replaced"] = wrong
    return chosen


# ------------------------------------------------------------------ cost_gradient


def _gradient_cases(seed):
    if seed is None:
        x, y = _lecture_data()
        x5, y5 = _five_data()
        return [
            {"args": (x, y, 1.0), "call": f"cost_gradient(x, y, 1.0) {LECTURE}"},
            {"args": (x, y, 2.5), "call": f"cost_gradient(x, y, 2.5) {LECTURE}"},
            {"args": (x, y, 2.0), "call": f"cost_gradient(x, y, 2.0) {LECTURE} (the minimum)"},
            {"args": (x5, y5, 0.5),
             "call": f"cost_gradient(x={show(x5)}, y={show(y5)}, w=0.5)"},
        ]
    x, y, rng = _random_data(seed)
    return [{"args": (x, y, round(float(w), 3)), "call": f"cost_gradient(x, y, {w:.3f}) on "
             "hidden data"} for w in rng.uniform(-3.0, 3.0, 2)]


def _gradient_expected(case):
    x, y, w = case["args"]
    return np.mean(2 * x * (x * w - y))


def _finite_difference(case):
    """The slope of the cost at ``w`` from two nearby costs: how the check confirms the formula."""
    x, y, w = case["args"]
    step = 1e-4 * max(1.0, abs(w))
    return (np.mean((x * (w + step) - y) ** 2) - np.mean((x * (w - step) - y) ** 2)) / (2 * step)


def _gradient_bugs(case):
    x, y, w = case["args"]
    errors = x * w - y
    return {
        "the sign is flipped: ∂cost/∂w is the mean of 2·x·(x·w − y), not of 2·x·(y − x·w)":
            -np.mean(2 * x * errors),
        "you summed over the samples instead of taking the mean": np.sum(2 * x * errors),
        "the factor 2 is missing: the derivative of (x·w − y)² is 2·(x·w − y)·x":
            np.mean(x * errors),
        "the factor x is missing: by the chain rule, the derivative of x·w − y with respect "
        "to w is x": np.mean(2 * errors),
        "you returned the cost, not its gradient": np.mean(errors ** 2),
        "2·mean(x)·mean(x·w − y): the mean of a product is not the product of the means":
            2 * np.mean(x) * np.mean(errors),
    }


def _gradient_run(fn, case):
    return call(fn, *case["args"])


def _gradient_judge(case, observed):
    text = case["call"]
    if "error" in observed:
        raise Fail(raised(text, observed["error"], "cost_gradient"))
    changed_inputs(observed, text, ("x", "y", "w"))
    value, x = observed["value"], case["args"][0]
    if type(value) is np.ndarray and value.shape == x.shape and x.size > 1:
        raise Fail(f"{text} returned {describe(value)}, expected one number: these look like "
                   "the gradients of the single samples; ∂cost/∂w is their mean.")
    actual, expected = as_number(value, text), _gradient_expected(case)
    if not _close(actual, expected):
        raise Fail(f"{text} returned {show(actual)}, expected {show(expected)} (finite "
                   f"differences of the cost give {_finite_difference(case):.6g})."
                   + likely(actual, _gradient_bugs(case), _close))


cost_gradient = Exercise(
    name="cost_gradient", points=2, cases=_gradient_cases, run=_gradient_run,
    judge=_gradient_judge, hidden_seeds=(30_121, 30_122),
    expected=_gradient_expected, bugs=_gradient_bugs,
    summary="cost_gradient returns ∂cost/∂w, the mean of 2·x·(x·w − y) over the samples")


# ------------------------------------------------------------------ gradient_descent


def _call_text(name, args, where):
    x, y, *rest = args
    names = ("w0", "lr", "epochs", "batch_size", "seed")
    settings = ", ".join(f"{key}={value!r}" for key, value in zip(names, rest))
    return f"{name}(x, y, {settings}) {where}"


def _gd_cases(seed):
    if seed is None:
        x, y = _lecture_data()
        x2, y2 = _second_data()
        return [
            {"args": (x, y, 1.0, 0.01, 100), "call": _call_text("gradient_descent",
             (x, y, 1.0, 0.01, 100), LECTURE)},
            {"args": (x2, y2, 0.5, 0.03, 12), "call": _call_text("gradient_descent",
             (x2, y2, 0.5, 0.03, 12), f"with x = {show(x2)}, y = {show(y2)}")},
        ]
    x, y, rng = _random_data(seed)
    lr = round(float(rng.uniform(0.1, 0.6) / np.mean(x ** 2)), 4)
    args = (x, y, round(float(rng.uniform(-3.0, 3.0)), 2), lr, int(rng.integers(5, 40)))
    return [{"args": args, "call": _call_text("gradient_descent", args, "on hidden data")}]


def _gd_expected(case):
    x, y, w0, lr, epochs = case["args"]
    return _flat(*_descend(_full_batches(len(x), epochs), x, y, w0, lr))


def _gd_bugs(case):
    x, y, w0, lr, epochs = case["args"]
    schedule = _full_batches(len(x), epochs)
    return {
        "the sign is flipped: w moves uphill; step against the gradient, "
        "`w = w - lr * grad`": _flat(*_descend(schedule, x, y, w0, lr, sign=-1.0)),
        "the gradient sums over the samples instead of taking the mean":
            _flat(*_descend(schedule, x, y, w0, lr, divide_by=1)),
        "the factor 2 is missing from the gradient":
            _flat(*_descend(schedule, x, y, w0, lr, scale=0.5)),
        "the cost is logged after the update; log it before, as the lecture does":
            _flat(*_descend(schedule, x, y, w0, lr, log_after=True)),
        "w is updated inside the loop over the samples: that is SGD (Exercise 4); gradient "
        "descent makes one update per epoch with the gradient of all the samples":
            _flat(*_descend(_single_samples(len(x), epochs), x, y, w0, lr, log_epoch=True)),
        "the learning rate is hard-coded to the lecture's 0.01: use the argument lr":
            _flat(*_descend(schedule, x, y, w0, 0.01)),
        "the start is hard-coded to the lecture's w = 1.0: start from the argument w0":
            _flat(*_descend(schedule, x, y, 1.0, lr)),
    }


def _gd_run(fn, case):
    return _run_with_helpers(fn, case["args"])


def _judge_descent(case, observed, name, history, expected, bugs, mistakes):
    """The shared judging of ``gradient_descent``, ``sgd`` and ``minibatch_gd``.

    ``history`` names the second value returned (``costs`` or ``losses``);
    ``expected`` is a list of correct ``(w, history)`` results (one, or two
    equally correct ways to shuffle); ``mistakes`` maps a wrong length of the
    history to its likely bug.
    """
    observed, text = _chosen(observed), case["call"]
    if "error" in observed:
        raise Fail(raised(text, observed["error"], name) + replaced_note(observed))
    changed_inputs(observed, text, ("x", "y"))
    note = replaced_note(observed)
    w, values = _pair(observed["value"], text, ("w", history))
    if type(w) in (list, tuple, np.ndarray) and type(values) in (int, float):
        raise Fail(f"{text} returned ({history}, w): the order is (w, {history}).")
    w = as_number(w, f"{text}: w")
    length = len(expected[0][1])
    values = _numbers(values, length, f"{text}: {history}", mistakes)
    if "again" in observed and not (type(observed["again"]) is type(observed["value"])
                                    and _same(observed["again"], observed["value"])):
        raise Fail(f"{text} gave a different result when called again with the same "
                   "arguments: it draws random numbers. " + (
                       "With a seed, make the generator inside the function, "
                       "`rng = np.random.default_rng(seed)`, so that a call repeats exactly."
                       if case["args"][-1] is not None and name == "minibatch_gd" else
                       "It must take the samples in data order, without shuffling.") + note)
    actual = _flat(w, values)
    if any(_close(actual, _flat(*result)) for result in expected):
        return
    best_w, best = expected[0]
    if not _close(values, best):
        i = _first_difference(values, best)
        raise Fail(f"{text}: {history}[{i}] is {show(values[i])}, expected {show(best[i])} "
                   f"(the {'loss' if history == 'losses' else 'cost'} before update {i})."
                   + likely(actual, bugs, _close) + note)
    raise Fail(f"{text} returned w = {show(w)}, expected {show(best_w)}."
               + likely(actual, bugs, _close) + note)


def _same(first, second):
    """Two plain results equal, arrays included (NaN equal to NaN)."""
    if type(first) in (list, tuple):
        return (type(second) is type(first) and len(first) == len(second)
                and all(_same(a, b) for a, b in zip(first, second)))
    if type(first) is np.ndarray or type(second) is np.ndarray:
        return (type(first) is type(second) and first.shape == second.shape
                and np.array_equal(first, second, equal_nan=first.dtype.kind in "fc"))
    return first == second or (first != first and second != second)


def _gd_judge(case, observed):
    x, _, _, _, epochs = case["args"]
    n = len(x)
    mistakes = {epochs + 1: "one cost too many: log the cost before each update, "
                            "`epochs` costs in all",
                epochs * n: "one cost per sample: gradient descent makes one update per epoch "
                            "with the gradient of all the samples (per-sample updates are SGD)",
                100: "the number of epochs is hard-coded to the lecture's 100: loop "
                     "`for epoch in range(epochs)`"}
    mistakes.pop(epochs, None)
    expected = [_descend(_full_batches(n, epochs), *case["args"][:4])]
    _judge_descent(case, observed, "gradient_descent", "costs", expected, _gd_bugs(case),
                   mistakes)


gradient_descent = Exercise(
    name="gradient_descent", points=3, cases=_gd_cases, run=_gd_run, judge=_gd_judge,
    hidden_seeds=(30_221, 30_222), expected=_gd_expected, bugs=_gd_bugs,
    summary="gradient_descent returns (w, costs), costs[e] the cost before update e")


# ------------------------------------------------------------------ critical_learning_rate


def _critical_cases(seed):
    if seed is None:
        x, _ = _lecture_data()
        other, negative = np.array([0.5, 1.5, 2.0, 4.0]), np.array([-2.0, -1.0, 0.5])
        return [{"args": (x,), "call": f"critical_learning_rate(x) {LECTURE}"},
                {"args": (other,), "call": f"critical_learning_rate({show(other)})"},
                {"args": (negative,), "call": f"critical_learning_rate({show(negative)})"}]
    x, _, _ = _random_data(seed)
    return [{"args": (x,), "call": "critical_learning_rate(x) on hidden data"}]


def _critical_expected(case):
    x, = case["args"]
    return 2 / (2 * np.mean(x ** 2))


def _critical_bugs(case):
    x, = case["args"]
    return {
        "2 / mean(x²): the cost's curvature (second derivative) is 2·mean(x²), so the "
        "critical rate is 2 / (2·mean(x²))": 2 / np.mean(x ** 2),
        "1 / (2·mean(x²)) is the rate that lands on the minimum in one step; gradient "
        "descent still converges up to twice that": 1 / (2 * np.mean(x ** 2)),
        "a sum over the samples instead of the mean": 2 / (2 * np.sum(x ** 2)),
        "mean(x)² is not mean(x²): square each x first, then average":
            2 / (2 * np.mean(x) ** 2),
        "x is not squared: the gradient is 2·x·(x·w − y), so the curvature has x·x":
            2 / (2 * np.mean(x)),
    }


def _critical_run(fn, case):
    return call(fn, *case["args"])


def _critical_judge(case, observed):
    text = case["call"]
    if "error" in observed:
        raise Fail(raised(text, observed["error"], "critical_learning_rate"))
    changed_inputs(observed, text, ("x",))
    actual, expected = as_number(observed["value"], text), _critical_expected(case)
    if not _close(actual, expected):
        raise Fail(f"{text} returned {show(actual)}, expected {show(expected)}."
                   + likely(actual, _critical_bugs(case), _close))


critical_learning_rate = Exercise(
    name="critical_learning_rate", points=2, cases=_critical_cases, run=_critical_run,
    judge=_critical_judge, hidden_seeds=(30_321, 30_322), expected=_critical_expected,
    bugs=_critical_bugs,
    summary="critical_learning_rate is 2 / (2·mean(x²)), above which batch GD diverges")


# ------------------------------------------------------------------ sgd


def _sgd_cases(seed):
    if seed is None:
        x, y = _lecture_data()
        x2, y2 = _second_data()
        return [
            {"args": (x, y, 1.0, 0.01, 100), "call": _call_text("sgd", (x, y, 1.0, 0.01, 100),
                                                               LECTURE)},
            {"args": (x2, y2, 0.5, 0.03, 3), "call": _call_text(
                "sgd", (x2, y2, 0.5, 0.03, 3), f"with x = {show(x2)}, y = {show(y2)}")},
        ]
    x, y, rng = _random_data(seed)
    lr = round(float(rng.uniform(0.05, 0.3) / np.max(x ** 2)), 4)
    args = (x, y, round(float(rng.uniform(-3.0, 3.0)), 2), lr, int(rng.integers(3, 15)))
    return [{"args": args, "call": _call_text("sgd", args, "on hidden data")}]


def _sgd_expected(case):
    x, y, w0, lr, epochs = case["args"]
    return _flat(*_descend(_single_samples(len(x), epochs), x, y, w0, lr))


def _sgd_bugs(case):
    x, y, w0, lr, epochs = case["args"]
    schedule = _single_samples(len(x), epochs)
    return {
        "the sign is flipped: w moves uphill; step against the gradient, "
        "`w = w - lr * grad`": _flat(*_descend(schedule, x, y, w0, lr, sign=-1.0)),
        "the factor 2 is missing from the gradient":
            _flat(*_descend(schedule, x, y, w0, lr, scale=0.5)),
        "each loss is logged after its update; log it before":
            _flat(*_descend(schedule, x, y, w0, lr, log_after=True)),
        "every update uses the gradient of all the samples (batch GD's gradient); SGD uses "
        "the gradient of the current sample only, 2·xₙ·(xₙ·w − yₙ)":
            _flat(*_descend(schedule, x, y, w0, lr, full_gradient=True)),
        "the learning rate is hard-coded to the lecture's 0.01: use the argument lr":
            _flat(*_descend(schedule, x, y, w0, 0.01)),
        "the start is hard-coded to the lecture's w = 1.0: start from the argument w0":
            _flat(*_descend(schedule, x, y, 1.0, lr)),
    }


def _sgd_run(fn, case):
    return _run_with_helpers(fn, case["args"], repeat=True)


def _sgd_judge(case, observed):
    x, _, _, _, epochs = case["args"]
    n = len(x)
    mistakes = {epochs: "one loss per epoch: SGD updates w once per sample and logs each "
                        "sample's loss before its update",
                epochs * n + 1: "one loss too many: log each loss before its update",
                100 * n: "the number of epochs is hard-coded to the lecture's 100: loop "
                         "`for epoch in range(epochs)`"}
    mistakes.pop(epochs * n, None)
    expected = [_descend(_single_samples(n, epochs), *case["args"][:4])]
    _judge_descent(case, observed, "sgd", "losses", expected, _sgd_bugs(case), mistakes)


sgd = Exercise(
    name="sgd", points=3, cases=_sgd_cases, run=_sgd_run, judge=_sgd_judge,
    hidden_seeds=(30_421, 30_422), expected=_sgd_expected, bugs=_sgd_bugs,
    summary="sgd updates once per sample in data order and returns (w, losses)")


# ------------------------------------------------------------------ minibatch_gd


def _minibatch_cases(seed):
    def case(args, where):
        return {"args": args, "call": _call_text("minibatch_gd", args, where)}

    if seed is None:
        x, y = _lecture_data()
        x5, y5 = _five_data()
        five = f"with x = {show(x5)}, y = {show(y5)}"
        return [
            case((x, y, 1.0, 0.01, 100, 3, None), LECTURE + " (batch_size = len(x): batch GD)"),
            case((x, y, 1.0, 0.01, 100, 1, None), LECTURE + " (batch_size = 1, no seed: SGD)"),
            case((x5, y5, 0.5, 0.03, 4, 2, None), five + " (batches of 2, 2 and 1)"),
            case((x5, y5, 0.5, 0.03, 4, 2, 7), five + " (shuffled with a seed)"),
        ]
    x, y, rng = _random_data(seed)
    n = len(x)
    lr = round(float(rng.uniform(0.05, 0.3) / np.max(x ** 2)), 4)
    w0, epochs = round(float(rng.uniform(-3.0, 3.0)), 2), int(rng.integers(3, 12))
    batch_size = int(rng.integers(2, n))
    return [case((x, y, w0, lr, epochs, batch_size, None), "on hidden data"),
            case((x, y, w0, lr, epochs, batch_size, int(rng.integers(100))),
                 "on hidden data, shuffled with a seed")]


def _minibatch_results(case, how="permutation", **bug):
    x, y, w0, lr, epochs, batch_size, seed = case["args"]
    schedule = _shuffled_batches(len(x), epochs, batch_size, seed, how)
    return _descend(schedule, x, y, w0, bug.pop("lr", lr), **bug)


def _minibatch_expected(case):
    return tuple(_flat(*_minibatch_results(case, how)) for how in ("permutation", "in place"))


def _minibatch_bugs(case):
    batch_size = case["args"][5]
    return {
        "the sign is flipped: w moves uphill; step against the gradient, "
        "`w = w - lr * grad`": _flat(*_minibatch_results(case, sign=-1.0)),
        "each batch's gradient is a sum over its samples instead of their mean":
            _flat(*_minibatch_results(case, divide_by=1)),
        "the factor 2 is missing from the gradient":
            _flat(*_minibatch_results(case, scale=0.5)),
        "each cost is logged after its update; log it before":
            _flat(*_minibatch_results(case, log_after=True)),
        "the gradient is divided by batch_size, but the last batch can be smaller: divide "
        "by the batch's own length (np.mean does)":
            _flat(*_minibatch_results(case, divide_by=batch_size)),
        "with a seed, the samples must be shuffled at the start of every epoch":
            _flat(*_minibatch_results(case, how="none")),
        "every epoch has the same order: make the generator once, before the loop, and draw "
        "`rng.permutation(len(x))` at the start of each epoch":
            _flat(*_minibatch_results(case, how="once")),
        "np.random.seed / np.random.permutation is the old global generator: use "
        "`rng = np.random.default_rng(seed)` and `rng.permutation(len(x))`":
            _flat(*_minibatch_results(case, how="legacy")),
        "the learning rate is hard-coded to the lecture's 0.01: use the argument lr":
            _flat(*_minibatch_results(case, lr=0.01)),
    }


def _minibatch_run(fn, case):
    return _run_with_helpers(fn, case["args"], repeat=True)


def _minibatch_judge(case, observed):
    x, _, _, _, epochs, batch_size, _ = case["args"]
    n = len(x)
    batches = -(-n // batch_size)
    mistakes = {epochs * batches + 1: "one cost too many: log each cost before its update",
                100 * batches: "the number of epochs is hard-coded to the lecture's 100: "
                               "loop `for epoch in range(epochs)`"}
    if n % batch_size:
        mistakes[epochs * (n // batch_size)] = (
            "the last, smaller batch is missing: `x[start:start + batch_size]` simply gives "
            "fewer samples at the end; keep it")
    if batch_size < n:
        mistakes[epochs] = ("one cost per epoch, as batch GD logs: is batch_size used? Update "
                            "w once per batch")
    mistakes.pop(epochs * batches, None)
    expected = [_minibatch_results(case, how) for how in ("permutation", "in place")]
    _judge_descent(case, observed, "minibatch_gd", "costs", expected, _minibatch_bugs(case),
                   mistakes)


minibatch_gd = Exercise(
    name="minibatch_gd", points=3, cases=_minibatch_cases, run=_minibatch_run,
    judge=_minibatch_judge, hidden_seeds=(30_521, 30_522), expected=_minibatch_expected,
    bugs=_minibatch_bugs,
    summary="minibatch_gd returns (w, costs): batch GD for one batch, SGD for batches of one, "
            "shuffled reproducibly with a seed")


# ------------------------------------------------------------------ affine_gradients


def _affine_cases(seed):
    if seed is None:
        x, y = _lecture_data()
        x5, y5 = _five_data()
        return [
            {"args": (x, y, 1.0, 0.0), "call": f"affine_gradients(x, y, w=1.0, b=0.0) {LECTURE}"},
            {"args": (x, y, 1.5, 0.5), "call": f"affine_gradients(x, y, w=1.5, b=0.5) {LECTURE}"},
            {"args": (x5, y5, 0.5, -0.5),
             "call": f"affine_gradients(x={show(x5)}, y={show(y5)}, w=0.5, b=-0.5)"},
        ]
    x, y, rng = _random_data(seed)
    w, b = (round(float(v), 3) for v in rng.uniform(-3.0, 3.0, 2))
    return [{"args": (x, y, w, b), "call": f"affine_gradients(x, y, w={w}, b={b}) on hidden data"}]


def _affine_expected(case):
    x, y, w, b = case["args"]
    errors = x * w + b - y
    return np.array([np.mean(2 * x * errors), np.mean(2 * errors)])


def _affine_finite_differences(case):
    """Both slopes of the cost measured by finite differences, for the messages and the tests."""
    x, y, w, b = case["args"]
    step = 1e-4 * max(1.0, abs(w), abs(b))

    def cost(w, b):
        return np.mean((x * w + b - y) ** 2)

    return np.array([(cost(w + step, b) - cost(w - step, b)) / (2 * step),
                     (cost(w, b + step) - cost(w, b - step)) / (2 * step)])


def _affine_bugs(case):
    x, y, w, b = case["args"]
    errors, no_bias = x * w + b - y, x * w - y
    dw, db = np.mean(2 * x * errors), np.mean(2 * errors)
    return {
        "the two are swapped: return (dcost_dw, dcost_db) in that order": np.array([db, dw]),
        "b is left out of the prediction: ŷ = x·w + b":
            np.array([np.mean(2 * x * no_bias), np.mean(2 * no_bias)]),
        "the signs are flipped: the error is ŷ − y = x·w + b − y": np.array([-dw, -db]),
        "you summed over the samples instead of taking the mean":
            np.array([np.sum(2 * x * errors), np.sum(2 * errors)]),
        "the factor 2 is missing: the derivative of (ŷ − y)² is 2·(ŷ − y)·∂ŷ": np.array(
            [dw, db]) / 2,
        "dcost_db has a factor x: ∂ŷ/∂b is 1, so ∂cost/∂b is the mean of 2·(ŷ − y)":
            np.array([dw, dw]),
        "dcost_dw is missing the factor x: ∂ŷ/∂w is x": np.array([db, db]),
    }


def _affine_run(fn, case):
    return call(fn, *case["args"])


def _affine_judge(case, observed):
    text = case["call"]
    if "error" in observed:
        raise Fail(raised(text, observed["error"], "affine_gradients"))
    changed_inputs(observed, text, ("x", "y", "w", "b"))
    result = observed["value"]
    if type(result) is np.ndarray and result.shape == (2,):
        result = tuple(result.tolist())
    dw, db = _pair(result, text, ("dcost_dw", "dcost_db"))
    actual = np.array([as_number(dw, f"{text}: dcost_dw"), as_number(db, f"{text}: dcost_db")])
    expected = _affine_expected(case)
    if not _close(actual, expected):
        measured = _affine_finite_differences(case)
        raise Fail(f"{text} returned ({show(actual[0])}, {show(actual[1])}), expected "
                   f"({show(expected[0])}, {show(expected[1])}) (finite differences of the "
                   f"cost give ({measured[0]:.6g}, {measured[1]:.6g}))."
                   + likely(actual, _affine_bugs(case), _close))


affine_gradients = Exercise(
    name="affine_gradients", points=2, cases=_affine_cases, run=_affine_run,
    judge=_affine_judge, hidden_seeds=(30_621, 30_622), expected=_affine_expected,
    bugs=_affine_bugs,
    summary="affine_gradients returns (∂cost/∂w, ∂cost/∂b) for ŷ = x·w + b")

EXERCISES = (cost_gradient, gradient_descent, critical_learning_rate, sgd, minibatch_gd,
             affine_gradients)
__all__ = ["CHAPTER", "EXERCISES", *(exercise.name for exercise in EXERCISES)]
