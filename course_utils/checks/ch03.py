"""Chapter 3 (gradient descent): its exercises, declared once.

The test cells call them: ``cu.checks.ch03.cost_gradient(cost_gradient)``; the
hidden tests ``cu.checks.ch03.cost_gradient(cost_gradient, hidden=True)``.
Visible cases use the lecture's data (x = [1, 2, 3], y = [2, 4, 6]) and a
second data set where the lecture's setup cannot show a bug (a hard-coded
learning rate, number of epochs or start; a last batch smaller than the
others); hidden cases use data drawn from a seed.

Their answers come from the grader's key, ``grading/keys/ch03.py``.

``gradient_descent``, ``sgd`` and ``minibatch_gd`` may use the learner's
``cost_gradient`` (and the notebook's given ``cost``). The grader checks them
with a correct ``cost_gradient`` in place of the learner's when that fails its
own check, so a bug costs only the exercise it is in (as in chapter 2).

Tolerances suit float32 as well as float64: a learner may compute in either.
"""
import numpy as np

from .. import data
from ..i18n import N_, translator
from .core import as_number, call, declare, describe, Exercise, Fail, likely, raised, show

CHAPTER = "03_gradient_descent"
_ = translator(__name__, CHAPTER)
# float32 keeps about 7 digits and a hundred epochs lose one or two; every
# bug named below is many orders of magnitude further off.
RTOL = 1e-5


def _case(template, **fields):
    """A visible case's description: ``call``, its English text, and ``said``, its template
    (marked ``N_``) with the fields, which the messages show in the learner's language
    (:func:`_said`). A case is the same plain data in both editions, so that the check data
    written by the release still belongs to its cases."""
    return {"call": template.format(**fields), "said": [template, fields]}


def _said(case):
    """What a case is, in the learner's language (a hidden case's ``call`` is already)."""
    said = case.get("said")
    return _.template(said[0]).format(**said[1]) if said else case["call"]


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


# Each exercise's parameters, as its signature (the contract) names them.
PARAMETERS = {"cost_gradient": ("x", "y", "w"),
              "gradient_descent": ("x", "y", "w0", "lr", "epochs"),
              "critical_learning_rate": ("x",),
              "sgd": ("x", "y", "w0", "lr", "epochs"),
              "minibatch_gd": ("x", "y", "w0", "lr", "epochs", "batch_size", "seed"),
              "affine_gradients": ("x", "y", "w", "b")}


def _keywords(name, args):
    """A case's arguments as the notebook's cells pass them: the data ``x, y`` by position,
    the rest by the contract's names (``lr=0.01``, ``seed=0``)."""
    names = PARAMETERS[name][2:]
    return {"args": tuple(args[:2]), "kwargs": dict(zip(names, args[2:]))}


def arguments(name, case):
    """All the arguments of ``case`` in the signature's order, whether passed by position or
    by keyword."""
    kwargs = case.get("kwargs", {})
    return (*case["args"], *(kwargs[key] for key in PARAMETERS[name][len(case["args"]):]
                             if key in kwargs))


def _run(name):
    """The running half of exercise ``name``: one call, as the case says (keywords included)."""
    def run(fn, case):
        return call(fn, *case["args"], **case.get("kwargs", {}))
    return run


def _raised(text, error, name):
    """:func:`raised`, and the likely bug of a call by keyword that the function refused."""
    failure = raised(text, error, name)
    if error["type"] == "TypeError" and "keyword argument" in error["message"]:
        failure.bug = _("a parameter of {name} has another name than the exercise's signature "
                        "gives, def {name}({parameters}): keep those names, since the notebook's "
                        "cells call it with them (e.g. `lr=0.01`, `seed=0`)",
                        name=name, parameters=", ".join(PARAMETERS[name]))
    return failure


# ------------------------------------------------------------------ judging helpers


