"""The shared core of the checks: exercises, the running half, the judging half.

An :class:`Exercise` is declared once, in its chapter's module
(``course_utils/checks/ch02.py`` …), and read by the notebook's test cells,
the grader and the test suite. Checking it has two halves:

* **running** (:meth:`Exercise.observe`) calls the learner's code on the
  exercise's cases and records what happened as *plain data* only: numbers,
  strings, ``None``, lists, tuples, dicts and plain numpy arrays, the
  exception raised, and observations such as "an input was changed in place";
* **judging** (:meth:`Exercise.judge`) compares that data with the expected
  values, computed from the case's inputs, and gives a :class:`Verdict`. It
  never calls learner code, and refuses anything that is not plain data (an
  object with a rigged ``__eq__``, a numpy subclass).

In the notebook both halves run in the learner's kernel (``Exercise.__call__``);
a grader can run the first half elsewhere and the second in its own process.

Cases are plain data too, drawn from a seed: ``cases(None)`` gives the
visible cases, the lecture's data; ``cases(seed)`` hidden ones the learner
never sees.
"""
import contextlib
import io
import re
import signal
import sys
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

__all__ = ["CheckFailed", "Exercise", "Opaque", "Verdict", "ensure_plain", "to_plain",
           "call", "NotPlainData"]


class CheckFailed(AssertionError):
    """A learner's answer is wrong; the message says how.

    An ``AssertionError``, so nbgrader counts the test cell as failed. In
    IPython it shows as its message alone, without a traceback into
    ``course_utils``.
    """

    def __init__(self, message, exercise=None):
        super().__init__(message)
        self.exercise = exercise

    def _render_traceback_(self):
        lines = str(self).splitlines() or [""]
        head = f"✗ {self.exercise}: " if self.exercise else "✗ "
        return ["\x1b[1;31m" + head + lines[0] + "\x1b[0m", *("  " + line for line in lines[1:])]


class NotPlainData(TypeError):
    """Judging was handed something other than plain data."""


@dataclass(frozen=True)
class Opaque:
    """Stands for a value that is not plain data: its type's name and a short text."""
    type_name: str
    text: str = ""


@dataclass(frozen=True)
class Verdict:
    """The result of judging one exercise on one set of cases."""
    exercise: str
    passed: bool
    checks: int  # cases judged, the failing one included
    message: str = ""


_SCALARS = (type(None), bool, int, float, complex, str)
_NUMPY_SCALARS = tuple({np.dtype(code).type for code in "?bhilqBHILQefdgFDG"})
MAX_ELEMENTS = 10_000_000


def to_plain(value, depth=0):
    """``value`` as plain data (running half): what judging may look at.

    Exact types only: a subclass of ``float``, of a tuple or of
    ``np.ndarray`` becomes an :class:`Opaque`, as does anything else.
    """
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind in _NUMPY_SCALARS:
        return value.item()
    if depth > 20:
        return Opaque(kind.__name__, "nested too deeply")
    if kind is np.ndarray:
        if value.dtype.kind not in "biufc" or value.dtype.fields is not None:
            return Opaque("ndarray", f"an array of dtype {value.dtype}")
        if value.size > MAX_ELEMENTS:
            return Opaque("ndarray", f"an array of {value.size} elements")
        return np.array(value, copy=True, order="C")
    if kind in (list, tuple):
        if len(value) > MAX_ELEMENTS:
            return Opaque(kind.__name__, f"{len(value)} items")
        return kind(to_plain(item, depth + 1) for item in value)
    if kind is dict:
        return {str(key): to_plain(item, depth + 1) for key, item in value.items()}
    return Opaque(kind.__name__, _short_repr(value))


def _short_repr(value):
    try:
        text = repr(value)
    except Exception:  # a learner's __repr__ may raise; the type name still says enough
        return ""
    return text if len(text) <= 80 else text[:77] + "..."


