"""Chapter 1 (overview): its exercises, declared once.

The test cells call them: ``cu.checks.ch01.de_db(de_db)``; the hidden tests
``cu.checks.ch01.de_db(de_db, hidden=True)``. Each exercise has visible
cases (the lecture's numbers where it has some) and hidden cases drawn from a
seed; their answers come from the grader's key, ``grading/keys/ch01.py``.
No exercise uses another learner function, so each test checks only its own
exercise.
"""
import numpy as np

from .core import Exercise, Fail, call, declare, describe, likely, raised, show

CHAPTER = "01_overview"
# Loose enough for float32 arithmetic and for least squares by another route
# (np.linalg.lstsq, Polynomial.fit). de_db asks for the exact derivative: its
# tolerance tells it from a finite difference, whatever the step.
RTOL, ATOL, EXACT_RTOL = 1e-6, 1e-10, 1e-9


def _close(actual, expected, rtol=RTOL):
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    return actual.shape == expected.shape and np.allclose(actual, expected, rtol=rtol,
                                                          atol=ATOL)


def _number(value, what):
    """``value`` as one float, else a failure that says what came back."""
    if value is None:
        raise Fail(f"{what} returned None: is the `return` statement missing?",
                   reason="it returned None")
    if type(value) is np.ndarray and value.size == 1:
        value = value.reshape(()).item()
    if type(value) not in (int, float):
        raise Fail(f"{what} returned {describe(value)}, expected a single number.",
                   reason="it returned something other than one number")
    return float(value)


def _short(value):
    """A float without its last-digit noise: 0.512, not 0.5120000000000001."""
    return repr(float(f"{value:.12g}"))


def _call_text(name, args):
    return f"{name}({', '.join(show(arg) if type(arg) is float else repr(arg) for arg in args)})"


# ------------------------------------------------------------------ samples_needed

INT64_MAX = 2 ** 63 - 1


def _samples_cases(seed):
    if seed is None:
        # (5, 3) first: there linear growth, the swapped power and the power one too
        # low all give different numbers. 10 ** 30 overflows numpy's int64.
        pairs = [(5, 3), (10, 1), (10, 2), (10, 3), (2, 10), (10, 30)]
    else:
        rng = np.random.default_rng(seed)
        pairs = [(int(rng.integers(2, 13)), int(rng.integers(2, 9))) for _ in range(3)]
        return [{"args": pair, "call": "samples_needed(points_per_axis, dims) on hidden numbers"}
                for pair in pairs]
    return [{"args": pair, "call": _call_text("samples_needed", pair)} for pair in pairs]


def _samples_run(samples_needed, case):
    return call(samples_needed, *case["args"])


def _samples_judge(case, observed, answer):
    text = case["call"]
    if "error" in observed:
        raise raised(text, observed["error"], "samples_needed")
    actual, expected = _number(observed["value"], text), answer["expected"]
    # Exact for Python ints; a float (math.pow, 10.0 ** 30) is close enough.
    if abs(actual - expected) <= 1e-12 * expected:
        return None
    bug = likely(actual, answer["bugs"], _close)
    if not bug and expected > INT64_MAX:
        bug = ("numpy's int64 holds at most about 9.2e18 and wraps around silently beyond it; "
               "use Python's `**` on the arguments as they are (its integers have no limit).")
    raise Fail(f"{text} returned {actual:.10g}, expected {expected:.10g}.", bug=bug)


samples_needed = Exercise(
    name="samples_needed", points=1, cases=_samples_cases, run=_samples_run,
    judge=_samples_judge, hidden_seeds=(10_121, 10_122),
    summary="samples_needed gives points_per_axis to the power dims")


# ------------------------------------------------------------------ edge_fraction


def _edge_cases(seed):
    if seed is None:
        pairs = [(0.1, 3), (0.05, 1), (0.05, 2), (0.05, 10), (0.01, 100), (0.5, 4)]
    else:
        rng = np.random.default_rng(seed)
        # Not too close to 1, where any answer near 1 would pass.
        pairs = [(round(float(rng.uniform(0.01, 0.2)), 3), int(rng.integers(2, 16)))
                 for _ in range(3)]
        return [{"args": pair, "call": "edge_fraction(eps, dims) on hidden numbers"}
                for pair in pairs]
    return [{"args": pair, "call": _call_text("edge_fraction", pair)} for pair in pairs]


