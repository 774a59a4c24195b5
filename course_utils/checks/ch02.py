"""Chapter 2 (linear model): its exercises, declared once.

The test cells call them: ``cu.checks.ch02.forward(forward)``; the hidden
tests ``cu.checks.ch02.forward(forward, hidden=True)``. Each exercise has
visible cases on the lecture's data (and a second, visible example where one
case cannot tell two likely bugs apart), called as the notebook's own cells
and explorers call the function: positionally, with the keywords of its
signature (``mse(y_hat=..., y=...)``) and with the seeds the notebook passes
(``seed=0`` included). Hidden cases are drawn from a seed. The answers come
from the grader's key, ``grading/keys/ch02.py``.

``exhaustive_search`` and ``cost_surface`` use the learner's ``forward`` and
``mse``. The grader checks them with correct ones in place of the learner's
when those fail their own checks, so a bug costs only the exercise it is in.
"""
import numpy as np

from .. import data
from ..i18n import N_, translator
from .core import (as_array, as_number, call, count_lines, declare, describe, Exercise, Fail,
                   likely, raised, show)

CHAPTER = "02_linear_model"
_ = translator(__name__, CHAPTER)
RTOL, ATOL = 1e-8, 1e-10
# fit_errors allows for least squares by another route (np.linalg.lstsq, Polynomial.fit).
FIT_RTOL = 1e-6


def _close(actual, expected, rtol=RTOL):
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    return actual.shape == expected.shape and np.allclose(actual, expected, rtol=rtol,
                                                          atol=ATOL)