def _numbers(value, length, what, mistakes, part):
    """``value`` (a list, tuple or array) as a float array of ``length`` entries.

    ``mistakes`` maps a wrong length to the likely bug that gives it; ``part``
    names the value (``costs``, ``losses``) in a hidden case's message.
    """
    if value is None:
        raise Fail(_("{what} is None: is it returned?", what=what),
                   reason=_("{part} is None", part=part))
    if type(value) in (list, tuple):
        odd = [item for item in value if not (type(item) in (int, float, bool) or (
            type(item) is np.ndarray and item.size == 1))]
        if odd:
            raise Fail(_("{what} holds {got}: store one number per step, e.g. "
                         "`costs.append(cost(x, y, w))`.", what=what, got=describe(odd[0])),
                       reason=_("{part} holds something other than numbers", part=part))
        value = np.array([float(np.reshape(item, ())) for item in value])
    if type(value) is not np.ndarray:
        raise Fail(_("{what} is {got}, expected a list or array of {length} numbers.",
                     what=what, got=describe(value), length=length),
                   reason=_("{part} is not a list or array of numbers", part=part))
    if value.size != length:
        raise Fail(_("{what} has {size} entries, expected {length}.", what=what,
                     size=value.size, length=length),
                   reason=_("{part} has the wrong number of entries", part=part),
                   bug=mistakes.get(value.size, ""))
    # An array of shape (epochs, steps per epoch) holds the same numbers in the same order.
    return value.astype(float).ravel()


def _pair(result, what, names):
    """A returned pair such as ``(w, costs)``, else a failure."""
    pair = ", ".join(names)
    if result is None:
        raise Fail(_("{what} returned None: is the `return` statement missing? End with "
                     "`return {pair}`.", what=what, pair=pair), reason=_("it returned None"))
    if type(result) not in (tuple, list) or len(result) != 2:
        raise Fail(_("{what} returned {got}, expected a pair ({pair}): end with `return {pair}`.",
                     what=what, got=describe(result), pair=pair),
                   reason=_("it did not return a pair ({pair})", pair=pair))
    return result


def _first_difference(actual, expected):
    """The first index where ``actual`` and ``expected`` differ beyond the tolerance."""
    scale = max(float(np.max(np.abs(expected), initial=0.0)), 1e-3)
    with np.errstate(all="ignore"):
        off = ~np.isclose(actual, expected, rtol=RTOL, atol=RTOL * scale)
    return int(np.argmax(off))


# ------------------------------------------------------------------ cost_gradient


def _gradient_cases(seed):
    if seed is None:
        x, y = _lecture_data()
        x5, y5 = _five_data()
        return [
            {"args": (x, y, 1.0),
             **_case(N_("{call} on the lecture's data"), call="cost_gradient(x, y, 1.0)")},
            {"args": (x, y, 2.5),
             **_case(N_("{call} on the lecture's data"), call="cost_gradient(x, y, 2.5)")},
            {"args": (x, y, 2.0), **_case(N_("{call} on the lecture's data (the minimum)"),
                                          call="cost_gradient(x, y, 2.0)")},
            {"args": (x5, y5, 0.5),
             "call": f"cost_gradient(x={show(x5)}, y={show(y5)}, w=0.5)"},
            {**_keywords("cost_gradient", (*_lecture_data(), 1.5)),
             **_case(N_("{call} on the lecture's data, called with keywords, as the notebook's "
                        "cells call it"), call="cost_gradient(x, y, w=1.5)")},
        ]
    x, y, rng = _random_data(seed)
    return [{"args": (x, y, round(float(w), 3)),
             "call": _("cost_gradient(x, y, w) on hidden data")}
            for w in rng.uniform(-3.0, 3.0, 2)]


def _gradient_judge(case, observed, answer):
    text = _said(case)
    if "error" in observed:
        raise _raised(text, observed["error"], "cost_gradient")
    value, x = observed["value"], arguments("cost_gradient", case)[0]
    if type(value) is np.ndarray and value.shape == x.shape and x.size > 1:
        raise Fail(_("{call} returned {got}, expected one number: these look like the "
                     "gradients of the single samples; ∂cost/∂w is their mean.",
                     call=text, got=describe(value)),
                   reason=_("it returned one gradient per sample, not their mean"))
    actual, expected = as_number(value, text), answer["expected"]
    if not _close(actual, expected):
        raise Fail(_("{call} returned {got}, expected {want} (finite differences of the cost "
                     "give {measured}).", call=text, got=show(actual), want=show(expected),
                     measured=f"{answer['finite_difference']:.6g}"),
                   bug=_.template(likely(actual, answer["bugs"], _close)))
    return None