def ensure_plain(value, depth=0):
    """Return ``value`` if it is plain data (judging half), else raise :class:`NotPlainData`."""
    kind = type(value)
    if kind in _SCALARS or kind is Opaque:
        return value
    if depth > 40:
        raise NotPlainData("nested too deeply")
    if kind is np.ndarray:
        if value.dtype.kind not in "biufc" or value.dtype.fields is not None:
            raise NotPlainData(f"an array of dtype {value.dtype}")
        return value
    if kind in (list, tuple):
        for item in value:
            ensure_plain(item, depth + 1)
        return value
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                raise NotPlainData(f"a dict key of type {type(key).__name__}")
            ensure_plain(item, depth + 1)
        return value
    raise NotPlainData(f"a value of type {kind.__name__}")


def _snapshot(value):
    if type(value) is np.ndarray:
        return value.copy()
    if type(value) in (list, tuple):
        return [_snapshot(item) for item in value]
    return None


def _unchanged(value, snapshot):
    if snapshot is None:
        return True
    if type(value) is np.ndarray:
        return value.shape == snapshot.shape and np.array_equal(value, snapshot, equal_nan=True)
    return len(value) == len(snapshot) and all(
        _unchanged(item, shot) for item, shot in zip(value, snapshot))


# How long one call of learner code may run before the check stops it and
# says so; a grader sets its own limit.
CALL_SECONDS = 5.0
TIMED_OUT = "CallTimeout"


class CallTimeout(BaseException):
    """Learner code ran past :data:`CALL_SECONDS` (a BaseException: `except Exception`
    in learner code does not swallow it)."""


def _on_alarm(signum, frame):
    raise CallTimeout()


@contextlib.contextmanager
def time_limit(seconds):
    """Stop the code inside after ``seconds`` with :class:`CallTimeout` (main thread only)."""
    if threading.current_thread() is not threading.main_thread() or not seconds:
        yield
        return
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def call(fn, *args, **kwargs):
    """Call learner code (running half); return what happened as plain data.

    ``{"value": …}`` or ``{"error": {"type": …, "message": …}}``, plus
    ``"changed"``: the positions of the array arguments changed in place.
    A call still running after :data:`CALL_SECONDS` is stopped and recorded
    as an error of type ``CallTimeout``. The learner's prints are kept out of
    the test cell's output.
    """
    snapshots = [_snapshot(arg) for arg in args]
    outcome = {}
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            with time_limit(CALL_SECONDS):
                value = fn(*args, **kwargs)
        except CallTimeout:
            outcome["error"] = {"type": TIMED_OUT,
                                "message": f"still running after {CALL_SECONDS:g} s"}
        except (Exception, SystemExit) as error:  # any bug in learner code becomes a message
            outcome["error"] = {"type": type(error).__name__,
                                "message": _message_of(error)}
        else:
            outcome["value"] = to_plain(value)
    outcome["changed"] = [i for i, (arg, shot) in enumerate(zip(args, snapshots))
                          if not _unchanged(arg, shot)]
    return outcome


def _message_of(error):
    try:
        text = str(error)
    except Exception:  # a learner's exception with a broken __str__
        text = ""
    return text if len(text) <= 500 else text[:497] + "..."


def count_lines(fn, *args):
    """How many lines of Python run during ``fn(*args)`` (running half).

    A loop over grid points runs its body once per point, so the count grows
    with the grid; vectorised numpy code runs the same lines whatever the size.
    A debugger's tracer, if any, comes back afterwards.
    """
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            with time_limit(CALL_SECONDS):
                fn(*args)
    except (Exception, SystemExit, CallTimeout):
        return None
    finally:
        sys.settrace(previous)
    return count


@contextlib.contextmanager
def helpers_in_place(subject, replacements, is_correct=None):
    """Run ``subject`` with ``replacements`` in place of the learner's functions of those names.

    ``replacements`` maps a helper's name (``"mse"``) to a correct function
    that accepts any extra arguments. Only names the learner defined are
    replaced, and with ``is_correct(name, fn)`` only those it says are wrong;
    the learner's functions are back afterwards. Yields the names replaced.
    Where the grader must not trust the sandbox's decision, observe both calls
    and let the judge choose, as chapter 2 does (``ch02._chosen``).
    """
    namespace = getattr(subject, "__globals__", None)
    if namespace is None:
        yield []
        return
    saved = {name: namespace[name] for name in replacements if name in namespace
             and not (is_correct and is_correct(name, namespace[name]))}
    namespace.update({name: replacements[name] for name in saved})
    try:
        yield sorted(saved)
    finally:
        namespace.update(saved)