def _random_line(seed):
    """Hidden data: a noisy line with random slope, intercept and size; and the generator."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(4, 9))
    x = rng.uniform(-3.0, 3.0, n)
    w, b = rng.uniform(-3.0, 3.0, 2)
    return x, x * w + b + rng.normal(0.0, 0.3, n), rng


def _case(call_text, *args, **kwargs):
    """A case: the arguments, positional and by keyword, as the call it describes passes them."""
    return {"args": args, "kwargs": kwargs, "call": call_text}


def _run(fn, case):
    """The running half of most exercises here: one call, as the case writes it."""
    return call(fn, *case["args"], **case["kwargs"])


def _arguments(case, names, skip=0):
    """The case's arguments named ``names``, however passed: ``names`` are the signature's,
    from its parameter number ``skip`` on."""
    given = {**dict(zip(names, case["args"][skip:])), **case["kwargs"]}
    return tuple(given[name] for name in names)


# ------------------------------------------------------------------ judging helpers


def _first_difference(actual, expected):
    index = np.unravel_index(
        np.argmax(~np.isclose(actual, expected, rtol=RTOL, atol=ATOL)), expected.shape)
    return index


def _bug_of(actual, answer):
    return _bug(likely(actual, answer["bugs"], _close))


def _bug(description):
    """A bug's description from the key (marked N_ there), in the learner's language."""
    return _.template(description) if description else ""


def _short(value):
    """A float without its last-digit noise: 0.512, not 0.5120000000000001."""
    return repr(float(f"{value:.12g}"))


# ------------------------------------------------------------------ train_dev_test_split

SPLIT_ORDER = "(X_train, y_train, X_dev, y_dev, X_test, y_test)"
PART_NAMES = SPLIT_ORDER[1:-1].split(", ")
SET_NAMES = ("training", "dev", "test")
# Shown as "the {name} set" (训练集…); the code keys on SET_NAMES.
SET_LABELS = dict(zip(SET_NAMES, (N_("training"), N_("dev"), N_("test"))))


def _set(name):
    return _.template(SET_LABELS[name])


def _split_cases(seed):
    if seed is None:
        # Readable data: sample i is the row [2i, 2i + 1] of X with the label 100 + i.
        # Seed 0 is the notebook's own (SEED = 0), and a seed like any other.
        return [
            {"X": np.arange(40.0).reshape(20, 2), "y": 100.0 + np.arange(20.0),
             "dev_frac": 0.2, "test_frac": 0.1, "seed": 0, "other_seeds": (1, 2)},
            {"X": np.arange(10.0) / 10, "y": np.arange(10.0) * 3 + 1,
             "dev_frac": 0.3, "test_frac": 0.2, "seed": 42, "other_seeds": (0, 7)},
        ]
    rng = np.random.default_rng(seed)
    n = int(rng.integers(15, 61))
    fractions = rng.choice([0.1, 0.15, 0.2, 0.25, 0.3], 2)
    return [{"X": rng.normal(0.0, 1.0, (n, int(rng.integers(1, 5)))),
             "y": rng.normal(0.0, 1.0, n),
             "dev_frac": float(fractions[0]), "test_frac": float(fractions[1]),
             "seed": int(rng.integers(0, 1000)),
             "other_seeds": (0, int(rng.integers(1000, 2000))),  # 0: a seed like any other
             "hidden": True, "call": _split_text({"hidden": True}, None)}]


def _split_text(case, seed):
    if case.get("hidden"):
        return _("train_dev_test_split(X, y, dev_frac, test_frac, seed) on hidden data")
    return (f"train_dev_test_split(X, y, dev_frac={case['dev_frac']}, "
            f"test_frac={case['test_frac']}, seed={seed}) with X of shape {case['X'].shape}")


def _split_run(train_dev_test_split, case):
    def run(seed):
        # As the notebook calls it: the data by position, the rest by the signature's names.
        return call(train_dev_test_split, case["X"].copy(), case["y"].copy(),
                    dev_frac=case["dev_frac"], test_frac=case["test_frac"], seed=seed)

    # The same seed twice, then other seeds: is the split reproducible, and does
    # it depend on the seed? (Two other seeds: one could match by chance.)
    return {"first": run(case["seed"]), "again": run(case["seed"]),
            "others": [run(seed) for seed in case["other_seeds"]]}


def _shape_text(like):
    return "(k" + "".join(f", {size}" for size in like.shape[1:]) + ("," * (like.ndim == 1)) + ")"


def _parts(observed, case, text):
    """The six arrays of one call, each checked for type and shape."""
    if "error" in observed:
        raise raised(text, observed["error"], "train_dev_test_split")
    result = observed["value"]
    if result is None:
        raise Fail(_("{call} returned None: is the `return` statement missing?", call=text),
                   reason=_("it returned None"))
    if type(result) in (tuple, list) and len(result) == 3:
        raise Fail(_("{call} returned 3 items, expected 6 arrays {order}: return them flat, "
                     "not as three pairs.", call=text, order=SPLIT_ORDER),
                   reason=_("it returned 3 items, not 6 arrays {order}", order=SPLIT_ORDER))
    if type(result) not in (tuple, list) or len(result) != 6:
        raise Fail(_("{call} returned {got}, expected a tuple of 6 arrays {order}.", call=text,
                     got=describe(result), order=SPLIT_ORDER),
                   reason=_("it did not return 6 arrays {order}", order=SPLIT_ORDER))
    X, y = case["X"], case["y"]
    for name, part, like in zip(PART_NAMES, result, (X, y) * 3):
        if type(part) is not np.ndarray:
            raise Fail(_("{call}: {name} is {got}, expected a numpy array: index the arrays "
                         "with an array of indices, e.g. `X[idx]`.", call=text, name=name,
                         got=describe(part)),
                       reason=_("{name} is not a numpy array", name=name))
        if part.ndim != like.ndim or part.shape[1:] != like.shape[1:]:
            fields = {"call": text, "name": name, "shape": part.shape,
                      "want": _shape_text(like), "array": "X" if like is X else "y"}
            if like is y and part.ndim == X.ndim and X.ndim > 1:
                message = _("{call}: {name} has shape {shape}, expected {want}, k samples of "
                            "the {array} given. Is the order {order}?", order=SPLIT_ORDER,
                            **fields)
            else:
                message = _("{call}: {name} has shape {shape}, expected {want}, k samples of "
                            "the {array} given.", **fields)
            raise Fail(message, reason=_("{name} has the wrong shape", name=name))
    return result


def _positions(values, originals, name, text):
    """The index in ``originals`` of each row of ``values`` (the samples are all distinct)."""
    where = {originals[i].tobytes(): i for i in range(len(originals))}
    found = []
    for k, row in enumerate(values):
        index = where.get(np.asarray(row, dtype=originals.dtype).tobytes())
        if index is None:
            raise Fail(_("{call}: {name}[{k}] = {row} is not one of the samples given. Return "
                         "the sets in the order {order}, each taken from the original X and y.",
                         call=text, name=name, k=k, row=show(row), order=SPLIT_ORDER),
                       reason=_("{name} holds something that is not one of the samples given",
                                name=name))
        found.append(index)
    return found


def _split_indices(observed, case, text):
    """``[train, dev, test]``: the sample indices of each set, checked for aligned pairs."""
    parts = _parts(observed, case, text)
    sets = []
    for k, name in enumerate(SET_NAMES):
        X_part, y_part = parts[2 * k], parts[2 * k + 1]
        if len(X_part) != len(y_part):
            raise Fail(_("{call}: the {name} set has {rows} rows of X but {labels} labels: X "
                         "and y must be cut at the same places.", call=text, name=_set(name),
                         rows=len(X_part), labels=len(y_part)),
                       reason=_("the {name} set has not as many rows of X as labels",
                                name=_set(name)))
        rows = _positions(X_part, case["X"], PART_NAMES[2 * k], text)
        labels = _positions(y_part, case["y"], PART_NAMES[2 * k + 1], text)
        for row, label in zip(rows, labels):
            if row != label:
                raise Fail(_("{call}: pairs misaligned in the {name} set: a row of X is sample "
                             "{row} but the label beside it is that of sample {label}. Shuffle "
                             "X and y with the same permutation: draw one array of indices and "
                             "index both with it.", call=text, name=_set(name), row=row,
                             label=label),
                           reason=_("pairs misaligned in the {name} set", name=_set(name)),
                           bug=_("X and y were shuffled with different permutations"))
        sets.append(rows)
    return sets


def _split_judge(case, observed, answer):
    text = _split_text(case, case["seed"])
    sets = _split_indices(observed["first"], case, text)
    n = len(case["y"])
    for name, part in zip(SET_NAMES, sets):
        if len(set(part)) != len(part):
            twice = next(i for i in part if part.count(i) > 1)
            raise Fail(_("{call}: sample {sample} is in the {name} set more than once: draw "
                         "the samples without replacement, e.g. `rng.permutation(len(X))`.",
                         call=text, sample=twice, name=_set(name)),
                       reason=_("a sample is in the {name} set more than once",
                                name=_set(name)),
                       bug=_("samples drawn with replacement"))
    for first, second in ((0, 1), (0, 2), (1, 2)):
        shared = sorted(set(sets[first]) & set(sets[second]))
        if shared:
            raise Fail(_("{call}: overlapping sets: sample {sample} is in both the {first} and "
                         "the {second} set ({count} shared in all). Cut one shuffled order into "
                         "three consecutive, disjoint pieces.", call=text, sample=shared[0],
                         first=_set(SET_NAMES[first]), second=_set(SET_NAMES[second]),
                         count=len(shared)),
                       reason=_("the sets overlap"))
    lost = sorted(set(range(n)) - set().union(*sets))
    if lost:
        if len(lost) == 1:
            message = _("{call}: 1 of the {n} samples is lost (sample {sample} is in no set): "
                        "together the three sets must hold every sample; the training set "
                        "takes all the samples that dev and test do not.", call=text, n=n,
                        sample=lost[0])
        else:
            message = _("{call}: {count} of the {n} samples are lost (sample {sample} is in no "
                        "set): together the three sets must hold every sample; the training "
                        "set takes all the samples that dev and test do not.", call=text,
                        count=len(lost), n=n, sample=lost[0])
        raise Fail(message, reason=_("samples are lost: they are in no set"))
    sizes = [len(part) for part in sets]
    wanted = {"dev": case["dev_frac"] * n, "test": case["test_frac"] * n}
    for k, name in ((1, "dev"), (2, "test")):
        # round() and int() may differ by one sample; both are fine.
        if abs(sizes[k] - wanted[name]) >= 1:
            swapped = abs(sizes[k] - wanted["test" if name == "dev" else "dev"]) < 1
            raise Fail(_("{call}: the {name} set has {size} samples, expected round({fraction} "
                         "· {n}) = {want}. Sizes (training, dev, test): {sizes}.", call=text,
                         name=_set(name), size=sizes[k], fraction=case[name + "_frac"], n=n,
                         want=round(wanted[name]), sizes=tuple(sizes)),
                       reason=_("the {name} set does not have the size its fraction asks for",
                                name=_set(name)),
                       bug=_("the dev and test sizes are swapped.") if swapped else "")
    zero = _.template(SEED_ZERO_BUG) if case["seed"] == 0 else ""
    again = _("{call}, called a second time", call=text)
    if _split_indices(observed["again"], case, again) != sets:
        raise Fail(_("{call} gave a different split when called again with the same seed: the "
                     "split must be reproducible. Draw from a generator made from the seed, "
                     "`rng = np.random.default_rng(seed)`, not from np.random's global state.",
                     call=text),
                   reason=_("the same seed gave another split: it is not reproducible"),
                   bug=zero)
    runs = [(case["seed"], sets)] + [
        (seed, _split_indices(other, case, _split_text(case, seed)))
        for other, seed in zip(observed["others"], case["other_seeds"])]
    unshuffled = [seed for seed, each in runs if _consecutive(each)]
    if len(unshuffled) == len(runs):
        raise Fail(_("{call} does not shuffle: each set is a consecutive run of the samples as "
                     "given (the training set is samples {first} to {last}), whatever the "
                     "seed. Data are often sorted (by date, by label), so shuffle with the "
                     "seed before cutting.", call=text, first=sets[0][0], last=sets[0][-1]),
                   reason=_("it does not shuffle: each set is a consecutive run of samples"))
    if unshuffled:
        seed = unshuffled[0]
        raise Fail(_("{call} does not shuffle: each set is a consecutive run of the samples as "
                     "given, while other seeds do shuffle. Every seed, 0 included, must give a "
                     "shuffled split.", call=_split_text(case, seed)),
                   reason=_("with one of the seeds it does not shuffle"),
                   bug=_.template(SEED_ZERO_BUG) if seed == 0 else "")
    members = [sorted(part) for part in sets]
    if all([sorted(part) for part in other] == members for _seed, other in runs[1:]):
        raise Fail(_("{call} ignores the seed: seeds {seed}, {others} all gave the same split. "
                     "Make the generator from the argument: `rng = np.random.default_rng(seed)`.",
                     call=text, seed=case["seed"], others=", ".join(map(str, case["other_seeds"]))),
                   reason=_("it ignores the seed: other seeds gave the same split"))
    return _shuffled_in_place(observed, text)


SEED_ZERO_BUG = N_("seed 0 is taken for no seed: `if seed:` is False for 0. Make the generator "
                   "from the seed whatever it is, `np.random.default_rng(seed)` (or test "
                   "`if seed is not None:`).")


def _consecutive(sets):
    """Whether each set is a run of consecutive samples in the order given: no shuffle."""
    return all(part == list(range(part[0], part[0] + len(part))) for part in sets if part)


def _shuffled_in_place(observed, text):
    """Advice when the inputs were shuffled in place (seen in the learner's process)."""
    changed = observed["first"].get("changed") or []
    names = ["Xy"[i] for i in changed if type(i) is int and 0 <= i < 2]
    if not names:
        return None
    names = _("{first} and {last}", first=names[0], last=names[1]) if len(names) == 2 \
        else names[0]
    return _("Note: {call} shuffled its input {names} in place (as np.random.shuffle does): the "
             "caller's data must stay as it was. Shuffle an array of indices instead, e.g. "
             "`rng.permutation(len(X))`, and index X and y with it.", call=text, names=names)


train_dev_test_split = Exercise(
    name="train_dev_test_split", points=3, cases=_split_cases, run=_split_run,
    judge=_split_judge, hidden_seeds=(10_321, 10_322),
    summary="train_dev_test_split gives disjoint, aligned sets of every sample, the sizes "
            "the fractions ask for, the same split for the same seed")


# ------------------------------------------------------------------ fit_errors


def _fit_cases(seed):
    if seed is None:
        # As the notebook calls it, degree by keyword; the first case all by keyword.
        return [
            _case("fit_errors(x_train=[0, 1, 2, 3, 4], y_train=[1, 3, 2, 5, 4], "
                  "x_dev=[0.5, 2.5, 5], y_dev=[2, 3, 6], degree=1)",
                  x_train=np.array([0.0, 1.0, 2.0, 3.0, 4.0]),
                  y_train=np.array([1.0, 3.0, 2.0, 5.0, 4.0]),
                  x_dev=np.array([0.5, 2.5, 5.0]), y_dev=np.array([2.0, 3.0, 6.0]), degree=1),
            _case("fit_errors(x_train, y_train, x_dev, y_dev, degree=3) with 8 training and 3 "
                  "dev samples", np.array([0.0, 0.25, 0.5, 0.75, 1.0, 0.1, 0.6, 0.9]),
                  np.array([0.1, 1.1, -0.2, -0.9, 0.2, 0.5, -0.7, -0.4]),
                  np.array([0.2, 0.4, 0.8]), np.array([0.9, 0.4, -0.8]), degree=3),
            _case("fit_errors(x_train=[1, 2, 4], y_train=[2, 2.5, 5], x_dev=[3], y_dev=[3], "
                  "degree=0)", np.array([1.0, 2.0, 4.0]), np.array([2.0, 2.5, 5.0]),
                  np.array([3.0]), np.array([3.0]), 0),
        ]
    rng = np.random.default_rng(seed)
    n_train, n_dev = int(rng.integers(10, 31)), int(rng.integers(5, 21))
    x = rng.uniform(-1.0, 1.0, n_train + n_dev)
    y = np.sin(3.0 * x) + rng.normal(0.0, 0.3, len(x))
    degree = int(rng.integers(2, 7))
    return [_case(_("fit_errors(x_train, y_train, x_dev, y_dev, degree) on hidden data"),
                  x[:n_train], y[:n_train], x[n_train:], y[n_train:], degree)]


def _fit_judge(case, observed, answer):
    text = case["call"]
    if "error" in observed:
        raise raised(text, observed["error"], "fit_errors")
    result = observed["value"]
    if result is None:
        raise Fail(_("{call} returned None: is the `return` statement missing? End with "
                     "`return train_mse, dev_mse`.", call=text), reason=_("it returned None"))
    if type(result) is np.ndarray and result.shape == (2,):
        result = tuple(result.tolist())
    if type(result) not in (tuple, list) or len(result) != 2:
        raise Fail(_("{call} returned {got}, expected a tuple of two numbers (train_mse, "
                     "dev_mse).", call=text, got=describe(result)),
                   reason=_("it did not return two numbers (train_mse, dev_mse)"))
    for name, part in zip(("train_mse", "dev_mse"), result):
        if type(part) is np.ndarray and part.size > 1:
            raise Fail(_("{call}: {name} is {got}, expected one number: the mean of the "
                         "squared errors over the samples.", call=text, name=name,
                         got=describe(part)),
                       reason=_("{name} is an array, not one number", name=name))
    actual = np.array([as_number(result[0], f"{text}: train_mse"),
                       as_number(result[1], f"{text}: dev_mse")])
    expected = answer["expected"]
    if not _close(actual, expected, FIT_RTOL):
        raise Fail(_("{call} returned (train_mse, dev_mse) = ({train}, {dev}), expected "
                     "({want_train}, {want_dev}).", call=text, train=_short(actual[0]),
                     dev=_short(actual[1]), want_train=_short(expected[0]),
                     want_dev=_short(expected[1])),
                   bug=_bug(likely(actual, answer["bugs"],
                                   lambda a, b: _close(a, b, FIT_RTOL))))
    return None


fit_errors = Exercise(
    name="fit_errors", points=2, cases=_fit_cases, run=_run, judge=_fit_judge,
    inputs=("x_train", "y_train", "x_dev", "y_dev"),
    hidden_seeds=(10_421, 10_422),
    summary="fit_errors fits a polynomial on the training set and returns its training and "
            "dev MSE")


# ------------------------------------------------------------------ forward


def _forward_cases(seed):
    x = data.hours_points()[0]
    w_mesh, b_mesh = np.meshgrid(np.array([0.0, 1.5, 3.0, 4.0]), np.array([-1.0, 1.0]))
    if seed is None:
        # The notebook's calls: forward(2.0, 3.0), forward(2.0, 3.0, b=1.0), forward(x, w=2.0).
        return [
            _case("forward(2.0, 3.0)", 2.0, 3.0),
            _case("forward(2.0, 3.0, b=0.5)", 2.0, 3.0, b=0.5),
            _case(f"forward(x, w=2.0, b=0.5) with x = {show(x)}", x, w=2.0, b=0.5),
            _case("forward(2.0, w=[1, 2, 3])", 2.0, w=np.array([1.0, 2.0, 3.0])),
            _case("forward(x[:, None, None], W, B) with W, B = np.meshgrid(w_grid, b_grid) "
                  "of shape (2, 4), as the cost surface calls it", x[:, None, None], w_mesh,
                  b_mesh),
        ]
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3.0, 3.0, int(rng.integers(4, 9)))
    w, b = (round(float(v), 3) for v in rng.uniform(-3.0, 3.0, 2))
    w_grid, b_grid = rng.uniform(-3, 3, int(rng.integers(3, 6))), rng.uniform(-3, 3, 2)
    w_mesh, b_mesh = np.meshgrid(w_grid, b_grid)
    return [
        _case(_("forward(x, w, b) on hidden numbers"), round(float(x[0]), 3), w, b),
        _case(_("forward(x, w, b) on a hidden array x"), x, w, b),
        _case(_("forward(x[:, None, None], W, B) on a hidden grid"), x[:, None, None], w_mesh,
              b_mesh),
    ]


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
        raise Fail(_("{call} returned {got}, expected {want}.", call=text, got=show(actual),
                     want=show(expected)), bug=_bug_of(actual, answer))
    return None