cost_gradient = Exercise(
    name="cost_gradient", points=2, cases=_gradient_cases, run=_run("cost_gradient"),
    inputs=("x", "y", "w"),
    judge=_gradient_judge, hidden_seeds=(30_121, 30_122),
    summary="cost_gradient returns ∂cost/∂w, the mean of 2·x·(x·w − y) over the samples")


# ------------------------------------------------------------------ gradient_descent


def _call_text(name, args):
    x, y, *rest = args
    names = ("w0", "lr", "epochs", "batch_size", "seed")
    settings = ", ".join(f"{key}={value!r}" for key, value in zip(names, rest))
    return f"{name}(x, y, {settings})"


def _gd_cases(seed):
    if seed is None:
        x, y = _lecture_data()
        x2, y2 = _second_data()
        return [
            {"args": (x, y, 1.0, 0.01, 100), **_case(
                N_("{call} on the lecture's data"),
                call=_call_text("gradient_descent", (x, y, 1.0, 0.01, 100)))},
            {"args": (x2, y2, 0.5, 0.03, 12), **_case(
                N_("{call} with x = {x}, y = {y}"),
                call=_call_text("gradient_descent", (x2, y2, 0.5, 0.03, 12)),
                x=show(x2), y=show(y2))},
            {**_keywords("gradient_descent", (*_lecture_data(), 2.5, 0.05, 7)), **_case(
                N_("{call} on the lecture's data, called with keywords, as the notebook's "
                   "cells call it"), call=_call_text("gradient_descent", (x, y, 2.5, 0.05, 7)))},
        ]
    x, y, rng = _random_data(seed)
    lr = round(float(rng.uniform(0.1, 0.6) / np.mean(x ** 2)), 4)
    args = (x, y, round(float(rng.uniform(-3.0, 3.0)), 2), lr, int(rng.integers(5, 40)))
    return [{"args": args, "call": _("gradient_descent(x, y, w0, lr, epochs) on hidden data")}]


def _twice(fn, case):
    """The call's outcome, with ``"again"``, a second call's result, which must be the same."""
    observed = call(fn, *case["args"], **case.get("kwargs", {}))
    if "error" not in observed:
        observed["again"] = call(fn, *case["args"], **case.get("kwargs", {})).get("value")
    return observed


def _flat(w, costs):
    """``(w, costs)`` as one vector, so that a bug's whole result is compared at once."""
    return np.concatenate([[w], costs])


def _judge_descent(case, observed, answer, name, history, mistakes):
    """The shared judging of ``gradient_descent``, ``sgd`` and ``minibatch_gd``.

    ``history`` names the second value returned (``costs`` or ``losses``);
    the answer's ``results`` are the correct ``(w, history)`` results (one, or
    two equally correct ways to shuffle); ``mistakes`` maps a wrong length of
    the history to its likely bug.
    """
    text = _said(case)
    if "error" in observed:
        raise _raised(text, observed["error"], name)
    w, values = _pair(observed["value"], text, ("w", history))
    if type(w) in (list, tuple, np.ndarray) and type(values) in (int, float):
        raise Fail(_("{call} returned ({history}, w): the order is (w, {history}).",
                     call=text, history=history),
                   reason=_("it returned ({history}, w): the order is (w, {history})",
                            history=history))
    w = as_number(w, _("{call}: {name}", call=text, name="w"))
    expected = answer["results"]
    values = _numbers(values, len(expected[0][1]), _("{call}: {name}", call=text, name=history),
                      mistakes, history)
    if "again" in observed and not (type(observed["again"]) is type(observed["value"])
                                    and _same(observed["again"], observed["value"])):
        seeded = name == "minibatch_gd" and arguments(name, case)[-1] is not None
        raise Fail(_("{call} gave a different result when called again with the same "
                     "arguments: it draws random numbers. With a seed, make the generator "
                     "inside the function, `rng = np.random.default_rng(seed)`, so that a call "
                     "repeats exactly.", call=text) if seeded else
                   _("{call} gave a different result when called again with the same "
                     "arguments: it draws random numbers. It must take the samples in data "
                     "order, without shuffling.", call=text),
                   reason=_("a second call with the same arguments gave another result"))
    actual = _flat(w, values)
    bug = _.template(likely(actual, answer["bugs"], _close))
    if not any(_close(actual, _flat(*result)) for result in expected):
        best_w, best = expected[0]
        if not _close(values, best):
            i = _first_difference(values, best)
            fields = dict(call=text, history=history, i=i, got=show(values[i]),
                          want=show(best[i]))
            raise Fail(_("{call}: {history}[{i}] is {got}, expected {want} (the loss before "
                         "update {i}).", **fields) if history == "losses" else
                       _("{call}: {history}[{i}] is {got}, expected {want} (the cost before "
                         "update {i}).", **fields),
                       reason=_("the {history} are wrong", history=history), bug=bug)
        raise Fail(_("{call} returned w = {got}, expected {want}.", call=text, got=show(w),
                     want=show(best_w)),
                   reason=_("the final w is wrong"), bug=bug)
    return None