# ------------------------------------------------------------------ judging helpers


def show(value):
    """A short printable form of a number or array for messages."""
    if type(value) is Opaque:
        return f"a {value.type_name}"
    if type(value) in (float, int, bool, np.float64):
        return repr(float(value)) if type(value) is not bool else repr(value)
    try:
        return np.array2string(np.asarray(value), precision=10, threshold=8, separator=", ")
    except Exception:  # plain data always prints; this only guards odd nesting
        return repr(value)


def describe(value):
    """What a returned value is, in words: "a list", "None", "an array of shape (3,)"."""
    kind = type(value)
    if value is None:
        return "None"
    if kind is Opaque:
        return f"a {value.type_name}" + (f" ({value.text})" if value.text else "")
    if kind is np.ndarray:
        return f"an array of shape {value.shape}"
    if kind in (list, tuple):
        return f"a {kind.__name__} of length {len(value)}"
    return f"a {kind.__name__}"


_BROADCAST = re.compile(r"operands could not be broadcast together with shapes? (.+)$")


def error_hint(error, broadcast_hint=""):
    """A likely cause of a learner's exception, from its type and message."""
    kind, message = error["type"], error["message"]
    if kind == TIMED_OUT:
        return ("it never returned: is there a loop whose condition never changes, or a "
                "function that calls itself forever?")
    if kind == "ValueError" and _BROADCAST.search(message):
        return ("these arrays do not broadcast against each other. " + broadcast_hint).strip()
    if "bitwise_xor" in message or "for ^:" in message:
        return "`^` is XOR in Python, not a power: write `**`, e.g. `(y_hat - y) ** 2`."
    if kind == "TypeError" and "object is not iterable" in message:
        return ("a loop or list comprehension over a single number: the argument can be a "
                "number as well as an array, so compute with numpy arithmetic (`x * w`), "
                "which works for both.")
    if kind == "TypeError" and "can't multiply sequence" in message:
        return ("a Python list times a number: turn it into an array first "
                "(`np.asarray`) or compute on the arrays directly.")
    if kind == "TypeError" and re.search(r"unsupported operand type\(s\) for .+'list'", message):
        return "arithmetic on a Python list: compute on numpy arrays instead."
    if kind == "TypeError" and "NoneType" in message:
        return "a function returned None: is a `return` statement missing?"
    if kind == "NameError":
        name = re.search(r"name '(\w+)' is not defined", message)
        what = f"`{name[1]}`" if name else "a name"
        return (f"{what} is not defined where the function runs: if it is a variable of "
                "the notebook, pass it in as an argument; if it is a function, run its cell.")
    if kind == "IndexError":
        return "an index past the end of an array: check the loop's range and the array's shape."
    return ""


def not_implemented(name):
    return (f"{name} is not implemented yet: replace `raise NotImplementedError()` "
            "with your code and run its cell.")


def raised(call_text, error, name, broadcast_hint=""):
    """The message for a call that raised ``error`` (plain data from :func:`call`)."""
    if error["type"] == "NotImplementedError":
        return not_implemented(name)
    message = f"{call_text} raised {error['type']}: {error['message']}".rstrip(": ")
    hint = error_hint(error, broadcast_hint)
    return f"{message}\nLikely bug: {hint}" if hint else message


def likely(actual, candidates, close):
    """The one bug in ``candidates`` (description → value) that ``actual`` matches, or ""."""
    matches = [bug for bug, value in candidates.items() if close(actual, value)]
    return f"\nLikely bug: {matches[0]}" if len(matches) == 1 else ""