forward = Exercise(
    name="forward", points=2, cases=_forward_cases, run=_run, judge=_forward_judge,
    inputs=("x", "w", "b"),
    hidden_seeds=(20_121, 20_122),
    summary="forward gives x * w + b for numbers, arrays of inputs and arrays of weights")


# ------------------------------------------------------------------ mse


def _mse_cases(seed):
    if seed is None:
        x, y = data.hours_points()
        # The notebook calls mse(y_hat=y_hat, y=y); the explorer mse(y_hat, y), one sample too.
        return [
            _case(f"mse(y_hat={show(x)}, y={show(y)})", y_hat=x * 1.0, y=y),
            _case("mse([0.5, 1, 4, 2, 1.5], [1, 1, 3, 3, 0])",
                  np.array([0.5, 1.0, 4.0, 2.0, 1.5]), np.array([1.0, 1.0, 3.0, 3.0, 0.0])),
            _case("mse([3.0], [6.0]) (one sample, as the explorer calls it)",
                  np.array([3.0]), np.array([6.0])),
        ]
    rng = np.random.default_rng(seed)
    y = rng.uniform(-5.0, 5.0, int(rng.integers(4, 9)))
    return [_case(_("mse(y_hat, y) on hidden data"), y + rng.normal(0.0, 1.0, y.shape), y)]