def _edge_run(edge_fraction, case):
    return call(edge_fraction, *case["args"])


def _edge_judge(case, observed, answer):
    text = case["call"]
    if "error" in observed:
        raise raised(text, observed["error"], "edge_fraction")
    actual, expected = _number(observed["value"], text), answer["expected"]
    if not _close(actual, expected):
        raise Fail(f"{text} returned {_short(actual)}, expected {_short(expected)}.",
                   bug=likely(actual, answer["bugs"], _close))
    return None


edge_fraction = Exercise(
    name="edge_fraction", points=2, cases=_edge_cases, run=_edge_run, judge=_edge_judge,
    hidden_seeds=(10_221, 10_222),
    summary="edge_fraction gives the share of the unit cube within eps of its surface")


# ------------------------------------------------------------------ train_dev_test_split

SPLIT_ORDER = "(X_train, y_train, X_dev, y_dev, X_test, y_test)"
PART_NAMES = SPLIT_ORDER[1:-1].split(", ")
SET_NAMES = ("training", "dev", "test")


def _split_cases(seed):
    if seed is None:
        # Readable data: sample i is the row [2i, 2i + 1] of X with the label 100 + i.
        return [
            {"X": np.arange(40.0).reshape(20, 2), "y": 100.0 + np.arange(20.0),
             "dev_frac": 0.2, "test_frac": 0.1, "seed": 0, "other_seeds": (1, 2)},
            {"X": np.arange(10.0) / 10, "y": np.arange(10.0) * 3 + 1,
             "dev_frac": 0.3, "test_frac": 0.2, "seed": 42, "other_seeds": (7, 8)},
        ]
    rng = np.random.default_rng(seed)
    n = int(rng.integers(15, 61))
    fractions = rng.choice([0.1, 0.15, 0.2, 0.25, 0.3], 2)
    return [{"X": rng.normal(0.0, 1.0, (n, int(rng.integers(1, 5)))),
             "y": rng.normal(0.0, 1.0, n),
             "dev_frac": float(fractions[0]), "test_frac": float(fractions[1]),
             "seed": int(rng.integers(0, 1000)),
             "other_seeds": tuple(int(s) for s in rng.integers(1000, 2000, 2)),
             "hidden": True, "call": _split_text({"hidden": True}, None)}]


def _split_text(case, seed):
    if case.get("hidden"):
        return "train_dev_test_split(X, y, dev_frac, test_frac, seed) on hidden data"
    return (f"train_dev_test_split(X, y, dev_frac={case['dev_frac']}, "
            f"test_frac={case['test_frac']}, seed={seed}) with X of shape {case['X'].shape}")


def _split_run(train_dev_test_split, case):
    def run(seed):
        return call(train_dev_test_split, case["X"].copy(), case["y"].copy(),
                    case["dev_frac"], case["test_frac"], seed)

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
        raise Fail(f"{text} returned None: is the `return` statement missing?",
                   reason="it returned None")
    if type(result) in (tuple, list) and len(result) == 3:
        raise Fail(f"{text} returned 3 items, expected 6 arrays {SPLIT_ORDER}: return them "
                   "flat, not as three pairs.", reason=f"it returned 3 items, not 6 arrays "
                                                       f"{SPLIT_ORDER}")
    if type(result) not in (tuple, list) or len(result) != 6:
        raise Fail(f"{text} returned {describe(result)}, expected a tuple of 6 arrays "
                   f"{SPLIT_ORDER}.", reason=f"it did not return 6 arrays {SPLIT_ORDER}")
    X, y = case["X"], case["y"]
    for name, part, like in zip(PART_NAMES, result, (X, y) * 3):
        if type(part) is not np.ndarray:
            raise Fail(f"{text}: {name} is {describe(part)}, expected a numpy array: index "
                       "the arrays with an array of indices, e.g. `X[idx]`.",
                       reason=f"{name} is not a numpy array")
        if part.ndim != like.ndim or part.shape[1:] != like.shape[1:]:
            order = (f" Is the order {SPLIT_ORDER}?"
                     if like is y and part.ndim == X.ndim and X.ndim > 1 else "")
            raise Fail(f"{text}: {name} has shape {part.shape}, expected {_shape_text(like)}, "
                       f"k samples of the {'X' if like is X else 'y'} given.{order}",
                       reason=f"{name} has the wrong shape")
    return result