def as_number(value, what):
    """``value`` as one float, else a failure that says what came back."""
    if value is None:
        raise Fail(f"{what} returned None: is the `return` statement missing?")
    if type(value) in (list, tuple):
        raise Fail(f"{what} returned {describe(value)}, expected a single number.")
    if type(value) is np.ndarray:
        if value.size != 1:
            raise Fail(f"{what} returned {describe(value)}, expected a single number: "
                       "did you forget to take the mean over the samples?")
        value = value.reshape(()).item()
    if type(value) not in (int, float, bool):
        raise Fail(f"{what} returned {describe(value)}, expected a number.")
    return float(value)


def as_array(value, shape, what):
    """``value`` as a float array of ``shape``, else a failure naming the difference."""
    if value is None:
        raise Fail(f"{what} returned None: is the `return` statement missing?")
    if type(value) in (list, tuple):
        raise Fail(f"{what} returned {describe(value)}, expected a numpy array of shape "
                   f"{shape}: compute with numpy arithmetic on the arrays instead of "
                   "building a list.")
    if type(value) is not np.ndarray:
        raise Fail(f"{what} returned {describe(value)}, expected a numpy array of shape {shape}.")
    if value.shape != shape:
        raise Fail(f"{what} returned shape {value.shape}, expected {shape}.")
    return value.astype(float)


def changed_inputs(observed, call_text, params):
    """Fail if the call changed any of its array inputs in place (``params`` names them)."""
    if observed["changed"]:
        names = ", ".join(params[i] for i in observed["changed"])
        raise Fail(f"{call_text} changed its input {names} in place. Compute a new array "
                   f"(e.g. `x * w + b`, `y_hat - y`) instead of updating the argument "
                   "(`x *= w`, `y_hat -= y`): the notebook and the explorer use these "
                   "arrays again afterwards.")


def replaced_note(observed):
    """The line saying which of the learner's functions a check ran with stand-ins for
    (``observed["replaced"]``), so a learner knows where the real bug is; "" if none."""
    names = observed.get("replaced") or []
    if not names or (observed.get("error") or {}).get("type") == "NotImplementedError":
        return ""
    return (f"\n(This check ran with a correct {' and '.join(names)} in place of yours, "
            "which does not pass its own check yet: fix it in its own exercise.)")


def _timed_out(observed):
    return (type(observed) is dict and type(observed.get("error")) is dict
            and observed["error"].get("type") == TIMED_OUT)


class Fail(Exception):
    """Raised inside a judge function: the case failed with this message."""


@dataclass(frozen=True)
class Exercise:
    """One graded exercise, declared once.

    ``cases(seed)`` draws the inputs (plain data): ``seed=None`` gives the
    visible cases. ``run(subject, case)`` is the running half for one case
    and returns plain data. ``judge(case, observed)`` is the judging half:
    it returns if the case passes, else raises :class:`Fail` with the
    message. Cell ids follow the course's convention: ``sol_<name>`` for the
    solution cell, ``test_<name>`` for the locked test cell.
    """
    name: str
    points: int
    cases: Callable[[Any], list] = field(repr=False)
    run: Callable[[Any, Any], Any] = field(repr=False)
    judge: Callable[[Any, Any], None] = field(repr=False)
    hidden_seeds: tuple = ()
    summary: str = ""
    solution_ids: tuple = field(default=None)
    # What a correct answer and typical bugs give on a case (description -> value):
    # the judge names a bug by them, and the tests check that no two collide.
    expected: Callable = field(default=None, repr=False)
    bugs: Callable = field(default=None, repr=False)

    def __post_init__(self):
        if self.solution_ids is None:
            object.__setattr__(self, "solution_ids", (f"sol_{self.name}",))

    @property
    def test_id(self):
        return f"test_{self.name}"

    def observe(self, subject, seed=None, cases=None):
        """Running half: the plain data of every case (of ``cases``, else of the seed's).

        After a case whose call ran out of time the rest are not run (judging
        stops at the first failing case anyway): one endless loop costs one
        call's time limit, not one per case.
        """
        observations = []
        for case in self.cases(seed) if cases is None else cases:
            if observations and _timed_out(observations[-1]):
                observations.append(observations[-1])
                continue
            observations.append(self.run(subject, case))
        return observations

    def verdict(self, observations, seed=None):
        """Judging half: compare the observations with what the cases expect."""
        cases = self.cases(seed)
        try:
            ensure_plain(observations)
            if type(observations) is not list or len(observations) != len(cases):
                raise NotPlainData("not one observation per case")
        except NotPlainData as problem:
            return Verdict(self.name, False, 0, f"the check could not read the results ({problem})")
        for number, (case, observed) in enumerate(zip(cases, observations), start=1):
            try:
                self.judge(case, observed)
            except Fail as failure:
                return Verdict(self.name, False, number, str(failure))
            except Exception as error:  # plain data of the wrong shape: fail closed
                return Verdict(self.name, False, number, "the check could not read the "
                               f"results ({type(error).__name__}: {error})")
        return Verdict(self.name, True, len(cases))

    def __call__(self, subject, seed=None, hidden=False):
        """Check the learner's ``subject`` in the kernel: print ✓ or raise :class:`CheckFailed`."""
        seeds = self.hidden_seeds if hidden else [seed]
        checks = 0
        for each in seeds:
            verdict = self.verdict(self.observe(subject, each), each)
            if not verdict.passed:
                raise CheckFailed(verdict.message, self.name)
            checks += verdict.checks
        which = "hidden " if hidden or seed is not None else ""
        print(f"✓ {self.name}: {checks} {which}check{'s' * (checks != 1)} passed")