def _mse_judge(case, observed, answer):
    text = case["call"]
    if "error" in observed:
        raise raised(text, observed["error"], "mse")
    value, (y,) = observed["value"], _arguments(case, ("y",), skip=1)
    if type(value) is np.ndarray and value.shape == y.shape and y.size > 1:
        raise Fail(_("{call} returned {got}, expected one number: these look like the "
                     "per-sample losses; the cost is their mean.", call=text,
                     got=describe(value)),
                   reason=_("it returned one loss per sample, not their mean"))
    actual, expected = as_number(value, text), answer["expected"]
    if not _close(actual, expected):
        raise Fail(_("{call} returned {got}, expected {want}.", call=text, got=show(actual),
                     want=show(expected)), bug=_bug_of(actual, answer))
    return None


mse = Exercise(
    name="mse", points=2, cases=_mse_cases, run=_run, judge=_mse_judge,
    inputs=("y_hat", "y"),
    hidden_seeds=(20_221, 20_222),
    summary="mse returns one number, the mean of the squared errors")


# ------------------------------------------------------------------ exhaustive_search


def _search_cases(seed):
    if seed is None:
        x, y = data.hours_points()
        # The notebook calls exhaustive_search(x, y, w_grid=w_grid).
        return [
            _case("exhaustive_search(x=[1, 2, 3, 4], y=[3, 5, 7, 9.5], "
                  "w_grid=np.arange(0.5, 4.01, 0.25))", x=np.array([1.0, 2.0, 3.0, 4.0]),
                  y=np.array([3.0, 5.0, 7.0, 9.5]), w_grid=np.arange(0.5, 4.01, 0.25)),
            _case("exhaustive_search(x, y, w_grid=np.arange(0.0, 4.1, 0.1)) on the lecture's "
                  "data", x, y, w_grid=data.lecture_w_grid()),
        ]
    x, y, rng = _random_line(seed)
    w_grid = np.sort(rng.uniform(-4.0, 4.0, int(rng.integers(15, 40))))
    return [_case(_("exhaustive_search(x, y, w_grid) on hidden data"), x, y, w_grid)]