def _same(first, second):
    """Two plain results equal, arrays included (NaN equal to NaN)."""
    if type(first) in (list, tuple):
        return (type(second) is type(first) and len(first) == len(second)
                and all(_same(a, b) for a, b in zip(first, second)))
    if type(first) is np.ndarray or type(second) is np.ndarray:
        return (type(first) is type(second) and first.shape == second.shape
                and np.array_equal(first, second, equal_nan=first.dtype.kind in "fc"))
    return first == second or (first != first and second != second)


def _gd_judge(case, observed, answer):
    x, *_unused, epochs = arguments("gradient_descent", case)
    n = len(x)
    mistakes = {epochs + 1: _("one cost too many: log the cost before each update, "
                              "`epochs` costs in all"),
                epochs * n: _("one cost per sample: gradient descent makes one update per "
                              "epoch with the gradient of all the samples (per-sample updates "
                              "are SGD)"),
                100: _("the number of epochs is hard-coded to the lecture's 100: loop "
                       "`for epoch in range(epochs)`")}
    mistakes.pop(epochs, None)
    return _judge_descent(case, observed, answer, "gradient_descent", "costs", mistakes)


gradient_descent = Exercise(
    name="gradient_descent", points=3, cases=_gd_cases, run=_run("gradient_descent"),
    judge=_gd_judge, inputs=("x", "y"),
    hidden_seeds=(30_221, 30_222), uses=(cost_gradient,),
    summary="gradient_descent returns (w, costs), costs[e] the cost before update e")


# ------------------------------------------------------------------ critical_learning_rate


def _critical_cases(seed):
    if seed is None:
        x = _lecture_data()[0]
        other, negative = np.array([0.5, 1.5, 2.0, 4.0]), np.array([-2.0, -1.0, 0.5])
        return [{"args": (x,), **_case(N_("{call} on the lecture's data"),
                                       call="critical_learning_rate(x)")},
                {"args": (other,), "call": f"critical_learning_rate({show(other)})"},
                {"args": (negative,), "call": f"critical_learning_rate({show(negative)})"}]
    x = _random_data(seed)[0]
    return [{"args": (x,), "call": _("critical_learning_rate(x) on hidden data")}]


def _critical_judge(case, observed, answer):
    text = _said(case)
    if "error" in observed:
        raise _raised(text, observed["error"], "critical_learning_rate")
    actual, expected = as_number(observed["value"], text), answer["expected"]
    if not _close(actual, expected):
        raise Fail(_("{call} returned {got}, expected {want}.", call=text, got=show(actual),
                     want=show(expected)),
                   bug=_.template(likely(actual, answer["bugs"], _close)))
    return None


critical_learning_rate = Exercise(
    name="critical_learning_rate", points=2, cases=_critical_cases,
    run=_run("critical_learning_rate"), inputs=("x",),
    judge=_critical_judge, hidden_seeds=(30_321, 30_322),
    summary="critical_learning_rate returns the learning rate above which batch gradient "
            "descent diverges")


# ------------------------------------------------------------------ sgd


