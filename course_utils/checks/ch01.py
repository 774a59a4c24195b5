"""Chapter 1 (overview): its exercises, declared once.

The test cells call them: ``cu.checks.ch01.de_db(de_db)``; the hidden tests
``cu.checks.ch01.de_db(de_db, hidden=True)``. Each exercise has visible
cases (the lecture's numbers where it has some), called as the notebook's own
cells and explorers call the function, positionally and with the keywords of
its signature, and hidden cases drawn from a seed; their answers come from the
grader's key, ``grading/keys/ch01.py``. No exercise uses another learner
function, so each test checks only its own exercise.
"""
import numpy as np

from ..i18n import translator
from .core import Exercise, Fail, call, declare, describe, likely, raised, show

CHAPTER = "01_overview"
_ = translator(__name__, CHAPTER)
# de_db asks for the exact derivative: its tolerance tells it from a finite difference,
# whatever the step. The others allow for float32 arithmetic.
RTOL, ATOL, EXACT_RTOL = 1e-6, 1e-10, 1e-9


def _close(actual, expected, rtol=RTOL):
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    return actual.shape == expected.shape and np.allclose(actual, expected, rtol=rtol,
                                                          atol=ATOL)


def _number(value, what):
    """``value`` as one float, else a failure that says what came back. Any number counts:
    numpy's scalars and subclasses of float arrive here as Python numbers (``to_plain``)."""
    if value is None:
        raise Fail(_("{what} returned None: is the `return` statement missing?", what=what),
                   reason=_("it returned None"))
    if type(value) is np.ndarray and value.size == 1:
        value = value.reshape(()).item()
    if type(value) not in (int, float):
        raise Fail(_("{what} returned {got}, expected a single number.", what=what,
                     got=describe(value)),
                   reason=_("it returned something other than one number"))
    return float(value)


def _short(value):
    """A float without its last-digit noise: 0.512, not 0.5120000000000001."""
    return repr(float(f"{value:.12g}"))


def _shown(value):
    return show(value) if type(value) is float else repr(value)


def _case(name, args=(), kwargs=None):
    """A visible case: its arguments, positional and by keyword, and the call as it reads."""
    kwargs = kwargs or {}
    text = ", ".join([*map(_shown, args),
                      *(f"{key}={_shown(value)}" for key, value in kwargs.items())])
    return {"args": tuple(args), "kwargs": kwargs, "call": f"{name}({text})"}


def _bug(actual, answer):
    """The one bug of the answer key's table that ``actual`` matches, in the learner's
    language, or ""."""
    bug = likely(actual, answer["bugs"], _close)
    return _.template(bug) if bug else ""


def _wrong(text, actual, expected, bug):
    """The failure of a call that returned the number ``actual`` (already written out)
    instead of ``expected``."""
    return Fail(_("{call} returned {actual}, expected {expected}.", call=text, actual=actual,
                  expected=expected), bug=bug)


def _run(fn, case):
    """The running half of every exercise here: one call, as the case writes it."""
    return call(fn, *case["args"], **case["kwargs"])


# ------------------------------------------------------------------ samples_needed

INT64_MAX = 2 ** 63 - 1


def _samples_cases(seed):
    if seed is None:
        # (5, 3) first: there linear growth, the swapped power and the power one too low
        # all give different numbers. 10 ** 30 overflows numpy's int64. The last is the
        # explorer's question, in the signature's names.
        return [_case("samples_needed", pair)
                for pair in [(5, 3), (10, 1), (10, 2), (2, 10), (10, 30)]] + [
            _case("samples_needed", kwargs={"points_per_axis": 10, "dims": 3})]
    rng = np.random.default_rng(seed)
    return [{"args": (int(rng.integers(2, 13)), int(rng.integers(2, 9))), "kwargs": {},
             "call": _("samples_needed(points_per_axis, dims) on hidden numbers")}
            for draw in range(3)]