def _positions(values, originals, name, text):
    """The index in ``originals`` of each row of ``values`` (the samples are all distinct)."""
    where = {originals[i].tobytes(): i for i in range(len(originals))}
    found = []
    for k, row in enumerate(values):
        index = where.get(np.asarray(row, dtype=originals.dtype).tobytes())
        if index is None:
            raise Fail(f"{text}: {name}[{k}] = {show(row)} is not one of the samples given. "
                       f"Return the sets in the order {SPLIT_ORDER}, each taken from the "
                       "original X and y.", reason=f"{name} holds something that is not one "
                                                  "of the samples given")
        found.append(index)
    return found


def _split_indices(observed, case, text):
    """``[train, dev, test]``: the sample indices of each set, checked for aligned pairs."""
    parts = _parts(observed, case, text)
    sets = []
    for k, name in enumerate(SET_NAMES):
        X_part, y_part = parts[2 * k], parts[2 * k + 1]
        if len(X_part) != len(y_part):
            raise Fail(f"{text}: the {name} set has {len(X_part)} rows of X but "
                       f"{len(y_part)} labels: X and y must be cut at the same places.",
                       reason=f"the {name} set has not as many rows of X as labels")
        rows = _positions(X_part, case["X"], PART_NAMES[2 * k], text)
        labels = _positions(y_part, case["y"], PART_NAMES[2 * k + 1], text)
        for row, label in zip(rows, labels):
            if row != label:
                raise Fail(f"{text}: pairs misaligned in the {name} set: a row of X is "
                           f"sample {row} but the label beside it is that of sample {label}. "
                           "Shuffle X and y with the same permutation: draw one array of "
                           "indices and index both with it.",
                           reason=f"pairs misaligned in the {name} set",
                           bug="X and y were shuffled with different permutations")
        sets.append(rows)
    return sets


def _split_judge(case, observed, answer):
    text = _split_text(case, case["seed"])
    sets = _split_indices(observed["first"], case, text)
    n = len(case["y"])
    for name, part in zip(SET_NAMES, sets):
        if len(set(part)) != len(part):
            twice = next(i for i in part if part.count(i) > 1)
            raise Fail(f"{text}: sample {twice} is in the {name} set more than once: draw "
                       "the samples without replacement, e.g. `rng.permutation(len(X))`.",
                       reason=f"a sample is in the {name} set more than once",
                       bug="samples drawn with replacement")
    for first, second in ((0, 1), (0, 2), (1, 2)):
        shared = sorted(set(sets[first]) & set(sets[second]))
        if shared:
            raise Fail(f"{text}: overlapping sets: sample {shared[0]} is in both the "
                       f"{SET_NAMES[first]} and the {SET_NAMES[second]} set "
                       f"({len(shared)} shared in all). Cut one shuffled order into three "
                       "consecutive, disjoint pieces.", reason="the sets overlap")
    lost = sorted(set(range(n)) - set().union(*sets))
    if lost:
        verb = "is" if len(lost) == 1 else "are"
        raise Fail(f"{text}: {len(lost)} of the {n} samples {verb} lost (sample {lost[0]} is "
                   "in no set): together the three sets must hold every sample; the training "
                   "set takes all the samples that dev and test do not.",
                   reason="samples are lost: they are in no set")
    sizes = [len(part) for part in sets]
    wanted = {"dev": case["dev_frac"] * n, "test": case["test_frac"] * n}
    for k, name in ((1, "dev"), (2, "test")):
        # round() and int() may differ by one sample; both are fine.
        if abs(sizes[k] - wanted[name]) >= 1:
            swapped = abs(sizes[k] - wanted["test" if name == "dev" else "dev"]) < 1
            raise Fail(f"{text}: the {name} set has {sizes[k]} samples, expected "
                       f"round({case[name + '_frac']} · {n}) = {round(wanted[name])}. "
                       f"Sizes (training, dev, test): {tuple(sizes)}.",
                       reason=f"the {name} set does not have the size its fraction asks for",
                       bug="the dev and test sizes are swapped." if swapped else "")
    if _split_indices(observed["again"], case, text + ", called a second time") != sets:
        raise Fail(f"{text} gave a different split when called again with the same seed: "
                   "the split must be reproducible. Draw from a generator made from the "
                   "seed, `rng = np.random.default_rng(seed)`, not from np.random's global "
                   "state.", reason="the same seed gave another split: it is not reproducible")
    members = [sorted(part) for part in sets]
    others = [_split_indices(other, case, _split_text(case, seed))
              for other, seed in zip(observed["others"], case["other_seeds"])]
    if all([sorted(part) for part in other] == members for other in others):
        if all(part == list(range(part[0], part[0] + len(part))) for part in sets if part):
            raise Fail(f"{text} does not shuffle: each set is a consecutive run of the samples "
                       f"as given (the training set is samples {sets[0][0]} to "
                       f"{sets[0][-1]}), whatever the seed. Data are often sorted (by date, by "
                       "label), so shuffle with the seed before cutting.",
                       reason="it does not shuffle: each set is a consecutive run of samples")
        raise Fail(f"{text} ignores the seed: seeds {case['seed']}, "
                   f"{', '.join(map(str, case['other_seeds']))} all gave the same split. "
                   "Make the generator from the argument: `rng = np.random.default_rng(seed)`.",
                   reason="it ignores the seed: other seeds gave the same split")
    return _shuffled_in_place(observed, text)