def _search_judge(case, observed, answer):
    text = case["call"]
    if "error" in observed:
        raise raised(text, observed["error"], "exhaustive_search")
    result, (w_grid,) = observed["value"], _arguments(case, ("w_grid",), skip=2)
    if result is None:
        raise Fail(_("{call} returned None: is the `return` statement missing? End with "
                     "`return best_w, costs`.", call=text), reason=_("it returned None"))
    if type(result) not in (tuple, list) or len(result) != 2:
        raise Fail(_("{call} returned {got}, expected a tuple (best_w, costs): end with "
                     "`return best_w, costs`.", call=text, got=describe(result)),
                   reason=_("it did not return a pair (best_w, costs)"))
    best_w, costs = result
    if (type(best_w) in (list, tuple, np.ndarray) and np.size(best_w) == len(w_grid)
            and np.size(costs) == 1):
        raise Fail(_("{call} returned (costs, best_w): the order is (best_w, costs).",
                     call=text),
                   reason=_("it returned (costs, best_w): the order is (best_w, costs)"))
    if type(costs) in (list, tuple):
        odd = [cost for cost in costs if type(cost) not in (int, float)]
        if odd:
            raise Fail(_("{call}: costs holds {got}: does the loop store one number for every "
                         "w?", call=text, got=describe(odd[0])),
                       reason=_("costs holds something other than numbers"))
        costs = np.array(costs, dtype=float)
    costs = as_array(costs, w_grid.shape, f"{text}: costs")
    expected_costs = answer["costs"]
    if not _close(costs, expected_costs):
        i = _first_difference(costs, expected_costs)[0]
        raise Fail(_("{call}: costs[{i}] (w = {w}) is {got}, expected {want}.", call=text, i=i,
                     w=show(w_grid[i]), got=show(costs[i]), want=show(expected_costs[i])),
                   reason=_("the costs are wrong"),
                   bug=_bug(likely(costs, answer["cost_bugs"], _close)))
    best = as_number(best_w, f"{text}: best_w")
    if not _close(best, answer["best_w"]):
        raise Fail(_("{call}: best_w is {got}, expected {want}.", call=text, got=show(best),
                     want=show(answer["best_w"])),
                   reason=_("best_w is wrong"), bug=_bug_of(best, answer))
    return None