def _samples_judge(case, observed, answer):
    text = case["call"]
    if "error" in observed:
        raise raised(text, observed["error"], "samples_needed")
    actual, expected = _number(observed["value"], text), answer["expected"]
    # Exact for Python ints; a float (math.pow, 10.0 ** 30) is close enough.
    if abs(actual - expected) <= 1e-12 * expected:
        return None
    bug = _bug(actual, answer)
    if not bug and expected > INT64_MAX:
        bug = _("numpy's int64 holds at most about 9.2e18 and wraps around silently beyond it; "
                "use Python's `**` on the arguments as they are (its integers have no limit).")
    raise _wrong(text, f"{actual:.10g}", f"{expected:.10g}", bug)


samples_needed = Exercise(
    name="samples_needed", points=1, cases=_samples_cases, run=_run,
    judge=_samples_judge, hidden_seeds=(10_121, 10_122),
    summary="samples_needed gives points_per_axis to the power dims")


# ------------------------------------------------------------------ edge_fraction


def _edge_cases(seed):
    if seed is None:
        return [_case("edge_fraction", pair)
                for pair in [(0.1, 3), (0.05, 1), (0.05, 2), (0.01, 100), (0.5, 4)]] + [
            _case("edge_fraction", kwargs={"eps": 0.05, "dims": 10})]
    rng = np.random.default_rng(seed)
    # Not too close to 1, where any answer near 1 would pass.
    return [{"args": (round(float(rng.uniform(0.01, 0.2)), 3), int(rng.integers(2, 16))),
             "kwargs": {}, "call": _("edge_fraction(eps, dims) on hidden numbers")}
            for draw in range(3)]


def _edge_judge(case, observed, answer):
    text = case["call"]
    if "error" in observed:
        raise raised(text, observed["error"], "edge_fraction")
    actual, expected = _number(observed["value"], text), answer["expected"]
    if not _close(actual, expected):
        raise _wrong(text, _short(actual), _short(expected), _bug(actual, answer))
    return None


edge_fraction = Exercise(
    name="edge_fraction", points=2, cases=_edge_cases, run=_run, judge=_edge_judge,
    hidden_seeds=(10_221, 10_222),
    summary="edge_fraction gives the share of the unit cube within eps of its surface")


# ------------------------------------------------------------------ de_db


def _de_db_cases(seed):
    if seed is None:
        # The lecture's point; one with a negative path, by keyword; large numbers.
        return [_case("de_db", (2.0, 1.0)), _case("de_db", kwargs={"a": -3.0, "b": 0.5}),
                _case("de_db", (1_000_000.0, 2_000_000.0))]
    rng = np.random.default_rng(seed)
    return [{"args": (round(float(a), 2), round(float(b), 2)), "kwargs": {},
             "call": _("de_db(a, b) on hidden numbers")}
            for a, b in (rng.uniform(-5.0, 5.0, 2) for draw in range(3))]


def _de_db_judge(case, observed, answer):
    text = case["call"]
    if "error" in observed:
        raise raised(text, observed["error"], "de_db")
    value, expected = observed["value"], answer["expected"]
    if (type(value) in (tuple, list) and len(value) == 2
            and all(type(item) in (int, float) for item in value)):
        message = _("{call} returned {got}, expected one number: these are the two paths' "
                    "products; ∂e/∂b is the sum over the paths.") \
            if _close(sorted(value), answer["paths"]) else \
            _("{call} returned {got}, expected one number: ∂e/∂b is the sum over the paths.")
        raise Fail(message.format(call=text, got=describe(value)),
                   reason=_("it returned two numbers; ∂e/∂b is one, the sum over the paths"))
    actual = _number(value, text)
    if _close(actual, expected, EXACT_RTOL):
        return None
    bug = _bug(actual, answer)
    if not bug and abs(actual - expected) < 0.05 * max(1.0, abs(expected)):
        bug = _("close but not exact, as a finite difference (e(b + h) - e(b)) / h gives. "
                "Compute the derivative exactly: the sum over the paths of the products of the "
                "local derivatives.")
    raise _wrong(text, _short(actual), _short(expected), bug)


de_db = Exercise(
    name="de_db", points=2, cases=_de_db_cases, run=_run, judge=_de_db_judge,
    hidden_seeds=(10_521, 10_522),
    summary="de_db sums, over the two paths from b to e, the products of the local "
            "derivatives")

EXERCISES = declare(CHAPTER, samples_needed, edge_fraction, de_db)
__all__ = ["CHAPTER", "EXERCISES", *(exercise.name for exercise in EXERCISES)]