def _sgd_cases(seed):
    if seed is None:
        x, y = _lecture_data()
        x2, y2 = _second_data()
        return [
            {"args": (x, y, 1.0, 0.01, 100), **_case(
                N_("{call} on the lecture's data"),
                call=_call_text("sgd", (x, y, 1.0, 0.01, 100)))},
            {"args": (x2, y2, 0.5, 0.03, 3), **_case(
                N_("{call} with x = {x}, y = {y}"), call=_call_text("sgd", (x2, y2, 0.5, 0.03, 3)),
                x=show(x2), y=show(y2))},
            {**_keywords("sgd", (*_lecture_data(), 2.5, 0.02, 4)), **_case(
                N_("{call} on the lecture's data, called with keywords, as the notebook's "
                   "cells call it"), call=_call_text("sgd", (x, y, 2.5, 0.02, 4)))},
        ]
    x, y, rng = _random_data(seed)
    lr = round(float(rng.uniform(0.05, 0.3) / np.max(x ** 2)), 4)
    args = (x, y, round(float(rng.uniform(-3.0, 3.0)), 2), lr, int(rng.integers(3, 15)))
    return [{"args": args, "call": _("sgd(x, y, w0, lr, epochs) on hidden data")}]


def _sgd_judge(case, observed, answer):
    x, *_unused, epochs = arguments("sgd", case)
    n = len(x)
    mistakes = {epochs: _("one loss per epoch: SGD updates w once per sample and logs each "
                          "sample's loss before its update"),
                epochs * n + 1: _("one loss too many: log each loss before its update"),
                100 * n: _("the number of epochs is hard-coded to the lecture's 100: loop "
                           "`for epoch in range(epochs)`")}
    mistakes.pop(epochs * n, None)
    return _judge_descent(case, observed, answer, "sgd", "losses", mistakes)


sgd = Exercise(
    name="sgd", points=3, cases=_sgd_cases, run=_twice, judge=_sgd_judge,
    inputs=("x", "y"),
    hidden_seeds=(30_421, 30_422), uses=(cost_gradient,),
    summary="sgd updates once per sample in data order and returns (w, losses)")


# ------------------------------------------------------------------ minibatch_gd


def _minibatch_cases(seed):
    def case(args, template):
        x, y = args[:2]
        return {"args": args, **_case(template, call=_call_text("minibatch_gd", args),
                                      x=show(x), y=show(y))}

    if seed is None:
        x, y = _lecture_data()
        x5, y5 = _five_data()
        return [
            case((x, y, 1.0, 0.01, 100, 3, None),
                 N_("{call} on the lecture's data (batch_size = len(x): batch GD)")),
            case((x, y, 1.0, 0.01, 100, 1, None),
                 N_("{call} on the lecture's data (batch_size = 1, no seed: SGD)")),
            case((x5, y5, 0.5, 0.03, 4, 2, None),
                 N_("{call} with x = {x}, y = {y} (batches of 2, 2 and 1)")),
            case((x5, y5, 0.5, 0.03, 4, 2, 7),
                 N_("{call} with x = {x}, y = {y} (shuffled with a seed)")),
            {**_keywords("minibatch_gd", (*_five_data(), 0.5, 0.03, 4, 2, 0)), **_case(
                N_("{call} with x = {x}, y = {y} (seed 0, the notebook's SEED, shuffles too), "
                   "called with keywords, as the notebook's cells call it"),
                call=_call_text("minibatch_gd", (x5, y5, 0.5, 0.03, 4, 2, 0)),
                x=show(x5), y=show(y5))},
        ]
    x, y, rng = _random_data(seed)
    n = len(x)
    lr = round(float(rng.uniform(0.05, 0.3) / np.max(x ** 2)), 4)
    w0, epochs = round(float(rng.uniform(-3.0, 3.0)), 2), int(rng.integers(3, 12))
    batch_size = int(rng.integers(2, n))
    return [{"args": (x, y, w0, lr, epochs, batch_size, None),
             "call": _("minibatch_gd(x, y, w0, lr, epochs, batch_size, seed) on hidden data, "
                       "seed=None")},
            {"args": (x, y, w0, lr, epochs, batch_size, int(rng.integers(100))),
             "call": _("minibatch_gd(x, y, w0, lr, epochs, batch_size, seed) on hidden data, "
                       "shuffled with a seed")}]