exhaustive_search = Exercise(
    name="exhaustive_search", points=3, cases=_search_cases, run=_run,
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
        # As the notebook calls it: cost_surface(x, y, w_grid=w_grid, b_grid=b_grid).
        return [{**_case(f"cost_surface(x, y, w_grid=w_grid, b_grid=b_grid) with len(x) = "
                         f"{len(x)}, len(w_grid) = {len(w_grid)}, len(b_grid) = {len(b_grid)}",
                         x, y, w_grid=w_grid, b_grid=b_grid), "loop_probe": True}]
    x, y, rng = _random_line(seed)
    w_grid = np.linspace(-4.0, 4.0, int(rng.integers(6, 12)))
    b_grid = np.linspace(-3.0, 3.0, int(rng.integers(13, 20)))
    return [_case(_("cost_surface(x, y, w_grid, b_grid) on hidden data"), x, y, w_grid, b_grid)]


def _surface_run(cost_surface, case):
    observed = _run(cost_surface, case)
    if case.get("loop_probe"):
        x, y = _arguments(case, ("x", "y"))
        observed["lines"] = [count_lines(cost_surface, x, y, *SMALL_GRID),
                             count_lines(cost_surface, x, y, *LARGE_GRID)]
    return observed


BROADCAST_HINT = N_("x and y have shape (n,) and the grid (len(b_grid), len(w_grid)): give them "
                  "two new axes, `x[:, None, None]`, so that every sample meets every grid "
                  "point, then average over axis 0.")


def _surface_judge(case, observed, answer):
    text = case["call"]
    if "error" in observed:
        raise raised(text, observed["error"], "cost_surface", _.template(BROADCAST_HINT))
    x, _y, w_grid, b_grid = _arguments(case, ("x", "y", "w_grid", "b_grid"))
    shape, result = (len(b_grid), len(w_grid)), observed["value"]
    if type(result) is np.ndarray:
        if result.shape == shape[::-1]:
            raise Fail(_("{call} returned shape {got}, expected {shape}: your surface is "
                         "transposed. C[i, j] must be the cost at w = w_grid[j] and "
                         "b = b_grid[i], which is the layout np.meshgrid(w_grid, b_grid) gives.",
                         call=text, got=result.shape, shape=shape),
                       reason=_("the surface is transposed: C[i, j] must be the cost at "
                                "w = w_grid[j] and b = b_grid[i]"))
        if result.shape == (len(x),) + shape:
            raise Fail(_("{call} returned shape {got}, expected {shape}: these look like the "
                         "per-sample losses; take their mean over the samples, axis 0.",
                         call=text, got=result.shape, shape=shape),
                       reason=_("it returned the per-sample losses, not their mean over axis 0"))
    surface, expected = as_array(result, shape, text), answer["expected"]
    if not _close(surface, expected):
        i, j = _first_difference(surface, expected)
        raise Fail(_("{call}: C[{i}, {j}] (w = {w}, b = {b}) is {got}, expected {want}.",
                     call=text, i=i, j=j, w=show(w_grid[j]), b=show(b_grid[i]),
                     got=show(surface[i, j]), want=show(expected[i, j])),
                   reason=_("the surface's values are wrong"), bug=_bug_of(surface, answer))
    small, large = (observed.get("lines") or [None, None])[:2]
    # 100 times the grid points: a loop over the points runs ~100 times the lines
    # (~10 times for a loop over one axis); vectorised code about as many.
    if type(small) is int and type(large) is int and small > 0 and large > 3 * small:
        return _("Note: {call} gives the right values but seems to loop over the grid in "
                 "Python: a 100 times larger grid ran {ratio} times as many lines. Vectorise "
                 "it: build the grid with np.meshgrid and let numpy compute every grid point at "
                 "once.", call=text, ratio=f"{large / small:.0f}")
    return None


cost_surface = Exercise(
    name="cost_surface", points=3, cases=_surface_cases, run=_surface_run,
    inputs=("x", "y", "w_grid", "b_grid"),
    judge=_surface_judge, hidden_seeds=(20_421, 20_422), uses=(forward, mse),
    summary="cost_surface has shape (len(b_grid), len(w_grid)) and the right values")

EXERCISES = declare(CHAPTER, train_dev_test_split, fit_errors, forward, mse, exhaustive_search,
                    cost_surface)
__all__ = ["CHAPTER", "EXERCISES", *(exercise.name for exercise in EXERCISES)]