# ------------------------------------------------------------------ plain data on the wire


def dumps_plain(value):
    """Plain data as JSON text, so it can leave a sandbox without pickle.

    Arrays, tuples, complex numbers and :class:`Opaque` become tagged objects;
    :func:`loads_plain` turns them back. Raises :class:`NotPlainData` for
    anything else.
    """
    import json
    return json.dumps(_encode(ensure_plain(value)))


def _encode(value):
    kind = type(value)
    if kind is np.ndarray:
        return {"__ndarray__": [value.dtype.str, list(value.shape),
                                _encode(value.ravel().tolist())]}
    if kind is complex:
        return {"__complex__": [value.real, value.imag]}
    if kind is tuple:
        return {"__tuple__": [_encode(item) for item in value]}
    if kind is list:
        return [_encode(item) for item in value]
    if kind is dict:
        return {"__dict__": {key: _encode(item) for key, item in value.items()}}
    if kind is Opaque:
        return {"__opaque__": [value.type_name, value.text]}
    return value


def loads_plain(text, max_chars=50_000_000):
    """The plain data :func:`dumps_plain` wrote; :class:`NotPlainData` for anything else."""
    import json
    if type(text) is not str or len(text) > max_chars:
        raise NotPlainData("the results are not text of a sensible size")
    try:
        return ensure_plain(_decode(json.loads(text)))
    except (ValueError, TypeError, KeyError, RecursionError) as error:
        raise NotPlainData(f"the results cannot be read: {error}") from None


def _decode(value):
    if type(value) is list:
        return [_decode(item) for item in value]
    if type(value) is not dict:
        return value
    if len(value) != 1:
        raise NotPlainData("an untagged object")
    (tag, body), = value.items()
    if tag == "__ndarray__":
        dtype, shape, items = body
        if np.dtype(dtype).kind not in "biufc":
            raise NotPlainData(f"an array of dtype {dtype}")
        items = _decode(items)
        if dtype[1] == "c":
            items = [complex(item) for item in items]
        return np.array(items, dtype=np.dtype(dtype)).reshape([int(n) for n in shape])
    if tag == "__complex__":
        return complex(float(body[0]), float(body[1]))
    if tag == "__tuple__":
        return tuple(_decode(item) for item in body)
    if tag == "__dict__":
        return {str(key): _decode(item) for key, item in body.items()}
    if tag == "__opaque__":
        return Opaque(str(body[0]), str(body[1]))
    raise NotPlainData(f"an unknown tag {tag!r}")