def _minibatch_judge(case, observed, answer):
    x, *_unused, epochs, batch_size, _seed = arguments("minibatch_gd", case)
    n = len(x)
    batches = -(-n // batch_size)
    mistakes = {epochs * batches + 1: _("one cost too many: log each cost before its update"),
                100 * batches: _("the number of epochs is hard-coded to the lecture's 100: "
                                 "loop `for epoch in range(epochs)`")}
    if n % batch_size:
        mistakes[epochs * (n // batch_size)] = _(
            "the last, smaller batch is missing: `x[start:start + batch_size]` simply gives "
            "fewer samples at the end; keep it")
    if batch_size < n:
        mistakes[epochs] = _("one cost per epoch, as batch GD logs: is batch_size used? Update "
                             "w once per batch")
    mistakes.pop(epochs * batches, None)
    return _judge_descent(case, observed, answer, "minibatch_gd", "costs", mistakes)


minibatch_gd = Exercise(
    name="minibatch_gd", points=3, cases=_minibatch_cases, run=_twice,
    inputs=("x", "y"),
    judge=_minibatch_judge, hidden_seeds=(30_521, 30_522), uses=(cost_gradient,),
    summary="minibatch_gd returns (w, costs): batch GD for one batch, SGD for batches of one, "
            "shuffled reproducibly with a seed")


# ------------------------------------------------------------------ affine_gradients


def _affine_cases(seed):
    if seed is None:
        x, y = _lecture_data()
        x5, y5 = _five_data()
        return [
            {"args": (x, y, 1.0, 0.0), **_case(N_("{call} on the lecture's data"),
                                               call="affine_gradients(x, y, w=1.0, b=0.0)")},
            {"args": (x, y, 1.5, 0.5), **_case(N_("{call} on the lecture's data"),
                                               call="affine_gradients(x, y, w=1.5, b=0.5)")},
            {"args": (x5, y5, 0.5, -0.5),
             "call": f"affine_gradients(x={show(x5)}, y={show(y5)}, w=0.5, b=-0.5)"},
            {**_keywords("affine_gradients", (*_lecture_data(), 2.5, -1.0)),
             **_case(N_("{call} on the lecture's data, called with keywords, as the notebook's "
                        "cells call it"), call="affine_gradients(x, y, w=2.5, b=-1.0)")},
        ]
    x, y, rng = _random_data(seed)
    w, b = (round(float(v), 3) for v in rng.uniform(-3.0, 3.0, 2))
    return [{"args": (x, y, w, b), "call": _("affine_gradients(x, y, w, b) on hidden data")}]


def _affine_judge(case, observed, answer):
    text = _said(case)
    if "error" in observed:
        raise _raised(text, observed["error"], "affine_gradients")
    result = observed["value"]
    if type(result) is np.ndarray and result.shape == (2,):
        result = tuple(result.tolist())
    dw, db = _pair(result, text, ("dcost_dw", "dcost_db"))
    actual = np.array([as_number(dw, _("{call}: {name}", call=text, name="dcost_dw")),
                       as_number(db, _("{call}: {name}", call=text, name="dcost_db"))])
    expected = answer["expected"]
    if not _close(actual, expected):
        measured = answer["finite_differences"]
        raise Fail(_("{call} returned ({got_dw}, {got_db}), expected ({want_dw}, {want_db}) "
                     "(finite differences of the cost give ({measured_dw}, {measured_db})).",
                     call=text, got_dw=show(actual[0]), got_db=show(actual[1]),
                     want_dw=show(expected[0]), want_db=show(expected[1]),
                     measured_dw=f"{measured[0]:.6g}", measured_db=f"{measured[1]:.6g}"),
                   bug=_.template(likely(actual, answer["bugs"], _close)))
    return None


affine_gradients = Exercise(
    name="affine_gradients", points=2, cases=_affine_cases, run=_run("affine_gradients"),
    inputs=("x", "y", "w", "b"),
    judge=_affine_judge, hidden_seeds=(30_621, 30_622),
    summary="affine_gradients returns (∂cost/∂w, ∂cost/∂b) for ŷ = x·w + b")

EXERCISES = declare(CHAPTER, cost_gradient, gradient_descent, critical_learning_rate, sgd,
                    minibatch_gd, affine_gradients)
__all__ = ["CHAPTER", "EXERCISES", *(exercise.name for exercise in EXERCISES)]