def _shuffled_in_place(observed, text):
    """Advice when the inputs were shuffled in place (seen in the learner's process)."""
    changed = observed["first"].get("changed") or []
    names = " and ".join("Xy"[i] for i in changed if type(i) is int and 0 <= i < 2)
    if not names:
        return None
    return (f"Note: {text} shuffled its input {names} in place (as np.random.shuffle does): "
            "the caller's data must stay as it was. Shuffle an array of indices instead, e.g. "
            "`rng.permutation(len(X))`, and index X and y with it.")


train_dev_test_split = Exercise(
    name="train_dev_test_split", points=3, cases=_split_cases, run=_split_run,
    judge=_split_judge, hidden_seeds=(10_321, 10_322),
    summary="train_dev_test_split gives disjoint, aligned sets of every sample, the sizes "
            "the fractions ask for, the same split for the same seed")


# ------------------------------------------------------------------ fit_errors


def _fit_cases(seed):
    if seed is None:
        return [
            {"args": (np.array([0.0, 1.0, 2.0, 3.0, 4.0]), np.array([1.0, 3.0, 2.0, 5.0, 4.0]),
                      np.array([0.5, 2.5, 5.0]), np.array([2.0, 3.0, 6.0]), 1),
             "call": "fit_errors(x_train=[0, 1, 2, 3, 4], y_train=[1, 3, 2, 5, 4], "
                     "x_dev=[0.5, 2.5, 5], y_dev=[2, 3, 6], degree=1)"},
            {"args": (np.array([0.0, 0.25, 0.5, 0.75, 1.0, 0.1, 0.6, 0.9]),
                      np.array([0.1, 1.1, -0.2, -0.9, 0.2, 0.5, -0.7, -0.4]),
                      np.array([0.2, 0.4, 0.8]), np.array([0.9, 0.4, -0.8]), 3),
             "call": "fit_errors(x_train, y_train, x_dev, y_dev, degree=3) with 8 training "
                     "and 3 dev samples"},
            {"args": (np.array([1.0, 2.0, 4.0]), np.array([2.0, 2.5, 5.0]),
                      np.array([3.0]), np.array([3.0]), 0),
             "call": "fit_errors(x_train=[1, 2, 4], y_train=[2, 2.5, 5], x_dev=[3], "
                     "y_dev=[3], degree=0)"},
        ]
    rng = np.random.default_rng(seed)
    n_train, n_dev = int(rng.integers(10, 31)), int(rng.integers(5, 21))
    x = rng.uniform(-1.0, 1.0, n_train + n_dev)
    y = np.sin(3.0 * x) + rng.normal(0.0, 0.3, len(x))
    degree = int(rng.integers(2, 7))
    return [{"args": (x[:n_train], y[:n_train], x[n_train:], y[n_train:], degree),
             "call": "fit_errors(x_train, y_train, x_dev, y_dev, degree) on hidden data"}]


def _fit_run(fit_errors, case):
    return call(fit_errors, *case["args"])


def _fit_judge(case, observed, answer):
    text = case["call"]
    if "error" in observed:
        raise raised(text, observed["error"], "fit_errors")
    result = observed["value"]
    if result is None:
        raise Fail(f"{text} returned None: is the `return` statement missing? "
                   "End with `return train_mse, dev_mse`.", reason="it returned None")
    if type(result) is np.ndarray and result.shape == (2,):
        result = tuple(result.tolist())
    if type(result) not in (tuple, list) or len(result) != 2:
        raise Fail(f"{text} returned {describe(result)}, expected a tuple of two numbers "
                   "(train_mse, dev_mse).", reason="it did not return two numbers "
                                                   "(train_mse, dev_mse)")
    for name, part in zip(("train_mse", "dev_mse"), result):
        if type(part) is np.ndarray and part.size > 1:
            raise Fail(f"{text}: {name} is {describe(part)}, expected one number: the mean "
                       "of the squared errors over the samples.",
                       reason=f"{name} is an array, not one number")
    actual = np.array([_number(result[0], f"{text}: train_mse"),
                       _number(result[1], f"{text}: dev_mse")])
    expected = answer["expected"]
    if not _close(actual, expected):
        raise Fail(f"{text} returned (train_mse, dev_mse) = ({_short(actual[0])}, "
                   f"{_short(actual[1])}), expected ({_short(expected[0])}, "
                   f"{_short(expected[1])}).", bug=likely(actual, answer["bugs"], _close))
    return None


fit_errors = Exercise(
    name="fit_errors", points=2, cases=_fit_cases, run=_fit_run, judge=_fit_judge,
    inputs=("x_train", "y_train", "x_dev", "y_dev"),
    hidden_seeds=(10_421, 10_422),
    summary="fit_errors fits a polynomial on the training set and returns its training and "
            "dev MSE")


# ------------------------------------------------------------------ de_db


def _de_db_cases(seed):
    if seed is None:
        # The lecture's point; one with a negative path; large numbers.
        pairs = [(2.0, 1.0), (-3.0, 0.5), (1_000_000.0, 2_000_000.0)]
        return [{"args": pair, "call": _call_text("de_db", pair)} for pair in pairs]
    rng = np.random.default_rng(seed)
    pairs = [tuple(round(float(v), 2) for v in rng.uniform(-5.0, 5.0, 2)) for _ in range(3)]
    return [{"args": pair, "call": "de_db(a, b) on hidden numbers"} for pair in pairs]


def _de_db_run(de_db, case):
    return call(de_db, *case["args"])


def _de_db_judge(case, observed, answer):
    text = case["call"]
    if "error" in observed:
        raise raised(text, observed["error"], "de_db")
    value, expected = observed["value"], answer["expected"]
    if (type(value) in (tuple, list) and len(value) == 2
            and all(type(item) in (int, float) for item in value)):
        paths = "these are the two paths' products; " if _close(sorted(value),
                                                                answer["paths"]) else ""
        raise Fail(f"{text} returned {describe(value)}, expected one number: {paths}"
                   "∂e/∂b is the sum over the paths.",
                   reason="it returned two numbers; ∂e/∂b is one, the sum over the paths")
    actual = _number(value, text)
    if _close(actual, expected, EXACT_RTOL):
        return None
    bug = likely(actual, answer["bugs"], _close)
    if not bug and abs(actual - expected) < 0.05 * max(1.0, abs(expected)):
        bug = ("close but not exact, as a finite difference (e(b + h) - e(b)) / h gives. "
               "Compute the derivative exactly: the sum over the paths of the products of the "
               "local derivatives.")
    raise Fail(f"{text} returned {_short(actual)}, expected {_short(expected)}.", bug=bug)


de_db = Exercise(
    name="de_db", points=2, cases=_de_db_cases, run=_de_db_run, judge=_de_db_judge,
    hidden_seeds=(10_521, 10_522),
    summary="de_db sums, over the two paths from b to e, the products of the local "
            "derivatives")

EXERCISES = declare(CHAPTER, samples_needed, edge_fraction, train_dev_test_split, fit_errors,
                    de_db)
__all__ = ["CHAPTER", "EXERCISES", *(exercise.name for exercise in EXERCISES)]
